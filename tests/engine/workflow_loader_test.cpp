// Tests of the workflow loader: one test per kind of mistake a definition can contain, each checking the
// exact line and column reported. Workflows are written inline with Wrap(), which puts the root element
// on line 1 and <title> on line 2. Each body's text starts right after R"xml(, so the body's first line is
// line 3 of the file, its second line 4, and so on; columns count characters from 1.
#include "engine_test_support.h"
#include "spegla/workflow_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace spegla {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kFile = "test.xml";

std::string Wrap(std::string_view body) {
  return "<workflow xmlns=\"urn:spegla:workflow:1\" id=\"t\" version=\"1\">\n"
         "  <title>Test</title>\n" +
         std::string(body) + "</workflow>\n";
}

LoadResult Load(std::string_view body, const LoadOptions& options = {}) {
  return LoadWorkflowFromText(Wrap(body), kFile, options);
}

std::string Describe(const Problems& problems) {
  std::string out;
  for (const Problem& p : problems) out += "  " + p.Format() + "\n";
  return out.empty() ? "  (no problems)\n" : out;
}

struct Expected {
  int line;
  int column;
  std::string text;  // a part of the message
};

// Checks that the problems are exactly `expected`, in this order.
void ExpectProblems(const LoadResult& result, const std::vector<Expected>& expected) {
  SCOPED_TRACE("problems reported:\n" + Describe(result.problems));
  ASSERT_EQ(result.problems.size(), expected.size());
  EXPECT_EQ(result.definition, nullptr);
  for (size_t i = 0; i < expected.size(); ++i) {
    const Problem& p = result.problems[i];
    EXPECT_EQ(p.where.file, kFile) << "problem " << i;
    EXPECT_EQ(p.where.line, expected[i].line) << "problem " << i << ": " << p.message;
    EXPECT_EQ(p.where.column, expected[i].column) << "problem " << i << ": " << p.message;
    EXPECT_THAT(p.message, HasSubstr(expected[i].text)) << "problem " << i;
  }
}

void ExpectLoads(const LoadResult& result) {
  EXPECT_TRUE(result.ok()) << Describe(result.problems);
  EXPECT_NE(result.definition, nullptr);
}

// ---- the reference point: a correct definition loads ----------------------------------------------

TEST(WorkflowLoaderTest, MinimalBodyLoadsAndKeepsWhatItSays) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor" min="1" max="1"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor"/>
    </phase>
  </phases>
)xml");
  ExpectLoads(result);
  ASSERT_NE(result.definition, nullptr);
  const WorkflowDefinition& def = *result.definition;
  EXPECT_EQ(def.id, "t");
  EXPECT_EQ(def.version, 1);
  EXPECT_EQ(def.title, "Test");
  ASSERT_EQ(def.roles.size(), 1u);
  EXPECT_EQ(def.roles[0].max, 1);
  EXPECT_EQ(def.roles[0].where.line, 4);
  EXPECT_EQ(def.roles[0].where.column, 5);
  ASSERT_NE(def.FindStep("klart"), nullptr);
  EXPECT_EQ(def.FindStep("klart")->phase, "start");
  EXPECT_EQ(def.FindStep("klart")->where.line, 8);
}

// ---- XML-level mistakes ---------------------------------------------------------------------------

TEST(WorkflowLoaderTest, MalformedXmlUnclosedTagIsReportedWhereTheParserNoticedIt) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor">
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor"/>
    </phase>
  </phases>
)xml");
  // <role> on line 4 is never closed; the parser notices at the name in </roles> on line 5.
  ExpectProblems(result, {{5, 5, "malformed XML: Start-end tags mismatch"}});
}

TEST(WorkflowLoaderTest, MalformedXmlAttributeWithoutQuotes) {
  LoadResult result = Load(R"xml(  <roles>
    <role id=rektor label="Rektor"/>
  </roles>
)xml");
  // Reported at the unquoted value.
  ExpectProblems(result, {{4, 14, "malformed XML"}});
}

TEST(WorkflowLoaderTest, DoctypeIsRefused) {
  std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE workflow [<!ENTITY x \"y\">]>\n"
      "<workflow xmlns=\"urn:spegla:workflow:1\" id=\"t\" version=\"1\">\n"
      "  <title>Test</title>\n"
      "  <roles><role id=\"rektor\" label=\"Rektor\"/></roles>\n"
      "  <phases><phase id=\"start\" label=\"Start\">"
      "<step id=\"klart\" label=\"Klart\" performers=\"rektor\"/></phase></phases>\n"
      "</workflow>\n";
  ExpectProblems(LoadWorkflowFromText(xml, kFile), {{2, 1, "a DOCTYPE is not allowed"}});
}

TEST(WorkflowLoaderTest, WrongRootElementIsReportedAtTheRoot) {
  std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<process xmlns=\"urn:spegla:workflow:1\" id=\"t\" version=\"1\">\n"
      "  <title>Test</title>\n"
      "</process>\n";
  ExpectProblems(LoadWorkflowFromText(xml, kFile),
                 {{2, 1, "the root element must be <workflow>, found <process>"}});
}

TEST(WorkflowLoaderTest, MissingOrWrongNamespaceIsReportedAtTheRoot) {
  const std::string rest =
      "  <title>Test</title>\n"
      "  <roles><role id=\"rektor\" label=\"Rektor\"/></roles>\n"
      "  <phases><phase id=\"start\" label=\"Start\">"
      "<step id=\"klart\" label=\"Klart\" performers=\"rektor\"/></phase></phases>\n"
      "</workflow>\n";
  ExpectProblems(LoadWorkflowFromText("<workflow id=\"t\" version=\"1\">\n" + rest, kFile),
                 {{1, 1, "must declare xmlns=\"urn:spegla:workflow:1\""}});
  ExpectProblems(LoadWorkflowFromText(
                     "\n  <workflow xmlns=\"urn:spegla:workflow:2\" id=\"t\" version=\"1\">\n" + rest, kFile),
                 {{2, 3, "found \"urn:spegla:workflow:2\""}});
}

// ---- shape: elements and attributes -----------------------------------------------------------------

TEST(WorkflowLoaderTest, UnknownElementIsReportedAtItsTag) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor">
        <deadline after="P2W"/>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 9, "unknown element <deadline> in <step>"}});
  EXPECT_THAT(result.problems[0].message, HasSubstr("due"));  // lists what is allowed
}

TEST(WorkflowLoaderTest, UnknownAttributeIsReportedAtItsName) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor" maximum="1"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor"/>
    </phase>
  </phases>
)xml");
  // "    <role id="rektor" label="Rektor" " is 37 characters: the name starts in column 38.
  ExpectProblems(result, {{4, 38, "unknown attribute 'maximum' on <role>"}});
}

TEST(WorkflowLoaderTest, MissingRequiredAttributeIsReportedAtTheElement) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{4, 5, "<role> needs the attribute 'label'"},
                          {8, 7, "<step> needs the attribute 'performers'"}});
}

TEST(WorkflowLoaderTest, BadIdSyntaxIsReportedAtTheValue) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="antal-barn" type="number" label="Antal barn"/>
      <field id="Namn" type="text" label="Namn"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="2klart" label="Klart" performers="rektor" forms="ansokan"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(
      result,
      {{9, 18, "invalid id 'antal-barn'"}, {10, 18, "invalid id 'Namn'"}, {15, 17, "invalid id '2klart'"}});
}

TEST(WorkflowLoaderTest, BadWorkflowIdAndVersion) {
  std::string xml =
      "<workflow xmlns=\"urn:spegla:workflow:1\" id=\"ku8_besok\" version=\"zero\">\n"
      "  <title>Test</title>\n"
      "  <roles><role id=\"rektor\" label=\"Rektor\"/></roles>\n"
      "  <phases><phase id=\"start\" label=\"Start\">"
      "<step id=\"klart\" label=\"Klart\" performers=\"rektor\"/></phase></phases>\n"
      "</workflow>\n";
  // `<workflow xmlns="urn:spegla:workflow:1" id="` is 44 characters; version's value starts at 65.
  ExpectProblems(LoadWorkflowFromText(xml, kFile),
                 {{1, 45, "invalid workflow id 'ku8_besok'"},
                  {1, 65, "'version' must be a whole number of at least 1"}});
}

TEST(WorkflowLoaderTest, OutOfOrderChildrenAreReported) {
  LoadResult result = Load(R"xml(  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan">
        <due after="P1W" from="phase-start"/>
        <signoff role="rektor"/>
      </step>
    </phase>
  </phases>
  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="val" type="choice" label="Val">
        <required/>
        <option value="a" label="A"/>
      </field>
    </form>
  </forms>
)xml");
  ExpectProblems(result, {{7, 9, "<signoff> must come before <due> in <step>"},
                          {11, 3, "<roles> must come before <phases> in <workflow>"},
                          {14, 3, "<forms> must come before <phases> in <workflow>"},
                          {19, 9, "<option> must come before <required> in <field>"}});
}

// ---- references to things that are not defined ------------------------------------------------------

TEST(WorkflowLoaderTest, UndefinedRoleInPerformers) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor larare"/>
    </phase>
  </phases>
)xml");
  // `      <step id="klart" label="Klart" performers="` is 49 characters.
  ExpectProblems(result, {{8, 50, "undefined role 'larare'"}});
}

TEST(WorkflowLoaderTest, UndefinedFormInStepForms) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{8, 65, "undefined form 'ansokan'"}});
}

TEST(WorkflowLoaderTest, UndefinedRoleInAccess) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <access role="observator" rights="view"/>
      <field id="text" type="text" label="Text">
        <access role="larare" rights="hidden"/>
      </field>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 21, "undefined role 'observator'"}, {11, 23, "undefined role 'larare'"}});
}

TEST(WorkflowLoaderTest, UndefinedRoleInSignoffAndPersonField) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="ansvarig" type="person" role="observator" label="Ansvarig"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan">
        <signoff role="forvaltning" label="Förvaltningen godkänner"/>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 48, "undefined role 'observator'"}, {15, 24, "undefined role 'forvaltning'"}});
}

TEST(WorkflowLoaderTest, SendBackToUndefinedOrLaterStep) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="forsta" label="Första" performers="rektor">
        <send-back to="andra"/>
      </step>
      <step id="andra" label="Andra" performers="rektor">
        <send-back to="nollte"/>
        <send-back to="forsta" roles="rektor larare"/>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 9, "'andra' is not earlier"},
                          {12, 9, "send-back to undefined step 'nollte'"},
                          {13, 39, "undefined role 'larare'"}});
}

TEST(WorkflowLoaderTest, TransitionToUndefinedPhase) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor"/>
      <transition to="granskning" when="assigned('rektor') > 1"/>
      <transition to="end"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 7, "transition to undefined phase 'granskning'"}});
}

TEST(WorkflowLoaderTest, UndefinedDueAnchorTargets) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="text" type="text" label="Text"/>
      <field id="datum" type="date" label="Datum"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="a" label="A" performers="rektor" forms="ansokan">
        <due after="P1W" from="step-complete:nosuch"/>
      </step>
      <step id="b" label="B" performers="rektor">
        <due after="P1W" from="phase-complete:nosuch"/>
      </step>
      <step id="c" label="C" performers="rektor">
        <due after="P1W" from="phase-start:nosuch"/>
      </step>
      <step id="d" label="D" performers="rektor">
        <due after="P1W" from="field:ansokan.nosuch"/>
      </step>
      <step id="e" label="E" performers="rektor">
        <due after="P1W" from="field:ansokan.text"/>
      </step>
      <step id="f" label="F" performers="rektor">
        <due after="P1W" from="step-start:a"/>
      </step>
      <step id="g" label="G" performers="rektor">
        <due after="P1W" from="field:ansokan.datum"/>
      </step>
    </phase>
  </phases>
)xml");
  // `        <due after="P1W" from="` is 31 characters.
  ExpectProblems(result, {{16, 32, "undefined step 'nosuch'"},
                          {19, 32, "undefined phase 'nosuch'"},
                          {22, 32, "undefined phase 'nosuch'"},
                          {25, 32, "undefined field 'ansokan.nosuch'"},
                          {28, 32, "field 'ansokan.text' is a text, not a date"},
                          {31, 32, "unknown anchor 'step-start:a'"}});
}

TEST(WorkflowLoaderTest, UndefinedReferencesInExpressions) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="antal" type="number" label="Antal"/>
      <field id="motivering" type="text" label="Motivering" visible-if="antl > 3"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan">
        <require>assigned('larare') >= 1</require>
        <require>ansokan.antal > 0 and ansokan.summa > 0</require>
        <require>plan.antal > 0</require>
      </step>
      <transition to="end" when="assigned('rektor') > 0 and ansokan.antal.x > 0"/>
      <transition to="end"/>
    </phase>
  </phases>
)xml");
  // A problem inside an expression is placed at the offending reference, not at the expression's start.
  // `      <field id="motivering" type="text" label="Motivering" visible-if="` is 72 characters; the
  // role id in assigned('larare') starts at column 27; ansokan.antal.x starts at column 61.
  ExpectProblems(result, {{10, 73, "unknown field 'antl'"},
                          {16, 27, "unknown role 'larare'"},
                          {17, 40, "form 'ansokan' has no field 'summa'"},
                          {18, 18, "unknown form 'plan'"},
                          {20, 61, "'ansokan.antal' is not a group"}});
}

TEST(WorkflowLoaderTest, UndefinedStepInAfter) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start" flow="parallel">
      <step id="a" label="A" performers="rektor"/>
      <step id="b" label="B" performers="rektor" after="a c"/>
    </phase>
  </phases>
)xml");
  // `      <step id="b" label="B" performers="rektor" after="` is 56 characters.
  ExpectProblems(result, {{9, 57, "undefined step 'c'"}});
}

TEST(WorkflowLoaderTest, AfterOutsideAParallelPhaseOrAcrossPhases) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="forsta" label="Första">
      <step id="a" label="A" performers="rektor"/>
      <step id="b" label="B" performers="rektor" after="a"/>
    </phase>
    <phase id="andra" label="Andra" flow="parallel">
      <step id="c" label="C" performers="rektor" after="a"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result,
                 {{9, 50, "'after' applies only in a parallel phase"},
                  {12, 57, "can only wait for steps of its own phase 'andra', not 'a' of phase 'forsta'"}});
}

TEST(WorkflowLoaderTest, UndefinedFormAndStepInDocumentRule) {
  test::ScratchDir templates("spegla-loader");
  std::ofstream(templates.path() / "plan.docx") << "template";
  LoadOptions options;
  options.template_dir = templates.path().string();
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor"/>
    </phase>
  </phases>
  <documents>
    <document id="plan" label="Plan" plugin="docx" template="plan.docx" forms="plan"
              on="step-complete:nosuch"/>
  </documents>
)xml",
                           options);
  ExpectProblems(result, {{12, 80, "undefined form 'plan'"}, {13, 19, "undefined step 'nosuch'"}});
}

// ---- duplicate ids ----------------------------------------------------------------------------------

TEST(WorkflowLoaderTest, DuplicateRoleId) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
    <role id="rektor" label="Förskolechef"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{5, 5, "duplicate role id 'rektor' (first defined at line 4)"}});
}

TEST(WorkflowLoaderTest, DuplicateFormId) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="text" type="text" label="Text"/>
    </form>
    <form id="ansokan" label="Ansökan igen">
      <access role="rektor" rights="edit"/>
      <field id="text" type="text" label="Text"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{11, 5, "duplicate form id 'ansokan' (first defined at line 7)"}});
}

TEST(WorkflowLoaderTest, DuplicateFieldIdWithinAFormButNotAcrossForms) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="text" type="text" label="Text"/>
      <field id="text" type="longtext" label="Lång text"/>
    </form>
    <form id="plan" label="Plan">
      <access role="rektor" rights="edit"/>
      <field id="text" type="text" label="Text"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan plan"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{10, 7, "duplicate field id 'text' (first defined at line 9)"}});
}

TEST(WorkflowLoaderTest, DuplicateStepIdAcrossPhases) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="mote" label="Möte" performers="rektor"/>
    </phase>
    <phase id="slut" label="Slut">
      <step id="mote" label="Möte igen" performers="rektor"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{11, 7, "duplicate step id 'mote' (first defined at line 8)"}});
}

TEST(WorkflowLoaderTest, DuplicatePhaseId) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="a" label="A" performers="rektor"/>
    </phase>
    <phase id="start" label="Start igen">
      <step id="b" label="B" performers="rektor"/>
    </phase>
  </phases>
)xml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems[0].where.line, 10) << Describe(result.problems);
  EXPECT_EQ(result.problems[0].where.column, 5);
  EXPECT_THAT(result.problems[0].message, HasSubstr("duplicate phase id 'start' (first defined at line 7)"));
}

// ---- the phase graph --------------------------------------------------------------------------------

TEST(WorkflowLoaderTest, StepOfAPhaseNoTransitionLeadsToIsUnreachable) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="a" label="A" performers="rektor"/>
      <transition to="end"/>
    </phase>
    <phase id="glomd" label="Glömd">
      <step id="b" label="B" performers="rektor"/>
      <step id="c" label="C" performers="rektor"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{12, 7, "step 'b' is unreachable: no transition leads to its phase 'glomd'"},
                          {13, 7, "step 'c' is unreachable"}});
}

TEST(WorkflowLoaderTest, CycleWithNoWayOut) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="fram" label="Fram">
      <step id="a" label="A" performers="rektor"/>
      <transition to="tillbaka"/>
    </phase>
    <phase id="tillbaka" label="Tillbaka">
      <step id="b" label="B" performers="rektor"/>
      <transition to="fram"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{7, 5, "phases 'fram', 'tillbaka' form a cycle with no way out"}});
}

TEST(WorkflowLoaderTest, CycleWithAWayOutIsFine) {
  ExpectLoads(Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="fram" label="Fram">
      <step id="a" label="A" performers="rektor"/>
    </phase>
    <phase id="tillbaka" label="Tillbaka">
      <step id="b" label="B" performers="rektor"/>
      <transition to="fram" when="assigned('rektor') &lt; 1"/>
      <transition to="end"/>
    </phase>
  </phases>
)xml"));
}

TEST(WorkflowLoaderTest, PhaseWhoseTransitionsAreAllConditional) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="a" label="A" performers="rektor"/>
      <transition to="slut" when="assigned('rektor') >= 1"/>
      <transition to="end" when="assigned('rektor') == 0"/>
    </phase>
    <phase id="slut" label="Slut">
      <step id="b" label="B" performers="rektor"/>
    </phase>
  </phases>
)xml");
  // Reported at the last transition, where the unconditional one should be added.
  ExpectProblems(result, {{10, 7, "phase 'start' has no transition without a condition"}});
}

TEST(WorkflowLoaderTest, AfterStepsWaitingOnEachOther) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start" flow="parallel">
      <step id="a" label="A" performers="rektor" after="b"/>
      <step id="b" label="B" performers="rektor" after="a"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result,
                 {{8, 7, "step 'a' can never start: its 'after' steps wait on each other (a -> b -> a)"}});
}

// ---- steps that can never complete -------------------------------------------------------------------

TEST(WorkflowLoaderTest, RequiredFieldNobodyCanEdit) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
    <role id="larare" label="Lärare"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="view"/>
      <access role="larare" rights="edit"/>
      <field id="beslut" type="yesno" label="Beslut">
        <required/>
        <access role="larare" rights="view"/>
      </field>
      <field id="kommentar" type="text" label="Kommentar">
        <required/>
      </field>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{22, 7,
                           "step 'klart' can never complete: required field 'ansokan.beslut' is editable by "
                           "no role"}});
}

TEST(WorkflowLoaderTest, ConditionThatIsAlwaysFalse) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor">
        <require message="Omöjligt.">1 > 2</require>
        <require>1 &lt; 2 or assigned('rektor') > 5</require>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 9, "step 'klart' can never complete: its condition '1 > 2' is always false"}});
}

TEST(WorkflowLoaderTest, RepeatWithMinAboveMax) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="besok" label="Besök" performers="rektor">
        <repeat min="3" max="2" label="Besöksdag"/>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{9, 9,
                           "step 'besok' can never complete: it needs at least 3 occurrences but allows at "
                           "most 2"}});
}

TEST(WorkflowLoaderTest, SignoffByARoleThatAllowsNobody) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
    <role id="ingen" label="Ingen" max="0"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor">
        <signoff role="ingen"/>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{10, 9, "needs a sign-off by role 'ingen', which allows no participants"}});
}

// ---- durations -----------------------------------------------------------------------------------------

TEST(WorkflowLoaderTest, BadDurations) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <duration min="4W" max="P"/>
      <step id="klart" label="Klart" performers="rektor">
        <repeat min="1" every="PT1H"/>
        <due after="P2H" from="phase-start"/>
      </step>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{8, 22, "invalid duration '4W': an ISO-8601 duration starts with 'P'"},
                          {8, 31, "invalid duration 'P': no amount given"},
                          {10, 32, "invalid duration 'PT1H': hours, minutes and seconds are not supported"},
                          {11, 21, "invalid duration 'P2H': unknown unit 'H'"}});
}

TEST(WorkflowLoaderTest, DurationMaxShorterThanMin) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <phases>
    <phase id="start" label="Start">
      <duration min="P1M" max="P2W"/>
      <step id="klart" label="Klart" performers="rektor"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{8, 7, "duration: max P2W is shorter than min P1M"}});
}

// ---- expressions --------------------------------------------------------------------------------------

TEST(WorkflowLoaderTest, ExpressionOfTheWrongType) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="antal" type="number" label="Antal"/>
      <field id="namn" type="text" label="Namn"/>
      <field id="extra" type="text" label="Extra" visible-if="ansokan.antal + 1"/>
      <field id="mer" type="text" label="Mer" visible-if="antal == 'tre'"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan">
        <require>ansokan.namn</require>
      </step>
    </phase>
  </phases>
  <budgets>
    <budget id="tid" label="Tid" max="10">ansokan.antal > 2</budget>
  </budgets>
)xml");
  // `      <field id="extra" type="text" label="Extra" visible-if="` is 62 characters; in the next line
  // the comparison is reported at '==', in column 65.
  ExpectProblems(
      result,
      {{11, 63, "visible-if of field 'ansokan.extra' must be yes/no, but 'ansokan.antal + 1' is number"},
       {12, 65, "cannot compare number with text"},
       {18, 18, "requirement of step 'klart' must be yes/no, but 'ansokan.namn' is text"},
       {23, 43, "budget 'tid' must be number, but 'ansokan.antal > 2' is yes/no"}});
}

TEST(WorkflowLoaderTest, ExpressionSyntaxErrors) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektor" rights="edit"/>
      <field id="antal" type="number" label="Antal"/>
      <field id="extra" type="text" label="Extra" visible-if="antal >"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan">
        <require>
          (ansokan.antal > 1 &amp;&amp; ansokan.antal &lt; 5
        </require>
        <require>ansokan.antal = 3</require>
        <require>(ansokan.antal &lt; 1) = false</require>
        <require><![CDATA[ansokan.antal < 1 && ansokan.antal > 0]]></require>
      </step>
      <transition to="end" when="ansokan.antal &gt;= 1 and ansokan.antal &lt;&gt; 2"/>
      <transition to="end"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{10, 70, "expected a value, found end of expression"},
                          {17, 30, "unexpected character '&'; use 'and'"},
                          {19, 32, "use '==' to compare"},
                          // Entities and CDATA: the column is where the character is in the file.
                          {20, 41, "use '==' to compare"},
                          {21, 45, "unexpected character '&'"},
                          {23, 78, "expected a value, found '>'"}});
}

// ---- document templates --------------------------------------------------------------------------------

constexpr const char* kDocumentBody = R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
  </roles>
  <forms>
    <form id="plan" label="Plan">
      <access role="rektor" rights="edit"/>
      <field id="text" type="longtext" label="Text"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="plan"/>
    </phase>
  </phases>
  <documents>
    <document id="plan_dokument" label="Plan" plugin="docx" template="TEMPLATE" forms="plan"
              on="step-complete:klart"/>
  </documents>
)xml";

std::string DocumentBody(const std::string& template_path) {
  std::string body = kDocumentBody;
  body.replace(body.find("TEMPLATE"), 8, template_path);
  return body;
}

TEST(WorkflowLoaderTest, MissingTemplateFile) {
  test::ScratchDir templates("spegla-loader");
  LoadOptions options;
  options.template_dir = templates.path().string();
  LoadResult result = Load(DocumentBody("ku8/plan.docx"), options);
  // `    <document id="plan_dokument" label="Plan" plugin="docx" template="` is 70 characters.
  ExpectProblems(result, {{18, 71, "template file 'ku8/plan.docx' not found"}});
  EXPECT_THAT(result.problems[0].message, HasSubstr((templates.path() / "ku8/plan.docx").string()));

  // The same definition loads once the file is there, and the resolved path is kept.
  fs::create_directories(templates.path() / "ku8");
  std::ofstream(templates.path() / "ku8" / "plan.docx") << "docx";
  LoadResult loaded = Load(DocumentBody("ku8/plan.docx"), options);
  ExpectLoads(loaded);
  ASSERT_EQ(loaded.definition->documents.size(), 1u);
  EXPECT_EQ(loaded.definition->documents[0].resolved_template, (templates.path() / "ku8/plan.docx").string());

  // And without the existence check it loads even when the file is missing.
  options.check_templates = false;
  ExpectLoads(Load(DocumentBody("ku8/annan.docx"), options));
}

TEST(WorkflowLoaderTest, TemplatePathThatEscapesTheTemplateDirectory) {
  test::ScratchDir templates("spegla-loader");
  // A file that exists outside the template directory is still refused.
  std::ofstream(templates.path() / "secret.docx") << "secret";
  fs::create_directories(templates.path() / "templates");
  LoadOptions options;
  options.template_dir = (templates.path() / "templates").string();
  for (const std::string path : {"../secret.docx", "ku8/../../secret.docx", "/etc/passwd"}) {
    SCOPED_TRACE(path);
    LoadResult result = Load(DocumentBody(path), options);
    ExpectProblems(result, {{18, 71, "must be relative to the template directory, without '..'"}});
    options.check_templates = !options.check_templates;  // refused either way
  }
}

// ---- several mistakes at once ---------------------------------------------------------------------------

TEST(WorkflowLoaderTest, SeveralMistakesAreAllReportedSortedByLine) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor" min="ett"/>
  </roles>
  <forms>
    <form id="ansokan" label="Ansökan">
      <access role="rektr" rights="edit"/>
      <field id="antal" type="number" label="Antal" visible-if="antal"/>
    </form>
    <form id="ansokan" label="Igen">
      <access role="rektor" rights="write"/>
      <field id="x" type="text" label="X"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start" flow="serial">
      <step id="klart" label="Klart" performers="rektor" forms="ansokan" colour="red">
        <due after="P1X" from="phase-start"/>
      </step>
      <transition to="slut"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{4, 43, "'min' must be a whole number of at least 0, got 'ett'"},
                          {8, 21, "undefined role 'rektr'"},
                          {9, 65, "visible-if of field 'ansokan.antal' must be yes/no"},
                          {11, 5, "duplicate form id 'ansokan'"},
                          {12, 37, "rights must be edit, view or hidden, got 'write'"},
                          {17, 43, "flow must be 'sequence' or 'parallel', got 'serial'"},
                          {18, 74, "unknown attribute 'colour' on <step>"},
                          {19, 21, "invalid duration 'P1X'"},
                          {21, 7, "transition to undefined phase 'slut'"}});
  for (size_t i = 1; i < result.problems.size(); ++i) {
    EXPECT_LE(result.problems[i - 1].where.line, result.problems[i].where.line);
  }
  EXPECT_EQ(result.problems[0].Format(),
            "test.xml:4:43: 'min' must be a whole number of at least 0, got 'ett'");
}

// ---- files ----------------------------------------------------------------------------------------------

TEST(WorkflowLoaderTest, UnreadableFileIsOneProblem) {
  LoadResult result = LoadWorkflowFromFile("/nonexistent/spegla/workflow.xml");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_THAT(result.problems[0].message, HasSubstr("cannot read"));
  EXPECT_EQ(result.problems[0].where.file, "/nonexistent/spegla/workflow.xml");
}

std::vector<fs::path> XmlFilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(WorkflowLoaderTest, ShippedWorkflowsLoadWithoutProblems) {
  std::vector<fs::path> files = XmlFilesIn(SPEGLA_SOURCE_DIR "/workflows");
  ASSERT_FALSE(files.empty());
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    LoadResult result = LoadWorkflowFromFile(file.string());
    ExpectLoads(result);
    if (result.definition) {
      EXPECT_FALSE(result.definition->phases.empty());
    }
  }
}

TEST(WorkflowLoaderTest, EngineTestWorkflowLoadsWithoutProblems) {
  LoadResult result = LoadWorkflowFromFile(SPEGLA_SOURCE_DIR "/tests/fixtures/loader/test-flow.xml");
  ExpectLoads(result);
  ASSERT_NE(result.definition, nullptr);
  const WorkflowDefinition& def = *result.definition;
  EXPECT_EQ(def.id, "test-flow");
  ASSERT_NE(def.FindStep("besok"), nullptr);
  EXPECT_TRUE(def.FindStep("besok")->reopenable);
  EXPECT_FALSE(def.FindStep("granskning")->reopenable);
  ASSERT_TRUE(def.FindStep("uppfoljning")->due.has_value());
  EXPECT_EQ(def.FindStep("uppfoljning")->due->anchor, DueRule::Anchor::kField);
  EXPECT_EQ(def.FindStep("uppfoljning")->due->target, "ansokan.uppfoljning_datum");
  EXPECT_EQ(def.FindStep("besok")->due->anchor, DueRule::Anchor::kPhaseStart);
  EXPECT_EQ(def.FindStep("besok")->due->target, "observation");
  EXPECT_EQ(def.FindStep("besok")->repeat->every, Duration(0, 0, 1, 0));
}

TEST(WorkflowLoaderTest, Ku8DefinitionHasTheDocumentedStructure) {
  LoadResult result = LoadWorkflowFromFile(SPEGLA_SOURCE_DIR "/workflows/ku8-larande-besok.xml");
  ExpectLoads(result);
  ASSERT_NE(result.definition, nullptr);
  const WorkflowDefinition& def = *result.definition;
  EXPECT_EQ(def.id, "ku8-larande-besok");
  const Step* observation = def.FindStep("observation");
  ASSERT_NE(observation, nullptr);
  ASSERT_TRUE(observation->repeat.has_value());
  EXPECT_EQ(observation->repeat->max, 4);
  EXPECT_EQ(def.RepeatingStepOf("observation"), observation);
  const Form* form = def.FindForm("observation");
  ASSERT_NE(form, nullptr);
  EXPECT_EQ(form->RightsFor("rektor", *form->FindField("datum")), Rights::kView);
  EXPECT_EQ(form->RightsFor("rektor", *form->FindField("anteckningar")), Rights::kHidden);
  EXPECT_EQ(form->RightsFor("observator", *form->FindField("anteckningar")), Rights::kEdit);
  const Phase* aterkoppling = def.FindPhase("aterkoppling");
  ASSERT_NE(aterkoppling, nullptr);
  EXPECT_EQ(aterkoppling->flow, PhaseFlow::kParallel);
  ASSERT_EQ(def.budgets.size(), 1u);
  EXPECT_EQ(def.budgets[0].max, 10);
}

TEST(WorkflowLoaderTest, XsdFixturesAgreeWithTheLoader) {
  std::vector<fs::path> files = XmlFilesIn(SPEGLA_SOURCE_DIR "/tests/fixtures/xsd");
  ASSERT_GE(files.size(), 10u);
  bool saw_valid = false;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    LoadResult result = LoadWorkflowFromFile(file.string());
    if (file.filename() == "minimal-valid.xml") {
      saw_valid = true;
      ExpectLoads(result);
    } else {
      EXPECT_FALSE(result.problems.empty()) << "the schema rejects this file, so the loader must too";
      for (const Problem& p : result.problems) {
        EXPECT_GT(p.where.line, 0) << p.Format();
        EXPECT_GT(p.where.column, 0) << p.Format();
      }
    }
  }
  EXPECT_TRUE(saw_valid);
}

}  // namespace
}  // namespace spegla

namespace spegla {
namespace {

TEST(WorkflowLoaderHostileInputTest, InvalidUtf8IsRefusedAtTheFirstBadByte) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<workflow xmlns=\"urn:spegla:workflow:1\" id=\"t\" version=\"1\">\n"
      "  <title>Tr\xE5sig</title>\n"
      "</workflow>\n";
  LoadResult result = LoadWorkflowFromText(xml, "trasig.xml");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].Format(),
            "trasig.xml:3:12: the file is not valid UTF-8 (byte 0xE5); save it as UTF-8, which is what Spegla "
            "reads");
  EXPECT_EQ(result.definition, nullptr);
}

TEST(WorkflowLoaderHostileInputTest, DeeplyNestedXmlIsReportedWithoutExhaustingTheStack) {
  const int depth = 200000;
  std::string xml = "<workflow xmlns=\"urn:spegla:workflow:1\" id=\"t\" version=\"1\"><title>T</title>";
  for (int i = 0; i < depth; ++i) xml += "<a>";
  for (int i = 0; i < depth; ++i) xml += "</a>";
  xml += "</workflow>";
  LoadResult result = LoadWorkflowFromText(xml, "djup.xml");
  ASSERT_FALSE(result.ok());
  bool unknown_element = false;
  for (const Problem& p : result.problems) unknown_element |= p.message.rfind("unknown element <a>", 0) == 0;
  EXPECT_TRUE(unknown_element);
}

TEST(WorkflowLoaderHostileInputTest, OversizedFileIsRefusedUnread) {
  std::string xml(kMaxWorkflowBytes + 1, ' ');
  LoadResult result = LoadWorkflowFromText(xml, "stor.xml");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_NE(result.problems[0].message.find("larger than 4 MiB"), std::string::npos);
}

// ---- examples and who may assign ----------------------------------------------------------------

TEST(WorkflowLoaderTest, ExampleMustPassTheFieldsOwnRules) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor" assigned-by="samordnare"/>
    <role id="samordnare" label="Samordnare" assigned-by="rektor okand"/>
  </roles>
  <forms>
    <form id="f" label="F">
      <field id="termin" type="text" label="Termin" example="VT 2027">
        <pattern regex="(VT|HT) 20[0-9]{2}"/>
      </field>
      <field id="fel" type="text" label="Fel" example="våren 2027">
        <pattern regex="(VT|HT) 20[0-9]{2}" message="Skriv terminen som VT 2027."/>
      </field>
      <field id="antal" type="number" label="Antal" example="40"><range max="30"/></field>
      <field id="datum" type="date" label="Datum" example="2027-02-30"/>
      <field id="val" type="choice" label="Val" example="a"><option value="a" label="A"/></field>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="f"/>
    </phase>
  </phases>
)xml");
  ExpectProblems(result, {{5, 59, "undefined role 'okand'"},
                          {12, 56, "example 'våren 2027' is not a valid value: Skriv terminen som VT 2027."},
                          {15, 62, "example '40' is not a valid value"},
                          {16, 60, "example '2027-02-30' is not a valid value"},
                          {17, 49, "'example' applies only to text, longtext, number and date fields"}});
}

TEST(WorkflowLoaderTest, ExampleAndAssignedByAreKept) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="rektor" label="Rektor"/>
    <role id="utvecklare" label="Verksamhetsutvecklare" assigned-by="rektor"/>
  </roles>
  <forms>
    <form id="f" label="F">
      <field id="termin" type="text" label="Termin" example="VT 2027"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="rektor" forms="f"/>
    </phase>
  </phases>
)xml");
  ExpectLoads(result);
  ASSERT_NE(result.definition, nullptr);
  EXPECT_EQ(result.definition->FindRole("utvecklare")->assigned_by, std::vector<std::string>{"rektor"});
  EXPECT_EQ(result.definition->FindForm("f")->FindField("termin")->example, "VT 2027");
}

TEST(WorkflowLoaderTest, BudgetPerMustNameAColumnAndReadOnlyItsGroup) {
  LoadResult result = Load(R"xml(  <roles>
    <role id="observator" label="Observatör"/>
  </roles>
  <forms>
    <form id="tid" label="Tid">
      <field id="rader" type="group" label="Rader">
        <column id="vem" type="person" role="observator" label="Vem"/>
        <column id="dagar" type="number" label="Dagar"/>
      </field>
      <field id="extra" type="number" label="Extra"/>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="klart" label="Klart" performers="observator" forms="tid"/>
    </phase>
  </phases>
  <budgets>
    <budget id="a" label="A" max="10" per="tid.rader.dagar">sum(tid.rader.dagar)</budget>
    <budget id="b" label="B" max="10" per="tid.rader">sum(tid.rader.dagar)</budget>
    <budget id="c" label="C" max="10" per="tid.rader.vem">sum(tid.rader.dagar) + tid.extra</budget>
    <budget id="d" label="D" max="10" per="tid.rader.vem">sum(tid.rader.dagar)</budget>
  </budgets>
)xml");
  ExpectProblems(result, {{21, 44, "'per' must name a person, text or choice column, got a number"},
                          {22, 44, "'per' must name a column of a group as form.group.column"},
                          {23, 5, "may read only columns of 'tid.rader', not 'tid.extra'"}});
}

}  // namespace
}  // namespace spegla
