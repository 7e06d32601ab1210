// The live events of every server process on one PostgreSQL database, in the order they were committed.
//
// A write stores its events in the table live_events in its own transaction and sends NOTIFY
// spegla_events, which PostgreSQL delivers only once the transaction has committed (Engine::Write). Each
// process runs one EventFeed: a connection of its own that LISTENs, reads the events after the last one
// it handed on, and gives them to the engine's listener (the live hub) — its own process's events too, so
// that every process sees one order: the audit log's ids, which writers (holding the write lock one at a
// time) take in the order they commit. A notification lost to a broken connection costs nothing: the
// feed reads again after reconnecting, and once a second in any case.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "spegla/collaboration.h"

namespace spegla {

class EventFeed {
 public:
  // Reads events with ids above `after`. `url` is the database's postgresql:// URL.
  EventFeed(std::string url, EventListener listener, std::int64_t after);
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  static constexpr const char* kChannel = "spegla_events";

 private:
  void Run();

  const std::string url_;
  const EventListener listener_;
  std::int64_t last_;  // the id of the last event handed on
  int wake_[2] = {-1, -1};  // a pipe: written to stop the thread
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace spegla
