// The dashboard's numbers (GET /api/insights) and the public lessons page (GET
// /api/public/lessons/{network}).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A small process whose one step collects lessons, exported on the sheet "Lärdomar" like KU8's.
constexpr const char* kLessonsFlow = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<workflow xmlns="urn:spegla:workflow:1" id="lardomstest" version="1" lang="sv">
  <title>Lärdomstest</title>
  <roles>
    <role id="larare" label="Lärare" min="1"/>
  </roles>
  <forms>
    <form id="lardomar" label="Lärdomar">
      <access role="larare" rights="edit"/>
      <field id="rubrik" type="text" label="Rubrik"/>
      <field id="sammanfattning" type="longtext" label="Sammanfattning"/>
      <field id="publicera" type="yesno" label="Får publiceras"/>
    </form>
  </forms>
  <phases>
    <phase id="arbete" label="Arbete" final="true">
      <step id="skriv" label="Skriv lärdomar" performers="larare" forms="lardomar"/>
    </phase>
  </phases>
  <exports>
    <export id="lardomar" label="Lärdomstestets lärdomar" sheet="Lärdomar">
      <column label="Rubrik" value="lardomar.rubrik"/>
      <column label="Lärdomar" value="lardomar.sammanfattning"/>
      <column label="Får publiceras" value="lardomar.publicera"/>
    </export>
  </exports>
</workflow>
)xml";

class InsightsTest : public ApiTest {
 protected:
  // An instance of the lessons process at `unit`, written by `teacher` and completed.
  std::int64_t CompletedLessons(const std::string& starter, std::int64_t unit, const std::string& teacher,
                                const std::string& heading, bool publish) {
    std::int64_t id = Must(engine_->CreateInstance(U(starter), "lardomstest", unit, heading));
    EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U(starter), id, "larare", teacher)));
    EXPECT_TRUE(Succeeds(engine_->SetFields(U(teacher), id, "lardomar", 0,
                                            {{"rubrik", Text(heading)},
                                             {"sammanfattning", Text("Korta genomgångar gav mer tid.")},
                                             {"publicera", Yes(publish)}})));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U(teacher), id, "skriv")));
    return id;
  }

  void InstallLessonsFlow() {
    InstallOutcome outcome = engine_->InstallDefinition(Actor::Operator(), kLessonsFlow, "lardomstest.xml");
    ASSERT_TRUE(outcome.problems.empty()) << outcome.problems.front().Format();
  }
};

const json::object* Process(const json::value& insights, std::string_view workflow) {
  for (const json::value& p : insights.at("processes").as_array()) {
    if (p.at("workflow").as_string() == workflow) return &p.as_object();
  }
  return nullptr;
}

std::int64_t PhaseCount(const json::object& process, std::string_view phase, std::string_view key) {
  for (const json::value& p : process.at("phases").as_array()) {
    if (p.at("id").as_string() == phase) return p.at(key).to_number<std::int64_t>();
  }
  ADD_FAILURE() << "no phase " << phase;
  return -1;
}

TEST_F(InsightsTest, CountsInstancesPerProcessAndPhaseOverdueAndObserverDays) {
  const std::int64_t observed = StartKu8("Besök ett");
  Ku8ToObservation(observed);
  ASSERT_FALSE(HasFatalFailure());
  // Observer days: 1.5 + 2 for A's visit.
  ASSERT_TRUE(Succeeds(engine_->SetFields(
      U("olle"), observed, "tidsredovisning", 0,
      {{"rader",
        Value{std::vector<Row>{
            {{"observator", Text("olle")}, {"aktivitet", Text("forarbete")}, {"dagar", Num(1.5)}},
            {{"observator", Text("ola")}, {"aktivitet", Text("observation")}, {"dagar", Num(2)}}}}}})));
  StartKu8("Besök två");  // in ansokan
  Must(engine_->CreateInstance(U("ubbe"), kKu8, unit_b_, "Besök i Borås"));

  std::unique_ptr<ApiClient> admin = Client("admin");
  TestResponse response = admin->Get("/api/insights");
  ASSERT_EQ(response.status, 200) << Describe(response);
  json::value insights = Json(response);
  EXPECT_EQ(insights.at("instances").as_int64(), 3);
  EXPECT_EQ(insights.at("active").as_int64(), 3);
  EXPECT_EQ(insights.at("completed").as_int64(), 0);
  EXPECT_EQ(insights.at("overdue").as_int64(), 0);
  const json::object* ku8 = Process(insights, kKu8);
  ASSERT_NE(ku8, nullptr);
  EXPECT_EQ(ku8->at("instances").as_int64(), 3);
  EXPECT_EQ(PhaseCount(*ku8, "ansokan", "instances"), 2);
  EXPECT_EQ(PhaseCount(*ku8, "genomforande", "instances"), 1);
  EXPECT_EQ(PhaseCount(*ku8, "planering", "instances"), 0);  // every phase listed, in order
  EXPECT_EQ(ku8->at("phases").as_array().front().at("id"), "ansokan");
  const json::array& days = insights.at("observer_days").as_array();
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].at("municipality"), "Alingsås kommun");
  EXPECT_DOUBLE_EQ(days[0].at("days").to_number<double>(), 3.5);
  EXPECT_EQ(days[0].at("instances").as_int64(), 2);
  EXPECT_EQ(days[1].at("municipality"), "Borås kommun");
  EXPECT_DOUBLE_EQ(days[1].at("days").to_number<double>(), 0);
  // Only sums leave: no observer's name.
  EXPECT_THAT(response.body, Not(HasSubstr("Olle")));

  // Past the application's four weeks: the two instances still applying are late.
  clock_.Advance(std::chrono::hours(24 * 60));
  admin = Client("admin");  // the old session has expired
  insights = Json(admin->Get("/api/insights"));
  EXPECT_GE(insights.at("overdue").as_int64(), 2);
  ku8 = Process(insights, kKu8);
  ASSERT_NE(ku8, nullptr);
  EXPECT_EQ(PhaseCount(*ku8, "ansokan", "overdue"), 2);

  // Scoped like the instance list: ulla and frida see A's two, ubbe B's one.
  for (const char* who : {"ulla", "frida"}) {
    json::value scoped = Json(Client(who)->Get("/api/insights"));
    EXPECT_EQ(scoped.at("instances").as_int64(), 2) << who;
    EXPECT_EQ(scoped.at("observer_days").as_array().size(), 1u) << who;
  }
  EXPECT_EQ(Json(Client("ubbe")->Get("/api/insights")).at("instances").as_int64(), 1);
  EXPECT_EQ(Json(admin->Get("/api/insights?workflow=alp-larande-besok")).at("instances").as_int64(), 0);
  EXPECT_EQ(admin->Get("/api/insights?municipality_id=x").status, 400);
}

TEST_F(InsightsTest, PersonalUsersMayNotSeeTheDashboard) {
  StartKu8();
  for (const char* who : {"rut", "petra", "bo", "anna"}) {
    EXPECT_EQ(Client(who)->Get("/api/insights").status, 403) << who;
  }
  EXPECT_EQ(Client()->Get("/api/insights").status, 401);
}

TEST_F(InsightsTest, PublicLessonsOfTheNetworksCompletedInstancesWithoutNames) {
  InstallLessonsFlow();
  ASSERT_FALSE(HasFatalFailure());
  const Actor op = Actor::Operator();
  const std::int64_t other = Must(engine_->CreateMunicipality(op, "Umeå kommun", "Norr"));
  const std::int64_t other_unit = Must(engine_->CreateUnit(op, other, "Norrskolan", "skola"));
  CompletedLessons("ulla", unit_a_, "anna", "Korta genomgångar", true);
  CompletedLessons("ubbe", unit_b_, "bo", "Hemligt arbete", false);  // not to be published
  CompletedLessons("admin", other_unit, "petra", "Norrländska lärdomar", true);
  // Active: not yet lessons.
  std::int64_t open = Must(engine_->CreateInstance(U("ulla"), "lardomstest", unit_a_, "Pågående"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), open, "larare", "anna")));
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("anna"), open, "lardomar", 0,
                                          {{"rubrik", Text("Ofärdigt")}, {"publicera", Yes(true)}})));
  StartKu8("Besök ett");

  std::unique_ptr<ApiClient> anonymous = Client();
  TestResponse response = anonymous->Get("/api/public/lessons/KU8");
  ASSERT_EQ(response.status, 200) << Describe(response);
  json::value lessons = Json(response);
  std::vector<std::string> columns;
  for (const json::value& c : lessons.at("columns").as_array()) columns.emplace_back(c.as_string());
  EXPECT_THAT(columns, ::testing::IsSupersetOf({"Nr", "Kommun", "Enhet", "Process", "Rubrik", "Lärdomar"}));
  const json::array& rows = lessons.at("rows").as_array();
  ASSERT_EQ(rows.size(), 1u) << response.body;
  EXPECT_EQ(rows[0].as_array().size(), columns.size());
  EXPECT_THAT(response.body, HasSubstr("Korta genomgångar"));
  EXPECT_THAT(response.body, HasSubstr("Alingsås kommun"));
  EXPECT_THAT(response.body, Not(HasSubstr("Hemligt arbete")));
  EXPECT_THAT(response.body, Not(HasSubstr("Norrländska")));
  EXPECT_THAT(response.body, Not(HasSubstr("Ofärdigt")));
  for (const SeedUser& user : SeedUsers()) {
    EXPECT_THAT(response.body, Not(HasSubstr(user.name))) << user.username;
  }

  json::value norr = Json(anonymous->Get("/api/public/lessons/Norr"));
  ASSERT_EQ(norr.at("rows").as_array().size(), 1u);
  EXPECT_EQ(anonymous->Get("/api/public/lessons/Okand").status, 404);
  EXPECT_EQ(Client("petra")->Get("/api/public/lessons/KU8").status, 200);
}

}  // namespace
}  // namespace spegla::test
