// A plain HTTP/1.1 client over a POSIX socket for tests that kill the server under it: a failed connection
// is an answer (status 0, with the reason), never a test failure, and a request is never sent twice. Keeps
// its connection alive between requests. Responses must carry Content-Length (as Spegla's do).
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace spegla::test {

struct RawReply {
  int status = 0;     // 0: no answer (refused, reset, closed, timed out); `error` says which
  std::string body;
  std::string error;
};

class RawHttp {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit RawHttp(std::uint16_t port, int timeout_seconds = 60) : port_(port), timeout_(timeout_seconds) {}
  ~RawHttp() { Close(); }
  RawHttp(const RawHttp&) = delete;
  RawHttp& operator=(const RawHttp&) = delete;

  RawReply Send(const std::string& method, const std::string& target, const std::string& body = "",
                const Headers& headers = {}) {
    RawReply reply;
    if (fd_ < 0 && !Connect(&reply.error)) return reply;
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "\r\n" + body;
    if (!WriteAll(request)) return Failed(reply, "send");
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore()) return Failed(reply, "receive");
    }
    const std::string head = buffer_.substr(0, head_end);
    if (head.rfind("HTTP/1.1 ", 0) != 0 || head.size() < 12) return Failed(reply, "status line");
    reply.status = std::stoi(head.substr(9, 3));
    size_t length = 0;
    bool close = false;
    for (size_t at = head.find("\r\n"); at != std::string::npos;) {
      const size_t next = head.find("\r\n", at + 2);
      std::string line = head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
      for (char& c : line) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      if (line.rfind("content-length:", 0) == 0) length = std::stoul(line.substr(15));
      if (line.rfind("connection:", 0) == 0 && line.find("close") != std::string::npos) close = true;
      at = next;
    }
    const size_t total = head_end + 4 + length;
    while (buffer_.size() < total) {
      if (!ReadMore()) {
        reply.status = 0;
        return Failed(reply, "receive body");
      }
    }
    reply.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, total);
    if (close) Close();
    return reply;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

 private:
  bool Connect(std::string* error) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      *error = std::string("socket: ") + std::strerror(errno);
      return false;
    }
    timeval tv{timeout_, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      if (errno == EINTR) continue;
      *error = std::string("connect: ") + std::strerror(errno);
      Close();
      return false;
    }
    return true;
  }

  bool WriteAll(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  bool ReadMore() {
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  RawReply& Failed(RawReply& reply, const char* during) {
    reply.error = std::string(during) + ": " + (errno ? std::strerror(errno) : "connection closed");
    Close();
    return reply;
  }

  std::uint16_t port_;
  int timeout_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace spegla::test
