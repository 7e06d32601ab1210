#include "scenario_actions_engine.h"

namespace spegla::test {
namespace {

// The scenario only asks whether an action succeeded, not what it returned.
template <typename T>
Result<Ok> Done(const Result<T>& result) {
  if (!result) return result.error();
  return Ok{};
}

}  // namespace

Result<std::int64_t> EngineScenarioActions::CreateInstance(const Actor& actor, const std::string& workflow,
                                                           std::int64_t unit, const std::string& title,
                                                           std::optional<std::int64_t> team) {
  return engine_.CreateInstance(actor, workflow, unit, title, team);
}

Result<Ok> EngineScenarioActions::AssignParticipant(const Actor& actor, std::int64_t instance,
                                                    const std::string& role, const std::string& username) {
  return engine_.AssignParticipant(actor, instance, role, username);
}

Result<Ok> EngineScenarioActions::RemoveParticipant(const Actor& actor, std::int64_t instance,
                                                    const std::string& role, const std::string& username) {
  return engine_.RemoveParticipant(actor, instance, role, username);
}

Result<Ok> EngineScenarioActions::SetFields(const Actor& actor, std::int64_t instance,
                                            const std::string& form, int occurrence,
                                            const std::vector<FieldChange>& changes) {
  return Done(engine_.SetFields(actor, instance, form, occurrence, changes));
}

Result<Ok> EngineScenarioActions::AddOccurrence(const Actor& actor, std::int64_t instance,
                                                const std::string& step) {
  return Done(engine_.AddOccurrence(actor, instance, step));
}

Result<Ok> EngineScenarioActions::SignOff(const Actor& actor, std::int64_t instance,
                                          const std::string& step) {
  return engine_.SignOff(actor, instance, step);
}

Result<Ok> EngineScenarioActions::CompleteStep(const Actor& actor, std::int64_t instance,
                                               const std::string& step) {
  return engine_.CompleteStep(actor, instance, step);
}

Result<Ok> EngineScenarioActions::SendBack(const Actor& actor, std::int64_t instance, const std::string& from,
                                           const std::string& to, const std::string& reason) {
  return engine_.SendBack(actor, instance, from, to, reason);
}

Result<Ok> EngineScenarioActions::Reopen(const Actor& actor, std::int64_t instance, const std::string& step,
                                         const std::string& reason) {
  return engine_.Reopen(actor, instance, step, reason);
}

}  // namespace spegla::test
