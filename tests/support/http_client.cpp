#include "http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <string_view>

namespace spegla::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

struct OpResult {
  error_code ec;
  size_t bytes = 0;
};

// Runs one asynchronous operation to its end: the stream's timeout (expires_after) bounds it, which
// the synchronous calls would not honour.
template <class Start>
OpResult RunOp(net::io_context& io, Start start) {
  OpResult result;
  start([&result](error_code ec, auto... bytes) {
    result.ec = ec;
    if constexpr (sizeof...(bytes) == 1) ((result.bytes = static_cast<size_t>(bytes)), ...);
  });
  io.restart();
  io.run();
  return result;
}

tcp::endpoint Local(std::uint16_t port) { return tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port); }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

std::string_view Trimmed(std::string_view text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool IsClosed(const error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset || ec == http::error::end_of_stream;
}

}  // namespace

const std::string& TestResponse::Header(const std::string& lower_case_name) const {
  static const std::string kEmpty;
  auto found = headers.find(lower_case_name);
  return found == headers.end() ? kEmpty : found->second;
}

struct HttpClient::Impl {
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  net::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::map<std::string, std::string> jar;
  int opened = 0;

  error_code Connect() {
    buffer.clear();
    stream.emplace(io);
    stream->expires_after(timeout);
    OpResult connected =
        RunOp(io, [&](auto handler) { stream->async_connect(Local(port), std::move(handler)); });
    if (connected.ec) {
      stream.reset();
    } else {
      ++opened;
    }
    return connected.ec;
  }

  void Disconnect() {
    if (stream) {
      error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
      stream.reset();
    }
    buffer.clear();
  }

  void KeepCookie(std::string_view set_cookie) {
    size_t semicolon = set_cookie.find(';');
    std::string_view pair = set_cookie.substr(0, semicolon);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return;
    std::string name(Trimmed(pair.substr(0, eq)));
    std::string value(Trimmed(pair.substr(eq + 1)));
    bool expired = value.empty();
    while (semicolon != std::string_view::npos) {
      std::string_view rest = set_cookie.substr(semicolon + 1);
      semicolon = rest.find(';');
      std::string attribute = Lower(Trimmed(rest.substr(0, semicolon)));
      if (attribute == "max-age=0") expired = true;
      set_cookie = rest;
    }
    if (expired) {
      jar.erase(name);
    } else {
      jar[name] = value;
    }
  }
};

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() { impl_->Disconnect(); }

TestResponse HttpClient::Request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  bool has_cookie = false;
  for (const auto& [name, value] : headers) {
    request.set(name, value);
    has_cookie = has_cookie || beast::iequals(name, "cookie");
  }
  if (!has_cookie && !impl_->jar.empty()) {
    std::string cookie;
    for (const auto& [name, value] : impl_->jar) cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    request.set(http::field::cookie, cookie);
  }
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.body() = body;
    request.prepare_payload();
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!reused) {
      if (error_code ec = impl_->Connect()) {
        ADD_FAILURE() << method << " " << target << ": cannot connect: " << ec.message();
        return {};
      }
    }
    impl_->stream->expires_after(impl_->timeout);
    OpResult result = RunOp(
        impl_->io, [&](auto handler) { http::async_write(*impl_->stream, request, std::move(handler)); });
    if (!result.ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(boost::none);
      parser.skip(method == "HEAD");  // a response to HEAD announces a body it does not carry
      result = RunOp(impl_->io, [&](auto handler) {
        http::async_read(*impl_->stream, impl_->buffer, parser, std::move(handler));
      });
      if (!result.ec) {
        const auto& message = parser.get();
        TestResponse response;
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
          std::string name = Lower(field.name_string());
          std::string value(field.value());
          if (name == "set-cookie") {
            response.set_cookies.push_back(value);
            impl_->KeepCookie(value);
            response.headers[name] = value;
          } else if (auto [it, inserted] = response.headers.emplace(name, value); !inserted) {
            it->second += ", " + value;
          }
        }
        response.body = message.body();
        if (!message.keep_alive()) impl_->Disconnect();
        return response;
      }
    }
    impl_->Disconnect();
    // The server closed the kept-alive connection before it saw this request: send it again, once.
    bool closed = IsClosed(result.ec) || result.ec == net::error::broken_pipe;
    if (reused && attempt == 0 && closed) continue;
    ADD_FAILURE() << method << " " << target << ": " << result.ec.message();
    return {};
  }
  return {};
}

bool HttpClient::WaitForClose() {
  if (!impl_->stream) return true;
  if (impl_->buffer.size() > 0) return false;
  char byte = 0;
  impl_->stream->expires_after(impl_->timeout);
  OpResult result = RunOp(impl_->io, [&](auto handler) {
    impl_->stream->async_read_some(net::buffer(&byte, 1), std::move(handler));
  });
  bool closed = IsClosed(result.ec);
  impl_->Disconnect();
  return closed;
}

bool HttpClient::connected() const { return impl_->stream.has_value(); }

int HttpClient::connections_opened() const { return impl_->opened; }

std::map<std::string, std::string>& HttpClient::cookies() { return impl_->jar; }

std::string SendRaw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout,
                    bool* closed_by_server) {
  if (closed_by_server) *closed_by_server = false;
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);  // one deadline for the whole exchange
  OpResult result = RunOp(io, [&](auto handler) { stream.async_connect(Local(port), std::move(handler)); });
  if (result.ec) {
    ADD_FAILURE() << "cannot connect to port " << port << ": " << result.ec.message();
    return "";
  }
  if (!bytes.empty()) {
    result =
        RunOp(io, [&](auto handler) { net::async_write(stream, net::buffer(bytes), std::move(handler)); });
    if (result.ec) {
      if (closed_by_server) *closed_by_server = IsClosed(result.ec) || result.ec == net::error::broken_pipe;
      return "";
    }
  }
  std::string received;
  char chunk[4096];
  for (;;) {
    result = RunOp(io, [&](auto handler) { stream.async_read_some(net::buffer(chunk), std::move(handler)); });
    received.append(chunk, result.bytes);
    if (result.ec) {
      if (closed_by_server) *closed_by_server = IsClosed(result.ec);
      break;
    }
  }
  return received;
}

}  // namespace spegla::test
