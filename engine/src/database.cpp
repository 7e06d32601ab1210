#include "spegla/database.h"

#include <algorithm>

#include "database_backend.h"

namespace spegla {

std::int64_t Database::Row::Int(size_t i) const {
  const std::optional<std::string>& cell = cells_.at(i);
  if (!cell || cell->empty()) return 0;
  return std::stoll(*cell);
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() {
  if (!bulk_) return;
  try {
    EndBulk();  // what was loaded stays, as it would have without bulk mode
  } catch (const DatabaseError&) {
    // Nothing to report to from a destructor; the group not committed is lost as in a crash.
  }
}

bool Database::IsPostgresqlTarget(const std::string& target) {
  return target.rfind("postgresql://", 0) == 0 || target.rfind("postgres://", 0) == 0;
}

std::string Database::Redacted(const std::string& target) {
  const size_t scheme = target.find("://");
  const size_t at = target.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return target;
  const size_t colon = target.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return target;
  return target.substr(0, colon + 1) + "***" + target.substr(at);
}

std::unique_ptr<Database> Database::Open(const std::string& target) {
  return std::unique_ptr<Database>(
      new Database(IsPostgresqlTarget(target) ? OpenPostgresql(target) : OpenSqlite(target)));
}

const Dialect& Database::dialect() const { return impl_->dialect(); }

void Database::Execute(std::string_view sql, const std::vector<Param>& params) {
  Cursor cursor = Select(sql, params);
  while (cursor.Next()) {
  }
}

std::vector<Database::Row> Database::Query(std::string_view sql, const std::vector<Param>& params) {
  Cursor cursor = Select(sql, params);
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
  RunInTransaction(dialect().begin_write, work);
}

void Database::InReadTransaction(const std::function<void()>& work) {
  RunInTransaction({dialect().begin_read}, work);
}

void Database::RunInTransaction(const std::vector<std::string>& begin, const std::function<void()>& work) {
  if (in_transaction_ || group_open_) throw DatabaseError("nested transaction");
  if (bulk_) return RunInSavepoint(work);
  Begin(begin);
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
      // The original failure is the one worth reporting; the database may already have rolled back.
    }
    throw;
  }
}

void Database::BeginGroup() {
  if (in_transaction_ || group_open_ || bulk_) throw DatabaseError("group commit inside a transaction");
  Begin(dialect().begin_write);
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
    if (!impl_->InTransaction()) group_open_ = false;
    throw;
  }
}

void Database::CommitGroupNow() {
  if (!group_open_) return;
  group_open_ = false;
  try {
    Execute("COMMIT");
  } catch (const DatabaseError&) {
    if (!!impl_->InTransaction()) {
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
    Begin(dialect().begin_write);
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
    if (!impl_->InTransaction()) {
      // The database ended the group's transaction itself (a full disk, an I/O error): the transactions before
      // this one in the group are gone too, which must not pass unnoticed.
      bulk_->group_open = false;
      bulk_->in_group = 0;
      if (bulk_->lost.empty()) {
        bulk_->lost =
            std::string("a group of bulk transactions was rolled back: ") + impl_->LastError();
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
    if (!!impl_->InTransaction()) {
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

void Database::Begin(const std::vector<std::string>& statements) {
  for (size_t i = 0; i < statements.size(); ++i) {
    try {
      Execute(statements[i]);
    } catch (const DatabaseError&) {
      if (i > 0 && impl_->InTransaction()) {
        try {
          Execute("ROLLBACK");
        } catch (const DatabaseError&) {
          // The failure to begin is the one reported.
        }
      }
      throw;
    }
  }
}

void Database::BeginBulk(size_t transactions_per_group) {
  if (in_transaction_ || bulk_) throw DatabaseError("bulk mode inside a transaction or bulk mode");
  impl_->EnterBulk();
  bulk_ = Bulk{};  // not emplace(): clang 14 finds Bulk not default-constructible there (its NSDMIs)
  bulk_->per_group = std::max<size_t>(transactions_per_group, 1);
}

void Database::EndBulk() {
  if (!bulk_) return;
  if (in_transaction_) throw DatabaseError("bulk mode ended inside a transaction");
  if (bulk_->group_open) CommitGroup();
  const Bulk ended = *bulk_;
  bulk_.reset();
  impl_->LeaveBulk();
  if (!ended.lost.empty()) throw DatabaseError(ended.lost);
}

Database::ChangeStamp Database::Changes() { return impl_->Changes(); }

Database::Cursor::Cursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Cursor::Cursor(Cursor&&) noexcept = default;
Database::Cursor& Database::Cursor::operator=(Cursor&&) noexcept = default;
Database::Cursor::~Cursor() = default;

bool Database::Cursor::Next() { return impl_->Next(); }
size_t Database::Cursor::size() const { return impl_->size(); }
bool Database::Cursor::IsNull(size_t column) const { return impl_->IsNull(column); }
std::string_view Database::Cursor::Text(size_t column) const { return impl_->Text(column); }
std::int64_t Database::Cursor::Int(size_t column) const { return impl_->Int(column); }

std::optional<std::string> Database::Cursor::Optional(size_t column) const {
  if (IsNull(column)) return std::nullopt;
  return std::string(Text(column));
}

Database::Cursor Database::Stream(std::string_view sql, const std::vector<Param>& params) {
  return Cursor(impl_->Run(sql, params, /*large=*/true));
}

Database::Cursor Database::Select(std::string_view sql, const std::vector<Param>& params) {
  return Cursor(impl_->Run(sql, params, /*large=*/false));
}

}  // namespace spegla
