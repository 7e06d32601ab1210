// spegla migrate --from FILE.db --to postgresql://…: moves a whole SQLite database into an empty PostgreSQL
// database. The source is checked (a Spegla database, intact, a schema this build understands) and brought
// to the latest schema; the target must hold no Spegla data. The schema is created there (Migrate), then
// every table's rows are copied, ids kept, in foreign-key order and in one transaction, which also moves
// each identity sequence past the highest id and checks every table's row count before it commits. When
// anything fails, what the command created in the target is removed again: the target is as it was.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "json_output.h"
#include "progress_bar.h"
#include "spegla/backup.h"
#include "spegla/database.h"
#include "spegla/schema.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

// Why the migration did not happen, in one line; the target is as it was.
class Refusal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

// A message on one line: PostgreSQL's come with a DETAIL line and more.
std::string OneLine(std::string text) {
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  std::string out;
  for (char ch : text) {
    if (ch == ' ' && !out.empty() && out.back() == ' ') continue;
    out += ch;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

enum class Kind { kInteger, kReal, kText };

struct Column {
  std::string name;
  Kind kind = Kind::kText;
  bool nullable = false;  // neither NOT NULL nor part of the primary key
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::set<std::string> references;  // the tables its foreign keys point to
  std::int64_t source_rows = 0;      // in the snapshot copied
  std::int64_t copied = 0;
};

// A column's declared SQLite type as the value bound for PostgreSQL (SQLite's own affinity rules).
Kind KindOf(const std::string& table, const std::string& column, std::string declared) {
  for (char& ch : declared) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (declared.find("INT") != std::string::npos) return Kind::kInteger;
  if (declared.find("CHAR") != std::string::npos || declared.find("CLOB") != std::string::npos ||
      declared.find("TEXT") != std::string::npos) {
    return Kind::kText;
  }
  if (declared.find("REAL") != std::string::npos || declared.find("FLOA") != std::string::npos ||
      declared.find("DOUB") != std::string::npos) {
    return Kind::kReal;
  }
  throw Refusal("the column " + table + "." + column + " has the type '" + declared +
                "', which migrate cannot carry over");
}

// The tables of the source (after its Migrate), with their columns and foreign keys, in an order where
// every table comes after the tables it references.
std::vector<Table> SourceTables(Database& source) {
  std::map<std::string, Table> by_name;
  for (const Database::Row& row : source.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name "
                                               "NOT LIKE 'sqlite_%' ORDER BY name")) {
    Table& table = by_name[row.Text(0)];
    table.name = row.Text(0);
  }
  for (auto& [name, table] : by_name) {
    // table_info: cid, name, type, notnull, dflt_value, pk
    for (const Database::Row& row :
         source.Query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", {name})) {
      table.columns.push_back(
          Column{row.Text(0), KindOf(name, row.Text(0), row.Text(1)), row.Int(2) == 0 && row.Int(3) == 0});
    }
    for (const Database::Row& row :
         source.Query("SELECT \"table\" FROM pragma_foreign_key_list(?)", {name})) {
      table.references.insert(row.Text(0));
    }
  }
  std::vector<Table> ordered;
  std::set<std::string> placed;
  while (ordered.size() < by_name.size()) {
    bool progressed = false;
    for (auto& [name, table] : by_name) {
      if (placed.count(name)) continue;
      bool ready = true;
      for (const std::string& referenced : table.references) {
        if (!by_name.count(referenced)) {
          throw Refusal("the table " + name + " references the table " + referenced + ", which is not there");
        }
        ready = ready && placed.count(referenced) && referenced != name;
      }
      if (!ready) continue;
      placed.insert(name);
      ordered.push_back(table);
      progressed = true;
    }
    if (!progressed) throw Refusal("the source's foreign keys form a cycle: no order to copy its tables in");
  }
  return ordered;
}

// The relations (tables, views, sequences...) of the target's current schema.
std::set<std::string> TargetRelations(Database& target) {
  std::set<std::string> names;
  for (const Database::Row& row :
       target.Query("SELECT c.relname FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')")) {
    names.insert(row.Text(0));
  }
  return names;
}

bool TargetHasFunction(Database& target, const std::string& name) {
  return !target
              .Query(
                  "SELECT 1 FROM pg_catalog.pg_proc p "
                  "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                  "WHERE n.nspname = current_schema() AND p.proname = ?",
                  {name})
              .empty();
}

// Refuses a target that holds any of Spegla's tables, except a schema_migrations without rows.
void CheckTargetIsEmpty(Database& target, const std::vector<Table>& tables,
                        const std::set<std::string>& relations) {
  if (relations.count("schema_migrations")) {
    std::vector<Database::Row> version = target.Query("SELECT COUNT(*), MAX(version) FROM schema_migrations");
    if (!version.empty() && version[0].Int(0) > 0) {
      const std::string schema = std::to_string(version[0].Int(1));
      std::int64_t rows = 0;
      for (const Table& table : tables) {
        if (table.name != "schema_migrations" && relations.count(table.name)) {
          rows += target.Query("SELECT COUNT(*) FROM " + Quoted(table.name))[0].Int(0);
        }
      }
      if (rows == 0) {
        throw Refusal(
            "the target already has Spegla's schema (version " + schema +
            ") but no data: left by an interrupted migrate, or by a Spegla that only opened it; drop "
            "its tables or migrate into a new database");
      }
      throw Refusal("the target already holds a Spegla database (schema version " + schema +
                    "); migrate only moves into an empty database");
    }
  }
  std::string present;
  for (const Table& table : tables) {
    if (table.name != "schema_migrations" && relations.count(table.name)) {
      present += (present.empty() ? "" : ", ") + table.name;
    }
  }
  if (!present.empty()) {
    throw Refusal("the target already has tables of Spegla's (" + present +
                  "); migrate only moves into an empty database");
  }
  if (TargetHasFunction(target, "audit_log_append_only")) {
    throw Refusal(
        "the target already has Spegla's function audit_log_append_only; migrate only moves into an "
        "empty database");
  }
}

std::int64_t WholeNumber(std::string_view text, const Table& table, const Column& column) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("the value '" + std::string(text.substr(0, 40)) + "' in " + table.name + "." +
                             column.name + " is not a whole number");
  }
  return value;
}

double RealNumber(std::string_view text, const Table& table, const Column& column) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("the value '" + std::string(text.substr(0, 40)) + "' in " + table.name + "." +
                             column.name + " is not a number");
  }
  return value;
}

// Rows per INSERT, and the most text one INSERT carries (documents are large).
constexpr size_t kRowsPerInsert = 100;
constexpr size_t kBytesPerInsert = 4 << 20;

// Copies one table's rows, streamed from the source, in multi-row INSERTs. Each value is bound with its
// column's type. A column that may be NULL is bound as a flag and a value (`CASE WHEN ? = 1 THEN NULL ELSE ?
// END`), so that the parameters' types do not change with the NULLs in a batch: every full batch of a table
// is then the one statement, prepared once, rather than a new one for almost every batch.
void CopyTable(Database& source, Database& target, Table& table,
               const std::function<void(std::int64_t)>& copied) {
  std::string columns, selected, one_row;
  for (const Column& column : table.columns) {
    const std::string name = Quoted(column.name);
    columns += (columns.empty() ? "" : ", ") + name;
    // A REAL as text with every digit it has (SQLite's own text of it keeps 15).
    selected +=
        (selected.empty() ? "" : ", ") +
        (column.kind == Kind::kReal ? "CASE WHEN typeof(" + name + ") = 'real' THEN printf('%.17g', " + name +
                                          ") ELSE " + name + " END"
                                    : name);
    one_row += one_row.empty() ? "(" : ", ";
    one_row += column.nullable ? "CASE WHEN ? = 1 THEN NULL ELSE ? END" : "?";
  }
  one_row += ")";
  const std::string insert = "INSERT INTO " + Quoted(table.name) + " (" + columns + ") VALUES ";

  std::vector<Database::Param> params;
  size_t rows = 0, bytes = 0;
  auto flush = [&] {
    if (rows == 0) return;
    std::string sql = insert;
    for (size_t r = 0; r < rows; ++r) sql += r ? ", " + one_row : one_row;
    try {
      target.Execute(sql, params);
    } catch (const DatabaseError& e) {
      // PostgreSQL's reason (with its DETAIL: the key, the value) without the long statement after it.
      std::string reason = e.what();
      if (const size_t statement = reason.rfind(" [" + insert); statement != std::string::npos) {
        reason.erase(statement);
      }
      if (reason.rfind("ERROR:", 0) == 0) reason.erase(0, reason.find_first_not_of(' ', 6));
      throw std::runtime_error("copying rows " + std::to_string(table.copied + 1) + " to " +
                               std::to_string(table.copied + static_cast<std::int64_t>(rows)) + " of " +
                               table.name + ": " + reason);
    }
    table.copied += static_cast<std::int64_t>(rows);
    copied(static_cast<std::int64_t>(rows));
    params.clear();
    rows = bytes = 0;
  };
  Database::Cursor cursor = source.Stream("SELECT " + selected + " FROM " + Quoted(table.name));
  while (cursor.Next()) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const Column& column = table.columns[c];
      const bool null = cursor.IsNull(c);
      if (column.nullable) params.emplace_back(std::int64_t{null ? 1 : 0});
      if (null && !column.nullable) {
        params.emplace_back(nullptr);  // PostgreSQL refuses it, as it should
        continue;
      }
      const std::string_view text = null ? std::string_view() : cursor.Text(c);
      bytes += text.size();
      switch (column.kind) {
        case Kind::kInteger:
          params.emplace_back(null ? 0 : WholeNumber(text, table, column));
          break;
        case Kind::kReal:
          params.emplace_back(null ? 0.0 : RealNumber(text, table, column));
          break;
        case Kind::kText:
          params.emplace_back(std::string(text));
          break;
      }
    }
    if (++rows >= kRowsPerInsert || bytes >= kBytesPerInsert) flush();
  }
  flush();
}

// The columns of the target's tables that number themselves (identity columns), as (table, column).
std::vector<std::pair<std::string, std::string>> IdentityColumns(Database& target,
                                                                 const std::vector<Table>& tables) {
  std::set<std::string> ours;
  for (const Table& table : tables) ours.insert(table.name);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Database::Row& row :
       target.Query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND is_identity = 'YES' ORDER BY table_name")) {
    if (ours.count(row.Text(0))) out.emplace_back(row.Text(0), row.Text(1));
  }
  return out;
}

struct Summary {
  std::vector<Table> tables;
  std::int64_t rows = 0;
  int schema_version = 0;
  double seconds = 0;
  std::string templates;  // the templates folder beside the source, when there is one
};

// Takes what this run created in the target away again: the tables of Spegla's that were not there
// before, the trigger function, and the rows of a schema_migrations that was there (empty) before.
void Undo(Database& target, const std::vector<Table>& tables, const std::set<std::string>& before,
          bool function_before) {
  target.InTransaction([&] {
    const std::set<std::string> now = TargetRelations(target);
    std::string created;
    for (const Table& table : tables) {
      if (now.count(table.name) && !before.count(table.name))
        created += (created.empty() ? "" : ", ") + Quoted(table.name);
    }
    if (!created.empty()) target.Execute("DROP TABLE " + created + " CASCADE");
    if (!function_before) target.Execute("DROP FUNCTION IF EXISTS audit_log_append_only()");
    if (before.count("schema_migrations") && now.count("schema_migrations")) {
      target.Execute("DELETE FROM schema_migrations");
    }
  });
}

Summary MoveDatabase(const Context& c, const std::string& from, const std::string& to) {
  const auto started = std::chrono::steady_clock::now();
  if (Database::IsPostgresqlTarget(from)) {
    throw Refusal("the source must be an SQLite file; '" + Database::Redacted(from) +
                  "' is a PostgreSQL database");
  }
  if (!Database::IsPostgresqlTarget(to)) {
    throw Refusal("the target must be a PostgreSQL database (postgresql://USER@HOST:PORT/DATABASE), not '" +
                  to + "'");
  }
  std::error_code ec;
  if (!fs::exists(from, ec)) throw Refusal("no database at '" + from + "'");
  if (!fs::is_regular_file(from, ec)) throw Refusal("'" + from + "' is not a file");
  // Read-only, before anything opens it for writing: a file that is not Spegla's is left as it is.
  DatabaseFileCheck check;
  try {
    check = CheckDatabaseFile(from);
  } catch (const BackupError& e) {
    throw Refusal(e.what());
  }
  if (!check.spegla || check.schema_version < 1) {
    throw Refusal("'" + from + "' is not a Spegla database (it has no schema version)");
  }
  if (check.integrity != "ok") throw Refusal("'" + from + "' fails its integrity check: " + check.integrity);
  if (check.schema_version > LatestSchemaVersion()) {
    throw Refusal("'" + from + "' has schema version " + std::to_string(check.schema_version) +
                  ", newer than this Spegla understands (" + std::to_string(LatestSchemaVersion()) +
                  "); use a newer Spegla");
  }

  std::unique_ptr<Database> source, target;
  Summary summary;
  summary.schema_version = LatestSchemaVersion();
  try {
    source = Database::Open(from);
    Migrate(*source);
    summary.tables = SourceTables(*source);
  } catch (const DatabaseError& e) {
    throw Refusal(std::string("the source: ") + e.what());
  }
  try {
    target = Database::Open(to);
  } catch (const DatabaseError& e) {
    throw Refusal(e.what());
  }
  if (target->dialect().name != "postgresql") throw Refusal("the target is not a PostgreSQL database");
  std::set<std::string> before;
  bool function_before = false;
  try {
    before = TargetRelations(*target);
    function_before = TargetHasFunction(*target, "audit_log_append_only");
    CheckTargetIsEmpty(*target, summary.tables, before);
  } catch (const DatabaseError& e) {
    throw Refusal(std::string("the target: ") + e.what());
  }

  try {
    Migrate(*target);
    if (SchemaVersion(*target) != summary.schema_version) {
      throw std::runtime_error("the target's schema version is not " +
                               std::to_string(summary.schema_version));
    }
    const std::set<std::string> relations = TargetRelations(*target);
    for (const Table& table : summary.tables) {
      if (!relations.count(table.name)) {
        throw std::runtime_error("the source's table " + table.name + " is not part of Spegla's schema");
      }
    }
    const bool progress = c.env.progress && !c.json();
    source->InReadTransaction([&] {
      std::int64_t total = 0, done = 0;
      for (Table& table : summary.tables) {
        table.source_rows = source->Query("SELECT COUNT(*) FROM " + Quoted(table.name))[0].Int(0);
        total += table.source_rows;
      }
      target->InTransaction([&] {
        // Migrate recorded its own versions; the source's history of them replaces that.
        target->Execute("DELETE FROM schema_migrations");
        for (Table& table : summary.tables) {
          CopyTable(*source, *target, table, [&](std::int64_t rows) {
            done += rows;
            if (progress) DrawProgress(c.err, "rows", static_cast<size_t>(done), static_cast<size_t>(total));
          });
        }
        for (const auto& [table, column] : IdentityColumns(*target, summary.tables)) {
          // The next id is one past the highest copied (1 for an empty table).
          target->Query("SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX(" + Quoted(column) +
                            "), 0) + 1, false) FROM " + Quoted(table),
                        {Quoted(table), column});
        }
        for (const Table& table : summary.tables) {
          const std::int64_t there = target->Query("SELECT COUNT(*) FROM " + Quoted(table.name))[0].Int(0);
          if (there != table.source_rows || table.copied != table.source_rows) {
            throw std::runtime_error("the table " + table.name + " has " + std::to_string(there) +
                                     " rows in the target after copying " + std::to_string(table.copied) +
                                     " of the source's " + std::to_string(table.source_rows));
          }
        }
      });
    });
  } catch (const std::exception& e) {
    std::string message = std::string("nothing was migrated: ") + e.what();
    try {
      Undo(*target, summary.tables, before, function_before);
    } catch (const std::exception& undo) {
      message += "; and removing the schema created in the target failed too (" + std::string(undo.what()) +
                 "): drop Spegla's tables there by hand";
    }
    throw Refusal(message);
  }
  for (const Table& table : summary.tables) summary.rows += table.copied;
  // `spegla serve` keeps the templates beside an SQLite database; they do not travel with the rows.
  const fs::path templates = fs::path(from).parent_path() / "templates";
  if (fs::is_directory(templates, ec)) summary.templates = templates.string();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

int MigrateCommand(Context& c) {
  const std::string from = c.args.GetOr("from", "");
  const std::string to = c.args.GetOr("to", "");
  if (from.empty() || to.empty()) return c.Usage("migrate: --from FILE and --to postgresql://… are required");
  try {
    const Summary summary = MoveDatabase(c, from, to);
    if (c.json()) {
      std::vector<std::pair<std::string, std::int64_t>> tables;
      for (const Table& table : summary.tables) tables.emplace_back(table.name, table.copied);
      c.out << MigrateJson(from, Database::Redacted(to), summary.schema_version, tables, summary.rows,
                           summary.seconds, summary.templates)
            << "\n";
      return kExitOk;
    }
    size_t width = 5;
    for (const Table& table : summary.tables) width = std::max(width, table.name.size());
    c.out << "Migrated " << from << " to " << Database::Redacted(to) << " (schema version "
          << summary.schema_version << "):\n";
    auto line = [&](const std::string& name, std::int64_t rows) {
      char text[64];
      std::snprintf(text, sizeof text, "%10lld", static_cast<long long>(rows));
      c.out << "  " << name << std::string(width - name.size(), ' ') << text << "\n";
    };
    for (const Table& table : summary.tables) line(table.name, table.copied);
    line("total", summary.rows);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", summary.seconds);
    c.out << summary.rows << " rows in " << summary.tables.size() << " tables in " << seconds
          << " s; every table's row count checked in the target\n";
    if (!summary.templates.empty()) {
      c.out << "note: the Word templates in " << summary.templates
            << " are files, not rows: copy them to the templates folder of the servers on PostgreSQL\n";
    }
    return kExitOk;
  } catch (const Refusal& e) {
    if (c.json()) {
      c.out << ErrorJson(Error::Of(ErrorCode::kRefused, OneLine(e.what()))) << "\n";
    } else {
      c.err << "spegla migrate: " << OneLine(e.what()) << "\n";
    }
    return kExitFailure;
  }
}

}  // namespace

void AddMigrateCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"migrate",
                             "--from FILE.db --to postgresql://USER@HOST:PORT/DATABASE",
                             "move an SQLite database into an empty PostgreSQL database, every row checked",
                             {},
                             {"from", "to"},
                             0,
                             0,
                             MigrateCommand});
}

}  // namespace spegla::cli
