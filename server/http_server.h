// The HTTP/1.1 transport (Boost.Beast over Asio): accepts connections on a thread pool, reads requests
// within limits, hands each to a Handler and writes its response; stops cleanly on request or signal.
//
// Limits: a body larger than `body_limit` is answered 413 and the connection closed; a header section
// larger than `header_limit` 431; a request not read completely within `read_timeout` closes the
// connection (408 when something was read); an idle keep-alive connection closes after `idle_timeout`.
// Pipelining is capped at one request: a connection does not read while it handles a request or writes
// its response, so requests a client sends ahead wait, unparsed, in the read buffer (header_limit plus one
// read) or in the kernel, where TCP flow control holds the client back; each is answered in turn, in order.
//
// WebSocket (websocket.h): with `websocket` set, a GET asking to upgrade goes to that UpgradeHandler instead
// of the Handler. It accepts with a WebSocketHandler, which then receives the connection's text messages,
// or refuses with an HTTP response. Limits: an incoming message over `websocket_message_limit` closes the
// connection (1009), as does a binary one (1003); a client with more than `websocket_send_limit` bytes
// queued to it is disconnected (1008, "too slow"); after half of `websocket_ping` without a word from the
// client the server pings it, and drops it when the whole has passed. A stop closes every WebSocket with
// 1001 (going away), waiting briefly for the client's answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http_message.h"
#include "websocket.h"

namespace spegla::server {

struct AccessLogEntry {
  std::chrono::system_clock::time_point at;
  std::string remote_address;
  std::string user;
  std::string method;
  std::string target;
  int status = 0;
  size_t response_bytes = 0;
  std::chrono::microseconds duration{0};
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  unsigned threads = 0;       // 0: one per core: the I/O threads
  // Handlers of requests that change state (other than GET, HEAD, OPTIONS) may wait for a commit to reach
  // the disk: they run on a pool of their own of this size, so that the I/O threads keep serving other
  // connections and concurrent writes can share one commit. Reads run on the I/O threads. 0: every
  // handler runs on the I/O threads.
  unsigned handler_threads = 0;
  size_t body_limit = 8 * 1024 * 1024;
  size_t header_limit = 16 * 1024;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds stop_grace{10'000};           // how long a stop waits for requests in flight
  bool handle_signals = false;                            // stop on SIGINT and SIGTERM
  std::function<void(const AccessLogEntry&)> access_log;  // called after each response; may be empty
  // Accepts or refuses WebSocket upgrades (on the I/O threads). Empty: an upgrade request is an ordinary
  // request for the Handler.
  UpgradeHandler websocket;
  size_t websocket_message_limit = 64 * 1024;        // a bigger incoming message closes with 1009
  size_t websocket_send_limit = 4 * 1024 * 1024;     // bytes queued to one client; over it: 1008
  std::chrono::milliseconds websocket_ping{20'000};  // ping after half of it in silence, drop after all
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and listens (throws std::system_error when the address cannot be used); serves after Run.
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;  // the port bound, also when 0 was asked for

  // Serves on `options.threads` threads (the caller's among them) until Stop or a signal; returns after
  // requests in flight have been answered (or `stop_grace` has passed) and every thread has ended.
  void Run();
  // Starts serving on background threads and returns at once (for tests); Stop then waits for them.
  void Start();
  // Stops accepting, closes idle connections, lets requests in flight finish, closes WebSockets (1001).
  // Thread-safe; idempotent. After Start, waits until the threads have ended.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One access-log line (combined-log-like, with the user and the time taken):
// 127.0.0.1 - admin [2026-11-23T17:50:01Z] "GET /api/me" 200 312 0.412ms
std::string FormatAccessLogLine(const AccessLogEntry& entry);

}  // namespace spegla::server
