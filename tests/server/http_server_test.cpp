// The HTTP transport over real sockets on 127.0.0.1 (port 0). Nothing waits by sleeping: tests wait on the
// protocol (a response, the server closing) or on latches; only the timeout tests configure short timeouts.
#include "http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "../support/http_client.h"
#include "time_scale.h"

namespace spegla::server {
namespace {

using spegla::test::HttpClient;
using spegla::test::Scaled;
using spegla::test::SendRaw;
using spegla::test::TestResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

HttpServerOptions TestOptions() {
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  return options;
}

// Answers "METHOD path body" as text.
HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.path + (request.body.empty() ? "" : " " + request.body);
  return response;
}

// The responses in what a server sent back, in order: status line and body (by Content-Length).
struct RawResponse {
  std::string status_line;
  std::string head;
  std::string body;
};

// `to_head` lists the responses (by position) that answer HEAD: their Content-Length announces no body.
std::vector<RawResponse> SplitResponses(const std::string& raw, const std::vector<size_t>& to_head = {}) {
  std::vector<RawResponse> responses;
  size_t at = 0;
  while (at < raw.size()) {
    size_t end = raw.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    RawResponse response;
    response.head = raw.substr(at, end + 4 - at);
    response.status_line = response.head.substr(0, response.head.find("\r\n"));
    size_t length = 0;
    std::string lower = response.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (size_t field = lower.find("\r\ncontent-length:"); field != std::string::npos) {
      length = std::stoul(lower.substr(field + 17));
    }
    if (std::find(to_head.begin(), to_head.end(), responses.size()) != to_head.end()) length = 0;
    response.body = raw.substr(end + 4, length);
    at = end + 4 + length;
    responses.push_back(response);
  }
  return responses;
}

std::vector<std::string> Bodies(const std::vector<RawResponse>& responses) {
  std::vector<std::string> bodies;
  for (const auto& response : responses) bodies.push_back(response.body);
  return bodies;
}

// True when nothing listens on the port any more.
bool ConnectionRefused(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  int error = errno;
  ::close(fd);
  return result != 0 && error == ECONNREFUSED;
}

// A blocking socket for exchanges SendRaw cannot make (send, read some, act, read again).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  ~RawConnection() { ::close(fd_); }

  void Send(const std::string& bytes) {
    EXPECT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }

  // Reads until `end` has come (returns all read so far), the peer closes, or 30 s pass.
  std::string ReadUntil(const std::string& end) {
    std::string received;
    char byte;
    while (received.find(end) == std::string::npos && ::recv(fd_, &byte, 1, 0) == 1) received += byte;
    return received;
  }

 private:
  int fd_;
};

// A server serving on background threads for one test; stopped (and its threads joined) at the end.
class HttpServerTest : public ::testing::Test {
 protected:
  void Serve(Handler handler, HttpServerOptions options = TestOptions()) {
    server_ = std::make_unique<HttpServer>(std::move(options), std::move(handler));
    server_->Start();
  }
  std::uint16_t port() const { return server_->port(); }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersAGetThroughTheHandler) {
  Serve([](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; charset=utf-8";
    response.headers = {{"X-Test", "yes"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
    response.body = "hello";
    return response;
  });
  EXPECT_NE(port(), 0);
  HttpClient client(port());
  TestResponse response = client.Request("GET", "/hello");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.Header("content-length"), "5");
  EXPECT_EQ(response.Header("server"), "spegla");
  EXPECT_EQ(response.Header("x-test"), "yes");
  EXPECT_NE(response.Header("date"), "");
  EXPECT_EQ(response.Header("connection"), "");  // HTTP/1.1 keeps the connection by default
  EXPECT_THAT(response.set_cookies, ElementsAre("a=1", "b=2"));
  EXPECT_EQ(client.cookies().at("b"), "2");
}

TEST_F(HttpServerTest, DecodesPathQueryAndHeaders) {
  std::mutex mutex;
  HttpRequest seen;
  Serve([&](const HttpRequest& request) {
    std::lock_guard lock(mutex);
    seen = request;
    return HttpResponse{};
  });
  HttpClient client(port());
  std::string target = "/a%20b/c%C3%A5?x=1&y=hello%20world&x=2&flag&plus=a+b&empty=";
  TestResponse response = client.Request("POST", target, "payload", {{"X-Custom", "Value"}});
  ASSERT_EQ(response.status, 200);

  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, target);
  EXPECT_EQ(seen.path, "/a b/c\xc3\xa5");
  using Pair = std::pair<std::string, std::string>;
  EXPECT_THAT(seen.query, ElementsAre(Pair{"x", "1"}, Pair{"y", "hello world"}, Pair{"x", "2"},
                                      Pair{"flag", ""}, Pair{"plus", "a b"}, Pair{"empty", ""}));
  ASSERT_NE(seen.Query("x"), nullptr);
  EXPECT_EQ(*seen.Query("x"), "1");
  EXPECT_EQ(seen.Query("missing"), nullptr);
  EXPECT_EQ(seen.Header("x-custom"), "Value");
  EXPECT_EQ(seen.Header("host"), "127.0.0.1:" + std::to_string(port()));
  EXPECT_EQ(seen.Header("content-length"), "7");
  EXPECT_EQ(seen.Header("missing"), "");
  for (const auto& [name, value] : seen.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
  EXPECT_EQ(seen.body, "payload");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
  EXPECT_FALSE(seen.secure);
}

TEST_F(HttpServerTest, AnswersHeadLikeGetWithoutTheBody) {
  Serve([](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = "0123456789";
    return response;
  });
  HttpClient client(port());
  TestResponse head = client.Request("HEAD", "/");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), "10");
  EXPECT_EQ(head.Header("content-type"), "text/plain");
  EXPECT_EQ(head.body, "");
  // Had the body been sent, this response would be read from its bytes.
  TestResponse get = client.Request("GET", "/");
  EXPECT_EQ(get.body, "0123456789");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpServerTest, SendsNoBodyWhereTheStatusForbidsOne) {
  Serve([](const HttpRequest&) {
    HttpResponse response;
    response.status = 204;
    response.body = "ignored";
    return response;
  });
  HttpClient client(port());
  TestResponse response = client.Request("DELETE", "/thing");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.Header("content-length"), "");
  EXPECT_EQ(client.Request("DELETE", "/thing").status, 204);  // and the connection stays in step
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpServerTest, AHandlerThatThrowsIsAnswered500) {
  Serve([](const HttpRequest& request) -> HttpResponse {
    if (request.path == "/throw") throw std::runtime_error("deliberately");
    return Echo(request);
  });
  HttpClient client(port());
  TestResponse response = client.Request("GET", "/throw");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  EXPECT_EQ(client.Request("GET", "/fine").body, "GET /fine");
}

TEST_F(HttpServerTest, RefusesABodyOverTheLimitWith413AndCloses) {
  std::atomic<int> handled{0};
  HttpServerOptions options = TestOptions();
  options.body_limit = 1024;
  Serve(
      [&](const HttpRequest& request) {
        ++handled;
        return Echo(request);
      },
      options);
  HttpClient client(port());
  TestResponse fits = client.Request("POST", "/upload", std::string(1024, 'x'));
  EXPECT_EQ(fits.status, 200);

  TestResponse response = client.Request("POST", "/upload", std::string(4096, 'x'));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  EXPECT_EQ(response.Header("connection"), "close");
  boost::json::object problem = boost::json::parse(response.body).as_object();
  EXPECT_EQ(problem.at("status").as_int64(), 413);
  EXPECT_EQ(problem.at("title").as_string(), "Payload Too Large");
  EXPECT_TRUE(problem.contains("type"));
  EXPECT_TRUE(problem.contains("detail"));
  EXPECT_FALSE(client.connected());

  // Chunked, so that only reading the body finds it too large.
  std::string chunked = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                        std::string(2048, 'y') + "\r\n0\r\n\r\n";
  bool closed = false;
  std::string raw = SendRaw(port(), chunked, 10s, &closed);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 413 "));
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled.load(), 1);
}

TEST_F(HttpServerTest, RefusesAHeaderOverTheLimitWith431) {
  HttpServerOptions options = TestOptions();
  options.header_limit = 1024;
  Serve(Echo, options);
  HttpClient client(port());
  TestResponse response = client.Request("GET", "/", "", {{"X-Big", std::string(4096, 'a')}});
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  EXPECT_EQ(response.Header("connection"), "close");
  EXPECT_EQ(client.Request("GET", "/small").status, 200);  // on a new connection
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(HttpServerTest, AnswersGarbageWith400AndCloses) {
  std::atomic<int> handled{0};
  Serve([&](const HttpRequest& request) {
    ++handled;
    return Echo(request);
  });
  bool closed = false;
  std::string raw = SendRaw(port(), "GARBAGE\r\n\r\n", 10s, &closed);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(raw, HasSubstr("Content-Type: application/problem+json"));
  EXPECT_THAT(raw, HasSubstr("Connection: close"));
  EXPECT_TRUE(closed);

  closed = false;
  raw = SendRaw(port(), "GET /bad%zzescape HTTP/1.1\r\nHost: x\r\n\r\n", 10s, &closed);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 400 "));
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled.load(), 0);
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  std::mutex mutex;
  std::vector<std::string> order;
  Serve([&](const HttpRequest& request) {
    {
      std::lock_guard lock(mutex);
      order.push_back(request.path);
    }
    return Echo(request);
  });
  bool closed = false;
  std::string raw = SendRaw(port(),
                            "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                            "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                            "HEAD /three HTTP/1.1\r\nHost: x\r\n\r\n"
                            "GET /four HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                            10s, &closed);
  EXPECT_TRUE(closed);
  std::vector<RawResponse> responses = SplitResponses(raw, {2});
  ASSERT_EQ(responses.size(), 4u) << raw;
  EXPECT_EQ(responses[0].body, "GET /one");
  EXPECT_EQ(responses[1].body, "POST /two abc");
  EXPECT_THAT(responses[2].head, HasSubstr("Content-Length: 11"));  // HEAD /three, without the body
  EXPECT_EQ(responses[2].body, "");
  EXPECT_EQ(responses[3].body, "GET /four");
  EXPECT_THAT(responses[3].head, HasSubstr("Connection: close"));
  std::lock_guard lock(mutex);
  EXPECT_THAT(order, ElementsAre("/one", "/two", "/three", "/four"));
}

TEST_F(HttpServerTest, AnswersTwoHundredPipelinedRequestsInOrder) {
  Serve(Echo, TestOptions());
  std::string requests;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    requests += "GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n" +
                (i == 199 ? "Connection: close\r\n" : "") + "\r\n";
    expected.push_back("GET /r" + std::to_string(i));
  }
  bool closed = false;
  std::string raw = SendRaw(port(), requests, 10s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(Bodies(SplitResponses(raw)), expected);
}

TEST_F(HttpServerTest, KeepsTheConnectionAliveAndClosesWhenAsked) {
  Serve(Echo);
  HttpClient client(port());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.Request("GET", "/n" + std::to_string(i)).body, "GET /n" + std::to_string(i));
  }
  EXPECT_EQ(client.connections_opened(), 1);
  TestResponse last = client.Request("GET", "/last", "", {{"Connection", "close"}});
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.Header("connection"), "close");
  EXPECT_FALSE(client.connected());

  // HTTP/1.0 closes unless asked otherwise.
  bool closed = false;
  std::string raw = SendRaw(port(), "GET /old HTTP/1.0\r\n\r\n", 10s, &closed);
  EXPECT_THAT(raw, StartsWith("HTTP/1.0 200 "));
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, SendsContinueWhenTheClientExpectsIt) {
  Serve(Echo);
  std::string raw = SendRaw(port(),
                            "POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"
                            "Connection: close\r\n\r\nabc");
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 "));
  EXPECT_THAT(raw, HasSubstr("POST /e abc"));
}

TEST_F(HttpServerTest, AnswersAHalfSentRequest408AfterTheReadTimeout) {
  std::atomic<int> handled{0};
  HttpServerOptions options = TestOptions();
  options.read_timeout = 200ms;
  Serve(
      [&](const HttpRequest& request) {
        ++handled;
        return Echo(request);
      },
      options);
  bool closed = false;
  std::string raw = SendRaw(port(), "GET / HTTP/1.1\r\nHost: x\r\n", 10s, &closed);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 408 "));
  EXPECT_THAT(raw, HasSubstr("Connection: close"));
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled.load(), 0);
}

TEST_F(HttpServerTest, ClosesAnIdleConnectionAfterTheIdleTimeout) {
  HttpServerOptions options = TestOptions();
  // The request and its response must each fit in it: scaled, so that a slow build keeps up.
  options.idle_timeout = Scaled(200ms);
  Serve(Echo, options);
  HttpClient client(port());
  EXPECT_EQ(client.Request("GET", "/").status, 200);
  EXPECT_TRUE(client.WaitForClose());

  bool closed = false;
  EXPECT_EQ(SendRaw(port(), "", 10s, &closed), "");  // connected, never sent anything
  EXPECT_TRUE(closed);
}

// Stop while a request is being handled: the idle connection closes at once, the request in flight gets
// its response (marked Connection: close), and then the server's threads end.
void StopWhileHandling(bool run_on_a_thread_of_our_own) {
  std::latch entered(1);
  std::latch release(1);
  HttpServer server(TestOptions(), [&](const HttpRequest& request) {
    if (request.path == "/slow") {
      entered.count_down();
      release.wait();
    }
    return Echo(request);
  });
  std::uint16_t port = server.port();
  std::thread runner;
  if (run_on_a_thread_of_our_own) {
    runner = std::thread([&] { server.Run(); });
  } else {
    server.Start();
  }

  HttpClient idle(port);
  ASSERT_EQ(idle.Request("GET", "/fast").status, 200);
  TestResponse slow;
  bool slow_connection_closed = false;
  std::thread slow_client([&] {
    HttpClient client(port);
    slow = client.Request("GET", "/slow");
    slow_connection_closed = !client.connected();
  });
  entered.wait();
  std::thread stopper([&] { server.Stop(); });
  EXPECT_TRUE(idle.WaitForClose());  // the stop has begun
  EXPECT_TRUE(ConnectionRefused(port));
  release.count_down();
  slow_client.join();
  stopper.join();
  if (runner.joinable()) runner.join();  // Run returns by itself

  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.body, "GET /slow");
  EXPECT_EQ(slow.Header("connection"), "close");
  EXPECT_TRUE(slow_connection_closed);
  server.Stop();  // idempotent
}

TEST(HttpServerStopTest, DeliversTheResponseInFlightAfterStart) { StopWhileHandling(false); }

TEST(HttpServerStopTest, DeliversTheResponseInFlightAndRunReturns) { StopWhileHandling(true); }

TEST(HttpServerStopTest, RunReturnsAtOnceWhenStoppedBefore) {
  HttpServer server(TestOptions(), Echo);
  server.Stop();
  server.Run();
}

TEST(HttpServerStopTest, StopGraceEndsAConnectionThatNeverFinishesItsRequest) {
  HttpServerOptions options = TestOptions();
  options.read_timeout = 600s;
  options.stop_grace = 200ms;
  auto server = std::make_unique<HttpServer>(options, Echo);
  server->Start();
  // The 100 Continue tells that the server has read the header and waits for a body that never comes.
  RawConnection client(server->port());
  client.Send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n");
  EXPECT_EQ(client.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  server->Stop();  // returns after stop_grace, not read_timeout
  server.reset();
  EXPECT_EQ(client.ReadUntil("never"), "");  // closed without an answer
}

TEST(HttpServerStopTest, StopsOnSigterm) {
  HttpServerOptions options = TestOptions();
  options.handle_signals = true;
  HttpServer server(options, Echo);
  std::raise(SIGTERM);
  server.Run();  // returns because of the signal
  EXPECT_TRUE(ConnectionRefused(server.port()));
}

TEST(HttpServerBindTest, ThrowsWhenThePortIsTaken) {
  HttpServer first(TestOptions(), Echo);
  HttpServerOptions options = TestOptions();
  options.port = first.port();
  EXPECT_THROW(HttpServer(options, Echo), std::system_error);
  options.address = "192.0.2.1";  // TEST-NET-1: not this machine's
  options.port = 0;
  EXPECT_THROW(HttpServer(options, Echo), std::system_error);
}

TEST_F(HttpServerTest, LogsEveryResponse) {
  std::mutex mutex;
  std::condition_variable logged;
  std::vector<AccessLogEntry> entries;
  HttpServerOptions options = TestOptions();
  options.access_log = [&](const AccessLogEntry& entry) {
    std::lock_guard lock(mutex);
    entries.push_back(entry);
    logged.notify_all();
  };
  Serve(
      [](const HttpRequest& request) {
        HttpResponse response = Echo(request);
        if (request.path == "/me") response.user = "alice";
        return response;
      },
      options);
  // The entry is written after the response, so it may come after the client has read it.
  auto wait_for = [&](size_t count) {
    std::unique_lock lock(mutex);
    return logged.wait_for(lock, 30s, [&] { return entries.size() >= count; });
  };
  auto before = std::chrono::system_clock::now();
  HttpClient client(port());
  TestResponse me = client.Request("GET", "/me?x=1");
  ASSERT_TRUE(wait_for(1));
  auto after = std::chrono::system_clock::now();
  client.Request("HEAD", "/anonymous");
  ASSERT_TRUE(wait_for(2));
  SendRaw(port(), "GARBAGE\r\n\r\n");
  ASSERT_TRUE(wait_for(3));

  std::lock_guard lock(mutex);
  const AccessLogEntry& first = entries[0];
  EXPECT_EQ(first.remote_address, "127.0.0.1");
  EXPECT_EQ(first.user, "alice");
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.target, "/me?x=1");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.response_bytes, me.body.size());
  EXPECT_GE(first.at, before - 1s);  // the log keeps whole seconds at best; the clock need not be monotonic
  EXPECT_LE(first.at, after + 1s);
  EXPECT_GE(first.duration.count(), 0);
  EXPECT_EQ(entries[1].user, "-");
  EXPECT_EQ(entries[1].method, "HEAD");
  EXPECT_EQ(entries[1].response_bytes, 0u);
  EXPECT_EQ(entries[2].status, 400);
}

TEST(AccessLogLineTest, FormatsLikeTheExample) {
  using namespace std::chrono;
  AccessLogEntry entry;
  entry.at = sys_days{year{2026} / 11 / 23} + 17h + 50min + 1s + 300ms;
  entry.remote_address = "127.0.0.1";
  entry.user = "admin";
  entry.method = "GET";
  entry.target = "/api/me";
  entry.status = 200;
  entry.response_bytes = 312;
  entry.duration = 412us;
  EXPECT_EQ(FormatAccessLogLine(entry),
            "127.0.0.1 - admin [2026-11-23T17:50:01Z] \"GET /api/me\" 200 312 0.412ms");

  entry.user = "";
  entry.target = "/a\"b";
  entry.duration = 1234567us;
  EXPECT_EQ(FormatAccessLogLine(entry),
            "127.0.0.1 - - [2026-11-23T17:50:01Z] \"GET /a\\x22b\" 200 312 1234.567ms");
}

TEST_F(HttpServerTest, ServesClientsOnSeveralThreadsAtOnce) {
  HttpServerOptions options = TestOptions();
  options.threads = 4;
  Serve(Echo, options);
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(port());
      for (int i = 0; i < kRequests; ++i) {
        std::string path = "/c" + std::to_string(c) + "/" + std::to_string(i);
        TestResponse response = client.Request("POST", path, "body" + std::to_string(i));
        if (response.status == 200 && response.body == "POST " + path + " body" + std::to_string(i)) ++good;
      }
      EXPECT_EQ(client.connections_opened(), 1);
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

}  // namespace
}  // namespace spegla::server

namespace spegla::server {
namespace {

// Writes run on the handler pool: with one I/O thread, four writes can wait (for a commit, say) at once
// while reads are still answered; a stop delivers the writes' responses.
TEST(HttpServerPoolTest, WritesWaitOnThePoolWhileTheIoThreadServesReads) {
  HttpServerOptions options = TestOptions();
  options.threads = 1;
  options.handler_threads = 4;
  std::latch all_waiting(4);
  std::latch release(1);
  std::mutex mutex;
  std::set<std::thread::id> write_threads;
  HttpServer server(options, [&](const HttpRequest& request) {
    if (request.method == "POST") {
      {
        std::lock_guard lock(mutex);
        write_threads.insert(std::this_thread::get_id());
      }
      all_waiting.count_down();
      release.wait();
    }
    return Echo(request);
  });
  server.Start();
  std::vector<std::thread> writers;
  std::vector<TestResponse> answers(4);
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&, i] {
      HttpClient client(server.port());
      answers[static_cast<size_t>(i)] = client.Request("POST", "/w" + std::to_string(i), "x");
    });
  }
  all_waiting.wait();  // four handlers blocked at once: they are not on the one I/O thread
  HttpClient reader(server.port());
  EXPECT_EQ(reader.Request("GET", "/read").body, "GET /read");
  std::thread stopper([&] { server.Stop(); });
  release.count_down();
  for (std::thread& t : writers) t.join();
  stopper.join();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(answers[static_cast<size_t>(i)].status, 200);
    EXPECT_EQ(answers[static_cast<size_t>(i)].body, "POST /w" + std::to_string(i) + " x");
  }
  EXPECT_EQ(write_threads.size(), 4u);
}

}  // namespace
}  // namespace spegla::server
