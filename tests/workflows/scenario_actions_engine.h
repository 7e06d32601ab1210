// The scenario's actions as direct engine calls: the engine-mode scenarios, and the reference the HTTP
// mode (tests/server/http_scenario_actions.h) must agree with.
#pragma once

#include "scenario_actions.h"

namespace spegla::test {

class EngineScenarioActions final : public ScenarioActions {
 public:
  explicit EngineScenarioActions(Engine& engine) : engine_(engine) {}

  Result<std::int64_t> CreateInstance(const Actor& actor, const std::string& workflow, std::int64_t unit,
                                      const std::string& title, std::optional<std::int64_t> team) override;
  Result<Ok> AssignParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                               const std::string& username) override;
  Result<Ok> RemoveParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                               const std::string& username) override;
  Result<Ok> SetFields(const Actor& actor, std::int64_t instance, const std::string& form, int occurrence,
                       const std::vector<FieldChange>& changes) override;
  Result<Ok> AddOccurrence(const Actor& actor, std::int64_t instance, const std::string& step) override;
  Result<Ok> SignOff(const Actor& actor, std::int64_t instance, const std::string& step) override;
  Result<Ok> CompleteStep(const Actor& actor, std::int64_t instance, const std::string& step) override;
  Result<Ok> SendBack(const Actor& actor, std::int64_t instance, const std::string& from,
                      const std::string& to, const std::string& reason) override;
  Result<Ok> Reopen(const Actor& actor, std::int64_t instance, const std::string& step,
                    const std::string& reason) override;

 private:
  Engine& engine_;
};

}  // namespace spegla::test
