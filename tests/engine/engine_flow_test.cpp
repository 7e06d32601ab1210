// The engine's process flow against a real SQLite file: phases and steps in sequence and in parallel,
// transitions, completion rules (requirements, sign-offs, role minimums), send back, reopen, deadlines
// with a manual clock, definition versions, and the real KU8 workflow from start to finish with its
// audit log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "../support/test_database.h"

namespace spegla {

// Shows states by name in failure messages.
inline void PrintTo(State state, std::ostream* os) { *os << ToString(state); }

namespace {

using namespace spegla::test;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Replaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

const StepView* FindStep(const InstanceView& view, std::string_view id) {
  for (const PhaseView& phase : view.phases) {
    for (const StepView& step : phase.steps) {
      if (step.step->id == id) return &step;
    }
  }
  return nullptr;
}

const PhaseView* FindPhase(const InstanceView& view, std::string_view id) {
  for (const PhaseView& phase : view.phases) {
    if (phase.phase->id == id) return &phase;
  }
  return nullptr;
}

// An engine on a fresh SQLite file in its own temp directory, with a manual clock.
class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : clock_(At("2026-03-02")) {}

  void SetUp() override { engine_ = Engine::Open(TestDatabase((dir_.path() / "spegla.db").string()), clock_); }

  void TearDown() override { engine_.reset(); }

  void AddUser(const std::string& username, const std::string& name,
               const std::string& global_role = "personal") {
    User user;
    user.username = username;
    user.display_name = name;
    user.municipality_id = municipality_;
    user.global_role = global_role;
    Must(engine_->CreateUser(Actor::Operator(), user), "create user " + username);
  }

  void CreateOrganisation() {
    municipality_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Testkommun", "KU8"));
    unit_ = Must(engine_->CreateUnit(Actor::Operator(), municipality_, "Byskolan", "skola"));
  }

  State StateOf(std::int64_t id, std::string_view step) {
    InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
    const StepView* s = FindStep(view, step);
    if (!s) {
      ADD_FAILURE() << "no step " << step;
      return State::kPending;
    }
    return s->state;
  }

  std::vector<AuditEntry> Log(std::int64_t id) { return Must(engine_->AuditLog(Actor::Operator(), id)); }

  static size_t Count(const std::vector<AuditEntry>& log, std::string_view action,
                      std::string_view target = "") {
    return static_cast<size_t>(std::count_if(log.begin(), log.end(), [&](const AuditEntry& e) {
      return e.action == action && (target.empty() || e.target == target);
    }));
  }

  ManualClock clock_;
  ScratchDir dir_{"spegla-flow"};
  std::unique_ptr<Engine> engine_;
  std::int64_t municipality_ = 0;
  std::int64_t unit_ = 0;
};

// The test workflow (tests/fixtures/loader/test-flow.xml): ansokan -> observation -> aterkoppling
// (parallel) -> uppfoljning (final), or ansokan -> snabbspar -> end when the application asks for it.
class FlowTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    CreateOrganisation();
    AddUser("lars", "Lars Lärare");
    AddUser("lena", "Lena Lärare");
    AddUser("rut", "Rut Rektor");
    AddUser("rita", "Rita Rektor");
    for (const char* observer : {"olle", "ola", "oskar", "otto"}) {
      AddUser(observer, std::string("Observatör ") + observer);
      ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(Actor::Operator(), municipality_, observer)));
    }
    AddUser("sam", "Sam Samordnare", "utvecklingsledare");
    AddUser("eva", "Eva Utomstående");
    ASSERT_TRUE(
        Succeeds(engine_->AssignOrganisationRole(Actor::Operator(), municipality_, "samordnare", "sam")));
    InstallOutcome installed = engine_->InstallDefinitionFile(Actor::Operator(), kFlowFile);
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();
    ASSERT_EQ(installed.id, "test-flow");
  }

  std::int64_t NewInstance() {
    std::int64_t id =
        Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Besök på Byskolan"));
    EXPECT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id, "larare", "lars")));
    EXPECT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id, "rektor", "rut")));
    return id;
  }

  void FillApplication(std::int64_t id, const std::string& route = "grundlig") {
    EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), id, "ansokan", 0,
                                            {{"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                                             {"antal", Num(24)},
                                             {"vag", Text(route)},
                                             {"informerat", Yes(true)}})));
  }

  void PassApplicationPhase(std::int64_t id, const std::string& route = "grundlig") {
    FillApplication(id, route);
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "ansokan")));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "granskning")));
  }

  void FormObserverGroup(std::int64_t id) {
    EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "olle")));
    EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "ola")));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("sam"), id, "grupp")));
  }

  void AddVisits(std::int64_t id, int count) {
    for (int i = 0; i < count; ++i) {
      int number = Must(engine_->AddOccurrence(U("olle"), id, "besok"));
      EXPECT_TRUE(Succeeds(engine_->SetFields(U("olle"), id, "besok", number,
                                              {{"datum", Day("2026-04-0" + std::to_string(number))}})));
    }
  }

  void PassObservationPhase(std::int64_t id) {
    FormObserverGroup(id);
    AddVisits(id, 2);
    EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
  }

  void PassFeedbackPhase(std::int64_t id) {
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "mote")));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "utvardering")));
    EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), id, "plan", 0, {{"mal", Text("Läsa mer.")}})));
    EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "plan")));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("ola"), id, "plan")));
  }

  void PassFollowUpPhase(std::int64_t id) {
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "uppfoljning")));
    EXPECT_TRUE(Succeeds(engine_->SignOff(U("sam"), id, "redovisning")));
    EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "redovisning")));
  }

  std::string FlowXml() {
    std::ifstream in(kFlowFile);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

// ---- starting and the sequence ---------------------------------------------------------------------

TEST_F(FlowTest, CreatingAnInstanceOpensTheFirstStepOfTheFirstPhase) {
  std::int64_t id = NewInstance();
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.status, "active");
  EXPECT_EQ(view.summary.current_phase, "ansokan");
  EXPECT_EQ(view.summary.workflow_id, "test-flow");
  EXPECT_EQ(view.summary.workflow_version, 1);
  EXPECT_EQ(view.summary.title, "Besök på Byskolan");
  EXPECT_EQ(view.summary.unit, "Byskolan");
  EXPECT_EQ(view.summary.municipality, "Testkommun");
  EXPECT_EQ(view.summary.created_at, At("2026-03-02"));
  EXPECT_EQ(view.created_by, "operator");
  ASSERT_EQ(view.phases.size(), 5u);
  EXPECT_EQ(view.phases[0].state, State::kActive);
  EXPECT_EQ(view.phases[0].started, At("2026-03-02"));
  for (size_t i = 1; i < view.phases.size(); ++i) EXPECT_EQ(view.phases[i].state, State::kPending);
  EXPECT_EQ(FindStep(view, "ansokan")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "ansokan")->started, At("2026-03-02"));
  EXPECT_EQ(FindStep(view, "granskning")->state, State::kPending);
  // The organisation-wide samordnare takes part without being assigned.
  std::vector<std::string> people;
  for (const ParticipantView& p : view.participants) {
    people.push_back(p.role + ":" + p.username + (p.organisation_wide ? "*" : ""));
  }
  EXPECT_THAT(people, ElementsAre("rektor:rut", "larare:lars", "samordnare:sam*"));

  std::vector<AuditEntry> log = Log(id);
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[0].action, "instance.create");
  EXPECT_EQ(log[0].actor, "operator");
  EXPECT_THAT(*log[0].new_value, HasSubstr("test-flow v1: Besök på Byskolan"));
  EXPECT_EQ(Count(log, "phase.start", "ansokan"), 1u);
  EXPECT_EQ(Count(log, "step.open", "ansokan"), 1u);
  EXPECT_EQ(Count(log, "participant.assign", "role:larare"), 1u);
}

TEST_F(FlowTest, SequenceStepsOpenOneAfterAnother) {
  std::int64_t id = NewInstance();
  EXPECT_TRUE(
      Fails(engine_->CompleteStep(U("rut"), id, "granskning"), ErrorCode::kRefused, {"är inte öppet än"}));
  FillApplication(id);
  clock_.Advance(2h);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "ansokan")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindStep(view, "ansokan")->state, State::kCompleted);
  EXPECT_EQ(FindStep(view, "ansokan")->completed_by, "lars");
  EXPECT_EQ(FindStep(view, "ansokan")->completed, At("2026-03-02", 10h));
  EXPECT_EQ(FindStep(view, "granskning")->state, State::kActive);
  EXPECT_EQ(view.summary.current_phase, "ansokan");
  EXPECT_TRUE(
      Fails(engine_->CompleteStep(U("lars"), id, "ansokan"), ErrorCode::kRefused, {"är redan avslutat"}));
}

TEST_F(FlowTest, OnlyPerformersCompleteAStep) {
  std::int64_t id = NewInstance();
  FillApplication(id);
  for (const char* who : {"rut", "eva", "sam", "nobody"}) {
    EXPECT_TRUE(Fails(engine_->CompleteStep(U(who), id, "ansokan"), ErrorCode::kForbidden,
                      {"avslutas av Lärare; du har inte den rollen"}))
        << who;
  }
  EXPECT_TRUE(Fails(engine_->CompleteStep(Actor::Operator(), id, "ansokan"), ErrorCode::kForbidden));
  EXPECT_TRUE(
      Fails(engine_->CompleteStep(U("lars"), id, "nosuch"), ErrorCode::kNotFound, {"inget steg ”nosuch”"}));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("lars"), 9999, "ansokan"), ErrorCode::kNotFound));
  EXPECT_EQ(StateOf(id, "ansokan"), State::kActive);
}

// ---- transitions -----------------------------------------------------------------------------------

TEST_F(FlowTest, TransitionConditionsChooseThePhase) {
  std::int64_t thorough = NewInstance();
  std::int64_t fast = NewInstance();
  PassApplicationPhase(thorough, "grundlig");
  PassApplicationPhase(fast, "snabb");

  InstanceView a = Must(engine_->GetInstance(Actor::Operator(), thorough));
  EXPECT_EQ(a.summary.current_phase, "observation");
  EXPECT_EQ(FindPhase(a, "ansokan")->state, State::kCompleted);
  EXPECT_EQ(FindStep(a, "grupp")->state, State::kActive);
  EXPECT_EQ(FindPhase(a, "snabbspar")->state, State::kPending);
  EXPECT_EQ(Count(Log(thorough), "transition", "ansokan -> observation"), 1u);

  InstanceView b = Must(engine_->GetInstance(Actor::Operator(), fast));
  EXPECT_EQ(b.summary.current_phase, "snabbspar");
  EXPECT_EQ(FindStep(b, "snabb")->state, State::kActive);
  EXPECT_EQ(FindPhase(b, "observation")->state, State::kPending);
  std::vector<AuditEntry> log = Log(fast);
  auto transition =
      std::find_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "transition"; });
  ASSERT_NE(transition, log.end());
  EXPECT_EQ(transition->target, "ansokan -> snabbspar");
  EXPECT_EQ(transition->detail, "when ansokan.vag == 'snabb'");
  EXPECT_EQ(transition->actor, "rut");
}

TEST_F(FlowTest, TransitionToEndCompletesTheInstance) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id, "snabb");
  clock_.Advance(24h);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "snabb")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.status, "completed");
  EXPECT_EQ(view.summary.current_phase, "");
  EXPECT_EQ(view.completed_at, At("2026-03-03"));
  EXPECT_EQ(FindPhase(view, "snabbspar")->state, State::kCompleted);
  EXPECT_EQ(FindPhase(view, "uppfoljning")->state, State::kPending);
  std::vector<AuditEntry> log = Log(id);
  EXPECT_EQ(log.back().action, "instance.complete");
  EXPECT_EQ(log.back().old_value, "active");
  EXPECT_EQ(log.back().new_value, "completed");
  EXPECT_EQ(Count(log, "transition", "snabbspar -> end"), 1u);
  // A completed instance takes no more work.
  EXPECT_TRUE(
      Fails(engine_->CompleteStep(U("rut"), id, "snabb"), ErrorCode::kRefused, {"Processen är avslutad"}));
  EXPECT_TRUE(Fails(engine_->SetFields(U("lars"), id, "ansokan", 0, {{"antal", Num(3)}}), ErrorCode::kRefused,
                    {"Processen är avslutad"}));
  EXPECT_TRUE(
      Fails(engine_->AssignParticipant(Actor::Operator(), id, "larare", "lena"), ErrorCode::kRefused));
  ASSERT_EQ(engine_->ListInstances({.status = "completed"}).size(), 1u);
  EXPECT_EQ(engine_->ListInstances({.status = "completed"})[0].id, id);
  EXPECT_TRUE(engine_->Tasks().empty());
}

TEST_F(FlowTest, ParallelPhaseOpensStepsWhenTheirAfterStepsComplete) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  PassObservationPhase(id);
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.current_phase, "aterkoppling");
  EXPECT_EQ(FindStep(view, "mote")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "utvardering")->state, State::kPending);
  EXPECT_EQ(FindStep(view, "plan")->state, State::kPending);
  EXPECT_TRUE(
      Fails(engine_->CompleteStep(U("lars"), id, "utvardering"), ErrorCode::kRefused, {"inte öppet än"}));

  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("ola"), id, "mote")));
  EXPECT_EQ(StateOf(id, "utvardering"), State::kActive);
  EXPECT_EQ(StateOf(id, "plan"), State::kActive);
  // Both run at once: either may finish first, and the phase waits for both.
  EXPECT_TRUE(Succeeds(engine_->SetFields(U("olle"), id, "plan", 0, {{"mal", Text("Läsa mer.")}})));
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "plan")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "plan")));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindPhase(view, "aterkoppling")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "utvardering")->state, State::kActive);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "utvardering")));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindPhase(view, "aterkoppling")->state, State::kCompleted);
  EXPECT_EQ(view.summary.current_phase, "uppfoljning");
  EXPECT_EQ(FindStep(view, "uppfoljning")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "redovisning")->state, State::kPending);
}

TEST_F(FlowTest, FinalPhaseCompletesTheInstanceWithoutTakingLaterPhases) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  PassObservationPhase(id);
  PassFeedbackPhase(id);
  PassFollowUpPhase(id);
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.status, "completed");
  EXPECT_TRUE(view.completed_at.has_value());
  // snabbspar follows uppfoljning in the file, but uppfoljning is final.
  EXPECT_EQ(FindPhase(view, "snabbspar")->state, State::kPending);
  for (const char* phase : {"ansokan", "observation", "aterkoppling", "uppfoljning"}) {
    EXPECT_EQ(FindPhase(view, phase)->state, State::kCompleted) << phase;
  }
  std::vector<AuditEntry> log = Log(id);
  EXPECT_EQ(log.back().action, "instance.complete");
  EXPECT_EQ(Count(log, "phase.start", "snabbspar"), 0u);
  EXPECT_EQ(Count(log, "step.complete"), 9u);
}

// ---- completion rules ------------------------------------------------------------------------------

TEST_F(FlowTest, RequirementWaitsForTwoObservers) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("sam"), id, "grupp"), ErrorCode::kRefused,
                    {"Minst två observatörer behövs."}));
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "olle")));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("sam"), id, "grupp"), ErrorCode::kRefused,
                    {"Minst två observatörer behövs."}));
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "ola")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("sam"), id, "grupp")));
  EXPECT_EQ(StateOf(id, "besok"), State::kActive);
}

TEST_F(FlowTest, ParticipantRulesOfRoles) {
  std::int64_t id = NewInstance();
  // Observers come from the pool.
  EXPECT_TRUE(Fails(engine_->AssignParticipant(U("sam"), id, "observator", "eva"), ErrorCode::kRefused,
                    {"observatörspool"}));
  // At most one rektor, at most three observers.
  EXPECT_TRUE(Fails(engine_->AssignParticipant(Actor::Operator(), id, "rektor", "rita"), ErrorCode::kRefused,
                    {"har redan 1 deltagare"}));
  for (const char* observer : {"olle", "ola", "oskar"}) {
    EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", observer)));
  }
  EXPECT_TRUE(Fails(engine_->AssignParticipant(U("sam"), id, "observator", "otto"), ErrorCode::kRefused,
                    {"har redan 3 deltagare"}));
  // Assigning someone twice is harmless.
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "olle")));
  // Organisation roles are not assigned per instance; unknown roles and users are reported.
  EXPECT_TRUE(
      Fails(engine_->AssignParticipant(Actor::Operator(), id, "samordnare", "sam"), ErrorCode::kInvalid));
  EXPECT_TRUE(Fails(engine_->AssignParticipant(Actor::Operator(), id, "gast", "eva"), ErrorCode::kNotFound));
  EXPECT_TRUE(
      Fails(engine_->AssignParticipant(Actor::Operator(), id, "larare", "nobody"), ErrorCode::kNotFound));
  // Only administrators, coordinators and organisation-wide participants manage participants.
  EXPECT_TRUE(Fails(engine_->AssignParticipant(U("lars"), id, "larare", "lena"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RemoveParticipant(U("lars"), id, "observator", "olle"), ErrorCode::kForbidden));
  EXPECT_TRUE(Succeeds(engine_->RemoveParticipant(U("sam"), id, "observator", "oskar")));
  EXPECT_TRUE(Fails(engine_->RemoveParticipant(U("sam"), id, "observator", "oskar"), ErrorCode::kNotFound));
  std::vector<AuditEntry> log = Log(id);
  EXPECT_EQ(Count(log, "participant.assign", "role:observator"), 3u);
  auto removed = std::find_if(log.begin(), log.end(),
                              [](const AuditEntry& e) { return e.action == "participant.remove"; });
  ASSERT_NE(removed, log.end());
  EXPECT_EQ(removed->old_value, "oskar");
  EXPECT_EQ(removed->actor, "sam");
}

TEST_F(FlowTest, LoneObserverCannotCompleteTheirStep) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  FormObserverGroup(id);
  AddVisits(id, 2);
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  EXPECT_TRUE(Succeeds(engine_->RemoveParticipant(U("sam"), id, "observator", "ola")));
  Result<Ok> refused = engine_->CompleteStep(U("olle"), id, "besok");
  ASSERT_TRUE(Fails(refused, ErrorCode::kRefused));
  ASSERT_EQ(refused.error().issues.size(), 1u) << refused.error().Summary();
  EXPECT_EQ(refused.error().issues[0].field, "role:observator");
  EXPECT_EQ(refused.error().issues[0].message,
            "Minst 2 i rollen ”Observatör” behövs för steget; nu är 1 tilldelade.");
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "oskar")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
}

TEST_F(FlowTest, SignOffIsRequiredAndOnlyByTheRightRole) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "olle")));
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "ola")));
  EXPECT_TRUE(Fails(engine_->SignOff(U("rut"), id, "besok"), ErrorCode::kRefused, {"inte öppet just nu"}));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("sam"), id, "grupp")));

  // Every missing thing at once: the occurrences and the sign-off.
  Result<Ok> refused = engine_->CompleteStep(U("olle"), id, "besok");
  ASSERT_TRUE(Fails(refused, ErrorCode::kRefused));
  std::vector<std::string> issues;
  for (const Issue& issue : refused.error().issues) issues.push_back(issue.field + ": " + issue.message);
  EXPECT_THAT(
      issues,
      ElementsAre("step:besok: Steget behöver minst 2 ”Besöksdag”; nu finns 0.",
                  "signoff:rektor: Steget behöver underskrift av ”Rektor har tagit del av besöken”."));

  AddVisits(id, 2);
  EXPECT_TRUE(Fails(engine_->SignOff(U("olle"), id, "besok"), ErrorCode::kForbidden,
                    {"Steget skrivs under av Rektor; du har inte den rollen"}));
  EXPECT_TRUE(Fails(engine_->SignOff(U("lars"), id, "besok"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->SignOff(Actor::Operator(), id, "besok"), ErrorCode::kForbidden));
  EXPECT_TRUE(
      Fails(engine_->SignOff(U("rut"), id, "granskning"), ErrorCode::kInvalid, {"kräver ingen underskrift"}));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "besok"), ErrorCode::kRefused,
                    {"signoff:rektor: Steget behöver underskrift"}));
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_THAT(FindStep(view, "besok")->signed_by_roles, ElementsAre("rektor"));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
  std::vector<AuditEntry> log = Log(id);
  auto signoff =
      std::find_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "step.signoff"; });
  ASSERT_NE(signoff, log.end());
  EXPECT_EQ(signoff->actor, "rut");
  EXPECT_EQ(signoff->target, "besok");
  EXPECT_EQ(signoff->new_value, "rektor");

  // A sign-off without a label is named by its role.
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "mote")));
  EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), id, "plan", 0, {{"mal", Text("Mål")}})));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("lars"), id, "plan"), ErrorCode::kRefused,
                    {"Steget behöver underskrift av ”Rektor”."}));
}

TEST_F(FlowTest, RepeatingStepLimits) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  FormObserverGroup(id);
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  AddVisits(id, 1);
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "besok"), ErrorCode::kRefused,
                    {"step:besok: Steget behöver minst 2 ”Besöksdag”; nu finns 1."}));
  // An occurrence counts only with its form filled in.
  EXPECT_EQ(Must(engine_->AddOccurrence(U("ola"), id, "besok")), 2);
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "besok"), ErrorCode::kRefused,
                    {"besok.datum#2: ”Datum” måste fyllas i."}));
  EXPECT_EQ(Must(engine_->AddOccurrence(U("olle"), id, "besok")), 3);
  EXPECT_EQ(Must(engine_->AddOccurrence(U("olle"), id, "besok")), 4);
  EXPECT_TRUE(Fails(engine_->AddOccurrence(U("olle"), id, "besok"), ErrorCode::kRefused,
                    {"Högst fyra besöksdagar."}));
  EXPECT_TRUE(Fails(engine_->SetFields(U("olle"), id, "besok", 5, {{"datum", Day("2026-04-05")}}),
                    ErrorCode::kRefused, {"Högst fyra besöksdagar."}));
  EXPECT_EQ(FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "besok")->occurrences, 4);
  // Only performers add occurrences, and only while the step is open.
  EXPECT_TRUE(Fails(engine_->AddOccurrence(U("rut"), id, "besok"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->AddOccurrence(U("sam"), id, "grupp"), ErrorCode::kInvalid, {"upprepas inte"}));
  for (int i = 2; i <= 4; ++i) {
    EXPECT_TRUE(Succeeds(
        engine_->SetFields(U("olle"), id, "besok", i, {{"datum", Day("2026-04-1" + std::to_string(i))}})));
  }
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
  EXPECT_TRUE(
      Fails(engine_->AddOccurrence(U("olle"), id, "besok"), ErrorCode::kRefused, {"inte öppet just nu"}));
  std::vector<AuditEntry> log = Log(id);
  EXPECT_EQ(Count(log, "occurrence.add"), 4u);
  EXPECT_EQ(Count(log, "occurrence.add", "besok#4"), 1u);
}

// ---- send back ---------------------------------------------------------------------------------

TEST_F(FlowTest, SendBackReopensTheTargetAndKeepsValues) {
  std::int64_t id = NewInstance();
  FillApplication(id);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "ansokan")));
  clock_.Advance(1h);
  EXPECT_TRUE(Fails(engine_->SendBack(U("rut"), id, "granskning", "ansokan", "   "), ErrorCode::kInvalid,
                    {"Ange varför steget skickas tillbaka."}));
  EXPECT_TRUE(Fails(engine_->SendBack(U("lars"), id, "granskning", "ansokan", "Jag vill ändra"),
                    ErrorCode::kForbidden, {"Bara Rektor får skicka tillbaka."}));
  EXPECT_TRUE(Succeeds(engine_->SendBack(U("rut"), id, "granskning", "ansokan", "Beskriv målen tydligare.")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindStep(view, "ansokan")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "ansokan")->started, At("2026-03-02", 9h));
  EXPECT_EQ(FindStep(view, "granskning")->state, State::kPending);
  // The application keeps its values and can be edited again.
  FormView form = Must(engine_->GetForm(U("lars"), id, "ansokan"));
  EXPECT_FALSE(form.locked);
  auto antal = std::find_if(form.fields.begin(), form.fields.end(),
                            [](const FieldView& f) { return f.field->id == "antal"; });
  ASSERT_NE(antal, form.fields.end());
  EXPECT_EQ(antal->value, Num(24));
  EXPECT_EQ(antal->version, 1);
  EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), id, "ansokan", 0, {{"antal", Num(25)}})));
  std::vector<AuditEntry> log = Log(id);
  auto sent =
      std::find_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "step.send_back"; });
  ASSERT_NE(sent, log.end());
  EXPECT_EQ(sent->actor, "rut");
  EXPECT_EQ(sent->target, "granskning -> ansokan");
  EXPECT_EQ(sent->detail, "Beskriv målen tydligare.");
  // Completing it again opens the review again.
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "ansokan")));
  EXPECT_EQ(StateOf(id, "granskning"), State::kActive);
}

TEST_F(FlowTest, SendBackOnlyToDeclaredTargetsFromOpenSteps) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  EXPECT_TRUE(Succeeds(engine_->AssignParticipant(U("sam"), id, "observator", "olle")));
  // grupp may go back to granskning only; besok is not open yet; granskning is no longer open.
  EXPECT_TRUE(Fails(engine_->SendBack(U("sam"), id, "grupp", "ansokan", "Fel"), ErrorCode::kRefused,
                    {"kan inte skickas tillbaka till ”Skriv ansökan”"}));
  EXPECT_TRUE(Fails(engine_->SendBack(U("olle"), id, "besok", "ansokan", "Fel"), ErrorCode::kRefused,
                    {"inte öppet just nu"}));
  EXPECT_TRUE(Fails(engine_->SendBack(U("rut"), id, "granskning", "ansokan", "Fel"), ErrorCode::kRefused,
                    {"inte öppet just nu"}));
  EXPECT_TRUE(Fails(engine_->SendBack(U("sam"), id, "grupp", "nosuch", "Fel"), ErrorCode::kNotFound));
  // The default senders are the step's performers.
  EXPECT_TRUE(Fails(engine_->SendBack(U("rut"), id, "grupp", "granskning", "Fel"), ErrorCode::kForbidden,
                    {"Bara Samordnare får skicka tillbaka."}));
  EXPECT_TRUE(Succeeds(engine_->SendBack(U("sam"), id, "grupp", "granskning", "Fel enhet angiven.")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.current_phase, "ansokan");
  EXPECT_EQ(FindPhase(view, "ansokan")->state, State::kActive);
  EXPECT_EQ(FindPhase(view, "observation")->state, State::kPending);
  EXPECT_EQ(FindStep(view, "ansokan")->state, State::kCompleted);
  EXPECT_EQ(FindStep(view, "granskning")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "grupp")->state, State::kPending);
  // The assigned observer stays assigned.
  EXPECT_EQ(std::count_if(view.participants.begin(), view.participants.end(),
                          [](const ParticipantView& p) { return p.role == "observator"; }),
            1);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "granskning")));
  EXPECT_EQ(StateOf(id, "grupp"), State::kActive);
}

TEST_F(FlowTest, SendBackAcrossPhasesReopensLaterStepsAndClearsTheirSignOffs) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  FormObserverGroup(id);
  AddVisits(id, 2);
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  EXPECT_TRUE(Succeeds(engine_->SendBack(U("olle"), id, "besok", "ansokan", "Antalet elever stämmer inte.")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.current_phase, "ansokan");
  EXPECT_EQ(FindStep(view, "ansokan")->state, State::kActive);
  for (const char* step : {"granskning", "grupp", "besok"})
    EXPECT_EQ(FindStep(view, step)->state, State::kPending) << step;
  EXPECT_TRUE(FindStep(view, "besok")->signed_by_roles.empty());
  // Visits and their notes are kept.
  EXPECT_EQ(FindStep(view, "besok")->occurrences, 2);
  EXPECT_EQ(Must(engine_->GetForm(U("olle"), id, "besok", 2)).fields[0].value, Day("2026-04-02"));

  EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), id, "ansokan", 0, {{"antal", Num(20)}})));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "ansokan")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "granskning")));
  EXPECT_EQ(StateOf(id, "grupp"), State::kActive);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("sam"), id, "grupp")));
  // The sign-off has to be given again.
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "besok"), ErrorCode::kRefused, {"underskrift"}));
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
}

// ---- reopen --------------------------------------------------------------------------------------

TEST_F(FlowTest, ReopenACompletedStepOpensItAndTheStepsAfterIt) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  PassObservationPhase(id);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "mote")));
  EXPECT_TRUE(Fails(engine_->Reopen(U("rut"), id, "besok", ""), ErrorCode::kInvalid,
                    {"Ange varför steget öppnas igen."}));
  EXPECT_TRUE(Fails(engine_->Reopen(U("olle"), id, "besok", "Glömde en dag"), ErrorCode::kForbidden,
                    {"Bara Rektor får öppna steget igen."}));
  EXPECT_TRUE(Fails(engine_->Reopen(U("rut"), id, "utvardering", "För tidigt"), ErrorCode::kForbidden,
                    {"Bara Lärare får öppna steget igen."}));
  EXPECT_TRUE(Fails(engine_->Reopen(U("lars"), id, "utvardering", "Inte klar"), ErrorCode::kRefused,
                    {"är inte avslutat"}));
  EXPECT_TRUE(Succeeds(engine_->Reopen(U("rut"), id, "besok", "En besöksdag saknas.")));

  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.current_phase, "observation");
  EXPECT_EQ(FindPhase(view, "observation")->state, State::kActive);
  EXPECT_EQ(FindPhase(view, "aterkoppling")->state, State::kPending);
  EXPECT_EQ(FindStep(view, "grupp")->state, State::kCompleted);
  EXPECT_EQ(FindStep(view, "besok")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "besok")->occurrences, 2);
  EXPECT_TRUE(FindStep(view, "besok")->signed_by_roles.empty());
  EXPECT_EQ(FindStep(view, "mote")->state, State::kPending);
  std::vector<AuditEntry> log = Log(id);
  auto reopened =
      std::find_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "step.reopen"; });
  ASSERT_NE(reopened, log.end());
  EXPECT_EQ(reopened->actor, "rut");
  EXPECT_EQ(reopened->target, "besok");
  EXPECT_EQ(reopened->old_value, "completed");
  EXPECT_EQ(reopened->new_value, "active");
  EXPECT_EQ(reopened->detail, "En besöksdag saknas.");

  AddVisits(id, 1);
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
  EXPECT_EQ(StateOf(id, "mote"), State::kActive);
}

TEST_F(FlowTest, StepWithoutReopenCannotBeReopened) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  EXPECT_TRUE(Fails(engine_->Reopen(U("rut"), id, "granskning", "Ångrar mig"), ErrorCode::kRefused,
                    {"kan inte öppnas igen"}));
  EXPECT_TRUE(Fails(engine_->Reopen(U("lars"), id, "ansokan", "Ångrar mig"), ErrorCode::kRefused,
                    {"kan inte öppnas igen"}));
  EXPECT_EQ(StateOf(id, "granskning"), State::kCompleted);
  EXPECT_EQ(StateOf(id, "grupp"), State::kActive);
}

TEST_F(FlowTest, ReopenACompletedInstance) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id, "snabb");
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "snabb")));
  ASSERT_EQ(Must(engine_->GetInstance(Actor::Operator(), id)).summary.status, "completed");
  clock_.Advance(48h);
  EXPECT_TRUE(Succeeds(engine_->Reopen(U("rut"), id, "snabb", "Beslutet behöver motiveras.")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.status, "active");
  EXPECT_EQ(view.summary.current_phase, "snabbspar");
  EXPECT_FALSE(view.completed_at.has_value());
  EXPECT_EQ(FindStep(view, "snabb")->state, State::kActive);
  EXPECT_EQ(FindStep(view, "snabb")->started, At("2026-03-04"));
  EXPECT_EQ(FindStep(view, "granskning")->state, State::kCompleted);
  std::vector<AuditEntry> log = Log(id);
  EXPECT_EQ(log.back().action, "instance.reopen");
  EXPECT_EQ(log.back().old_value, "completed");
  EXPECT_EQ(log.back().new_value, "active");
  EXPECT_EQ(log.back().detail, "Beslutet behöver motiveras.");
  ASSERT_EQ(engine_->Tasks("rut").size(), 1u);
  EXPECT_EQ(engine_->Tasks("rut")[0].step_id, "snabb");
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "snabb")));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id)).summary.status, "completed");
}

TEST_F(FlowTest, ReopenInAParallelPhaseAfterTheInstanceCompleted) {
  std::int64_t id = NewInstance();
  PassApplicationPhase(id);
  PassObservationPhase(id);
  PassFeedbackPhase(id);
  PassFollowUpPhase(id);
  // utvardering has <reopen/> without roles: its performers may reopen it.
  EXPECT_TRUE(Fails(engine_->Reopen(U("rut"), id, "utvardering", "Komplettera"), ErrorCode::kForbidden));
  EXPECT_TRUE(Succeeds(engine_->Reopen(U("lars"), id, "utvardering", "Komplettera")));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.status, "active");
  EXPECT_EQ(view.summary.current_phase, "aterkoppling");
  EXPECT_EQ(FindStep(view, "mote")->state, State::kCompleted);
  EXPECT_EQ(FindStep(view, "plan")->state, State::kCompleted);  // does not wait for utvardering
  EXPECT_EQ(FindStep(view, "utvardering")->state, State::kActive);
  EXPECT_EQ(FindPhase(view, "uppfoljning")->state, State::kPending);
  EXPECT_EQ(FindStep(view, "redovisning")->state, State::kPending);
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "utvardering")));
  EXPECT_EQ(StateOf(id, "uppfoljning"), State::kActive);
  PassFollowUpPhase(id);
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id)).summary.status, "completed");
}

// ---- deadlines -----------------------------------------------------------------------------------

TEST_F(FlowTest, DueDatesFollowEveryAnchorAndOverdueFollowsTheClock) {
  std::int64_t id = NewInstance();  // 2026-03-02
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindStep(view, "ansokan")->due, D("2026-03-16"));  // instance-start + P2W
  EXPECT_FALSE(FindStep(view, "ansokan")->overdue);
  EXPECT_FALSE(FindStep(view, "granskning")->due.has_value());  // step-complete:ansokan has not happened
  EXPECT_FALSE(FindStep(view, "grupp")->due.has_value());
  EXPECT_FALSE(FindStep(view, "uppfoljning")->due.has_value());  // no follow-up date yet
  EXPECT_FALSE(FindPhase(view, "observation")->due.has_value());
  std::vector<Task> tasks = engine_->Tasks("lars");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].step_id, "ansokan");
  EXPECT_EQ(tasks[0].instance_id, id);
  EXPECT_EQ(tasks[0].due, D("2026-03-16"));
  EXPECT_FALSE(tasks[0].overdue);
  EXPECT_TRUE(engine_->Tasks("rut").empty());

  clock_.Set(At("2026-03-16", 23h));  // the due day itself is not overdue
  EXPECT_FALSE(FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "ansokan")->overdue);
  EXPECT_FALSE(engine_->Tasks("lars")[0].overdue);
  clock_.Advance(1h);  // 2026-03-17
  EXPECT_TRUE(FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "ansokan")->overdue);
  ASSERT_EQ(engine_->Tasks("lars").size(), 1u);
  EXPECT_TRUE(engine_->Tasks("lars")[0].overdue);
  ASSERT_EQ(engine_->Tasks().size(), 1u);
  EXPECT_TRUE(engine_->Tasks()[0].overdue);

  FillApplication(id);
  EXPECT_TRUE(
      Succeeds(engine_->SetFields(U("lars"), id, "ansokan", 0, {{"uppfoljning_datum", Day("2026-06-01")}})));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id, "ansokan")));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_FALSE(FindStep(view, "ansokan")->overdue);                // completed
  EXPECT_EQ(FindStep(view, "granskning")->due, D("2026-03-24"));   // step-complete:ansokan + P1W
  EXPECT_EQ(FindStep(view, "uppfoljning")->due, D("2026-06-08"));  // field:ansokan.uppfoljning_datum + P1W
  EXPECT_FALSE(FindStep(view, "uppfoljning")->overdue);            // not open

  clock_.Set(At("2026-03-18"));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id, "granskning")));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindPhase(view, "observation")->due, D("2026-04-15"));  // phase start + max P4W
  EXPECT_EQ(FindStep(view, "grupp")->due, D("2026-03-25"));         // phase-start + P1W
  EXPECT_EQ(FindStep(view, "besok")->due, D("2026-04-08"));         // phase-start:observation + P3W
  EXPECT_FALSE(FindPhase(view, "observation")->overdue);

  clock_.Set(At("2026-04-16"));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_TRUE(FindPhase(view, "observation")->overdue);
  EXPECT_TRUE(FindStep(view, "grupp")->overdue);
  EXPECT_FALSE(FindStep(view, "besok")->overdue);  // past due, but not open yet
  tasks = engine_->Tasks("sam");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].step_id, "grupp");
  EXPECT_TRUE(tasks[0].overdue);

  FormObserverGroup(id);
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_TRUE(FindStep(view, "besok")->overdue);
  EXPECT_EQ(FindStep(view, "besok")->next_due, D("2026-04-23"));  // recurring: started + P1W
  clock_.Set(At("2026-04-20"));
  AddVisits(id, 1);
  EXPECT_EQ(FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "besok")->next_due, D("2026-04-27"));
  AddVisits(id, 1);
  EXPECT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "besok")));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "besok")));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_FALSE(FindPhase(view, "observation")->overdue);    // completed
  EXPECT_EQ(FindStep(view, "mote")->due, D("2026-04-27"));  // phase-complete:observation + P1W
  EXPECT_FALSE(FindStep(view, "plan")->due.has_value());    // step-complete:mote not yet
  clock_.Set(At("2026-04-21"));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id, "mote")));
  EXPECT_EQ(FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "plan")->due, D("2026-05-05"));

  // Tasks list the open steps for each person, soonest first.
  tasks = engine_->Tasks("ola");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].step_id, "plan");
  tasks = engine_->Tasks("lars");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].step_id, "plan");         // due 2026-05-05
  EXPECT_EQ(tasks[1].step_id, "utvardering");  // no due date
  EXPECT_EQ(tasks[0].phase_label, "Återkoppling");
  EXPECT_EQ(tasks[0].unit, "Byskolan");
  EXPECT_THAT(tasks[0].performers, ElementsAre("larare", "observator"));
  clock_.Set(At("2026-05-06"));
  EXPECT_TRUE(engine_->Tasks("lars")[0].overdue);
  EXPECT_FALSE(engine_->Tasks("lars")[1].overdue);
  EXPECT_TRUE(engine_->Tasks("eva").empty());
}

// ---- definitions and versions ------------------------------------------------------------------------

TEST_F(FlowTest, NewVersionLeavesRunningInstancesOnTheirVersion) {
  std::int64_t old_instance = NewInstance();
  std::string v2 = Replaced(FlowXml(), "id=\"test-flow\" version=\"1\"", "id=\"test-flow\" version=\"2\"");
  v2 = Replaced(v2, "<title>Testflöde</title>", "<title>Testflöde 2</title>");
  v2 = Replaced(v2, "label=\"Skriv ansökan\"", "label=\"Skriv ansökan (ny)\"");
  InstallOutcome installed = engine_->InstallDefinition(Actor::Operator(), v2, "test-flow-v2.xml");
  ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();
  EXPECT_EQ(installed.version, 2);
  EXPECT_FALSE(installed.already_installed);

  std::int64_t new_instance = NewInstance();
  InstanceView old_view = Must(engine_->GetInstance(Actor::Operator(), old_instance));
  InstanceView new_view = Must(engine_->GetInstance(Actor::Operator(), new_instance));
  EXPECT_EQ(old_view.summary.workflow_version, 1);
  EXPECT_EQ(old_view.definition->version, 1);
  EXPECT_EQ(old_view.summary.workflow_title, "Testflöde");
  EXPECT_EQ(FindStep(old_view, "ansokan")->step->label, "Skriv ansökan");
  EXPECT_EQ(new_view.summary.workflow_version, 2);
  EXPECT_EQ(new_view.summary.workflow_title, "Testflöde 2");
  EXPECT_EQ(FindStep(new_view, "ansokan")->step->label, "Skriv ansökan (ny)");
  // The old instance keeps working on version 1.
  PassApplicationPhase(old_instance);
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), old_instance)).summary.current_phase, "observation");

  std::vector<DefinitionSummary> definitions = engine_->Definitions();
  ASSERT_EQ(definitions.size(), 2u);
  EXPECT_EQ(definitions[0].version, 1);
  EXPECT_FALSE(definitions[0].latest);
  EXPECT_EQ(definitions[1].version, 2);
  EXPECT_TRUE(definitions[1].latest);
  EXPECT_EQ(definitions[1].installed_by, "operator");
  EXPECT_EQ(Must(engine_->Definition("test-flow"))->version, 2);
  EXPECT_EQ(Must(engine_->Definition("test-flow", 1))->title, "Testflöde");
  EXPECT_TRUE(Fails(engine_->Definition("test-flow", 3), ErrorCode::kNotFound));
}

TEST_F(FlowTest, SameVersionIsAcceptedOnlyWithTheSameText) {
  std::string xml = FlowXml();
  InstallOutcome again = engine_->InstallDefinition(Actor::Operator(), xml, kFlowFile);
  EXPECT_TRUE(again.problems.empty());
  EXPECT_TRUE(again.already_installed);

  std::string changed = Replaced(xml, "<title>Testflöde</title>", "<title>Ändrat flöde</title>");
  InstallOutcome refused = engine_->InstallDefinition(Actor::Operator(), changed, "changed.xml");
  ASSERT_EQ(refused.problems.size(), 1u);
  EXPECT_THAT(refused.problems[0].message,
              HasSubstr("version 1 of 'test-flow' is already installed with other content"));
  EXPECT_EQ(Must(engine_->Definition("test-flow"))->title, "Testflöde");
  EXPECT_EQ(engine_->Definitions().size(), 1u);

  std::string v5 = Replaced(xml, "version=\"1\" lang", "version=\"5\" lang");
  EXPECT_TRUE(engine_->InstallDefinition(Actor::Operator(), v5, "v5.xml").problems.empty());
  std::string v4 = Replaced(xml, "version=\"1\" lang", "version=\"4\" lang");
  InstallOutcome lower = engine_->InstallDefinition(Actor::Operator(), v4, "v4.xml");
  ASSERT_EQ(lower.problems.size(), 1u);
  EXPECT_THAT(lower.problems[0].message, HasSubstr("already has version 5"));

  // Only administrators install, and a broken definition installs nothing.
  InstallOutcome forbidden = engine_->InstallDefinition(U("lars"), changed, "changed.xml");
  ASSERT_FALSE(forbidden.problems.empty());
  EXPECT_THAT(forbidden.problems[0].message, HasSubstr("administratör"));
  InstallOutcome broken = engine_->InstallDefinition(Actor::Operator(), "<workflow>", "broken.xml");
  ASSERT_FALSE(broken.problems.empty());
  EXPECT_EQ(broken.problems[0].where.file, "broken.xml");
  EXPECT_EQ(engine_->Definitions().size(), 2u);
  std::vector<AuditEntry> global = engine_->GlobalAuditLog();
  EXPECT_EQ(std::count_if(global.begin(), global.end(),
                          [](const AuditEntry& e) { return e.action == "definition.install"; }),
            2);
}

// ---- the real KU8 workflow ----------------------------------------------------------------------------

class Ku8Test : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    CreateOrganisation();
    AddUser("rut", "Rut Rektor");
    AddUser("anna", "Anna i arbetslaget");
    AddUser("olle", "Olle Observatör");
    AddUser("ola", "Ola Observatör");
    AddUser("ulla", "Ulla Utvecklingsledare", "utvecklingsledare");
    AddUser("sven", "Sven Skolutvecklare");
    for (const char* observer : {"olle", "ola"}) {
      ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(Actor::Operator(), municipality_, observer)));
    }
    ASSERT_TRUE(Succeeds(
        engine_->AssignOrganisationRole(Actor::Operator(), municipality_, "utvecklingsledare", "ulla")));
    ASSERT_TRUE(Succeeds(
        engine_->AssignOrganisationRole(Actor::Operator(), municipality_, "skolutvecklare", "sven")));
    InstallOutcome installed = engine_->InstallDefinitionFile(Actor::Operator(), kKu8File);
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();
    ASSERT_EQ(installed.id, "ku8-larande-besok");
  }

  // Writes fields and remembers what the audit log must show for each.
  void Write(const std::string& who, std::int64_t id, const std::string& form, int occurrence,
             const std::vector<FieldChange>& changes) {
    std::map<std::string, std::string> before;  // field -> its value, when it has been written
    if (occurrence <= Occurrences(id, form)) {  // not a new occurrence
      for (const FieldView& f : Must(engine_->GetForm(U(who), id, form, occurrence)).fields) {
        if (f.version > 0) before[f.field->id] = DisplayValue(f.value);
      }
    }
    Result<std::vector<int>> written = engine_->SetFields(U(who), id, form, occurrence, changes);
    ASSERT_TRUE(Succeeds(written)) << who << " writing " << form;
    for (const FieldChange& change : changes) {
      std::optional<std::string> old;
      if (auto it = before.find(change.field); it != before.end()) old = it->second;
      std::string target =
          form + "." + change.field + (occurrence > 0 ? "#" + std::to_string(occurrence) : "");
      expected_.push_back({who, "field.set", target, old, DisplayValue(change.value)});
    }
  }

  void Complete(const std::string& who, std::int64_t id, const std::string& step) {
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U(who), id, step))) << who << " completing " << step;
    expected_.push_back({who, "step.complete", step, "active", "completed"});
  }

  int Occurrences(std::int64_t id, const std::string& form) {
    InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
    const Step* step = view.definition->RepeatingStepOf(form);
    return step ? FindStep(view, step->id)->occurrences : 0;
  }

  struct Expected {
    std::string actor, action, target;
    std::optional<std::string> old_value, new_value;
  };
  std::vector<Expected> expected_;
};

TEST_F(Ku8Test, FromApplicationToCompletionWithEveryChangeAudited) {
  std::int64_t id =
      Must(engine_->CreateInstance(U("ulla"), "ku8-larande-besok", unit_, "Lärande besök på Byskolan"));
  ASSERT_GT(id, 0);
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id, "rektor", "rut")));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id, "arbetslag", "anna")));

  // --- Ansökan: the team writes it; until the parents are informed, it must say when they will be.
  Write("anna", id, "ansokan", 0,
        {{"enhet", Text("Byskolan")},
         {"arbetslag_namn", Text("Arbetslag 4–6")},
         {"verksamhetsformer", Value{std::vector<std::string>{"grundskola_46", "fritidshem"}}},
         {"kontaktperson", Text("Anna")},
         {"kontakt_epost", Text("anna@byskolan.se")},
         {"problemformulering",
          Text("Hur kan vi göra eleverna mer delaktiga i sitt lärande under lektionerna i matematik?")},
         {"antal_barn", Num(24)},
         {"informerat_foraldrar", Yes(false)}});
  EXPECT_TRUE(Fails(
      engine_->CompleteStep(U("anna"), id, "ansokan"), ErrorCode::kRefused,
      {"ansokan.informeras_nar: Beskriv när och hur barn, elever och föräldrar kommer att informeras."}));
  Write("anna", id, "ansokan", 0, {{"informeras_nar", Text("På föräldramötet vecka 12.")}});
  Write("rut", id, "ansokan", 0, {{"antal_barn", Num(25)}});  // the rektor may edit the application too
  Complete("anna", id, "ansokan");
  EXPECT_TRUE(Must(engine_->GetForm(U("anna"), id, "ansokan")).locked);

  // --- Tilldelning: the utvecklingsledare puts the observer group together.
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("ulla"), id, "observatorsgrupp"), ErrorCode::kRefused,
                    {"Observatörsgruppen ska bestå av minst två observatörer."}));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "observator", "olle")));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "observator", "ola")));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("ulla"), id, "observatorsgrupp"), ErrorCode::kRefused,
                    {"Ge arbetslaget besked"}));
  Write("ulla", id, "besked", 0, {{"datum", Day("2026-03-10")}});
  Complete("ulla", id, "observatorsgrupp");

  // --- Planering: observers and team plan; the rektor signs off; observers log their days.
  Write("olle", id, "planering", 0,
        {{"problemformulering_preciserad", Text("Elevernas delaktighet i genomgångar.")},
         {"observationsomrade", Text("pedagog_barn")},
         {"planeringsmoten",
          Value{std::vector<Row>{{{"datum", Day("2026-03-20")}, {"deltagare", Text("Alla")}}}}},
         {"tid_avsatt", Yes(true)}});
  Write("anna", id, "planering", 0, {{"information_datum", Day("2026-03-24")}});  // parents told in time
  Write(
      "olle", id, "tidsredovisning", 0,
      {{"rader", Value{std::vector<Row>{
                     {{"observator", Text("olle")}, {"aktivitet", Text("forarbete")}, {"dagar", Num(1)}},
                     {{"observator", Text("ola")}, {"aktivitet", Text("forarbete")}, {"dagar", Num(1)}}}}}});
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "planeringsmoten"), ErrorCode::kRefused,
                    {"Rektor/förskolechef godkänner planeringen"}));
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "planeringsmoten")));
  expected_.push_back({"rut", "step.signoff", "planeringsmoten", std::nullopt, "rektor"});
  Complete("olle", id, "planeringsmoten");
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.current_phase, "genomforande");  // two observers: no way back to tilldelning
  EXPECT_TRUE(Must(engine_->GetForm(U("olle"), id, "planering")).locked);
  EXPECT_FALSE(Must(engine_->GetForm(U("olle"), id, "tidsredovisning")).locked);  // also collected at the end

  // --- Genomförande: visit days, each with its own notes; the rektor sees the dates but not the notes.
  Write(
      "olle", id, "observation", 1,
      {{"datum", Day("2026-04-14")}, {"fokus", Text("Genomgångar")}, {"anteckningar", Text("Eleverna ...")}});
  Write("ola", id, "observation", 2,
        {{"datum", Day("2026-04-15")}, {"anteckningar", Text("Grupparbete ...")}});
  FormView rektor_view = Must(engine_->GetForm(U("rut"), id, "observation", 2));
  ASSERT_EQ(rektor_view.fields.size(), 2u);
  EXPECT_EQ(rektor_view.fields[0].field->id, "datum");
  EXPECT_EQ(rektor_view.fields[1].field->id, "fokus");
  EXPECT_TRUE(Fails(engine_->GetForm(U("anna"), id, "observation", 3), ErrorCode::kNotFound));
  Complete("ola", id, "observation");

  // --- Återkoppling: the meeting first, then evaluation and development plan in parallel.
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(FindStep(view, "utvardering")->state, State::kPending);
  Write("olle", id, "aterkoppling", 0,
        {{"datum", Day("2026-04-28")},
         {"skolutvecklare_inbjuden", Yes(true)},
         {"iakttagelser", Text("Eleverna är delaktiga när ...")}});
  Complete("olle", id, "aterkoppling_mote");
  Write("anna", id, "utvardering", 0,
        {{"nya_tankar", Text("Vi ser fler sätt att ...")}, {"lardomar", Text("Korta genomgångar ...")}});
  Complete("anna", id, "utvardering");
  Write("anna", id, "utvecklingsplan", 0,
        {{"var_ar_vi", Text("Genomgångarna är långa.")},
         {"vart_ska_vi", Text("Kortare genomgångar.")},
         {"hur_gor_vi", Text("Vi provar ...")},
         {"atgarder", Value{std::vector<Row>{{{"vad", Text("Prova korta genomgångar")},
                                              {"vem", Text("Arbetslaget")},
                                              {"nar", Day("2026-05-15")}}}}}});
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "utvecklingsplan")));
  expected_.push_back({"rut", "step.signoff", "utvecklingsplan", std::nullopt, "rektor"});
  Complete("olle", id, "utvecklingsplan");

  // --- Uppföljning: a due date from a date in the form, lessons learned, and the time sheet signed off.
  EXPECT_FALSE(
      FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "uppfoljningsmote")->due.has_value());
  Write("anna", id, "uppfoljning", 0, {{"overenskommet_datum", Day("2026-09-15")}});
  EXPECT_EQ(FindStep(Must(engine_->GetInstance(Actor::Operator(), id)), "uppfoljningsmote")->due,
            D("2026-09-22"));
  Write("olle", id, "uppfoljning", 0, {{"motesdatum", Day("2026-09-16")}});
  Write("anna", id, "utvecklingsplan", 0, {{"hur_blev_det", Text("Bra.")}});
  Complete("anna", id, "uppfoljningsmote");
  Write("olle", id, "lardomar", 0,
        {{"rubrik", Text("Korta genomgångar")}, {"sammanfattning", Text("...")}, {"publicera", Yes(true)}});
  Complete("olle", id, "sammanfattning");

  // Observer days: ten at most for each observer; a write that takes one over is refused, naming them,
  // and nothing is written.
  Result<std::vector<int>> over = engine_->SetFields(
      U("olle"), id, "tidsredovisning", 0,
      {{"rader",
        Value{std::vector<Row>{
            {{"observator", Text("olle")}, {"aktivitet", Text("observation")}, {"dagar", Num(6)}},
            {{"observator", Text("olle")}, {"aktivitet", Text("forarbete")}, {"dagar", Num(5)}},
            {{"observator", Text("ola")}, {"aktivitet", Text("observation")}, {"dagar", Num(5)}}}}}});
  EXPECT_TRUE(Fails(over, ErrorCode::kRefused,
                    {"Varje observatör har högst tio dagar för hela det lärande besöket", "med ändringen 11 dagar"}));
  view = Must(engine_->GetInstance(Actor::Operator(), id));
  ASSERT_EQ(view.budgets.size(), 1u);
  EXPECT_EQ(view.budgets[0].used, 1);  // each has one day of förarbete
  EXPECT_EQ(view.budgets[0].per.size(), 2u);
  Write("olle", id, "tidsredovisning", 0,
        {{"rader",
          Value{std::vector<Row>{
              {{"observator", Text("olle")}, {"aktivitet", Text("observation")}, {"dagar", Num(5)}},
              {{"observator", Text("ola")}, {"aktivitet", Text("observation")}, {"dagar", Num(5)}}}}}});
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id)).budgets[0].used, 5);
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "tidsredovisning"), ErrorCode::kRefused,
                    {"Utvecklingsledaren godkänner tidsredovisningen"}));
  EXPECT_TRUE(Fails(engine_->SignOff(U("rut"), id, "tidsredovisning"), ErrorCode::kForbidden));
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("ulla"), id, "tidsredovisning")));
  expected_.push_back({"ulla", "step.signoff", "tidsredovisning", std::nullopt, "utvecklingsledare"});
  Complete("ola", id, "tidsredovisning");

  view = Must(engine_->GetInstance(Actor::Operator(), id));
  EXPECT_EQ(view.summary.status, "completed");
  for (const PhaseView& phase : view.phases) EXPECT_EQ(phase.state, State::kCompleted) << phase.phase->id;

  // The audit log has every change, in order, with who did it and what it was before and after.
  std::vector<AuditEntry> log = Log(id);
  size_t at = 0;
  for (const Expected& e : expected_) {
    auto found =
        std::find_if(log.begin() + static_cast<std::ptrdiff_t>(at), log.end(), [&](const AuditEntry& entry) {
          return entry.action == e.action && entry.target == e.target && entry.actor == e.actor;
        });
    ASSERT_NE(found, log.end()) << e.actor << " " << e.action << " " << e.target << " (in order)";
    EXPECT_EQ(found->old_value, e.old_value) << e.action << " " << e.target;
    EXPECT_EQ(found->new_value, e.new_value) << e.action << " " << e.target;
    EXPECT_EQ(found->instance_id, id);
    at = static_cast<size_t>(found - log.begin()) + 1;
  }
  EXPECT_EQ(Count(log, "field.set"),
            static_cast<size_t>(std::count_if(expected_.begin(), expected_.end(),
                                              [](const Expected& e) { return e.action == "field.set"; })));
  EXPECT_EQ(Count(log, "step.complete"), view.definition->AllSteps().size());
  EXPECT_EQ(Count(log, "occurrence.add"), 2u);
  EXPECT_EQ(Count(log, "participant.assign"), 4u);
  EXPECT_EQ(log.back().action, "instance.complete");
  EXPECT_EQ(log.back().actor, "ola");
  // The changed value shows old -> new.
  auto changed = std::find_if(log.begin(), log.end(), [](const AuditEntry& e) {
    return e.action == "field.set" && e.target == "ansokan.antal_barn" && e.actor == "rut";
  });
  ASSERT_NE(changed, log.end());
  EXPECT_EQ(changed->old_value, "24");
  EXPECT_EQ(changed->new_value, "25");
  for (const AuditEntry& e : log) EXPECT_EQ(e.at, At("2026-03-02")) << e.action;  // the clock never moved
}

TEST_F(Ku8Test, LoneObserverKeepsPlanningOpen) {
  std::int64_t id = Must(engine_->CreateInstance(U("ulla"), "ku8-larande-besok", unit_, ""));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id)).summary.title, "KU8 lärande besök");
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id, "rektor", "rut")));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id, "arbetslag", "anna")));
  ASSERT_TRUE(
      Succeeds(engine_->SetFields(U("anna"), id, "ansokan", 0,
                                  {{"enhet", Text("Byskolan")},
                                   {"arbetslag_namn", Text("F–3")},
                                   {"kontaktperson", Text("Anna")},
                                   {"verksamhetsformer", Value{std::vector<std::string>{"grundskola_f3"}}},
                                   {"kontakt_epost", Text("anna@byskolan.se")},
                                   {"problemformulering", Text(std::string(60, 'x'))},
                                   {"informerat_foraldrar", Yes(true)}})));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("anna"), id, "ansokan")));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "observator", "olle")));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id, "observator", "ola")));
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("ulla"), id, "besked", 0, {{"datum", Day("2026-03-10")}})));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("ulla"), id, "observatorsgrupp")));
  ASSERT_TRUE(Succeeds(
      engine_->SetFields(U("olle"), id, "planering", 0,
                         {{"problemformulering_preciserad", Text("...")},
                          {"observationsomrade", Text("annat")},
                          {"observationsomrade_annat", Text("Rastverksamhet")},
                          {"planeringsmoten", Value{std::vector<Row>{{{"datum", Day("2026-03-20")}}}}}})));
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id, "planeringsmoten")));
  ASSERT_TRUE(Succeeds(engine_->RemoveParticipant(U("ulla"), id, "observator", "ola")));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("olle"), id, "planeringsmoten"), ErrorCode::kRefused,
                    {"Minst 2 i rollen ”Observatör” behövs för steget; nu är 1 tilldelade."}));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id)).summary.current_phase, "planering");
}

}  // namespace
}  // namespace spegla
