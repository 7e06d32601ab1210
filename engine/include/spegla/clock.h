// The source of "now". Production code uses SystemClock; tests inject a ManualClock so that deadlines
// and overdue marks are checked without sleeping.
#pragma once

#include <atomic>

#include "spegla/date.h"

namespace spegla {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  Date Today() const { return DateOf(Now()); }
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// Thread-safe: tests may advance it while a server thread reads it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp{std::chrono::seconds{now_.load()}}; }
  void Set(Timestamp t) { now_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::seconds s) { now_ += s.count(); }

 private:
  std::atomic<long long> now_;
};

}  // namespace spegla
