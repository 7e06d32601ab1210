// The `spegla` command line: one executable, subcommands, exit codes 0 ok / 1 failure / 2 usage.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "spegla/clock.h"

namespace spegla::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Environment {
  const Clock* clock = nullptr;  // defaults to the system clock
  std::string default_user;      // from SPEGLA_USER; empty = the operator
  std::string share_dir;         // where bundled workflows/ and templates/ live
  bool progress = false;         // draw progress bars on `err` (main: when stderr is a terminal)
};

// Runs one command line (without the program name). Never throws.
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Environment& env);

}  // namespace spegla::cli
