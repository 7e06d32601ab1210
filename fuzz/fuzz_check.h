// What the fuzz targets share: an invariant check that stops the run the way a sanitizer does (a message
// on stderr, then abort(), which libFuzzer reports as a crash and saves the input for). The same in the
// replay build (SPEGLA_FUZZ_REPLAY), where the abort fails the ctest test.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SPEGLA_FUZZ_CHECK(condition, what)                                                              \
  do {                                                                                                  \
    if (!(condition)) {                                                                                 \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, what, #condition); \
      std::abort();                                                                                     \
    }                                                                                                   \
  } while (false)
