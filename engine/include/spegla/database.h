// The SQL database under the store: Poco::Data on SQLite (the embedded default) or PostgreSQL. SQL in the
// engine is written in the dialect both run; the few differences live in Dialect, nowhere else.
//
// Thread-safety: a Database is used by one thread at a time; the Store serialises access to it.
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
  std::string begin_write;                        // starts a transaction that will write
  std::vector<std::string> append_only_triggers;  // statements that make audit_log reject UPDATE/DELETE
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
  ~Database();

  const Dialect& dialect() const { return dialect_; }

  void Execute(std::string_view sql, const std::vector<Param>& params = {});
  std::vector<Row> Query(std::string_view sql, const std::vector<Param>& params = {});
  // Runs an INSERT and returns the new row's id column.
  std::int64_t Insert(std::string_view sql, const std::vector<Param>& params = {});

  // Runs `work` in one transaction: committed when it returns, rolled back when it throws (the
  // exception then propagates). REQUIRES: not already inside a transaction.
  void InTransaction(const std::function<void()>& work);
  bool in_transaction() const { return in_transaction_; }

 private:
  struct Impl;
  Database(std::unique_ptr<Impl> impl, Dialect dialect);

  std::unique_ptr<Impl> impl_;
  Dialect dialect_;
  bool in_transaction_ = false;
};

}  // namespace spegla
