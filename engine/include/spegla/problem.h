// A problem found in user input (a workflow file, a form value, a step that may not complete yet).
// Expected failures are values: functions that can fail on input return every problem found, not the first.
#pragma once

#include <string>
#include <vector>

namespace spegla {

struct SourceLocation {
  std::string file;  // as given by the caller; empty for input that has no file
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

struct Problem {
  SourceLocation where;
  std::string message;

  // "file:line:column: message", leaving out the parts that are unknown.
  std::string Format() const;
};

using Problems = std::vector<Problem>;

}  // namespace spegla
