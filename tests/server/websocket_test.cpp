// WebSocket connections through the HTTP transport, over real sockets on 127.0.0.1 (port 0). Nothing waits
// by sleeping: tests wait on the protocol (a message, a close) or on the handlers' records, with timeouts.
#include "websocket.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/http_client.h"
#include "../support/ws_client.h"
#include "http_server.h"
#include "time_scale.h"

namespace spegla::server {
namespace {

using spegla::test::HttpClient;
using spegla::test::Scaled;
using spegla::test::TestResponse;
using spegla::test::WebSocketClient;
using ::testing::ElementsAre;
using namespace std::chrono_literals;

constexpr int kCloseNormal = 1000;
constexpr int kCloseGoingAway = 1001;
constexpr int kCloseUnsupportedData = 1003;
constexpr int kClosePolicyViolation = 1008;
constexpr int kCloseTooBig = 1009;
constexpr int kCloseInternalError = 1011;

// What the server's handlers saw, written on its threads and read by the test.
struct Seen {
  // One per handler the UpgradeHandler gave out, in order.
  struct Record {
    std::shared_ptr<WebSocketConnection> connection;
    int opens = 0;
    int closes = 0;
    std::vector<std::string> messages;
  };

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<HttpRequest> upgrades;  // every request to upgrade, accepted or not
  std::vector<Record> records;
  std::vector<AccessLogEntry> log;

  // Waits (10 s at most) until `done` holds, under the lock.
  bool WaitFor(const std::function<bool()>& done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, done);
  }

  template <class Change>
  void Update(Change change) {
    {
      std::lock_guard lock(mutex);
      change();
    }
    changed.notify_all();
  }

  std::shared_ptr<WebSocketConnection> Connection(size_t id) {
    std::lock_guard lock(mutex);
    return records.at(id).connection;
  }
  int Closes(size_t id) {
    std::lock_guard lock(mutex);
    return records.at(id).closes;
  }
};

// Records what happens and echoes each message; "throw" makes OnMessage throw.
class EchoHandler : public WebSocketHandler {
 public:
  EchoHandler(Seen& seen, size_t id) : seen_(seen), id_(id) {}

  void OnOpen(std::shared_ptr<WebSocketConnection> connection) override {
    connection_ = connection;
    seen_.Update([&] {
      seen_.records[id_].connection = connection;
      ++seen_.records[id_].opens;
    });
  }

  void OnMessage(const std::string& text) override {
    if (text == "throw") throw std::runtime_error("asked to throw");
    seen_.Update([&] { seen_.records[id_].messages.push_back(text); });
    connection_->Send(text);
  }

  void OnClose() override {
    connection_.reset();
    seen_.Update([&] { ++seen_.records[id_].closes; });
  }

 private:
  Seen& seen_;
  const size_t id_;
  std::shared_ptr<WebSocketConnection> connection_;
};

// Answers ordinary requests, upgrades included when there is no UpgradeHandler.
HttpResponse Normal(const HttpRequest& request) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = "normal " + request.method + " " + request.path;
  return response;
}

class WebSocketTest : public ::testing::Test {
 protected:
  // Accepts every upgrade with an EchoHandler (signed in as "ann"), but to /refuse (403).
  HttpServerOptions Options() {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.websocket = [this](const HttpRequest& request) {
      WebSocketAcceptance acceptance;
      seen_.Update([&] {
        seen_.upgrades.push_back(request);
        if (request.path == "/refuse") return;
        acceptance.handler = std::make_shared<EchoHandler>(seen_, seen_.records.size());
        seen_.records.emplace_back();
      });
      if (acceptance.handler) {
        acceptance.refusal.user = "ann";
      } else {
        acceptance.refusal.status = 403;
        acceptance.refusal.headers.emplace_back("X-Why", "test");
        acceptance.refusal.body = R"({"error":"refused"})";
      }
      return acceptance;
    };
    options.access_log = [this](const AccessLogEntry& entry) {
      seen_.Update([&] { seen_.log.push_back(entry); });
    };
    return options;
  }

  void Serve(HttpServerOptions options) {
    server_ = std::make_unique<HttpServer>(std::move(options), Normal);
    server_->Start();
  }
  void Serve() { Serve(Options()); }
  std::uint16_t port() const { return server_->port(); }

  // Connects a client and waits until its handler has been opened.
  void Open(WebSocketClient& client, size_t opened_before) {
    ASSERT_EQ(client.Connect(port(), "/ws"), 101);
    ASSERT_TRUE(seen_.WaitFor(
        [&] { return seen_.records.size() > opened_before && seen_.records[opened_before].opens == 1; }));
  }

  // Declared first: the handlers that write here live as long as the server.
  Seen seen_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(WebSocketTest, EchoesThroughTheHandlerAndSeesTheRequest) {
  Serve();
  WebSocketClient client;
  ASSERT_EQ(client.Connect(port(), "/ws?room=7&x", {{"X-Test", "yes"}}), 101);
  EXPECT_EQ(client.response().Header("server"), "spegla");
  ASSERT_TRUE(client.Send("hello"));
  EXPECT_EQ(client.Receive(), "hello");
  ASSERT_TRUE(client.Send("héllo again"));
  EXPECT_EQ(client.Receive(), "héllo again");

  std::lock_guard lock(seen_.mutex);
  ASSERT_EQ(seen_.upgrades.size(), 1u);
  const HttpRequest& request = seen_.upgrades[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/ws?room=7&x");
  EXPECT_EQ(request.path, "/ws");
  ASSERT_NE(request.Query("room"), nullptr);
  EXPECT_EQ(*request.Query("room"), "7");
  ASSERT_NE(request.Query("x"), nullptr);
  EXPECT_EQ(request.Header("x-test"), "yes");
  EXPECT_EQ(request.Header("upgrade"), "websocket");
  EXPECT_EQ(request.remote_address, "127.0.0.1");
  EXPECT_FALSE(request.secure);
  EXPECT_THAT(seen_.records[0].messages, ElementsAre("hello", "héllo again"));
}

TEST_F(WebSocketTest, ARefusalIsAnsweredAsItsResponseWithoutAnUpgrade) {
  Serve();
  WebSocketClient client;
  EXPECT_EQ(client.Connect(port(), "/refuse"), 403);
  EXPECT_EQ(client.response().body, R"({"error":"refused"})");
  EXPECT_EQ(client.response().Header("x-why"), "test");
  EXPECT_EQ(client.response().Header("server"), "spegla");
  EXPECT_EQ(client.response().Header("upgrade"), "");
  EXPECT_TRUE(client.closed());
  EXPECT_FALSE(client.Send("anyone?"));
  // The server closes the connection after a refusal.
  HttpClient http(port());
  EXPECT_EQ(http.Request("GET", "/after").body, "normal GET /after");
  std::lock_guard lock(seen_.mutex);
  EXPECT_EQ(seen_.upgrades.size(), 1u);
  EXPECT_TRUE(seen_.records.empty());
}

TEST_F(WebSocketTest, LogsAcceptedAndRefusedUpgrades) {
  Serve();
  WebSocketClient accepted;
  ASSERT_EQ(accepted.Connect(port(), "/ws?a=1"), 101);
  WebSocketClient refused;
  ASSERT_EQ(refused.Connect(port(), "/refuse"), 403);
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.log.size() >= 2; }));
  accepted.Close();
  server_->Stop();
  std::lock_guard lock(seen_.mutex);
  ASSERT_EQ(seen_.log.size(), 2u);  // one entry each, none for the messages or the close
  const AccessLogEntry& first = seen_.log[0].status == 101 ? seen_.log[0] : seen_.log[1];
  const AccessLogEntry& second = seen_.log[0].status == 101 ? seen_.log[1] : seen_.log[0];
  EXPECT_EQ(first.status, 101);
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.target, "/ws?a=1");
  EXPECT_EQ(first.user, "ann");
  EXPECT_EQ(first.remote_address, "127.0.0.1");
  EXPECT_EQ(second.status, 403);
  EXPECT_EQ(second.target, "/refuse");
}

TEST_F(WebSocketTest, AMessageOverTheLimitClosesWith1009) {
  HttpServerOptions options = Options();
  options.websocket_message_limit = 1024;
  Serve(std::move(options));
  WebSocketClient client;
  Open(client, 0);
  ASSERT_TRUE(client.Send(std::string(1024, 'a')));
  EXPECT_EQ(client.Receive(), std::string(1024, 'a'));
  client.Send(std::string(2000, 'b'));
  EXPECT_EQ(client.Receive(), std::nullopt);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), kCloseTooBig);
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.records[0].closes == 1; }));
  std::lock_guard lock(seen_.mutex);
  EXPECT_EQ(seen_.records[0].messages.size(), 1u);
}

TEST_F(WebSocketTest, ABinaryMessageClosesWith1003) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  ASSERT_TRUE(client.SendBinary(std::string("\x01\x02\x03", 3)));
  EXPECT_EQ(client.Receive(), std::nullopt);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), kCloseUnsupportedData);
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.records[0].closes == 1; }));
  std::lock_guard lock(seen_.mutex);
  EXPECT_TRUE(seen_.records[0].messages.empty());
}

TEST_F(WebSocketTest, AHandlerThatThrowsClosesWith1011) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  ASSERT_TRUE(client.Send("throw"));
  EXPECT_EQ(client.Receive(), std::nullopt);
  EXPECT_EQ(client.close_code(), kCloseInternalError);
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.records[0].closes == 1; }));
}

TEST_F(WebSocketTest, ASlowClientIsClosedWith1008AndTheOthersKeepReceiving) {
  HttpServerOptions options = Options();
  options.websocket_send_limit = 64 * 1024;
  Serve(std::move(options));
  WebSocketClient slow;
  slow.set_receive_buffer(16 * 1024);  // the kernel holds little for it
  Open(slow, 0);
  WebSocketClient fast;
  Open(fast, 1);
  auto to_slow = seen_.Connection(0);
  auto to_fast = seen_.Connection(1);

  // In step with the fast client, which reads each message before the next round: the slow one's messages
  // fill the kernel's buffers (a few MiB at most), then the send limit. 16 MiB is well past both.
  const std::string chunk(16 * 1024, 's');
  const size_t rounds = 1024;
  for (size_t i = 0; i < rounds; ++i) {
    to_slow->Send(chunk);
    std::string tick = "tick " + std::to_string(i);
    to_fast->Send(tick);
    ASSERT_EQ(fast.Receive(), tick);
  }

  // Now the slow client reads: what was written before the limit, then the close.
  size_t received = 0;
  while (auto message = slow.Receive()) received += message->size();
  EXPECT_TRUE(slow.closed());
  EXPECT_EQ(slow.close_code(), kClosePolicyViolation);
  EXPECT_EQ(slow.close_reason(), "too slow");
  EXPECT_GT(received, 0u);
  EXPECT_LT(received, rounds * chunk.size());
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.records[0].closes == 1; }));

  to_slow->Send("gone");  // does nothing now
  to_fast->Send("still here");
  EXPECT_EQ(fast.Receive(), "still here");
  ASSERT_TRUE(fast.Send("and you?"));
  EXPECT_EQ(fast.Receive(), "and you?");
  EXPECT_EQ(seen_.Closes(1), 0);
}

TEST_F(WebSocketTest, PingsKeepAReadingClientAndDropASilentOne) {
  HttpServerOptions options = Options();
  // The reading client must answer within half an interval: scaled, so that a slow build keeps up.
  options.websocket_ping = Scaled(300ms);
  Serve(std::move(options));
  WebSocketClient reading;
  Open(reading, 0);
  WebSocketClient silent;  // never reads, so never answers a ping
  Open(silent, 1);
  // The reading client answers pings while it waits for messages (which do not come).
  auto deadline = std::chrono::steady_clock::now() + Scaled(10s);
  while (seen_.Closes(1) == 0 && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(reading.Receive(Scaled(100ms)), std::nullopt);
  }
  EXPECT_EQ(seen_.Closes(1), 1);
  // Several ping intervals more.
  EXPECT_EQ(reading.Receive(Scaled(1200ms)), std::nullopt);
  EXPECT_FALSE(reading.closed());
  ASSERT_TRUE(reading.Send("alive"));
  EXPECT_EQ(reading.Receive(), "alive");
  EXPECT_EQ(seen_.Closes(0), 0);
}

TEST_F(WebSocketTest, SendsFromAnotherThreadInOrder) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  auto connection = seen_.Connection(0);
  std::thread sender([connection] {
    for (int i = 0; i < 200; ++i) connection->Send("m" + std::to_string(i));
  });
  for (int i = 0; i < 200; ++i) ASSERT_EQ(client.Receive(), "m" + std::to_string(i));
  sender.join();
}

TEST_F(WebSocketTest, OnCloseOnceWhenThePeerCloses) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  client.Close();
  EXPECT_EQ(client.close_code(), kCloseNormal);  // the server's answer
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.records[0].closes == 1; }));
  seen_.Connection(0)->Send("too late");  // does nothing
  seen_.Connection(0)->Close("too late");
  server_->Stop();
  EXPECT_EQ(seen_.Closes(0), 1);
}

TEST_F(WebSocketTest, OnCloseOnceWhenTheServerClosesAfterWhatIsQueued) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  auto connection = seen_.Connection(0);
  connection->Send("one");
  connection->Send("two");
  connection->Close("bye");
  connection->Send("after the close");  // dropped
  EXPECT_EQ(client.Receive(), "one");
  EXPECT_EQ(client.Receive(), "two");
  EXPECT_EQ(client.Receive(), std::nullopt);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), kCloseNormal);
  EXPECT_EQ(client.close_reason(), "bye");
  ASSERT_TRUE(seen_.WaitFor([&] { return seen_.records[0].closes == 1; }));
  connection->Close("again");
  server_->Stop();
  EXPECT_EQ(seen_.Closes(0), 1);
}

TEST_F(WebSocketTest, StopClosesWith1001PromptlyAndCallsOnCloseForEach) {
  HttpServerOptions options = Options();
  options.stop_grace = 30s;
  Serve(std::move(options));
  WebSocketClient reading;
  Open(reading, 0);
  WebSocketClient idle;  // does not read: the server does not wait long for its answer
  Open(idle, 1);
  HttpClient http(port());  // an idle keep-alive connection as well
  ASSERT_EQ(http.Request("GET", "/").status, 200);

  std::thread reader([&reading] {
    while (reading.Receive(20s)) {
    }
  });
  auto started = std::chrono::steady_clock::now();
  server_->Stop();
  auto took = std::chrono::steady_clock::now() - started;
  reader.join();
  EXPECT_LT(took, 10s);  // a second's wait for the idle client, far from stop_grace

  EXPECT_EQ(reading.close_code(), kCloseGoingAway);
  EXPECT_EQ(reading.close_reason(), "server stopping");
  EXPECT_EQ(idle.Receive(), std::nullopt);  // its close frame waited in the kernel
  EXPECT_EQ(idle.close_code(), kCloseGoingAway);
  EXPECT_EQ(seen_.Closes(0), 1);
  EXPECT_EQ(seen_.Closes(1), 1);
}

TEST_F(WebSocketTest, HttpRequestsStillWorkBesideWebSockets) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  HttpClient http(port());
  TestResponse plain = http.Request("GET", "/ws");  // the same path without asking to upgrade
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "normal GET /ws");
  EXPECT_EQ(http.Request("POST", "/other", "x").body, "normal POST /other");
  ASSERT_TRUE(client.Send("still open"));
  EXPECT_EQ(client.Receive(), "still open");
  std::lock_guard lock(seen_.mutex);
  EXPECT_EQ(seen_.upgrades.size(), 1u);
}

TEST_F(WebSocketTest, WithoutAnUpgradeHandlerTheHandlerAnswersAnUpgrade) {
  HttpServerOptions options = Options();
  options.websocket = nullptr;
  Serve(std::move(options));
  WebSocketClient client;
  EXPECT_EQ(client.Connect(port(), "/ws"), 200);
  EXPECT_EQ(client.response().body, "normal GET /ws");
  EXPECT_TRUE(client.closed());
}

TEST_F(WebSocketTest, AConnectionHeldPastTheServerDoesNothing) {
  Serve();
  WebSocketClient client;
  Open(client, 0);
  auto connection = seen_.Connection(0);
  server_.reset();
  connection->Send("nobody");
  connection->Close("nobody");
  EXPECT_EQ(client.Receive(), std::nullopt);
  EXPECT_EQ(client.close_code(), kCloseGoingAway);
  EXPECT_EQ(seen_.Closes(0), 1);
}

}  // namespace
}  // namespace spegla::server
