#include "event_feed.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "event_codec.h"

namespace spegla {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBatch = 500;
// Events older than this many ids are deleted now and then: far more than a feed falls behind.
constexpr std::int64_t kKeptEvents = 100'000;

struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultCloser>;

}  // namespace

EventFeed::EventFeed(std::string url, EventListener listener, std::int64_t after)
    : url_(std::move(url)), listener_(std::move(listener)), last_(after) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { Run(); });
}

EventFeed::~EventFeed() {
  stopping_ = true;
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  thread_.join();
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

void EventFeed::Run() {
  PGconn* connection = nullptr;
  Clock::time_point last_cleanup{};
  auto reconnect = [&]() -> bool {
    if (connection != nullptr) PQfinish(connection);
    connection = PQconnectdb(url_.c_str());
    if (PQstatus(connection) != CONNECTION_OK) return false;
    Result listen(PQexec(connection, (std::string("LISTEN ") + kChannel).c_str()));
    return PQresultStatus(listen.get()) == PGRES_COMMAND_OK;
  };
  // Hands on every event after last_, in id order; false when the connection failed.
  auto read = [&]() -> bool {
    for (;;) {
      const std::string after = std::to_string(last_);
      const std::string limit = std::to_string(kBatch);
      const char* values[] = {after.c_str(), limit.c_str()};
      Result rows(PQexecParams(connection, "SELECT id, body FROM live_events WHERE id > $1::bigint ORDER BY id LIMIT $2::int",
                               2, nullptr, values, nullptr, nullptr, 0));
      if (PQresultStatus(rows.get()) != PGRES_TUPLES_OK) return false;
      std::vector<InstanceEvent> events;
      const int n = PQntuples(rows.get());
      for (int i = 0; i < n; ++i) {
        last_ = std::atoll(PQgetvalue(rows.get(), i, 0));
        if (std::optional<InstanceEvent> event = DecodeEvent(PQgetvalue(rows.get(), i, 1))) {
          events.push_back(std::move(*event));
        }
      }
      if (!events.empty()) listener_(std::move(events));
      if (n < kBatch) return true;
    }
  };
  bool connected = false;
  while (!stopping_) {
    if (!connected) {
      connected = reconnect() && read();
      if (!connected) {
        // The database is away: try again in a second, or stop.
        pollfd wake{wake_[0], POLLIN, 0};
        ::poll(&wake, 1, 1000);
        continue;
      }
    }
    pollfd fds[2] = {{PQsocket(connection), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    ::poll(fds, 2, 1000);
    if (stopping_) break;
    if (!PQconsumeInput(connection)) {
      connected = false;
      continue;
    }
    // A notification that arrives while a read runs is taken in with the read's answer, not left on the
    // socket for poll: read again as long as one came in meanwhile.
    for (bool again = true; again && connected;) {
      while (PGnotify* notify = PQnotifies(connection)) PQfreemem(notify);
      connected = read();
      PGnotify* meanwhile = connected ? PQnotifies(connection) : nullptr;
      again = meanwhile != nullptr;
      if (meanwhile != nullptr) PQfreemem(meanwhile);
    }
    if (connected && Clock::now() - last_cleanup > std::chrono::minutes(1)) {
      last_cleanup = Clock::now();
      const std::string below = std::to_string(last_ - kKeptEvents);
      const char* values[] = {below.c_str()};
      Result(PQexecParams(connection, "DELETE FROM live_events WHERE id < $1::bigint", 1, nullptr, values,
                          nullptr, nullptr, 0));
    }
  }
  if (connection != nullptr) PQfinish(connection);
}

}  // namespace spegla
