#include "api_test_support.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spegla/builtin_plugins.h"
#include "../support/test_database.h"

namespace spegla::test {

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

json::value Json(const TestResponse& response) {
  boost::system::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  if (ec) {
    ADD_FAILURE() << "not JSON (" << ec.message() << "): " << Describe(response);
    return nullptr;
  }
  return parsed;
}

json::array Items(const TestResponse& response) {
  json::value body = Json(response);
  const json::value* items = body.is_object() ? body.as_object().if_contains("items") : nullptr;
  if (!items || !items->is_array()) {
    ADD_FAILURE() << "no items: " << Describe(response);
    return {};
  }
  return items->as_array();
}

std::string Describe(const TestResponse& response) {
  std::string body = response.body.size() > 2000 ? response.body.substr(0, 2000) + "…" : response.body;
  for (char& c : body) {
    if (c == '\0') c = '.';
  }
  return std::to_string(response.status) + " " + body;
}

std::vector<std::string> ErrorFields(const TestResponse& response) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  if (ec || !parsed.is_object()) return out;
  const json::value* errors = parsed.as_object().if_contains("errors");
  if (!errors || !errors->is_array()) return out;
  for (const json::value& e : errors->as_array()) out.push_back(Str(e, "field"));
  return out;
}

std::string Str(const json::value& object, std::string_view key) {
  if (!object.is_object()) return "";
  const json::value* v = object.as_object().if_contains(key);
  if (!v || !v->is_string()) return "";
  return std::string(v->as_string());
}

const json::object* FindStep(const json::value& instance, std::string_view step) {
  if (!instance.is_object()) return nullptr;
  const json::value* phases = instance.as_object().if_contains("phases");
  if (!phases || !phases->is_array()) return nullptr;
  for (const json::value& phase : phases->as_array()) {
    const json::value* steps = phase.as_object().if_contains("steps");
    if (!steps || !steps->is_array()) continue;
    for (const json::value& s : steps->as_array()) {
      if (Str(s, "id") == step) return &s.as_object();
    }
  }
  return nullptr;
}

std::string StepState(const json::value& instance, std::string_view step) {
  const json::object* s = FindStep(instance, step);
  if (!s) return "(no step " + std::string(step) + ")";
  return Str(*s, "state");
}

const json::object* FindField(const json::value& form, std::string_view field) {
  if (!form.is_object()) return nullptr;
  const json::value* fields = form.as_object().if_contains("fields");
  if (!fields || !fields->is_array()) return nullptr;
  for (const json::value& f : fields->as_array()) {
    if (Str(f, "id") == field) return &f.as_object();
  }
  return nullptr;
}

std::vector<std::string> FieldIds(const json::value& form) {
  std::vector<std::string> out;
  if (!form.is_object()) return out;
  const json::value* fields = form.as_object().if_contains("fields");
  if (!fields || !fields->is_array()) return out;
  for (const json::value& f : fields->as_array()) out.push_back(Str(f, "id"));
  return out;
}

// --- ApiClient ---------------------------------------------------------------------------------------

bool ApiClient::SignIn(const std::string& username, const std::string& password) {
  TestResponse response = http_.Request(
      "POST", "/api/session", json::serialize(json::object{{"username", username}, {"password", password}}),
      {{"Content-Type", "application/json"}});
  if (response.status != 201) {
    ADD_FAILURE() << "signing in as " << username << ": " << Describe(response);
    return false;
  }
  json::value body = Json(response);
  username_ = username;
  csrf_token_ = Str(body, "csrf_token");
  token_ = Str(body, "token");
  return true;
}

TestResponse ApiClient::Send(const std::string& method, const std::string& target, const std::string& body,
                             Headers headers) {
  const bool changes_state = method != "GET" && method != "HEAD" && method != "OPTIONS";
  if (changes_state && csrf_ && !csrf_token_.empty() && !headers.count("X-CSRF-Token")) {
    headers["X-CSRF-Token"] = csrf_token_;
  }
  return http_.Request(method, target, body, headers);
}

TestResponse ApiClient::Get(const std::string& target, const Headers& headers) {
  return Send("GET", target, "", headers);
}

namespace {
Headers WithJson(Headers headers) {
  if (!headers.count("Content-Type")) headers["Content-Type"] = "application/json";
  return headers;
}
}  // namespace

TestResponse ApiClient::Post(const std::string& target, const json::value& body, const Headers& headers) {
  return Send("POST", target, json::serialize(body), WithJson(headers));
}

TestResponse ApiClient::Put(const std::string& target, const json::value& body, const Headers& headers) {
  return Send("PUT", target, json::serialize(body), WithJson(headers));
}

TestResponse ApiClient::Patch(const std::string& target, const json::value& body, const Headers& headers) {
  return Send("PATCH", target, json::serialize(body), WithJson(headers));
}

TestResponse ApiClient::Delete(const std::string& target, const Headers& headers) {
  return Send("DELETE", target, "", headers);
}

TestResponse ApiClient::WriteForm(std::int64_t instance, const std::string& form, const json::object& fields,
                                  int occurrence) {
  const std::string target = "/api/instances/" + std::to_string(instance) + "/forms/" + form +
                             (occurrence > 0 ? "?occurrence=" + std::to_string(occurrence) : "");
  TestResponse got = Get(target);
  if (got.status != 200) {
    ADD_FAILURE() << username_ << " GET " << target << ": " << Describe(got);
    return got;
  }
  TestResponse written = Patch(target, json::object{{"fields", fields}}, {{"If-Match", got.Header("etag")}});
  if (written.status != 200) ADD_FAILURE() << username_ << " PATCH " << target << ": " << Describe(written);
  return written;
}

// --- the seeded organisation ---------------------------------------------------------------------------

const std::vector<SeedUser>& SeedUsers() {
  static const std::vector<SeedUser> users = {
      {"admin", "Adam Administratör", "administrator", 0},
      {"ulla", "Ulla Utvecklingsledare", "utvecklingsledare", 'A'},
      {"ubbe", "Ubbe Utvecklingsledare", "utvecklingsledare", 'B'},
      {"frida", "Frida Förvaltning", "forvaltning", 'A'},
      {"rut", "Rut Rektor", "personal", 'A'},
      {"anna", "Anna i arbetslaget", "personal", 'A'},
      {"olle", "Olle Observatör", "personal", 'A'},
      {"ola", "Ola Observatör", "personal", 'A'},
      {"sven", "Sven Skolutvecklare", "personal", 'A'},
      {"petra", "Petra Pedagog", "personal", 'A'},
      {"erik", "Erik Extra", "personal", 'A'},
      {"bo", "Bo i Borås", "personal", 'B'},
  };
  return users;
}

ApiTest::ApiTest() : clock_(At("2026-03-02")) {}

ApiTest::~ApiTest() = default;

server::ApiOptions ApiTest::Options() {
  server::ApiOptions options;
  options.template_dir = SPEGLA_SOURCE_DIR "/templates";
  return options;
}

void ApiTest::SetUp() {
  ASSERT_TRUE(AddBuiltinPlugins(plugins_).empty());
  engine_ = Engine::Open(TestDatabase(dir_.File("spegla.db")), clock_);
  engine_->SetPasswordCost(PasswordCost::kMinimum);
  engine_->SetPlugins(&plugins_);
  // The bundled workflows with their templates, as `spegla serve` installs them on an empty database.
  std::vector<std::filesystem::path> workflows;
  for (const auto& entry : std::filesystem::directory_iterator(SPEGLA_SOURCE_DIR "/workflows")) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") workflows.push_back(entry.path());
  }
  std::sort(workflows.begin(), workflows.end());
  ASSERT_GE(workflows.size(), 5u);
  LoadOptions load;
  load.template_dir = SPEGLA_SOURCE_DIR "/templates";
  for (const std::filesystem::path& file : workflows) {
    InstallOutcome outcome = engine_->InstallDefinitionFile(Actor::Operator(), file.string(), load);
    ASSERT_TRUE(outcome.problems.empty()) << outcome.problems.front().Format();
  }

  const Actor op = Actor::Operator();
  municipality_a_ = Must(engine_->CreateMunicipality(op, "Alingsås kommun", "KU8"));
  municipality_b_ = Must(engine_->CreateMunicipality(op, "Borås kommun", "KU8"));
  unit_a_ = Must(engine_->CreateUnit(op, municipality_a_, "Byskolan", "skola"));
  unit_b_ = Must(engine_->CreateUnit(op, municipality_b_, "Bergsskolan", "skola"));
  for (const SeedUser& seed : SeedUsers()) {
    User user;
    user.username = seed.username;
    user.display_name = seed.name;
    user.email = seed.username + "@example.se";
    user.global_role = seed.global_role;
    if (seed.municipality == 'A') user.municipality_id = municipality_a_;
    if (seed.municipality == 'B') user.municipality_id = municipality_b_;
    Must(engine_->CreateUser(op, user), "create " + seed.username);
    ASSERT_TRUE(Succeeds(engine_->SetPassword(op, seed.username, kPassword))) << seed.username;
  }
  for (const char* observer : {"olle", "ola"}) {
    ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(op, municipality_a_, observer)));
  }
  ASSERT_TRUE(Succeeds(engine_->AssignOrganisationRole(op, municipality_a_, "utvecklingsledare", "ulla")));
  ASSERT_TRUE(Succeeds(engine_->AssignOrganisationRole(op, municipality_b_, "utvecklingsledare", "ubbe")));
  ASSERT_TRUE(Succeeds(engine_->AssignOrganisationRole(op, municipality_a_, "skolutvecklare", "sven")));

  api_ = std::make_unique<server::Api>(*engine_, Options());
  live_ = std::make_unique<server::LiveHub>(*api_);
  engine_->SetEventListener(live_->Listener());
  server::HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  server::LiveHub* live = live_.get();
  options.websocket = [live](const server::HttpRequest& request) { return live->Accept(request); };
  server::Api* api = api_.get();
  server_ = std::make_unique<server::HttpServer>(
      options, [api](const server::HttpRequest& request) { return api->Handle(request); });
  server_->Start();
  ASSERT_NE(server_->port(), 0);
}

void ApiTest::TearDown() {
  if (server_) server_->Stop();
  server_.reset();
  if (engine_) engine_->SetEventListener(nullptr);
  live_.reset();
  api_.reset();
  engine_.reset();
}

std::unique_ptr<ApiClient> ApiTest::Client(const std::string& username) {
  auto client = std::make_unique<ApiClient>(port());
  if (!username.empty()) client->SignIn(username);
  return client;
}

std::int64_t ApiTest::StartKu8(const std::string& title) {
  std::int64_t id = Must(engine_->CreateInstance(U("ulla"), kKu8, unit_a_, title), "start KU8");
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "rektor", "rut")));
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "arbetslag", "anna")));
  return id;
}

void ApiTest::Ku8Application(std::int64_t id) {
  ASSERT_TRUE(Succeeds(engine_->SetFields(
      U("anna"), id, "ansokan", 0,
      {{"enhet", Text("Byskolan")},
       {"arbetslag_namn", Text("Arbetslag 4–6")},
       {"verksamhetsformer", Value{std::vector<std::string>{"grundskola_46"}}},
       {"kontaktperson", Text("Anna")},
       {"kontakt_epost", Text("anna@byskolan.se")},
       {"problemformulering",
        Text("Hur kan vi göra eleverna mer delaktiga i sitt lärande under lektionerna i matematik?")},
       {"antal_barn", Num(24)},
       {"informerat_foraldrar", Yes(true)}})));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("anna"), id, "ansokan")));
}

void ApiTest::Ku8ToPlanning(std::int64_t id) {
  Ku8Application(id);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "observator", "olle")));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "observator", "ola")));
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("ulla"), id, "besked", 0, {{"datum", Day("2026-03-10")}})));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("ulla"), id, "observatorsgrupp")));
}

void ApiTest::Ku8ToObservation(std::int64_t id) {
  Ku8ToPlanning(id);
  if (::testing::Test::HasFatalFailure()) return;
  Ku8PlanningToObservation(id);
}

void ApiTest::Ku8PlanningToObservation(std::int64_t id) {
  ASSERT_TRUE(Succeeds(engine_->SetFields(
      U("olle"), id, "planering", 0,
      {{"problemformulering_preciserad", Text("Elevernas delaktighet i genomgångar.")},
       {"observationsomrade", Text("pedagog_barn")},
       {"planeringsmoten",
        Value{std::vector<Row>{{{"datum", Day("2026-03-20")}, {"deltagare", Text("Alla")}}}}}})));
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("rut"), id, "planering", 0, {{"tid_avsatt", Yes(true)}})));
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "planeringsmoten")));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "planeringsmoten")));
  ASSERT_TRUE(Succeeds(engine_->AddOccurrence(U("olle"), id, "observation")));
  ASSERT_TRUE(
      Succeeds(engine_->SetFields(U("olle"), id, "observation", 1,
                                  {{"datum", Day("2026-04-14")},
                                   {"fokus", Text("Genomgångar")},
                                   {"anteckningar", Text("Tre elever i främre raden räckte upp handen.")}})));
}

}  // namespace spegla::test
