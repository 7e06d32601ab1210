// Makes rules (rules.h) hold by changing what the open step may write.
#pragma once

#include <utility>
#include <vector>

#include "demo/context.h"
#include "demo/rules.h"
#include "demo/snapshot.h"

namespace spegla::cli::demo {

struct Solved {
  bool changed = false;     // something was changed, planned values or the clock
  bool needs_time = false;  // a rule waits for a day the clock could not bring
};

// Changes what the open step may write so that each rule comes to evaluate to the value paired with it:
// fields of the step's forms that a participant may edit, rows of their tables, occurrences of the step;
// and, when the demo may move its clock, the day ("at least four weeks after the mapping started").
// Changes go into `values` first and are written afterwards by WriteChanges (forms.h).
Solved Solve(FillContext& ctx, Snapshot& values, ManualClock* clock,
             const std::vector<std::pair<Rule, bool>>& goals);

}  // namespace spegla::cli::demo
