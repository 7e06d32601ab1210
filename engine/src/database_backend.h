// The interface between Database (transactions, groups, bulk mode: engine/src/database.cpp) and the SQL
// systems under it: SQLite (sqlite_backend.cpp) and PostgreSQL (postgresql_backend.cpp). A backend runs
// one statement at a time on its connection and says what state the connection is in; everything about
// transactions above that is shared.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/database.h"

namespace spegla {

// One statement's run, read a row at a time.
struct Database::Cursor::Impl {
  virtual ~Impl() = default;
  virtual bool Next() = 0;  // throws DatabaseError
  virtual size_t size() const = 0;
  virtual bool IsNull(size_t column) const = 0;
  virtual std::string_view Text(size_t column) const = 0;  // "" for NULL
  virtual std::int64_t Int(size_t column) const = 0;       // 0 for NULL
};

struct Database::Impl {
  virtual ~Impl() = default;
  virtual const Dialect& dialect() const = 0;
  // Runs one statement with `?` placeholders. `large`: the caller reads a result too big to hold at once
  // (Database::Stream), rather than a few rows (Execute, Query). Throws DatabaseError.
  virtual std::unique_ptr<Cursor::Impl> Run(std::string_view sql, const std::vector<Param>& params,
                                            bool large) = 0;
  // Whether the connection is inside a transaction: false after the database ended one by itself.
  virtual bool InTransaction() = 0;
  // The connection's last error message.
  virtual std::string LastError() = 0;
  virtual ChangeStamp Changes() = 0;
  // Bulk mode's settings: commits that do not wait for the disk, more memory; and back.
  virtual void EnterBulk() = 0;
  virtual void LeaveBulk() = 0;
};

// Open a connection; throw DatabaseError.
std::unique_ptr<Database::Impl> OpenSqlite(const std::string& path);
std::unique_ptr<Database::Impl> OpenPostgresql(const std::string& url);

}  // namespace spegla
