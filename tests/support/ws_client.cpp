#include "ws_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <functional>
#include <string_view>

namespace spegla::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

}  // namespace

struct WebSocketClient::Impl {
  std::chrono::milliseconds timeout;
  int receive_buffer = 0;
  net::io_context io;  // before the stream, which must go first
  std::optional<websocket::stream<beast::tcp_stream>> ws;
  websocket::response_type handshake_response;
  TestResponse response;
  beast::flat_buffer buffer;
  bool reading = false;
  bool ended = false;
  std::deque<std::string> received;
  std::optional<int> code;
  std::string reason;

  // Runs the io_context until `done` or the deadline; true when done.
  bool RunUntil(const std::function<bool()>& done, SteadyClock::time_point deadline) {
    for (;;) {
      if (done()) return true;
      io.restart();
      if (io.run_one_until(deadline) == 0) return done();  // the deadline, or nothing left to run
    }
  }

  // Runs one operation of the stream to its end within the timeout; past it, closes the socket (so that
  // the operation ends) and fails the test.
  error_code RunOp(const char* what, const std::function<void(std::function<void(error_code)>)>& start) {
    bool finished = false;
    error_code result;
    start([&finished, &result](error_code ec) {
      finished = true;
      result = ec;
    });
    if (!RunUntil([&] { return finished; }, SteadyClock::now() + timeout)) {
      ADD_FAILURE() << "WebSocket " << what << " took longer than " << timeout.count() << " ms";
      beast::get_lowest_layer(*ws).close();
      RunUntil([&] { return finished; }, SteadyClock::time_point::max());
    }
    NoteClose();
    return result;
  }

  void NoteClose() {
    if (ws && ws->reason().code != websocket::close_code::none) {
      code = static_cast<int>(ws->reason().code);
      reason = std::string(ws->reason().reason.data(), ws->reason().reason.size());
    }
  }

  void End() {
    ended = true;
    NoteClose();
    if (ws) beast::get_lowest_layer(*ws).close();
  }

  void StartRead() {
    reading = true;
    ws->async_read(buffer, [this](error_code ec, size_t /*bytes*/) {
      reading = false;
      if (ec) {
        ended = true;
        NoteClose();
        return;
      }
      received.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
    });
  }

  bool Write(const std::string& bytes, bool text) {
    if (!ws || ended) return false;
    ws->text(text);
    error_code ec = RunOp("write", [&](auto done) {
      ws->async_write(net::buffer(bytes), [done](error_code write_ec, size_t) { done(write_ec); });
    });
    return !ec;
  }
};

WebSocketClient::WebSocketClient(std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
}

WebSocketClient::~WebSocketClient() = default;

void WebSocketClient::set_receive_buffer(int bytes) { impl_->receive_buffer = bytes; }

int WebSocketClient::Connect(std::uint16_t port, const std::string& target,
                             const std::map<std::string, std::string>& headers) {
  Impl& impl = *impl_;
  if (impl.ws) {
    // Connecting again: the old connection's read (if any) ends before its stream goes.
    beast::get_lowest_layer(*impl.ws).close();
    impl.RunUntil([&] { return !impl.reading; }, SteadyClock::time_point::max());
  }
  impl.ws.emplace(impl.io);
  impl.received.clear();
  impl.buffer.clear();
  impl.response = {};
  impl.ended = false;
  impl.code.reset();
  impl.reason.clear();
  auto& stream = beast::get_lowest_layer(*impl.ws);
  if (impl.receive_buffer > 0) {
    stream.socket().open(tcp::v4());
    stream.socket().set_option(net::socket_base::receive_buffer_size(impl.receive_buffer));
  }
  tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), port);
  error_code ec = impl.RunOp("connect", [&](auto done) { stream.async_connect(endpoint, done); });
  if (ec) {
    ADD_FAILURE() << "cannot connect to port " << port << ": " << ec.message();
    impl.End();
    return 0;
  }
  impl.ws->set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  impl.handshake_response = {};
  ec = impl.RunOp("handshake", [&](auto done) {
    impl.ws->async_handshake(impl.handshake_response, "127.0.0.1:" + std::to_string(port), target, done);
  });
  if (ec && ec != websocket::error::upgrade_declined) {
    impl.End();  // no answer (a default response would say 200)
    return 0;
  }
  const auto& answer = impl.handshake_response;
  impl.response.status = static_cast<int>(answer.result_int());
  for (const auto& field : answer) {
    std::string name = Lower(field.name_string());
    std::string& value = impl.response.headers[name];
    value = value.empty() ? std::string(field.value()) : value + ", " + std::string(field.value());
  }
  impl.response.body = answer.body();
  if (ec) {
    impl.End();
    return impl.response.status;  // refused
  }
  return 101;
}

const TestResponse& WebSocketClient::response() const { return impl_->response; }

bool WebSocketClient::Send(const std::string& text) { return impl_->Write(text, true); }

bool WebSocketClient::SendBinary(const std::string& bytes) { return impl_->Write(bytes, false); }

std::optional<std::string> WebSocketClient::Receive(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  auto next = [&]() -> std::optional<std::string> {
    if (impl.received.empty()) return std::nullopt;
    std::string message = std::move(impl.received.front());
    impl.received.pop_front();
    return message;
  };
  if (!impl.received.empty()) return next();
  if (!impl.ws || impl.ended) return std::nullopt;
  if (!impl.reading) impl.StartRead();
  impl.RunUntil([&] { return !impl.received.empty() || impl.ended; }, SteadyClock::now() + timeout);
  return next();
}

void WebSocketClient::Close() {
  Impl& impl = *impl_;
  if (!impl.ws || impl.ended) return;
  impl.RunOp("close", [&](auto done) { impl.ws->async_close(websocket::close_code::normal, done); });
  // A read still pending completes after the close; then the connection has ended either way.
  impl.RunUntil([&] { return !impl.reading; }, SteadyClock::now() + impl.timeout);
  impl.End();
}

bool WebSocketClient::closed() const { return impl_->ended; }

std::optional<int> WebSocketClient::close_code() const { return impl_->code; }

std::string WebSocketClient::close_reason() const { return impl_->reason; }

}  // namespace spegla::test
