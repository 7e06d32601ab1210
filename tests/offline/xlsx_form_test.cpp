// Fillable Excel forms (offline_form.h): what WriteXlsxForm writes reads back through ReadXlsxAnswers and
// AnswerValue as the same values, for every form of every shipped workflow; openpyxl and LibreOffice open
// the workbook as a person's Excel would (locked labels, open answer cells, validations, hidden marker); a
// workbook filled in with openpyxl (tests/tools/fill_xlsx_form.py) and one saved again by LibreOffice read
// back; hostile and foreign files give clear errors.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../engine/engine_test_support.h"
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

namespace fs = std::filesystem;
namespace json = boost::json;
using test::ScratchDir;

constexpr const char* kNotDocument = "Filen är inte ett Word- eller Excel-dokument.";
constexpr const char* kNoMarker = "Filen är inte ett formulär från Spegla: den saknar Speglas märkning.";
constexpr const char* kEverySheetAsCsv =
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";
constexpr const char* kMarker = "spegla-form:v1:instans=42:formular=plan:sig=Zm9v+YmFy/MTIz==";


Date Day(int year, unsigned month, unsigned day) { return *Date::FromYmd(year, month, day); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}


OfflineForm MakeForm(const Form& form, const std::string& process) {
  OfflineForm offline;
  offline.form = &form;
  offline.title = form.label;
  offline.about = {"Process: " + process, "Ärende: Åkerskolan, lärande besök 2026", "Utskriven 2026-03-01"};
  offline.marker = kMarker;
  int n = 0;
  for (const Field& field : form.fields) {
    OfflineField f;
    f.field = &field;
    f.value = Sample(field, n);
    f.editable = n % 5 != 3;
    if (n % 4 == 2) f.condition = "«Genomfört» är Ja";
    f.people = kPeople;
    offline.fields.push_back(std::move(f));
    ++n;
  }
  return offline;
}


// Reads `bytes` back and compares every field's value with the form's.
void ExpectSameValues(const OfflineForm& form, std::string_view bytes, const std::string& what) {
  SCOPED_TRACE(what);
  std::string marker, error;
  ASSERT_TRUE(ReadXlsxMarker(bytes, &marker, &error)) << error;
  EXPECT_EQ(marker, kMarker);
  FilledFile filled;
  ASSERT_TRUE(ReadXlsxAnswers(bytes, FieldsOf(form), &filled, &error)) << error;
  EXPECT_EQ(filled.kind, FileKind::kXlsx);
  EXPECT_EQ(filled.marker, kMarker);
  for (const OfflineField& field : form.fields) {
    const auto answer = filled.answers.find(field.field->id);
    if (answer == filled.answers.end()) {
      ADD_FAILURE() << "no answer for " << field.field->id;
      continue;
    }
    std::string problem;
    const std::optional<Value> value = AnswerValue(*field.field, answer->second, &problem);
    if (!value) {
      ADD_FAILURE() << field.field->id << ": " << problem;
      continue;
    }
    EXPECT_EQ(EncodeValue(*value), EncodeValue(field.value)) << field.field->id;
    EXPECT_TRUE(*value == field.value) << field.field->id;
  }
  EXPECT_EQ(filled.answers.size(), form.fields.size());
}

// A definition with every type of field, for the tests that fill a form in.
struct AllTypes {
  Form form;
  AllTypes() {
    form.id = "plan";
    form.label = "Plan för besöket";
    auto add = [&](std::string id, FieldType type, std::string label) -> Field& {
      Field& field = form.fields.emplace_back();
      field.id = std::move(id);
      field.type = type;
      field.label = std::move(label);
      return field;
    };
    add("rubrik", FieldType::kText, "Rubrik").help = "Kort rubrik,\n   gärna med   enhetens namn.";
    add("beskrivning", FieldType::kLongText, "Beskrivning");
    Field& number = add("dagar", FieldType::kNumber, "Antal dagar");
    Constraint range;
    range.kind = Constraint::Kind::kRange;
    range.min_number = 0.5;
    range.max_number = 10;
    range.message.text = "Ange mellan en halv och tio dagar.";
    number.constraints.push_back(range);
    add("antal", FieldType::kNumber, "Antal deltagare");
    add("start", FieldType::kDate, "Startdatum");
    add("klar", FieldType::kYesNo, "Genomfört");
    Field& choice = add("form", FieldType::kChoice, "Verksamhetsform");
    choice.options = {{"fsk", "Förskola"}, {"gr", "Grundskola, F–6"}, {"gy", "Gymnasium"}};
    const std::vector<Option> areas = {{"las", "Läsning"}, {"mat", "Matematik"}, {"tri", "Trygghet & studiero"}};
    add("omraden", FieldType::kMultiChoice, "Områden").options = areas;
    add("ansvarig", FieldType::kPerson, "Ansvarig");
    Field& group = add("tider", FieldType::kGroup, "Tider: planering/uppföljning [vt]");
    auto column = [&](std::string id, FieldType type, std::string label) -> Field& {
      Field& field = group.columns.emplace_back();
      field.id = std::move(id);
      field.type = type;
      field.label = std::move(label);
      return field;
    };
    column("datum", FieldType::kDate, "Datum");
    column("timmar", FieldType::kNumber, "Timmar");
    column("aktivitet", FieldType::kText, "Aktivitet");
    column("typ", FieldType::kChoice, "Typ").options = {{"samtal", "Samtal"}, {"besok", "Lektionsbesök"}};
    column("vem", FieldType::kPerson, "Vem");
    column("fokus", FieldType::kMultiChoice, "Fokus").options = areas;
    column("ok", FieldType::kYesNo, "Klart");
    add("locked", FieldType::kText, "Diarienummer");
  }

  OfflineForm Offline(bool with_values) const {
    OfflineForm offline = MakeForm(form, "Lärande besök");
    for (OfflineField& field : offline.fields) {
      field.editable = field.field->id != "locked";
      field.condition.clear();
      if (!with_values) field.value = Value{};
    }
    offline.fields.back().value = Value{std::string("DNR 2026/17")};
    return offline;
  }
};

std::vector<fs::path> ShippedWorkflows() {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(SPEGLA_SOURCE_DIR "/workflows")) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(XlsxFormTest, EveryFormOfEveryShippedWorkflowReadsBackAsItsValues) {
  const std::vector<fs::path> files = ShippedWorkflows();
  ASSERT_EQ(files.size(), 5u);
  std::size_t forms = 0;
  for (const fs::path& file : files) {
    LoadOptions options;
    options.check_templates = false;
    const LoadResult loaded = LoadWorkflowFromText(ReadFile(file.string()), file.string(), options);
    ASSERT_TRUE(loaded.ok()) << file;
    for (const Form& form : loaded.definition->forms) {
      const OfflineForm offline = MakeForm(form, loaded.definition->title);
      const std::string bytes = WriteXlsxForm(offline);
      ExpectSameValues(offline, bytes, file.filename().string() + ": " + form.id);
      FileKind kind = FileKind::kDocx;
      std::string marker, error;
      EXPECT_TRUE(ReadMarker(bytes, &kind, &marker, &error)) << error;
      EXPECT_EQ(kind, FileKind::kXlsx);
      ++forms;
    }
  }
  EXPECT_GE(forms, 20u);
}

TEST(XlsxFormTest, EmptyAndLockedFieldsReadBack) {
  const AllTypes all;
  OfflineForm offline = all.Offline(false);
  const std::string bytes = WriteXlsxForm(offline);
  std::string error;
  FilledFile filled;
  ASSERT_TRUE(ReadXlsxAnswers(bytes, FieldsOf(offline), &filled, &error)) << error;
  for (const OfflineField& field : offline.fields) {
    ASSERT_TRUE(filled.answers.count(field.field->id)) << field.field->id;
    std::string problem;
    const std::optional<Value> value = AnswerValue(*field.field, filled.answers[field.field->id], &problem);
    ASSERT_TRUE(value) << problem;
    EXPECT_TRUE(*value == field.value) << field.field->id << ": " << EncodeValue(*value);
  }
  // Only the fields asked for.
  filled = FilledFile{};
  ASSERT_TRUE(ReadXlsxAnswers(bytes, {&all.form.fields[0]}, &filled, &error)) << error;
  EXPECT_EQ(filled.answers.size(), 1u);

  ExpectSameValues(all.Offline(true), WriteXlsxForm(all.Offline(true)), "all types");
}

TEST(XlsxFormTest, HostileTextsStayText) {
  AllTypes all;
  OfflineForm offline = all.Offline(true);
  offline.title = "=HYPERLINK(\"http://evil\")";
  offline.fields[0].value = Value{std::string("=1+1")};
  offline.fields[1].value = Value{std::string("@SUM(A1)\ttab\r\nrad två")};
  const std::string bytes = WriteXlsxForm(offline);
  FilledFile filled;
  std::string error;
  ASSERT_TRUE(ReadXlsxAnswers(bytes, FieldsOf(offline), &filled, &error)) << error;
  EXPECT_EQ(filled.answers["rubrik"].text, "=1+1");
  EXPECT_EQ(filled.answers["beskrivning"].text, "@SUM(A1)\ttab\nrad två");
  // No formula anywhere in the workbook.
  std::string zip_error;
  const auto archive = docx::ZipArchive::Open(bytes, docx::ZipLimits{}, zip_error);
  ASSERT_TRUE(archive) << zip_error;
  for (const docx::ZipEntry& entry : archive->entries()) {
    std::string content;
    ASSERT_TRUE(docx::ZipArchive::Extract(entry, content, zip_error));
    if (entry.name.rfind("xl/worksheets/", 0) == 0) {
      EXPECT_EQ(content.find("<f>"), std::string::npos) << entry.name;
    }
  }
}

// openpyxl's view of a form workbook, as JSON.
constexpr const char* kInspect = R"PY(
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {'sheets': [], 'rows': {}, 'validations': []}
for ws in wb.worksheets:
    out['sheets'].append({'name': ws.title, 'state': ws.sheet_state, 'protected': bool(ws.protection.sheet),
                          'insert_rows_blocked': bool(ws.protection.insertRows),
                          'hidden_rows': [r for r, d in ws.row_dimensions.items() if d.hidden],
                          'tables': [t.ref for t in ws.tables.values()]})
form = wb['Formulär']
out['title'] = form['A1'].value
out['hidden_columns'] = [k for k, d in form.column_dimensions.items() if d.hidden]
out['widths'] = {k: d.width for k, d in form.column_dimensions.items()}
for row in form.iter_rows(min_col=1, max_col=5):
    key = row[3].value
    if key:
        out['rows'][str(key)] = {'label': row[0].value, 'label_locked': row[0].protection.locked,
                                 'answer': row[1].value if not hasattr(row[1].value, 'isoformat') else row[1].value.isoformat()[:10],
                                 'answer_locked': row[1].protection.locked, 'format': row[1].number_format,
                                 'help': row[2].value, 'sheet': row[4].value}
for ws in wb.worksheets:
    for dv in ws.data_validations.dataValidation:
        out['validations'].append({'sheet': ws.title, 'type': dv.type, 'range': str(dv.sqref),
                                   'formula': dv.formula1, 'error': dv.error})
out['marker'] = wb['spegla']['A1'].value
out['properties_title'] = wb.properties.title
print(json.dumps(out, ensure_ascii=False, default=str))
)PY";

json::value Inspect(const ScratchDir& dir, const std::string& xlsx) {
  const std::string script = dir.File("form_view.py");
  WriteFile(script, kInspect);
  std::string out;
  const int status = test::RunCommand(std::string(test::kPython) + " " + test::ShellQuoted(script) + " " +
                                          test::ShellQuoted(xlsx) + " 2>&1",
                                      out);
  EXPECT_EQ(status, 0) << out;
  boost::system::error_code ec;
  json::value value = json::parse(out, ec);
  EXPECT_FALSE(ec) << out;
  return value;
}

TEST(XlsxFormTest, OpenpyxlSeesLockedLabelsOpenAnswersValidationsAndAHiddenMarker) {
  ScratchDir dir("spegla-xlsx-form");
  const AllTypes all;
  const OfflineForm offline = all.Offline(true);
  const std::string path = dir.File("plan.xlsx");
  WriteFile(path, WriteXlsxForm(offline));
  const json::value view = Inspect(dir, path);
  ASSERT_TRUE(view.is_object());

  const json::array& sheets = view.at("sheets").as_array();
  ASSERT_EQ(sheets.size(), 4u);
  EXPECT_EQ(sheets[0].at("name"), "Formulär");
  EXPECT_EQ(sheets[0].at("state"), "visible");
  EXPECT_EQ(sheets[0].at("protected"), true);
  EXPECT_EQ(sheets[1].at("name"), "Tider planering uppföljning vt");
  EXPECT_EQ(sheets[1].at("protected"), true);
  EXPECT_EQ(sheets[1].at("insert_rows_blocked"), false);
  EXPECT_EQ(sheets[1].at("hidden_rows"), json::array{1});
  // The rows are an Excel table: its header the column labels, its body the rows and the blank ones.
  ASSERT_EQ(sheets[1].at("tables").as_array().size(), 1u);
  EXPECT_EQ(std::string(sheets[1].at("tables").as_array()[0].as_string()).substr(0, 3), "A2:");
  EXPECT_EQ(sheets[0].at("tables").as_array().size(), 0u);
  EXPECT_EQ(sheets[2].at("name"), "Listor");
  EXPECT_EQ(sheets[2].at("state"), "hidden");
  EXPECT_EQ(sheets[3].at("name"), "spegla");
  EXPECT_EQ(sheets[3].at("state"), "hidden");
  EXPECT_EQ(view.at("marker"), kMarker);
  EXPECT_EQ(view.at("title"), "Plan för besöket");
  EXPECT_EQ(view.at("properties_title"), "Plan för besöket");
  EXPECT_EQ(view.at("hidden_columns"), json::array{"D"});
  EXPECT_NEAR(view.at("widths").at("A").to_number<double>(), 40, 1);  // libxlsxwriter adds the padding

  const json::object& rows = view.at("rows").as_object();
  for (const OfflineField& field : offline.fields) {
    SCOPED_TRACE(field.field->id);
    ASSERT_TRUE(rows.contains(field.field->id));
    const json::value& row = rows.at(field.field->id);
    EXPECT_EQ(row.at("label"), json::value(field.field->label));
    EXPECT_EQ(row.at("label_locked"), true);
    const bool open = field.editable && field.field->type != FieldType::kGroup &&
                      field.field->type != FieldType::kMultiChoice;
    EXPECT_EQ(row.at("answer_locked"), !open);
  }
  EXPECT_EQ(rows.at("rubrik").at("answer"), "Svar på rubrik – åäö <&> \"nr 0\" 1/2");
  EXPECT_EQ(rows.at("rubrik").at("format"), "@");
  EXPECT_EQ(rows.at("rubrik").at("help"), "Kort rubrik, gärna med enhetens namn.");
  EXPECT_EQ(rows.at("dagar").at("answer"), 2.5);
  EXPECT_EQ(rows.at("start").at("answer"), "2026-03-05");
  EXPECT_EQ(rows.at("start").at("format"), "yyyy-mm-dd");
  EXPECT_EQ(rows.at("klar").at("answer"), "Nej");
  EXPECT_EQ(rows.at("form").at("answer"), "Grundskola, F–6");
  EXPECT_EQ(rows.at("ansvarig").at("answer"), "Cecilia Öberg (cecilia)");
  EXPECT_EQ(rows.at("omraden").at("answer"), "Markera med x nedan");
  EXPECT_EQ(rows.at("omraden:las").at("label"), "   Läsning");
  EXPECT_EQ(rows.at("omraden:las").at("answer"), "x");
  EXPECT_EQ(rows.at("omraden:las").at("answer_locked"), false);
  EXPECT_EQ(rows.at("omraden:tri").at("answer"), "x");
  EXPECT_EQ(rows.at("tider").at("answer"), "Fyll i tabellen på bladet «Tider planering uppföljning vt».");
  EXPECT_EQ(rows.at("tider").at("sheet"), "Tider planering uppföljning vt");
  EXPECT_EQ(rows.at("locked").at("answer"), "DNR 2026/17");
  EXPECT_EQ(rows.at("locked").at("help"), "(kan inte ändras av dig)");

  std::map<std::string, std::string> validation_of;  // "sheet!range" -> type
  for (const json::value& v : view.at("validations").as_array()) {
    validation_of[std::string(v.at("sheet").as_string()) + "!" + std::string(v.at("range").as_string())] =
        v.at("type").is_string() ? std::string(v.at("type").as_string()) : "any";
    if (v.at("type").is_string()) {  // else "any": only an input message
      EXPECT_FALSE(v.at("error").is_null()) << v;
    }
  }
  auto type_at = [&](const std::string& where) {
    for (const auto& [range, type] : validation_of) {
      if (range.rfind(where, 0) == 0) return type;
    }
    return std::string("none");
  };
  // The rows of the fields (after the title, three about lines, a blank, the instruction, a blank and the
  // header): 9 rubrik, 10 beskrivning, 11 dagar, 12 antal, 13 start, 14 klar, 15 form, 16 omraden ...
  EXPECT_EQ(type_at("Formulär!B11"), "decimal");
  EXPECT_EQ(type_at("Formulär!B13"), "date");
  EXPECT_EQ(type_at("Formulär!B14"), "list");
  EXPECT_EQ(type_at("Formulär!B15"), "list");
  EXPECT_EQ(type_at("Formulär!B17"), "list");  // the first option of omraden
  EXPECT_EQ(type_at("Tider planering uppföljning vt!A3:A54"), "date");
  EXPECT_EQ(type_at("Tider planering uppföljning vt!B3:B54"), "decimal");
  EXPECT_EQ(type_at("Tider planering uppföljning vt!D3:D54"), "list");
  EXPECT_EQ(type_at("Tider planering uppföljning vt!E3:E54"), "list");
}

TEST(XlsxFormTest, AFormFilledInWithOpenpyxlReadsBack) {
  ScratchDir dir("spegla-xlsx-form");
  const AllTypes all;
  const OfflineForm offline = all.Offline(false);
  const std::string blank = dir.File("blank.xlsx"), filled_path = dir.File("filled.xlsx");
  WriteFile(blank, WriteXlsxForm(offline));
  WriteFile(dir.File("answers.json"), R"JSON({
    "rubrik": "Besök på Åkerskolan <&>",
    "beskrivning": "Rad ett\nRad två med åäö",
    "dagar": "2,5",
    "antal": 12,
    "start": "2026-04-30",
    "klar": "Nej",
    "form": "Grundskola, F–6",
    "omraden": ["Matematik", "Trygghet & studiero"],
    "ansvarig": "Cecilia Öberg (cecilia)",
    "tider": [
      {"datum": "2026-05-04", "timmar": "1,5", "aktivitet": "Samtal före", "typ": "Samtal",
       "vem": "Anna Andersson (anna)", "fokus": "Läsning, Matematik", "ok": "Ja"},
      {"datum": "2026-05-05", "timmar": 3, "aktivitet": "Lektion 2 i åk 4", "typ": "Lektionsbesök"},
      {"aktivitet": "Återkoppling", "vem": "Bo Ek (bo)"}
    ]
  })JSON");
  std::string out;
  ASSERT_EQ(test::RunCommand(std::string(test::kPython) + " " + test::kTestTools + "/fill_xlsx_form.py " +
                                 test::ShellQuoted(blank) + " " + test::ShellQuoted(filled_path) + " " +
                                 test::ShellQuoted(dir.File("answers.json")) + " 2>&1",
                             out),
            0)
      << out;

  const std::string bytes = ReadFile(filled_path);
  std::string marker, error;
  ASSERT_TRUE(ReadXlsxMarker(bytes, &marker, &error)) << error;
  EXPECT_EQ(marker, kMarker);
  FilledFile filled;
  ASSERT_TRUE(ReadXlsxAnswers(bytes, FieldsOf(offline), &filled, &error)) << error;
  auto value = [&](const std::string& id) {
    const Field* field = all.form.FindField(id);
    std::string problem;
    std::optional<Value> v = AnswerValue(*field, filled.answers[id], &problem);
    EXPECT_TRUE(v) << id << ": " << problem;
    return v.value_or(Value{});
  };
  EXPECT_TRUE(value("rubrik") == Value{std::string("Besök på Åkerskolan <&>")});
  EXPECT_TRUE(value("beskrivning") == Value{std::string("Rad ett\nRad två med åäö")});
  EXPECT_EQ(filled.answers["dagar"].text, "2.5");
  EXPECT_TRUE(value("dagar") == Value{2.5});
  EXPECT_TRUE(value("antal") == Value{12.0});
  EXPECT_EQ(filled.answers["start"].text, "2026-04-30");
  EXPECT_TRUE(value("start") == Value{Day(2026, 4, 30)});
  EXPECT_TRUE(value("klar") == Value{false});
  EXPECT_TRUE(value("form") == Value{std::string("gr")});
  EXPECT_TRUE(value("omraden") == (Value{std::vector<std::string>{"mat", "tri"}}));
  EXPECT_TRUE(value("ansvarig") == Value{std::string("cecilia")});
  EXPECT_TRUE(value("locked") == Value{std::string("DNR 2026/17")});

  const Value tider = value("tider");
  const auto* rows = std::get_if<std::vector<Row>>(&tider.data);
  ASSERT_NE(rows, nullptr) << EncodeValue(tider);
  ASSERT_EQ(rows->size(), 3u) << EncodeValue(tider);
  const Row first = {{"datum", Value{Day(2026, 5, 4)}},
                     {"timmar", Value{1.5}},
                     {"aktivitet", Value{std::string("Samtal före")}},
                     {"typ", Value{std::string("samtal")}},
                     {"vem", Value{std::string("anna")}},
                     {"fokus", Value{std::vector<std::string>{"las", "mat"}}},
                     {"ok", Value{true}}};
  EXPECT_EQ(EncodeValue(Value{std::vector<Row>{(*rows)[0]}}), EncodeValue(Value{std::vector<Row>{first}}));
  EXPECT_TRUE((*rows)[1].at("datum") == Value{Day(2026, 5, 5)});
  EXPECT_TRUE((*rows)[1].at("timmar") == Value{3.0});
  EXPECT_TRUE((*rows)[1].at("typ") == Value{std::string("besok")});
  EXPECT_TRUE((*rows)[2].at("vem") == Value{std::string("bo")});
  EXPECT_EQ((*rows)[2].size(), 2u);

  // Filled in again with fewer rows: the surplus is cleared; a number field given text stays text, for
  // AnswerValue to report.
  WriteFile(dir.File("again.json"), R"({"tider": [{"aktivitet": "Bara en"}], "dagar": "tre", "omraden": []})");
  ASSERT_EQ(test::RunCommand(std::string(test::kPython) + " " + test::kTestTools + "/fill_xlsx_form.py " +
                                 test::ShellQuoted(filled_path) + " " + test::ShellQuoted(dir.File("again.xlsx")) +
                                 " " + test::ShellQuoted(dir.File("again.json")) + " 2>&1",
                             out),
            0)
      << out;
  filled = FilledFile{};
  ASSERT_TRUE(ReadXlsxAnswers(ReadFile(dir.File("again.xlsx")), FieldsOf(offline), &filled, &error)) << error;
  ASSERT_EQ(filled.answers["tider"].rows.size(), 1u);
  EXPECT_EQ(filled.answers["tider"].rows[0].at("aktivitet"), "Bara en");
  EXPECT_EQ(filled.answers["dagar"].text, "tre");
  std::string problem;
  EXPECT_FALSE(AnswerValue(*all.form.FindField("dagar"), filled.answers["dagar"], &problem));
  EXPECT_NE(problem.find("Antal dagar"), std::string::npos) << problem;
  ASSERT_TRUE(filled.answers.count("omraden"));
  EXPECT_TRUE(filled.answers["omraden"].ticked.empty());
}

TEST(XlsxFormTest, LibreOfficeShowsTheFormAndSavesItReadably) {
  ScratchDir dir("spegla-xlsx-form");
  const AllTypes all;
  const OfflineForm offline = all.Offline(true);
  WriteFile(dir.File("plan.xlsx"), WriteXlsxForm(offline));
  ASSERT_TRUE(test::ConvertWithLibreOffice(dir.path(), {dir.File("plan.xlsx")}, kEverySheetAsCsv, dir.File("csv")));
  const json::value form = test::ReadTable(dir.File("csv/plan-Formulär.csv"), ",");
  ASSERT_TRUE(form.is_object());
  std::map<std::string, std::string> answer_of;  // label -> answer as shown
  for (const json::value& row : form.at("rows").as_array()) {
    const json::array& cells = row.as_array();
    if (cells.size() >= 2) answer_of[std::string(cells[0].as_string())] = std::string(cells[1].as_string());
  }
  EXPECT_TRUE(answer_of.count("Plan för besöket"));
  EXPECT_EQ(answer_of["Fråga"], "Svar");
  EXPECT_EQ(answer_of["Rubrik"], "Svar på rubrik – åäö <&> \"nr 0\" 1/2");
  EXPECT_EQ(answer_of["Startdatum"], "2026-03-05");
  EXPECT_EQ(answer_of["Genomfört"], "Nej");
  EXPECT_EQ(answer_of["Ansvarig"], "Cecilia Öberg (cecilia)");
  EXPECT_EQ(answer_of["   Matematik"], "");
  EXPECT_EQ(answer_of["Diarienummer"], "DNR 2026/17");
  const json::value group = test::ReadTable(dir.File("csv/plan-Tider planering uppföljning vt.csv"), ",");
  ASSERT_TRUE(group.is_object());
  const json::array& group_rows = group.at("rows").as_array();
  ASSERT_GE(group_rows.size(), 4u);
  EXPECT_EQ(group_rows[0].as_array()[0], "datum");  // the hidden row of column ids
  EXPECT_EQ(group_rows[1].as_array()[0], "Datum");  // the table's header
  EXPECT_EQ(group_rows[2].as_array()[0], "2026-03-11");
  EXPECT_EQ(group_rows[2].as_array()[4], "Bo Åkesson (bo)");

  // Saved again by LibreOffice (its own shared strings, styles and sheet XML), the answers read back.
  ASSERT_TRUE(test::ConvertWithLibreOffice(dir.path(), {dir.File("plan.xlsx")}, "xlsx:Calc MS Excel 2007 XML",
                                           dir.File("lo")));
  ExpectSameValues(offline, ReadFile(dir.File("lo/plan.xlsx")), "saved by LibreOffice");
}

// A workbook from parts, for the reader's edge cases.
std::string Workbook(const std::vector<std::pair<std::string, std::string>>& parts) {
  docx::ZipWriter zip(4096);
  for (const auto& [name, content] : parts) {
    docx::ZipEntry like;
    like.name = name;
    zip.AddDeflated(like, content);
  }
  return zip.Finish();
}

constexpr const char* kWorkbookRels =
    R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>)"
    R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>)"
    R"(</Relationships>)";

std::string WorkbookXml(bool date1904) {
  return std::string(R"(<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )") +
         R"(xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)" +
         (date1904 ? R"(<x:workbookPr date1904="1"/>)" : "") +
         R"(<x:sheets><x:sheet name="Formulär" sheetId="1" rel:id="rId1"/><x:sheet name="spegla" sheetId="2" state="hidden" rel:id="rId2"/></x:sheets></x:workbook>)";
}

std::string Sheet(std::string_view rows) {
  return std::string(R"(<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)") +
         std::string(rows) + "</sheetData></worksheet>";
}

constexpr const char* kSharedStrings =
    R"(<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
    R"(<si><t>rubrik</t></si><si><r><t>Rik </t></r><r><rPr><b/></rPr><t xml:space="preserve">text_x000A_</t></r><rPh><t>x</t></rPh></si>)"
    R"(<si><t>M-1</t></si></sst>)";

TEST(XlsxFormTest, ReaderTakesWhatOtherProgramsWrite) {
  const AllTypes all;
  // Prefixed elements, cells without references, inline and rich strings, booleans, the 1904 date system.
  const std::string form_sheet = Sheet(
      R"(<row r="9"><c r="B9" t="s"><v>1</v></c><c r="D9" t="s"><v>0</v></c></row>)"
      R"(<row><c/><c><v>2.50</v></c><c/><c t="inlineStr"><is><t>dagar</t></is></c></row>)"
      R"(<row r="12"><c r="B12"><v>44650</v></c><c r="D12" t="str"><v>start</v></c></row>)"
      R"(<row r="13"><c r="B13" t="b"><v>1</v></c><c r="D13" t="inlineStr"><is><t>klar</t></is></c></row>)"
      R"(<row r="14"><c r="B14" t="e"><v>#N/A</v></c><c r="D14" t="inlineStr"><is><t>antal</t></is></c></row>)");
  const std::string bytes = Workbook({{"xl/workbook.xml", WorkbookXml(true)},
                                      {"xl/_rels/workbook.xml.rels", kWorkbookRels},
                                      {"xl/sharedStrings.xml", kSharedStrings},
                                      {"xl/worksheets/sheet1.xml", form_sheet},
                                      {"xl/worksheets/sheet2.xml", Sheet(R"(<row r="1"><c r="A1" t="s"><v>2</v></c></row>)")}});
  std::string marker, error;
  ASSERT_TRUE(ReadXlsxMarker(bytes, &marker, &error)) << error;
  EXPECT_EQ(marker, "M-1");
  FilledFile filled;
  ASSERT_TRUE(ReadXlsxAnswers(bytes, FieldsOf(all.Offline(false)), &filled, &error)) << error;
  EXPECT_EQ(filled.answers["rubrik"].text, "Rik text\n");
  EXPECT_EQ(filled.answers["dagar"].text, "2.5");
  EXPECT_EQ(filled.answers["start"].text, "2026-03-31");  // 44650 days after 1904-01-01
  EXPECT_EQ(filled.answers["klar"].text, "ja");
  EXPECT_EQ(filled.answers["antal"].text, "#N/A");
  EXPECT_EQ(filled.answers.count("beskrivning"), 0u);  // not in the file: left out
}

TEST(XlsxFormTest, ExcelDatesInThe1900System) {
  const Field date{.id = "d", .type = FieldType::kDate};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1", "1900-01-01"}, {"59", "1900-02-28"}, {"61", "1900-03-01"}, {"46082.75", "2026-03-01"},
      {"2958465", "9999-12-31"}, {"60", "60"}, {"0", "0"}, {"2958466", "2958466"}};
  for (const auto& [serial, text] : cases) {
    const std::string bytes = Workbook(
        {{"xl/workbook.xml", WorkbookXml(false)},
         {"xl/_rels/workbook.xml.rels", kWorkbookRels},
         {"xl/sharedStrings.xml", kSharedStrings},
         {"xl/worksheets/sheet1.xml",
          Sheet(R"(<row r="2"><c r="B2"><v>)" + serial + R"(</v></c><c r="D2" t="inlineStr"><is><t>d</t></is></c></row>)")},
         {"xl/worksheets/sheet2.xml", Sheet("")}});
    FilledFile filled;
    std::string error;
    ASSERT_TRUE(ReadXlsxAnswers(bytes, {&date}, &filled, &error)) << error;
    EXPECT_EQ(filled.answers["d"].text, text) << serial;
  }
}

TEST(XlsxFormTest, HostileFilesGiveClearErrors) {
  std::string marker, error;
  EXPECT_FALSE(ReadXlsxMarker("", &marker, &error));
  EXPECT_EQ(error, kNotDocument);
  EXPECT_FALSE(ReadXlsxMarker("Detta är ingen kalkylbok.", &marker, &error));
  EXPECT_EQ(error, kNotDocument);
  std::string garbage = "PK\x03\x04";
  for (int i = 0; i < 500; ++i) garbage += static_cast<char>((i * 7919) % 251);
  error.clear();
  EXPECT_FALSE(ReadXlsxMarker(garbage, &marker, &error));
  EXPECT_FALSE(error.empty());

  // A ZIP that is no workbook.
  EXPECT_FALSE(ReadXlsxMarker(Workbook({{"hello.txt", "hej"}}), &marker, &error));
  EXPECT_EQ(error, kNotDocument);

  // Broken XML: the part is named.
  EXPECT_FALSE(ReadXlsxMarker(Workbook({{"xl/workbook.xml", "<workbook><sheets>"}}), &marker, &error));
  EXPECT_NE(error.find("xl/workbook.xml"), std::string::npos) << error;

  const AllTypes all;
  const std::vector<const Field*> fields = FieldsOf(all.Offline(false));
  auto with_form_sheet = [&](const std::string& sheet, const char* shared = kSharedStrings) {
    return Workbook({{"xl/workbook.xml", WorkbookXml(false)},
                     {"xl/_rels/workbook.xml.rels", kWorkbookRels},
                     {"xl/sharedStrings.xml", shared},
                     {"xl/worksheets/sheet1.xml", sheet},
                     {"xl/worksheets/sheet2.xml", Sheet(R"(<row r="1"><c r="A1" t="s"><v>2</v></c></row>)")}});
  };
  FilledFile filled;
  // Cells outside Excel's grid.
  EXPECT_FALSE(ReadXlsxAnswers(with_form_sheet(Sheet(R"(<row r="1048577"><c><v>1</v></c></row>)")), fields,
                               &filled, &error));
  EXPECT_NE(error.find("utanför Excels gränser"), std::string::npos) << error;
  EXPECT_FALSE(ReadXlsxAnswers(with_form_sheet(Sheet(R"(<row r="1"><c r="XFE1"><v>1</v></c></row>)")), fields,
                               &filled, &error));
  EXPECT_NE(error.find("XFE1"), std::string::npos) << error;
  // A shared string that is not there; a broken sheet; broken shared strings.
  EXPECT_FALSE(ReadXlsxAnswers(with_form_sheet(Sheet(R"(<row r="1"><c r="B1" t="s"><v>99</v></c></row>)")), fields,
                               &filled, &error));
  EXPECT_NE(error.find("Formulär"), std::string::npos) << error;
  EXPECT_FALSE(ReadXlsxAnswers(with_form_sheet("<worksheet><sheetData><row>"), fields, &filled, &error));
  EXPECT_NE(error.find("xl/worksheets/sheet1.xml"), std::string::npos) << error;
  EXPECT_FALSE(ReadXlsxMarker(with_form_sheet(Sheet(""), "<sst><si>"), &marker, &error));
  EXPECT_NE(error.find("xl/sharedStrings.xml"), std::string::npos) << error;

  // A workbook that is no form of Spegla's: no marker sheet.
  ScratchDir dir("spegla-xlsx-form");
  std::string out;
  ASSERT_EQ(test::RunCommand(std::string(test::kPython) +
                                 " -c 'import openpyxl, sys; wb = openpyxl.Workbook(); wb.active[\"A1\"] = \"hej\"; "
                                 "wb.save(sys.argv[1])' " +
                                 test::ShellQuoted(dir.File("plain.xlsx")) + " 2>&1",
                             out),
            0)
      << out;
  const std::string plain = ReadFile(dir.File("plain.xlsx"));
  EXPECT_FALSE(ReadXlsxMarker(plain, &marker, &error));
  EXPECT_EQ(error, kNoMarker);
  EXPECT_FALSE(ReadXlsxAnswers(plain, fields, &filled, &error));
  EXPECT_NE(error.find("Formulär"), std::string::npos) << error;

  // A ZIP bomb: refused before inflating.
  docx::ZipWriter zip(4096);
  docx::ZipEntry like;
  like.name = "xl/workbook.xml";
  zip.AddDeflated(like, std::string(10u << 20, ' '));
  EXPECT_FALSE(ReadXlsxMarker(zip.Finish(), &marker, &error));
  EXPECT_FALSE(error.empty());
}

TEST(XlsxFormTest, GroupSheetNamesAreValidAndUnique) {
  Form form;
  form.id = "f";
  for (const char* label : {"Tider", "tider", "Rader/kolumner: [a]*?\\", "", "'Citerad'",
                            "En mycket lång etikett som inte får plats i ett bladnamn", "Formulär", "History"}) {
    Field& group = form.fields.emplace_back();
    group.id = "g" + std::to_string(form.fields.size());
    group.type = FieldType::kGroup;
    group.label = label;
    group.columns.push_back(Field{.id = "c", .type = FieldType::kText, .label = "C"});
  }
  OfflineForm offline;
  offline.form = &form;
  offline.title = "Grupper";
  offline.marker = kMarker;
  for (const Field& field : form.fields) {
    offline.fields.push_back(OfflineField{.field = &field,
                                          .value = Value{std::vector<Row>{Row{{"c", Value{field.id}}}}},
                                          .editable = true});
  }
  ExpectSameValues(offline, WriteXlsxForm(offline), "groups");
  ScratchDir dir("spegla-xlsx-form");
  WriteFile(dir.File("groups.xlsx"), WriteXlsxForm(offline));
  const json::value view = Inspect(dir, dir.File("groups.xlsx"));
  ASSERT_TRUE(view.is_object());
  std::vector<std::string> names;
  for (const json::value& sheet : view.at("sheets").as_array()) names.emplace_back(sheet.at("name").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"Formulär", "Tider", "tider (2)", "Rader kolumner a", "Tabell",
                                             "Citerad", "En mycket lång etikett som inte", "Formulär (2)",
                                             "History (2)", "Listor", "spegla"}));
}

}  // namespace
}  // namespace spegla::offline
