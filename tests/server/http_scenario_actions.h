// The scenario's actions over the REST API: the runner's engine behind server::Api and an HttpServer on a
// loopback port, one signed-in client per person, and every problem response mapped back to the engine's
// Error, so that a scenario's "=> fails" lines are checked exactly as in engine mode.
//
// The operator (the scenario's bare `instance`, `assign`, `unassign`) has no account over HTTP: it acts as
// an administrator, the one global role that may do all three.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "../workflows/scenario_actions.h"
#include "api_test_support.h"

namespace spegla::test {

class HttpScenarioActions final : public ScenarioActions {
 public:
  // Serves `engine` (which must outlive this) and creates the operator's account.
  explicit HttpScenarioActions(Engine& engine);
  ~HttpScenarioActions() override;

  void UserCreated(const std::string& username) override;

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
  // Sends a request as `actor` (signing in first, and again once when the session has expired because
  // the scenario's clock moved on); the response when it is 2xx, otherwise its problem as an Error.
  Result<TestResponse> Send(const Actor& actor, const std::string& method, const std::string& target,
                            const json::value* body, Headers headers = {});
  ApiClient& ClientOf(const std::string& username);

  Engine& engine_;
  std::unique_ptr<server::Api> api_;
  std::unique_ptr<server::HttpServer> server_;
  std::map<std::string, std::unique_ptr<ApiClient>> clients_;  // by username
};

}  // namespace spegla::test
