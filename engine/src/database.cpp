#include "spegla/database.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <filesystem>
#include <mutex>

namespace spegla {
namespace {

using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

Dialect SqliteDialect() {
  return Dialect{"sqlite",
                 "INTEGER PRIMARY KEY",
                 "BEGIN IMMEDIATE",
                 {"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"}};
}

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

}  // namespace

struct Database::Impl {
  explicit Impl(Poco::Data::Session s) : session(std::move(s)) {}
  Poco::Data::Session session;
};

std::int64_t Database::Row::Int(size_t i) const {
  const std::optional<std::string>& cell = cells_.at(i);
  if (!cell || cell->empty()) return 0;
  return std::stoll(*cell);
}

Database::Database(std::unique_ptr<Impl> impl, Dialect dialect)
    : impl_(std::move(impl)), dialect_(std::move(dialect)) {}

Database::~Database() = default;

std::unique_ptr<Database> Database::Open(const std::string& target) {
  if (target.rfind("postgresql://", 0) == 0 || target.rfind("postgres://", 0) == 0) {
    throw DatabaseError("PostgreSQL is not available in this build yet; use an SQLite file path");
  }
  RegisterConnectors();
  try {
    std::filesystem::path path(target);
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    auto impl = std::make_unique<Impl>(Poco::Data::Session("SQLite", target));
    std::unique_ptr<Database> db(new Database(std::move(impl), SqliteDialect()));
    // WAL with synchronous=FULL makes every commit durable once it returns, and lets readers work
    // while one writer commits.
    db->Query("PRAGMA journal_mode=WAL");
    db->Execute("PRAGMA synchronous=FULL");
    db->Execute("PRAGMA foreign_keys=ON");
    db->Execute("PRAGMA busy_timeout=10000");
    return db;
  } catch (const Poco::Exception& e) {
    throw DatabaseError("cannot open database '" + target + "': " + e.displayText());
  } catch (const std::filesystem::filesystem_error& e) {
    throw DatabaseError("cannot open database '" + target + "': " + e.what());
  }
}

namespace {

// Binds parameters in order. Poco binds by reference, so `params` must outlive execution.
void Bind(Poco::Data::Statement& statement, const std::vector<Database::Param>& params) {
  for (const Database::Param& p : params) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            statement, use(Poco::Data::Keywords::null);
          } else {
            statement, use(const_cast<T&>(value));
          }
        },
        p);
  }
}

}  // namespace

void Database::Execute(std::string_view sql, const std::vector<Param>& params) {
  try {
    Poco::Data::Statement statement(impl_->session);
    statement << std::string(sql);
    Bind(statement, params);
    statement.execute();
  } catch (const Poco::Exception& e) {
    throw DatabaseError(e.displayText() + " [" + std::string(sql) + "]");
  }
}

std::vector<Database::Row> Database::Query(std::string_view sql, const std::vector<Param>& params) {
  try {
    Poco::Data::Statement statement(impl_->session);
    statement << std::string(sql);
    Bind(statement, params);
    statement.execute();
    Poco::Data::RecordSet records(statement);
    std::vector<Row> rows;
    const size_t columns = records.columnCount();
    const size_t count = records.rowCount();
    rows.reserve(count);
    for (size_t r = 0; r < count; ++r) {
      std::vector<std::optional<std::string>> cells(columns);
      for (size_t c = 0; c < columns; ++c) {
        if (!records.isNull(c, r)) cells[c] = records.value(c, r).convert<std::string>();
      }
      rows.emplace_back(std::move(cells));
    }
    return rows;
  } catch (const Poco::Exception& e) {
    throw DatabaseError(e.displayText() + " [" + std::string(sql) + "]");
  }
}

std::int64_t Database::Insert(std::string_view sql, const std::vector<Param>& params) {
  std::vector<Row> rows = Query(std::string(sql) + " RETURNING id", params);
  if (rows.size() != 1) throw DatabaseError("INSERT returned no id [" + std::string(sql) + "]");
  return rows[0].Int(0);
}

void Database::InTransaction(const std::function<void()>& work) {
  if (in_transaction_) throw DatabaseError("nested transaction");
  Execute(dialect_.begin_write);
  in_transaction_ = true;
  try {
    work();
    Execute("COMMIT");
    in_transaction_ = false;
  } catch (...) {
    in_transaction_ = false;
    try {
      Execute("ROLLBACK");
    } catch (const DatabaseError&) {
      // The original failure is the one worth reporting; SQLite may already have rolled back.
    }
    throw;
  }
}

}  // namespace spegla
