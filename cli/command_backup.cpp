// spegla backup / spegla restore: an online copy of the database (SQLite's backup API, while `spegla serve`
// keeps running) and its restore (engine/include/spegla/backup.h). Both print what they did in one line, or
// why not in one line with exit code 1.
#include <cstdio>

#include "commands.h"
#include "json_output.h"
#include "spegla/backup.h"
#include "spegla/database.h"

namespace spegla::cli {
namespace {

std::string Size(std::int64_t bytes) {
  char text[32];
  if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return text;
}

int Report(const Context& c, const std::string& done, const BackupSummary& summary) {
  if (c.json()) {
    c.out << OkJson({{"schema_version", summary.schema_version},
                     {"pages", summary.pages},
                     {"bytes", summary.bytes},
                     {"replaced", summary.replaced ? 1 : 0}})
          << "\n";
  } else {
    c.out << done << " (schema version " << summary.schema_version << ", " << summary.pages << " pages, "
          << Size(summary.bytes) << "; integrity check ok" << (summary.replaced ? "; replaced the file there" : "")
          << ")\n";
  }
  return kExitOk;
}

int Refuse(const Context& c, const std::string& command, const std::string& message) {
  if (c.json()) {
    c.out << ErrorJson(Error::Of(ErrorCode::kRefused, message)) << "\n";
  } else {
    c.err << "spegla " << command << ": " << message << "\n";
  }
  return kExitFailure;
}

int Backup(Context& c) {
  std::optional<std::string> output = c.args.Get("output");
  if (!output || output->empty()) return c.Usage("backup: -o FILE is required");
  const std::string database = c.db_path();
  if (Database::IsPostgresqlTarget(database)) {
    return Refuse(c, "backup", "the database is PostgreSQL: back it up with pg_dump (docs/deployment.md)");
  }
  try {
    BackupSummary summary = BackupDatabase(database, *output, c.args.Has("force"));
    return Report(c, "Backed up " + database + " to " + *output, summary);
  } catch (const BackupError& e) {
    return Refuse(c, "backup", e.what());
  }
}

int Restore(Context& c) {
  const std::string& backup = c.args.positional()[0];
  const std::string database = c.db_path();
  if (Database::IsPostgresqlTarget(database)) {
    return Refuse(c, "restore", "the database is PostgreSQL: restore it with pg_restore (docs/deployment.md)");
  }
  try {
    BackupSummary summary = RestoreDatabase(backup, database, c.args.Has("force"));
    return Report(c, "Restored " + backup + " to " + database, summary);
  } catch (const BackupError& e) {
    return Refuse(c, "restore", e.what());
  }
}

}  // namespace

void AddBackupCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"backup",
                             "-o FILE [--force]",
                             "copy the database to FILE, also while the server runs; checked",
                             {"force"},
                             {"output"},
                             0,
                             0,
                             Backup});
  commands.push_back(Command{"restore",
                             "FILE [--force]",
                             "restore a backup FILE as the database (the server stopped); checked",
                             {"force"},
                             {},
                             1,
                             1,
                             Restore});
}

}  // namespace spegla::cli
