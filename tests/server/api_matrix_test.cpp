// Who may call what: every route of the API, called over HTTP by users in each global role and instance
// role, with the status each must get. The test fails when a route of the router is not in the matrix.
//
// Users (api_test_support.h): admin (administratör), ulla (utvecklingsledare of A, with the KU8 role in
// A's instances), ubbe (utvecklingsledare of B), frida (förvaltning of A), rut (rektor in A's instances),
// petra (personal of A, in no instance), bo (personal of B), and anonymous callers; olle (observer) and
// anna (arbetslag) where an instance role is what a route needs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The matrix's columns, in the order every row gives its statuses.
const std::vector<std::string> kColumns = {"admin", "ulla", "ubbe", "frida", "rut", "petra", "bo", ""};

struct Statuses {
  std::vector<int> by_column;  // as kColumns
};
//                admin ulla ubbe frida rut petra bo anonymous
Statuses R(int admin, int ulla, int ubbe, int frida, int rut, int petra, int bo, int anonymous = 401) {
  return Statuses{{admin, ulla, ubbe, frida, rut, petra, bo, anonymous}};
}

struct Call {
  std::string method;
  std::string target;
  std::optional<json::value> body;  // state changes send {} when there is none
  Headers headers;
  std::optional<std::string> raw;  // a body as it is, instead of JSON
};

Call Get(std::string target) { return Call{"GET", std::move(target), std::nullopt, {}, std::nullopt}; }
Call Post(std::string target, json::value body = json::object()) {
  return Call{"POST", std::move(target), std::move(body), {}, std::nullopt};
}
Call Patch(std::string target, json::value body, Headers headers = {}) {
  return Call{"PATCH", std::move(target), std::move(body), std::move(headers), std::nullopt};
}
Call Put(std::string target, json::value body) {
  return Call{"PUT", std::move(target), std::move(body), {}, std::nullopt};
}
Call Delete(std::string target) { return Call{"DELETE", std::move(target), std::nullopt, {}, std::nullopt}; }

class MatrixTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    // I1: in genomforande, a visit day with notes; the application document stored.
    i1_ = StartKu8("Besök ett");
    Ku8ToObservation(i1_);
    // I2: in tilldelning (the group can be sent back to the application).
    i2_ = StartKu8("Besök två");
    Ku8Application(i2_);
    // I3: in planering (waiting for the rektor's sign-off).
    i3_ = StartKu8("Besök tre");
    Ku8ToPlanning(i3_);
    // IB: in B, nobody assigned yet.
    ib_ = Must(engine_->CreateInstance(U("ubbe"), kKu8, unit_b_, "Besök i Borås"));
    if (HasFatalFailure()) return;
    for (const char* user : {"admin", "ulla", "ubbe", "frida", "rut", "petra", "bo", "olle", "anna"}) {
      clients_[user] = Client(user);
    }
  }

  // One call by one user ("" anonymous: a fresh client without cookies), checked against `expected`;
  // the route it reached is marked covered.
  TestResponse Run(const std::string& who, const Call& call, int expected) {
    const std::string path = call.target.substr(0, call.target.find('?'));
    server::Router::Match match = api_->router().Find(call.method, path);
    if (match.route) {
      covered_.insert(match.route->method + " " + match.route->pattern);
    } else {
      ADD_FAILURE() << "no route for " << call.method << " " << path;
    }
    const bool changes = call.method != "GET";
    Headers headers = call.headers;
    std::string body;
    if (changes) {
      body = call.raw ? *call.raw : json::serialize(call.body.value_or(json::object()));
      if (!headers.count("Content-Type")) headers["Content-Type"] = "application/json";
    }
    std::unique_ptr<ApiClient> anonymous;
    ApiClient* client = nullptr;
    if (who.empty()) {
      anonymous = Client();
      client = anonymous.get();
    } else {
      client = clients_.at(who).get();
    }
    TestResponse response = client->Send(call.method, call.target, body, headers);
    EXPECT_EQ(response.status, expected) << (who.empty() ? "anonymous" : who) << " " << call.method << " "
                                         << call.target << ": " << Describe(response);
    if (response.status >= 400) {
      EXPECT_THAT(response.Header("content-type"), HasSubstr("application/problem+json"))
          << call.method << " " << call.target;
    }
    return response;
  }

  // The call by every column's user in turn; the responses by user ("" anonymous).
  std::map<std::string, TestResponse> Row(const Call& call, const Statuses& statuses) {
    std::map<std::string, TestResponse> out;
    for (size_t i = 0; i < kColumns.size(); ++i)
      out[kColumns[i]] = Run(kColumns[i], call, statuses.by_column[i]);
    return out;
  }

  std::string I(std::int64_t id) const { return "/api/instances/" + std::to_string(id); }

  std::int64_t i1_ = 0, i2_ = 0, i3_ = 0, ib_ = 0;
  std::map<std::string, std::unique_ptr<ApiClient>> clients_;
  std::set<std::string> covered_;  // "METHOD pattern"
};

TEST_F(MatrixTest, EveryRouteForEveryRole) {
  const std::string a = std::to_string(municipality_a_), b = std::to_string(municipality_b_);
  const std::string unit_a = std::to_string(unit_a_);

  // --- meta and session ---
  Row(Get("/api/health"), R(200, 200, 200, 200, 200, 200, 200, 200));
  Row(Get("/api/openapi.json"), R(200, 200, 200, 200, 200, 200, 200, 200));
  {
    auto me = Row(Get("/api/me"), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_EQ(Str(Json(me["frida"]).at("user"), "global_role"), "forvaltning");
  }
  {
    auto tasks = Row(Get("/api/tasks"), R(200, 200, 200, 200, 200, 200, 200));
    // ulla puts I2's observer group together; petra has nothing to do.
    bool found = false;
    for (const json::value& t : Items(tasks["ulla"])) {
      found = found || (t.at("instance").as_int64() == i2_ && Str(t, "step") == "observatorsgrupp");
    }
    EXPECT_TRUE(found) << tasks["ulla"].body;
    EXPECT_TRUE(Json(tasks["petra"]).at("items").as_array().empty()) << tasks["petra"].body;
    // The rektor is asked to sign I3's planning off.
    EXPECT_THAT(tasks["rut"].body, HasSubstr("planeringsmoten"));
  }
  Row(Put("/api/me/password",
          json::object{{"current_password", "inte-mitt-losenord"}, {"new_password", "ett-nytt-losenord"}}),
      R(422, 422, 422, 422, 422, 422, 422));

  // --- municipalities ---
  {
    auto list = Row(Get("/api/municipalities"), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_EQ(Json(list["bo"]).at("total").as_int64(), 2);
  }
  Row(Post("/api/municipalities", json::object{{"name", "Lerums kommun"}}),
      R(201, 403, 403, 403, 403, 403, 403));
  Row(Patch("/api/municipalities/" + b, json::object{{"network", "KU8"}}),
      R(200, 403, 403, 403, 403, 403, 403));

  // --- units and teams ---
  {
    auto units = Row(Get("/api/units?municipality_id=" + a), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_EQ(Json(units["petra"]).at("total").as_int64(), 1);
  }
  // An utvecklingsledare manages the units of their own municipality (docs/api.md), not another's.
  Run("admin",
      Post("/api/units",
           json::object{{"municipality_id", municipality_a_}, {"name", "Adminskolan"}, {"kind", "skola"}}),
      201);
  Run("ulla",
      Post("/api/units",
           json::object{
               {"municipality_id", municipality_a_}, {"name", "Ullas förskola"}, {"kind", "forskola"}}),
      201);
  Row(Post("/api/units",
           json::object{{"municipality_id", municipality_a_}, {"name", "Fel skola"}, {"kind", "skola"}}),
      R(201, 409, 403, 403, 403, 403, 403));  // the name is new once, then taken
  Run("ubbe",
      Post("/api/units",
           json::object{{"municipality_id", municipality_b_}, {"name", "Ubbes skola"}, {"kind", "skola"}}),
      201);
  Row(Patch("/api/units/" + unit_a, json::object{{"name", "Byskolan"}}),
      R(200, 200, 403, 403, 403, 403, 403));
  Row(Get("/api/units/" + unit_a + "/teams"), R(200, 200, 200, 200, 200, 200, 200));
  Run("admin", Post("/api/units/" + unit_a + "/teams", json::object{{"name", "Arbetslag F–3"}}), 201);
  Run("ulla", Post("/api/units/" + unit_a + "/teams", json::object{{"name", "Arbetslag 4–6"}}), 201);
  Row(Post("/api/units/" + unit_a + "/teams", json::object{{"name", "Arbetslag 7–9"}}),
      R(201, 409, 403, 403, 403, 403, 403));

  // --- users ---
  Row(Get("/api/users"), R(200, 200, 200, 403, 403, 403, 403));
  Row(Post(
          "/api/users",
          json::object{{"username", "nils"}, {"name", "Nils Nilsson"}, {"municipality_id", municipality_a_}}),
      R(201, 403, 403, 403, 403, 403, 403));
  Row(Patch("/api/users/petra", json::object{{"email", "petra@byskolan.se"}}),
      R(200, 403, 403, 403, 403, 403, 403));

  // --- templates (a JSON body is the wrong type for everyone who may upload: nothing is written) ---
  Row(Get("/api/templates"), R(200, 403, 403, 403, 403, 403, 403));
  Row(Post("/api/templates?path=matris.docx", json::object{}), R(415, 403, 403, 403, 403, 403, 403));

  // --- observer pools and organisation-wide roles ---
  {
    auto pool = Row(Get("/api/municipalities/" + a + "/observer-pool"), R(200, 200, 200, 403, 403, 403, 403));
    EXPECT_THAT(pool["ulla"].body, HasSubstr("\"olle\""));
    EXPECT_EQ(Json(pool["ulla"]).at("total").as_int64(), 2);
  }
  Row(Post("/api/municipalities/" + a + "/observer-pool", json::object{{"username", "erik"}}),
      R(204, 204, 403, 403, 403, 403, 403));
  EXPECT_EQ(engine_->ObserverPool(municipality_a_).size(), 3u);
  Row(Delete("/api/municipalities/" + a + "/observer-pool/erik"), R(204, 204, 403, 403, 403, 403, 403));
  EXPECT_EQ(engine_->ObserverPool(municipality_a_).size(), 2u);
  Row(Post("/api/municipalities/" + a + "/roles",
           json::object{{"role", "skolutvecklare"}, {"username", "erik"}}),
      R(204, 204, 403, 403, 403, 403, 403));

  // --- workflows ---
  {
    auto list = Row(Get("/api/workflows"), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_THAT(list["rut"].body, HasSubstr(kKu8));
    EXPECT_GE(Json(list["rut"]).at("total").as_int64(), 5);
  }
  {
    auto one = Row(Get(std::string("/api/workflows/") + kKu8), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_EQ(Json(one["petra"]).at("version").as_int64(), 2);
  }
  {
    Call upload{"POST",
                "/api/workflows",
                std::nullopt,
                {{"Content-Type", "application/xml"}},
                ReadText(SPEGLA_SOURCE_DIR "/workflows/ku8-larande-besok.xml")};
    auto installed = Row(upload, R(200, 403, 403, 403, 403, 403, 403));
    EXPECT_TRUE(Json(installed["admin"]).at("already_installed").as_bool());
  }

  // --- instances: who sees which ---
  {
    auto list = Row(Get("/api/instances"), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_EQ(Json(list["admin"]).at("total").as_int64(), 4);
    EXPECT_EQ(Json(list["ulla"]).at("total").as_int64(), 3);
    EXPECT_EQ(Json(list["ubbe"]).at("total").as_int64(), 1);
    EXPECT_EQ(Json(list["frida"]).at("total").as_int64(), 3);
    EXPECT_EQ(Json(list["rut"]).at("total").as_int64(), 3);
    EXPECT_EQ(Json(list["petra"]).at("total").as_int64(), 0);
    EXPECT_EQ(Json(list["bo"]).at("total").as_int64(), 0);
  }
  {
    auto view = Row(Get(I(i1_)), R(200, 200, 403, 200, 200, 403, 403));
    json::value frida = Json(view["frida"]);
    EXPECT_TRUE(frida.at("participants").as_array().empty()) << view["frida"].body;
    EXPECT_EQ(StepState(frida, "observation"), "active");  // the course, yes
    EXPECT_FALSE(Json(view["rut"]).at("participants").as_array().empty());
    EXPECT_THAT(view["rut"].body, HasSubstr("\"olle\""));
  }
  Run("admin", Get("/api/instances/999999"), 404);
  {
    auto participants = Row(Get(I(i1_) + "/participants"), R(200, 200, 403, 200, 200, 403, 403));
    EXPECT_TRUE(Json(participants["frida"]).at("items").as_array().empty()) << participants["frida"].body;
    EXPECT_THAT(participants["ulla"].body, HasSubstr("\"ola\""));
  }
  Row(Post("/api/instances", json::object{{"workflow", kKu8}, {"unit_id", unit_a_}, {"title", "Nytt besök"}}),
      R(201, 201, 403, 403, 403, 403, 403));
  Run("ubbe", Post("/api/instances", json::object{{"workflow", kKu8}, {"unit_id", unit_b_}}), 201);

  // --- participants: administrators and the municipality's utvecklingsledare manage them ---
  Row(Post(I(i1_) + "/participants", json::object{{"role", "arbetslag"}, {"username", "erik"}}),
      R(200, 200, 403, 403, 403, 403, 403));
  Row(Delete(I(i1_) + "/participants/arbetslag/erik"), R(204, 404, 403, 403, 403, 403, 403));

  // --- forms: per the definition's rights, whatever the global role ---
  Row(Get(I(i1_) + "/forms/ansokan"), R(403, 200, 403, 403, 200, 403, 403));
  {
    const std::string notes = I(i1_) + "/forms/observation?occurrence=1";
    auto form = Row(Get(notes), R(403, 403, 403, 403, 200, 403, 403));
    EXPECT_THAT(FieldIds(Json(form["rut"])), ElementsAre("datum", "fokus"));
    EXPECT_THAT(form["rut"].body, Not(HasSubstr("främre raden")));
    TestResponse observer = Run("olle", Get(notes), 200);
    EXPECT_THAT(FieldIds(Json(observer)), ElementsAre("datum", "fokus", "anteckningar"));
    EXPECT_THAT(observer.body, HasSubstr("främre raden"));
    EXPECT_EQ(Str(*FindField(Json(observer), "anteckningar"), "rights"), "edit");

    Call write =
        Patch(notes, json::object{{"fields", json::object{{"fokus", "Grupparbete"}}}}, {{"If-Match", "*"}});
    Row(write, R(403, 403, 403, 403, 403, 403, 403));
    Run("olle", write, 200);

    // Offline forms: downloaded by whoever may read the form; an upload writes only what the uploader
    // may change (here nothing changed, so the rektor's upload of the observer's file writes nothing).
    Row(Get(I(i1_) + "/forms/observation/download?occurrence=1&format=xlsx"), R(403, 403, 403, 403, 200, 403, 403));
    TestResponse file = Run("olle", Get(I(i1_) + "/forms/observation/download?occurrence=1"), 200);
    Call upload{"POST", I(i1_) + "/forms/observation/upload?occurrence=1", std::nullopt,
                {{"Content-Type", kDocxMedia}}, file.body};
    auto uploaded = Row(upload, R(403, 403, 403, 403, 200, 403, 403));
    EXPECT_TRUE(Json(uploaded["rut"]).at("changed").as_array().empty()) << Describe(uploaded["rut"]);
    EXPECT_THAT(uploaded["rut"].body, Not(HasSubstr("främre raden")));
  }

  // --- steps ---
  {
    Row(Post(I(i1_) + "/steps/observation/occurrences"), R(403, 403, 403, 403, 403, 403, 403));
    TestResponse day = Run("olle", Post(I(i1_) + "/steps/observation/occurrences"), 201);
    EXPECT_EQ(Json(day).at("occurrence").as_int64(), 2);
  }
  {
    Row(Post(I(i1_) + "/steps/observation/complete"), R(403, 403, 403, 403, 403, 403, 403));
    // The observer may, but day 2 has no date yet: every reason is listed.
    TestResponse refused = Run("olle", Post(I(i1_) + "/steps/observation/complete"), 409);
    EXPECT_EQ(Str(Json(refused), "code"), "refused");
    EXPECT_THAT(ErrorFields(refused), Contains("observation.datum#2"));
  }
  Row(Post(I(i1_) + "/steps/utvardering/reopen", json::object{{"reason", "Vi vill skriva mer."}}),
      R(403, 403, 403, 403, 403, 403, 403));
  Run("anna", Post(I(i1_) + "/steps/utvardering/reopen", json::object{{"reason", "Vi vill skriva mer."}}),
      409);
  {
    auto sent = Row(Post(I(i2_) + "/steps/observatorsgrupp/send-back",
                         json::object{{"to", "ansokan"}, {"reason", "Beskriv elevgruppen mer."}}),
                    R(403, 200, 403, 403, 403, 403, 403));
    EXPECT_EQ(Str(Json(sent["ulla"]), "current_phase"), "ansokan");
  }
  {
    auto signed_off =
        Row(Post(I(i3_) + "/steps/planeringsmoten/sign-off"), R(403, 403, 403, 403, 200, 403, 403));
    const json::value instance = Json(signed_off["rut"]);
    const json::object* step = FindStep(instance, "planeringsmoten");
    ASSERT_NE(step, nullptr);
    EXPECT_THAT(json::serialize(step->at("signed_off_by_roles")), HasSubstr("rektor"));
  }

  // --- working together: the channel, comments, mentions, history (who may read the history) ---
  Row(Get(I(i1_) + "/live"), R(426, 426, 426, 426, 426, 426, 426));  // not an upgrade: for everyone
  {
    Row(Get(I(i1_) + "/comments"), R(200, 200, 403, 403, 200, 403, 403));
    auto added = Row(Post(I(i1_) + "/comments", json::object{{"step", "observation"}, {"body", "Dag två?"}}),
                     R(201, 201, 403, 403, 201, 403, 403));
    const std::string comment = I(i1_) + "/comments/" + std::to_string(Json(added["admin"]).at("id").as_int64());
    Row(Post(comment + "/resolve"), R(200, 200, 404, 404, 200, 404, 404));
    Row(Post(comment + "/reopen"), R(200, 200, 404, 404, 200, 404, 404));
    Row(Get("/api/me/mentions"), R(200, 200, 200, 200, 200, 200, 200));
    auto roles = Row(Get("/api/me/assignments"), R(200, 200, 200, 200, 200, 200, 200));
    EXPECT_THAT(roles["rut"].body, HasSubstr("\"rektor\""));
    const std::string field = I(i1_) + "/forms/ansokan/fields/problemformulering";
    Row(Get(field + "/history"), R(403, 200, 403, 403, 200, 403, 403));
    // The application is locked once sent: those who may see the field are refused with the reason.
    Row(Post(field + "/restore", json::object{{"version", 1}, {"expected_version", 1}}),
        R(403, 409, 403, 403, 409, 403, 403));
  }

  // --- the audit log: not for förvaltning; hidden values stay hidden ---
  {
    auto events = Row(Get(I(i1_) + "/events?limit=500"), R(200, 200, 403, 403, 200, 403, 403));
    for (const char* who : {"admin", "ulla", "rut"}) {
      EXPECT_THAT(events[who].body, Not(HasSubstr("främre raden"))) << who;
      EXPECT_THAT(events[who].body, HasSubstr("observation.anteckningar#1")) << who;  // that it changed, yes
    }
    EXPECT_THAT(Run("olle", Get(I(i1_) + "/events?limit=500"), 200).body, HasSubstr("främre raden"));
  }

  // --- documents: for the roles that may read all of their data ---
  {
    auto list = Row(Get(I(i1_) + "/documents"), R(200, 200, 403, 200, 200, 403, 403));
    EXPECT_THAT(list["rut"].body, HasSubstr("\"document\":\"ansokan\""));
    EXPECT_THAT(list["ulla"].body, HasSubstr("\"document\":\"ansokan\""));
    EXPECT_EQ(Json(list["admin"]).at("total").as_int64(), 0);
    EXPECT_EQ(Json(list["frida"]).at("total").as_int64(), 0);
  }
  {
    auto docx = Row(Get(I(i1_) + "/documents/ansokan"), R(403, 200, 403, 403, 200, 403, 403));
    EXPECT_EQ(docx["rut"].body.substr(0, 2), "PK");
    EXPECT_EQ(docx["rut"].Header("content-type"), kDocxMedia);
    EXPECT_THAT(docx["rut"].Header("content-disposition"), HasSubstr("attachment"));
  }
  {
    auto preview = Row(Get(I(i1_) + "/documents/ansokan/preview"), R(403, 200, 403, 403, 200, 403, 403));
    EXPECT_EQ(preview["rut"].body.substr(0, 2), "PK");
  }
  {
    auto rendered = Row(Post(I(i1_) + "/documents/ansokan/render"), R(403, 201, 403, 403, 201, 403, 403));
    EXPECT_EQ(Json(rendered["rut"]).at("version").as_int64(), 3);  // 1 at completion, 2 by ulla, 3 by rut
  }

  // --- exports: management only; an utvecklingsledare only for their own municipality ---
  {
    auto xlsx = Row(Get("/api/exports/overview.xlsx"), R(200, 200, 200, 200, 403, 403, 403));
    for (const char* who : {"admin", "ulla", "ubbe", "frida"}) {
      EXPECT_EQ(xlsx[who].body.substr(0, 2), "PK") << who;
      EXPECT_EQ(xlsx[who].Header("content-type"), kXlsxMedia) << who;
      EXPECT_THAT(xlsx[who].Header("content-disposition"), HasSubstr("spegla-oversikt-2026-03-02.xlsx"))
          << who;
    }
  }
  {
    auto csv = Row(Get("/api/exports/overview.csv"), R(200, 200, 200, 200, 403, 403, 403));
    for (const char* who : {"admin", "ulla", "ubbe", "frida"}) {
      EXPECT_EQ(csv[who].body.substr(0, 3), "\xEF\xBB\xBF") << who;
      EXPECT_THAT(csv[who].Header("content-type"), HasSubstr("text/csv")) << who;
    }
    EXPECT_THAT(csv["admin"].body, HasSubstr("Besök i Borås"));
    EXPECT_THAT(csv["ulla"].body, HasSubstr("Besök ett"));
    EXPECT_THAT(csv["ulla"].body, Not(HasSubstr("Besök i Borås")));
  }
  Run("ulla", Get("/api/exports/overview.csv?municipality_id=" + b), 403);
  Run("ubbe", Get("/api/exports/overview.xlsx?municipality_id=" + b), 200);

  // --- insights: the dashboard for management; the network's lessons for anyone ---
  {
    auto insights = Row(Get("/api/insights"), R(200, 200, 200, 200, 403, 403, 403));
    EXPECT_LT(Json(insights["ubbe"]).at("instances").as_int64(),
              Json(insights["admin"]).at("instances").as_int64());
  }
  Row(Get("/api/public/lessons/KU8"), R(200, 200, 200, 200, 200, 200, 200, 200));

  // --- signing in and out, each with a session of its own ---
  for (const std::string& who : kColumns) {
    if (who.empty()) continue;
    std::unique_ptr<ApiClient> fresh = Client();
    EXPECT_TRUE(fresh->SignIn(who));  // 201
    covered_.insert("POST /api/session");
    TestResponse out = fresh->Delete("/api/session");
    EXPECT_EQ(out.status, 204) << who << ": " << Describe(out);
    covered_.insert("DELETE /api/session");
  }
  Run("", Post("/api/session", json::object{{"username", "petra"}, {"password", "fel-fel-fel-fel"}}), 401);
  Run("", Delete("/api/session"), 401);
  for (const auto& [who, client] : clients_) EXPECT_EQ(client->Get("/api/me").status, 200) << who;

  // Every route of the router is in the matrix.
  for (const server::Route& route : api_->router().routes()) {
    EXPECT_TRUE(covered_.count(route.method + " " + route.pattern))
        << "not in the matrix: " << route.method << " " << route.pattern;
  }
}

}  // namespace
}  // namespace spegla::test
