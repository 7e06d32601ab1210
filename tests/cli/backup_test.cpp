// `spegla backup` and `spegla restore` through the real binary: a backup of a demo database taken while
// `spegla serve` writes to it, restored into a new path and compared table by table and through `spegla
// export`; and the refusals, each a clear one-line error that changes nothing: a file that is no Spegla
// database, a truncated or corrupt one, a newer schema, an existing target without --force, a target in use,
// a database that does not exist.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "../engine/engine_test_support.h"
#include "../support/child_process.h"
#include "../support/raw_http.h"
#include "spegla/backup.h"
#include "spegla/schema.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kAdminPassword = "backup admin password";

using Ran = SpeglaRun;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Every table of an SQLite file: its rows, each as text with its values' types, sorted (compared whole).
std::map<std::string, std::vector<std::string>> Tables(const fs::path& path) {
  std::map<std::string, std::vector<std::string>> tables;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return tables;
  }
  auto each_row = [&](const std::string& sql, const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
      return;
    }
    while (sqlite3_step(statement) == SQLITE_ROW) row(statement);
    sqlite3_finalize(statement);
  };
  std::vector<std::string> names;
  each_row("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
           [&](sqlite3_stmt* s) { names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))); });
  for (const std::string& name : names) {
    std::vector<std::string>& rows = tables[name];
    each_row("SELECT * FROM \"" + name + "\"", [&](sqlite3_stmt* s) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const unsigned char* text = sqlite3_column_text(s, c);
        row += std::to_string(sqlite3_column_type(s, c)) + ":" +
               (text ? std::string(reinterpret_cast<const char*>(text),
                                   static_cast<size_t>(sqlite3_column_bytes(s, c)))
                     : std::string()) +
               "\x1f";
      }
      rows.push_back(std::move(row));
    });
    std::sort(rows.begin(), rows.end());
  }
  sqlite3_close(db);
  return tables;
}

void Sql(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string Counts(const std::map<std::string, std::vector<std::string>>& tables) {
  std::string out;
  for (const auto& [name, rows] : tables) out += name + "=" + std::to_string(rows.size()) + " ";
  return out;
}

std::vector<std::string> Leftovers(const fs::path& dir) {
  std::vector<std::string> found;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

class BackupTest : public ::testing::Test {
 protected:
  Ran Spegla(const std::vector<std::string>& args) { return RunSpegla(args, dir_.path()); }
  fs::path Path(const std::string& name) const { return dir_.path() / name; }

  // A database with the schema and a little in it (an organisation, no processes).
  void MakeDatabase(const std::string& name) {
    Ran made = Spegla({"org", "municipality", "add", "Backupala", "--network", "KU8", "--db", name});
    ASSERT_EQ(made.status, 0) << made.err;
  }

  // The one line of a refusal: exit code 1, nothing on standard output, one line on standard error.
  static void ExpectOneLineRefusal(const Ran& ran, const std::string& text) {
    EXPECT_EQ(ran.status, 1) << ran.out << ran.err;
    EXPECT_EQ(ran.out, "");
    EXPECT_THAT(ran.err, HasSubstr(text));
    EXPECT_EQ(std::count(ran.err.begin(), ran.err.end(), '\n'), 1) << ran.err;
  }

  ScratchDir dir_{"spegla-backup"};
};

TEST_F(BackupTest, ABackupTakenWhileTheServerWritesRestoresToTheSameDatabase) {
  Ran demo = Spegla({"demo", "--db", "live.db", "--instances", "6", "--no-documents"});
  ASSERT_EQ(demo.status, 0) << demo.err;
  SpeglaProcess server({"serve", "--port", "0", "--db", "live.db"}, dir_.path(),
                       {{"SPEGLA_ADMIN_PASSWORD", kAdminPassword}}, "server.err");
  const std::uint16_t port = ListeningPort(server);
  ASSERT_NE(port, 0) << server.err();

  // The admin becomes the rektor of a new KU8 process and writes its application, over and over.
  RawHttp http(port);
  RawReply login = http.Send("POST", "/api/session",
                             json::serialize(json::object{{"username", "admin"}, {"password", kAdminPassword}}),
                             {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 201) << login.error << login.body;
  const std::string token(json::parse(login.body).at("token").as_string());
  const RawHttp::Headers auth = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  RawReply units = http.Send("GET", "/api/units?limit=1", "", auth);
  ASSERT_EQ(units.status, 200) << units.body;
  const json::value unit = json::parse(units.body).at("items").at(0).at("id");
  RawReply created = http.Send(
      "POST", "/api/instances",
      json::serialize(json::object{{"workflow", "ku8-larande-besok"}, {"unit_id", unit}, {"title", "Backup"}}), auth);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t instance = json::parse(created.body).at("id").to_number<std::int64_t>();
  const std::string form = "/api/instances/" + std::to_string(instance) + "/forms/ansokan";
  ASSERT_EQ(http.Send("POST", "/api/instances/" + std::to_string(instance) + "/participants",
                      json::serialize(json::object{{"role", "rektor"}, {"username", "admin"}}), auth)
                .status,
            200);

  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> acknowledged{0}, last_version{0};
  std::mutex mutex;
  std::condition_variable progressed;
  std::string writer_problem;
  std::thread writer([&] {
    RawHttp client(port);
    RawHttp::Headers headers = auth;
    headers.emplace_back("If-Match", "*");
    for (int n = 0; !stop; ++n) {
      RawReply r = client.Send("PATCH", form,
                               json::serialize(json::object{
                                   {"fields", json::object{{"kontaktperson", "Skrivare " + std::to_string(n)}}}}),
                               headers);
      if (r.status != 200) {
        std::lock_guard lock(mutex);
        writer_problem = std::to_string(r.status) + " " + r.error + r.body;
        break;
      }
      const json::value answer = json::parse(r.body);
      for (const json::value& f : answer.at("fields").as_array()) {
        if (f.at("id") == "kontaktperson") last_version = f.at("version").to_number<std::int64_t>();
      }
      {
        std::lock_guard lock(mutex);
        ++acknowledged;
      }
      progressed.notify_all();
    }
    progressed.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    progressed.wait_for(lock, std::chrono::seconds(60),
                        [&] { return acknowledged >= 20 || !writer_problem.empty(); });
  }

  // Backups until one was taken while writes were acknowledged around it (the first, as a rule).
  std::string backup;
  std::int64_t version_before = 0, writes_during = 0;
  for (int attempt = 0; attempt < 5 && writes_during == 0; ++attempt) {
    backup = "backup-" + std::to_string(attempt) + ".db";
    const std::int64_t before = acknowledged;
    version_before = last_version;
    Ran ran = Spegla({"backup", "--db", "live.db", "-o", backup});
    writes_during = acknowledged - before;
    ASSERT_EQ(ran.status, 0) << ran.err;
    EXPECT_THAT(ran.out, HasSubstr("Backed up live.db to " + backup));
    EXPECT_THAT(ran.out, HasSubstr("integrity check ok"));
  }
  stop = true;
  writer.join();
  EXPECT_EQ(writer_problem, "");
  EXPECT_GT(writes_during, 0) << "no write was acknowledged while a backup ran";
  std::cout << "[backup] " << writes_during << " writes acknowledged while the backup ran, " << acknowledged
            << " in all" << std::endl;
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.err();

  // The backup is one checked file: no log beside it, no temporary left.
  DatabaseFileCheck check = CheckDatabaseFile(Path(backup).string());
  EXPECT_TRUE(check.ok()) << check.integrity;
  EXPECT_EQ(check.schema_version, LatestSchemaVersion());
  EXPECT_FALSE(fs::exists(Path(backup + "-wal")));
  EXPECT_EQ(Leftovers(dir_.path()), std::vector<std::string>{});

  // Restored into a new path: the same tables, row for row, and the same export.
  Ran restored = Spegla({"restore", backup, "--db", "restored/spegla.db"});
  ASSERT_EQ(restored.status, 0) << restored.err;
  EXPECT_THAT(restored.out, HasSubstr("Restored " + backup + " to restored/spegla.db"));
  const auto backup_tables = Tables(Path(backup));
  EXPECT_EQ(Counts(backup_tables), Counts(Tables(Path("restored/spegla.db"))));
  EXPECT_TRUE(backup_tables == Tables(Path("restored/spegla.db")));
  EXPECT_GT(backup_tables.at("instances").size(), 6u);

  // Every write acknowledged before the backup began is in it.
  Ran shown = Spegla({"instance", "show", std::to_string(instance), "--form", "ansokan", "--json", "--db",
                      "restored/spegla.db"});
  ASSERT_EQ(shown.status, 0) << shown.err;
  std::int64_t version_in_backup = -1;
  const json::value shown_form = json::parse(shown.out);
  for (const json::value& f : shown_form.at("fields").as_array()) {
    if (f.at("id") == "kontaktperson") version_in_backup = f.at("version").to_number<std::int64_t>();
  }
  EXPECT_GE(version_in_backup, version_before);
  EXPECT_LE(version_in_backup, last_version.load());

  // Once the server has stopped, a backup restored elsewhere is the live database itself.
  ASSERT_EQ(Spegla({"backup", "--db", "live.db", "-o", "final.db"}).status, 0);
  ASSERT_EQ(Spegla({"restore", "final.db", "--db", "final-restored.db"}).status, 0);
  const auto live_tables = Tables(Path("live.db"));
  EXPECT_EQ(Counts(live_tables), Counts(Tables(Path("final-restored.db"))));
  EXPECT_TRUE(live_tables == Tables(Path("final-restored.db")));
  for (const auto& [db, csv] : {std::pair{"live.db", "live.csv"}, std::pair{"final-restored.db", "restored.csv"}}) {
    Ran exported = Spegla({"export", "--format", "csv", "--db", db, "-o", csv});
    ASSERT_EQ(exported.status, 0) << exported.err;
  }
  EXPECT_GT(ReadFile(Path("live.csv")).size(), 100u);
  EXPECT_EQ(ReadFile(Path("live.csv")), ReadFile(Path("restored.csv")));
  EXPECT_EQ(Leftovers(dir_.path()), std::vector<std::string>{});
}

TEST_F(BackupTest, ABackupOfADatabaseThatDoesNotExistFailsClearly) {
  ExpectOneLineRefusal(Spegla({"backup", "--db", "missing.db", "-o", "backup.db"}),
                       "spegla backup: no database at 'missing.db'");
  EXPECT_FALSE(fs::exists(Path("missing.db")));
  EXPECT_FALSE(fs::exists(Path("backup.db")));
  Ran usage = Spegla({"backup", "--db", "missing.db"});
  EXPECT_EQ(usage.status, 2);
  EXPECT_THAT(usage.err, HasSubstr("-o FILE is required"));
}

TEST_F(BackupTest, ABackupNeverReplacesAFileUnlessForcedNorTheDatabaseItself) {
  MakeDatabase("spegla.db");
  std::ofstream(Path("backup.db")) << "an older backup";
  ExpectOneLineRefusal(Spegla({"backup", "--db", "spegla.db", "-o", "backup.db"}),
                       "the backup 'backup.db' exists already; give --force to replace it");
  EXPECT_EQ(ReadFile(Path("backup.db")), "an older backup");
  ExpectOneLineRefusal(Spegla({"backup", "--db", "spegla.db", "-o", "spegla.db", "--force"}),
                       "'spegla.db' is the database itself");
  Ran forced = Spegla({"backup", "--db", "spegla.db", "-o", "backup.db", "--force"});
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("replaced the file there"));
  EXPECT_TRUE(CheckDatabaseFile(Path("backup.db").string()).ok());
  EXPECT_EQ(Leftovers(dir_.path()), std::vector<std::string>{});
}

TEST_F(BackupTest, RestoreRefusesWhatIsNotAWholeSpeglaDatabase) {
  MakeDatabase("spegla.db");
  ASSERT_EQ(Spegla({"backup", "--db", "spegla.db", "-o", "good.db"}).status, 0);
  const std::string good = ReadFile(Path("good.db"));

  std::ofstream(Path("notes.txt")) << "Inte en databas, bara anteckningar från planeringsmötet.\n";
  ExpectOneLineRefusal(Spegla({"restore", "notes.txt", "--db", "target.db"}), "file is not a database");
  Sql(Path("other.db"), "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  ExpectOneLineRefusal(Spegla({"restore", "other.db", "--db", "target.db"}),
                       "the backup 'other.db' is not a Spegla database");
  std::ofstream(Path("truncated.db"), std::ios::binary) << good.substr(0, good.size() / 2);
  Ran truncated = Spegla({"restore", "truncated.db", "--db", "target.db"});
  ExpectOneLineRefusal(truncated, "spegla restore: ");
  std::cout << "[backup] a truncated backup: " << truncated.err;
  std::string damaged = good;
  for (size_t i = damaged.size() / 2; i < damaged.size() / 2 + 4096 && i < damaged.size(); ++i) damaged[i] = '\xa5';
  std::ofstream(Path("corrupt.db"), std::ios::binary) << damaged;
  Ran corrupt = Spegla({"restore", "corrupt.db", "--db", "target.db"});
  ExpectOneLineRefusal(corrupt, "spegla restore: ");
  std::cout << "[backup] a corrupt backup: " << corrupt.err;
  fs::copy_file(Path("good.db"), Path("newer.db"));
  Sql(Path("newer.db"), "INSERT INTO schema_migrations (version, description, applied_at) "
                        "VALUES (99, 'from the future', '2030-01-01T00:00:00Z')");
  ExpectOneLineRefusal(Spegla({"restore", "newer.db", "--db", "target.db"}), "has schema version 99, newer than");
  ExpectOneLineRefusal(Spegla({"restore", "missing.db", "--db", "target.db"}), "no backup at 'missing.db'");

  // None of them left a target or a temporary; the backups read are as they were.
  EXPECT_FALSE(fs::exists(Path("target.db")));
  EXPECT_EQ(Leftovers(dir_.path()), std::vector<std::string>{});
  EXPECT_EQ(ReadFile(Path("good.db")), good);
  EXPECT_FALSE(fs::exists(Path("good.db-wal")));
}

TEST_F(BackupTest, RestoreReplacesADatabaseOnlyWhenForcedAndNotWhileItIsInUse) {
  MakeDatabase("spegla.db");
  ASSERT_EQ(Spegla({"backup", "--db", "spegla.db", "-o", "before.db"}).status, 0);
  ASSERT_EQ(Spegla({"org", "municipality", "add", "Efterala", "--db", "spegla.db"}).status, 0);
  const auto after = Tables(Path("spegla.db"));

  ExpectOneLineRefusal(Spegla({"restore", "before.db", "--db", "spegla.db"}),
                       "the database 'spegla.db' exists already; give --force to replace it");
  EXPECT_TRUE(Tables(Path("spegla.db")) == after);

  {
    SpeglaProcess server({"serve", "--port", "0", "--db", "spegla.db"}, dir_.path(),
                         {{"SPEGLA_ADMIN_PASSWORD", kAdminPassword}}, "server.err");
    ASSERT_NE(ListeningPort(server), 0) << server.err();
    ExpectOneLineRefusal(Spegla({"restore", "before.db", "--db", "spegla.db", "--force"}),
                         "'spegla.db' is in use by another process");
    EXPECT_EQ(server.Stop(SIGTERM), 0);
  }
  const auto served = Tables(Path("spegla.db"));
  EXPECT_EQ(served.at("municipalities").size(), 2u);

  Ran forced = Spegla({"restore", "before.db", "--db", "spegla.db", "--force"});
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("replaced the file there"));
  EXPECT_TRUE(Tables(Path("spegla.db")) == Tables(Path("before.db")));
  EXPECT_EQ(Tables(Path("spegla.db")).at("municipalities").size(), 1u);
  EXPECT_FALSE(fs::exists(Path("spegla.db-wal")));
  EXPECT_FALSE(fs::exists(Path("spegla.db-shm")));

  // A log left beside a database that is gone would be replayed over the restored file: it is removed.
  std::ofstream(Path("fresh.db-wal"), std::ios::binary) << std::string(8192, '\x37');
  Ran fresh = Spegla({"restore", "before.db", "--db", "fresh.db"});
  ASSERT_EQ(fresh.status, 0) << fresh.err;
  EXPECT_FALSE(fs::exists(Path("fresh.db-wal")));
  Ran opened = Spegla({"org", "list", "--db", "fresh.db"});
  EXPECT_EQ(opened.status, 0) << opened.err;
  EXPECT_THAT(opened.out, HasSubstr("Backupala"));
  EXPECT_EQ(Leftovers(dir_.path()), std::vector<std::string>{});
}

TEST_F(BackupTest, BackupAndRestoreAreInTheHelp) {
  Ran help = Spegla({"--help"});
  ASSERT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("  backup "));
  EXPECT_THAT(help.out, HasSubstr("  restore "));
  Ran restore_help = Spegla({"restore", "--help"});
  EXPECT_THAT(restore_help.out, HasSubstr("Usage: spegla restore FILE [--force]"));
}

}  // namespace
}  // namespace spegla::test
