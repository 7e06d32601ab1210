#include "demo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "spegla/builtin_plugins.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "spegla/plugin_host.h"
#include "spegla/value.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::sys_days;
using namespace std::chrono_literals;

const Timestamp kStart = sys_days{std::chrono::year{2026} / 9 / 14} + 9h;

// A fresh SQLite database in its own temporary directory, removed afterwards.
class TempDatabase {
 public:
  explicit TempDatabase(const std::string& name)
      : dir_(fs::temp_directory_path() / ("spegla-demo-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDatabase() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path() const { return (dir_ / "spegla.db").string(); }

 private:
  fs::path dir_;
};

DemoOptions Options(size_t instances, unsigned seed = 1) {
  DemoOptions options;
  options.instances = instances;
  options.seed = seed;
  options.workflows_dir = SPEGLA_SOURCE_DIR "/workflows";
  return options;
}

std::vector<InstanceSummary> AllInstances(Engine& engine) {
  InstanceFilter filter;
  filter.limit = 100'000;
  return engine.ListInstances(filter);
}

// One demo of 30 instances, shared by the tests that only read it (filling is the slow part). The demo may
// move the clock, as `spegla demo` lets it.
struct SharedDemo {
  TempDatabase database{"suite"};
  ManualClock clock{kStart};
  std::unique_ptr<Engine> engine = Engine::Open(database.path(), clock);
  std::vector<std::pair<size_t, size_t>> progress;
  double seconds = 0;
  Result<DemoReport> result = Fill();

  Result<DemoReport> Fill() {
    auto started = std::chrono::steady_clock::now();
    DemoOptions options = Options(30);
    options.clock = &clock;
    Result<DemoReport> filled =
        FillDemo(*engine, options, [this](size_t done, size_t total) { progress.emplace_back(done, total); });
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return filled;
  }
};

// The value of a plain field (form.field, occurrence 0 unless given) as the operator sees it.
Value FieldValue(Engine& engine, std::int64_t instance, const std::string& form, const std::string& field,
                 int occurrence = 0) {
  Result<FormView> view = engine.GetForm(Actor::Operator(), instance, form, occurrence);
  if (!view.ok()) return Value{};
  for (const FieldView& f : view.value().fields) {
    if (f.field->id == field) return f.value;
  }
  return Value{};
}

Date DateOfField(Engine& engine, std::int64_t instance, const std::string& form, const std::string& field,
                 int occurrence = 0) {
  Value value = FieldValue(engine, instance, form, field, occurrence);
  const Date* date = std::get_if<Date>(&value.data);
  return date ? *date : Date{};
}

std::string TextOfField(Engine& engine, std::int64_t instance, const std::string& form,
                        const std::string& field, int occurrence = 0) {
  Value value = FieldValue(engine, instance, form, field, occurrence);
  const std::string* text = std::get_if<std::string>(&value.data);
  return text ? *text : std::string();
}

const StepView* FindStep(const InstanceView& view, const std::string& id) {
  for (const PhaseView& phase : view.phases) {
    for (const StepView& step : phase.steps) {
      if (step.step->id == id) return &step;
    }
  }
  return nullptr;
}

class DemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_ = new SharedDemo; }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(shared_->result.ok()) << shared_->result.error().Summary(); }
  const DemoReport& report() const { return shared_->result.value(); }
  Engine& engine() const { return *shared_->engine; }

  static SharedDemo* shared_;
};

SharedDemo* DemoTest::shared_ = nullptr;

TEST_F(DemoTest, ReportMatchesTheDatabase) {
  RecordProperty("fill_seconds", std::to_string(shared_->seconds));
  std::cout << "[ demo     ] 30 instances in " << shared_->seconds << " s\n";
  EXPECT_EQ(report().instances, 30u);
  EXPECT_TRUE(report().warnings.empty()) << report().warnings.front();
  std::vector<InstanceSummary> instances = AllInstances(engine());
  ASSERT_EQ(instances.size(), report().instances);

  std::map<std::string, size_t> per_phase;
  for (const InstanceSummary& s : instances) {
    ++per_phase[s.status == "completed" ? "completed" : s.current_phase];
  }
  EXPECT_EQ(per_phase, report().instances_per_phase);

  // A walk may have let time pass ("at least four weeks of mapping"); the clock is back where it started.
  EXPECT_EQ(shared_->clock.Now(), kStart);

  EXPECT_EQ(report().municipalities, engine().Municipalities().size());
  EXPECT_EQ(report().units, engine().Units().size());
  EXPECT_EQ(report().users, engine().Users().size());
  // Every bundled workflow is installed, each once.
  size_t files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(SPEGLA_SOURCE_DIR "/workflows")) {
    if (entry.path().extension() == ".xml") ++files;
  }
  EXPECT_EQ(report().installed.size(), files);
  EXPECT_EQ(engine().Definitions().size(), files);
  EXPECT_TRUE(std::count(report().installed.begin(), report().installed.end(), "ku8-larande-besok v2"));
}

TEST_F(DemoTest, InstancesAreSpreadOverPhasesAndSomeAreCompleted) {
  size_t phases = 0;
  for (const auto& [phase, count] : report().instances_per_phase) {
    if (phase != "completed" && count > 0) ++phases;
  }
  EXPECT_GT(phases, 1u);
  EXPECT_GE(
      report().instances_per_phase.count("completed") ? report().instances_per_phase.at("completed") : 0, 1u);
}

TEST_F(DemoTest, OneInstanceOfEveryWorkflowIsWalkedToCompletionWithAnAuditTrail) {
  std::vector<DefinitionSummary> definitions = engine().Definitions();
  ASSERT_EQ(report().walked_instances.size(), definitions.size());
  // The first instances created are the walked ones, one per workflow; the first is reported on its own.
  EXPECT_EQ(report().walked_instance, report().walked_instances.at(definitions.front().id));
  for (const DefinitionSummary& definition : definitions) {
    SCOPED_TRACE(definition.id);
    ASSERT_TRUE(report().walked_instances.count(definition.id));
    const std::int64_t id = report().walked_instances.at(definition.id);
    EXPECT_LE(id, static_cast<std::int64_t>(definitions.size()));
    Result<InstanceView> view = engine().GetInstance(Actor::Operator(), id);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view.value().summary.status, "completed");
    EXPECT_EQ(view.value().summary.workflow_id, definition.id);

    Result<std::vector<AuditEntry>> log = engine().AuditLog(Actor::Operator(), id);
    ASSERT_TRUE(log.ok());
    std::set<std::string> actions;
    std::set<std::string> writers;
    for (const AuditEntry& entry : log.value()) {
      actions.insert(entry.action);
      if (entry.action == "field.set") writers.insert(entry.actor);
    }
    for (const char* expected : {"field.set", "step.complete", "instance.complete"}) {
      EXPECT_TRUE(actions.count(expected)) << expected;
    }
    // Forms are written by the participants themselves, never by the operator.
    EXPECT_FALSE(writers.count("operator"));
    EXPECT_GE(writers.size(), 2u);
  }
}

TEST_F(DemoTest, WalkedInstancesHaveEveryRequiredValueAndStayWithinBudgets) {
  for (const auto& [workflow, id] : report().walked_instances) {
    SCOPED_TRACE(workflow);
    Result<InstanceView> view = engine().GetInstance(Actor::Operator(), id);
    ASSERT_TRUE(view.ok());
    const WorkflowDefinition& definition = *view.value().definition;
    size_t filled = 0;
    for (const Form& form : definition.forms) {
      const Step* repeating = definition.RepeatingStepOf(form.id);
      int occurrences = 0;
      for (const PhaseView& phase : view.value().phases) {
        for (const StepView& step : phase.steps) {
          if (step.step == repeating) occurrences = step.occurrences;
        }
      }
      if (repeating) {
        EXPECT_GE(occurrences, repeating->repeat->min) << form.id;
      }
      for (int occurrence = repeating ? 1 : 0; occurrence <= (repeating ? occurrences : 0); ++occurrence) {
        Result<FormView> values = engine().GetForm(Actor::Operator(), id, form.id, occurrence);
        ASSERT_TRUE(values.ok()) << form.id;
        for (const FieldView& field : values.value().fields) {
          if (!field.value.IsEmpty()) ++filled;
          if (field.visible && field.field->required()) {
            EXPECT_FALSE(field.value.IsEmpty()) << form.id << "." << field.field->id;
          }
          // Every value passes its field's rules, patterns included ("VT 2027", "2026/27", "08.20–09.40").
          if (!field.value.IsEmpty()) {
            EXPECT_TRUE(CheckConstraints(*field.field, field.value).empty()) << field.field->id;
          }
        }
      }
    }
    EXPECT_GT(filled, 10u);
    for (const BudgetView& budget : view.value().budgets)
      EXPECT_LE(budget.used, budget.budget->max) << budget.budget->id;
  }
}

TEST_F(DemoTest, AlpVisitReadsLikeARealOne) {
  ASSERT_TRUE(report().walked_instances.count("alp-larande-besok"));
  const std::int64_t id = report().walked_instances.at("alp-larande-besok");
  EXPECT_TRUE(std::regex_match(TextOfField(engine(), id, "ansokan", "onskad_termin"),
                               std::regex("(VT|HT) 20[0-9]{2}")));
  EXPECT_TRUE(std::regex_match(TextOfField(engine(), id, "kvalitetsredovisning", "lasar"),
                               std::regex("20[0-9]{2}/[0-9]{2}")));

  // Dates follow the flow: the visit days in the schedule, the documentation meeting after them, every
  // lesson visit within them, the return visit two and a half years or more after the documentation.
  const Date first = DateOfField(engine(), id, "tidsplan", "besok_fran");
  const Date last = DateOfField(engine(), id, "tidsplan", "besok_till");
  EXPECT_LE(DateOfField(engine(), id, "uppdrag", "motesdatum"), first);
  EXPECT_LE(first, last);
  EXPECT_GT(DateOfField(engine(), id, "tidsplan", "dokumentationsdatum"), last);
  Result<InstanceView> view = engine().GetInstance(Actor::Operator(), id);
  ASSERT_TRUE(view.ok());
  const StepView* visits = FindStep(view.value(), "lektionsbesok");
  ASSERT_NE(visits, nullptr);
  std::set<std::string> teachers;
  for (int occurrence = 1; occurrence <= visits->occurrences; ++occurrence) {
    const Date day = DateOfField(engine(), id, "lektionsbesok", "datum", occurrence);
    EXPECT_GE(day, first) << occurrence;
    EXPECT_LE(day, last) << occurrence;
  }
  // Each teacher in the team has an individual assignment of their own, and each is visited.
  Value assignments = FieldValue(engine(), id, "uppdrag", "individuella_uppdrag");
  const auto* rows = std::get_if<std::vector<Row>>(&assignments.data);
  ASSERT_NE(rows, nullptr);
  for (const Row& row : *rows) teachers.insert(std::get<std::string>(row.at("pedagog").data));
  size_t team = 0;
  for (const ParticipantView& p : view.value().participants) team += p.role == "pedagog";
  EXPECT_EQ(teachers.size(), team);
  EXPECT_GE(static_cast<size_t>(visits->occurrences), rows->size());
  EXPECT_GE(DateOfField(engine(), id, "aterbesok", "datum"),
            DateOfField(engine(), id, "dokumentationsmote", "datum").Plus(Duration(2, 6, 0, 0)));
}

TEST_F(DemoTest, OrebroMappingTakesFourWeeksOfDemoTime) {
  ASSERT_TRUE(report().walked_instances.count("orebro-kvalitetsutvecklare"));
  const std::int64_t id = report().walked_instances.at("orebro-kvalitetsutvecklare");
  Result<InstanceView> view = engine().GetInstance(Actor::Operator(), id);
  ASSERT_TRUE(view.ok());
  const PhaseView* mapping = nullptr;
  for (const PhaseView& phase : view.value().phases) {
    if (phase.phase->id == "kartlaggning") mapping = &phase;
  }
  ASSERT_NE(mapping, nullptr);
  ASSERT_TRUE(mapping->started && mapping->completed);
  EXPECT_GE(*mapping->completed - *mapping->started, std::chrono::days{28});
  // The information meeting follows the start meeting; the planned learning sessions have times of day.
  EXPECT_GE(DateOfField(engine(), id, "informationstraff", "datum"),
            DateOfField(engine(), id, "startmote", "datum"));
  Value sessions = FieldValue(engine(), id, "startmote", "lartraffar");
  const auto* rows = std::get_if<std::vector<Row>>(&sessions.data);
  ASSERT_TRUE(rows && !rows->empty());
  for (const Row& row : *rows) {
    if (!row.count("tid")) continue;
    EXPECT_TRUE(std::regex_match(std::get<std::string>(row.at("tid").data),
                                 std::regex("[0-2][0-9][.:][0-5][0-9] ?(–|-) ?[0-2][0-9][.:][0-5][0-9]")));
  }
}

TEST_F(DemoTest, SbsTermsFollowEachOtherAndTheLastEndsTheSupport) {
  ASSERT_TRUE(report().walked_instances.count("sbs-processledarstod"));
  const std::int64_t id = report().walked_instances.at("sbs-processledarstod");
  EXPECT_GT(DateOfField(engine(), id, "uppstart", "nasta_traff"),
            DateOfField(engine(), id, "uppstart", "datum"));
  Result<InstanceView> view = engine().GetInstance(Actor::Operator(), id);
  ASSERT_TRUE(view.ok());
  const StepView* reviews = FindStep(view.value(), "terminsavstamning");
  ASSERT_NE(reviews, nullptr);
  ASSERT_GE(reviews->occurrences, 1);
  // One review per term, each later than the one before; every term but the last goes on.
  for (int term = 1; term <= reviews->occurrences; ++term) {
    SCOPED_TRACE(term);
    EXPECT_TRUE(std::regex_match(TextOfField(engine(), id, "terminsuppfoljning", "termin", term),
                                 std::regex("(Ht|Vt)-[0-9]{2}")));
    EXPECT_EQ(TextOfField(engine(), id, "terminsuppfoljning", "fortsattning", term),
              term == reviews->occurrences ? "avsluta" : "ny_termin");
    if (term > 1) {
      EXPECT_GT(DateOfField(engine(), id, "terminsuppfoljning", "datum", term),
                DateOfField(engine(), id, "terminsuppfoljning", "datum", term - 1));
    }
  }
  // The current meeting plan is the last term's: it starts after the previous term's review.
  if (reviews->occurrences > 1) {
    EXPECT_GT(DateOfField(engine(), id, "traffplan", "terminsstart"),
              DateOfField(engine(), id, "terminsuppfoljning", "datum", reviews->occurrences - 1));
  }
}

TEST_F(DemoTest, PedagogcentrumPlanNamesItsFirstAndLastMeeting) {
  ASSERT_TRUE(report().walked_instances.count("pedagogcentrum-utvecklingsgrupp"));
  const std::int64_t id = report().walked_instances.at("pedagogcentrum-utvecklingsgrupp");
  Value plan = FieldValue(engine(), id, "bekraftelse", "traffplan");
  const auto* rows = std::get_if<std::vector<Row>>(&plan.data);
  ASSERT_TRUE(rows && rows->size() >= 4u);
  std::vector<Date> days;
  for (const Row& row : *rows) days.push_back(std::get<Date>(row.at("datum").data));
  EXPECT_EQ(DateOfField(engine(), id, "bekraftelse", "forsta_traff"),
            *std::min_element(days.begin(), days.end()));
  EXPECT_EQ(DateOfField(engine(), id, "bekraftelse", "sista_traff"),
            *std::max_element(days.begin(), days.end()));
  EXPECT_TRUE(
      std::regex_match(TextOfField(engine(), id, "anmalan", "lasar"), std::regex("20[0-9]{2}/[0-9]{2}")));
}

TEST_F(DemoTest, KU8ApplicationReadsLikeARealOne) {
  std::vector<InstanceSummary> instances = AllInstances(engine());
  auto walked = std::find_if(instances.begin(), instances.end(), [](const InstanceSummary& s) {
    return s.workflow_id == "ku8-larande-besok" && s.status == "completed";
  });
  ASSERT_NE(walked, instances.end());
  Result<FormView> application = engine().GetForm(Actor::Operator(), walked->id, "ansokan");
  ASSERT_TRUE(application.ok());
  std::map<std::string, std::string> text;
  for (const FieldView& field : application.value().fields) {
    if (auto* s = std::get_if<std::string>(&field.value.data)) text[field.field->id] = *s;
  }
  EXPECT_EQ(text["enhet"], walked->unit);
  EXPECT_NE(walked->title.find(walked->unit), std::string::npos);
  ASSERT_FALSE(text["arbetslag_namn"].empty());
  EXPECT_NE(walked->title.find(text["arbetslag_namn"].substr(1)), std::string::npos) << walked->title;
  EXPECT_GE(text["problemformulering"].size(), 50u);
  EXPECT_TRUE(std::regex_match(text["kontakt_epost"], std::regex("[a-z0-9.-]+@[a-z]+\\.se")))
      << text["kontakt_epost"];

  Result<InstanceView> view = engine().GetInstance(Actor::Operator(), walked->id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view.value().budgets.size(), 1u);
  EXPECT_GT(view.value().budgets[0].used, 0);  // the observers accounted for their days
}

TEST_F(DemoTest, OrganisationLooksSwedishAndIsComplete) {
  std::map<std::string, std::string> networks;
  for (const Municipality& m : engine().Municipalities()) networks[m.name] = m.network;
  for (const char* name :
       {"Ale", "Alingsås", "Kungälv", "Lerum", "Lilla Edet", "Orust", "Stenungsund", "Tjörn"}) {
    ASSERT_TRUE(networks.count(name)) << name;
    EXPECT_EQ(networks[name], "KU8") << name;
  }
  EXPECT_TRUE(networks.count("Örebro"));

  std::map<std::string, size_t> roles;
  const std::regex username("[a-z]+(-[a-z]+)?\\.[a-z]+[0-9]*");
  bool swedish_letters = false;
  for (const User& user : engine().Users()) {
    ++roles[user.global_role];
    EXPECT_TRUE(std::regex_match(user.username, username)) << user.username;
    if (user.display_name.find_first_of("\xC3") != std::string::npos) swedish_letters = true;
  }
  EXPECT_TRUE(swedish_letters);
  EXPECT_EQ(roles["administrator"], 1u);
  EXPECT_GE(roles["utvecklingsledare"], 2u);
  EXPECT_GE(roles["forvaltning"], 2u);
  EXPECT_GT(roles["personal"], roles["utvecklingsledare"] + roles["forvaltning"]);

  std::set<std::string> kinds;
  for (const Unit& unit : engine().Units()) {
    kinds.insert(unit.kind);
    EXPECT_FALSE(engine().Teams(unit.id).empty()) << unit.name;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"forskola", "skola"}));
  for (const Municipality& m : engine().Municipalities())
    EXPECT_GE(engine().ObserverPool(m.id).size(), 2u) << m.name;
}

TEST_F(DemoTest, ParticipantsFillEveryRoleAndNetworkObserversComeFromOtherMunicipalities) {
  std::map<std::int64_t, Municipality> municipalities;
  std::map<std::string, Municipality> by_name;
  for (const Municipality& m : engine().Municipalities()) {
    municipalities[m.id] = m;
    by_name[m.name] = m;
  }
  size_t pool_participants = 0, from_elsewhere = 0;
  for (const InstanceSummary& summary : AllInstances(engine())) {
    Result<InstanceView> view = engine().GetInstance(Actor::Operator(), summary.id);
    ASSERT_TRUE(view.ok());
    const WorkflowDefinition& definition = *view.value().definition;
    std::map<std::string, size_t> per_role;
    for (const ParticipantView& p : view.value().participants) {
      ++per_role[p.role];
      const Role* role = definition.FindRole(p.role);
      if (!role || !role->from_pool || by_name[summary.municipality].network.empty()) continue;
      ++pool_participants;
      std::optional<User> user = engine().FindUser(p.username);
      ASSERT_TRUE(user.has_value() && user->municipality_id.has_value());
      const Municipality& home = municipalities[*user->municipality_id];
      if (home.name != summary.municipality && home.network == by_name[summary.municipality].network) {
        ++from_elsewhere;
      }
    }
    for (const Role& role : definition.roles) {
      EXPECT_GE(per_role[role.id], static_cast<size_t>(std::max(role.min, 1)))
          << summary.id << " " << role.id;
      if (role.max) {
        EXPECT_LE(per_role[role.id], static_cast<size_t>(*role.max)) << summary.id << " " << role.id;
      }
    }
  }
  EXPECT_GT(pool_participants, 0u);
  EXPECT_EQ(from_elsewhere, pool_participants);
}

TEST_F(DemoTest, ProgressIsReportedPerInstance) {
  ASSERT_EQ(shared_->progress.size(), 30u);
  EXPECT_EQ(shared_->progress.front(), std::make_pair(size_t{1}, size_t{30}));
  EXPECT_EQ(shared_->progress.back(), std::make_pair(size_t{30}, size_t{30}));
}

TEST_F(DemoTest, AdvanceOneStepRefusesACompletedInstance) {
  std::mt19937 rng(7);
  std::string why;
  EXPECT_EQ(AdvanceOneStep(engine(), report().walked_instance, rng, &why), Advance::kRefused);
  EXPECT_FALSE(why.empty());
}

TEST(DemoRerunTest, SecondRunReusesTheOrganisationAndAddsInstances) {
  TempDatabase database("rerun");
  ManualClock clock(kStart);
  std::unique_ptr<Engine> engine = Engine::Open(database.path(), clock);
  Result<DemoReport> first = FillDemo(*engine, Options(6), nullptr);
  ASSERT_TRUE(first.ok()) << first.error().Summary();
  const size_t municipalities = engine->Municipalities().size();
  const size_t units = engine->Units().size();
  const size_t users = engine->Users().size();

  // Without a clock it may move, the demo cannot let time pass: the walk stops where a rule waits for it
  // ("the mapping takes at least four weeks"), with a warning. Given the clock, the step completes.
  EXPECT_FALSE(first.value().walked_instances.count("orebro-kvalitetsutvecklare"));
  EXPECT_EQ(first.value().walked_instances.size(), 4u);
  ASSERT_EQ(first.value().warnings.size(), 1u);
  EXPECT_NE(first.value().warnings[0].find("fyra veckor"), std::string::npos) << first.value().warnings[0];
  std::vector<InstanceSummary> instances = AllInstances(*engine);
  auto waiting = std::find_if(instances.begin(), instances.end(), [](const InstanceSummary& s) {
    return s.workflow_id == "orebro-kvalitetsutvecklare" && s.current_phase == "kartlaggning";
  });
  ASSERT_NE(waiting, instances.end());
  std::mt19937 rng(3);
  std::string why;
  EXPECT_EQ(AdvanceOneStep(*engine, waiting->id, rng, &why), Advance::kWaiting);
  EXPECT_EQ(AdvanceOneStep(*engine, waiting->id, rng, &why, &clock), Advance::kCompleted) << why;
  EXPECT_GE(clock.Now() - kStart, std::chrono::days{28});

  clock.Advance(24h);
  Result<DemoReport> second = FillDemo(*engine, Options(2), nullptr);
  ASSERT_TRUE(second.ok()) << second.error().Summary();
  EXPECT_EQ(second.value().installed, first.value().installed);
  EXPECT_EQ(engine->Municipalities().size(), municipalities);
  EXPECT_EQ(engine->Units().size(), units);
  EXPECT_EQ(engine->Users().size(), users);
  EXPECT_EQ(AllInstances(*engine).size(), 8u);
  EXPECT_NE(second.value().walked_instance, first.value().walked_instance);

  // Another seed adds people and schools next to the existing ones; names already taken get a digit.
  Result<DemoReport> third = FillDemo(*engine, Options(2, 99), nullptr);
  ASSERT_TRUE(third.ok()) << third.error().Summary();
  EXPECT_EQ(engine->Municipalities().size(), municipalities);
  EXPECT_GT(engine->Users().size(), users);
  EXPECT_EQ(AllInstances(*engine).size(), 10u);
}

TEST(DemoDeterminismTest, SameSeedGivesTheSameData) {
  auto fill = [](const std::string& name) {
    TempDatabase database(name);
    ManualClock clock(kStart);
    std::unique_ptr<Engine> engine = Engine::Open(database.path(), clock);
    DemoOptions options = Options(6, 42);
    options.clock = &clock;
    Result<DemoReport> report = FillDemo(*engine, options, nullptr);
    EXPECT_TRUE(report.ok()) << report.error().Summary();
    std::vector<std::string> out;
    for (const User& user : engine->Users()) out.push_back(user.username + " " + user.display_name);
    for (const InstanceSummary& s : AllInstances(*engine)) {
      out.push_back(s.title + " " + s.status + " " + s.current_phase);
      Result<std::vector<AuditEntry>> log = engine->AuditLog(Actor::Operator(), s.id);
      if (!log.ok()) continue;
      for (const AuditEntry& entry : log.value()) {
        out.push_back(entry.actor + " " + entry.action + " " + entry.target + " " +
                      entry.new_value.value_or(""));
      }
    }
    return out;
  };
  std::vector<std::string> first = fill("seed-a");
  std::vector<std::string> second = fill("seed-b");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

TEST(DemoDocumentsTest, WithoutDocumentsOnlyTheWalkedInstancesHaveThem) {
  TempDatabase database("documents");
  ManualClock clock(kStart);
  PluginHost plugins;
  ASSERT_TRUE(AddBuiltinPlugins(plugins).empty());
  std::unique_ptr<Engine> engine = Engine::Open(database.path(), clock);
  engine->SetPlugins(&plugins);
  DemoOptions options = Options(12);
  options.clock = &clock;
  options.documents = false;
  Result<DemoReport> report = FillDemo(*engine, options, nullptr);
  ASSERT_TRUE(report.ok()) << report.error().Summary();
  EXPECT_EQ(engine->plugins(), &plugins);  // the engine makes documents again afterwards
  std::set<std::int64_t> walked;
  for (const auto& [workflow, id] : report.value().walked_instances) walked.insert(id);
  ASSERT_FALSE(walked.empty());
  size_t completed_steps_elsewhere = 0;
  for (const InstanceSummary& s : AllInstances(*engine)) {
    Result<std::vector<DocumentInfo>> documents = engine->Documents(Actor::Operator(), s.id);
    ASSERT_TRUE(documents.ok());
    if (walked.count(s.id)) {
      EXPECT_FALSE(documents.value().empty()) << s.title;
      continue;
    }
    EXPECT_TRUE(documents.value().empty()) << s.title;
    Result<std::vector<AuditEntry>> log = engine->AuditLog(Actor::Operator(), s.id);
    ASSERT_TRUE(log.ok());
    completed_steps_elsewhere +=
        static_cast<size_t>(std::count_if(log.value().begin(), log.value().end(),
                                          [](const AuditEntry& e) { return e.action == "step.complete"; }));
  }
  EXPECT_GT(completed_steps_elsewhere, 0u);  // their steps did complete, documents or not
}

TEST(DemoErrorTest, MissingWorkflowDirectoryIsAnError) {
  TempDatabase database("missing");
  ManualClock clock(kStart);
  std::unique_ptr<Engine> engine = Engine::Open(database.path(), clock);
  DemoOptions options = Options(1);
  options.workflows_dir = "/nonexistent/workflows";
  Result<DemoReport> report = FillDemo(*engine, options, nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(AllInstances(*engine).empty());
}

}  // namespace
}  // namespace spegla::cli
