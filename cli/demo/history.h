// An instance's history as the demo needs it to plan the next step.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "spegla/engine.h"

namespace spegla::cli::demo {

// Where an instance stands, as its audit log tells: how many steps it has completed, the latest date
// entered in a form, and how often each step completed and each phase started (a loop runs them again).
// Read from the log once; while the demo walks the instance, kept up to date as it writes and completes.
struct History {
  int completed_steps = 0;
  std::optional<Date> latest;
  std::map<std::string, int> step_completions, phase_starts;
  // The last step completed ended its phase: the next view shows which phase started after it, if any.
  bool phase_ended = false;

  // A value written to a form, as the log shows it ("2027-01-04", "2 rader"): a date may be the latest.
  void Logged(const std::string& shown);
  void Wrote(const Value& value) { Logged(DisplayValue(value)); }
  // A step completed; `ended_phase` when it was the last open step of its phase.
  void Completed(const std::string& step, bool ended_phase);
  // The instance as it is now, before its next step.
  void Saw(const InstanceView& view);
};

History ReadHistory(Engine& engine, std::int64_t instance);
// The history of an instance just created: its first phase has started.
History NewHistory(const WorkflowDefinition& definition);
// The day a step's dates start from: a week after the latest date the instance holds, and a week per step
// completed, so that each step's dates come after the previous step's, also around a loop.
Date StepDay(const History& history, Date today);

}  // namespace spegla::cli::demo
