// The SQL database under the store: SQLite (the embedded default) or PostgreSQL (for several server
// processes on one database). Poco::Data opens the session; statements run on the system's own C API
// (SQLite's, libpq), prepared once and cached. SQL in the engine is written in the dialect both run, with
// `?` placeholders; the few differences live in Dialect and in the backends (engine/src/*_backend.cpp).
//
// Thread-safety: a Database is used by one thread at a time; the Engine serialises access to it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spegla {

// Thrown for failures of the database itself (disk full, corrupt file, lost connection): nothing a
// user typed can cause it. Operations catch it at their boundary and report it as an internal error.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Dialect {
  std::string name;                               // "sqlite" or "postgresql"
  std::string id_column;                          // an auto-numbered primary key column type
  std::vector<std::string> begin_write;           // start a transaction that will write, one writer at a time
  std::vector<std::string> append_only_triggers;  // statements that make audit_log reject UPDATE/DELETE
  std::string begin_read;                         // starts a transaction that only reads, on one snapshot
};

class Database {
 public:
  using Param = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

  class Row {
   public:
    explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
    bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
    std::string Text(size_t i) const { return cells_.at(i).value_or(""); }
    std::int64_t Int(size_t i) const;
    std::optional<std::string> Optional(size_t i) const { return cells_.at(i); }
    size_t size() const { return cells_.size(); }

   private:
    std::vector<std::optional<std::string>> cells_;
  };

  // Opens (creating if needed) an SQLite file with WAL and fully synchronous commits, or a PostgreSQL
  // database for a "postgresql://" target. Throws DatabaseError.
  static std::unique_ptr<Database> Open(const std::string& target);
  static bool IsPostgresqlTarget(const std::string& target);
  // The target for messages and logs: a URL's password replaced by ***.
  static std::string Redacted(const std::string& target);
  ~Database();

  const Dialect& dialect() const;

  struct Impl;  // the backend (engine/src/database_backend.h)

  void Execute(std::string_view sql, const std::vector<Param>& params = {});
  std::vector<Row> Query(std::string_view sql, const std::vector<Param>& params = {});
  // Runs an INSERT and returns the new row's id column.
  std::int64_t Insert(std::string_view sql, const std::vector<Param>& params = {});

  // The rows of a query read one at a time, for results too large to hold at once (exports); Execute and
  // Query run on it. Several cursors may be open together, also of the same text, and Query may run
  // meanwhile. A cursor must not outlive its Database. Failures throw DatabaseError, from Stream or Next.
  class Cursor {
   public:
    Cursor(Cursor&&) noexcept;
    Cursor& operator=(Cursor&&) noexcept;
    ~Cursor();

    bool Next();          // moves to the next row; false after the last
    size_t size() const;  // the number of columns
    bool IsNull(size_t column) const;
    std::string_view Text(size_t column) const;  // valid until the next Next(); "" for NULL
    std::int64_t Int(size_t column) const;       // 0 for NULL
    std::optional<std::string> Optional(size_t column) const;

    struct Impl;  // a backend's (engine/src/database_backend.h)

   private:
    friend class Database;
    explicit Cursor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  Cursor Stream(std::string_view sql, const std::vector<Param>& params = {});
  // The same for a result small enough to hold (one instance's rows): PostgreSQL then reads it in one
  // answer rather than through a server-side cursor.
  Cursor Select(std::string_view sql, const std::vector<Param>& params = {});

  // Runs `work` in one transaction: committed when it returns, rolled back when it throws (the
  // exception then propagates). REQUIRES: not already inside a transaction.
  // In bulk mode (BeginBulk) it runs in a savepoint of the group's transaction instead: released when it
  // returns, rolled back when it throws, committed with the group.
  void InTransaction(const std::function<void()>& work);
  // Runs `work` in a transaction that reads one snapshot of the database and writes nothing: what it
  // reads is consistent even while other connections commit. REQUIRES: not already inside a transaction.
  void InReadTransaction(const std::function<void()>& work);
  bool in_transaction() const { return in_transaction_; }

  // Bulk loading, for seeding a new database with many transactions (`spegla demo`): until EndBulk,
  // commits do not wait for the disk (synchronous=OFF) and transactions are committed in groups of
  // `transactions_per_group`, each one a savepoint of the group's transaction, so that each still happens
  // completely or not at all. A crash of the process loses the group not yet committed; a power failure
  // meanwhile may damage the file. EndBulk commits, restores synchronous=FULL and checkpoints the WAL
  // into the database file. The destructor ends bulk mode too. REQUIRES: not inside a transaction.
  void BeginBulk(size_t transactions_per_group);
  void EndBulk();
  bool bulk() const { return bulk_.has_value(); }

  // Group commit: transactions that arrive together (Engine::Write) run one after another, each in a
  // savepoint of one database transaction, and are committed together, so that they share one wait for
  // the disk. Each still happens completely or not at all: a transaction that throws is rolled back to its
  // savepoint, leaving the others. REQUIRES: not in bulk mode, not inside another transaction.
  void BeginGroup();
  bool group_open() const { return group_open_; }
  // Runs `work` in a savepoint of the open group: released when it returns, rolled back when it throws
  // (the exception then propagates). When SQLite ended the group's whole transaction (a full disk, an
  // I/O error), group_open() is false afterwards: the group's earlier transactions are gone as well.
  void InGroupSavepoint(const std::function<void()>& work);
  // Commits the group; on failure rolls it back and throws DatabaseError. Either way the group is closed.
  void CommitGroupNow();

  // The state of the database as this connection sees it: two equal stamps mean that nothing was written
  // in between, neither through this connection (any INSERT, UPDATE or DELETE, even one rolled back
  // later) nor by a commit of another connection. Lets a caller keep what it read until a stamp differs.
  struct ChangeStamp {
    std::int64_t own = 0;
    std::int64_t others = 0;
    bool operator==(const ChangeStamp&) const = default;
  };
  ChangeStamp Changes();

 private:
  struct Bulk {
    size_t per_group = 1;
    size_t in_group = 0;      // transactions in the open group
    bool group_open = false;  // the group's transaction has begun
    std::string lost;         // why a group was rolled back as a whole (reported by EndBulk)
  };
  void RunInSavepoint(const std::function<void()>& work);
  void Begin(const std::vector<std::string>& statements);  // a transaction, as the dialect begins one
  void CommitGroup();  // commits the open group; a failure is kept in Bulk::lost

  explicit Database(std::unique_ptr<Impl> impl);
  void RunInTransaction(const std::vector<std::string>& begin, const std::function<void()>& work);

  std::unique_ptr<Impl> impl_;
  bool in_transaction_ = false;
  bool group_open_ = false;
  std::optional<Bulk> bulk_;
};

}  // namespace spegla
