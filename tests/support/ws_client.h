// A small synchronous WebSocket client for tests against a server on 127.0.0.1. It reads only inside
// Receive (and Close), so a test can play a client that does not read; Beast answers the server's pings
// and close while it reads. Beast stays inside ws_client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http_client.h"

namespace spegla::test {

class WebSocketClient {
 public:
  // `timeout` bounds each step but Receive, which has its own.
  explicit WebSocketClient(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Asks for a small receive buffer (SO_RCVBUF, before Connect): the kernel then holds little for a client
  // that does not read, and the server feels it sooner.
  void set_receive_buffer(int bytes);

  // Connects and asks to upgrade `target` (Host and the WebSocket fields added; `headers` too). Returns
  // the status of the answer: 101 when the connection is open, the refusal's otherwise (its headers and
  // body in response()); 0 when there was no answer.
  int Connect(std::uint16_t port, const std::string& target,
              const std::map<std::string, std::string>& headers = {});
  const TestResponse& response() const;  // the handshake's answer (headers in lower case)

  bool Send(const std::string& text);         // a text message; false when it could not be written
  bool SendBinary(const std::string& bytes);  // a binary message

  // The next message: waits up to `timeout` for it. Empty when the connection has ended (closed() then
  // says so) or nothing came in time (the read goes on in the next Receive).
  std::optional<std::string> Receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Closes with 1000 and waits for the server's answer (discarding the messages before it).
  void Close();

  bool closed() const;  // the connection has ended (a close either way, an error, or Close)
  // The code and reason of the close frame the server sent (or answered ours with), once one came.
  std::optional<int> close_code() const;
  std::string close_reason() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spegla::test
