// Copies of a Spegla database (SQLite): an online backup taken with SQLite's backup API while `spegla
// serve` keeps writing, and the restore of such a copy. Both write under a temporary name beside their
// target (atomic_file.h), check the copy (PRAGMA integrity_check, the schema version) and only then rename
// it into place: a failure or a kill at any moment leaves the old file or the new one, never half of one.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace spegla {

// Why a backup or restore did not happen, in one line (a missing file, a refused overwrite, a copy that
// failed its check). Nothing was changed at the target.
class BackupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a database file holds, as far as a backup or a restore cares.
struct DatabaseFileCheck {
  bool spegla = false;      // it has the table schema_migrations
  int schema_version = 0;   // the highest version in schema_migrations (0 when none)
  std::string integrity;    // "ok", or the problems PRAGMA integrity_check reported (the first few)
  std::int64_t pages = 0;
  std::int64_t page_size = 0;
  bool ok() const { return spegla && integrity == "ok"; }
};

// Opens the SQLite file at `path` read-only (it must exist: it is never created), runs PRAGMA
// integrity_check and reads the schema version. Throws BackupError when the file cannot be opened or is
// not an SQLite database.
DatabaseFileCheck CheckDatabaseFile(const std::string& path);

struct BackupSummary {
  int schema_version = 0;
  std::int64_t pages = 0;
  std::int64_t bytes = 0;  // the size of the copy
  bool replaced = false;   // an existing file at the target was replaced
};

// Copies the database at `database` to `destination`: one consistent snapshot, taken with SQLite's backup
// API while other connections (a running server) go on reading and writing. The copy is one
// self-contained file (journal mode DELETE; the server turns WAL on again when it opens it). It is written
// to a temporary beside `destination`, checked (integrity ok, a Spegla schema no newer than this build's)
// and renamed into place. An existing `destination` is refused unless `overwrite`, and never the database
// itself nor a database in use. Throws BackupError; then `destination` is as it was.
BackupSummary BackupDatabase(const std::string& database, const std::string& destination, bool overwrite);

// Restores the copy at `backup` as the database at `target`: the copy must be a Spegla database whose
// integrity check passes and whose schema version is not newer than this build's. It is copied (SQLite's
// backup API) to a temporary beside `target`, checked again and renamed into place; a stale -wal, -shm or
// -journal of the old target is removed first, so that SQLite cannot replay it over the restored file.
// An existing `target` is refused unless `overwrite`, and always while another process has it open (a
// running server). Throws BackupError; then `target` is as it was.
BackupSummary RestoreDatabase(const std::string& backup, const std::string& target, bool overwrite);

}  // namespace spegla
