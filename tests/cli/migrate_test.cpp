// `spegla migrate --from FILE.db --to postgresql://…` through the real binary, against the throwaway
// PostgreSQL cluster (postgresql.MigrateTest.*; skipped without it): a demo database moved whole — every
// table row for row, the same exports and JSON views from both, and the moved database written to with ids
// that continue; and the refusals, each leaving the target as it was: a target with Spegla data in it, a
// source that is missing or no Spegla database, and a copy that fails midway on a row PostgreSQL refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "../engine/engine_test_support.h"
#include "../support/child_process.h"
#include "../support/test_database.h"
#include "spegla/database.h"
#include "spegla/schema.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

#define SKIP_WITHOUT_POSTGRESQL() \
  if (!OnPostgresql()) GTEST_SKIP() << "needs the PostgreSQL cluster (postgresql.MigrateTest.*)"

using Ran = SpeglaRun;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Statements on an SQLite file through SQLite itself, foreign keys not enforced (as SQLite's default).
void Sql(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Every table of a database (SQLite file or PostgreSQL URL), named as the SQLite file names them: each row
// as its values' text with NULL told apart, the rows sorted (so that the two orders of rows compare).
using Tables = std::map<std::string, std::vector<std::string>>;
Tables ReadTables(const std::string& target, const std::vector<std::string>& names) {
  std::unique_ptr<Database> db = Database::Open(target);
  Tables tables;
  for (const std::string& name : names) {
    std::vector<std::string>& rows = tables[name];
    for (const Database::Row& row : db->Query("SELECT * FROM \"" + name + "\"")) {
      std::string text;
      for (size_t c = 0; c < row.size(); ++c) text += (row.IsNull(c) ? "\x01" : row.Text(c)) + "\x1f";
      rows.push_back(std::move(text));
    }
    std::sort(rows.begin(), rows.end());
  }
  return tables;
}

std::vector<std::string> SqliteTableNames(const fs::path& path) {
  std::unique_ptr<Database> db = Database::Open(path.string());
  std::vector<std::string> names;
  for (const Database::Row& row : db->Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name "
                                            "NOT LIKE 'sqlite_%' ORDER BY name")) {
    names.push_back(row.Text(0));
  }
  return names;
}

std::string Counts(const Tables& tables) {
  std::string out;
  for (const auto& [name, rows] : tables) out += name + "=" + std::to_string(rows.size()) + " ";
  return out;
}

// Everything in the PostgreSQL database's own schema (tables, sequences, indexes, views) and its functions;
// but the sequence spegla_changes, which opening any database makes (engine/src/postgresql_backend.cpp).
std::vector<std::string> PostgresqlObjects(const std::string& url) {
  std::unique_ptr<Database> db = Database::Open(url);
  std::vector<std::string> names;
  for (const Database::Row& row : db->Query("SELECT c.relname FROM pg_catalog.pg_class c JOIN "
                                            "pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                            "WHERE n.nspname = current_schema() AND c.relname <> 'spegla_changes' "
                                            "ORDER BY c.relname")) {
    names.push_back(row.Text(0));
  }
  for (const Database::Row& row : db->Query("SELECT p.proname FROM pg_catalog.pg_proc p JOIN "
                                            "pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                                            "WHERE n.nspname = current_schema() ORDER BY p.proname")) {
    names.push_back("function " + row.Text(0));
  }
  return names;
}

std::int64_t Number(const std::string& target, const std::string& sql) {
  std::unique_ptr<Database> db = Database::Open(target);
  return db->Query(sql).at(0).Int(0);
}

class MigrateTest : public ::testing::Test {
 protected:
  Ran Spegla(const std::vector<std::string>& args) { return RunSpegla(args, dir_.path()); }
  fs::path Path(const std::string& name) const { return dir_.path() / name; }

  void MakeDemo(const std::string& name, const std::string& instances, bool documents) {
    std::vector<std::string> args = {"demo", "--db", name, "--instances", instances};
    if (!documents) args.push_back("--no-documents");
    Ran demo = Spegla(args);
    ASSERT_EQ(demo.status, 0) << demo.err;
  }

  // The one line of a refusal: exit code 1, nothing on standard output, one line on standard error.
  static void ExpectOneLineRefusal(const Ran& ran, const std::string& text) {
    EXPECT_EQ(ran.status, 1) << ran.out << ran.err;
    EXPECT_EQ(ran.out, "");
    EXPECT_THAT(ran.err, HasSubstr("spegla migrate: " + text));
    EXPECT_EQ(std::count(ran.err.begin(), ran.err.end(), '\n'), 1) << ran.err;
  }

  ScratchDir dir_{"spegla-migrate"};
};

TEST_F(MigrateTest, ADemoDatabaseMovesWholeAndReadsTheSameOnPostgresql) {
  SKIP_WITHOUT_POSTGRESQL();
  MakeDemo("source.db", "20", /*documents=*/true);
  const std::string target = TestDatabase("unused.db");
  const std::vector<std::string> names = SqliteTableNames(Path("source.db"));
  const Tables source_tables = ReadTables(Path("source.db").string(), names);
  ASSERT_GE(source_tables.at("instances").size(), 20u);
  ASSERT_GT(source_tables.at("documents").size(), 0u);

  Ran moved = Spegla({"migrate", "--from", "source.db", "--to", target, "--json"});
  ASSERT_EQ(moved.status, 0) << moved.out << moved.err;
  const json::object summary = json::parse(moved.out).as_object();
  EXPECT_EQ(summary.at("ok"), true);
  EXPECT_EQ(std::string(summary.at("from").as_string()), "source.db");
  EXPECT_EQ(std::string(summary.at("to").as_string()), target);
  EXPECT_EQ(summary.at("schema_version").as_int64(), LatestSchemaVersion());
  EXPECT_GE(summary.at("seconds").to_number<double>(), 0.0);

  // The summary names every table once, in an order where each comes after the tables it references,
  // with the source's row counts.
  std::map<std::string, std::int64_t> reported;
  std::vector<std::string> order;
  std::int64_t total = 0;
  for (const json::value& t : summary.at("tables").as_array()) {
    const std::string name(t.at("name").as_string());
    reported[name] = t.at("rows").as_int64();
    order.push_back(name);
    total += t.at("rows").as_int64();
  }
  EXPECT_EQ(summary.at("rows").as_int64(), total);
  ASSERT_EQ(reported.size(), names.size());
  for (const auto& [name, rows] : source_tables) {
    EXPECT_EQ(reported[name], static_cast<std::int64_t>(rows.size())) << name;
  }
  auto position = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  EXPECT_LT(position("municipalities"), position("units"));
  EXPECT_LT(position("units"), position("instances"));
  EXPECT_LT(position("workflow_definitions"), position("instances"));
  EXPECT_LT(position("instances"), position("field_values"));
  EXPECT_LT(position("comments"), position("comment_mentions"));

  // Row for row the same, in every table (ids, texts, NULLs, the base64 documents).
  const Tables moved_tables = ReadTables(target, names);
  EXPECT_EQ(Counts(moved_tables), Counts(source_tables));
  for (const auto& [name, rows] : source_tables) EXPECT_TRUE(moved_tables.at(name) == rows) << name;
  EXPECT_EQ(Number(target, "SELECT MAX(version) FROM schema_migrations"), LatestSchemaVersion());

  // What the CLI shows of both is the same, byte for byte: every sheet of the export as CSV; the JSON views
  // of the organisation, the workflows, the tasks, the instances and each instance with its audit log; the
  // documents listed for each instance that has some.
  Ran sheets = Spegla({"export", "-o", "all.xlsx", "--json", "--db", "source.db"});
  ASSERT_EQ(sheets.status, 0) << sheets.err;
  const json::value exported = json::parse(sheets.out);
  const json::array& sheet_list = exported.at("sheets").as_array();
  ASSERT_GE(sheet_list.size(), 5u);
  std::vector<std::vector<std::string>> views = {{"org", "list", "--json"},
                                                 {"workflows", "--json"},
                                                 {"tasks", "--json"},
                                                 {"instance", "list", "--limit", "100000", "--json"}};
  for (const json::value& s : sheet_list) {
    views.push_back(
        {"export", "--format", "csv", "--sheet", std::string(s.at("name").as_string()), "-o", "OUT"});
  }
  const json::value listed =
      json::parse(Spegla({"instance", "list", "--limit", "100000", "--json", "--db", "source.db"}).out);
  for (const json::value& row : listed.as_array()) {
    const std::string id = std::to_string(row.at("id").to_number<std::int64_t>());
    views.push_back({"instance", "show", id, "--json"});
    views.push_back({"instance", "log", id, "--json"});
  }
  for (const Database::Row& row :
       Database::Open(Path("source.db").string())
           ->Query("SELECT DISTINCT instance_id FROM documents ORDER BY instance_id")) {
    views.push_back({"instance", "documents", row.Text(0)});
  }
  size_t compared = 0;
  for (std::vector<std::string> view : views) {
    std::string shown[2];
    for (int side = 0; side < 2; ++side) {
      std::vector<std::string> args = view;
      const std::string file = "view-" + std::to_string(side) + ".out";
      std::replace(args.begin(), args.end(), std::string("OUT"), file);
      args.insert(args.end(), {"--db", side == 0 ? "source.db" : target});
      Ran ran = Spegla(args);
      ASSERT_EQ(ran.status, 0) << view[0] << " " << view[1] << ": " << ran.err;
      shown[side] = view[0] == "export" ? ReadFile(Path(file)) : ran.out;
    }
    EXPECT_GT(shown[0].size(), 10u) << view[0] << " " << view[1];
    EXPECT_TRUE(shown[0] == shown[1]) << view[0] << " " << view[1] << " " << view[2] << " differs:\n"
                                      << shown[0].substr(0, 2000) << "\n---\n"
                                      << shown[1].substr(0, 2000);
    ++compared;
  }
  EXPECT_GT(compared, 2 * source_tables.at("instances").size());

  // A stored document comes back with the same bytes.
  std::unique_ptr<Database> sqlite = Database::Open(Path("source.db").string());
  const Database::Row document =
      sqlite->Query("SELECT instance_id, document_id FROM documents ORDER BY id LIMIT 1").at(0);
  const std::string instance_with_document = document.Text(0), document_id = document.Text(1);
  sqlite.reset();
  ASSERT_EQ(Spegla({"instance", "document", instance_with_document, document_id, "-o", "a.docx", "--db",
                    "source.db"})
                .status,
            0);
  ASSERT_EQ(
      Spegla({"instance", "document", instance_with_document, document_id, "-o", "b.docx", "--db", target})
          .status,
      0);
  EXPECT_GT(ReadFile(Path("a.docx")).size(), 1000u);
  EXPECT_TRUE(ReadFile(Path("a.docx")) == ReadFile(Path("b.docx")));

  // Writing to the moved database: new ids continue after the highest copied, none is taken twice.
  const std::int64_t max_municipality = Number(target, "SELECT MAX(id) FROM municipalities");
  const std::int64_t max_instance = Number(target, "SELECT MAX(id) FROM instances");
  const std::int64_t max_audit = Number(target, "SELECT MAX(id) FROM audit_log");
  Ran municipality = Spegla({"org", "municipality", "add", "Flyttby", "--json", "--db", target});
  ASSERT_EQ(municipality.status, 0) << municipality.err;
  EXPECT_EQ(json::parse(municipality.out).at("id").to_number<std::int64_t>(), max_municipality + 1);
  Ran unit = Spegla(
      {"org", "unit", "add", std::to_string(max_municipality + 1), "Flyttskolan", "--json", "--db", target});
  ASSERT_EQ(unit.status, 0) << unit.err;
  const std::string unit_id = std::to_string(json::parse(unit.out).at("id").to_number<std::int64_t>());
  Ran created = Spegla({"instance", "create", "ku8-larande-besok", "--unit", unit_id, "--title",
                        "Efter flytten", "--json", "--db", target});
  ASSERT_EQ(created.status, 0) << created.err;
  const std::int64_t new_instance = json::parse(created.out).at("id").to_number<std::int64_t>();
  EXPECT_EQ(new_instance, max_instance + 1);
  const std::int64_t max_user = Number(target, "SELECT MAX(id) FROM users");
  Ran user = Spegla({"org", "user", "add", "flytt.rektor", "Flytt Rektor", "--municipality",
                     std::to_string(max_municipality + 1), "--json", "--db", target});
  ASSERT_EQ(user.status, 0) << user.err;
  EXPECT_EQ(json::parse(user.out).at("id").to_number<std::int64_t>(), max_user + 1);
  ASSERT_EQ(
      Spegla({"instance", "assign", std::to_string(new_instance), "rektor", "flytt.rektor", "--db", target})
          .status,
      0);
  Ran written = Spegla({"instance", "set", std::to_string(new_instance), "ansokan.enhet", "Flyttskolan",
                        "--as", "flytt.rektor", "--db", target});
  ASSERT_EQ(written.status, 0) << written.err;
  EXPECT_GT(
      Number(target, "SELECT MIN(id) FROM audit_log WHERE instance_id = " + std::to_string(new_instance)),
      max_audit);
  EXPECT_EQ(Number(target, "SELECT COUNT(*) - COUNT(DISTINCT id) FROM audit_log"), 0);
  Ran log = Spegla({"instance", "log", std::to_string(new_instance), "--db", target});
  ASSERT_EQ(log.status, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("Flyttskolan"));
  // The source is untouched by all of it.
  EXPECT_TRUE(ReadTables(Path("source.db").string(), names) == source_tables);
}

TEST_F(MigrateTest, ATargetWithSpeglaDataInItIsRefusedAndLeftAsItWas) {
  SKIP_WITHOUT_POSTGRESQL();
  MakeDemo("source.db", "3", /*documents=*/false);
  const std::string target = TestDatabase("unused.db");
  const std::vector<std::string> names = SqliteTableNames(Path("source.db"));

  // The first move prints its summary: a line per table, the total and the time.
  Ran first = Spegla({"migrate", "--from", "source.db", "--to", target});
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("Migrated source.db to " + target + " (schema version " +
                                   std::to_string(LatestSchemaVersion()) + "):\n"));
  const Tables source_tables = ReadTables(Path("source.db").string(), names);
  for (const auto& [name, rows] : source_tables) {
    EXPECT_THAT(first.out,
                MatchesRegex("(.|\n)*\n  " + name + " +" + std::to_string(rows.size()) + "\n(.|\n)*"))
        << name;
  }
  EXPECT_THAT(first.out,
              MatchesRegex("(.|\n)*\n  total +[0-9]+\n[0-9]+ rows in " + std::to_string(names.size()) +
                           " tables in [0-9]+\\.[0-9] s; every table's row count checked in the "
                           "target\n"));
  const Tables before = ReadTables(target, names);
  const std::vector<std::string> objects = PostgresqlObjects(target);

  // Again into the same database, as text and as JSON: refused, nothing changed.
  ExpectOneLineRefusal(Spegla({"migrate", "--from", "source.db", "--to", target}),
                       "the target already holds a Spegla database (schema version " +
                           std::to_string(LatestSchemaVersion()) +
                           "); migrate only moves into an empty database");
  Ran as_json = Spegla({"migrate", "--from", "source.db", "--to", target, "--json"});
  EXPECT_EQ(as_json.status, 1);
  const json::value refusal = json::parse(as_json.out);
  EXPECT_EQ(refusal.at("ok"), false);
  EXPECT_EQ(refusal.at("error"), "refused");
  EXPECT_THAT(std::string(refusal.at("issues").at(0).at("message").as_string()),
              HasSubstr("already holds a Spegla database"));
  EXPECT_TRUE(ReadTables(target, names) == before);
  EXPECT_EQ(PostgresqlObjects(target), objects);

  // A database with one of Spegla's tables but no schema version is no empty target either.
  const std::string other = TestDatabase("unused.db");
  Database::Open(other)->Execute("CREATE TABLE municipalities (id BIGINT, name TEXT)");
  Database::Open(other)->Execute("INSERT INTO municipalities VALUES (1, 'Redan här')");
  ExpectOneLineRefusal(
      Spegla({"migrate", "--from", "source.db", "--to", other}),
      "the target already has tables of Spegla's (municipalities); migrate only moves into an "
      "empty database");
  EXPECT_EQ(PostgresqlObjects(other), std::vector<std::string>{"municipalities"});
  EXPECT_EQ(Number(other, "SELECT COUNT(*) FROM municipalities"), 1);

  // Nor one where a Spegla only opened the database (its schema, no data), as an interrupted migrate leaves
  // it.
  const std::string opened = TestDatabase("unused.db");
  ASSERT_EQ(Spegla({"org", "list", "--db", opened}).status, 0);
  const std::vector<std::string> opened_objects = PostgresqlObjects(opened);
  ExpectOneLineRefusal(
      Spegla({"migrate", "--from", "source.db", "--to", opened}),
      "the target already has Spegla's schema (version " + std::to_string(LatestSchemaVersion()) +
          ") but no data: left by an interrupted migrate, or by a Spegla that only opened it; "
          "drop its tables or migrate into a new database");
  EXPECT_EQ(PostgresqlObjects(opened), opened_objects);
  EXPECT_EQ(Number(opened, "SELECT COUNT(*) FROM municipalities"), 0);
}

TEST_F(MigrateTest, ASourceThatIsNoSpeglaDatabaseIsRefusedWithNothingCreated) {
  SKIP_WITHOUT_POSTGRESQL();
  const std::string target = TestDatabase("unused.db");

  ExpectOneLineRefusal(Spegla({"migrate", "--from", "missing.db", "--to", target}),
                       "no database at 'missing.db'");
  EXPECT_FALSE(fs::exists(Path("missing.db")));

  std::ofstream(Path("notes.db")) << "Inte en databas, bara anteckningar från planeringsmötet.\n";
  ExpectOneLineRefusal(Spegla({"migrate", "--from", "notes.db", "--to", target}),
                       "'notes.db' is not a readable SQLite database: file is not a database");

  Sql(Path("other.db"), "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  const std::string other = ReadFile(Path("other.db"));
  ExpectOneLineRefusal(Spegla({"migrate", "--from", "other.db", "--to", target}),
                       "'other.db' is not a Spegla database");
  EXPECT_EQ(ReadFile(Path("other.db")), other);  // not even opened for writing

  ExpectOneLineRefusal(Spegla({"migrate", "--from", target, "--to", target}),
                       "the source must be an SQLite file");
  ExpectOneLineRefusal(Spegla({"migrate", "--from", "other.db", "--to", "copy.db"}),
                       "the target must be a PostgreSQL database");
  EXPECT_FALSE(fs::exists(Path("copy.db")));
  Ran usage = Spegla({"migrate", "--to", target});
  EXPECT_EQ(usage.status, 2);
  EXPECT_THAT(usage.err, HasSubstr("--from FILE and --to postgresql://… are required"));

  // A target that cannot be reached: refused with libpq's reason, the password not shown.
  MakeDemo("source.db", "1", /*documents=*/false);
  Ran unreachable =
      Spegla({"migrate", "--from", "source.db", "--to", "postgresql://spegla:hemligt@127.0.0.1:1/x"});
  ExpectOneLineRefusal(unreachable, "cannot open database 'postgresql://spegla:***@127.0.0.1:1/x'");
  EXPECT_THAT(unreachable.err, ::testing::Not(HasSubstr("hemligt")));

  EXPECT_EQ(PostgresqlObjects(target), std::vector<std::string>{});
}

TEST_F(MigrateTest, ACopyThatFailsMidwayLeavesTheTargetAsItWas) {
  SKIP_WITHOUT_POSTGRESQL();
  MakeDemo("source.db", "3", /*documents=*/false);
  // A participant whose user does not exist: SQLite took it with its foreign keys off, PostgreSQL refuses it
  // once instances, users and the tables before them have been copied.
  Sql(Path("source.db"),
      "PRAGMA foreign_keys = OFF; INSERT INTO participants (instance_id, role_id, user_id, assigned_at, "
      "assigned_by) SELECT MIN(id), 'rektor', 999999, '2024-01-01T00:00:00Z', 'operator' FROM instances");
  const std::string target = TestDatabase("unused.db");
  // An empty schema_migrations (a database where Spegla once started) counts as empty, and stays as it was.
  Database::Open(target)->Execute(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at "
      "TEXT NOT "
      "NULL)");
  const std::vector<std::string> empty = PostgresqlObjects(target);
  ASSERT_EQ(empty, (std::vector<std::string>{"schema_migrations", "schema_migrations_pkey"}));

  Ran failed = Spegla({"migrate", "--from", "source.db", "--to", target});
  ExpectOneLineRefusal(failed, "nothing was migrated: copying rows 1 to ");
  EXPECT_THAT(failed.err, HasSubstr(" of participants: insert or update on table \"participants\" violates "
                                    "foreign key constraint"));
  EXPECT_THAT(failed.err, HasSubstr("Key (user_id)=(999999) is not present in table \"users\""));
  EXPECT_LT(failed.err.size(), 400u) << "the statement is left out of the message";
  EXPECT_EQ(PostgresqlObjects(target), empty);
  EXPECT_EQ(Number(target, "SELECT COUNT(*) FROM schema_migrations"), 0);

  // A value PostgreSQL cannot store as its column's type fails the same way, with the column named.
  Sql(Path("source.db"),
      "DELETE FROM participants WHERE user_id = 999999; "
      "UPDATE instances SET seq = 'many' WHERE id = (SELECT MAX(id) FROM instances)");
  Ran typed = Spegla({"migrate", "--from", "source.db", "--to", target, "--json"});
  EXPECT_EQ(typed.status, 1);
  EXPECT_THAT(std::string(json::parse(typed.out).at("issues").at(0).at("message").as_string()),
              HasSubstr("the value 'many' in instances.seq is not a whole number"));
  EXPECT_EQ(PostgresqlObjects(target), empty);

  // Mended, the same source moves into the same target.
  Sql(Path("source.db"), "UPDATE instances SET seq = 0 WHERE seq = 'many'");
  Ran moved = Spegla({"migrate", "--from", "source.db", "--to", target});
  ASSERT_EQ(moved.status, 0) << moved.err;
  const std::vector<std::string> names = SqliteTableNames(Path("source.db"));
  EXPECT_TRUE(ReadTables(target, names) == ReadTables(Path("source.db").string(), names));
}

TEST_F(MigrateTest, MigrateIsInTheHelp) {  // needs no database: runs on both
  Ran help = Spegla({"--help"});
  ASSERT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("  migrate "));
  Ran migrate_help = Spegla({"migrate", "--help"});
  EXPECT_THAT(migrate_help.out,
              HasSubstr("Usage: spegla migrate --from FILE.db --to postgresql://USER@HOST:PORT/DATABASE"));
}

}  // namespace
}  // namespace spegla::test
