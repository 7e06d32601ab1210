// The short real-time intervals a few server tests rely on (a WebSocket ping interval, an idle timeout),
// scaled to the build: under ThreadSanitizer (the tsan preset, which defines SPEGLA_TSAN) everything runs
// several times slower, and on a shared machine a thread may wait a while for a core. The environment
// variable SPEGLA_TEST_TIME_SCALE (a whole number ≥ 1) overrides the default of 1, or 5 under TSan.
// Scaled are the intervals that the code must keep up with, never what a test asserts about them.
#pragma once

#include <chrono>
#include <cstdlib>

namespace spegla::test {

inline int TimeScale() {
  static const int scale = [] {
    if (const char* text = std::getenv("SPEGLA_TEST_TIME_SCALE")) {
      int value = std::atoi(text);
      if (value >= 1) return value;
    }
#ifdef SPEGLA_TSAN
    return 5;
#else
    return 1;
#endif
  }();
  return scale;
}

template <class Rep, class Period>
std::chrono::milliseconds Scaled(std::chrono::duration<Rep, Period> interval) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(interval) * TimeScale();
}

}  // namespace spegla::test
