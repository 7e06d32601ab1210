#include "demo/history.h"

#include "demo/text.h"

namespace spegla::cli::demo {

void History::Logged(const std::string& shown) {
  std::optional<Date> date = Date::Parse(shown);
  if (date && (!latest || *date > *latest)) latest = date;
}

void History::Completed(const std::string& step, bool ended_phase) {
  ++completed_steps;
  ++step_completions[step];
  phase_ended = ended_phase;
}

void History::Saw(const InstanceView& view) {
  if (phase_ended && view.summary.status == "active") ++phase_starts[view.summary.current_phase];
  phase_ended = false;
}

History ReadHistory(Engine& engine, std::int64_t instance) {
  History history;
  Result<std::vector<AuditEntry>> log = engine.AuditLog(Actor::Operator(), instance);
  if (!log) return history;
  for (const AuditEntry& entry : log.value()) {
    if (entry.action == "step.complete") {
      ++history.completed_steps;
      ++history.step_completions[entry.target];
    } else if (entry.action == "phase.start") {
      ++history.phase_starts[entry.target];
    } else if (entry.action == "field.set" && entry.new_value) {
      history.Logged(*entry.new_value);
    }
  }
  return history;
}

History NewHistory(const WorkflowDefinition& definition) {
  History history;
  if (!definition.phases.empty()) history.phase_starts[definition.phases.front().id] = 1;
  return history;
}

Date StepDay(const History& history, Date today) {
  Date day = AddDays(today, 7 * history.completed_steps);
  if (history.latest && AddDays(*history.latest, 7) > day) day = AddDays(*history.latest, 7);
  return day;
}

}  // namespace spegla::cli::demo
