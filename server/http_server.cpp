// The HTTP/1.1 transport: Boost.Beast over Asio. The only file that compiles Beast (it is slow to compile).
//
// Threads: one io_context run on `threads` threads. The acceptor, the signal set and the stop timer live on
// a control strand; every connection on a strand of its own, so a connection's steps never run at once.
//
// A connection is a loop, one request at a time:
//   idle     wait for the first byte of a request (idle_timeout; expiry just closes)
//   reading  read the header and body (read_timeout from the first byte; expiry answers 408)
//   handling call the handler: reads on the io thread, writes on the handler pool when there is one
//            (they may wait for a commit to reach the disk); the response comes back to the strand
//   writing  write the response (idle_timeout), then back to idle, or close
// Because the connection does not read while it handles or writes, pipelined requests wait: those that
// came with an earlier read lie in the read buffer, the rest unread in the kernel (TCP flow control then
// holds the client back). Each is parsed from the buffer and answered in turn, in order. So read-ahead is
// bounded by the buffer's size (header_limit plus one 16 KiB read).
//
// WebSocket: a GET asking to upgrade, when options.websocket is set, goes to that UpgradeHandler on the I/O
// thread, converted like any request. A refusal is written as the response, and the connection closes.
// An acceptance moves the connection's stream to a WebSocketSession on the same strand, which answers 101
// (a Beast websocket::stream over the tcp_stream, with its own timeouts and keep-alive pings), then reads
// text messages one at a time into the handler and writes the queued ones one at a time. Send and Close
// post to the strand; the application's WebSocketConnection does not keep the session alive. Every way of
// ending comes to the read loop ending, where OnClose is called, once. Sessions register like connections.
//
// Stop: close the acceptor, close idle connections, close WebSockets (1001; a client that has not answered
// within kWebSocketStopWait is dropped), let the others finish the request they are on and close after its
// response. When the last connection has gone the io_context runs out of work and the threads return;
// `stop_grace` later they are stopped regardless.
#include "http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

namespace spegla::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 16 * 1024;
// A connection closing after a response keeps reading (and discarding) for a while: closing a socket with
// unread input sends a reset, which can destroy the response before the client has read it (an error
// answered while the client is still sending its body, for one).
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr size_t kLingerBytes = 4 * 1024 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// How long a stop waits for a WebSocket client to answer its close (1001) before dropping the connection.
constexpr std::chrono::milliseconds kWebSocketStopWait{1000};

std::string JsonEscaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

// A log field that cannot break the line apart: quotes, backslashes, spaces and control bytes as \xHH.
std::string LogField(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || byte <= 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

// RFC 9110's IMF-fixdate, written out by hand: strftime's names follow the locale.
std::string HttpDate(std::chrono::system_clock::time_point at) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

HttpResponse Problem(int status, std::string_view title, std::string_view detail) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = "{\"type\":\"about:blank\",\"title\":\"" + JsonEscaped(title) +
                  "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" + JsonEscaped(detail) + "\"}";
  return response;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

[[noreturn]] void ThrowSystemError(const error_code& ec, const std::string& what) {
  throw std::system_error(static_cast<std::error_code>(ec), what);
}

// What the server keeps track of to stop: an HTTP connection, or a WebSocket that came from one.
class Session {
 public:
  virtual ~Session() = default;
  // From the stop, on any thread: finish or close, then go.
  virtual void OnServerStop() = 0;
};

// Everything the server shares between its threads; HttpServer::Impl is this.
class ServerCore {
 public:
  ServerCore(HttpServerOptions options, Handler handler);
  ~ServerCore();

  void Run();
  void Start();
  void Stop();
  void BeginStop();  // Stop without waiting; also from a signal or an io thread

  // A new connection joins (false when stopping: it must close); a connection leaving calls Unregister.
  bool Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);
  bool stopping() const { return stop_requested_.load(); }

  const HttpServerOptions options;
  const Handler handler;
  std::uint16_t port = 0;

 private:
  void Accept();
  void OnAccept(error_code ec, tcp::socket socket);
  void RunLoop();
  void JoinThreads();
  unsigned ThreadCount() const;
  tcp::endpoint Endpoint();

  // Declared before the io_context, so that they outlive it: connections destroyed along with its pending
  // handlers unregister here.
  std::mutex mutex_;
  bool stopping_ = false;                                             // guarded by mutex_
  bool destroying_ = false;                                           // guarded by mutex_
  std::unordered_map<Session*, std::weak_ptr<Session>> connections_;  // guarded by mutex_
  std::atomic<bool> stop_requested_{false};

  net::io_context io_;
  net::strand<net::io_context::executor_type> control_;  // the acceptor, signals and timers below
  tcp::acceptor acceptor_;
  std::optional<net::signal_set> signals_;
  net::steady_timer accept_pause_;
  net::steady_timer grace_timer_;

  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;  // guarded by threads_mutex_
  std::atomic<bool> started_{false};

 public:
  // Where handlers run when options.handler_threads > 0 (declared after io_: destroyed, and joined, first).
  std::optional<net::thread_pool> workers;
};

// A close frame's reason holds at most 123 bytes; cut at a character boundary (it must stay UTF-8).
std::string CloseReasonText(std::string reason) {
  constexpr size_t kMax = 123;
  if (reason.size() <= kMax) return reason;
  size_t size = kMax;
  while (size > 0 && (static_cast<unsigned char>(reason[size]) & 0xC0) == 0x80) --size;
  reason.resize(size);
  return reason;
}

class WebSocketSession;

// The connection as the application holds it: it points at the session without keeping it (or the Beast
// stream and the io_context behind it) alive, so that holding it past the end, or past the server, is
// harmless: Send and Close then find no session and do nothing.
class WebSocketHandle : public WebSocketConnection {
 public:
  explicit WebSocketHandle(std::weak_ptr<WebSocketSession> session) : session_(std::move(session)) {}
  void Send(std::string text) override;
  void Close(std::string reason) override;

 private:
  const std::weak_ptr<WebSocketSession> session_;
};

// One WebSocket, accepted on the strand of the HTTP connection it came from, which it keeps. One read at
// a time (each text message goes to the handler), one write at a time (the queue's front), at most one
// close. Every way of ending comes to the read loop ending (the peer's close; ours, after whose closing
// handshake Beast completes the read; an error; a timeout; a dropped socket): that is where OnClose is
// called, once. The session lives while operations are pending, then unregisters.
class WebSocketSession : public Session, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(ServerCore& server, net::any_io_executor executor,
                   std::shared_ptr<WebSocketHandler> handler, AccessLogEntry log,
                   SteadyClock::time_point started)
      : server_(server),
        executor_(std::move(executor)),
        stop_timer_(executor_),
        handler_(std::move(handler)),
        log_(std::move(log)),
        started_(started) {}

  ~WebSocketSession() override {
    // Only when the io_context was stopped (stop_grace) and destroys the operations still pending: the
    // application hears of the end all the same.
    if (opened_ && handler_) CallOnClose();
    if (registered_) server_.Unregister(this);
  }

  // On the strand, before Accept; false when the server is stopping (then nothing may start).
  bool Register() {
    registered_ = server_.Register(shared_from_this());
    return registered_;
  }

  // Takes over the stream from which `request` was read and answers the upgrade (101). Bytes a client sent
  // after its request are lost with the HTTP connection's buffer: a client waits for the 101 (RFC 6455 4.1).
  void Accept(beast::tcp_stream stream, http::request<http::string_body> request) {
    const HttpServerOptions& options = server_.options;
    handle_ = std::make_shared<WebSocketHandle>(weak_from_this());
    stream.expires_never();  // the WebSocket stream keeps the time itself
    ws_.emplace(std::move(stream));
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    if (options.websocket_ping.count() > 0) {
      timeouts.idle_timeout = options.websocket_ping;
      timeouts.keep_alive_pings = true;
    } else {
      timeouts.idle_timeout = websocket::stream_base::none();
      timeouts.keep_alive_pings = false;
    }
    ws_->set_option(timeouts);
    // Called for the 101 and for the errors Beast answers itself (a missing key, a wrong version).
    ws_->set_option(websocket::stream_base::decorator([this](websocket::response_type& response) {
      response.set(http::field::server, "spegla");
      handshake_status_ = static_cast<int>(response.result_int());
    }));
    ws_->read_message_max(options.websocket_message_limit);
    ws_->text(true);
    request_ = std::move(request);
    state_ = State::kHandshake;
    ws_->async_accept(request_, beast::bind_front_handler(&WebSocketSession::OnAccept, shared_from_this()));
  }

  // Closes with 1001 (going away), waiting kWebSocketStopWait at most for the client's answer.
  void OnServerStop() override {
    net::dispatch(executor_, [self = shared_from_this()] {
      if (self->state_ == State::kClosed || self->stopping_) return;
      self->stopping_ = true;
      self->stop_timer_.expires_after(std::min<std::chrono::milliseconds>(
          kWebSocketStopWait, std::max(self->server_.options.stop_grace, std::chrono::milliseconds(1))));
      self->stop_timer_.async_wait([self](error_code ec) {
        if (!ec) self->CloseSocket();
      });
      // During the handshake, OnAccept closes when it has opened.
      if (self->state_ == State::kOpen) self->CloseNow(websocket::close_code::going_away, "server stopping");
    });
  }

  // From the handle, on any thread. The bytes are counted here, before the strand, so that a flood of
  // messages to a client that does not read is refused at once instead of piling up in the strand's queue.
  void Send(std::string text) {
    if (!sendable_.load()) return;
    const size_t size = text.size();
    const size_t before = queued_bytes_.fetch_add(size);
    // A message over the limit on its own still goes when nothing else is waiting: it could never go.
    if (before > 0 && before + size > server_.options.websocket_send_limit) {
      queued_bytes_.fetch_sub(size);
      if (sendable_.exchange(false)) {
        net::post(executor_, [self = shared_from_this()] {
          self->CloseNow(websocket::close_code::policy_error, "too slow");
        });
      }
      return;
    }
    net::post(executor_, [self = shared_from_this(), text = std::move(text)]() mutable {
      self->Enqueue(std::move(text));
    });
  }

  void Close(std::string reason) {
    if (!sendable_.exchange(false)) return;
    net::post(executor_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
      self->CloseAfterQueue(std::move(reason));
    });
  }

 private:
  enum class State { kHandshake, kOpen, kClosed };

  void OnAccept(error_code ec) {
    request_ = {};
    Log();
    if (ec) {
      // Nothing was opened, so nothing is closed: the handler is released without a call.
      state_ = State::kClosed;
      handler_.reset();
      stop_timer_.cancel();
      CloseSocket();
      return;
    }
    state_ = State::kOpen;
    opened_ = true;
    sendable_.store(true);
    try {
      handler_->OnOpen(handle_);
    } catch (const std::exception& e) {
      Failed("OnOpen", e.what());
    } catch (...) {
      Failed("OnOpen", "unknown exception");
    }
    if (stopping_) CloseNow(websocket::close_code::going_away, "server stopping");
    Read();
  }

  void Log() {
    log_.status = handshake_status_ != 0 ? handshake_status_ : 101;
    log_.response_bytes = 0;
    log_.duration = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_);
    if (!server_.options.access_log) return;
    try {
      server_.options.access_log(log_);
    } catch (...) {
      // A log that fails must not take the connection with it.
    }
  }

  void Read() {
    ws_->async_read(read_buffer_, beast::bind_front_handler(&WebSocketSession::OnRead, shared_from_this()));
  }

  void OnRead(error_code ec, size_t /*bytes*/) {
    if (ec) return Finish();  // Beast has closed (and answered a close or a broken rule), or the socket went
    if (!ws_->got_text()) {
      CloseNow(websocket::close_code::unknown_data, "text messages only");
    } else if (!closing_) {  // after a Close, the application hears no more
      std::string text = beast::buffers_to_string(read_buffer_.data());
      read_buffer_.clear();
      try {
        handler_->OnMessage(text);
      } catch (const std::exception& e) {
        Failed("OnMessage", e.what());
      } catch (...) {
        Failed("OnMessage", "unknown exception");
      }
    }
    read_buffer_.clear();
    // A big message's buffer is not kept for the connection's life.
    if (read_buffer_.capacity() > kReadChunk) read_buffer_.shrink_to_fit();
    // Reading on while closing lets Beast take the client's close and complete this read after it.
    Read();
  }

  void Failed(const char* where, const char* what) {
    std::fprintf(stderr, "spegla: WebSocket %s %s failed: %s\n", log_.target.c_str(), where, what);
    CloseNow(websocket::close_code::internal_error, "");
  }

  void Enqueue(std::string text) {
    if (state_ != State::kOpen || closing_) {
      queued_bytes_.fetch_sub(text.size());
      return;
    }
    queue_.push_back(std::move(text));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    writing_ = true;
    ws_->async_write(net::buffer(queue_.front()),
                     beast::bind_front_handler(&WebSocketSession::OnWritten, shared_from_this()));
  }

  void OnWritten(error_code ec, size_t /*bytes*/) {
    writing_ = false;
    queued_bytes_.fetch_sub(queue_.front().size());
    queue_.pop_front();
    if (ec) return DropQueue();  // the read fails too, and ends the session
    if (close_started_) return;
    if (!queue_.empty()) return WriteNext();
    if (closing_) StartClose();
  }

  // The application's Close: after what is queued.
  void CloseAfterQueue(std::string reason) {
    if (state_ != State::kOpen || closing_) return;
    closing_ = true;
    close_reason_ =
        websocket::close_reason(websocket::close_code::normal, CloseReasonText(std::move(reason)));
    if (!writing_) StartClose();
  }

  // Our own closes: what is queued is dropped; Beast sends the close after the frame being written.
  void CloseNow(websocket::close_code code, std::string reason) {
    sendable_.store(false);
    if (state_ != State::kOpen) return;
    closing_ = true;
    DropQueue();
    if (close_started_) return;
    close_reason_ = websocket::close_reason(code, CloseReasonText(std::move(reason)));
    StartClose();
  }

  void StartClose() {
    close_started_ = true;
    // The pending read completes after the closing handshake (or its timeout), and ends the session.
    ws_->async_close(close_reason_, [self = shared_from_this()](error_code) {});
  }

  // Drops the queue but the message being written, whose buffer Beast is using.
  void DropQueue() {
    auto first = queue_.begin() + (writing_ && !queue_.empty() ? 1 : 0);
    size_t dropped = 0;
    for (auto it = first; it != queue_.end(); ++it) dropped += it->size();
    queue_.erase(first, queue_.end());
    queued_bytes_.fetch_sub(dropped);
  }

  void Finish() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    sendable_.store(false);
    closing_ = true;
    DropQueue();
    stop_timer_.cancel();
    CloseSocket();  // usually closed already; a write still pending completes with an error
    CallOnClose();
  }

  void CallOnClose() {
    std::shared_ptr<WebSocketHandler> handler = std::move(handler_);
    if (!handler) return;
    try {
      handler->OnClose();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "spegla: WebSocket %s OnClose failed: %s\n", log_.target.c_str(), e.what());
    } catch (...) {
    }
  }

  void CloseSocket() {
    if (ws_) beast::get_lowest_layer(*ws_).close();
  }

  ServerCore& server_;
  const net::any_io_executor executor_;  // the strand
  net::steady_timer stop_timer_;
  std::shared_ptr<WebSocketHandler> handler_;  // released at the end: the application's objects go with it
  std::shared_ptr<WebSocketHandle> handle_;
  std::optional<websocket::stream<beast::tcp_stream>> ws_;
  http::request<http::string_body> request_;  // kept while it is answered
  beast::flat_buffer read_buffer_;
  std::deque<std::string> queue_;  // the front is being written when writing_
  websocket::close_reason close_reason_;
  AccessLogEntry log_;
  SteadyClock::time_point started_;
  State state_ = State::kHandshake;
  int handshake_status_ = 0;
  bool registered_ = false;
  bool opened_ = false;
  bool writing_ = false;
  bool closing_ = false;        // no more messages in or out; the close follows the queue, if any
  bool close_started_ = false;  // async_close called (once only)
  bool stopping_ = false;
  std::atomic<bool> sendable_{false};    // Send and Close act; read on any thread
  std::atomic<size_t> queued_bytes_{0};  // accepted by Send and not yet written or dropped
};

void WebSocketHandle::Send(std::string text) {
  if (auto session = session_.lock()) session->Send(std::move(text));
}

void WebSocketHandle::Close(std::string reason) {
  if (auto session = session_.lock()) session->Close(std::move(reason));
}

class Connection : public Session, public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore& server, tcp::socket socket)
      : server_(server),
        executor_(socket.get_executor()),
        stream_(std::move(socket)),
        read_timer_(executor_),
        buffer_(server.options.header_limit + kReadChunk) {
    error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      net::ip::address address = peer.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
      }
      remote_address_ = address.to_string();
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Connection() {
    if (registered_) server_.Unregister(this);
  }

  void Start() {
    net::dispatch(executor_, [self = shared_from_this()] {
      self->registered_ = self->server_.Register(self);
      if (!self->registered_) return self->Close();
      self->WaitForRequest();
    });
  }

  // From the stop: a connection waiting for a request closes; one busy with a request finishes it.
  void OnServerStop() override {
    net::dispatch(executor_, [self = shared_from_this()] {
      if (self->state_ == State::kIdle) self->Close();
    });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  const HttpServerOptions& options() const { return server_.options; }

  void WaitForRequest() {
    if (server_.stopping()) {
      // Bytes already here are requests the client pipelined: they are refused by closing, gently.
      return buffer_.size() > 0 ? Linger() : Close();
    }
    if (buffer_.size() > 0) return ReadRequest();
    state_ = State::kIdle;
    stream_.expires_after(options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Connection::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(error_code ec, size_t bytes) {
    if (state_ == State::kClosed) return;
    // The idle timeout (the stream has closed itself), the client leaving, or a stop: nothing to answer.
    if (ec) return Close();
    buffer_.commit(bytes);
    ReadRequest();
  }

  void ReadRequest() {
    state_ = State::kReading;
    ++request_seq_;
    read_timed_out_ = false;
    parser_.emplace();
    parser_->body_limit(options().body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(options().header_limit, std::numeric_limits<std::uint32_t>::max())));
    // The stream's own timeout closes the socket, which would leave no way to answer 408; this timer
    // cancels the read instead.
    stream_.expires_never();
    read_timer_.expires_after(options().read_timeout);
    read_timer_.async_wait([self = shared_from_this(), seq = request_seq_](error_code ec) {
      if (ec || seq != self->request_seq_ || self->state_ != State::kReading) return;
      self->read_timed_out_ = true;
      error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
  }

  void OnHeader(error_code ec, size_t /*bytes*/) {
    if (state_ == State::kClosed) return;
    if (ec) return OnReadError(ec);
    const auto& request = parser_->get();
    if (request.version() >= 11 && !parser_->is_done() &&
        beast::iequals(request[http::field::expect], "100-continue")) {
      // The client waits for this before it sends the body (curl does, for bodies over 1 KiB).
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](error_code write_ec, size_t) {
                         if (self->state_ == State::kClosed) return;
                         if (write_ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest({}, 0);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::OnRequest, shared_from_this()));
  }

  void OnRequest(error_code ec, size_t /*bytes*/) {
    if (state_ == State::kClosed) return;
    if (ec) return OnReadError(ec);
    read_timer_.cancel();
    Handle();
  }

  void OnReadError(error_code ec) {
    read_timer_.cancel();
    if (ec == http::error::body_limit) {
      return SendError(413, "Payload Too Large",
                       "The request body is larger than " + std::to_string(options().body_limit) + " bytes.");
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return SendError(
          431, "Request Header Fields Too Large",
          "The request header is larger than " + std::to_string(options().header_limit) + " bytes.");
    }
    if (read_timed_out_ && ec == net::error::operation_aborted) {
      return SendError(408, "Request Timeout", "The request was not received in time.");
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::broken_pipe || ec == net::error::bad_descriptor ||
        ec == net::error::not_connected) {
      return Close();  // the client went away, or a stop closed the socket: nobody to answer
    }
    SendError(400, "Bad Request", "The request is not valid HTTP/1.1 (" + ec.message() + ").");
  }

  // The request as the handler sees it; false when its target is not a URL path.
  bool ToRequest(http::request<http::string_body>& message, HttpRequest& request) {
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.remote_address = remote_address_;
    auto url = boost::urls::parse_origin_form(request.target);
    if (!url) {
      url = boost::urls::parse_absolute_uri(request.target);  // RFC 9112 3.2.2: servers accept it too
      if (!url) return false;
    }
    request.path = url->path();
    if (request.path.empty()) request.path = "/";
    for (auto param : url->params()) {
      request.query.emplace_back(param.key, param.has_value ? std::string(param.value) : std::string());
    }
    request.headers.reserve(static_cast<size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    return true;
  }

  void Handle() {
    state_ = State::kHandling;
    StartLog();
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    HttpRequest request;
    if (!ToRequest(message, request)) {
      return SendError(400, "Bad Request", "The request target is not a valid path.");
    }
    if (server_.options.websocket && websocket::is_upgrade(message))
      return Upgrade(std::move(message), request);
    const bool head = message.method() == http::verb::head;
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    // Reads are answered on this I/O thread: a hop to the pool and back costs more than they do.
    const http::verb verb = message.method();
    const bool reads = verb == http::verb::get || verb == http::verb::head || verb == http::verb::options;
    if (!server_.workers || reads) {
      HttpResponse response = CallHandler(request);
      return Send(std::move(response), head, keep_alive && !server_.stopping(), version);
    }
    // A write may block (its commit waits for the disk): it runs on the worker pool, and the response
    // comes back to this connection's strand. The work guard keeps the io_context running meanwhile.
    net::post(*server_.workers, [self = shared_from_this(), request = std::move(request), head, keep_alive,
                                 version, work = net::make_work_guard(executor_)]() mutable {
      HttpResponse response = self->CallHandler(request);
      net::post(self->executor_, [self, response = std::move(response), head, keep_alive, version]() mutable {
        self->Send(std::move(response), head, keep_alive && !self->server_.stopping(), version);
      });
    });
  }

  HttpResponse CallHandler(const HttpRequest& request) {
    try {
      return server_.handler(request);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "spegla: %s %s failed: %s\n", request.method.c_str(), request.target.c_str(),
                   e.what());
    } catch (...) {
    }
    return Problem(500, "Internal Server Error", "The server failed to handle the request.");
  }

  // A WebSocket upgrade (a GET; the application's UpgradeHandler set). Accepted, the stream goes to a
  // WebSocketSession and this connection ends without closing it; refused, the refusal is the response,
  // and the connection closes after it.
  void Upgrade(http::request<http::string_body> message, const HttpRequest& request) {
    const unsigned version = message.version();
    auto unavailable = [] { return Problem(503, "Service Unavailable", "The server is stopping."); };
    if (server_.stopping()) return Send(unavailable(), false, false, version);
    WebSocketAcceptance acceptance = CallUpgradeHandler(request);
    if (!acceptance.handler) {
      // A 1xx would tell the client that the upgrade went through.
      if (acceptance.refusal.status < 200) acceptance.refusal.status = 500;
      return Send(std::move(acceptance.refusal), false, false, version);
    }
    log_.user = acceptance.refusal.user.empty() ? "-" : acceptance.refusal.user;
    auto session =
        std::make_shared<WebSocketSession>(server_, executor_, std::move(acceptance.handler), log_, started_);
    // Registered before this connection unregisters (when it is destroyed), so that a stop reaches one of
    // the two; refused when the stop has begun meanwhile.
    if (!session->Register()) return Send(unavailable(), false, false, version);
    state_ = State::kClosed;  // the stream is the session's now: nothing here may touch it again
    read_timer_.cancel();
    session->Accept(std::move(stream_), std::move(message));
  }

  WebSocketAcceptance CallUpgradeHandler(const HttpRequest& request) {
    try {
      return server_.options.websocket(request);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "spegla: upgrade of %s failed: %s\n", request.target.c_str(), e.what());
    } catch (...) {
    }
    WebSocketAcceptance failed;
    failed.refusal = Problem(500, "Internal Server Error", "The server failed to handle the request.");
    return failed;
  }

  void StartLog() {
    log_ = {};
    log_.at = std::chrono::system_clock::now();
    log_.remote_address = remote_address_;
    started_ = SteadyClock::now();
    if (parser_) {
      log_.method = std::string(parser_->get().method_string());
      log_.target = std::string(parser_->get().target());
    }
  }

  // An error the transport answers itself; the connection closes after it (the rest of the request may
  // still be on its way, or unreadable).
  void SendError(int status, std::string_view title, const std::string& detail) {
    if (state_ != State::kHandling) StartLog();
    parser_.reset();
    Send(Problem(status, title, detail), false, false, 11);
  }

  void Send(HttpResponse response, bool head, bool keep_alive, unsigned version) {
    state_ = State::kWriting;
    int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
    bool bodiless = status < 200 || status == 204 || status == 304;
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(status));
    response_.set(http::field::server, "spegla");
    response_.set(http::field::date, HttpDate(std::chrono::system_clock::now()));
    if (!bodiless && !response.content_type.empty() && !HasLineBreak(response.content_type)) {
      response_.set(http::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) {
      if (HasLineBreak(name) || HasLineBreak(value) || name.empty()) continue;  // no response splitting
      if (beast::iequals(name, "connection")) {
        if (beast::iequals(value, "close")) keep_alive = false;
        continue;
      }
      // The framing is the transport's.
      if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding")) continue;
      response_.insert(name, value);
    }
    size_t body_size = bodiless ? 0 : response.body.size();
    if (!bodiless) response_.set(http::field::content_length, std::to_string(body_size));
    if (!bodiless && !head) response_.body() = std::move(response.body);
    keep_alive_ = keep_alive;
    response_.keep_alive(keep_alive);

    log_.status = status;
    log_.user = response.user.empty() ? "-" : response.user;
    log_.response_bytes = head ? 0 : body_size;

    stream_.expires_after(options().idle_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Connection::OnWritten, shared_from_this()));
  }

  void OnWritten(error_code ec, size_t /*bytes*/) {
    if (state_ == State::kClosed) return;
    log_.duration = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_);
    if (options().access_log) {
      try {
        options().access_log(log_);
      } catch (...) {
        // A log that fails must not take the connection with it.
      }
    }
    response_ = {};
    if (ec) return Close();
    if (!keep_alive_) return Linger();
    WaitForRequest();
  }

  // Closes gently: stops sending, then reads and discards until the client closes too (or for a while),
  // so that the kernel does not reset the connection over unread input before the response is read.
  void Linger() {
    state_ = State::kLingering;
    read_timer_.cancel();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lingered_ = 0;
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](error_code ec, size_t bytes) {
                              if (self->state_ == State::kClosed) return;
                              self->lingered_ += bytes;
                              if (ec || self->lingered_ > kLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    read_timer_.cancel();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  ServerCore& server_;
  const net::any_io_executor executor_;  // the strand; outlives stream_, which an upgrade moves away
  beast::tcp_stream stream_;
  net::steady_timer read_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;  // kept here while it is written
  State state_ = State::kIdle;
  bool registered_ = false;
  std::uint64_t request_seq_ = 0;  // tells a late read timer from the current one
  bool read_timed_out_ = false;
  bool keep_alive_ = false;
  size_t lingered_ = 0;
  std::string remote_address_ = "-";
  AccessLogEntry log_;
  SteadyClock::time_point started_;
};

ServerCore::ServerCore(HttpServerOptions server_options, Handler server_handler)
    : options(std::move(server_options)),
      handler(std::move(server_handler)),
      control_(net::make_strand(io_)),
      acceptor_(control_),
      accept_pause_(control_),
      grace_timer_(control_) {
  tcp::endpoint endpoint = Endpoint();
  error_code ec;
  std::string where = options.address + ":" + std::to_string(options.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) ThrowSystemError(ec, "cannot open a socket for " + where);
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) ThrowSystemError(ec, "cannot listen on " + where);
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) ThrowSystemError(ec, "cannot listen on " + where);
  port = acceptor_.local_endpoint(ec).port();
  if (options.handler_threads > 0) workers.emplace(options.handler_threads);
  if (options.handle_signals) {
    signals_.emplace(control_, SIGINT, SIGTERM);
    signals_->async_wait([this](error_code signal_ec, int /*signal*/) {
      if (!signal_ec) BeginStop();
    });
  }
  Accept();
}

ServerCore::~ServerCore() {
  std::lock_guard lock(mutex_);
  destroying_ = true;
}

tcp::endpoint ServerCore::Endpoint() {
  error_code ec;
  net::ip::address address = net::ip::make_address(options.address, ec);
  if (!ec) return tcp::endpoint(address, options.port);
  tcp::resolver resolver(io_);  // a host name, such as localhost
  auto results = resolver.resolve(options.address, std::to_string(options.port), ec);
  if (ec) ThrowSystemError(ec, "cannot resolve " + options.address);
  if (results.empty()) ThrowSystemError(net::error::host_not_found, "cannot resolve " + options.address);
  return results.begin()->endpoint();
}

void ServerCore::Accept() {
  acceptor_.async_accept(net::make_strand(io_),
                         [this](error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void ServerCore::OnAccept(error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // stopped: a socket accepted just before closes with `socket`
  if (ec) {
    // Out of file descriptors and the like: pause rather than spin, then accept again.
    accept_pause_.expires_after(std::chrono::milliseconds(100));
    accept_pause_.async_wait([this](error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  std::make_shared<Connection>(*this, std::move(socket))->Start();
  Accept();
}

bool ServerCore::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  connections_.emplace(session.get(), session);
  return true;
}

void ServerCore::Unregister(Session* session) {
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    connections_.erase(session);
    last = stopping_ && connections_.empty() && !destroying_;
  }
  // The grace timer was the last work left: without it the io_context runs out and Run returns.
  if (last) net::post(control_, [this] { grace_timer_.cancel(); });
}

void ServerCore::BeginStop() {
  std::vector<std::weak_ptr<Session>> open_connections;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    stop_requested_.store(true);
    open_connections.reserve(connections_.size());
    for (const auto& entry : connections_) open_connections.push_back(entry.second);
  }
  net::post(control_, [this, open_connections = std::move(open_connections)] {
    error_code ignored;
    acceptor_.close(ignored);
    accept_pause_.cancel();
    if (signals_) signals_->cancel(ignored);
    for (const auto& weak : open_connections) {
      if (auto connection = weak.lock()) connection->OnServerStop();
    }
    bool any_left = false;
    {
      std::lock_guard lock(mutex_);
      any_left = !connections_.empty();
    }
    // When one is left, the last to go cancels this timer (Unregister posts after this has run).
    if (any_left) {
      grace_timer_.expires_after(options.stop_grace);
      grace_timer_.async_wait([this](error_code ec) {
        if (!ec) io_.stop();
      });
    }
  });
}

unsigned ServerCore::ThreadCount() const {
  unsigned n = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  return std::max(1u, n);
}

void ServerCore::RunLoop() {
  for (;;) {
    try {
      io_.run();
      return;
    } catch (const std::exception& e) {
      // Handlers catch what the request handler throws; this is the transport's own failure.
      std::fprintf(stderr, "spegla: HTTP server: %s\n", e.what());
    }
  }
}

void ServerCore::Run() {
  if (started_.exchange(true)) throw std::logic_error("HttpServer: Run or Start called twice");
  {
    std::lock_guard lock(threads_mutex_);
    for (unsigned i = 1; i < ThreadCount(); ++i) threads_.emplace_back([this] { RunLoop(); });
  }
  RunLoop();
  JoinThreads();
}

void ServerCore::Start() {
  if (started_.exchange(true)) throw std::logic_error("HttpServer: Run or Start called twice");
  std::lock_guard lock(threads_mutex_);
  for (unsigned i = 0; i < ThreadCount(); ++i) threads_.emplace_back([this] { RunLoop(); });
}

void ServerCore::Stop() {
  BeginStop();
  // A handler stopping its own server cannot wait for its own thread; the threads end on their own.
  if (io_.get_executor().running_in_this_thread()) return;
  JoinThreads();
}

void ServerCore::JoinThreads() {
  std::lock_guard lock(threads_mutex_);
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  if (impl_) impl_->Stop();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Run() { impl_->Run(); }

void HttpServer::Start() { impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

std::string FormatAccessLogLine(const AccessLogEntry& entry) {
  std::time_t t = std::chrono::system_clock::to_time_t(entry.at);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  long long micros = std::max<long long>(0, entry.duration.count());
  char duration[48];
  std::snprintf(duration, sizeof duration, "%lld.%03lldms", micros / 1000, micros % 1000);
  return LogField(entry.remote_address) + " - " + LogField(entry.user) + " [" + when + "] \"" +
         LogField(entry.method) + " " + LogField(entry.target) + "\" " + std::to_string(entry.status) + " " +
         std::to_string(entry.response_bytes) + " " + duration;
}

}  // namespace spegla::server
