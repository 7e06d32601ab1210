#include "spegla/backup.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "spegla/atomic_file.h"
#include "spegla/schema.h"

namespace spegla {
namespace {

namespace fs = std::filesystem;

std::string Quoted(const fs::path& path) { return "'" + path.string() + "'"; }

// SQLite's files beside a database: its write-ahead log, the WAL's index and a rollback journal.
const char* const kSidecars[] = {"-wal", "-shm", "-journal"};

fs::path Sidecar(const fs::path& database, const char* suffix) { return database.string() + suffix; }

// One connection of SQLite's C API, closed when it goes.
class Connection {
 public:
  Connection(const fs::path& path, int flags, const std::string& what) {
    const int status = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (status != SQLITE_OK) {
      const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(status);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw BackupError("cannot open " + what + ": " + reason);
    }
    sqlite3_extended_result_codes(db_, 1);
  }
  ~Connection() { sqlite3_close_v2(db_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }

  // Runs one statement and collects its rows (as text); returns SQLite's status (SQLITE_OK on success) and
  // sets *error to its message otherwise.
  int Run(const std::string& sql, std::vector<std::vector<std::optional<std::string>>>* rows,
          std::string* error) const {
    sqlite3_stmt* statement = nullptr;
    int status = sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr);
    while (status == SQLITE_OK) {
      const int step = sqlite3_step(statement);
      if (step == SQLITE_DONE) break;
      if (step != SQLITE_ROW) {
        status = step;
        break;
      }
      if (!rows) continue;
      std::vector<std::optional<std::string>>& row = rows->emplace_back();
      for (int c = 0; c < sqlite3_column_count(statement); ++c) {
        const unsigned char* text = sqlite3_column_text(statement, c);
        if (text) {
          row.emplace_back(std::string(reinterpret_cast<const char*>(text),
                                       static_cast<size_t>(sqlite3_column_bytes(statement, c))));
        } else {
          row.emplace_back(std::nullopt);
        }
      }
    }
    if (status != SQLITE_OK && error) *error = sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
    return status;
  }

  // The first column of the first row of a statement that must succeed; throws BackupError otherwise.
  std::string Value(const std::string& sql, const std::string& what) const {
    std::vector<std::vector<std::optional<std::string>>> rows;
    std::string error;
    if (Run(sql, &rows, &error) != SQLITE_OK) throw BackupError(what + ": " + error);
    return rows.empty() || rows[0].empty() ? std::string() : rows[0][0].value_or("");
  }

 private:
  sqlite3* db_ = nullptr;
};

std::int64_t Number(const std::string& text) { return text.empty() ? 0 : std::stoll(text); }

// A temporary file (and SQLite's files beside it) removed on every way out, unless kept.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) { Remove(); }
  ~TemporaryFile() {
    if (!kept_) Remove();
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const fs::path& path() const { return path_; }
  void Keep() { kept_ = true; }

 private:
  void Remove() {
    std::error_code ignored;
    fs::remove(path_, ignored);
    for (const char* suffix : kSidecars) fs::remove(Sidecar(path_, suffix), ignored);
  }
  fs::path path_;
  bool kept_ = false;
};

// Opening a WAL database read-only creates its -wal and -shm when they are missing, and cannot remove them
// again: this removes them afterwards when they were not there before and the log is empty (nobody else
// wrote meanwhile), so that reading a backup leaves nothing beside it.
class ReadOnlyTraces {
 public:
  explicit ReadOnlyTraces(fs::path database) : database_(std::move(database)) {
    std::error_code ec;
    had_ = fs::exists(Sidecar(database_, "-wal"), ec) || fs::exists(Sidecar(database_, "-shm"), ec);
  }
  ~ReadOnlyTraces() {
    if (had_) return;
    std::error_code ec;
    const fs::path wal = Sidecar(database_, "-wal");
    if (fs::exists(wal, ec) && fs::file_size(wal, ec) != 0) return;
    fs::remove(wal, ec);
    fs::remove(Sidecar(database_, "-shm"), ec);
  }
  ReadOnlyTraces(const ReadOnlyTraces&) = delete;
  ReadOnlyTraces& operator=(const ReadOnlyTraces&) = delete;

 private:
  fs::path database_;
  bool had_ = false;
};

// Copies the main database of `from` into `to` with the backup API, in one step: the whole copy reads one
// snapshot (in WAL mode writers go on meanwhile, and cannot make it start over). A busy source is tried
// again for a while. Returns the number of attempts.
int Copy(const Connection& from, const Connection& to, const std::string& what) {
  constexpr int kAttempts = 100;
  for (int attempt = 1;; ++attempt) {
    sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
    if (!backup) throw BackupError("cannot copy " + what + ": " + sqlite3_errmsg(to.get()));
    const int step = sqlite3_backup_step(backup, -1);
    const int finish = sqlite3_backup_finish(backup);
    if (step == SQLITE_DONE && finish == SQLITE_OK) return attempt;
    const int status = step == SQLITE_DONE ? finish : step;
    const int primary = status & 0xff;
    if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) && attempt < kAttempts) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    throw BackupError("cannot copy " + what + ": " + sqlite3_errstr(status));
  }
}

// Copies `source` (opened with `source_flags`) to the new file `temporary` as one self-contained file
// (journal mode DELETE, flushed). Returns the attempts the copy took.
int CopyToFile(const fs::path& source, int source_flags, const std::string& what, const fs::path& temporary) {
  Connection from(source, source_flags, what);
  sqlite3_busy_timeout(from.get(), 10000);
  Connection to(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, Quoted(temporary));
  to.Value("PRAGMA synchronous=FULL", "cannot write " + Quoted(temporary));
  const int attempts = Copy(from, to, what);
  // The copy carries the source's WAL mode in its header: a backup is one file, without a log beside it.
  const std::string mode = to.Value("PRAGMA journal_mode=DELETE", "cannot finish the copy of " + what);
  if (mode != "delete") throw BackupError("cannot finish the copy of " + what + ": journal mode " + mode);
  return attempts;
}

// Checks a copy: a Spegla database, intact, with a schema this build understands. Throws BackupError.
DatabaseFileCheck CheckCopy(const fs::path& copy, const std::string& what) {
  DatabaseFileCheck check = CheckDatabaseFile(copy.string());
  if (!check.spegla) throw BackupError(what + " is not a Spegla database (it has no table schema_migrations)");
  if (check.integrity != "ok") throw BackupError(what + " fails its integrity check: " + check.integrity);
  if (check.schema_version < 1) throw BackupError(what + " is not a Spegla database (no schema version)");
  if (check.schema_version > LatestSchemaVersion()) {
    throw BackupError(what + " has schema version " + std::to_string(check.schema_version) +
                      ", newer than this Spegla understands (" + std::to_string(LatestSchemaVersion()) +
                      "); use a newer Spegla");
  }
  return check;
}

// Makes way for a new database file at `target`: refuses when another process has the database there open
// (a running server), and removes SQLite's files beside it, which SQLite would otherwise replay over the new
// file. A file there that is not a database is simply replaced.
void MakeWayFor(const fs::path& target) {
  std::error_code ec;
  if (fs::exists(target, ec)) {
    Connection old(target, SQLITE_OPEN_READWRITE, Quoted(target));
    sqlite3_busy_timeout(old.get(), 0);
    // Leaving WAL mode (which folds the log into the file) and taking the exclusive lock both need every
    // other connection gone: SQLITE_BUSY means someone has the database open.
    std::string error;
    int status = old.Run("PRAGMA journal_mode=DELETE", nullptr, &error);
    if (status == SQLITE_OK) {
      status = old.Run("BEGIN EXCLUSIVE", nullptr, &error);
      if (status == SQLITE_OK) old.Run("ROLLBACK", nullptr, nullptr);
    }
    const int primary = status & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      throw BackupError(Quoted(target) + " is in use by another process (a running spegla serve?); stop it first");
    }
  }
  for (const char* suffix : kSidecars) {
    fs::remove(Sidecar(target, suffix), ec);
    if (ec) throw BackupError("cannot remove " + Quoted(Sidecar(target, suffix)) + ": " + ec.message());
  }
}

// Refusals that need no database opened: a missing source, a target that is a directory or the source
// itself, or that exists without `overwrite`. Returns whether the target exists.
bool CheckPaths(const fs::path& source, const char* source_kind, const fs::path& target, const char* target_kind,
                bool overwrite) {
  std::error_code ec;
  if (!fs::exists(source, ec)) throw BackupError("no " + std::string(source_kind) + " at " + Quoted(source));
  if (!fs::is_regular_file(source, ec)) {
    throw BackupError(Quoted(source) + " is not a file");
  }
  if (target.filename().empty()) throw BackupError(Quoted(target) + " names no file");
  const bool exists = fs::exists(target, ec);
  if (!exists) return false;
  if (fs::is_directory(target, ec)) throw BackupError(Quoted(target) + " is a directory; name a file");
  if (fs::equivalent(source, target, ec)) {
    throw BackupError(Quoted(target) + " is the " + source_kind + " itself");
  }
  if (!overwrite) {
    throw BackupError(std::string("the ") + target_kind + " " + Quoted(target) +
                      " exists already; give --force to replace it");
  }
  return true;
}

}  // namespace

DatabaseFileCheck CheckDatabaseFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw BackupError("no database at " + Quoted(path));
  Connection db(path, SQLITE_OPEN_READONLY, Quoted(path));
  sqlite3_busy_timeout(db.get(), 10000);
  DatabaseFileCheck check;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::string error;
  if (db.Run("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'", &rows,
             &error) != SQLITE_OK) {
    throw BackupError(Quoted(path) + " is not a readable SQLite database: " + error);
  }
  check.spegla = !rows.empty() && rows[0][0].value_or("0") != "0";
  check.pages = Number(db.Value("PRAGMA page_count", "cannot read " + Quoted(path)));
  check.page_size = Number(db.Value("PRAGMA page_size", "cannot read " + Quoted(path)));
  rows.clear();
  if (db.Run("PRAGMA integrity_check(10)", &rows, &error) != SQLITE_OK) {
    check.integrity = error;  // a file too damaged to check at all
  } else {
    for (const auto& row : rows) {
      check.integrity += (check.integrity.empty() ? "" : "; ") + row.at(0).value_or("");
    }
  }
  if (check.spegla) {
    rows.clear();
    if (db.Run("SELECT MAX(version) FROM schema_migrations", &rows, &error) != SQLITE_OK) {
      if (check.integrity == "ok") check.integrity = error;
    } else if (!rows.empty() && rows[0][0]) {
      check.schema_version = static_cast<int>(Number(*rows[0][0]));
    }
  }
  return check;
}

BackupSummary BackupDatabase(const std::string& database, const std::string& destination, bool overwrite) {
  const fs::path source(database), target(destination);
  BackupSummary summary;
  summary.replaced = CheckPaths(source, "database", target, "backup", overwrite);
  std::error_code ec;
  if (target.has_parent_path() && !fs::is_directory(target.parent_path(), ec)) {
    throw BackupError("no directory " + Quoted(target.parent_path()) + " for the backup");
  }
  RemoveStaleTemporaries(target);
  TemporaryFile temporary(TemporaryBeside(target));
  // Read-write, as every Spegla connection: a database left by a crash may need its log recovered first.
  CopyToFile(source, SQLITE_OPEN_READWRITE, "the database " + Quoted(source), temporary.path());
  const DatabaseFileCheck check = CheckCopy(temporary.path(), "the copy of " + Quoted(source));
  if (summary.replaced) MakeWayFor(target);
  if (std::string failed = CommitTemporary(temporary.path(), target); !failed.empty()) throw BackupError(failed);
  temporary.Keep();
  summary.schema_version = check.schema_version;
  summary.pages = check.pages;
  summary.bytes = static_cast<std::int64_t>(fs::file_size(target, ec));
  return summary;
}

BackupSummary RestoreDatabase(const std::string& backup, const std::string& target_path, bool overwrite) {
  const fs::path source(backup), target(target_path);
  BackupSummary summary;
  summary.replaced = CheckPaths(source, "backup", target, "database", overwrite);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw BackupError("cannot create " + Quoted(target.parent_path()) + ": " + ec.message());
  }
  RemoveStaleTemporaries(target);
  TemporaryFile temporary(TemporaryBeside(target));
  const std::string what = "the backup " + Quoted(source);
  {
    ReadOnlyTraces traces(source);
    CopyToFile(source, SQLITE_OPEN_READONLY, what, temporary.path());
  }
  const DatabaseFileCheck check = CheckCopy(temporary.path(), what);
  MakeWayFor(target);
  if (std::string failed = CommitTemporary(temporary.path(), target); !failed.empty()) throw BackupError(failed);
  temporary.Keep();
  summary.schema_version = check.schema_version;
  summary.pages = check.pages;
  summary.bytes = static_cast<std::int64_t>(fs::file_size(target, ec));
  return summary;
}

}  // namespace spegla
