// Proof under faults (issue 9): the real `spegla serve` killed with SIGKILL at random moments while clients
// write forms and render documents, then started again on the same file. Every write that was answered 2xx
// must be there (in the field's history, at the version the answer gave), a write in flight may or may not
// be, the database must pass PRAGMA integrity_check, and every stored document must be whole. Likewise
// `spegla export`, `spegla render` and `spegla instance document` killed while they write their files:
// afterwards there is no file or a whole one, and nothing left behind that a later run trips on.
//
// The moments come from a seeded PRNG; the seed is printed and recorded, and SPEGLA_CRASH_SEED=N repeats a
// run's choices (the timing of the machine is not repeatable, the choices are).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../engine/engine_test_support.h"
#include "../support/child_process.h"
#include "../support/bearer_client.h"
#include "../support/raw_http.h"
#include "spegla/backup.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kAdminPassword = "crash admin password";
constexpr const char* kWorkflow = "ku8-larande-besok";

std::uint64_t SeedForThisRun(const char* test) {
  std::uint64_t seed;
  if (const char* given = std::getenv("SPEGLA_CRASH_SEED")) {
    seed = std::strtoull(given, nullptr, 10);
  } else {
    std::random_device device;
    seed = (std::uint64_t{device()} << 32) ^ device();
  }
  std::cout << "[crash-safety] " << test << ": seed " << seed << " (SPEGLA_CRASH_SEED=" << seed
            << " repeats the choices)" << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::uint32_t Little(const std::string& bytes, size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
  return value;
}

// True when `bytes` is a whole ZIP archive (a .docx or .xlsx): the end-of-central-directory record ends the
// file, the central directory lies right before it, and each of its entries points at a local header.
bool WholeZip(const std::string& bytes) {
  if (bytes.size() < 22) return false;
  const size_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  for (size_t at = bytes.size() - 22;; --at) {
    if (bytes.compare(at, 4, "PK\x05\x06") == 0) {
      const size_t entries = Little(bytes, at + 10, 2), size = Little(bytes, at + 12, 4),
                   offset = Little(bytes, at + 16, 4), comment = Little(bytes, at + 20, 2);
      if (at + 22 + comment != bytes.size() || offset + size != at || entries == 0) return false;
      size_t p = offset;
      for (size_t i = 0; i < entries; ++i) {
        if (p + 46 > at || bytes.compare(p, 4, "PK\x01\x02") != 0) return false;
        const size_t local = Little(bytes, p + 42, 4);
        if (local + 4 > offset || bytes.compare(local, 4, "PK\x03\x04") != 0) return false;
        p += 46 + Little(bytes, p + 28, 2) + Little(bytes, p + 30, 2) + Little(bytes, p + 32, 2);
      }
      return p == at;
    }
    if (at == lowest) return false;
  }
}

// The names in `dir` of temporaries (".NAME.tmp-...") and of SQLite's leftovers of them.
std::vector<std::string> Temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find(".tmp-") != std::string::npos) found.push_back(it->path().lexically_relative(dir).string());
  }
  return found;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The integrity of the database file, read while no server runs (read-only: it changes nothing).
std::string Integrity(const fs::path& db) {
  try {
    DatabaseFileCheck check = CheckDatabaseFile(db.string());
    if (!check.spegla) return "not a Spegla database";
    return check.integrity;
  } catch (const BackupError& e) {
    return e.what();
  }
}


// A field of the form ansokan of one instance.
struct FieldKey {
  std::int64_t instance = 0;
  std::string field;
  auto operator<=>(const FieldKey&) const = default;
};

std::string FormPath(std::int64_t instance) { return "/api/instances/" + std::to_string(instance) + "/forms/ansokan"; }

std::optional<std::pair<std::string, std::int64_t>> FieldOf(const json::value& form, const std::string& field) {
  for (const json::value& f : form.at("fields").as_array()) {
    if (f.at("id").as_string() != field) continue;
    const json::value& value = f.at("value");
    return std::make_pair(value.is_string() ? std::string(value.as_string()) : std::string(),
                          f.at("version").to_number<std::int64_t>());
  }
  return std::nullopt;
}

struct AckedWrite {
  FieldKey key;
  std::string value;
  std::int64_t version = 0;
};

struct AckedDocument {
  std::int64_t version = 0;
  std::int64_t size = 0;
};

// What one client thread saw in one round.
struct ClientLog {
  std::vector<AckedWrite> writes;
  std::vector<AckedDocument> documents;
  std::optional<std::pair<FieldKey, std::string>> in_flight;  // the write under way when the server died
  std::string unexpected;                                     // an answer that was neither 2xx nor none
  int attempts = 0;
};

// Counts acknowledged operations of a round for the thread that picks the moment of the kill.
class Progress {
 public:
  void Acknowledged() {
    {
      std::lock_guard lock(mutex_);
      ++acknowledged_;
    }
    changed_.notify_all();
  }
  void Finished() {
    {
      std::lock_guard lock(mutex_);
      ++finished_;
    }
    changed_.notify_all();
  }
  // Waits until `count` operations were acknowledged or every one of `clients` stopped (bounded).
  int WaitFor(int count, int clients) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(120),
                      [&] { return acknowledged_ >= count || finished_ >= clients; });
    return acknowledged_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int acknowledged_ = 0, finished_ = 0;
};

// A client that writes `own` over and over (and now and then `shared`, with If-Match: *), each value new,
// until the server stops answering.
void WriteForms(std::uint16_t port, const std::string& token, int round, int index, const FieldKey& own,
                const FieldKey& shared, std::uint64_t seed, ClientLog* log, Progress* progress) {
  RawHttp http(port);
  std::mt19937_64 rng(seed);
  for (int n = 0; n < 1000000; ++n) {
    const FieldKey& key = rng() % 4 == 0 ? shared : own;
    const std::string value = "r" + std::to_string(round) + "-c" + std::to_string(index) + "-w" + std::to_string(n);
    ++log->attempts;
    RawReply reply = http.Send(
        "PATCH", FormPath(key.instance), json::serialize(json::object{{"fields", json::object{{key.field, value}}}}),
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}, {"If-Match", "*"}});
    if (reply.status == 0) {
      log->in_flight = std::make_pair(key, value);
      break;
    }
    if (reply.status != 200) {
      log->unexpected = std::to_string(reply.status) + " " + reply.body;
      break;
    }
    std::optional<std::pair<std::string, std::int64_t>> stored = FieldOf(json::parse(reply.body), key.field);
    if (!stored || stored->first != value) {
      log->unexpected = "the answer does not show the value written: " + reply.body.substr(0, 500);
      break;
    }
    log->writes.push_back(AckedWrite{key, value, stored->second});
    progress->Acknowledged();
  }
  progress->Finished();
}

// A client that renders the instance's document "ansokan" again and again (each a new stored version).
void RenderDocuments(std::uint16_t port, const std::string& token, std::int64_t instance, ClientLog* log,
                     Progress* progress) {
  RawHttp http(port);
  const std::string target = "/api/instances/" + std::to_string(instance) + "/documents/ansokan/render";
  for (int n = 0; n < 100000; ++n) {
    ++log->attempts;
    RawReply reply =
        http.Send("POST", target, "", {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    if (reply.status == 0) break;
    if (reply.status != 201) {
      log->unexpected = std::to_string(reply.status) + " " + reply.body;
      break;
    }
    const json::value info = json::parse(reply.body);
    log->documents.push_back(
        AckedDocument{info.at("version").to_number<std::int64_t>(), info.at("size").to_number<std::int64_t>()});
    progress->Acknowledged();
  }
  progress->Finished();
}

struct Figures {
  int rounds = 0, kills = 0, integrity_checks = 0, integrity_failures = 0;
  int writes_acknowledged = 0, writes_checked = 0, writes_lost = 0, in_flight_committed = 0;
  int documents_acknowledged = 0, documents_checked = 0, documents_bad = 0;
};

TEST(CrashSafetyTest, EveryAcknowledgedWriteSurvivesTheServerBeingKilled) {
  const auto started = Clock::now();
  std::mt19937_64 rng(SeedForThisRun("forms and documents"));
  ScratchDir dir("crash");
  const fs::path db = dir.path() / "crash.db";
  int starts = 0;
  auto start_server = [&] {
    auto server = std::make_unique<SpeglaProcess>(
        std::vector<std::string>{"serve", "--port", "0", "--db", "crash.db"}, dir.path(),
        std::map<std::string, std::string>{{"SPEGLA_ADMIN_PASSWORD", kAdminPassword}},
        "server-" + std::to_string(starts++) + ".err");
    return server;
  };
  std::unique_ptr<SpeglaProcess> server = start_server();
  std::uint16_t port = ListeningPort(*server);
  ASSERT_NE(port, 0) << server->err();
  const std::string token = BearerClient::SignIn(port, "admin", kAdminPassword);
  ASSERT_FALSE(token.empty());

  // Two KU8 processes at a school, with the admin as their rektor (who may write the application).
  std::vector<std::int64_t> instances;
  {
    BearerClient admin(port, token);
    json::value municipality =
        admin.Call("POST", "/api/municipalities", json::object{{"name", "Kraschala"}, {"network", "KU8"}}, 201);
    ASSERT_TRUE(municipality.is_object());
    json::value unit = admin.Call("POST", "/api/units",
                                  json::object{{"municipality_id", municipality.at("id")},
                                               {"name", "Kraschskolan"},
                                               {"kind", "skola"}},
                                  201);
    ASSERT_TRUE(unit.is_object());
    for (int i = 0; i < 2; ++i) {
      json::value instance = admin.Call(
          "POST", "/api/instances",
          json::object{{"workflow", kWorkflow}, {"unit_id", unit.at("id")}, {"title", "Krasch " + std::to_string(i)}},
          201);
      ASSERT_TRUE(instance.is_object());
      instances.push_back(instance.at("id").to_number<std::int64_t>());
      admin.Call("POST", "/api/instances/" + std::to_string(instances.back()) + "/participants",
                 json::object{{"role", "rektor"}, {"username", "admin"}});
    }
  }
  ASSERT_FALSE(::testing::Test::HasFailure());

  // Each form-writing client has a field of its own; all of them now and then write a shared one.
  const std::vector<FieldKey> own = {{instances[0], "enhet"},
                                     {instances[0], "arbetslag_namn"},
                                     {instances[1], "enhet"},
                                     {instances[1], "arbetslag_namn"}};
  const FieldKey shared{instances[0], "kontaktperson"};
  const int writers = static_cast<int>(own.size());
  // What is known to be stored of each own field (value, version), carried from round to round.
  std::vector<std::pair<std::string, std::int64_t>> known(own.size(), {"", 0});
  std::int64_t shared_known = 0, documents_checked_up_to = 0;

  Figures figures;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    // The moment: after a random number of acknowledged writes and renders (0: as soon as they start).
    const int kill_after = std::uniform_int_distribution<int>(0, 1000)(rng);
    std::vector<ClientLog> logs(own.size() + 1);
    Progress progress;
    std::vector<std::thread> clients;
    for (int w = 0; w < writers; ++w) {
      clients.emplace_back(WriteForms, port, token, round, w, own[static_cast<size_t>(w)], shared, rng(),
                           &logs[static_cast<size_t>(w)], &progress);
    }
    clients.emplace_back(RenderDocuments, port, token, instances[1], &logs.back(), &progress);
    const int acknowledged_at_kill = progress.WaitFor(kill_after, static_cast<int>(clients.size()));
    server->Kill();
    ++figures.kills;
    for (std::thread& client : clients) client.join();
    for (const ClientLog& log : logs) EXPECT_EQ(log.unexpected, "") << "round " << round;

    // The file as the crash left it: intact (read-only, before anything recovers it).
    const std::string integrity = Integrity(db);
    ++figures.integrity_checks;
    if (integrity != "ok") ++figures.integrity_failures;
    EXPECT_EQ(integrity, "ok") << "round " << round;

    server = start_server();
    port = ListeningPort(*server);
    ASSERT_NE(port, 0) << "round " << round << ": the server did not start again: " << server->err();
    BearerClient admin(port, token);

    // Every acknowledged write is in its field's history with the value and version its answer gave.
    std::set<FieldKey> keys(own.begin(), own.end());
    keys.insert(shared);
    std::map<FieldKey, std::map<std::int64_t, std::string>> history;
    std::map<FieldKey, std::pair<std::string, std::int64_t>> current;
    for (const FieldKey& key : keys) {
      json::value items = admin.Call("GET", FormPath(key.instance) + "/fields/" + key.field + "/history");
      ASSERT_TRUE(items.is_object());
      for (const json::value& item : items.at("items").as_array()) {
        const json::value& value = item.at("value");
        history[key][item.at("version").to_number<std::int64_t>()] =
            value.is_string() ? std::string(value.as_string()) : json::serialize(value);
      }
      json::value form = admin.Call("GET", FormPath(key.instance));
      ASSERT_TRUE(form.is_object());
      current[key] = FieldOf(form, key.field).value_or(std::make_pair(std::string(), std::int64_t{-1}));
    }
    int round_writes = 0;
    for (const ClientLog& log : logs) {
      for (const AckedWrite& write : log.writes) {
        ++round_writes;
        ++figures.writes_checked;
        auto found = history[write.key].find(write.version);
        if (found == history[write.key].end() || found->second != write.value) {
          ++figures.writes_lost;
          ADD_FAILURE() << "round " << round << ": lost the acknowledged write of " << write.key.field << " = "
                        << write.value << " (version " << write.version << ")";
        }
        if (write.key == shared) shared_known = std::max(shared_known, write.version);
      }
    }
    figures.writes_acknowledged += round_writes;
    // Each own field holds its client's last acknowledged value, or the one it had in flight.
    for (int w = 0; w < writers; ++w) {
      const ClientLog& log = logs[static_cast<size_t>(w)];
      const FieldKey& key = own[static_cast<size_t>(w)];
      for (const AckedWrite& write : log.writes) {
        if (write.key == key) known[static_cast<size_t>(w)] = {write.value, write.version};
      }
      const auto& [value, version] = current[key];
      const auto& [last_value, last_version] = known[static_cast<size_t>(w)];
      if (version == last_version) {
        EXPECT_TRUE(version == 0 || value == last_value) << key.field << ": " << value << " != " << last_value;
      } else if (version == last_version + 1 && log.in_flight && log.in_flight->first == key &&
                 log.in_flight->second == value) {
        ++figures.in_flight_committed;  // committed, the answer lost with the server
      } else {
        ++figures.writes_lost;
        ADD_FAILURE() << "round " << round << ": " << key.field << " is " << value << " v" << version
                      << ", the last acknowledged write was " << last_value << " v" << last_version;
      }
      known[static_cast<size_t>(w)] = current[key];
    }
    EXPECT_GE(current[shared].second, shared_known) << "round " << round;
    shared_known = std::max(shared_known, current[shared].second);

    // Every acknowledged document is listed with its size; every stored version is a whole file.
    const ClientLog& renders = logs.back();
    json::value documents = admin.Call("GET", "/api/instances/" + std::to_string(instances[1]) + "/documents");
    ASSERT_TRUE(documents.is_object());
    std::map<std::int64_t, std::int64_t> listed;
    for (const json::value& d : documents.at("items").as_array()) {
      if (d.at("document").as_string() == "ansokan") {
        listed[d.at("version").to_number<std::int64_t>()] = d.at("size").to_number<std::int64_t>();
      }
    }
    for (const AckedDocument& document : renders.documents) {
      ++figures.documents_acknowledged;
      auto found = listed.find(document.version);
      if (found == listed.end() || found->second != document.size) {
        ++figures.documents_bad;
        ADD_FAILURE() << "round " << round << ": lost the acknowledged document version " << document.version;
      }
    }
    for (const auto& [version, size] : listed) {
      if (version <= documents_checked_up_to) continue;
      RawReply file = admin.Get("/api/instances/" + std::to_string(instances[1]) +
                                "/documents/ansokan?version=" + std::to_string(version));
      ++figures.documents_checked;
      if (file.status != 200 || static_cast<std::int64_t>(file.body.size()) != size || !WholeZip(file.body)) {
        ++figures.documents_bad;
        ADD_FAILURE() << "round " << round << ": document version " << version << " is not whole (status "
                      << file.status << ", " << file.body.size() << " of " << size << " bytes)";
      }
      documents_checked_up_to = version;
    }
    ++figures.rounds;
    std::cout << "[crash-safety] round " << round << ": killed after " << acknowledged_at_kill
              << " acknowledged (aimed at " << kill_after << "); " << round_writes << " form writes and "
              << renders.documents.size() << " documents acknowledged, all there; integrity " << integrity
              << std::endl;
  }

  // A clean stop after the last restart, and the file is intact.
  EXPECT_EQ(server->Stop(SIGTERM), 0) << server->err();
  const std::string integrity = Integrity(db);
  ++figures.integrity_checks;
  if (integrity != "ok") ++figures.integrity_failures;
  EXPECT_EQ(integrity, "ok");

  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << "[crash-safety] forms and documents: " << figures.rounds << " rounds, " << figures.kills
            << " SIGKILLs of the server; " << figures.writes_acknowledged << " form writes acknowledged, "
            << figures.writes_checked << " checked, " << figures.writes_lost << " lost, "
            << figures.in_flight_committed << " in flight found committed; " << figures.documents_acknowledged
            << " documents acknowledged, " << figures.documents_checked << " stored versions checked whole, "
            << figures.documents_bad << " bad; integrity_check ok " << figures.integrity_checks - figures.integrity_failures
            << " of " << figures.integrity_checks << "; " << seconds << " s" << std::endl;
  ::testing::Test::RecordProperty("rounds", figures.rounds);
  ::testing::Test::RecordProperty("kills", figures.kills);
  ::testing::Test::RecordProperty("writes_acknowledged", figures.writes_acknowledged);
  ::testing::Test::RecordProperty("writes_checked", figures.writes_checked);
  ::testing::Test::RecordProperty("writes_lost", figures.writes_lost);
  ::testing::Test::RecordProperty("in_flight_committed", figures.in_flight_committed);
  ::testing::Test::RecordProperty("documents_acknowledged", figures.documents_acknowledged);
  ::testing::Test::RecordProperty("documents_checked", figures.documents_checked);
  ::testing::Test::RecordProperty("integrity_checks", figures.integrity_checks);
  ::testing::Test::RecordProperty("integrity_failures", figures.integrity_failures);
  ::testing::Test::RecordProperty("seconds", std::to_string(seconds));
  EXPECT_EQ(figures.writes_lost, 0);
  EXPECT_EQ(figures.documents_bad, 0);
  EXPECT_EQ(figures.kills, kRounds);
  EXPECT_GT(figures.writes_acknowledged, 0);
}


// Kills `process` at `delay` after its start (the random moment of the fault) unless it ended before;
// returns whether it had ended by itself.
bool KillAfter(ChildProcess& process, std::chrono::microseconds delay) {
  std::this_thread::sleep_for(delay);  // not a synchronisation: the moment of the injected fault
  const bool ended = process.Exited();
  process.Kill();
  return ended;
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One command that writes a file, killed again and again.
struct FileWriter {
  std::string name;
  std::vector<std::string> args;
  fs::path target;                                       // the file, or render's directory of documents
  std::function<std::string(const fs::path&)> judge;   // "" when the file found there is whole
  double seconds = 0;                                    // how long a whole run takes
  int finished = 0, absent = 0, whole = 0;
  int temporaries_left = 0;     // by the kills of this command
  int temporaries_removed = 0;  // left by earlier kills, removed by a later run of this command
};

TEST(CrashSafetyTest, AKilledExportRenderOrFetchLeavesNoFileOrAWholeOne) {
  const auto started = Clock::now();
  std::mt19937_64 rng(SeedForThisRun("files"));
  ScratchDir dir("crash-files");
  const fs::path db = dir.path() / "demo.db";
  {
    SpeglaProcess demo({"demo", "--db", db.string(), "--instances", "12", "--seed", "9"}, dir.path(), {}, "demo.err");
    ASSERT_EQ(demo.Wait(), 0) << demo.err();
  }
  // A process the demo walked to its end has stored documents.
  std::string instance;
  std::string document;
  {
    SpeglaProcess shown({"instance", "list", "--status", "completed", "--limit", "1", "--db", db.string()}, dir.path());
    ASSERT_EQ(shown.Wait(), 0) << shown.err();
    std::istringstream(shown.out()) >> instance;
    SpeglaProcess listed({"instance", "documents", instance, "--db", db.string()}, dir.path());
    ASSERT_EQ(listed.Wait(), 0) << listed.err();
    std::istringstream(listed.out()) >> document;
    ASSERT_FALSE(document.empty() || document[0] == '(') << listed.out();
  }
  // Thirty documents from one template, for `spegla render`.
  std::vector<std::string> data;
  fs::create_directories(dir.path() / "data");
  for (int i = 0; i < 30; ++i) {
    const fs::path file = dir.path() / "data" / ("brev" + std::to_string(100 + i) + ".json");
    fs::copy_file(SPEGLA_SOURCE_DIR "/tests/fixtures/docx/letter.json", file);
    data.push_back(file.string());
  }

  const fs::path out = dir.path() / "out", refs = dir.path() / "refs";
  fs::create_directories(out);
  fs::create_directories(refs);
  auto same_as = [](fs::path reference) {
    return [reference](const fs::path& found) -> std::string {
      if (fs::is_directory(found)) {
        for (const fs::directory_entry& entry : fs::directory_iterator(found)) {
          const std::string name = entry.path().filename().string();
          if (name.find(".tmp-") != std::string::npos) continue;
          if (ReadFile(entry.path()) != ReadFile(reference / name)) return name + " is not whole";
        }
        return "";
      }
      return ReadFile(found) == ReadFile(reference) ? "" : found.filename().string() + " is not whole";
    };
  };
  std::vector<FileWriter> writers;
  writers.push_back({"export csv", {"export", "--db", db.string(), "-o"}, out / "oversikt.csv", same_as(refs / "oversikt.csv")});
  writers.push_back({"export xlsx", {"export", "--db", db.string(), "-o"}, out / "oversikt.xlsx",
                     [](const fs::path& found) { return WholeZip(ReadFile(found)) ? "" : std::string("not a whole workbook"); }});
  writers.push_back({"instance document", {"instance", "document", instance, document, "--db", db.string(), "-o"},
                     out / (document + ".docx"), same_as(refs / (document + ".docx"))});
  std::vector<std::string> render = {"render", SPEGLA_SOURCE_DIR "/tests/fixtures/docx/letter.docx"};
  render.insert(render.end(), data.begin(), data.end());
  render.push_back("-o");
  writers.push_back({"render", render, out / "brev", same_as(refs / "brev")});

  // A whole run of each, for the reference files and the time a run takes.
  for (FileWriter& w : writers) {
    const auto begin = Clock::now();
    std::vector<std::string> args = w.args;
    args.push_back((refs / w.target.filename()).string());
    SpeglaProcess reference(args, dir.path(), {}, "reference.err");
    ASSERT_EQ(reference.Wait(), 0) << w.name << ": " << reference.err();
    w.seconds = SecondsSince(begin);
  }
  // render is deterministic, so that a whole document is the reference's bytes.
  {
    std::vector<std::string> args = render;
    args.push_back((refs / "brev-again").string());
    SpeglaProcess again(args, dir.path(), {}, "reference.err");
    ASSERT_EQ(again.Wait(), 0) << again.err();
    ASSERT_EQ(ReadFile(refs / "brev" / "brev100.docx"), ReadFile(refs / "brev-again" / "brev100.docx"));
  }

  constexpr int kRoundsPerWriter = 8;
  int kills = 0;
  for (int round = 0; round < kRoundsPerWriter; ++round) {
    for (FileWriter& w : writers) {
      // Each round judges its own run: the last round's file goes (its temporaries, if any, stay).
      std::error_code ec;
      if (fs::is_directory(w.target)) {
        for (const fs::directory_entry& entry : fs::directory_iterator(w.target)) {
          if (entry.path().filename().string().find(".tmp-") == std::string::npos) fs::remove(entry.path());
        }
      } else {
        fs::remove(w.target, ec);
      }
      const auto delay = std::chrono::microseconds(
          static_cast<std::int64_t>(std::uniform_real_distribution<double>(0, 1.2)(rng) * w.seconds * 1e6));
      std::vector<std::string> args = w.args;
      args.push_back(w.target.string());
      const std::vector<std::string> before = Temporaries(out);
      SpeglaProcess process(args, dir.path(), {}, "killed.err");
      const bool ended = KillAfter(process, delay);
      if (ended) {
        ++w.finished;
        EXPECT_EQ(process.Wait(), 0) << w.name << ": " << process.err();
      } else {
        ++kills;
      }
      const std::vector<std::string> after = Temporaries(out);
      for (const std::string& name : after) {
        w.temporaries_left += std::find(before.begin(), before.end(), name) == before.end();
      }
      for (const std::string& name : before) {
        w.temporaries_removed += std::find(after.begin(), after.end(), name) == after.end();
      }
      bool there = fs::exists(w.target);
      if (fs::is_directory(w.target)) {
        there = false;
        for (const fs::directory_entry& entry : fs::directory_iterator(w.target)) {
          there = there || entry.path().filename().string().find(".tmp-") == std::string::npos;
        }
      }
      if (!there) {
        EXPECT_FALSE(ended) << w.name << " finished without writing its file";
        w.absent += !ended;
        continue;
      }
      const std::string judged = w.judge(w.target);
      EXPECT_EQ(judged, "") << w.name << ", round " << round << ", killed after " << delay.count() << " µs";
      w.whole += judged.empty() && !ended;
    }
  }

  // A later run of each finds its way: it succeeds, its file is whole, and no temporary is left.
  for (FileWriter& w : writers) {
    std::vector<std::string> args = w.args;
    args.push_back(w.target.string());
    const std::vector<std::string> before = Temporaries(out);
    SpeglaProcess again(args, dir.path(), {}, "again.err");
    EXPECT_EQ(again.Wait(), 0) << w.name << ": " << again.err();
    const std::vector<std::string> after = Temporaries(out);
    for (const std::string& name : before) {
      w.temporaries_removed += std::find(after.begin(), after.end(), name) == after.end();
    }
    EXPECT_EQ(w.judge(w.target), "") << w.name;
  }
  EXPECT_EQ(Temporaries(out), std::vector<std::string>{}) << Joined(Temporaries(out));
  if (fs::is_directory(out / "brev")) {
    EXPECT_EQ(std::distance(fs::directory_iterator(out / "brev"), fs::directory_iterator()), 30);
  }
  EXPECT_EQ(Integrity(db), "ok");

  int temporaries = 0, removed = 0, whole = 0, absent = 0, finished = 0;
  for (const FileWriter& w : writers) {
    std::cout << "[crash-safety] " << w.name << " (a whole run " << w.seconds << " s): " << w.finished
              << " finished before the kill, " << w.absent << " killed with no file, " << w.whole
              << " killed with a whole file; " << w.temporaries_left << " temporaries left by kills, "
              << w.temporaries_removed << " removed by later runs" << std::endl;
    temporaries += w.temporaries_left;
    removed += w.temporaries_removed;
    whole += w.whole;
    absent += w.absent;
    finished += w.finished;
  }
  const double seconds = SecondsSince(started);
  std::cout << "[crash-safety] files: " << kills + finished << " runs, " << finished << " finished before their kill; "
            << kills << " SIGKILLs: " << absent << " left no file, " << whole << " a whole one, 0 a partial one; " << temporaries << " temporaries left by kills, " << removed
            << " removed by later runs, none left at the end; " << seconds << " s" << std::endl;
  ::testing::Test::RecordProperty("kills", kills);
  ::testing::Test::RecordProperty("no_file", absent);
  ::testing::Test::RecordProperty("whole_file", whole);
  ::testing::Test::RecordProperty("finished_before_kill", finished);
  ::testing::Test::RecordProperty("temporaries_left_by_kills", temporaries);
  ::testing::Test::RecordProperty("temporaries_removed_later", removed);
  EXPECT_EQ(removed, temporaries);
  ::testing::Test::RecordProperty("seconds", std::to_string(seconds));
  EXPECT_GT(kills, 0);
}

// A first start (installing the workflows, copying the templates, making the admin) killed at a random
// moment: the next start completes it, and every template beside the database is the bundled one, whole.
TEST(CrashSafetyTest, AFirstStartKilledHalfwayCompletesOnTheNext) {
  std::mt19937_64 rng(SeedForThisRun("first start"));
  ScratchDir dir("crash-first");
  double seconds = 0;
  {
    const auto begin = Clock::now();
    fs::create_directories(dir.path() / "reference");
    SpeglaProcess server({"serve", "--port", "0", "--db", "spegla.db"}, dir.path() / "reference",
                         {{"SPEGLA_ADMIN_PASSWORD", kAdminPassword}}, "server.err");
    ASSERT_NE(ListeningPort(server), 0) << server.err();
    seconds = SecondsSince(begin);
    EXPECT_EQ(server.Stop(SIGTERM), 0);
  }
  constexpr int kRounds = 6;
  int kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    const fs::path here = dir.path() / ("round-" + std::to_string(round));
    fs::create_directories(here);
    const auto delay = std::chrono::microseconds(
        static_cast<std::int64_t>(std::uniform_real_distribution<double>(0, 1.0)(rng) * seconds * 1e6));
    {
      SpeglaProcess first({"serve", "--port", "0", "--db", "spegla.db"}, here,
                          {{"SPEGLA_ADMIN_PASSWORD", kAdminPassword}}, "first.err");
      if (!KillAfter(first, delay)) ++kills;
    }
    SpeglaProcess again({"serve", "--port", "0", "--db", "spegla.db"}, here,
                        {{"SPEGLA_ADMIN_PASSWORD", kAdminPassword}}, "again.err");
    const std::uint16_t port = ListeningPort(again);
    ASSERT_NE(port, 0) << "round " << round << ": " << again.err();
    const std::string token = BearerClient::SignIn(port, "admin", kAdminPassword);
    ASSERT_FALSE(token.empty());
    BearerClient admin(port, token);
    json::value workflows = admin.Call("GET", "/api/workflows");
    ASSERT_TRUE(workflows.is_object());
    EXPECT_EQ(workflows.at("items").as_array().size(), 5u) << "round " << round;
    EXPECT_EQ(again.Stop(SIGTERM), 0);
    int templates = 0;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(SPEGLA_SOURCE_DIR "/templates")) {
      if (entry.path().extension() != ".docx") continue;
      const fs::path copy = here / "templates" / entry.path().lexically_relative(SPEGLA_SOURCE_DIR "/templates");
      EXPECT_EQ(ReadFile(copy), ReadFile(entry.path())) << copy;
      ++templates;
    }
    EXPECT_GT(templates, 0);
    EXPECT_EQ(Temporaries(here), std::vector<std::string>{}) << Joined(Temporaries(here));
    EXPECT_EQ(Integrity(here / "spegla.db"), "ok");
    std::cout << "[crash-safety] first start, round " << round << ": killed after " << delay.count() / 1000
              << " ms of " << static_cast<int>(seconds * 1000) << "; the next start completed it" << std::endl;
  }
  ::testing::Test::RecordProperty("kills", kills);
}

}  // namespace
}  // namespace spegla::test
