#include "spegla/database.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <unordered_map>

namespace spegla {
namespace {

Dialect SqliteDialect() {
  return Dialect{"sqlite",
                 "INTEGER PRIMARY KEY",
                 "BEGIN IMMEDIATE",
                 {"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"},
                 // Deferred: in WAL mode the first read fixes the snapshot, and writers are not blocked.
                 "BEGIN DEFERRED"};
}

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    // A connection is used by one thread at a time (see the header), so SQLite need not lock it around
    // every call, which costs more than a small query: multi-thread mode, chosen before the first connection
    // opens. Only this file opens connections.
    Poco::Data::SQLite::Utility::setThreadMode(Poco::Data::SQLite::Utility::THREAD_MODE_MULTI);
    Poco::Data::SQLite::Connector::registerConnector();
  });
}

}  // namespace

struct Database::Impl {
  explicit Impl(Poco::Data::Session s)
      : session(std::move(s)), handle(Poco::Data::SQLite::Utility::dbHandle(session)) {}
  ~Impl() {
    for (auto& [sql, cached] : statements) sqlite3_finalize(cached.statement);
  }

  struct Cached {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;  // lent to a cursor: not lent again, and not finalized, until it is returned
  };
  // A statement lent for one run: a cached one, or (when the cached one is in use, e.g. by an open
  // cursor of the same text) a fresh one that is finalized on return. `statement` is null for text
  // without a statement (only a comment or spaces).
  struct Lease {
    sqlite3_stmt* statement = nullptr;
    Cached* cached = nullptr;
  };

  // The statement for `sql`, prepared on first use and kept: the engine runs the same few dozen
  // statements over and over, and preparing one costs several times more than running it.
  Lease Acquire(std::string_view sql);
  // Resets the statement (which ends its reading, so it holds no snapshot) and unbinds it.
  void Return(Lease& lease) noexcept;
  sqlite3_stmt* Prepare(std::string_view sql);

  Poco::Data::Session session;
  sqlite3* handle;  // the session's connection
  // Node-based: a Cached* stays valid while other entries come and go.
  std::unordered_map<std::string, Cached> statements;
};

std::int64_t Database::Row::Int(size_t i) const {
  const std::optional<std::string>& cell = cells_.at(i);
  if (!cell || cell->empty()) return 0;
  return std::stoll(*cell);
}

Database::Database(std::unique_ptr<Impl> impl, Dialect dialect)
    : impl_(std::move(impl)), dialect_(std::move(dialect)) {}

Database::~Database() {
  if (!bulk_) return;
  try {
    EndBulk();  // what was loaded stays, as it would have without bulk mode
  } catch (const DatabaseError&) {
    // Nothing to report to from a destructor; the group not committed is lost as in a crash.
  }
}

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

sqlite3_stmt* Database::Impl::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v3(handle, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &statement, &tail) != SQLITE_OK) {
    throw DatabaseError(std::string(sqlite3_errmsg(handle)) + " [" + std::string(sql) + "]");
  }
  const std::string_view rest = sql.substr(static_cast<size_t>(tail - sql.data()));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    sqlite3_finalize(statement);
    throw DatabaseError("one statement at a time [" + std::string(sql) + "]");
  }
  return statement;
}

Database::Impl::Lease Database::Impl::Acquire(std::string_view sql) {
  auto found = statements.find(std::string(sql));
  if (found != statements.end()) {
    if (found->second.in_use) return Lease{Prepare(sql), nullptr};
    found->second.in_use = true;
    return Lease{found->second.statement, &found->second};
  }
  // Texts built per call (a list of placeholders, a LIMIT) would grow the cache without bound; the ones
  // kept are the engine's fixed statements, so a full cache simply starts again (keeping those lent).
  constexpr size_t kMaxStatements = 512;
  if (statements.size() >= kMaxStatements) {
    std::erase_if(statements, [](auto& entry) {
      if (entry.second.in_use) return false;
      sqlite3_finalize(entry.second.statement);
      return true;
    });
  }
  sqlite3_stmt* statement = Prepare(sql);
  if (!statement) return Lease{};
  Cached& cached = statements[std::string(sql)];
  cached = Cached{statement, true};
  return Lease{statement, &cached};
}

void Database::Impl::Return(Lease& lease) noexcept {
  if (!lease.statement) return;
  if (lease.cached) {
    sqlite3_reset(lease.statement);
    sqlite3_clear_bindings(lease.statement);
    lease.cached->in_use = false;
  } else {
    sqlite3_finalize(lease.statement);
  }
  lease = Lease{};
}

namespace {

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

}  // namespace

void Database::Execute(std::string_view sql, const std::vector<Param>& params) {
  Cursor cursor = Stream(sql, params);
  while (cursor.Next()) {
  }
}

std::vector<Database::Row> Database::Query(std::string_view sql, const std::vector<Param>& params) {
  Cursor cursor = Stream(sql, params);
  std::vector<Row> rows;
  while (cursor.Next()) {
    std::vector<std::optional<std::string>> cells(cursor.size());
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!cursor.IsNull(c)) cells[c].emplace(cursor.Text(c));
    }
    rows.emplace_back(std::move(cells));
  }
  return rows;
}

std::int64_t Database::Insert(std::string_view sql, const std::vector<Param>& params) {
  std::vector<Row> rows = Query(std::string(sql) + " RETURNING id", params);
  if (rows.size() != 1) throw DatabaseError("INSERT returned no id [" + std::string(sql) + "]");
  return rows[0].Int(0);
}

void Database::InTransaction(const std::function<void()>& work) {
  RunInTransaction(dialect_.begin_write, work);
}

void Database::InReadTransaction(const std::function<void()>& work) {
  RunInTransaction(dialect_.begin_read, work);
}

void Database::RunInTransaction(const std::string& begin, const std::function<void()>& work) {
  if (in_transaction_ || group_open_) throw DatabaseError("nested transaction");
  if (bulk_) return RunInSavepoint(work);
  Execute(begin);
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

void Database::BeginGroup() {
  if (in_transaction_ || group_open_ || bulk_) throw DatabaseError("group commit inside a transaction");
  Execute(dialect_.begin_write);
  group_open_ = true;
}

void Database::InGroupSavepoint(const std::function<void()>& work) {
  if (!group_open_ || in_transaction_) throw DatabaseError("no open group for a savepoint");
  Execute("SAVEPOINT grouped_transaction");
  in_transaction_ = true;
  try {
    work();
    in_transaction_ = false;
    Execute("RELEASE grouped_transaction");
  } catch (...) {
    in_transaction_ = false;
    try {
      Execute("ROLLBACK TO grouped_transaction");
      Execute("RELEASE grouped_transaction");
    } catch (const DatabaseError&) {
      // The original failure is the one worth reporting; whether the group survived is checked below.
    }
    if (sqlite3_get_autocommit(impl_->handle)) group_open_ = false;
    throw;
  }
}

void Database::CommitGroupNow() {
  if (!group_open_) return;
  group_open_ = false;
  try {
    Execute("COMMIT");
  } catch (const DatabaseError&) {
    if (!sqlite3_get_autocommit(impl_->handle)) {
      try {
        Execute("ROLLBACK");
      } catch (const DatabaseError&) {
        // The commit's failure is the one reported.
      }
    }
    throw;
  }
}

void Database::RunInSavepoint(const std::function<void()>& work) {
  if (!bulk_->group_open) {
    Execute(dialect_.begin_write);
    bulk_->group_open = true;
  }
  Execute("SAVEPOINT bulk_transaction");
  in_transaction_ = true;
  try {
    work();
    in_transaction_ = false;
    Execute("RELEASE bulk_transaction");
  } catch (...) {
    in_transaction_ = false;
    try {
      Execute("ROLLBACK TO bulk_transaction");
      Execute("RELEASE bulk_transaction");
    } catch (const DatabaseError&) {
      // Reported below when SQLite rolled back the whole group; otherwise the original failure is the one.
    }
    if (sqlite3_get_autocommit(impl_->handle)) {
      // SQLite ended the group's transaction itself (a full disk, an I/O error): the transactions before
      // this one in the group are gone too, which must not pass unnoticed.
      bulk_->group_open = false;
      bulk_->in_group = 0;
      if (bulk_->lost.empty()) {
        bulk_->lost =
            std::string("a group of bulk transactions was rolled back: ") + sqlite3_errmsg(impl_->handle);
      }
    }
    throw;
  }
  if (++bulk_->in_group >= bulk_->per_group) CommitGroup();
}

void Database::CommitGroup() {
  try {
    Execute("COMMIT");
  } catch (const DatabaseError& e) {
    if (!sqlite3_get_autocommit(impl_->handle)) {
      try {
        Execute("ROLLBACK");
      } catch (const DatabaseError&) {
        // Already reported below.
      }
    }
    if (bulk_->lost.empty()) {
      bulk_->lost = std::string("a group of bulk transactions was not committed: ") + e.what();
    }
  }
  bulk_->group_open = false;
  bulk_->in_group = 0;
}

void Database::BeginBulk(size_t transactions_per_group) {
  if (in_transaction_ || bulk_) throw DatabaseError("bulk mode inside a transaction or bulk mode");
  std::vector<Row> cache = Query("PRAGMA cache_size");
  std::vector<Row> temp_store = Query("PRAGMA temp_store");
  Execute("PRAGMA synchronous=OFF");
  // A bigger page cache while the database grows by the gigabyte: fewer pages read back from the file; and
  // the savepoint journals of the operations in memory rather than in temporary files.
  Execute("PRAGMA cache_size=-262144");  // 256 MiB
  Execute("PRAGMA temp_store=MEMORY");
  bulk_ = Bulk{};  // not emplace(): clang 14 finds Bulk not default-constructible there (its NSDMIs)
  bulk_->per_group = std::max<size_t>(transactions_per_group, 1);
  bulk_->cache_size = cache.empty() ? std::string("-2000") : cache[0].Text(0);
  bulk_->temp_store = temp_store.empty() ? std::string("0") : temp_store[0].Text(0);
}

void Database::EndBulk() {
  if (!bulk_) return;
  if (in_transaction_) throw DatabaseError("bulk mode ended inside a transaction");
  if (bulk_->group_open) CommitGroup();
  const Bulk ended = *bulk_;
  bulk_.reset();
  Execute("PRAGMA synchronous=FULL");
  Execute("PRAGMA cache_size=" + ended.cache_size);
  Execute("PRAGMA temp_store=" + ended.temp_store);
  // Everything in the database file, and the WAL back to nothing, as after a normal run.
  Query("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!ended.lost.empty()) throw DatabaseError(ended.lost);
}

Database::ChangeStamp Database::Changes() {
  std::vector<Row> version = Query("PRAGMA data_version");
  return ChangeStamp{static_cast<std::int64_t>(sqlite3_total_changes64(impl_->handle)),
                     version.empty() ? 0 : version[0].Int(0)};
}

// The cursor reads through SQLite's own statement API: Poco's RecordSet holds every row of a result,
// which an export of a hundred thousand instances cannot afford.
struct Database::Cursor::Impl {
  Database::Impl* db = nullptr;
  Database::Impl::Lease lease;
  std::string sql;  // for messages
  ~Impl() { db->Return(lease); }
  [[noreturn]] void Fail() const {
    // The statement's own message (a constraint, a trigger's RAISE) rather than the generic one of step.
    throw DatabaseError(std::string(sqlite3_errmsg(db->handle)) + " [" + sql + "]");
  }
};

Database::Cursor::Cursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Cursor::Cursor(Cursor&&) noexcept = default;
Database::Cursor& Database::Cursor::operator=(Cursor&&) noexcept = default;
Database::Cursor::~Cursor() = default;

bool Database::Cursor::Next() {
  sqlite3_stmt* statement = impl_->lease.statement;
  if (!statement) return false;
  const int status = sqlite3_step(statement);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  impl_->Fail();
}

size_t Database::Cursor::size() const {
  return impl_->lease.statement ? static_cast<size_t>(sqlite3_column_count(impl_->lease.statement)) : 0;
}

bool Database::Cursor::IsNull(size_t column) const {
  return sqlite3_column_type(impl_->lease.statement, static_cast<int>(column)) == SQLITE_NULL;
}

std::string_view Database::Cursor::Text(size_t column) const {
  sqlite3_stmt* statement = impl_->lease.statement;
  const int i = static_cast<int>(column);
  const unsigned char* text = sqlite3_column_text(statement, i);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(statement, i))};
}

std::int64_t Database::Cursor::Int(size_t column) const {
  return sqlite3_column_int64(impl_->lease.statement, static_cast<int>(column));
}

std::optional<std::string> Database::Cursor::Optional(size_t column) const {
  if (IsNull(column)) return std::nullopt;
  return std::string(Text(column));
}

Database::Cursor Database::Stream(std::string_view sql, const std::vector<Param>& params) {
  auto cursor = std::make_unique<Cursor::Impl>();
  cursor->db = impl_.get();
  cursor->sql = std::string(sql);
  cursor->lease = impl_->Acquire(sql);
  if (cursor->lease.statement && Bind(cursor->lease.statement, params) != SQLITE_OK) cursor->Fail();
  return Cursor(std::move(cursor));
}

}  // namespace spegla
