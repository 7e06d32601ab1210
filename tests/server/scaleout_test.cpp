// Two `spegla serve` processes on one PostgreSQL database (issue 10): a session made on one is valid on
// the other, a change saved through one reaches live channels opened on the other, and writers on both,
// racing for one field from versions they read, lose no update. Runs as postgresql.ScaleOutTest.* (the
// throwaway cluster of tests/support/test_database.h); skipped without it.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../engine/engine_test_support.h"
#include "../support/child_process.h"
#include "../support/raw_http.h"
#include "../support/bearer_client.h"
#include "../support/test_database.h"
#include "../support/ws_client.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kAdminPassword = "skala-ut-losenord";


// The value and version of a field in a form's JSON.
std::pair<std::string, std::int64_t> FieldOf(const json::value& form, const std::string& field) {
  for (const json::value& f : form.at("fields").as_array()) {
    if (f.at("id").as_string() != field) continue;
    const json::value& value = f.at("value");
    return {value.is_string() ? std::string(value.as_string()) : "", f.at("version").to_number<std::int64_t>()};
  }
  ADD_FAILURE() << "no field " << field;
  return {"", -1};
}

class ScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPostgresql()) GTEST_SKIP() << "needs the PostgreSQL cluster (postgresql.ScaleOutTest.*)";
    database_ = TestDatabase((dir_.path() / "unused.db").string());
    // The first process makes the schema, the admin and the workflows; the second finds them.
    for (int i = 0; i < 2; ++i) {
      const fs::path here = dir_.path() / ("process-" + std::to_string(i));
      fs::create_directories(here);
      servers_.push_back(std::make_unique<SpeglaProcess>(
          std::vector<std::string>{"serve", "--port", "0", "--db", database_}, here,
          std::map<std::string, std::string>{{"SPEGLA_ADMIN_PASSWORD", kAdminPassword},
                                             {"SPEGLA_TEMPLATES", (dir_.path() / "templates").string()}}));
      ports_.push_back(ListeningPort(*servers_.back()));
      ASSERT_NE(ports_.back(), 0) << servers_.back()->err();
    }
  }

  // A KU8 instance at a new school, with the admin as its rektor (who may write the application).
  std::int64_t StartInstance(BearerClient& admin) {
    json::value municipality = admin.Call("POST", "/api/municipalities",
                                          json::object{{"name", "Skalunda"}, {"network", "KU8"}}, 201);
    json::value unit = admin.Call(
        "POST", "/api/units",
        json::object{{"municipality_id", municipality.at("id")}, {"name", "Skalskolan"}, {"kind", "skola"}}, 201);
    json::value instance = admin.Call(
        "POST", "/api/instances",
        json::object{{"workflow", "ku8-larande-besok"}, {"unit_id", unit.at("id")}, {"title", "Två processer"}}, 201);
    const std::int64_t id = instance.at("id").to_number<std::int64_t>();
    admin.Call("POST", "/api/instances/" + std::to_string(id) + "/participants",
               json::object{{"role", "rektor"}, {"username", "admin"}});
    return id;
  }

  ScratchDir dir_{"spegla-scaleout"};
  std::string database_;
  std::vector<std::unique_ptr<SpeglaProcess>> servers_;
  std::vector<std::uint16_t> ports_;
};

TEST_F(ScaleOutTest, ASessionMadeOnOneProcessIsValidOnTheOther) {
  const std::string token = BearerClient::SignIn(ports_[0], "admin", kAdminPassword);
  ASSERT_FALSE(token.empty());
  BearerClient on_second(ports_[1], token);
  json::value me = on_second.Call("GET", "/api/me");
  EXPECT_EQ(me.at("user").at("username").as_string(), "admin");
  // What the second process writes, the first reads.
  const std::int64_t id = StartInstance(on_second);
  BearerClient on_first(ports_[0], token);
  EXPECT_EQ(on_first.Call("GET", "/api/instances/" + std::to_string(id)).at("title").as_string(), "Två processer");
  // A forged token is refused by both.
  for (std::uint16_t port : ports_) {
    EXPECT_EQ(BearerClient(port, "forged").Send("GET", "/api/me").status, 401);
  }
}

TEST_F(ScaleOutTest, ChangesSavedThroughOneProcessReachLiveChannelsOnTheOther) {
  const std::string token = BearerClient::SignIn(ports_[0], "admin", kAdminPassword);
  BearerClient admin(ports_[0], token);
  const std::int64_t id = StartInstance(admin);
  const std::string live = "/api/instances/" + std::to_string(id) + "/live";
  // One viewer on each process.
  std::vector<std::unique_ptr<WebSocketClient>> viewers;
  for (std::uint16_t port : ports_) {
    viewers.push_back(std::make_unique<WebSocketClient>());
    ASSERT_EQ(viewers.back()->Connect(port, live, {{"Authorization", "Bearer " + token}}), 101);
    std::optional<std::string> hello = viewers.back()->Receive();
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ(json::parse(*hello).at("type").as_string(), "hello");
  }
  // Saves alternate between the processes; every viewer gets every one, in the order they were made.
  const std::string form = "/api/instances/" + std::to_string(id) + "/forms/ansokan";
  std::vector<std::int64_t> sent;
  for (int i = 0; i < 6; ++i) {
    BearerClient through(ports_[static_cast<size_t>(i % 2)], token);
    RawReply saved = through.Send("PATCH", form,
                                  json::object{{"fields", json::object{{"kontaktperson", "Person " + std::to_string(i)}}},
                                               {"versions", json::object{{"kontaktperson", i}}}});
    ASSERT_EQ(saved.status, 200) << saved.body;
  }
  for (size_t v = 0; v < viewers.size(); ++v) {
    std::vector<std::string> values;
    std::int64_t last_seq = 0;
    while (values.size() < 6) {
      std::optional<std::string> message = viewers[v]->Receive(std::chrono::seconds(10));
      ASSERT_TRUE(message.has_value()) << "viewer on process " << v << " got " << values.size() << " of 6";
      json::value m = json::parse(*message);
      if (m.at("type").as_string() != "event" || m.at("action").as_string() != "field.set") continue;
      const std::int64_t seq = m.at("seq").to_number<std::int64_t>();
      EXPECT_GT(seq, last_seq);
      last_seq = seq;
      values.push_back(std::string(m.at("value").as_string()));
    }
    for (int i = 0; i < 6; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], "Person " + std::to_string(i));
  }
}

// Writers on both processes read the field's version, write from it, and on a conflict read again and
// retry: every acknowledged write must be a version of its own in the field's history, none overwritten
// unseen, and the field's version must count them exactly.
TEST_F(ScaleOutTest, WritersOnBothProcessesLoseNoUpdate) {
  const std::string token = BearerClient::SignIn(ports_[0], "admin", kAdminPassword);
  BearerClient admin(ports_[0], token);
  const std::int64_t id = StartInstance(admin);
  const std::string form = "/api/instances/" + std::to_string(id) + "/forms/ansokan";
  constexpr int kWritesPerClient = 60;
  std::atomic<int> conflicts{0};
  std::vector<std::vector<std::pair<std::string, std::int64_t>>> acknowledged(4);
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      BearerClient client(ports_[static_cast<size_t>(c % 2)], token);
      for (int n = 0; n < kWritesPerClient;) {
        RawReply read = client.Send("GET", form);
        if (read.status != 200) {
          ADD_FAILURE() << read.status << read.body;
          return;
        }
        const std::int64_t version = FieldOf(json::parse(read.body), "kontaktperson").second;
        const std::string value = "klient " + std::to_string(c) + " skrivning " + std::to_string(n);
        RawReply write = client.Send("PATCH", form,
                                     json::object{{"fields", json::object{{"kontaktperson", value}}},
                                                  {"versions", json::object{{"kontaktperson", version}}}});
        if (write.status == 409) {
          ++conflicts;
          continue;
        }
        if (write.status != 200) {
          ADD_FAILURE() << write.status << write.body;
          return;
        }
        const auto [stored, stored_version] = FieldOf(json::parse(write.body), "kontaktperson");
        EXPECT_EQ(stored, value);
        EXPECT_EQ(stored_version, version + 1);
        acknowledged[static_cast<size_t>(c)].emplace_back(value, stored_version);
        ++n;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  ASSERT_FALSE(HasFailure());
  EXPECT_GT(conflicts.load(), 0) << "the writers never raced: the test proves nothing";

  // Each acknowledged write is the version it was told, in the history read through either process.
  std::map<std::int64_t, std::string> expected;
  for (const auto& writes : acknowledged) {
    for (const auto& [value, version] : writes) {
      EXPECT_TRUE(expected.emplace(version, value).second) << "two writes acknowledged as version " << version;
    }
  }
  ASSERT_EQ(expected.size(), 4u * kWritesPerClient);
  for (std::uint16_t port : ports_) {
    BearerClient reader(port, token);
    EXPECT_EQ(FieldOf(reader.Call("GET", form), "kontaktperson").second, 4 * kWritesPerClient);
    json::value history = reader.Call("GET", form + "/fields/kontaktperson/history");
    std::map<std::int64_t, std::string> seen;
    for (const json::value& item : history.at("items").as_array()) {
      seen[item.at("version").to_number<std::int64_t>()] = std::string(item.at("value").as_string());
    }
    EXPECT_EQ(seen, expected);
  }
}

}  // namespace
}  // namespace spegla::test
