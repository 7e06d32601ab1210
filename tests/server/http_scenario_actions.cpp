#include "http_scenario_actions.h"

#include <cctype>
#include <cstdio>

#include "spegla/value.h"

namespace spegla::test {
namespace {

// The operator's stand-in over HTTP, and every scenario person's password.
constexpr const char* kOperatorAccount = "operator";
constexpr const char* kScenarioPassword = "scenario-losenord";

// A path segment, percent-encoded (role and user names are plain, but the path must not depend on it).
std::string Segment(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

std::string InstancePath(std::int64_t instance) { return "/api/instances/" + std::to_string(instance); }

std::string StepPath(std::int64_t instance, const std::string& step, const std::string& action) {
  return InstancePath(instance) + "/steps/" + Segment(step) + "/" + action;
}

// The kind of a problem: its "code" (the engine's own), or for the few problems the API finds before
// the engine is asked (body shape, media type, preconditions) what its status says.
ErrorCode CodeOf(const TestResponse& response, const json::value& problem) {
  const std::string code = Str(problem, "code");
  for (ErrorCode candidate :
       {ErrorCode::kUnauthenticated, ErrorCode::kNotFound, ErrorCode::kForbidden, ErrorCode::kInvalid,
        ErrorCode::kRefused, ErrorCode::kConflict, ErrorCode::kInternal}) {
    if (code == ToString(candidate)) return candidate;
  }
  switch (response.status) {
    case 400:
    case 415:
    case 422:
    case 428:
      return ErrorCode::kInvalid;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
    case 412:
      return ErrorCode::kConflict;
    default:
      return ErrorCode::kInternal;
  }
}

// An application/problem+json response as the engine's Error: each entry of "errors" an Issue with its
// field, or the detail alone when it lists none.
Error ErrorOf(const TestResponse& response) {
  boost::system::error_code ec;
  json::value problem = json::parse(response.body, ec);
  if (ec || !problem.is_object()) {
    return Error::Of(ErrorCode::kInternal, "HTTP " + std::to_string(response.status) +
                                               " without a problem body: " + Describe(response));
  }
  Error error{CodeOf(response, problem), {}};
  if (const json::value* errors = problem.as_object().if_contains("errors"); errors && errors->is_array()) {
    for (const json::value& entry : errors->as_array()) {
      error.issues.push_back(Issue{Str(entry, "field"), Str(entry, "message")});
    }
  }
  if (error.issues.empty()) error.issues.push_back(Issue{{}, Str(problem, "detail")});
  return error;
}

Result<Ok> Done(const Result<TestResponse>& response) {
  if (!response) return response.error();
  return Ok{};
}

}  // namespace

HttpScenarioActions::HttpScenarioActions(Engine& engine) : engine_(engine) {
  // The scenario's people sign in often; the interactive cost would only slow the test down.
  engine_.SetPasswordCost(PasswordCost::kMinimum);
  User op;
  op.username = kOperatorAccount;
  op.display_name = "Serverns operatör";
  op.email = "operator@example.se";
  op.global_role = "administrator";
  const Actor root = Actor::Operator();
  if (!engine_.CreateUser(root, op) || !engine_.SetPassword(root, op.username, kScenarioPassword)) {
    ADD_FAILURE() << "cannot create the operator's account";
  }

  server::ApiOptions options;
  options.template_dir = SPEGLA_SOURCE_DIR "/templates";
  api_ = std::make_unique<server::Api>(engine_, options);
  server::HttpServerOptions http;
  http.address = "127.0.0.1";
  http.port = 0;
  http.threads = 2;
  http.handler_threads = 4;
  server::Api* api = api_.get();
  server_ = std::make_unique<server::HttpServer>(
      http, [api](const server::HttpRequest& request) { return api->Handle(request); });
  server_->Start();
}

HttpScenarioActions::~HttpScenarioActions() {
  clients_.clear();
  server_->Stop();
  server_.reset();
  api_.reset();
}

void HttpScenarioActions::UserCreated(const std::string& username) {
  Result<Ok> set = engine_.SetPassword(Actor::Operator(), username, kScenarioPassword);
  if (!set) ADD_FAILURE() << "cannot set " << username << "'s password: " << set.error().Summary();
}

ApiClient& HttpScenarioActions::ClientOf(const std::string& username) {
  std::unique_ptr<ApiClient>& client = clients_[username];
  if (!client) {
    client = std::make_unique<ApiClient>(server_->port());
    client->SignIn(username, kScenarioPassword);
  }
  return *client;
}

Result<TestResponse> HttpScenarioActions::Send(const Actor& actor, const std::string& method,
                                               const std::string& target, const json::value* body,
                                               Headers headers) {
  const std::string username = actor.is_operator ? kOperatorAccount : actor.username;
  if (body) headers["Content-Type"] = "application/json";
  const std::string text = body ? json::serialize(*body) : "";
  ApiClient& client = ClientOf(username);
  TestResponse response = client.Send(method, target, text, headers);
  if (response.status == 401) {
    // Sessions last hours; a scenario's clock moves by weeks. The person signs in again, as they would.
    client.SignIn(username, kScenarioPassword);
    response = client.Send(method, target, text, headers);
  }
  if (response.status >= 200 && response.status < 300) return response;
  return ErrorOf(response);
}

Result<std::int64_t> HttpScenarioActions::CreateInstance(const Actor& actor, const std::string& workflow,
                                                         std::int64_t unit, const std::string& title,
                                                         std::optional<std::int64_t> team) {
  json::value body = json::object{{"workflow", workflow}, {"unit_id", unit}, {"title", title}};
  if (team) body.as_object()["team_id"] = *team;
  Result<TestResponse> created = Send(actor, "POST", "/api/instances", &body);
  if (!created) return created.error();
  const json::value instance = Json(created.value());
  const json::value* id = instance.is_object() ? instance.as_object().if_contains("id") : nullptr;
  if (!id || !id->is_int64()) {
    return Error::Of(ErrorCode::kInternal, "the new instance has no id: " + Describe(created.value()));
  }
  return id->as_int64();
}

Result<Ok> HttpScenarioActions::AssignParticipant(const Actor& actor, std::int64_t instance,
                                                  const std::string& role, const std::string& username) {
  const json::value body = json::object{{"role", role}, {"username", username}};
  return Done(Send(actor, "POST", InstancePath(instance) + "/participants", &body));
}

Result<Ok> HttpScenarioActions::RemoveParticipant(const Actor& actor, std::int64_t instance,
                                                  const std::string& role, const std::string& username) {
  return Done(Send(actor, "DELETE",
                   InstancePath(instance) + "/participants/" + Segment(role) + "/" + Segment(username),
                   nullptr));
}

Result<Ok> HttpScenarioActions::SetFields(const Actor& actor, std::int64_t instance, const std::string& form,
                                          int occurrence, const std::vector<FieldChange>& changes) {
  json::object fields;
  for (const FieldChange& change : changes) fields[change.field] = json::parse(EncodeValue(change.value));
  const json::value body = json::object{{"fields", std::move(fields)}};
  std::string target = InstancePath(instance) + "/forms/" + Segment(form);
  if (occurrence > 0) target += "?occurrence=" + std::to_string(occurrence);
  // Whatever is there: the scenario's people write in turn, never over each other's unseen changes.
  return Done(Send(actor, "PATCH", target, &body, {{"If-Match", "*"}}));
}

Result<Ok> HttpScenarioActions::AddOccurrence(const Actor& actor, std::int64_t instance,
                                              const std::string& step) {
  const json::value body = json::object{};
  return Done(Send(actor, "POST", StepPath(instance, step, "occurrences"), &body));
}

Result<Ok> HttpScenarioActions::SignOff(const Actor& actor, std::int64_t instance, const std::string& step) {
  const json::value body = json::object{};
  return Done(Send(actor, "POST", StepPath(instance, step, "sign-off"), &body));
}

Result<Ok> HttpScenarioActions::CompleteStep(const Actor& actor, std::int64_t instance,
                                             const std::string& step) {
  const json::value body = json::object{};
  return Done(Send(actor, "POST", StepPath(instance, step, "complete"), &body));
}

Result<Ok> HttpScenarioActions::SendBack(const Actor& actor, std::int64_t instance, const std::string& from,
                                         const std::string& to, const std::string& reason) {
  const json::value body = json::object{{"to", to}, {"reason", reason}};
  return Done(Send(actor, "POST", StepPath(instance, from, "send-back"), &body));
}

Result<Ok> HttpScenarioActions::Reopen(const Actor& actor, std::int64_t instance, const std::string& step,
                                       const std::string& reason) {
  const json::value body = json::object{{"reason", reason}};
  return Done(Send(actor, "POST", StepPath(instance, step, "reopen"), &body));
}

}  // namespace spegla::test
