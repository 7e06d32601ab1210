// Form work against a real SQLite file: who sees and writes which field, values checked against their
// field, constraint and required messages, visible-if, locking, optimistic versions, person fields,
// repeating forms and budgets. Uses tests/fixtures/loader/test-flow.xml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine_test_support.h"
#include "test_flow_fixture.h"
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

Row TimeRow(std::string who, double days) {
  return Row{{"observator", Text(std::move(who))}, {"dagar", Num(days)}};
}

class FormsTest : public TestFlowFixture {};

// ---- who sees what --------------------------------------------------------------------------------

TEST_F(FormsTest, EachRoleSeesOnlyTheFieldsItMaySee) {
  FormView teacher = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_THAT(FieldIds(teacher),
              ElementsAre("beskrivning", "antal", "epost", "vag", "informerat", "nar_informeras", "kontakt",
                          "intern", "rektors_kommentar", "uppfoljning_datum"));
  EXPECT_EQ(FindField(teacher, "beskrivning")->rights, Rights::kEdit);
  EXPECT_EQ(FindField(teacher, "intern")->rights, Rights::kEdit);
  EXPECT_EQ(FindField(teacher, "rektors_kommentar")->rights, Rights::kView);
  EXPECT_FALSE(teacher.locked);
  EXPECT_EQ(teacher.occurrence, 0);

  // The rektor views the form but not the internal note, and edits only the comment.
  FormView principal = Must(engine_->GetForm(U("rut"), id_, "ansokan"));
  EXPECT_EQ(FindField(principal, "intern"), nullptr);
  EXPECT_EQ(principal.fields.size(), 9u);
  EXPECT_EQ(FindField(principal, "beskrivning")->rights, Rights::kView);
  EXPECT_EQ(FindField(principal, "rektors_kommentar")->rights, Rights::kEdit);

  FormView observer = Must(engine_->GetForm(U("olle"), id_, "ansokan"));
  EXPECT_EQ(FindField(observer, "intern"), nullptr);
  for (const FieldView& f : observer.fields) EXPECT_EQ(f.rights, Rights::kView) << f.field->id;

  // No access at all: the form is refused, not shown empty.
  EXPECT_TRUE(Fails(engine_->GetForm(U("sam"), id_, "ansokan"), ErrorCode::kForbidden,
                    {"Du har inte rätt att se formuläret ”Ansökan”."}));
  EXPECT_TRUE(Fails(engine_->GetForm(U("eva"), id_, "ansokan"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GetForm(U("lars"), id_, "tid"), ErrorCode::kForbidden));
  // The operator reads everything and writes nothing.
  FormView op = Must(engine_->GetForm(Actor::Operator(), id_, "ansokan"));
  EXPECT_EQ(op.fields.size(), 10u);
  for (const FieldView& f : op.fields) EXPECT_EQ(f.rights, Rights::kView) << f.field->id;
  EXPECT_TRUE(Fails(engine_->GetForm(U("lars"), id_, "nosuch"), ErrorCode::kNotFound));
}

TEST_F(FormsTest, HiddenFieldValuesNeverReachTheViewer) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"intern", Text("Hemligt")}})));
  for (const char* who : {"rut", "olle"}) {
    FormView form = Must(engine_->GetForm(U(who), id_, "ansokan"));
    for (const FieldView& f : form.fields) EXPECT_NE(DisplayValue(f.value), "Hemligt") << who;
  }
  ReachVisits();
  ASSERT_TRUE(Succeeds(
      Set("olle", "besok", {{"datum", Day("2026-04-01")}, {"anteckningar", Text("Elev X ...")}}, 1)));
  EXPECT_THAT(FieldIds(Must(engine_->GetForm(U("rut"), id_, "besok", 1))), ElementsAre("datum"));
  EXPECT_THAT(FieldIds(Must(engine_->GetForm(U("ola"), id_, "besok", 1))),
              ElementsAre("datum", "anteckningar"));
  EXPECT_EQ(FindField(Must(engine_->GetForm(U("ola"), id_, "besok", 1)), "anteckningar")->value,
            Text("Elev X ..."));
}

// ---- who writes what ------------------------------------------------------------------------------

TEST_F(FormsTest, ViewOnlyHiddenAndOutsidersCannotWrite) {
  size_t audit = AuditSize();
  Result<std::vector<int>> view_only = Set("rut", "ansokan", {{"beskrivning", Text("Rektorn skriver här.")}});
  ASSERT_TRUE(Fails(view_only, ErrorCode::kForbidden));
  EXPECT_THAT(Issues(view_only.error()),
              ElementsAre("ansokan.beskrivning: Du har inte rätt att ändra ”Beskrivning”."));
  EXPECT_TRUE(
      Fails(Set("rut", "ansokan", {{"intern", Text("x")}}), ErrorCode::kForbidden, {"”Intern anteckning”"}));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"rektors_kommentar", Text("x")}}), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(Set("sam", "ansokan", {{"antal", Num(3)}}), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(Set("eva", "ansokan", {{"antal", Num(3)}}), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(Set("nobody", "ansokan", {{"antal", Num(3)}}), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->SetFields(Actor::Operator(), id_, "ansokan", 0, {{"antal", Num(3)}}),
                    ErrorCode::kForbidden));
  // One forbidden field refuses the whole write.
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"antal", Num(5)}, {"rektors_kommentar", Text("x")}}),
                    ErrorCode::kForbidden));
  EXPECT_EQ(FindField(Must(engine_->GetForm(U("lars"), id_, "ansokan")), "antal")->version, 0);
  EXPECT_EQ(AuditSize(), audit);
  // Each may write what they have rights to.
  EXPECT_TRUE(Succeeds(Set("rut", "ansokan", {{"rektors_kommentar", Text("Bra initiativ.")}})));
  EXPECT_TRUE(Succeeds(Set("lars", "ansokan", {{"antal", Num(5)}})));
}

TEST_F(FormsTest, WritesReturnVersionsAndAuditOldAndNewValues) {
  clock_.Advance(30min);
  EXPECT_THAT(Must(Set("lars", "ansokan", {{"antal", Num(5)}, {"epost", Text("lars@skolan.se")}})),
              ElementsAre(1, 1));
  clock_.Advance(30min);
  // A value written again unchanged keeps its version and is not audited.
  EXPECT_THAT(Must(Set("lena", "ansokan", {{"antal", Num(6.5)}, {"epost", Text("lars@skolan.se")}})),
              ElementsAre(2, 1));
  FieldView antal = *FindField(Must(engine_->GetForm(U("rut"), id_, "ansokan")), "antal");
  EXPECT_EQ(antal.value, Num(6.5));
  EXPECT_EQ(antal.version, 2);
  EXPECT_EQ(antal.author, "lena");
  EXPECT_EQ(antal.updated_at, At("2026-03-02", 9h));
  // Clearing is a change too.
  EXPECT_THAT(Must(Set("lars", "ansokan", {{"antal", Value{}}})), ElementsAre(3));
  EXPECT_TRUE(FindField(Must(engine_->GetForm(U("rut"), id_, "ansokan")), "antal")->value.IsEmpty());

  std::vector<AuditEntry> log = FieldAudit("ansokan.antal");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].actor, "lars");
  EXPECT_EQ(log[0].old_value, std::nullopt);
  EXPECT_EQ(log[0].new_value, "5");
  EXPECT_EQ(log[0].at, At("2026-03-02", 8h + 30min));
  EXPECT_EQ(log[1].actor, "lena");
  EXPECT_EQ(log[1].old_value, "5");
  EXPECT_EQ(log[1].new_value, "6,5");
  EXPECT_EQ(log[2].old_value, "6,5");
  EXPECT_EQ(log[2].new_value, "");
  EXPECT_EQ(FieldAudit("ansokan.epost").size(), 1u);
  // Nothing to write is not an error.
  EXPECT_TRUE(Must(Set("lars", "ansokan", {})).empty());
}

TEST_F(FormsTest, ExpectedVersionMismatchIsAConflictAndWritesNothing) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"antal", Num(5)}})));
  // Lena started from version 1 and saves first.
  EXPECT_THAT(Must(Set("lena", "ansokan", {{"antal", Num(7), 1}})), ElementsAre(2));
  size_t audit = AuditSize();
  // Lars also started from version 1: his whole save is refused, including the field nobody touched.
  Result<std::vector<int>> stale =
      Set("lars", "ansokan", {{"antal", Num(8), 1}, {"epost", Text("lars@skolan.se"), 0}});
  ASSERT_TRUE(Fails(stale, ErrorCode::kConflict));
  EXPECT_THAT(
      Issues(stale.error()),
      ElementsAre("ansokan.antal: ”Antal elever” har ändrats av lena sedan du började (version 2, du utgick "
                  "från version 1). Nuvarande värde: ”7”."));
  FormView form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_EQ(FindField(form, "antal")->value, Num(7));
  EXPECT_EQ(FindField(form, "epost")->version, 0);
  EXPECT_EQ(AuditSize(), audit);
  // Starting again from the current version works.
  EXPECT_THAT(Must(Set("lars", "ansokan", {{"antal", Num(8), 2}, {"epost", Text("lars@skolan.se"), 0}})),
              ElementsAre(3, 1));
  EXPECT_TRUE(Fails(Set("lena", "ansokan", {{"epost", Text("lena@skolan.se"), 0}}), ErrorCode::kConflict,
                    {"har ändrats av lars"}));
}

// ---- values and constraints -------------------------------------------------------------------------

TEST_F(FormsTest, EveryConstraintMessageAtOnceAndNothingWritten) {
  size_t audit = AuditSize();
  Result<std::vector<int>> bad = Set("lars", "ansokan",
                                     {{"beskrivning", Text("Kort")},
                                      {"antal", Num(31)},
                                      {"epost", Text("lars.skolan.se")},
                                      {"uppfoljning_datum", Day("2026-06-01")}});
  ASSERT_TRUE(Fails(bad, ErrorCode::kInvalid));
  EXPECT_THAT(
      Issues(bad.error()),
      ElementsAre("ansokan.beskrivning: Längden på ”Beskrivning” ska vara mellan 10 och 2000 tecken.",
                  "ansokan.antal: Ange mellan 1 och 30 elever.", "ansokan.epost: Skriv en e-postadress."));
  FormView form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  for (const FieldView& f : form.fields) EXPECT_EQ(f.version, 0) << f.field->id;
  EXPECT_EQ(AuditSize(), audit);
}

TEST_F(FormsTest, ValuesMustBeOfTheFieldsType) {
  size_t audit = AuditSize();
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"antal", Text("tjugo")}}), ErrorCode::kInvalid,
                    {"ansokan.antal: ”Antal elever” ska vara ett tal."}));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"informerat", Num(1)}}), ErrorCode::kInvalid,
                    {"ska vara ja eller nej"}));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"vag", Text("mellan")}}), ErrorCode::kInvalid,
                    {"”mellan” är inte ett av alternativen för ”Väg”."}));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"uppfoljning_datum", Text("i juni")}}), ErrorCode::kInvalid));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"beskrivning", Text("ogiltig \xff text i ansökan")}}),
                    ErrorCode::kInvalid, {"innehåller ogiltiga tecken"}));
  EXPECT_EQ(AuditSize(), audit);
  // Text is cleaned the same way however it arrives: no control characters, no line breaks in short text.
  ASSERT_TRUE(Succeeds(
      Set("lars", "ansokan", {{"epost", Text("lars@skolan.se\x07")}, {"intern", Text("rad\nrad")}})));
  FormView form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_EQ(FindField(form, "epost")->value, Text("lars@skolan.se"));
  EXPECT_EQ(FindField(form, "intern")->value, Text("rad rad"));
  // What was written is what a fresh read shows.
  engine_.reset();
  engine_ = Engine::Open(database_, clock_);
  form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_EQ(FindField(form, "epost")->value, Text("lars@skolan.se"));
  EXPECT_EQ(FindField(form, "epost")->version, 1);
}

TEST_F(FormsTest, UnknownAndRepeatedFieldsAndForms) {
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"nosuch", Num(1)}}), ErrorCode::kInvalid,
                    {"ansokan.nosuch: Formuläret ”Ansökan” har inget fält ”nosuch”."}));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"antal", Num(1)}, {"antal", Num(2)}}), ErrorCode::kInvalid,
                    {"”Antal elever” förekommer två gånger"}));
  EXPECT_TRUE(Fails(Set("lars", "nosuch", {{"antal", Num(1)}}), ErrorCode::kNotFound));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"antal", Num(1)}}, 1), ErrorCode::kInvalid,
                    {"Formuläret ”Ansökan” upprepas inte."}));
  EXPECT_TRUE(
      Fails(engine_->SetFields(U("lars"), 4711, "ansokan", 0, {{"antal", Num(1)}}), ErrorCode::kNotFound));
}

TEST_F(FormsTest, RequiredFieldsAtCompletionListEveryReasonAtOnce) {
  Result<Ok> empty = engine_->CompleteStep(U("lars"), id_, "ansokan");
  ASSERT_TRUE(Fails(empty, ErrorCode::kRefused));
  // nar_informeras shows while informerat is not yes, and is required while it shows.
  EXPECT_THAT(
      Issues(empty.error()),
      ElementsAre("ansokan.beskrivning: Beskriv vad ni vill utveckla.",
                  "ansokan.antal: ”Antal elever” måste fyllas i.", "ansokan.vag: ”Väg” måste fyllas i.",
                  "ansokan.informerat: ”Föräldrarna är informerade” måste fyllas i.",
                  "ansokan.nar_informeras: Skriv när föräldrarna informeras."));
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan",
                           {{"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                            {"antal", Num(24)},
                            {"vag", Text("grundlig")},
                            {"informerat", Yes(false)}})));
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("lars"), id_, "ansokan"), ErrorCode::kRefused,
                    {"ansokan.nar_informeras: Skriv när föräldrarna informeras."}));
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"nar_informeras", Text("På föräldramötet.")}})));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
}

TEST_F(FormsTest, RequiredColumnsOfGroupRowsAreCheckedAtCompletion) {
  ReachVisits();
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(Succeeds(Set("olle", "besok", {{"datum", Day("2026-04-0" + std::to_string(i))}}, i)));
  }
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id_, "besok")));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id_, "besok")));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id_, "mote")));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "utvardering")));
  ASSERT_TRUE(Succeeds(Set("lars", "plan", {{"mal", Text("Mål")}})));
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id_, "plan")));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "plan")));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "uppfoljning")));
  ASSERT_TRUE(Succeeds(engine_->SignOff(U("sam"), id_, "redovisning")));
  // A half-filled row may be saved, but the step cannot complete with it.
  ASSERT_TRUE(Succeeds(
      Set("olle", "tid", {{"rader", Value{std::vector<Row>{TimeRow("olle", 2), {{"dagar", Num(1)}}}}}})));
  Result<Ok> refused = engine_->CompleteStep(U("olle"), id_, "redovisning");
  ASSERT_TRUE(Fails(refused, ErrorCode::kRefused));
  EXPECT_THAT(Issues(refused.error()), ElementsAre("tid.rader: ”Dagar” rad 2: ”Observatör” måste fyllas i."));
  ASSERT_TRUE(Succeeds(
      Set("olle", "tid", {{"rader", Value{std::vector<Row>{TimeRow("olle", 2), TimeRow("ola", 1)}}}})));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id_, "redovisning")));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).summary.status, "completed");
}

TEST_F(FormsTest, VisibleIfDecidesWhetherAFieldTakesAValue) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"informerat", Yes(true)}})));
  FormView form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_FALSE(FindField(form, "nar_informeras")->visible);
  EXPECT_TRUE(FindField(form, "informerat")->visible);
  EXPECT_TRUE(
      Fails(Set("lars", "ansokan", {{"nar_informeras", Text("Snart")}}), ErrorCode::kInvalid,
            {"ansokan.nar_informeras: ”När informeras föräldrarna?” visas inte med de svar som har getts och "
             "kan inte fyllas i."}));
  // Rules hold for the form as it will be: both answers in one write are fine.
  ASSERT_TRUE(
      Succeeds(Set("lars", "ansokan", {{"informerat", Yes(false)}, {"nar_informeras", Text("Vecka 12")}})));
  EXPECT_TRUE(FindField(Must(engine_->GetForm(U("lars"), id_, "ansokan")), "nar_informeras")->visible);
  // Hiding it again keeps the value but drops the requirement.
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan",
                           {{"informerat", Yes(true)},
                            {"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                            {"antal", Num(24)},
                            {"vag", Text("grundlig")}})));
  form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_FALSE(FindField(form, "nar_informeras")->visible);
  EXPECT_EQ(FindField(form, "nar_informeras")->value, Text("Vecka 12"));
  EXPECT_TRUE(Succeeds(Set("lars", "ansokan", {{"nar_informeras", Value{}}})));  // clearing is always allowed
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
}

TEST_F(FormsTest, PersonFieldsAcceptOnlyParticipantsInTheirRole) {
  EXPECT_TRUE(Succeeds(Set("lars", "ansokan", {{"kontakt", Text("lena")}})));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"kontakt", Text("rut")}}), ErrorCode::kInvalid,
                    {"ansokan.kontakt: ”rut” har inte rollen ”Lärare” i processen."}));
  EXPECT_TRUE(
      Fails(Set("lars", "ansokan", {{"kontakt", Text("eva")}}), ErrorCode::kInvalid, {"har inte rollen"}));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"kontakt", Text("nobody")}}), ErrorCode::kInvalid,
                    {"Det finns ingen användare ”nobody”."}));
  // The same holds for a person column in a group.
  Result<std::vector<int>> rows =
      Set("olle", "tid", {{"rader", Value{std::vector<Row>{TimeRow("olle", 1), TimeRow("lars", 1)}}}});
  ASSERT_TRUE(Fails(rows, ErrorCode::kInvalid));
  EXPECT_THAT(Issues(rows.error()),
              ElementsAre("tid.rader[2].observator: ”lars” har inte rollen ”Observatör” i processen."));
  EXPECT_EQ(FindField(Must(engine_->GetForm(U("lars"), id_, "ansokan")), "kontakt")->value, Text("lena"));
}

// ---- locking -------------------------------------------------------------------------------------

TEST_F(FormsTest, FormIsLockedOnceItsStepHasCompleted) {
  FillApplication();
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
  size_t audit = AuditSize();
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"antal", Num(25)}}), ErrorCode::kRefused,
                    {"Formuläret ”Ansökan” är låst eftersom steget ”Skriv ansökan” är avslutat."}));
  EXPECT_TRUE(
      Fails(Set("rut", "ansokan", {{"rektors_kommentar", Text("Ok")}}), ErrorCode::kRefused, {"är låst"}));
  EXPECT_EQ(AuditSize(), audit);
  FormView form = Must(engine_->GetForm(U("lars"), id_, "ansokan"));
  EXPECT_TRUE(form.locked);
  for (const FieldView& f : form.fields) EXPECT_NE(f.rights, Rights::kEdit) << f.field->id;
  EXPECT_EQ(FindField(form, "antal")->value, Num(24));

  // Sent back, it opens for editing again.
  ASSERT_TRUE(Succeeds(engine_->SendBack(U("rut"), id_, "granskning", "ansokan", "Justera antalet.")));
  EXPECT_FALSE(Must(engine_->GetForm(U("lars"), id_, "ansokan")).locked);
  EXPECT_TRUE(Succeeds(Set("lars", "ansokan", {{"antal", Num(25)}})));
}

// ---- repeating forms -----------------------------------------------------------------------------

TEST_F(FormsTest, RepeatingFormsKeepAValuePerOccurrence) {
  ReachVisits();
  EXPECT_TRUE(Fails(engine_->GetForm(U("olle"), id_, "besok", 0), ErrorCode::kNotFound));
  EXPECT_TRUE(Fails(engine_->GetForm(U("olle"), id_, "besok", 1), ErrorCode::kNotFound));
  EXPECT_TRUE(Fails(Set("olle", "besok", {{"datum", Day("2026-04-01")}}, 0), ErrorCode::kInvalid,
                    {"Tillfälle 0 finns inte; steget ”Besök” har 0 tillfällen."}));
  EXPECT_TRUE(Fails(Set("olle", "besok", {{"datum", Day("2026-04-01")}}, 2), ErrorCode::kInvalid,
                    {"Tillfälle 2 finns inte"}));
  // Writing the next occurrence adds it.
  ASSERT_TRUE(Succeeds(Set("olle", "besok", {{"datum", Day("2026-04-01")}}, 1)));
  ASSERT_TRUE(
      Succeeds(Set("ola", "besok", {{"datum", Day("2026-04-08")}, {"anteckningar", Text("Dag två")}}, 2)));
  ASSERT_TRUE(Succeeds(Set("olle", "besok", {{"anteckningar", Text("Dag ett")}}, 1)));
  FormView first = Must(engine_->GetForm(U("olle"), id_, "besok", 1));
  FormView second = Must(engine_->GetForm(U("olle"), id_, "besok", 2));
  EXPECT_EQ(first.occurrence, 1);
  EXPECT_EQ(FindField(first, "datum")->value, Day("2026-04-01"));
  EXPECT_EQ(FindField(first, "anteckningar")->value, Text("Dag ett"));
  EXPECT_EQ(FindField(second, "datum")->value, Day("2026-04-08"));
  EXPECT_EQ(FindField(second, "anteckningar")->author, "ola");
  std::vector<AuditEntry> log = Must(engine_->AuditLog(Actor::Operator(), id_));
  EXPECT_EQ(
      std::count_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.target == "besok.datum#2"; }),
      1);
  EXPECT_EQ(
      std::count_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "occurrence.add"; }),
      2);
}

// ---- budgets -------------------------------------------------------------------------------------

TEST_F(FormsTest, BudgetRefusesAWriteThatGoesOverAndWritesNothing) {
  ASSERT_THAT(
      Must(Set("olle", "tid", {{"rader", Value{std::vector<Row>{TimeRow("olle", 4), TimeRow("ola", 4)}}}})),
      ElementsAre(1));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id_));
  ASSERT_EQ(view.budgets.size(), 1u);
  EXPECT_EQ(view.budgets[0].budget->id, "dagar");
  EXPECT_EQ(view.budgets[0].used, 8);
  size_t audit = AuditSize();

  Result<std::vector<int>> over =
      Set("ola", "tid",
          {{"rader", Value{std::vector<Row>{TimeRow("olle", 4), TimeRow("ola", 4), TimeRow("ola", 2.5)}}}});
  ASSERT_TRUE(Fails(over, ErrorCode::kRefused));
  EXPECT_THAT(Issues(over.error()), ElementsAre("budget:dagar: Högst tio observatörsdagar. (med ändringen 10,5 dagar)"));
  FormView form = Must(engine_->GetForm(U("olle"), id_, "tid"));
  EXPECT_EQ(FindField(form, "rader")->version, 1);
  EXPECT_EQ(std::get<std::vector<Row>>(FindField(form, "rader")->value.data).size(), 2u);
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).budgets[0].used, 8);
  EXPECT_EQ(AuditSize(), audit);

  // Up to the limit is fine, and so is going down.
  EXPECT_THAT(
      Must(Set("ola", "tid", {{"rader", Value{std::vector<Row>{TimeRow("olle", 4), TimeRow("ola", 6)}}}})),
      ElementsAre(2));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).budgets[0].used, 10);
  EXPECT_THAT(Must(Set("ola", "tid", {{"rader", Value{std::vector<Row>{TimeRow("ola", 0.5)}}}})),
              ElementsAre(3));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).budgets[0].used, 0.5);
}

}  // namespace
}  // namespace spegla
