// The xlsx export plugin, written through the ExportWriter interface and read back by openpyxl (Debian's
// python3-openpyxl, through tests/tools/table_read.py): every value with its type, the header's style, the
// frozen header, the filter, column widths, charts, document properties; and every problem Finish reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "../../engine/engine_test_support.h"
#include "../../support/external_programs.h"
#include "../export_test_support.h"
#include "excel_text.h"

namespace spegla::test {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

std::int64_t Days(std::chrono::year_month_day day) {
  return std::chrono::sys_days{day}.time_since_epoch().count();
}
std::int64_t Seconds(std::chrono::year_month_day day, std::chrono::seconds time) {
  return Days(day) * 86400 + time.count();
}

const json::object& SheetNamed(const json::value& book, std::string_view name) {
  static const json::object none;
  if (book.is_object()) {
    for (const json::value& sheet : book.at("sheets").as_array()) {
      if (sheet.at("name").as_string() == name) return sheet.as_object();
    }
  }
  ADD_FAILURE() << "no sheet '" << name << "' in " << json::serialize(book).substr(0, 2000);
  return none;
}

std::vector<std::string> SheetNames(const json::value& book) {
  std::vector<std::string> names;
  for (const json::value& sheet : book.at("sheets").as_array())
    names.emplace_back(sheet.at("name").as_string());
  return names;
}

std::size_t RowCount(const json::object& sheet) {
  return sheet.contains("rows") ? sheet.at("rows").as_array().size() : 0;
}

const json::value& CellAt(const json::object& sheet, std::size_t row, std::size_t col) {
  static const json::value null;
  if (row >= RowCount(sheet)) return null;
  const json::array& cells = sheet.at("rows").as_array()[row].as_array();
  return col < cells.size() ? cells[col] : null;
}

// "str:text", "int:42", "float:2.5", "bool:true", "datetime:2026-11-23T08:30:00"; "" for an empty cell.
std::string Typed(const json::value& cell) {
  if (cell.is_null()) return "";
  const json::value& v = cell.at("v");
  std::string value;
  if (v.is_string()) {
    value = v.as_string();
  } else if (v.is_double()) {  // the shortest text that reads back as the same double
    char text[32];
    value.assign(text, std::to_chars(text, text + sizeof text, v.as_double()).ptr);
  } else {
    value = json::serialize(v);
  }
  return std::string(cell.at("t").as_string()) + ":" + value;
}

std::vector<std::string> TypedRow(const json::object& sheet, std::size_t row) {
  std::vector<std::string> out;
  if (row >= RowCount(sheet)) return out;
  for (const json::value& cell : sheet.at("rows").as_array()[row].as_array()) out.push_back(Typed(cell));
  return out;
}

bool Bold(const json::value& cell) { return cell.is_object() && cell.at("bold").as_bool(); }
std::string Format(const json::value& cell) {
  return cell.is_object() ? std::string(cell.at("f").as_string()) : "";
}
std::string Str(const json::object& o, std::string_view key) {
  return o.contains(key) && o.at(key).is_string() ? std::string(o.at(key).as_string()) : "";
}

SheetSpec Spec(std::string name, std::vector<ColumnSpec> columns, bool autofilter = true) {
  return SheetSpec{std::move(name), std::move(columns), autofilter};
}

class XlsxExportTest : public ::testing::Test {
 protected:
  // Writes the sheets to `name` (expecting no problem) and reads the workbook back with openpyxl.
  json::value WriteAndRead(const std::string& name, const std::vector<TestSheet>& sheets,
                           const WorkbookInfo& info = {}) {
    const std::string path = dir_.File(name);
    const std::vector<std::string> problems = WriteTables(Xlsx(), path, sheets, info);
    EXPECT_THAT(problems, IsEmpty()) << Lines(problems);
    return ReadTable(path);
  }

  ScratchDir dir_{"spegla-xlsx"};
};

const std::int64_t kDay = Days(2026y / 11 / 23);
const std::int64_t kInstant = Seconds(2026y / 11 / 23, 8h + 30min);

TestSheet Overview() {
  TestSheet sheet;
  sheet.spec = Spec("Översikt", {{"Nr", CellType::kNumber},
                                 {"Enhet", CellType::kText},
                                 {"Start", CellType::kDate},
                                 {"Ändrad", CellType::kDateTime},
                                 {"Klar", CellType::kBool},
                                 {"Kommentar", CellType::kText}});
  sheet.rows = {
      {Cell::Number(1), Cell::Text("Åby skola & förskola <4–6>"), Cell::Day(kDay), Cell::Instant(kInstant),
       Cell::Bool(true), Cell::Text("=1+1")},
      {Cell::Number(2.5), Cell::Text("-5"), Cell::Day(0), Cell::Instant(0), Cell::Bool(false),
       Cell::Text("=cmd|' /C calc'!A0")},
      {Cell::Number(-5), Cell::Text("rad ett\nrad två"), Cell{}, Cell{}, Cell{}, Cell::Text("@SUM(A1)")},
      {Cell::Number(0.1 + 0.2), Cell::Text("+46 31 123 45")},
  };
  return sheet;
}

TEST(XlsxPlugin, DescribesItself) {
  EXPECT_EQ(Xlsx().Name(), "xlsx");
  EXPECT_EQ(Xlsx().Extension(), "xlsx");
  EXPECT_EQ(Xlsx().Produces(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_TRUE(Xlsx().MultipleSheets());
}

TEST_F(XlsxExportTest, OpenpyxlReadsEveryValueWithItsType) {
  const json::value book = WriteAndRead("typed.xlsx", {Overview()});
  const json::object& sheet = SheetNamed(book, "Översikt");
  ASSERT_EQ(RowCount(sheet), 5u);
  EXPECT_THAT(TypedRow(sheet, 0),
              ElementsAre("str:Nr", "str:Enhet", "str:Start", "str:Ändrad", "str:Klar", "str:Kommentar"));
  EXPECT_THAT(TypedRow(sheet, 1),
              ElementsAre("int:1", "str:Åby skola & förskola <4–6>", "datetime:2026-11-23T00:00:00",
                          "datetime:2026-11-23T08:30:00", "bool:true", "str:=1+1"));
  EXPECT_THAT(TypedRow(sheet, 2),
              ElementsAre("float:2.5", "str:-5", "datetime:1970-01-01T00:00:00",
                          "datetime:1970-01-01T00:00:00", "bool:false", "str:=cmd|' /C calc'!A0"));
  EXPECT_THAT(TypedRow(sheet, 3), ElementsAre("int:-5", "str:rad ett\nrad två", "", "", "", "str:@SUM(A1)"));
  // libxlsxwriter writes numbers with 16 significant digits (Excel shows 15).
  EXPECT_THAT(TypedRow(sheet, 4), ElementsAre("float:0.3", "str:+46 31 123 45", "", "", "", ""));
  EXPECT_EQ(Format(CellAt(sheet, 1, 2)), "yyyy-mm-dd");
  EXPECT_EQ(Format(CellAt(sheet, 1, 3)), "yyyy-mm-dd hh:mm");
  EXPECT_EQ(Format(CellAt(sheet, 1, 0)), "General");
}

TEST_F(XlsxExportTest, TheHeaderIsBoldFrozenAndFilteredOverEveryRow) {
  const json::value book = WriteAndRead("header.xlsx", {Overview()});
  const json::object& sheet = SheetNamed(book, "Översikt");
  for (std::size_t col = 0; col < 6; ++col) {
    EXPECT_TRUE(Bold(CellAt(sheet, 0, col))) << col;
    EXPECT_FALSE(Bold(CellAt(sheet, 1, col))) << col;
  }
  EXPECT_EQ(Str(sheet, "freeze_panes"), "A2");
  EXPECT_EQ(Str(sheet, "auto_filter"), "A1:F5");
}

TEST_F(XlsxExportTest, HeadingRowsAreStyledLikeTheHeader) {
  TestSheet sheet;
  sheet.spec = Spec("Sammanfattning", {{"Process"}, {"Antal", CellType::kNumber}}, false);
  sheet.rows = {{Cell::Text("KU8"), Cell::Number(3)},
                {},
                {Cell::Text("Kommun"), Cell::Text("Antal")},
                {Cell::Text("Partille"), Cell::Number(2)}};
  sheet.styles = {RowStyle::kData, RowStyle::kData, RowStyle::kHeading, RowStyle::kData};
  const json::value book = WriteAndRead("headings.xlsx", {sheet});
  const json::object& s = SheetNamed(book, "Sammanfattning");
  ASSERT_EQ(RowCount(s), 5u);
  EXPECT_THAT(TypedRow(s, 3), ElementsAre("str:Kommun", "str:Antal"));
  EXPECT_TRUE(Bold(CellAt(s, 3, 0)));
  EXPECT_TRUE(Bold(CellAt(s, 3, 1)));
  EXPECT_FALSE(Bold(CellAt(s, 1, 0)));
  EXPECT_FALSE(Bold(CellAt(s, 4, 0)));
  EXPECT_EQ(Str(s, "auto_filter"), "");  // autofilter = false: a sheet of several tables
  EXPECT_EQ(Str(s, "freeze_panes"), "A2");
}

TEST_F(XlsxExportTest, InterleavedSheetsKeepEachTheirRowsInOrder) {
  // The engine writes sheets as it goes: rows of three sheets arrive interleaved, each sheet's in order.
  const std::string path = dir_.File("interleaved.xlsx");
  OpenedWriter opened = Xlsx().Open(path, {}, {});
  ASSERT_TRUE(opened.writer) << opened.problem;
  ExportWriter& w = *opened.writer;
  const std::size_t a = w.AddSheet(Spec("Översikt", {{"Nr", CellType::kNumber}, {"Text"}}));
  const std::size_t b = w.AddSheet(Spec("Lärplan", {{"Nr", CellType::kNumber}, {"Text"}}));
  constexpr int kRows = 3000;
  std::size_t c = 0;
  for (int i = 1; i <= kRows; ++i) {
    const std::string text = "rad " + std::to_string(i);
    w.AddRow(a, std::vector<Cell>{Cell::Number(i), Cell::Text(text)});
    w.AddRow(b, std::vector<Cell>{Cell::Number(-i), Cell::Text(text)});
    if (i == kRows / 2) c = w.AddSheet(Spec("Sammanfattning", {{"Nr", CellType::kNumber}}));
    if (i > kRows / 2) w.AddRow(c, std::vector<Cell>{Cell::Number(i)});
  }
  ASSERT_THAT(w.Finish(), IsEmpty());

  const json::value book = ReadTable(path);
  EXPECT_THAT(SheetNames(book), ElementsAre("Översikt", "Lärplan", "Sammanfattning"));
  const json::object& first = SheetNamed(book, "Översikt");
  const json::object& second = SheetNamed(book, "Lärplan");
  const json::object& third = SheetNamed(book, "Sammanfattning");
  ASSERT_EQ(RowCount(first), kRows + 1u);
  ASSERT_EQ(RowCount(second), kRows + 1u);
  ASSERT_EQ(RowCount(third), kRows / 2 + 1u);
  for (int i = 1; i <= kRows; ++i) {
    ASSERT_THAT(TypedRow(first, i), ElementsAre("int:" + std::to_string(i), "str:rad " + std::to_string(i)));
    ASSERT_THAT(TypedRow(second, i),
                ElementsAre("int:" + std::to_string(-i), "str:rad " + std::to_string(i)));
  }
  EXPECT_THAT(TypedRow(third, 1), ElementsAre("int:" + std::to_string(kRows / 2 + 1)));
  EXPECT_EQ(Str(first, "auto_filter"), "A1:B3001");
  EXPECT_EQ(Str(third, "auto_filter"), "A1:A1501");
}

TEST_F(XlsxExportTest, ColumnsAreAsWideAsTheirHeaderOrLongestCellUpToSixty) {
  TestSheet sheet;
  sheet.spec = Spec("Bredd", {{"Kort", CellType::kText},
                              {"En rubrik som är ganska lång", CellType::kText},
                              {"Lång", CellType::kText},
                              {"Dag", CellType::kDate},
                              {"Nr", CellType::kNumber}});
  static const std::string kLong(200, 'x');
  sheet.rows = {{Cell::Text("ab"), Cell::Text("kort"), Cell::Text(kLong), Cell::Day(kDay), Cell::Number(1)},
                {Cell::Text("abcdefghijklmnopqrst"), Cell{}, Cell{}, Cell{}, Cell::Number(1234567.25)}};
  const json::value book = WriteAndRead("widths.xlsx", {sheet});
  const json::object& widths = SheetNamed(book, "Bredd").at("widths").as_object();
  // libxlsxwriter stores a width in characters plus Excel's padding (about 0.71).
  auto width = [&](const char* col) {
    return widths.contains(col) ? widths.at(col).to_number<double>() : 0.0;
  };
  EXPECT_NEAR(width("A"), 22.7, 0.1);  // 20 characters + 2
  EXPECT_NEAR(width("B"), 31.7, 0.1);  // the header, 28 characters, + 3 for its filter button
  EXPECT_NEAR(width("C"), 60.7, 0.1);  // capped
  EXPECT_NEAR(width("D"), 12.7, 0.1);  // a date
  EXPECT_NEAR(width("E"), 12.7, 0.1);  // "1234567.25" + 2
}

TEST_F(XlsxExportTest, TextIsKeptAsWrittenAndCutWithAMarkerAtExcelsLimit) {
  static const std::string kTooLong(40000, 'x');
  TestSheet sheet;
  sheet.spec = Spec("Text", {{"Text"}});
  sheet.rows = {
      {Cell::Text(kTooLong)}, {Cell::Text("_x0041_ och _x00E5_")}, {Cell::Text("kontroll\x01tecken\r\n")}};
  const json::value book = WriteAndRead("text.xlsx", {sheet});
  const json::object& s = SheetNamed(book, "Text");
  const std::string cut = Typed(CellAt(s, 1, 0));
  EXPECT_EQ(xlsx::Utf16Length(cut) - 4, xlsx::kMaxCellText);  // "str:"
  EXPECT_TRUE(cut.ends_with(" … [avkortad]"));
  // openpyxl shows inline strings' escapes as they are; LibreOffice and Excel read "_x005F_" as '_'
  // (XlsxExternal checks LibreOffice).
  EXPECT_EQ(Typed(CellAt(s, 2, 0)), "str:_x005F_x0041_ och _x005F_x00E5_");
  EXPECT_EQ(Typed(CellAt(s, 3, 0)), "str:kontrolltecken\n");
}

TEST_F(XlsxExportTest, DatesExcelCannotHoldAreWrittenAsIsoTextAndNonNumbersAreLeftEmpty) {
  TestSheet sheet;
  sheet.spec =
      Spec("Datum", {{"Dag", CellType::kDate}, {"Tid", CellType::kDateTime}, {"Tal", CellType::kNumber}});
  sheet.rows = {{Cell::Day(Days(1899y / 12 / 31)), Cell::Instant(Seconds(1800y / 1 / 2, 13h + 5min)),
                 Cell::Number(std::nan(""))},
                {Cell::Day(Days(1900y / 3 / 1)), Cell::Instant(Seconds(9999y / 12 / 31, 23h + 59min)),
                 Cell::Number(std::numeric_limits<double>::infinity())}};
  const json::value book = WriteAndRead("dates.xlsx", {sheet});
  const json::object& s = SheetNamed(book, "Datum");
  EXPECT_THAT(TypedRow(s, 1), ElementsAre("str:1899-12-31", "str:1800-01-02 13:05", ""));
  EXPECT_THAT(TypedRow(s, 2),
              ElementsAre("datetime:1900-03-01T00:00:00", "datetime:9999-12-31T23:59:00", ""));
}

TEST_F(XlsxExportTest, DocumentPropertiesComeFromTheWorkbookInfo) {
  WorkbookInfo info;
  info.title = "Spegla – uppföljning";
  info.subject = "Lärande besök";
  info.author = "Ulla Dahl";
  info.company = "Partille kommun";
  info.keywords = "KU8, lärande besök";
  info.comments = "Skapad av spegla export";
  info.created = Seconds(2026y / 11 / 23, 8h + 30min + 15s);
  const json::value book = WriteAndRead("properties.xlsx", {Overview()}, info);
  const json::object& p = book.at("properties").as_object();
  EXPECT_EQ(Str(p, "title"), info.title);
  EXPECT_EQ(Str(p, "subject"), info.subject);
  EXPECT_EQ(Str(p, "creator"), info.author);
  EXPECT_EQ(Str(p, "keywords"), info.keywords);
  EXPECT_EQ(Str(p, "description"), info.comments);
  EXPECT_EQ(Str(p, "company"), info.company);
  EXPECT_EQ(Str(p, "created"), "2026-11-23T08:30:15");
}

TEST_F(XlsxExportTest, ChartsAreColumnChartsBesideTheirTable) {
  TestSheet sheet;
  sheet.spec = Spec("Sammanfattning",
                    {{"Process"}, {"Aktiva", CellType::kNumber}, {"Klara", CellType::kNumber}}, false);
  sheet.rows = {{Cell::Text("KU8"), Cell::Number(3), Cell::Number(1)},
                {Cell::Text("ALP"), Cell::Number(2), Cell::Number(4)},
                {},
                {Cell::Text("Kommun"), Cell::Text("Aktiva"), Cell::Text("Klara")},
                {Cell::Text("Partille"), Cell::Number(5), Cell::Number(5)}};
  sheet.styles = {RowStyle::kData, RowStyle::kData, RowStyle::kData, RowStyle::kHeading};
  sheet.charts = {
      ChartSpec{"Processer", "Process", "Antal", 0, 1, 2, 0, {1, 2}, false},
      ChartSpec{"=Kommuner", "Kommun", "Antal", 4, 5, 5, 0, {1, 2}, true},
  };
  const json::value book = WriteAndRead("charts.xlsx", {sheet});
  const json::array& charts = SheetNamed(book, "Sammanfattning").at("charts").as_array();
  ASSERT_EQ(charts.size(), 2u);
  const json::object& first = charts[0].as_object();
  EXPECT_EQ(Str(first, "type"), "BarChart");
  EXPECT_EQ(Str(first, "grouping"), "clustered");
  EXPECT_EQ(first.at("series").to_number<int>(), 2);
  EXPECT_EQ(Str(first, "title"), "Processer");
  EXPECT_EQ(Str(first, "anchor"), "E1");  // one column right of the table, level with its header
  const json::object& second = charts[1].as_object();
  EXPECT_EQ(Str(second, "grouping"), "stacked");
  EXPECT_EQ(Str(second, "title"), " =Kommuner");  // text, not a formula
  EXPECT_EQ(Str(second, "anchor"), "E17");        // below the first chart, which is in the way
}

TEST_F(XlsxExportTest, AChartOverRowsOrColumnsThatAreNotThereIsAProblem) {
  TestSheet sheet;
  sheet.spec = Spec("Sammanfattning", {{"Process"}, {"Antal", CellType::kNumber}});
  sheet.rows = {{Cell::Text("KU8"), Cell::Number(3)}};
  sheet.charts = {ChartSpec{"Rader", "", "", 0, 1, 2, 0, {1}, false},
                  ChartSpec{"Kolumner", "", "", 0, 1, 1, 0, {2}, false},
                  ChartSpec{"Inga", "", "", 0, 1, 1, 0, {}, false},
                  ChartSpec{"Bakvänd", "", "", 0, 1, 0, 0, {1}, false}};
  const std::vector<std::string> problems = WriteTables(Xlsx(), dir_.File("bad-charts.xlsx"), {sheet});
  EXPECT_THAT(
      problems,
      ElementsAre(
          "the chart 'Rader' on the sheet 'Sammanfattning' refers to row 2, but the sheet's last "
          "row is 1 (the header is row 0)",
          "the chart 'Kolumner' on the sheet 'Sammanfattning' refers to column 2, but the sheet has "
          "2 columns (counted from 0)",
          "the chart 'Inga' on the sheet 'Sammanfattning' has no value columns",
          "the chart 'Bakvänd' on the sheet 'Sammanfattning' has its first row (1) after its last (0)"));
}

TEST_F(XlsxExportTest, BadSheetNamesAreProblemsFromFinish) {
  std::vector<TestSheet> sheets;
  for (const std::string& name :
       std::vector<std::string>{"Översikt", "ÖVERSIKT", "", "Lärplan/Uppföljning", std::string(32, 'a'),
                                "History", "'Citat'", "Blad7"}) {
    sheets.push_back(TestSheet{Spec(name, {{"A"}}), {{Cell::Text("x")}}});
  }
  const std::vector<std::string> problems = WriteTables(Xlsx(), dir_.File("names.xlsx"), sheets);
  EXPECT_THAT(
      problems,
      ElementsAre("two sheets are named 'ÖVERSIKT' (Excel does not tell upper from lower case)",
                  "a sheet has an empty name",
                  "the sheet name 'Lärplan/Uppföljning' contains '/', which Excel does not allow in a sheet "
                  "name (none of [ ] : * ? / \\)",
                  "the sheet name '" + std::string(32, 'a') + "' has 32 characters; Excel allows at most 31",
                  "the sheet name 'History' is reserved by Excel",
                  "the sheet name ''Citat'' starts or ends with an apostrophe, which Excel does not allow"));
}

TEST_F(XlsxExportTest, MisuseOfTheWriterIsAProblemNotACrash) {
  OpenedWriter opened = Xlsx().Open(dir_.File("misuse.xlsx"), {}, {});
  ASSERT_TRUE(opened.writer) << opened.problem;
  const std::size_t sheet = opened.writer->AddSheet(Spec("Blad", {{"A"}, {"B"}}));
  opened.writer->AddRow(sheet, std::vector<Cell>{Cell::Text("a"), Cell::Text("b"), Cell::Text("c")});
  opened.writer->AddRow(sheet + 1, std::vector<Cell>{Cell::Text("a")});
  opened.writer->AddChart(sheet + 1, ChartSpec{"Diagram"});
  EXPECT_THAT(
      opened.writer->Finish(),
      ElementsAre("row 1 of the sheet 'Blad' has 3 cells, more than its 2 columns; the rest were left out",
                  "a row was added to sheet number 1, which does not exist",
                  "the chart 'Diagram' was added to sheet number 1, which does not exist"));
  opened.writer->AddRow(sheet, std::vector<Cell>{Cell::Text("too late")});  // ignored, no crash
  EXPECT_THAT(opened.writer->Finish(), ElementsAre(HasSubstr("was already finished")));
}

TEST_F(XlsxExportTest, EmptyWorkbooksAreValid) {
  // Sheets with a header and no rows.
  const json::value empty = WriteAndRead(
      "empty.xlsx", {TestSheet{Spec("Översikt", {{"Kommun"}, {"Enhet"}, {"Start", CellType::kDate}})},
                     TestSheet{Spec("Sammanfattning", {{"Process"}, {"Antal", CellType::kNumber}}, false)}});
  EXPECT_THAT(SheetNames(empty), ElementsAre("Översikt", "Sammanfattning"));
  const json::object& overview = SheetNamed(empty, "Översikt");
  EXPECT_EQ(RowCount(overview), 1u);
  EXPECT_THAT(TypedRow(overview, 0), ElementsAre("str:Kommun", "str:Enhet", "str:Start"));
  EXPECT_EQ(Str(overview, "auto_filter"), "A1:C1");
  EXPECT_EQ(Str(overview, "freeze_panes"), "A2");

  // Only the overview's header.
  const json::value header_only =
      WriteAndRead("header-only.xlsx", {TestSheet{Spec("Översikt", {{"Kommun"}, {"Enhet"}})}});
  EXPECT_THAT(SheetNames(header_only), ElementsAre("Översikt"));
  EXPECT_THAT(TypedRow(SheetNamed(header_only, "Översikt"), 0), ElementsAre("str:Kommun", "str:Enhet"));
}

TEST_F(XlsxExportTest, MoreRowsThanExcelHoldsIsAProblemAndTheFileStaysValid) {
  const std::string path = dir_.File("too-many.xlsx");
  OpenedWriter opened = Xlsx().Open(path, {}, {});
  ASSERT_TRUE(opened.writer) << opened.problem;
  const std::size_t sheet = opened.writer->AddSheet(Spec("Stor", {{"Nr", CellType::kNumber}}));
  constexpr std::size_t kExcelRows = 1'048'575;  // below the header
  for (std::size_t i = 1; i <= kExcelRows + 2; ++i) {
    opened.writer->AddRow(sheet, std::vector<Cell>{Cell::Number(static_cast<double>(i))});
  }
  EXPECT_THAT(
      opened.writer->Finish(),
      ElementsAre("the sheet 'Stor' has 1,048,577 rows below its header, more than Excel's 1,048,575; 2 "
                  "were left out"));
  // A valid ZIP whose sheet ends at Excel's last row (reading a million rows with openpyxl takes minutes).
  std::string out;
  ASSERT_EQ(
      RunCommand(
          std::string(kPython) +
              " -c \"import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; "
              "x = z.read('xl/worksheets/sheet1.xml'); print(x[x.rfind(b'<row '):][:40].decode())\" " +
              ShellQuoted(path) + " 2>&1",
          out),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("<row r=\"1048576\">"));
}

TEST_F(XlsxExportTest, OpenFailsWithTheReasonWhenTheFileCannotBeCreated) {
  OpenedWriter opened = Xlsx().Open(dir_.File("no-such-dir/export.xlsx"), {}, {});
  EXPECT_EQ(opened.writer, nullptr);
  EXPECT_EQ(opened.problem,
            "cannot create " + dir_.File("no-such-dir/export.xlsx") + ": No such file or directory");
}

TEST_F(XlsxExportTest, AWriterDestroyedUnfinishedLeavesNoTemporaryFile) {
  {
    OpenedWriter opened = Xlsx().Open(dir_.File("abandoned.xlsx"), {}, {});
    ASSERT_TRUE(opened.writer) << opened.problem;
    const std::size_t sheet = opened.writer->AddSheet(Spec("Blad", {{"A"}}));
    opened.writer->AddRow(sheet, std::vector<Cell>{Cell::Text("a")});
  }  // AddressSanitizer reports a leak, if any
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    files.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(files, ElementsAre("abandoned.xlsx"));
}

TEST_F(XlsxExportTest, OnePluginWritesOnSeveralThreadsAtOnce) {
  constexpr int kThreads = 4;
  std::vector<std::vector<std::string>> problems(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TestSheet sheet{Spec("Tråd", {{"Nr", CellType::kNumber}, {"Text"}})};
      std::vector<std::string> texts;
      for (int i = 0; i < 500; ++i)
        texts.push_back("tråd " + std::to_string(t) + " rad " + std::to_string(i));
      for (int i = 0; i < 500; ++i) sheet.rows.push_back({Cell::Number(i), Cell::Text(texts[i])});
      problems[t] = WriteTables(Xlsx(), dir_.File("thread" + std::to_string(t) + ".xlsx"), {sheet});
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(problems[t], IsEmpty()) << t;
    const json::value book = ReadTable(dir_.File("thread" + std::to_string(t) + ".xlsx"));
    const json::object& sheet = SheetNamed(book, "Tråd");
    ASSERT_EQ(RowCount(sheet), 501u);
    EXPECT_THAT(TypedRow(sheet, 500), ElementsAre("int:499", "str:tråd " + std::to_string(t) + " rad 499"));
  }
}

}  // namespace
}  // namespace spegla::test
