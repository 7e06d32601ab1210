// Runs a workflow scenario (see README.md here) against a real engine on a fresh SQLite database, with a
// manual clock, and stops at the first command that does not do what the scenario says. Its people's
// actions go through ScenarioActions: to the engine directly unless the caller serves them otherwise.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "scenario_actions.h"
#include "scenario_script.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "spegla/plugin_host.h"

namespace spegla::test {

class ScenarioRunner {
 public:
  // Makes the actions over the runner's engine (which outlives them).
  using ActionsFactory = std::function<std::unique_ptr<ScenarioActions>(Engine&)>;

  // `workflows_dir` is where `workflow FILE` finds its files; `database` is created fresh. Without
  // `actions` the scenario's actions are direct engine calls.
  ScenarioRunner(std::string workflows_dir, const std::string& database, const ActionsFactory& actions = {});
  ~ScenarioRunner();

  // Runs every command of `script`. Returns empty when all did what they said, otherwise
  // "FILE:LINE: what went wrong" for the first that did not.
  std::string Run(const ScenarioScript& script, const std::string& file);

 private:
  using Words = std::vector<std::string>;
  // A command's outcome: an engine error (which an "=> fails" line may expect), or nothing.
  using Outcome = std::optional<Error>;

  // Each returns an Outcome, or throws ScenarioFailure when the scenario itself is wrong or an
  // expectation does not hold.
  Outcome Execute(const Words& words);
  Outcome Setup(const Words& words);
  Outcome Act(const Actor& actor, const Words& words);
  Outcome Set(const Actor& actor, const Words& words);
  void Expect(const Words& words);
  void ExpectAs(const std::string& user, const Words& words);
  void CheckFailure(const Outcome& outcome, const Words& expectation);
  void ExpectDocument(const std::string& viewer, const Words& words);

  std::int64_t Key(const std::map<std::string, std::int64_t>& keys, const std::string& key,
                   const char* what) const;
  std::int64_t Instance() const;
  InstanceView View();
  const StepView& FindStep(const InstanceView& view, const std::string& step) const;

  std::string workflows_dir_;
  std::string scratch_;  // beside the database: documents written for python-docx to read
  ManualClock clock_;
  PluginHost plugins_;  // declared before the engine, which uses it
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ScenarioActions> actions_;  // after the engine: destroyed before it
  std::map<std::string, std::int64_t> municipalities_, units_, teams_;
  std::optional<std::int64_t> instance_;
};

}  // namespace spegla::test
