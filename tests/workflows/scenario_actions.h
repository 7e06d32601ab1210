// What a scenario's people do to its instance, behind one interface: the same scenario then runs with its
// actions going to the engine directly or through the REST API, and must come out the same either way.
// Setting up (organisation, users, workflows, the clock) and the `expect` checks are not actions: they
// stay on the engine in both modes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spegla/engine.h"

namespace spegla::test {

class ScenarioActions {
 public:
  virtual ~ScenarioActions() = default;

  // A `user` setup command created this user (e.g. so that they can sign in).
  virtual void UserCreated(const std::string& username) { (void)username; }

  virtual Result<std::int64_t> CreateInstance(const Actor& actor, const std::string& workflow,
                                              std::int64_t unit, const std::string& title,
                                              std::optional<std::int64_t> team) = 0;
  virtual Result<Ok> AssignParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                                       const std::string& username) = 0;
  virtual Result<Ok> RemoveParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                                       const std::string& username) = 0;
  // Writes typed values (the runner parses what the scenario typed), all or nothing.
  virtual Result<Ok> SetFields(const Actor& actor, std::int64_t instance, const std::string& form,
                               int occurrence, const std::vector<FieldChange>& changes) = 0;
  virtual Result<Ok> AddOccurrence(const Actor& actor, std::int64_t instance, const std::string& step) = 0;
  virtual Result<Ok> SignOff(const Actor& actor, std::int64_t instance, const std::string& step) = 0;
  virtual Result<Ok> CompleteStep(const Actor& actor, std::int64_t instance, const std::string& step) = 0;
  virtual Result<Ok> SendBack(const Actor& actor, std::int64_t instance, const std::string& from,
                              const std::string& to, const std::string& reason) = 0;
  virtual Result<Ok> Reopen(const Actor& actor, std::int64_t instance, const std::string& step,
                            const std::string& reason) = 0;
};

}  // namespace spegla::test
