// The live channel of each instance (docs/collaboration.md): WebSocket subscribers, the events committed
// writes produce, presence, and resuming after a reconnect.
//
// The engine hands each commit's events to Listener() under its lock; they are queued and delivered by
// the hub's own thread, so that a writer never waits for a client. Each subscriber receives an event only
// when its EventFilter (the viewer's rights, made again after a participant change) shows it. The hub
// keeps the last `kept_events` events of each instance, so that a client reconnecting with
// `?after=SEQ` is sent what it missed; when they are no longer kept it is told to `reset`.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_message.h"
#include "spegla/collaboration.h"
#include "spegla/engine.h"
#include "websocket.h"

namespace spegla::server {

class Api;

struct LiveHubOptions {
  size_t kept_events = 1000;       // per instance, for clients that resume
  size_t kept_instances = 10'000;  // instances whose events are kept; the least recent is forgotten
  // How often open connections' sessions are looked up again: a logout, a password change or an expiry
  // closes the channel within this time (and at once after RevalidateSessions).
  std::chrono::milliseconds session_check{15'000};
};

class LiveHub {
 public:
  LiveHub(Api& api, LiveHubOptions options = {});
  ~LiveHub();  // REQUIRES: the transport has stopped and the engine's listener no longer calls in
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // For Engine::SetEventListener.
  EventListener Listener();
  // For HttpServerOptions::websocket: accepts `GET /api/instances/{id}/live` from a signed-in viewer who
  // may read the instance's history, from a page of this server's own origin.
  WebSocketAcceptance Accept(const HttpRequest& request);
  // Looks up every open connection's session now and closes those whose session has ended.
  void RevalidateSessions();
  // Returns once every event queued so far has been delivered (for tests).
  void Flush();
  size_t connections() const;

  struct Subscriber;  // one connection (live_hub.cpp)

 private:
  struct Channel {  // one instance
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    std::deque<std::pair<std::int64_t, std::string>> kept;  // (seq, event JSON without per-viewer parts)
    std::deque<InstanceEvent> kept_events;                   // the same events, for filtering
    std::int64_t complete_after = 0;  // every event of the instance after this seq is kept
    std::uint64_t last_used = 0;
  };

  void Run();  // the delivery thread
  void Deliver(std::vector<InstanceEvent> events);
  void Open(const std::shared_ptr<Subscriber>& subscriber, std::int64_t hello_seq,
            std::optional<std::int64_t> after);
  void Close(Subscriber* subscriber);
  void Focus(Subscriber* subscriber, std::string form, int occurrence, std::string field);
  void SendPresenceList(Channel& channel, Subscriber& to);                 // REQUIRES: mutex_ held
  void SendPresenceUpdate(Channel& channel, const Subscriber& about);    // REQUIRES: mutex_ held
  Channel& ChannelOf(std::int64_t instance);               // REQUIRES: mutex_ held
  void RefreshFilters(std::int64_t instance);              // after a participant change
  std::string DisplayName(const std::string& username);  // cached

  Api& api_;
  LiveHubOptions options_;
  const std::int64_t started_after_;  // every event after this seq has passed through the hub

  mutable std::mutex mutex_;  // channels_, next ids
  std::map<std::int64_t, Channel> channels_;
  std::uint64_t use_counter_ = 0;
  std::uint64_t next_connection_ = 0;

  std::mutex queue_mutex_;  // the engine's events waiting for delivery
  std::condition_variable queue_changed_;
  std::deque<std::vector<InstanceEvent>> queue_;
  std::uint64_t queued_ = 0, delivered_ = 0;
  bool stopping_ = false;

  std::mutex names_mutex_;
  std::map<std::string, std::string> names_;  // username -> display name

  std::thread thread_;

  friend struct Subscriber;
};

}  // namespace spegla::server
