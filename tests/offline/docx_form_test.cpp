// Fillable Word forms (plugins/offline_form/docx_form_*.cpp): every form of the shipped workflows written
// with values and read back to the same values; the file opened by python-docx and LibreOffice, filled in
// through its controls as a person would (tests/tools/fill_docx_form.py) and read back; files that are not
// Spegla forms, or are hostile, refused with a clear message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "../engine/engine_test_support.h"
#include "../plugins/docx/docx_test_support.h"
#include "../support/external_programs.h"
#include "offline_answers.h"
#include "offline_form.h"
#include "offline_form_samples.h"
#include "spegla/workflow_loader.h"
#include "zip_writer.h"

namespace spegla::offline {
namespace {

using samples::FieldsOf;
using samples::kPeople;
using samples::Sample;

using ::spegla::test::ConvertWithLibreOffice;
using ::spegla::test::EntryOf;
using ::spegla::test::kPython;
using ::spegla::test::kTestTools;
using ::spegla::test::ReadFile;
using ::spegla::test::RunCommand;
using ::spegla::test::ScratchDir;
using ::spegla::test::ShellQuoted;
using ::spegla::test::WriteFile;
using ::testing::HasSubstr;


// A marker longer than the 255 characters Word keeps of a text property.
std::string LongMarker() {
  std::string marker = "v1.";
  for (int i = 0; i < 40; ++i) marker += "abcdefghij";
  return marker + ".sig";
}


OfflineForm MakeForm(const Form& form, bool with_values, const std::string& marker) {
  OfflineForm offline;
  offline.form = &form;
  offline.title = form.label;
  offline.about = {"Process: Lärande besök", "Ärende: Skola <A> & B", "Datum: 2026-03-01"};
  offline.marker = marker;
  int k = 0;
  for (const Field& field : form.fields) {
    OfflineField f;
    f.field = &field;
    f.value = with_values ? Sample(field, k) : Value{};
    f.editable = k % 5 != 4;
    if (field.visible_if) f.condition = "«" + field.visible_if->source() + "» gäller";
    f.people = kPeople;
    offline.fields.push_back(std::move(f));
    ++k;
  }
  return offline;
}


// Reads `bytes` back and checks that every field has `form`'s value again.
void ExpectReadsBack(const std::string& bytes, const OfflineForm& form, const std::string& what) {
  std::string marker, error;
  ASSERT_TRUE(ReadDocxMarker(bytes, &marker, &error)) << what << ": " << error;
  EXPECT_EQ(marker, form.marker) << what;
  FilledFile filled;
  ASSERT_TRUE(ReadDocxAnswers(bytes, FieldsOf(form), &filled, &error)) << what << ": " << error;
  EXPECT_EQ(filled.kind, FileKind::kDocx);
  EXPECT_EQ(filled.marker, form.marker);
  for (const OfflineField& f : form.fields) {
    const auto answer = filled.answers.find(f.field->id);
    ASSERT_NE(answer, filled.answers.end()) << what << ": no answer for " << f.field->id;
    std::string problem;
    const std::optional<Value> value = AnswerValue(*f.field, answer->second, &problem);
    ASSERT_TRUE(value.has_value()) << what << ": " << f.field->id << ": " << problem;
    EXPECT_TRUE(*value == f.value) << what << ": " << f.field->id << " (" << ToString(f.field->type)
                                   << ") reads back as " << EncodeValue(*value) << ", not "
                                   << EncodeValue(f.value);
  }
}

std::vector<DefinitionPtr> ShippedWorkflows() {
  std::vector<DefinitionPtr> definitions;
  for (const auto& entry : std::filesystem::directory_iterator(SPEGLA_SOURCE_DIR "/workflows")) {
    if (entry.path().extension() != ".xml") continue;
    LoadResult loaded = LoadWorkflowFromFile(entry.path().string());
    EXPECT_TRUE(loaded.ok()) << entry.path();
    if (loaded.ok()) definitions.push_back(loaded.definition);
  }
  return definitions;
}

// A form with a field of every type, and a group with a column of every scalar type.
Form EveryType() {
  Form form;
  form.id = "allt";
  form.label = "Utvärdering <alla typer> & mer";
  auto add = [&](std::string id, FieldType type, std::string label) -> Field& {
    Field field;
    field.id = std::move(id);
    field.type = type;
    field.label = std::move(label);
    form.fields.push_back(std::move(field));
    return form.fields.back();
  };
  add("namn", FieldType::kText, "Namn på \"enheten\"").help = "Skriv enhetens namn <som i registret>.";
  add("beskrivning", FieldType::kLongText, "Beskrivning");
  add("antal", FieldType::kNumber, "Antal pedagoger");
  add("datum", FieldType::kDate, "Datum för besöket");
  add("klart", FieldType::kYesNo, "Är planen klar?");
  add("termin", FieldType::kChoice, "Termin").options = {{"vt", "Vårtermin"}, {"ht", "Hösttermin"}};
  add("omraden", FieldType::kMultiChoice, "Områden").options = {
      {"larande", "Lärande & undervisning"}, {"miljo", "Miljö"}, {"ledning", "Ledning, styrning"}};
  add("ansvarig", FieldType::kPerson, "Ansvarig");
  Field& group = add("schema", FieldType::kGroup, "Schema");
  auto column = [&](std::string id, FieldType type, std::string label) -> Field& {
    Field c;
    c.id = std::move(id);
    c.type = type;
    c.label = std::move(label);
    group.columns.push_back(std::move(c));
    return group.columns.back();
  };
  column("tid", FieldType::kText, "Tid");
  column("dag", FieldType::kDate, "Dag");
  column("timmar", FieldType::kNumber, "Timmar");
  column("typ", FieldType::kChoice, "Typ").options = {{"obs", "Observation"}, {"samtal", "Samtal"}};
  column("teman", FieldType::kMultiChoice, "Teman").options = {{"a", "Tema A"}, {"b", "Tema B"}};
  column("vem", FieldType::kPerson, "Vem");
  column("ok", FieldType::kYesNo, "Klar");
  column("not", FieldType::kLongText, "Anteckning");
  return form;
}

std::string ReplaceEntry(const std::string& zip_bytes, std::string_view name, std::string_view content) {
  std::string error;
  const auto zip = docx::ZipArchive::Open(zip_bytes, docx::ZipLimits{}, error);
  EXPECT_TRUE(zip) << error;
  if (!zip) return {};
  docx::ZipWriter writer(zip_bytes.size() + content.size());
  for (const docx::ZipEntry& entry : zip->entries()) {
    if (entry.name == name) {
      writer.AddDeflated(entry, content);
    } else {
      writer.AddCopy(entry);
    }
  }
  return writer.Finish();
}

TEST(DocxFormTest, EveryFormOfTheShippedWorkflowsReadsBackItsValues) {
  const std::vector<DefinitionPtr> definitions = ShippedWorkflows();
  ASSERT_EQ(definitions.size(), 5u);
  int forms = 0;
  for (const DefinitionPtr& definition : definitions) {
    for (const Form& form : definition->forms) {
      const std::string what = definition->id + "/" + form.id;
      const OfflineForm filled = MakeForm(form, true, LongMarker());
      ExpectReadsBack(WriteDocxForm(filled), filled, what);
      const OfflineForm empty = MakeForm(form, false, "kort-märke");
      ExpectReadsBack(WriteDocxForm(empty), empty, what + " (empty)");
      ++forms;
    }
  }
  EXPECT_GT(forms, 10);
}

TEST(DocxFormTest, EveryTypeReadsBackItsValuesAndShowsThemAsTheAnswersDo) {
  const Form form = EveryType();
  const OfflineForm offline = MakeForm(form, true, "märke-1");
  const std::string bytes = WriteDocxForm(offline);
  ExpectReadsBack(bytes, offline, "every type");
  const std::string document = EntryOf(bytes, "word/document.xml");
  // The shown texts are DisplayText's, escaped.
  EXPECT_THAT(document, HasSubstr(">Hösttermin<"));
  EXPECT_THAT(document, HasSubstr(">Bo Åkesson (bo)<"));
  EXPECT_THAT(document, HasSubstr("Svar på namn – åäö &lt;&amp;&gt;"));
  EXPECT_THAT(document, HasSubstr("w:fullDate=\"2026-03-04T00:00:00Z\""));
  EXPECT_THAT(document, HasSubstr("<w:tag w:val=\"spegla:omraden:miljo\"/>"));
  EXPECT_THAT(document, HasSubstr("<w:tag w:val=\"spegla:schema.teman\"/>"));
  EXPECT_THAT(document, HasSubstr("<w15:repeatingSection/>"));
  EXPECT_THAT(document, HasSubstr("<w:lock w:val=\"sdtContentLocked\"/>"));  // the fifth field
  EXPECT_THAT(document, HasSubstr("(kan inte ändras av dig)"));
  EXPECT_THAT(document, HasSubstr("Skriv enhetens namn &lt;som i registret&gt;."));
  EXPECT_THAT(EntryOf(bytes, "docProps/custom.xml"), HasSubstr("name=\"SpeglaFormMarker\""));

  // Empty: placeholders, and nothing read back but empty answers.
  const OfflineForm empty = MakeForm(form, false, "märke-2");
  const std::string empty_bytes = WriteDocxForm(empty);
  const std::string empty_document = EntryOf(empty_bytes, "word/document.xml");
  EXPECT_THAT(empty_document, HasSubstr("Klicka eller tryck här för att skriva."));
  EXPECT_THAT(empty_document, HasSubstr("Välj ett objekt."));
  EXPECT_THAT(empty_document, HasSubstr("Ange ett datum."));
  EXPECT_THAT(empty_document, HasSubstr("<w:showingPlcHdr/>"));
  ExpectReadsBack(empty_bytes, empty, "every type, empty");
}

TEST(DocxFormTest, TextsXmlCannotHoldAreLeftOutAndTheRestEscaped) {
  Form form = EveryType();
  form.fields[0].label = std::string("Etikett <b>&amp;\"'\x01\x1f") + "\xff\xfe" + " slut";
  form.fields[0].help = "Hjälp\x0b med \x07kontrolltecken";
  OfflineForm offline = MakeForm(form, true, "m\x02ärke");
  offline.title = "Titel\x0c<script>";
  offline.fields[0].value = Value{std::string("Värde\x01 med <tag> & \"citat\"\x1b")};
  offline.fields[1].value = Value{std::string("Rad ett\x7f\n\nRad tre ]]> slut")};
  const std::string bytes = WriteDocxForm(offline);
  std::string marker, error;
  ASSERT_TRUE(ReadDocxMarker(bytes, &marker, &error)) << error;
  EXPECT_EQ(marker, "märke");
  FilledFile filled;
  ASSERT_TRUE(ReadDocxAnswers(bytes, FieldsOf(offline), &filled, &error)) << error;
  EXPECT_EQ(filled.answers["namn"].text, "Värde med <tag> & \"citat\"");
  EXPECT_EQ(filled.answers["beskrivning"].text, "Rad ett\x7f\n\nRad tre ]]> slut");
  const std::string document = EntryOf(bytes, "word/document.xml");
  EXPECT_THAT(document, HasSubstr("Etikett &lt;b&gt;&amp;amp;&quot;&apos; slut"));
  EXPECT_THAT(document, HasSubstr("Titel&lt;script&gt;"));
}

TEST(DocxFormTest, MarkerCutByWordIsJoinedFromItsPieces) {
  const Form form = EveryType();
  const OfflineForm offline = MakeForm(form, false, LongMarker());
  const std::string bytes = WriteDocxForm(offline);
  std::string custom = EntryOf(bytes, "docProps/custom.xml");
  const std::size_t at = custom.find(LongMarker());
  ASSERT_NE(at, std::string::npos);
  custom.erase(at + 255, LongMarker().size() - 255);  // what a Word that keeps 255 characters saves
  std::string marker, error;
  ASSERT_TRUE(ReadDocxMarker(ReplaceEntry(bytes, "docProps/custom.xml", custom), &marker, &error)) << error;
  EXPECT_EQ(marker, LongMarker());
}

TEST(DocxFormTest, PythonDocxOpensEveryForm) {
  ScratchDir dir("spegla-docx-form-python");
  std::vector<std::string> paths;
  int n = 0;
  for (const DefinitionPtr& definition : ShippedWorkflows()) {
    for (const Form& form : definition->forms) {
      const std::string path = dir.File("form" + std::to_string(n++) + ".docx");
      WriteFile(path, WriteDocxForm(MakeForm(form, n % 2 == 0, "m")));
      paths.push_back(path);
    }
  }
  std::string script =
      "import docx, sys\nfor path in sys.argv[1:]:\n  d = docx.Document(path)\n"
      "  assert d.core_properties.title, path\n  assert len(d.paragraphs) > 3, path\n"
      "print('ok', len(sys.argv) - 1)\n";
  WriteFile(dir.File("open.py"), script);
  std::string command = std::string(kPython) + " " + ShellQuoted(dir.File("open.py"));
  for (const std::string& path : paths) command += " " + ShellQuoted(path);
  std::string out;
  EXPECT_EQ(RunCommand(command + " 2>&1", out), 0) << out;
  EXPECT_EQ(out, "ok " + std::to_string(paths.size()) + "\n");

  // docx_text.py's view (python-docx and lxml): the values are in the paragraphs.
  const Form every = EveryType();
  WriteFile(dir.File("every.docx"), WriteDocxForm(MakeForm(every, true, "m")));
  ASSERT_EQ(RunCommand(std::string(kPython) + " " + kTestTools + "/docx_text.py " +
                           ShellQuoted(dir.File("every.docx")) + " 2>&1",
                       out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("Svar på namn – åäö <&>"));
  EXPECT_THAT(out, HasSubstr("Andra raden, _x0041_ stannar,\\tmed tabb"));
  EXPECT_THAT(out, HasSubstr("Lärande & undervisning"));
}

TEST(DocxFormTest, FilledInThroughItsControlsAsAPersonWouldReadsBack) {
  const Form form = EveryType();
  const OfflineForm offline = MakeForm(form, false, LongMarker());
  ScratchDir dir("spegla-docx-form-fill");
  WriteFile(dir.File("blank.docx"), WriteDocxForm(offline));
  boost::json::object answers;
  answers["namn"] = "Skolan i Åby <norra> & \"södra\"";
  answers["beskrivning"] = "Vi började i augusti.\nSedan: mötet om lärande – åäö.";
  answers["antal"] = "12,5";
  answers["datum"] = "2026-04-15";
  answers["klart"] = "Nej";
  answers["termin"] = "Hösttermin";
  answers["omraden"] = boost::json::array{"Lärande & undervisning", "Ledning, styrning"};
  answers["ansvarig"] = "Cecilia Öberg (cecilia)";
  answers["schema"] = boost::json::array{
      boost::json::object{
          {"tid", "08.20–09.40"}, {"dag", "2026-04-16"}, {"typ", "Samtal"}, {"vem", "Anna Andersson (anna)"}},
      boost::json::object{{"tid", "10.00"},
                          {"timmar", "1,5"},
                          {"teman", "Tema A, Tema B"},
                          {"ok", "Ja"},
                          {"not", "rad 1\nrad 2"}},  // a row added by copying the last
      boost::json::object{{"_plain", true},
                          {"tid", "13.00"},
                          {"dag", "2026-04-17"},
                          {"timmar", "2"},
                          {"typ", "Observation"},
                          {"vem", "bertil"}},  // Word's Tab at the end
  };
  WriteFile(dir.File("answers.json"), boost::json::serialize(answers));
  std::string out;
  ASSERT_EQ(RunCommand(std::string(kPython) + " " + kTestTools + "/fill_docx_form.py " +
                           ShellQuoted(dir.File("blank.docx")) + " " + ShellQuoted(dir.File("filled.docx")) +
                           " " + ShellQuoted(dir.File("answers.json")) + " 2>&1",
                       out),
            0)
      << out;
  const std::string bytes = ReadFile(dir.File("filled.docx"));
  std::string marker, error;
  ASSERT_TRUE(ReadDocxMarker(bytes, &marker, &error)) << error;
  EXPECT_EQ(marker, LongMarker());
  FilledFile filled;
  ASSERT_TRUE(ReadDocxAnswers(bytes, FieldsOf(offline), &filled, &error)) << error;

  auto value_of = [&](const std::string& id) {
    const Field* field = form.FindField(id);
    std::string problem;
    std::optional<Value> value = AnswerValue(*field, filled.answers[id], &problem);
    EXPECT_TRUE(value.has_value()) << id << ": " << problem;
    return value.value_or(Value{});
  };
  EXPECT_EQ(EncodeValue(value_of("namn")),
            EncodeValue(Value{std::string("Skolan i Åby <norra> & \"södra\"")}));
  EXPECT_EQ(filled.answers["beskrivning"].text, "Vi började i augusti.\nSedan: mötet om lärande – åäö.");
  EXPECT_TRUE(value_of("antal") == Value{12.5});
  EXPECT_TRUE(value_of("datum") == Value{*Date::FromYmd(2026, 4, 15)});
  EXPECT_TRUE(value_of("klart") == Value{false});
  EXPECT_TRUE(value_of("termin") == Value{std::string("ht")});
  EXPECT_TRUE((value_of("omraden") == Value{std::vector<std::string>{"larande", "ledning"}}))
      << EncodeValue(value_of("omraden"));
  EXPECT_TRUE(value_of("ansvarig") == Value{std::string("cecilia")});
  Row first{{"tid", Value{std::string("08.20–09.40")}},
            {"dag", Value{*Date::FromYmd(2026, 4, 16)}},
            {"typ", Value{std::string("samtal")}},
            {"vem", Value{std::string("anna")}}};
  Row added{{"tid", Value{std::string("10.00")}},
            {"timmar", Value{1.5}},
            {"teman", Value{std::vector<std::string>{"a", "b"}}},
            {"ok", Value{true}},
            {"not", Value{std::string("rad 1\nrad 2")}}};
  Row plain{{"tid", Value{std::string("13.00")}},
            {"dag", Value{*Date::FromYmd(2026, 4, 17)}},
            {"timmar", Value{2.0}},
            {"typ", Value{std::string("obs")}},
            {"vem", Value{std::string("bertil")}}};
  const Value schema = value_of("schema");
  EXPECT_TRUE((schema == Value{std::vector<Row>{first, added, plain}})) << EncodeValue(schema);

  // Emptied again: a control cleared to nothing reads as empty, and no check box ticked is no choice.
  boost::json::object cleared;
  cleared["namn"] = "";
  cleared["omraden"] = boost::json::array{};
  cleared["datum"] = "";
  WriteFile(dir.File("cleared.json"), boost::json::serialize(cleared));
  ASSERT_EQ(
      RunCommand(std::string(kPython) + " " + kTestTools + "/fill_docx_form.py " +
                     ShellQuoted(dir.File("filled.docx")) + " " + ShellQuoted(dir.File("cleared.docx")) +
                     " " + ShellQuoted(dir.File("cleared.json")) + " 2>&1",
                 out),
      0)
      << out;
  FilledFile again;
  ASSERT_TRUE(ReadDocxAnswers(ReadFile(dir.File("cleared.docx")), FieldsOf(offline), &again, &error))
      << error;
  EXPECT_EQ(again.answers["namn"].text, "");
  EXPECT_EQ(again.answers["datum"].text, "");
  ASSERT_EQ(again.answers.count("omraden"), 1u);
  EXPECT_TRUE(again.answers["omraden"].ticked.empty());
  EXPECT_EQ(again.answers["termin"].text, "Hösttermin");
}

TEST(DocxFormTest, LibreOfficeOpensTheFormAndShowsItsLabelsAndValues) {
  const Form form = EveryType();
  ScratchDir dir("spegla-docx-form-soffice");
  WriteFile(dir.File("form.docx"), WriteDocxForm(MakeForm(form, true, "m")));
  ASSERT_TRUE(ConvertWithLibreOffice(dir.path(), {dir.File("form.docx")}, "txt:Text (encoded):UTF8",
                                     dir.File("txt")));
  const std::string text = ReadFile(dir.File("txt/form.txt"));
  EXPECT_THAT(text, HasSubstr("Utvärdering <alla typer> & mer"));
  for (const Field& field : form.fields) EXPECT_THAT(text, HasSubstr(field.label));
  for (const Field& column : form.FindField("schema")->columns) EXPECT_THAT(text, HasSubstr(column.label));
  EXPECT_THAT(text, HasSubstr("Svar på namn – åäö <&>"));
  EXPECT_THAT(text, HasSubstr("Andra raden, _x0041_ stannar,"));
  EXPECT_THAT(text, HasSubstr("Hösttermin"));
  EXPECT_THAT(text, HasSubstr("2026-03-04"));
  EXPECT_THAT(text, HasSubstr("Bo Åkesson (bo)"));
  EXPECT_THAT(text, HasSubstr("Tema A, Tema B"));
  EXPECT_THAT(text, HasSubstr("\u2612"));
  EXPECT_THAT(text, HasSubstr("Fyll i svaren i de grå fälten"));

  // Saved again by LibreOffice: the marker stays; the answers read back when the controls kept their tags,
  // and LibreOffice 7.4 (Debian 12), which drops them, gets a message saying so instead of an empty form.
  ASSERT_TRUE(ConvertWithLibreOffice(dir.path(), {dir.File("form.docx")}, "docx:MS Word 2007 XML",
                                     dir.File("saved")));
  const std::string saved = ReadFile(dir.File("saved/form.docx"));
  std::string marker, error;
  ASSERT_TRUE(ReadDocxMarker(saved, &marker, &error)) << error;
  EXPECT_EQ(marker, "m");
  FilledFile filled;
  std::vector<const Field*> fields;
  for (const Field& field : form.fields) fields.push_back(&field);
  if (ReadDocxAnswers(saved, fields, &filled, &error)) {
    EXPECT_EQ(filled.answers["namn"].text, "Svar på namn – åäö <&> \"nr 0\" 1/2");
    EXPECT_EQ(filled.answers["termin"].text, "Hösttermin");
  } else {
    EXPECT_THAT(error, HasSubstr("LibreOffice 7.4 eller äldre"));
  }
}

TEST(DocxFormTest, AFormWhoseControlsLostTheirTagsIsRefusedNotReadAsEmpty) {
  const Form form = EveryType();
  const std::string bytes = WriteDocxForm(MakeForm(form, true, "m"));
  std::string document = EntryOf(bytes, "word/document.xml");
  for (std::size_t at; (at = document.find("<w:tag ")) != std::string::npos;) {
    document.erase(at, document.find("/>", at) + 2 - at);
  }
  FilledFile filled;
  std::string error;
  EXPECT_FALSE(ReadDocxAnswers(ReplaceEntry(bytes, "word/document.xml", document), {&form.fields[0]}, &filled,
                               &error));
  EXPECT_THAT(error, HasSubstr("Formulärets fält saknas i filen"));
}

TEST(DocxFormTest, RefusesWhatIsNotASpeglaForm) {
  std::string marker, error;
  EXPECT_FALSE(ReadDocxMarker("Hej, det här är bara text.", &marker, &error));
  EXPECT_EQ(error, "Filen är inte ett Word- eller Excel-dokument.");
  EXPECT_FALSE(ReadDocxMarker("", &marker, &error));
  EXPECT_EQ(error, "Filen är inte ett Word- eller Excel-dokument.");

  // A ZIP's signature and then garbage.
  error.clear();
  EXPECT_FALSE(ReadDocxMarker(std::string("PK\x03\x04") + std::string(3000, '\x5a'), &marker, &error));
  EXPECT_FALSE(error.empty());

  // A ZIP bomb: one entry that inflates 50 MB of zeros from a few kilobytes.
  docx::ZipEntry entry;
  entry.name = "word/document.xml";
  docx::ZipWriter bomb(1 << 20);
  bomb.AddDeflated(entry, std::string(50u << 20, '\0'));
  FilledFile filled;
  error.clear();
  EXPECT_FALSE(ReadDocxAnswers(bomb.Finish(), {}, &filled, &error));
  EXPECT_THAT(error, HasSubstr("packas upp till mer"));

  // A Word document that is not a form of ours.
  const std::string letter = ReadFile(std::string(test::kDocxFixtures) + "/letter.docx");
  EXPECT_FALSE(ReadDocxMarker(letter, &marker, &error));
  EXPECT_EQ(error, "Filen är inte ett formulär från Spegla: den saknar Speglas märkning.");
  EXPECT_FALSE(ReadDocxMarker(test::MakeDocx(test::Para("Hej")), &marker, &error));
  EXPECT_EQ(error, "Filen är inte ett formulär från Spegla: den saknar Speglas märkning.");

  // Ours, with its properties broken: the message names the part.
  const std::string form = WriteDocxForm(MakeForm(EveryType(), false, "m"));
  EXPECT_FALSE(
      ReadDocxMarker(ReplaceEntry(form, "docProps/custom.xml", "<Properties><property"), &marker, &error));
  EXPECT_THAT(error, HasSubstr("docProps/custom.xml"));
  EXPECT_THAT(error, HasSubstr("inte giltig XML"));
  // ... or its text.
  EXPECT_FALSE(
      ReadDocxAnswers(ReplaceEntry(form, "word/document.xml", "<w:document><w:body>"), {}, &filled, &error));
  EXPECT_THAT(error, HasSubstr("word/document.xml"));
  // ... or an entity bomb in its text: no entity is expanded.
  const std::string billion_laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><w:document xmlns:w=\"" +
      std::string("http://schemas.openxmlformats.org/wordprocessingml/2006/main") +
      "\"><w:body><w:sdt><w:sdtPr><w:tag w:val=\"spegla:namn\"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>&lol2;"
      "</w:t></w:r></w:p></w:sdtContent></w:sdt></w:body></w:document>";
  const Form every = EveryType();
  filled = {};
  ASSERT_TRUE(ReadDocxAnswers(ReplaceEntry(form, "word/document.xml", billion_laughs),
                              {every.FindField("namn")}, &filled, &error))
      << error;
  EXPECT_LT(filled.answers["namn"].text.size(), 20u);
}

TEST(DocxFormTest, DeeplyNestedXmlIsRefusedWithoutACrash) {
  const std::string form = WriteDocxForm(MakeForm(EveryType(), false, "m"));
  std::string deep =
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";
  // 100,000 levels in under 1 MB, so that it is the nesting, not the ZIP's inflation ratio, that is refused.
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  deep += "</w:body></w:document>";
  FilledFile filled;
  std::string error;
  EXPECT_FALSE(ReadDocxAnswers(ReplaceEntry(form, "word/document.xml", deep), {}, &filled, &error));
  EXPECT_THAT(error, HasSubstr("nästlad djupare"));

  std::string properties = "<Properties>";
  for (int i = 0; i < 100000; ++i) properties += "<a>";
  for (int i = 0; i < 100000; ++i) properties += "</a>";
  properties += "</Properties>";
  std::string marker;
  EXPECT_FALSE(ReadDocxMarker(ReplaceEntry(form, "docProps/custom.xml", properties), &marker, &error));
  EXPECT_THAT(error, HasSubstr("nästlad djupare"));
}

// What other programs do to a form: tracked changes, controls around cells, a deleted header, a row deleted
// with changes tracked, an unknown tag, a copied control left empty.
TEST(DocxFormTest, ReadsRevisionsCellControlsAndRowsWithoutControls) {
  const Form form = EveryType();
  const std::string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
  const std::string document =
      "<w:document xmlns:w=\"" + w +
      "\" xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\">"
      "<w:body>"
      // Revisions: deleted text out, inserted in; a tab, a line break; a w:tab stop in pPr is no text.
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:namn\"/></w:sdtPr><w:sdtContent>"
      "<w:r><w:t>Ny</w:t></w:r><w:del><w:r><w:delText>gammal</w:delText></w:r></w:del>"
      "<w:ins><w:r><w:t xml:space=\"preserve\"> "
      "skola</w:t><w:tab/><w:t>A</w:t><w:br/><w:t>B</w:t></w:r></w:ins>"
      "</w:sdtContent></w:sdt></w:p>"
      // A copy of the control, left empty, does not win over the one filled in.
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:namn\"/><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
      "<w:r><w:t>Klicka eller tryck här för att skriva.</w:t></w:r></w:sdtContent></w:sdt></w:p>"
      // Block-level long text: paragraphs, the trailing empty one dropped; pPr tab stops ignored.
      "<w:sdt><w:sdtPr><w:tag w:val=\"spegla:beskrivning\"/></w:sdtPr><w:sdtContent>"
      "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" "
      "w:pos=\"720\"/></w:tabs></w:pPr><w:r><w:t>Ett</w:t></w:r></w:p>"
      "<w:p/><w:p><w:r><w:t>Tre</w:t></w:r></w:p><w:p/></w:sdtContent></w:sdt>"
      // A date picker whose text went but whose date stayed; a placeholder in English.
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:datum\"/><w:date w:fullDate=\"2026-05-02T00:00:00Z\"/>"
      "</w:sdtPr><w:sdtContent><w:r><w:t></w:t></w:r></w:sdtContent></w:sdt></w:p>"
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:termin\"/></w:sdtPr><w:sdtContent>"
      "<w:r><w:t>Choose an item.</w:t></w:r></w:sdtContent></w:sdt></w:p>"
      // Check boxes: w14:checked, and a writer that kept only the mark.
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:omraden:miljo\"/><w14:checkbox><w14:checked "
      "w14:val=\"true\"/>"
      "</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>\u2610</w:t></w:r></w:sdtContent></w:sdt></w:p>"
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:omraden:ledning\"/></w:sdtPr><w:sdtContent>"
      "<w:r><w:t>\u2612</w:t></w:r></w:sdtContent></w:sdt></w:p>"
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:omraden:larande\"/><w14:checkbox><w14:checked "
      "w14:val=\"0\"/>"
      "</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>\u2612</w:t></w:r></w:sdtContent></w:sdt></w:p>"
      // Unknown tags, and a field not asked for.
      "<w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:finns_inte\"/></w:sdtPr><w:sdtContent><w:r><w:t>x</w:t>"
      "</w:r></w:sdtContent></w:sdt><w:sdt><w:sdtPr><w:tag w:val=\"annan\"/></w:sdtPr><w:sdtContent><w:r>"
      "<w:t>y</w:t></w:r></w:sdtContent></w:sdt></w:p>"
      // A group: header with its columns in another order, a control around a cell, a row deleted with
      // changes tracked, a plain row, an empty row, and a cell spanning two grid columns.
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Typ</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Tid</w:t></w:r></"
      "w:p>"
      "</w:tc><w:tc><w:p><w:r><w:t>Timmar</w:t></w:r></w:p></w:tc></w:tr>"
      "<w:sdt><w:sdtPr><w:tag w:val=\"spegla:schema\"/></w:sdtPr><w:sdtContent>"
      "<w:tr><w:sdt><w:sdtPr><w:tag w:val=\"spegla:schema.typ\"/></w:sdtPr><w:sdtContent><w:tc><w:p><w:r>"
      "<w:t>Samtal</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt>"
      "<w:tc><w:p><w:sdt><w:sdtPr><w:tag w:val=\"spegla:schema.tid\"/></w:sdtPr><w:sdtContent><w:r>"
      "<w:t>09.00</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>"
      "<w:tr><w:trPr><w:del w:id=\"9\" w:author=\"x\"/></w:trPr><w:tc><w:p><w:r><w:t>Observation</w:t></w:r>"
      "</w:p></w:tc></w:tr>"
      "</w:sdtContent></w:sdt>"
      "<w:tr><w:tc><w:p><w:r><w:t>Observation</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>11.00</w:t></w:r>"
      "</w:p></w:tc><w:tc><w:p><w:r><w:t>2,5</w:t></w:r></w:p></w:tc></w:tr>"
      "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>"
      "<w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr><w:p><w:r><w:t>Samtal</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>4</w:t></w:r></w:p></w:tc></w:tr>"
      "</w:tbl><w:p/></w:body></w:document>";
  const std::string bytes =
      ReplaceEntry(WriteDocxForm(MakeForm(form, false, "m")), "word/document.xml", document);
  std::vector<const Field*> fields;
  for (const Field& field : form.fields) {
    if (field.id != "ansvarig") fields.push_back(&field);
  }
  FilledFile filled;
  std::string error;
  ASSERT_TRUE(ReadDocxAnswers(bytes, fields, &filled, &error)) << error;
  EXPECT_EQ(filled.answers["namn"].text, "Ny skola\tA\nB");
  EXPECT_EQ(filled.answers["beskrivning"].text, "Ett\n\nTre");
  EXPECT_EQ(filled.answers["datum"].text, "2026-05-02");
  EXPECT_EQ(filled.answers["termin"].text, "");
  EXPECT_EQ(filled.answers["omraden"].ticked, (std::vector<std::string>{"miljo", "ledning"}));
  EXPECT_EQ(filled.answers.count("finns_inte"), 0u);
  EXPECT_EQ(filled.answers.count("ansvarig"), 0u);
  EXPECT_EQ(filled.answers.count("antal"), 0u);  // not in the file
  const std::vector<std::map<std::string, std::string>> rows = filled.answers["schema"].rows;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            (std::map<std::string, std::string>{{"typ", "Samtal"}, {"tid", "09.00"}, {"timmar", ""}}));
  EXPECT_EQ(rows[1], (std::map<std::string, std::string>{
                         {"typ", "Observation"}, {"tid", "11.00"}, {"timmar", "2,5"}}));
  EXPECT_EQ(rows[2], (std::map<std::string, std::string>{{"typ", "Samtal"}, {"timmar", "4"}}));
}

}  // namespace
}  // namespace spegla::offline
