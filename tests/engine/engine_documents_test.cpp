// Documents of instances: templates stored when a definition is installed, documents rendered and stored
// when their step completes, versioned, readable only by roles that may see all of their data.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../plugins/docx/docx_test_support.h"
#include "engine_test_support.h"
#include "spegla/builtin_plugins.h"
#include "spegla/plugin_host.h"
#include "../support/test_database.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kWorkflow = R"xml(<workflow xmlns="urn:spegla:workflow:1" id="plan-test" version="1">
  <title>Plantest</title>
  <roles>
    <role id="larare" label="Lärare" min="1"/>
    <role id="rektor" label="Rektor" max="1"/>
  </roles>
  <forms>
    <form id="plan" label="Plan">
      <access role="larare" rights="edit"/>
      <access role="rektor" rights="view"/>
      <field id="mal" type="longtext" label="Mål"><required/></field>
      <field id="klar" type="yesno" label="Klar"/>
      <field id="niva" type="choice" label="Nivå">
        <option value="hog" label="Hög ambition"/>
        <option value="lag" label="Låg ambition"/>
      </field>
      <field id="atgarder" type="group" label="Åtgärder">
        <column id="vad" type="text" label="Vad"/>
        <column id="vem" type="person" role="larare" label="Vem"/>
        <column id="timmar" type="number" label="Timmar"/>
      </field>
    </form>
    <form id="anteckningar" label="Anteckningar">
      <access role="larare" rights="edit"/>
      <access role="rektor" rights="view"/>
      <field id="sammanfattning" type="longtext" label="Sammanfattning"/>
      <field id="om_elever" type="longtext" label="Om elever">
        <access role="rektor" rights="hidden"/>
      </field>
    </form>
    <form id="egna" label="Egna anteckningar">
      <access role="larare" rights="edit"/>
      <field id="text" type="longtext" label="Text"/>
    </form>
  </forms>
  <phases>
    <phase id="arbete" label="Arbete">
      <step id="plan" label="Skriv planen" performers="larare" forms="plan anteckningar egna">
        <reopen/>
      </step>
      <step id="klart" label="Klart" performers="larare"/>
    </phase>
  </phases>
  <documents>
    <document id="plan" label="Plan" plugin="docx" template="plan/plan.docx" forms="plan"
              on="step-complete:plan"/>
    <document id="allt" label="Allt" plugin="docx" template="plan/allt.docx" forms="plan anteckningar"
              on="manual"/>
    <document id="egna" label="Egna" plugin="docx" template="plan/egna.docx" forms="egna" on="manual"/>
  </documents>
</workflow>
)xml";

class DocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(AddBuiltinPlugins(plugins_).empty());
    std::filesystem::create_directories(dir_.path() / "workflows");
    std::filesystem::create_directories(dir_.path() / "templates" / "plan");
    WriteTemplates("Plan för {enhet}");
    WriteFile(dir_.File("workflows/plan-test.xml"), kWorkflow);
    engine_ = Engine::Open(TestDatabase(dir_.File("db.sqlite")), clock_);
    engine_->SetPlugins(&plugins_);
    InstallOutcome installed =
        engine_->InstallDefinitionFile(Actor::Operator(), dir_.File("workflows/plan-test.xml"));
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();
    auto m = Must(engine_->CreateMunicipality(Actor::Operator(), "Alingsås kommun"));
    auto unit = Must(engine_->CreateUnit(Actor::Operator(), m, "Nolhagaskolan", "skola"));
    for (auto [name, full] : {std::pair{"lena", "Lena Lärare"}, {"rut", "Rut Rektor"}}) {
      User u;
      u.username = name;
      u.display_name = full;
      u.municipality_id = m;
      u.global_role = "personal";
      Must(engine_->CreateUser(Actor::Operator(), u));
    }
    id_ = Must(engine_->CreateInstance(Actor::Operator(), "plan-test", unit, "Plan 2026"));
    ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id_, "larare", "lena")));
    ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id_, "rektor", "rut")));
  }

  void WriteTemplates(const std::string& heading) {
    WriteFile(dir_.File("templates/plan/plan.docx"),
              MakeDocx(DocxParts{Para(heading) + Para("Mål: {plan.mal}") + Para("Klar: {plan.klar}") +
                                     Para("{#plan.klar_ja}Planen är klar.{/plan.klar_ja}") +
                                     Para("Nivå: {plan.niva}") +
                                     Para("{#plan.atgarder}{vad} – {vem} – {timmar} h; {/plan.atgarder}") +
                                     Para("Lärare: {larare}. Version {version}, {dokument}, {kommun}."),
                                 Para("{process} · {titel}")}));
    WriteFile(dir_.File("templates/plan/allt.docx"),
              MakeDocx(Para("{plan.mal} / {anteckningar.sammanfattning} / {anteckningar.om_elever}.")));
    WriteFile(dir_.File("templates/plan/egna.docx"), MakeDocx(Para("{egna.text}")));
  }

  void Fill() {
    ASSERT_TRUE(Succeeds(engine_->SetFields(
        U("lena"), id_, "plan", 0,
        {{"mal", Text("Fler elever & <alla> resonerar")},
         {"klar", Yes(true)},
         {"niva", Text("hog")},
         {"atgarder",
          Value{std::vector<Row>{
              {{"vad", Text("Samtalsmallar")}, {"vem", Text("lena")}, {"timmar", Num(3.5)}}}}}})));
    ASSERT_TRUE(Succeeds(engine_->SetFields(
        U("lena"), id_, "anteckningar", 0,
        {{"sammanfattning", Text("Gruppen arbetar bra")}, {"om_elever", Text("Elev A behöver stöd")}})));
    ASSERT_TRUE(Succeeds(engine_->SetFields(U("lena"), id_, "egna", 0, {{"text", Text("Mina tankar")}})));
  }

  ManualClock clock_{At("2026-09-01")};
  ScratchDir dir_{"spegla-documents"};
  PluginHost plugins_;
  std::unique_ptr<Engine> engine_;
  std::int64_t id_ = 0;
};

TEST_F(DocumentsTest, CompletingTheStepStoresTheDocumentFilledWithReadableValues) {
  Fill();
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lena"), id_, "plan")));
  std::vector<DocumentInfo> docs = Must(engine_->Documents(U("lena"), id_));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].document_id, "plan");
  EXPECT_EQ(docs[0].version, 1);
  EXPECT_EQ(docs[0].file_name, "plan-v1.docx");
  EXPECT_GT(docs[0].data_version, 0);
  EXPECT_EQ(docs[0].created_by, "lena");

  Document doc = Must(engine_->GetDocument(U("rut"), id_, "plan"));
  std::string text = BodyText(doc.bytes);
  EXPECT_THAT(text, HasSubstr("Plan för Nolhagaskolan"));
  EXPECT_THAT(text, HasSubstr("Mål: Fler elever & <alla> resonerar"));
  EXPECT_THAT(text, HasSubstr("Klar: Ja"));
  EXPECT_THAT(text, HasSubstr("Planen är klar."));
  EXPECT_THAT(text, HasSubstr("Nivå: Hög ambition"));                    // the option's label
  EXPECT_THAT(text, HasSubstr("Samtalsmallar – Lena Lärare – 3,5 h;"));  // a person's name, a decimal comma
  EXPECT_THAT(text, HasSubstr("Lärare: Lena Lärare. Version 1, Plan, Alingsås kommun."));
  EXPECT_THAT(EntryOf(doc.bytes, "word/header1.xml"), HasSubstr("Plantest · Plan 2026"));
  // Opened by a program we did not write.
  std::string file = dir_.File("plan-v1.docx");
  WriteFile(file, doc.bytes);
  std::map<std::string, std::vector<std::string>> parts = PythonDocxText(file);
  EXPECT_THAT(parts["/word/document.xml"], ::testing::Contains("Nivå: Hög ambition"));
  EXPECT_THAT(parts["/word/header1.xml"], ::testing::Contains("Plantest · Plan 2026"));
}

TEST_F(DocumentsTest, CompletingAgainStoresTheNextVersionAndKeepsTheFirst) {
  Fill();
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lena"), id_, "plan")));
  ASSERT_TRUE(Succeeds(engine_->Reopen(U("lena"), id_, "plan", "Målet ska skärpas")));
  ASSERT_TRUE(
      Succeeds(engine_->SetFields(U("lena"), id_, "plan", 0, {{"mal", Text("Alla elever resonerar")}})));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lena"), id_, "plan")));
  std::vector<DocumentInfo> docs = Must(engine_->Documents(U("lena"), id_));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_LT(docs[0].data_version, docs[1].data_version);
  EXPECT_THAT(BodyText(Must(engine_->GetDocument(U("lena"), id_, "plan", 1)).bytes),
              HasSubstr("Mål: Fler elever"));
  EXPECT_THAT(BodyText(Must(engine_->GetDocument(U("lena"), id_, "plan")).bytes),
              HasSubstr("Mål: Alla elever resonerar"));
  EXPECT_TRUE(Fails(engine_->GetDocument(U("lena"), id_, "plan", 3), ErrorCode::kNotFound, {"version 3"}));
}

TEST_F(DocumentsTest, ADocumentHoldsOnlyWhatAllReadersOfItsFormsMaySee) {
  Fill();
  ASSERT_TRUE(Succeeds(engine_->GenerateDocument(U("lena"), id_, "allt")));
  // The notes about pupils are hidden from the rektor, who reads the form: they stay out of the document,
  // for everyone, since a document is shared by all who may read its forms.
  std::string text = BodyText(Must(engine_->GetDocument(U("rut"), id_, "allt")).bytes);
  EXPECT_THAT(text, HasSubstr("Fler elever & <alla> resonerar / Gruppen arbetar bra / ."));
  EXPECT_THAT(BodyText(Must(engine_->GetDocument(U("lena"), id_, "allt")).bytes), Not(HasSubstr("Elev A")));
  // A form the rektor may not read at all keeps its document from her.
  ASSERT_TRUE(Succeeds(engine_->GenerateDocument(U("lena"), id_, "egna")));
  EXPECT_THAT(BodyText(Must(engine_->GetDocument(U("lena"), id_, "egna")).bytes), HasSubstr("Mina tankar"));
  EXPECT_TRUE(Fails(engine_->GetDocument(U("rut"), id_, "egna"), ErrorCode::kForbidden, {"Egna"}));
  EXPECT_TRUE(Fails(engine_->RenderDocument(U("rut"), id_, "egna"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->GenerateDocument(U("rut"), id_, "egna"), ErrorCode::kForbidden));
  std::vector<DocumentInfo> hers = Must(engine_->Documents(U("rut"), id_));
  ASSERT_EQ(hers.size(), 1u);
  EXPECT_EQ(hers[0].document_id, "allt");
  EXPECT_TRUE(Fails(engine_->GetDocument(U("nobody"), id_, "allt"), ErrorCode::kForbidden));
}

TEST_F(DocumentsTest, APreviewIsRenderedFromCurrentDataWithoutStoringIt) {
  Fill();
  Document preview = Must(engine_->RenderDocument(U("rut"), id_, "plan"));
  EXPECT_THAT(BodyText(preview.bytes), HasSubstr("Mål: Fler elever"));
  EXPECT_EQ(preview.info.version, 1);
  EXPECT_TRUE(Must(engine_->Documents(U("rut"), id_)).empty());
}

TEST_F(DocumentsTest, ATemplateEditedInWordReplacesTheStoredOneOnTheNextInstall) {
  WriteTemplates("Utvecklingsplan för {enhet}");
  InstallOutcome again =
      engine_->InstallDefinitionFile(Actor::Operator(), dir_.File("workflows/plan-test.xml"));
  ASSERT_TRUE(again.problems.empty());
  EXPECT_TRUE(again.already_installed);
  Fill();
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lena"), id_, "plan")));
  EXPECT_THAT(BodyText(Must(engine_->GetDocument(U("lena"), id_, "plan")).bytes),
              HasSubstr("Utvecklingsplan för Nolhagaskolan"));
  std::vector<AuditEntry> log = engine_->GlobalAuditLog();
  EXPECT_TRUE(
      std::any_of(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "template.update"; }));
}

TEST_F(DocumentsTest, ABrokenTemplateRefusesTheInstallationWithEveryProblem) {
  WriteFile(dir_.File("templates/plan/plan.docx"), MakeDocx(Para("{#plan.atgarder} {vad") + Para("{/fel}")));
  std::string xml = kWorkflow;
  xml.replace(xml.find("version=\"1\""), 11, "version=\"2\"");
  WriteFile(dir_.File("workflows/plan-test.xml"), xml);
  InstallOutcome outcome =
      engine_->InstallDefinitionFile(Actor::Operator(), dir_.File("workflows/plan-test.xml"));
  ASSERT_GE(outcome.problems.size(), 2u);
  EXPECT_THAT(outcome.problems[0].Format(), HasSubstr("plan-test.xml:"));
  EXPECT_THAT(outcome.problems[0].Format(), HasSubstr("template plan/plan.docx: word/document.xml"));
  EXPECT_EQ(Must(engine_->Definition("plan-test")).get()->version, 1);  // nothing was installed
}

}  // namespace
}  // namespace spegla::test
