// Who may see and start instances beyond the definition's own rights: participants (also from another
// municipality, also through an organisation-wide role), administrators, utvecklingsledare and förvaltning
// of the instance's municipality or of all, and nobody else. Form values follow the instance roles only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "../support/test_database.h"

namespace spegla {
namespace {

using namespace spegla::test;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Two municipalities with a school each; two instances in Norrby (a1 with participants, a2 without), one
// in Söderby (b1).
class AccessTest : public ::testing::Test {
 protected:
  AccessTest() : clock_(At("2026-03-02")) {}

  void SetUp() override {
    engine_ = Engine::Open(TestDatabase((dir_.path() / "spegla.db").string()), clock_);
    const Actor op = Actor::Operator();
    north_ = Must(engine_->CreateMunicipality(op, "Norrby", "KU8"));
    south_ = Must(engine_->CreateMunicipality(op, "Söderby", "KU8"));
    byskolan_ = Must(engine_->CreateUnit(op, north_, "Byskolan", "skola"));
    sjoskolan_ = Must(engine_->CreateUnit(op, south_, "Sjöskolan", "skola"));
    AddUser("ada", "administrator", std::nullopt);
    AddUser("ulla", "utvecklingsledare", north_);
    AddUser("ulf", "utvecklingsledare", south_);
    AddUser("uno", "utvecklingsledare", std::nullopt);
    AddUser("frida", "forvaltning", north_);
    AddUser("fred", "forvaltning", south_);
    AddUser("fia", "forvaltning", std::nullopt);
    AddUser("lars", "personal", north_);
    AddUser("rut", "personal", north_);
    AddUser("eva", "personal", north_);
    AddUser("sam", "personal", north_);
    AddUser("olof", "personal", north_);
    AddUser("petra", "personal", south_);
    AddUser("pia", "personal", south_);
    // sam is samordnare for all of Norrby (an organisation-wide role in test-flow); olof is made rektor
    // there too, but test-flow's rektor is a role of each instance, so that gives him nothing.
    ASSERT_TRUE(Succeeds(engine_->AssignOrganisationRole(op, north_, "samordnare", "sam")));
    ASSERT_TRUE(Succeeds(engine_->AssignOrganisationRole(op, north_, "rektor", "olof")));
    ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(op, north_, "petra")));
    InstallOutcome installed = engine_->InstallDefinitionFile(op, kFlowFile);
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();

    a1_ = Must(engine_->CreateInstance(op, "test-flow", byskolan_, "Byskolan ett"));
    a2_ = Must(engine_->CreateInstance(op, "test-flow", byskolan_, "Byskolan två"));
    b1_ = Must(engine_->CreateInstance(op, "test-flow", sjoskolan_, "Sjöskolan ett"));
    ASSERT_TRUE(Succeeds(engine_->AssignParticipant(op, a1_, "larare", "lars")));
    ASSERT_TRUE(Succeeds(engine_->AssignParticipant(op, a1_, "rektor", "rut")));
    ASSERT_TRUE(Succeeds(engine_->AssignParticipant(op, a1_, "observator", "petra")));  // from Söderby
    ASSERT_TRUE(Succeeds(engine_->AssignParticipant(op, b1_, "larare", "pia")));
    ASSERT_TRUE(Succeeds(engine_->SetFields(U("lars"), a1_, "ansokan", 0,
                                            {{"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                                             {"antal", Num(24)},
                                             {"vag", Text("grundlig")},
                                             {"informerat", Yes(true)},
                                             {"intern", Text("Bara för lärarna")}})));
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), a1_, "ansokan")));
  }

  void TearDown() override { engine_.reset(); }

  void AddUser(const std::string& username, const std::string& role,
               std::optional<std::int64_t> municipality) {
    User user;
    user.username = username;
    user.display_name = "Person " + username;
    user.global_role = role;
    user.municipality_id = municipality;
    Must(engine_->CreateUser(Actor::Operator(), user), "create user " + username);
  }

  // The ids of the instances `who` may list.
  std::vector<std::int64_t> Visible(const Actor& who, InstanceFilter filter = {}) {
    InstancePage page = engine_->ListInstances(who, filter);
    std::vector<std::int64_t> ids;
    for (const InstanceSummary& s : page.items) ids.push_back(s.id);
    EXPECT_EQ(page.total, ids.size());
    return ids;
  }

  static std::vector<std::string> Participants(const InstanceView& view) {
    std::vector<std::string> out;
    for (const ParticipantView& p : view.participants) out.push_back(p.role + ":" + p.username);
    return out;
  }

  static const StepView* FindStep(const InstanceView& view, std::string_view id) {
    for (const PhaseView& phase : view.phases) {
      for (const StepView& step : phase.steps) {
        if (step.step->id == id) return &step;
      }
    }
    return nullptr;
  }

  ManualClock clock_;
  ScratchDir dir_{"spegla-access"};
  std::unique_ptr<Engine> engine_;
  std::int64_t north_ = 0, south_ = 0, byskolan_ = 0, sjoskolan_ = 0;
  std::int64_t a1_ = 0, a2_ = 0, b1_ = 0;
};

TEST_F(AccessTest, ParticipantsSeeTheirInstancesOnly) {
  InstanceView view = Must(engine_->GetInstance(U("lars"), a1_));
  EXPECT_THAT(Participants(view),
              ElementsAre("rektor:rut", "larare:lars", "observator:petra", "samordnare:sam"));
  EXPECT_EQ(FindStep(view, "ansokan")->completed_by, "lars");
  EXPECT_TRUE(Succeeds(engine_->AuditLog(U("rut"), a1_)));
  // A participant from another municipality sees the instance they take part in, and no other there.
  EXPECT_TRUE(Succeeds(engine_->GetInstance(U("petra"), a1_)));
  EXPECT_TRUE(Succeeds(engine_->AuditLog(U("petra"), a1_)));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("petra"), a2_), ErrorCode::kForbidden,
                    {"Du har inte tillgång till processen ”Byskolan två”."}));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("lars"), a2_), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("lars"), b1_), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->AuditLog(U("lars"), a2_), ErrorCode::kForbidden,
                    {"Du får inte läsa loggen för processen ”Byskolan två”."}));
  // Users of the municipality who take no part, of another municipality, or unknown, see nothing.
  for (const char* who : {"eva", "pia", "nobody"}) {
    EXPECT_TRUE(Fails(engine_->GetInstance(U(who), a1_), ErrorCode::kForbidden)) << who;
    EXPECT_TRUE(Fails(engine_->AuditLog(U(who), a1_), ErrorCode::kForbidden)) << who;
    EXPECT_TRUE(Fails(engine_->GetForm(U(who), a1_, "ansokan"), ErrorCode::kForbidden)) << who;
  }
  EXPECT_TRUE(Fails(engine_->GetInstance(U("lars"), 999), ErrorCode::kNotFound));
}

TEST_F(AccessTest, AnOrganisationWideRoleMakesAParticipantOfEveryInstanceInTheMunicipality) {
  EXPECT_TRUE(Succeeds(engine_->GetInstance(U("sam"), a1_)));
  EXPECT_TRUE(Succeeds(engine_->GetInstance(U("sam"), a2_)));
  EXPECT_TRUE(Succeeds(engine_->AuditLog(U("sam"), a2_)));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("sam"), b1_), ErrorCode::kForbidden));
  // A role the definition gives per instance, held organisation-wide, does not count.
  EXPECT_TRUE(Fails(engine_->GetInstance(U("olof"), a1_), ErrorCode::kForbidden));
  EXPECT_THAT(Visible(U("sam")), ElementsAre(a1_, a2_));
  EXPECT_THAT(Visible(U("olof")), IsEmpty());
}

TEST_F(AccessTest, AdministratorsSeeEveryInstanceButNoFormValues) {
  for (std::int64_t id : {a1_, a2_, b1_}) EXPECT_TRUE(Succeeds(engine_->GetInstance(U("ada"), id)));
  InstanceView view = Must(engine_->GetInstance(U("ada"), a1_));
  EXPECT_EQ(view.participants.size(), 4u);
  // A global role gives no rights on fields: only the instance's roles do.
  EXPECT_TRUE(Fails(engine_->GetForm(U("ada"), a1_, "ansokan"), ErrorCode::kForbidden,
                    {"Du har inte rätt att se formuläret ”Ansökan”."}));
  std::vector<AuditEntry> log = Must(engine_->AuditLog(U("ada"), a1_));
  size_t field_entries = 0;
  for (const AuditEntry& e : log) {
    if (e.action != "field.set") continue;
    ++field_entries;
    EXPECT_FALSE(e.new_value) << e.target;
    EXPECT_EQ(e.detail, "värdet visas inte för din roll");
  }
  EXPECT_EQ(field_entries, 5u);
  // The rektor sees the values the definition lets them see, not the hidden one.
  for (const AuditEntry& e : Must(engine_->AuditLog(U("rut"), a1_))) {
    if (e.action == "field.set") {
      EXPECT_EQ(e.new_value.has_value(), e.target != "ansokan.intern") << e.target;
    }
  }
  EXPECT_THAT(Visible(U("ada")), ElementsAre(a1_, a2_, b1_));
}

TEST_F(AccessTest, UtvecklingsledareSeeTheirMunicipality) {
  EXPECT_TRUE(Succeeds(engine_->GetInstance(U("ulla"), a1_)));
  EXPECT_EQ(Must(engine_->GetInstance(U("ulla"), a1_)).participants.size(), 4u);
  EXPECT_TRUE(Succeeds(engine_->AuditLog(U("ulla"), a2_)));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("ulla"), b1_), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("ulf"), a1_), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->AuditLog(U("ulf"), a1_), ErrorCode::kForbidden));
  EXPECT_TRUE(Succeeds(engine_->AuditLog(U("ulf"), b1_)));
  // An utvecklingsledare of no municipality works for all of them.
  for (std::int64_t id : {a1_, a2_, b1_}) EXPECT_TRUE(Succeeds(engine_->AuditLog(U("uno"), id)));
  EXPECT_TRUE(Fails(engine_->GetForm(U("ulla"), a1_, "ansokan"), ErrorCode::kForbidden));
  EXPECT_THAT(Visible(U("ulla")), ElementsAre(a1_, a2_));
  EXPECT_THAT(Visible(U("ulf")), ElementsAre(b1_));
  EXPECT_THAT(Visible(U("uno")), ElementsAre(a1_, a2_, b1_));
}

TEST_F(AccessTest, ForvaltningFollowsTheProcessWithoutSeeingWhoTakesPart) {
  InstanceView full = Must(engine_->GetInstance(Actor::Operator(), a1_));
  InstanceView view = Must(engine_->GetInstance(U("frida"), a1_));
  EXPECT_THAT(view.participants, IsEmpty());
  EXPECT_EQ(view.summary.current_phase, full.summary.current_phase);
  EXPECT_EQ(view.phases.size(), full.phases.size());
  EXPECT_EQ(FindStep(view, "ansokan")->state, State::kCompleted);
  EXPECT_EQ(FindStep(view, "ansokan")->completed_by, "");  // a name, too
  EXPECT_EQ(FindStep(view, "granskning")->due, FindStep(full, "granskning")->due);
  EXPECT_EQ(view.budgets.size(), full.budgets.size());
  // Not the log, not the forms.
  EXPECT_TRUE(Fails(engine_->AuditLog(U("frida"), a1_), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GetForm(U("frida"), a1_, "ansokan"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("frida"), b1_), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GetInstance(U("fred"), a1_), ErrorCode::kForbidden));
  EXPECT_THAT(Must(engine_->GetInstance(U("fia"), b1_)).participants, IsEmpty());
  EXPECT_THAT(Visible(U("frida")), ElementsAre(a1_, a2_));
  EXPECT_THAT(Visible(U("fred")), ElementsAre(b1_));
  EXPECT_THAT(Visible(U("fia")), ElementsAre(a1_, a2_, b1_));

  // Förvaltning who also takes part sees the people they work with.
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), a1_, "larare", "frida")));
  EXPECT_EQ(Must(engine_->GetInstance(U("frida"), a1_)).participants.size(), 5u);
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), b1_, "larare", "frida")));
  EXPECT_THAT(Visible(U("frida")), ElementsAre(a1_, a2_, b1_));
}

TEST_F(AccessTest, ListInstancesFiltersAndPagesWhatTheViewerMaySee) {
  EXPECT_THAT(Visible(U("lars")), ElementsAre(a1_));
  EXPECT_THAT(Visible(U("petra")), ElementsAre(a1_));  // takes part in Norrby only
  EXPECT_THAT(Visible(U("pia")), ElementsAre(b1_));
  EXPECT_THAT(Visible(U("eva")), IsEmpty());
  EXPECT_THAT(Visible(U("nobody")), IsEmpty());
  EXPECT_THAT(Visible(Actor::Operator()), ElementsAre(a1_, a2_, b1_));

  // A page of it, with the count of all.
  InstancePage page = engine_->ListInstances(Actor::Operator(), {.limit = 1, .offset = 1});
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, a2_);
  EXPECT_EQ(page.items[0].title, "Byskolan två");
  EXPECT_EQ(page.items[0].municipality, "Norrby");
  EXPECT_EQ(page.total, 3u);
  page = engine_->ListInstances(U("uno"), {.limit = 2, .offset = 2});
  EXPECT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.total, 3u);
  page = engine_->ListInstances(U("ulla"), {.limit = 10, .offset = 5});
  EXPECT_THAT(page.items, IsEmpty());
  EXPECT_EQ(page.total, 2u);

  // The filter narrows what may be seen, never widens it.
  EXPECT_THAT(Visible(U("ulla"), {.municipality_id = south_}), IsEmpty());
  EXPECT_THAT(Visible(U("uno"), {.municipality_id = south_}), ElementsAre(b1_));
  EXPECT_THAT(Visible(U("ada"), {.unit_id = byskolan_}), ElementsAre(a1_, a2_));
  EXPECT_THAT(Visible(U("lars"), {.unit_id = byskolan_}), ElementsAre(a1_));
  EXPECT_THAT(Visible(U("ada"), {.workflow_id = "no-such-flow"}), IsEmpty());
  EXPECT_THAT(Visible(U("ada"), {.status = "completed"}), IsEmpty());
  EXPECT_THAT(Visible(U("sam"), {.status = "active"}), ElementsAre(a1_, a2_));

  // The list without a viewer (the CLI's) is unchanged: every instance.
  EXPECT_EQ(engine_->ListInstances().size(), 3u);
  EXPECT_EQ(engine_->ListInstances({.limit = 2}).size(), 2u);
}

TEST_F(AccessTest, InstancesAreStartedByAdministratorsAndTheMunicipalitysUtvecklingsledare) {
  EXPECT_TRUE(Succeeds(engine_->CreateInstance(U("ulla"), "test-flow", byskolan_, "Ullas")));
  EXPECT_TRUE(Fails(engine_->CreateInstance(U("ulla"), "test-flow", sjoskolan_, "Ullas i Söderby"),
                    ErrorCode::kForbidden,
                    {"Bara en administratör eller kommunens utvecklingsledare får starta en process här."}));
  EXPECT_TRUE(Succeeds(engine_->CreateInstance(U("ulf"), "test-flow", sjoskolan_, "Ulfs")));
  EXPECT_TRUE(Succeeds(engine_->CreateInstance(U("uno"), "test-flow", sjoskolan_, "Unos")));
  EXPECT_TRUE(Succeeds(engine_->CreateInstance(U("ada"), "test-flow", byskolan_, "Adas")));
  EXPECT_TRUE(Succeeds(engine_->CreateInstance(Actor::Operator(), "test-flow", byskolan_, "Operatörens")));
  for (const char* who : {"frida", "fia", "lars", "sam"}) {
    EXPECT_TRUE(Fails(engine_->CreateInstance(U(who), "test-flow", byskolan_, "Nej"), ErrorCode::kForbidden))
        << who;
  }
  EXPECT_TRUE(Fails(engine_->CreateInstance(U("nobody"), "test-flow", byskolan_, "Nej"),
                    ErrorCode::kForbidden, {"Okänd användare ”nobody”."}));
  EXPECT_TRUE(
      Fails(engine_->CreateInstance(U("ulla"), "test-flow", 999, "Ingen enhet"), ErrorCode::kNotFound));
  EXPECT_EQ(engine_->ListInstances().size(), 3u + 5u);
  EXPECT_EQ(Visible(U("ulla")).size(), 5u);  // Norrby's, whoever started them
}

TEST_F(AccessTest, ParticipantsAreAssignedByTheMunicipalitysUtvecklingsledare) {
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), a2_, "larare", "eva")));
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("uno"), a2_, "rektor", "rut")));
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("ada"), b1_, "rektor", "petra")));
  EXPECT_TRUE(Fails(engine_->AssignParticipant(U("ulf"), a2_, "larare", "lars"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RemoveParticipant(U("ulf"), a2_, "larare", "eva"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->AssignParticipant(U("frida"), a2_, "larare", "lars"), ErrorCode::kForbidden));
  EXPECT_THAT(Visible(U("eva")), ElementsAre(a2_));
}

}  // namespace
}  // namespace spegla
