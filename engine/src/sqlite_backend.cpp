// SQLite under Database: one file in WAL mode with fully synchronous commits. Poco::Data opens the
// session; statements run on SQLite's C API, prepared once and cached, so that a cursor can read a result
// of any size a row at a time (Poco's RecordSet holds every row).
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "database_backend.h"

namespace spegla {
namespace {

Dialect SqliteDialect() {
  return Dialect{"sqlite",
                 "INTEGER PRIMARY KEY",
                 {"BEGIN IMMEDIATE"},
                 {"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"},
                 // Deferred: in WAL mode the first read fixes the snapshot, and writers are not blocked.
                 "BEGIN DEFERRED"};
}

void RegisterConnector() {
  static std::once_flag once;
  std::call_once(once, [] {
    // A connection is used by one thread at a time (see database.h), so SQLite need not lock it around
    // every call, which costs more than a small query: multi-thread mode, chosen before the first connection
    // opens. Only this file opens SQLite connections.
    Poco::Data::SQLite::Utility::setThreadMode(Poco::Data::SQLite::Utility::THREAD_MODE_MULTI);
    Poco::Data::SQLite::Connector::registerConnector();
  });
}

// Binds parameters in order; returns the first status that is not SQLITE_OK, or SQLITE_OK.
int Bind(sqlite3_stmt* statement, const std::vector<Database::Param>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    const int status = std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return sqlite3_bind_null(statement, at);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(statement, at, value);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(statement, at, value);
          } else {
            return sqlite3_bind_text(statement, at, value.data(), static_cast<int>(value.size()),
                                     SQLITE_TRANSIENT);
          }
        },
        params[i]);
    if (status != SQLITE_OK) return status;
  }
  return SQLITE_OK;
}

class SqliteConnection;

class SqliteCursor final : public Database::Cursor::Impl {
 public:
  struct Cached {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;  // lent to a cursor: not lent again, and not finalized, until it is returned
  };

  // `statement` is null for text without a statement (only a comment or spaces). `cached` is null for a
  // statement of its own, finalized with the cursor.
  SqliteCursor(sqlite3* handle, sqlite3_stmt* statement, Cached* cached, std::string sql)
      : handle_(handle), statement_(statement), cached_(cached), sql_(std::move(sql)) {}
  ~SqliteCursor() override {
    if (!statement_) return;
    if (cached_) {
      // Resetting ends the statement's reading, so it holds no snapshot.
      sqlite3_reset(statement_);
      sqlite3_clear_bindings(statement_);
      cached_->in_use = false;
    } else {
      sqlite3_finalize(statement_);
    }
  }

  [[noreturn]] void Fail() const {
    // The statement's own message (a constraint, a trigger's RAISE) rather than the generic one of step.
    throw DatabaseError(std::string(sqlite3_errmsg(handle_)) + " [" + sql_ + "]");
  }

  bool Next() override {
    if (!statement_) return false;
    const int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    Fail();
  }
  size_t size() const override {
    return statement_ ? static_cast<size_t>(sqlite3_column_count(statement_)) : 0;
  }
  bool IsNull(size_t column) const override {
    return sqlite3_column_type(statement_, static_cast<int>(column)) == SQLITE_NULL;
  }
  std::string_view Text(size_t column) const override {
    const int i = static_cast<int>(column);
    const unsigned char* text = sqlite3_column_text(statement_, i);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(statement_, i))};
  }
  std::int64_t Int(size_t column) const override {
    return sqlite3_column_int64(statement_, static_cast<int>(column));
  }

 private:
  sqlite3* handle_;
  sqlite3_stmt* statement_;
  Cached* cached_;
  std::string sql_;  // for messages
};

class SqliteConnection final : public Database::Impl {
 public:
  explicit SqliteConnection(Poco::Data::Session session)
      : session_(std::move(session)), handle_(Poco::Data::SQLite::Utility::dbHandle(session_)) {}
  ~SqliteConnection() override {
    for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.statement);
  }

  const Dialect& dialect() const override { return dialect_; }

  std::unique_ptr<Database::Cursor::Impl> Run(std::string_view sql, const std::vector<Database::Param>& params,
                                              bool /*large: SQLite reads a row at a time anyway*/) override {
    auto [statement, cached] = Acquire(sql);
    auto cursor = std::make_unique<SqliteCursor>(handle_, statement, cached, std::string(sql));
    if (statement && Bind(statement, params) != SQLITE_OK) cursor->Fail();
    return cursor;
  }

  bool InTransaction() override { return !sqlite3_get_autocommit(handle_); }
  std::string LastError() override { return sqlite3_errmsg(handle_); }

  Database::ChangeStamp Changes() override {
    // data_version changes when another connection commits; total_changes counts this one's writes.
    std::int64_t others = 0;
    {
      std::unique_ptr<Database::Cursor::Impl> version = Run("PRAGMA data_version", {}, false);
      if (version->Next()) others = version->Int(0);
    }
    return Database::ChangeStamp{static_cast<std::int64_t>(sqlite3_total_changes64(handle_)), others};
  }

  void EnterBulk() override {
    cache_size_ = Value("PRAGMA cache_size", "-2000");
    temp_store_ = Value("PRAGMA temp_store", "0");
    Execute("PRAGMA synchronous=OFF");
    // A bigger page cache while the database grows by the gigabyte: fewer pages read back from the file;
    // and the savepoint journals of the operations in memory rather than in temporary files.
    Execute("PRAGMA cache_size=-262144");  // 256 MiB
    Execute("PRAGMA temp_store=MEMORY");
  }
  void LeaveBulk() override {
    Execute("PRAGMA synchronous=FULL");
    Execute("PRAGMA cache_size=" + cache_size_);
    Execute("PRAGMA temp_store=" + temp_store_);
    // Everything in the database file, and the WAL back to nothing, as after a normal run.
    Value("PRAGMA wal_checkpoint(TRUNCATE)", "");
  }

  void Execute(const std::string& sql) {
    std::unique_ptr<Database::Cursor::Impl> cursor = Run(sql, {}, false);
    while (cursor->Next()) {
    }
  }
  std::string Value(const std::string& sql, const std::string& otherwise) {
    std::unique_ptr<Database::Cursor::Impl> cursor = Run(sql, {}, false);
    std::string value = cursor->Next() ? std::string(cursor->Text(0)) : otherwise;
    while (cursor->Next()) {
    }
    return value;
  }

 private:
  sqlite3_stmt* Prepare(std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &statement, &tail) != SQLITE_OK) {
      throw DatabaseError(std::string(sqlite3_errmsg(handle_)) + " [" + std::string(sql) + "]");
    }
    const std::string_view rest = sql.substr(static_cast<size_t>(tail - sql.data()));
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(statement);
      throw DatabaseError("one statement at a time [" + std::string(sql) + "]");
    }
    return statement;
  }

  // The statement for `sql`, prepared on first use and kept: the engine runs the same few dozen
  // statements over and over, and preparing one costs several times more than running it. When the
  // cached one is in use (by an open cursor of the same text), a fresh one that the cursor finalizes.
  std::pair<sqlite3_stmt*, SqliteCursor::Cached*> Acquire(std::string_view sql) {
    auto found = statements_.find(std::string(sql));
    if (found != statements_.end()) {
      if (found->second.in_use) return {Prepare(sql), nullptr};
      found->second.in_use = true;
      return {found->second.statement, &found->second};
    }
    // Texts built per call (a list of placeholders, a LIMIT) would grow the cache without bound; the ones
    // kept are the engine's fixed statements, so a full cache simply starts again (keeping those lent).
    constexpr size_t kMaxStatements = 512;
    if (statements_.size() >= kMaxStatements) {
      std::erase_if(statements_, [](auto& entry) {
        if (entry.second.in_use) return false;
        sqlite3_finalize(entry.second.statement);
        return true;
      });
    }
    sqlite3_stmt* statement = Prepare(sql);
    if (!statement) return {nullptr, nullptr};
    SqliteCursor::Cached& cached = statements_[std::string(sql)];
    cached = SqliteCursor::Cached{statement, true};
    return {statement, &cached};
  }

  Poco::Data::Session session_;
  sqlite3* handle_;  // the session's connection
  Dialect dialect_ = SqliteDialect();
  // Node-based: a Cached* stays valid while other entries come and go.
  std::unordered_map<std::string, SqliteCursor::Cached> statements_;
  std::string cache_size_, temp_store_;  // before bulk mode
};

}  // namespace

std::unique_ptr<Database::Impl> OpenSqlite(const std::string& path) {
  RegisterConnector();
  try {
    std::filesystem::path file(path);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    auto connection = std::make_unique<SqliteConnection>(Poco::Data::Session("SQLite", path));
    // WAL with synchronous=FULL makes every commit durable once it returns, and lets readers work
    // while one writer commits.
    connection->Value("PRAGMA journal_mode=WAL", "");
    connection->Execute("PRAGMA synchronous=FULL");
    connection->Execute("PRAGMA foreign_keys=ON");
    connection->Execute("PRAGMA busy_timeout=10000");
    return connection;
  } catch (const Poco::Exception& e) {
    throw DatabaseError("cannot open database '" + path + "': " + e.displayText());
  } catch (const std::filesystem::filesystem_error& e) {
    throw DatabaseError("cannot open database '" + path + "': " + e.what());
  }
}

}  // namespace spegla
