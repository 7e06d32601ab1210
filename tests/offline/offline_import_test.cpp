// Importing filled-in form files (offline_import.h) into a real engine, in Word and in Excel: only what
// the person changed is written, with the same rights, validation and conflict rules as a save in the web
// form; files Spegla did not make, changed markers and files for another instance are refused; nothing
// is ever half-applied. The files are filled in by python-docx and openpyxl (tests/tools/fill_*_form.py).
#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "../engine/test_flow_fixture.h"
#include "../support/external_programs.h"
#include "offline_import.h"

namespace spegla::test {
namespace {

namespace json = boost::json;
using offline::FileKind;

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class OfflineImportTest : public TestFlowFixture, public ::testing::WithParamInterface<FileKind> {
 protected:
  std::string Suffix() const { return GetParam() == FileKind::kDocx ? ".docx" : ".xlsx"; }

  // The form as `who` downloads it, saved in the scratch directory.
  std::filesystem::path Download(const std::string& who, const std::string& form, std::int64_t instance = 0) {
    Result<offline::OfflineFile> file =
        offline::MakeOfflineForm(*engine_, U(who), instance ? instance : id_, form, 0, GetParam());
    EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().Summary());
    if (!file.ok()) return {};
    const std::filesystem::path path = dir_.path() / (who + "-" + form + "-" + std::to_string(++files_) + Suffix());
    std::ofstream(path, std::ios::binary) << file.value().bytes;
    return path;
  }

  // The file filled in as a person would (tests/tools/fill_*_form.py): field id -> what they type.
  std::filesystem::path Fill(const std::filesystem::path& blank, const json::object& answers) {
    const std::filesystem::path filled = dir_.path() / (blank.stem().string() + "-filled" + Suffix());
    const std::filesystem::path answers_file = dir_.path() / (blank.stem().string() + ".json");
    std::ofstream(answers_file) << json::serialize(answers);
    const std::string filler = GetParam() == FileKind::kDocx ? "/fill_docx_form.py" : "/fill_xlsx_form.py";
    std::string output;
    EXPECT_EQ(RunCommand(std::string(kPython) + " " + ShellQuoted(std::string(kTestTools) + filler) + " " +
                             ShellQuoted(blank.string()) + " " + ShellQuoted(filled.string()) + " " +
                             ShellQuoted(answers_file.string()) + " 2>&1",
                         output),
              0)
        << output;
    return filled;
  }

  Result<offline::ImportOutcome> Import(const std::string& who, const std::filesystem::path& file,
                                        offline::ImportTarget target = {}) {
    return offline::ImportOfflineForm(*engine_, U(who), ReadBytes(file), target);
  }

  FieldView Field(const std::string& form, const std::string& field, const std::string& viewer = "lars") {
    FormView view = Must(engine_->GetForm(U(viewer), id_, form));
    const FieldView* f = FindField(view, field);
    EXPECT_NE(f, nullptr) << field;
    return f ? *f : FieldView{};
  }

  int files_ = 0;
};

TEST_P(OfflineImportTest, WritesWhatThePersonChangedAndNothingElse) {
  ASSERT_TRUE(Succeeds(Set("lena", "ansokan", {{"epost", Text("lena@skolan.se")}})));
  const auto blank = Download("lars", "ansokan");
  const auto filled = Fill(blank, {{"beskrivning", "Vi vill utveckla läsningen i åk 4–6.\nFörst <&> sedan."},
                                   {"antal", "24,5"},
                                   {"vag", "Snabb"},
                                   {"informerat", "Nej"},
                                   {"nar_informeras", "På föräldramötet"},
                                   {"uppfoljning_datum", "2026-05-04"},
                                   {"kontakt", "lena"}});
  Result<offline::ImportOutcome> done = Import("lars", filled);
  ASSERT_TRUE(done.ok()) << done.error().Summary();
  std::vector<std::string> changed = done.value().changed;
  std::sort(changed.begin(), changed.end());
  EXPECT_EQ(changed, (std::vector<std::string>{"antal", "beskrivning", "informerat", "kontakt", "nar_informeras",
                                               "uppfoljning_datum", "vag"}));
  EXPECT_EQ(Field("ansokan", "beskrivning").value, Text("Vi vill utveckla läsningen i åk 4–6.\nFörst <&> sedan."));
  EXPECT_EQ(Field("ansokan", "antal").value, Num(24.5));
  EXPECT_EQ(Field("ansokan", "vag").value, Text("snabb"));
  EXPECT_EQ(Field("ansokan", "informerat").value, Yes(false));
  EXPECT_EQ(Field("ansokan", "uppfoljning_datum").value, Value{*Date::Parse("2026-05-04")});
  EXPECT_EQ(Field("ansokan", "kontakt").value, Text("lena"));
  EXPECT_EQ(Field("ansokan", "antal").author, "lars");
  // A field the file left as it was keeps its value, version and author.
  EXPECT_EQ(Field("ansokan", "epost").value, Text("lena@skolan.se"));
  EXPECT_EQ(Field("ansokan", "epost").author, "lena");

  // The same file again changes nothing: its answers are what is stored now.
  const size_t audit = AuditSize();
  Result<offline::ImportOutcome> again = Import("lars", filled);
  ASSERT_TRUE(again.ok()) << again.error().Summary();
  EXPECT_TRUE(again.value().changed.empty());
  EXPECT_EQ(AuditSize(), audit);
}

TEST_P(OfflineImportTest, AnUntouchedFileWritesNothing) {
  FillApplication();
  const size_t audit = AuditSize();
  Result<offline::ImportOutcome> done = Import("lars", Download("lars", "ansokan"));
  ASSERT_TRUE(done.ok()) << done.error().Summary();
  EXPECT_TRUE(done.value().changed.empty());
  EXPECT_TRUE(done.value().missing.empty());
  EXPECT_EQ(AuditSize(), audit);
}

TEST_P(OfflineImportTest, AFieldChangedSinceTheDownloadIsAConflictAndNothingIsWritten) {
  FillApplication();
  const auto blank = Download("lars", "ansokan");
  ASSERT_TRUE(Succeeds(Set("lena", "ansokan", {{"antal", Num(10)}, {"epost", Text("lena@skolan.se")}})));
  const size_t audit = AuditSize();
  // antal changed on both sides: a conflict. epost changed only on the server: the file's old value is
  // not the person's change and is not written back.
  Result<offline::ImportOutcome> done = Import("lars", Fill(blank, {{"antal", "20"}, {"vag", "Snabb"}}));
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kConflict);
  ASSERT_EQ(done.error().issues.size(), 1u) << done.error().Summary();
  EXPECT_EQ(done.error().issues[0].field, "ansokan.antal");
  EXPECT_NE(done.error().issues[0].message.find("lena"), std::string::npos) << done.error().issues[0].message;
  EXPECT_NE(done.error().issues[0].message.find("«10»"), std::string::npos) << done.error().issues[0].message;
  EXPECT_EQ(AuditSize(), audit);
  EXPECT_EQ(Field("ansokan", "vag").value, Text("grundlig"));  // not half-applied
  EXPECT_EQ(Field("ansokan", "antal").value, Num(10));

  // Without the conflicting answer, the rest goes in and the server's epost stays.
  Result<offline::ImportOutcome> second = Import("lars", Fill(blank, {{"vag", "Snabb"}}));
  ASSERT_TRUE(second.ok()) << second.error().Summary();
  EXPECT_EQ(second.value().changed, std::vector<std::string>{"vag"});
  EXPECT_EQ(Field("ansokan", "epost").value, Text("lena@skolan.se"));
}

TEST_P(OfflineImportTest, ALongTextEditedOnBothSidesIsMergedWhenTheEditsDoNotOverlap) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"beskrivning", Text("Vi vill utveckla läsningen.\nOch skrivandet.")}})));
  const auto blank = Download("lars", "ansokan");
  ASSERT_TRUE(Succeeds(
      Set("lena", "ansokan", {{"beskrivning", Text("Vi vill utveckla läsningen.\nOch skrivandet i alla ämnen.")}})));
  Result<offline::ImportOutcome> done =
      Import("lars", Fill(blank, {{"beskrivning", "Vi vill gärna utveckla läsningen.\nOch skrivandet."}}));
  ASSERT_TRUE(done.ok()) << done.error().Summary();
  EXPECT_EQ(done.value().merged, std::vector<std::string>{"beskrivning"});
  EXPECT_EQ(Field("ansokan", "beskrivning").value,
            Text("Vi vill gärna utveckla läsningen.\nOch skrivandet i alla ämnen."));
}

TEST_P(OfflineImportTest, EveryWrongAnswerIsListedByItsFieldAndNothingIsWritten) {
  FillApplication();
  const size_t audit = AuditSize();
  Result<offline::ImportOutcome> done = Import(
      "lars", Fill(Download("lars", "ansokan"), {{"antal", "många"},
                                                  {"uppfoljning_datum", "nästa tisdag"},
                                                  {"vag", "Kanske"},
                                                  {"epost", "inte en adress"},
                                                  {"beskrivning", "Kort"}}));
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kInvalid);
  std::set<std::string> fields;
  for (const Issue& issue : done.error().issues) fields.insert(issue.field);
  EXPECT_EQ(fields, (std::set<std::string>{"ansokan.antal", "ansokan.uppfoljning_datum", "ansokan.vag",
                                           "ansokan.epost", "ansokan.beskrivning"}))
      << done.error().Summary();
  EXPECT_NE(done.error().Summary().find("«många»"), std::string::npos) << done.error().Summary();
  EXPECT_EQ(AuditSize(), audit);
}

TEST_P(OfflineImportTest, FieldsThePersonMayOnlyReadCannotBeChangedThroughTheFile) {
  FillApplication();
  // The rektor reads the application and writes only their own comment; a file where the locked
  // description was changed anyway (a person can unlock a control) is refused, naming the field.
  const auto blank = Download("rut", "ansokan");
  Result<offline::ImportOutcome> done =
      Import("rut", Fill(blank, {{"beskrivning", "Något helt annat som rektor skrev."},
                                 {"rektors_kommentar", "Bra!"}}));
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kForbidden);
  ASSERT_EQ(done.error().issues.size(), 1u) << done.error().Summary();
  EXPECT_EQ(done.error().issues[0].field, "ansokan.beskrivning");
  EXPECT_EQ(Field("ansokan", "rektors_kommentar").version, 0);

  Result<offline::ImportOutcome> own = Import("rut", Fill(blank, {{"rektors_kommentar", "Bra!"}}));
  ASSERT_TRUE(own.ok()) << own.error().Summary();
  EXPECT_EQ(Field("ansokan", "rektors_kommentar").value, Text("Bra!"));
  // A hidden field is not in the rektor's file at all.
  const std::string bytes = ReadBytes(blank);
  EXPECT_EQ(bytes.find("Intern anteckning"), std::string::npos);
}

TEST_P(OfflineImportTest, ATableOfRowsRoundTripsWithRowsAdded) {
  const auto blank = Download("olle", "tid");
  json::array rows{json::object{{"observator", "olle"}, {"dagar", "1,5"}},
                   json::object{{"observator", "ola"}, {"dagar", "2"}},
                   json::object{{"observator", "olle"}, {"dagar", "0,5"}}};
  Result<offline::ImportOutcome> done = Import("olle", Fill(blank, {{"rader", rows}}));
  ASSERT_TRUE(done.ok()) << done.error().Summary();
  FormView tid = Must(engine_->GetForm(U("olle"), id_, "tid"));
  const auto* stored = std::get_if<std::vector<Row>>(&FindField(tid, "rader")->value.data);
  ASSERT_NE(stored, nullptr);
  ASSERT_EQ(stored->size(), 3u);
  EXPECT_EQ(stored->at(0).at("observator"), Text("olle"));
  EXPECT_EQ(stored->at(0).at("dagar"), Num(1.5));
  EXPECT_EQ(stored->at(1).at("observator"), Text("ola"));
  EXPECT_EQ(stored->at(2).at("dagar"), Num(0.5));

  // A row naming someone who is not an observer is refused for that row.
  Result<offline::ImportOutcome> wrong = Import(
      "olle", Fill(Download("olle", "tid"),
                   {{"rader", json::array{json::object{{"observator", "lars"}, {"dagar", "1"}}}}}));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().Summary().find("tid.rader"), std::string::npos) << wrong.error().Summary();
}

TEST_P(OfflineImportTest, AChangedMarkerIsRefused) {
  const auto filled = Fill(Download("lars", "ansokan"), {{"antal", "12"}});
  const std::filesystem::path tampered = dir_.path() / ("tampered" + Suffix());
  std::string output;
  ASSERT_EQ(RunCommand(std::string(kPython) + " " + ShellQuoted(std::string(kTestTools) + "/tamper_form_marker.py") +
                           " " + ShellQuoted(filled.string()) + " " + ShellQuoted(tampered.string()) + " 2>&1",
                       output),
            0)
      << output;
  const size_t audit = AuditSize();
  Result<offline::ImportOutcome> done = Import("lars", tampered);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(done.error().issues[0].field, "file");
  EXPECT_NE(done.error().issues[0].message.find("märkning"), std::string::npos) << done.error().Summary();
  EXPECT_EQ(AuditSize(), audit);
}

TEST_P(OfflineImportTest, AFileForAnotherInstanceOrFormIsRefused) {
  const std::int64_t other = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Ett annat"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), other, "larare", "lars")));
  const auto filled = Fill(Download("lars", "ansokan"), {{"antal", "12"}});
  Result<offline::ImportOutcome> done = Import("lars", filled, {other, std::nullopt, std::nullopt});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().issues[0].field, "file");
  EXPECT_NE(done.error().issues[0].message.find("ärende nr " + std::to_string(id_)), std::string::npos)
      << done.error().Summary();
  Result<offline::ImportOutcome> form = Import("lars", filled, {id_, std::string("plan"), 0});
  ASSERT_FALSE(form.ok());
  EXPECT_NE(form.error().Summary().find("«ansokan»"), std::string::npos) << form.error().Summary();
  EXPECT_EQ(Field("ansokan", "antal").version, 0);
}

TEST_P(OfflineImportTest, AFileFromAnotherSpeglaIsRefused) {
  // Another installation with the same workflow and an instance with the same number.
  ScratchDir other_dir("spegla-offline-other");
  std::unique_ptr<Engine> other = Engine::Open((other_dir.path() / "other.db").string(), clock_);
  const std::int64_t municipality = Must(other->CreateMunicipality(Actor::Operator(), "Testkommun"));
  const std::int64_t unit = Must(other->CreateUnit(Actor::Operator(), municipality, "Byskolan", "skola"));
  User lars;
  lars.username = "lars";
  lars.display_name = "Person lars";
  lars.global_role = "personal";
  Must(other->CreateUser(Actor::Operator(), lars));
  ASSERT_TRUE(other->InstallDefinitionFile(Actor::Operator(), kFlowFile).problems.empty());
  const std::int64_t id = Must(other->CreateInstance(Actor::Operator(), "test-flow", unit, "Formulärtest"));
  ASSERT_EQ(id, id_);
  ASSERT_TRUE(Succeeds(other->AssignParticipant(Actor::Operator(), id, "larare", "lars")));
  Result<offline::OfflineFile> file = offline::MakeOfflineForm(*other, U("lars"), id, "ansokan", 0, GetParam());
  ASSERT_TRUE(file.ok());
  const std::filesystem::path path = dir_.path() / ("foreign" + Suffix());
  std::ofstream(path, std::ios::binary) << file.value().bytes;
  Result<offline::ImportOutcome> done = Import("lars", Fill(path, {{"antal", "12"}}));
  ASSERT_FALSE(done.ok());
  EXPECT_NE(done.error().Summary().find("annan Spegla-installation"), std::string::npos) << done.error().Summary();
}

TEST_P(OfflineImportTest, ALockedFormTakesNoAnswers) {
  FillApplication();
  const auto filled = Fill(Download("lars", "ansokan"), {{"antal", "12"}});
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
  Result<offline::ImportOutcome> done = Import("lars", filled);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(Field("ansokan", "antal").value, Num(24));
}

INSTANTIATE_TEST_SUITE_P(Formats, OfflineImportTest, ::testing::Values(FileKind::kDocx, FileKind::kXlsx),
                         [](const ::testing::TestParamInfo<FileKind>& param) {
                           return param.param == FileKind::kDocx ? "Word" : "Excel";
                         });

// Files Spegla did not make are refused before anything else is looked at.
TEST(OfflineImportFiles, FilesSpeglaDidNotMakeAreRefused) {
  ManualClock clock(At("2026-03-02"));
  ScratchDir dir("spegla-offline-foreign");
  std::unique_ptr<Engine> engine = Engine::Open((dir.path() / "spegla.db").string(), clock);
  const std::string letter = ReadBytes(SPEGLA_SOURCE_DIR "/tests/fixtures/docx/letter.docx");
  ASSERT_FALSE(letter.empty());
  for (const auto& [what, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"a Word letter", letter}, {"text", "hej"}, {"nothing", ""}, {"half a file", letter.substr(0, 500)}}) {
    Result<offline::ImportOutcome> done = offline::ImportOfflineForm(*engine, U("lars"), bytes);
    ASSERT_FALSE(done.ok()) << what;
    EXPECT_EQ(done.error().issues[0].field, "file") << what;
    EXPECT_NE(done.error().issues[0].message.find("Filen är inte"), std::string::npos)
        << what << ": " << done.error().Summary();
  }
}

}  // namespace
}  // namespace spegla::test
