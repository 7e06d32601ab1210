// WebSocket connections as the application sees them: no Beast types, so that only the server's transport
// (http_server.cpp) compiles Beast. The transport accepts an upgrade when the application's UpgradeHandler
// gives it a WebSocketHandler, then calls the handler for each text message the client sends.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http_message.h"

namespace spegla::server {

// One open connection. Thread-safe; after the connection has closed, Send and Close do nothing (also when
// the server has gone: holding this keeps no part of the server alive).
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Queues a text message (valid UTF-8). A client that does not read while more than the send limit is
  // queued is disconnected (close code 1008, "too slow"): it reconnects and resumes, and nobody else waits
  // for it. A single message over the limit still goes when nothing else is queued.
  virtual void Send(std::string text) = 0;
  // Closes with code 1000 and `reason` (cut to 123 bytes) after the messages already queued.
  virtual void Close(std::string reason) = 0;
};

// What the application does on one connection. Called on the transport's I/O threads (keep them short),
// never concurrently for one connection, and never after OnClose. OnOpen and OnClose come in pairs: when
// the handshake fails (the client left before the 101), neither is called and the handler is released.
// A handler that throws has the connection closed with 1011.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketConnection> connection) = 0;  // first, once
  virtual void OnMessage(const std::string& text) = 0;  // not after the connection's Close
  virtual void OnClose() = 0;  // once, when the connection has ended for any reason (a stop included)
};

// The answer to a request to upgrade: a handler to accept it, or (handler null) the HTTP response refusing
// (an error status; the connection closes after it). Either way, `refusal.user` names the user in the
// access log.
struct WebSocketAcceptance {
  std::shared_ptr<WebSocketHandler> handler;
  HttpResponse refusal;
};

// Called on the I/O threads (perhaps for several requests at once) with a GET that asks to upgrade.
using UpgradeHandler = std::function<WebSocketAcceptance(const HttpRequest&)>;

}  // namespace spegla::server
