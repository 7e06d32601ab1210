// The scenarios' form writes made through fillable files: each `set` downloads the form as the person
// sees it (Word or Excel), fills it in with python-docx or openpyxl as a person would, imports it, and
// checks that the instance now holds exactly the values the scenario wrote. Every other action goes to the
// engine directly. Refusals come back from the import as the scenario expects them from a save.
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "../workflows/scenario_actions_engine.h"
#include "offline_form.h"

namespace spegla::test {

class OfflineScenarioActions final : public ScenarioActions {
 public:
  OfflineScenarioActions(Engine& engine, offline::FileKind kind, std::filesystem::path work_dir);

  Result<std::int64_t> CreateInstance(const Actor& actor, const std::string& workflow, std::int64_t unit,
                                      const std::string& title, std::optional<std::int64_t> team) override {
    return direct_.CreateInstance(actor, workflow, unit, title, team);
  }
  Result<Ok> AssignParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                               const std::string& username) override {
    return direct_.AssignParticipant(actor, instance, role, username);
  }
  Result<Ok> RemoveParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                               const std::string& username) override {
    return direct_.RemoveParticipant(actor, instance, role, username);
  }
  Result<Ok> SetFields(const Actor& actor, std::int64_t instance, const std::string& form, int occurrence,
                       const std::vector<FieldChange>& changes) override;
  Result<Ok> AddOccurrence(const Actor& actor, std::int64_t instance, const std::string& step) override {
    return direct_.AddOccurrence(actor, instance, step);
  }
  Result<Ok> SignOff(const Actor& actor, std::int64_t instance, const std::string& step) override {
    return direct_.SignOff(actor, instance, step);
  }
  Result<Ok> CompleteStep(const Actor& actor, std::int64_t instance, const std::string& step) override {
    return direct_.CompleteStep(actor, instance, step);
  }
  Result<Ok> SendBack(const Actor& actor, std::int64_t instance, const std::string& from, const std::string& to,
                      const std::string& reason) override {
    return direct_.SendBack(actor, instance, from, to, reason);
  }
  Result<Ok> Reopen(const Actor& actor, std::int64_t instance, const std::string& step,
                    const std::string& reason) override {
    return direct_.Reopen(actor, instance, step, reason);
  }

  // How many writes went through a file and were imported, and the forms they covered ("wf/form").
  int imported() const { return imported_; }
  const std::set<std::string>& forms() const { return forms_; }

 private:
  Engine& engine_;
  EngineScenarioActions direct_;
  offline::FileKind kind_;
  std::filesystem::path work_dir_;
  int imported_ = 0;
  int files_ = 0;
  std::set<std::string> forms_;
};

}  // namespace spegla::test
