// The API's JSON request bodies: each input is sent as the body of a fixed set of state-changing requests
// through spegla::server::Api::Handle (no HTTP transport), each by a signed-in user (bearer token) who may
// make it. Set up once per process: an engine over a scratch SQLite file (in /dev/shm when it has room:
// commits are synchronous), the built-in plugins, the five bundled workflows, a small organisation, one
// KU8 instance in its application phase and one in planning (forms with texts, numbers, choices, dates and
// a repeating group).
//
// The requests' effects accumulate over a run (users, instances, comments, sessions, form values), as on
// a real server; an input that crashes only after others is replayed with them by libFuzzer's crash
// minimisation, and its file in fuzz/regressions/ should hold the shortest body that still does.
//
// Invariants besides "no crash, no sanitizer report, no exception":
//   - no answer is a 500: a body is the client's mistake or it is done, never an internal error;
//   - every JSON answer is valid JSON (Boost.JSON's parser, which also insists on valid UTF-8).
// SPEGLA_FUZZ_VERBOSE=1 prints each request's status, to see what a seed reaches.
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api.h"
#include "fuzz_check.h"
#include "spegla/builtin_plugins.h"
#include "spegla/engine.h"
#include "spegla/plugin_host.h"

namespace {

using spegla::Actor;
using spegla::FieldChange;
using spegla::Value;
using spegla::server::HttpRequest;
using spegla::server::HttpResponse;

constexpr const char* kPassword = "korrekt-hast-batteri";

template <typename T>
T Must(spegla::Result<T> result, const char* what) {
  if (!result.ok())
    std::fprintf(stderr, "api_json_fuzz setup: %s: %s\n", what, result.error().Summary().c_str());
  SPEGLA_FUZZ_CHECK(result.ok(), "the fuzz target's setup succeeds");
  return std::move(result).value();
}

spegla::Date Day(const char* text) { return *spegla::Date::Parse(text); }

// A scratch directory for the database, removed when the process ends normally.
class ScratchDir {
 public:
  ScratchDir() {
    // /dev/shm only with room to spare: a container's may be 64 MB, and a full disk is a 500.
    std::error_code ec;
    std::filesystem::path base = "/dev/shm";
    if (!std::filesystem::is_directory(base, ec) || ::access(base.c_str(), W_OK) != 0 ||
        std::filesystem::space(base, ec).available < (1ull << 30) || ec) {
      base = std::filesystem::temp_directory_path();
    }
    path_ = base / ("spegla-api-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_, ec);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct Request {
  std::string method, path, token, if_match;
};

class Fixture {
 public:
  Fixture() : clock_(spegla::Timestamp{Day("2026-03-02").days()} + std::chrono::hours(8)) {
    SPEGLA_FUZZ_CHECK(spegla::AddBuiltinPlugins(plugins_).empty(), "the built-in plugins load");
    engine_ = spegla::Engine::Open(dir_.File("spegla.db"), clock_);
    engine_->SetPasswordCost(spegla::PasswordCost::kMinimum);
    engine_->SetPlugins(&plugins_);
    spegla::LoadOptions load;
    load.template_dir = SPEGLA_SOURCE_DIR "/templates";
    for (const auto& entry : std::filesystem::directory_iterator(SPEGLA_SOURCE_DIR "/workflows")) {
      if (entry.path().extension() != ".xml") continue;
      spegla::InstallOutcome installed =
          engine_->InstallDefinitionFile(Actor::Operator(), entry.path().string(), load);
      SPEGLA_FUZZ_CHECK(installed.problems.empty(), "the bundled workflows install");
    }

    const Actor op = Actor::Operator();
    const std::int64_t municipality =
        Must(engine_->CreateMunicipality(op, "Alingsås kommun", "KU8"), "kommun");
    unit_ = Must(engine_->CreateUnit(op, municipality, "Byskolan", "skola"), "skola");
    const std::pair<const char*, const char*> users[] = {
        {"admin", "administrator"}, {"ulla", "utvecklingsledare"}, {"rut", "personal"},  {"anna", "personal"},
        {"olle", "personal"},       {"ola", "personal"},           {"petra", "personal"}};
    for (const auto& [username, role] : users) {
      spegla::User user;
      user.username = username;
      user.display_name = std::string(username) + " Fuzz";
      user.email = std::string(username) + "@example.se";
      user.global_role = role;
      if (std::string(role) != "administrator") user.municipality_id = municipality;
      Must(engine_->CreateUser(op, user), username);
      Must(engine_->SetPassword(op, username, kPassword), username);
    }
    Must(engine_->AddToObserverPool(op, municipality, "olle"), "pool");
    Must(engine_->AddToObserverPool(op, municipality, "ola"), "pool");
    Must(engine_->AssignOrganisationRole(op, municipality, "utvecklingsledare", "ulla"), "utvecklingsledare");

    // One instance in its application phase, one in planning.
    for (std::int64_t* id : {&applying_, &planning_}) {
      *id = Must(engine_->CreateInstance(Actor::User("ulla"), "ku8-larande-besok", unit_, "Lärande besök"),
                 "instance");
      Must(engine_->AssignParticipant(Actor::User("ulla"), *id, "rektor", "rut"), "rektor");
      Must(engine_->AssignParticipant(Actor::User("ulla"), *id, "arbetslag", "anna"), "arbetslag");
    }
    Must(engine_->SetFields(
             Actor::User("anna"), planning_, "ansokan", 0,
             {FieldChange{"enhet", Value{std::string("Byskolan")}},
              FieldChange{"arbetslag_namn", Value{std::string("Arbetslag 4–6")}},
              FieldChange{"verksamhetsformer", Value{std::vector<std::string>{"grundskola_46"}}},
              FieldChange{"kontaktperson", Value{std::string("Anna")}},
              FieldChange{"kontakt_epost", Value{std::string("anna@byskolan.se")}},
              FieldChange{"problemformulering",
                          Value{std::string("Hur kan vi göra eleverna mer delaktiga i sitt lärande under "
                                            "lektionerna i matematik?")}},
              FieldChange{"antal_barn", Value{24.0}}, FieldChange{"informerat_foraldrar", Value{true}}}),
         "ansokan");
    Must(engine_->CompleteStep(Actor::User("anna"), planning_, "ansokan"), "complete ansokan");
    Must(engine_->AssignParticipant(Actor::User("ulla"), planning_, "observator", "olle"), "olle");
    Must(engine_->AssignParticipant(Actor::User("ulla"), planning_, "observator", "ola"), "ola");
    Must(engine_->SetFields(Actor::User("ulla"), planning_, "besked", 0,
                            {FieldChange{"datum", Value{Day("2026-03-10")}}}),
         "besked");
    Must(engine_->CompleteStep(Actor::User("ulla"), planning_, "observatorsgrupp"), "observatorsgrupp");

    spegla::server::ApiOptions options;
    options.template_dir = SPEGLA_SOURCE_DIR "/templates";
    options.login_limits.attempts = 1u << 30;  // POST /api/session is fuzzed too: never throttled
    api_ = std::make_unique<spegla::server::Api>(*engine_, options);

    const auto session = [&](const char* username) {
      return Must(engine_->Login(username, kPassword, std::chrono::hours(24 * 365)), username).token;
    };
    const std::string admin = session("admin"), ulla = session("ulla"), anna = session("anna"),
                      olle = session("olle");
    const std::string applying = "/api/instances/" + std::to_string(applying_);
    const std::string planning = "/api/instances/" + std::to_string(planning_);
    requests_ = {
        {"PATCH", applying + "/forms/ansokan", anna, "*"},
        {"PATCH", planning + "/forms/planering", olle, "*"},
        {"POST", applying + "/comments", anna, ""},
        {"POST", planning + "/forms/planering/fields/problemformulering_preciserad/restore", olle, ""},
        {"POST", applying + "/steps/ansokan/reopen", ulla, ""},
        {"POST", "/api/instances", ulla, ""},
        {"POST", applying + "/participants", ulla, ""},
        {"POST", "/api/users", admin, ""},
        {"PATCH", "/api/users/petra", admin, ""},
        {"PATCH", "/api/units/" + std::to_string(unit_), admin, ""},
        {"POST", "/api/session", "", ""},
    };
  }

  void Run(const std::string& body) {
    for (const Request& r : requests_) {
      HttpRequest request;
      request.method = r.method;
      request.target = r.path;
      request.path = r.path;
      request.headers.emplace_back("content-type", "application/json");
      if (!r.token.empty()) request.headers.emplace_back("authorization", "Bearer " + r.token);
      if (!r.if_match.empty()) request.headers.emplace_back("if-match", r.if_match);
      request.body = body;
      request.remote_address = "192.0.2.1";
      const HttpResponse response = api_->Handle(request);
      if (verbose_) {
        std::fprintf(stderr, "%s %s: %d %s\n", r.method.c_str(), r.path.c_str(), response.status,
                     response.body.c_str());
      }
      if (response.status >= 500)
        std::fprintf(stderr, "%s %s: %d %s\n", r.method.c_str(), r.path.c_str(), response.status,
                     response.body.c_str());
      SPEGLA_FUZZ_CHECK(response.status >= 200 && response.status < 500, "no internal error for any body");
      if (response.content_type == "application/json" ||
          response.content_type == "application/problem+json") {
        boost::system::error_code ec;
        (void)boost::json::parse(response.body, ec);
        SPEGLA_FUZZ_CHECK(!ec, "a JSON answer is valid JSON");
      }
    }
  }

 private:
  ScratchDir dir_;  // destroyed last
  spegla::ManualClock clock_;
  spegla::PluginHost plugins_;
  std::unique_ptr<spegla::Engine> engine_;
  std::unique_ptr<spegla::server::Api> api_;
  std::int64_t unit_ = 0, applying_ = 0, planning_ = 0;
  std::vector<Request> requests_;
  const bool verbose_ = std::getenv("SPEGLA_FUZZ_VERBOSE") != nullptr;  // each answer's status on stderr
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  fixture.Run(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
