// The csv export plugin through the ExportWriter interface: the exact bytes (BOM, CRLF, separators,
// quoting, decimal comma, every formula-injection case), the rules of one table, streaming; and the files
// read back by python's csv module and by LibreOffice (which must find numbers, dates and no formula).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "../../engine/engine_test_support.h"
#include "../../support/external_programs.h"
#include "../export_test_support.h"

namespace spegla::test {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kDay = 20415;  // 2025-11-23

TestSheet Overview() {
  TestSheet sheet{SheetSpec{"Översikt",
                            {{"Nr", CellType::kNumber},
                             {"Enhet"},
                             {"Start", CellType::kDate},
                             {"Ändrad", CellType::kDateTime},
                             {"Klar", CellType::kBool}}}};
  sheet.rows = {
      {Cell::Number(1), Cell::Text("Åby skola, Partille"), Cell::Day(kDay),
       Cell::Instant(kDay * 86400 + 8 * 3600 + 30 * 60), Cell::Bool(true)},
      {Cell::Number(-2.5), Cell::Text("Karin \"Kajsa\" Holm; rektor"), Cell{}, Cell{}, Cell::Bool(false)}};
  return sheet;
}

// Every injection case OWASP names, and the same characters where they are harmless.
TestSheet Injections() {
  TestSheet sheet{SheetSpec{"Översikt", {{"Text"}, {"Tal", CellType::kNumber}}}};
  for (const char* text : {"=1+1", "+46 31 123 45", "-5", "@SUM(A1:A2)", "\tflik", "\rretur",
                           "=cmd|' /C calc'!A0", "  =1+1", "a=b", "5-3"}) {
    sheet.rows.push_back({Cell::Text(text), Cell::Number(-5)});
  }
  return sheet;
}

class CsvExportTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::vector<TestSheet>& sheets, char separator = ',') {
    const std::string path = dir_.File(name);
    const std::vector<std::string> problems = WriteTables(Csv(), path, sheets, {}, ExportOptions{separator});
    EXPECT_THAT(problems, IsEmpty()) << Lines(problems);
    return path;
  }

  ScratchDir dir_{"spegla-csv"};
};

TEST(CsvPlugin, DescribesItself) {
  EXPECT_EQ(Csv().Name(), "csv");
  EXPECT_EQ(Csv().Extension(), "csv");
  EXPECT_EQ(Csv().Produces(), "text/csv");
  EXPECT_FALSE(Csv().MultipleSheets());
}

TEST_F(CsvExportTest, CommaSeparatedUtf8WithAByteOrderMarkAndCrlf) {
  EXPECT_EQ(ReadBytes(Write("comma.csv", {Overview()})),
            "\xEF\xBB\xBF"
            "Nr,Enhet,Start,Ändrad,Klar\r\n"
            "1,\"Åby skola, Partille\",2025-11-23,2025-11-23 08:30,Ja\r\n"
            "-2.5,\"Karin \"\"Kajsa\"\" Holm; rektor\",,,Nej\r\n");
}

TEST_F(CsvExportTest, SemicolonSeparatedWithADecimalComma) {
  EXPECT_EQ(ReadBytes(Write("semicolon.csv", {Overview()}, ';')),
            "\xEF\xBB\xBF"
            "Nr;Enhet;Start;Ändrad;Klar\r\n"
            "1;Åby skola, Partille;2025-11-23;2025-11-23 08:30;Ja\r\n"
            "-2,5;\"Karin \"\"Kajsa\"\" Holm; rektor\";;;Nej\r\n");
}

TEST_F(CsvExportTest, EveryFormulaInjectionIsGuardedAndNumbersAreNot) {
  EXPECT_EQ(ReadBytes(Write("injections.csv", {Injections()})),
            "\xEF\xBB\xBF"
            "Text,Tal\r\n"
            "'=1+1,-5\r\n"
            "'+46 31 123 45,-5\r\n"
            "'-5,-5\r\n"
            "'@SUM(A1:A2),-5\r\n"
            "'\tflik,-5\r\n"
            "\"'\rretur\",-5\r\n"
            "'=cmd|' /C calc'!A0,-5\r\n"
            "'  =1+1,-5\r\n"
            "a=b,-5\r\n"
            "5-3,-5\r\n");
}

TEST_F(CsvExportTest, PythonsCsvModuleReadsBackEveryField) {
  for (char separator : {',', ';'}) {
    const std::string path = Write(std::string("python") + separator + ".csv", {Overview()}, separator);
    const std::string decimal = separator == ';' ? "-2,5" : "-2.5";
    EXPECT_THAT(CsvRows(path, std::string(1, separator)),
                ElementsAre(ElementsAre("Nr", "Enhet", "Start", "Ändrad", "Klar"),
                            ElementsAre("1", "Åby skola, Partille", "2025-11-23", "2025-11-23 08:30", "Ja"),
                            ElementsAre(decimal, "Karin \"Kajsa\" Holm; rektor", "", "", "Nej")))
        << separator;
  }
  TestSheet lines{SheetSpec{"Text", {{"Text"}}}};
  lines.rows = {{Cell::Text("rad ett\nrad två")}, {Cell::Text("\rretur")}};
  EXPECT_THAT(CsvRows(Write("lines.csv", {lines}), ","),
              ElementsAre(ElementsAre("Text"), ElementsAre("rad ett\nrad två"), ElementsAre("'\rretur")));
}

TEST_F(CsvExportTest, LibreOfficeReadsNumbersDatesAndTextButNoFormula) {
  // Swedish CSV (';', decimal comma, language sv-SE = 1053) and the international one (',', en-US = 1033),
  // each opened by LibreOffice and saved as a workbook that openpyxl reads.
  TestSheet sheet = Injections();
  sheet.rows.push_back({Cell::Text("Åby"), Cell::Number(1234567.25)});
  sheet.rows.push_back({Cell::Text("Dag"), Cell::Number(0.5)});
  const std::string semicolon = Write("sv.csv", {sheet}, ';');
  const std::string comma = Write("en.csv", {sheet}, ',');
  ASSERT_TRUE(
      ConvertWithLibreOffice(dir_.path(), {semicolon}, "xlsx", dir_.File("sv"), "CSV:59,34,76,1,,1053"));
  ASSERT_TRUE(ConvertWithLibreOffice(dir_.path(), {comma}, "xlsx", dir_.File("en"), "CSV:44,34,76,1,,1033"));

  for (const std::string& book : {dir_.File("sv/sv.xlsx"), dir_.File("en/en.xlsx")}) {
    const json::value read = ReadTable(book);
    ASSERT_TRUE(read.is_object()) << book;
    const json::array& rows = read.at("sheets").as_array()[0].at("rows").as_array();
    ASSERT_EQ(rows.size(), 13u) << book;
    std::vector<std::string> texts;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const json::object& text = rows[r].as_array()[0].as_object();
      const json::object& number = rows[r].as_array()[1].as_object();
      EXPECT_EQ(text.at("t").as_string(), "str") << book << " row " << r << ": " << json::serialize(text);
      texts.emplace_back(text.at("v").as_string());
      EXPECT_NE(number.at("t").as_string(), "str") << book << " row " << r << ": " << json::serialize(number);
    }
    EXPECT_THAT(texts, ElementsAre("'=1+1", "'+46 31 123 45", "'-5", "'@SUM(A1:A2)", "'\tflik", "'\nretur",
                                   "'=cmd|' /C calc'!A0", "'  =1+1", "a=b", "5-3", "Åby", "Dag"))
        << book;
    EXPECT_EQ(json::serialize(rows[1].as_array()[1].at("v")), "-5") << book;
    EXPECT_EQ(rows[11].as_array()[1].at("v").as_double(), 1234567.25) << book;
    EXPECT_EQ(rows[12].as_array()[1].at("v").as_double(), 0.5) << book;
  }
}

TEST_F(CsvExportTest, DatesAreReadAsDatesByLibreOffice) {
  const std::string path = Write("dates.csv", {Overview()}, ';');
  ASSERT_TRUE(ConvertWithLibreOffice(dir_.path(), {path}, "xlsx", dir_.File("out"),
                                     "CSV:59,34,76,1,,1053,false,true"));
  const json::value read = ReadTable(dir_.File("out/dates.xlsx"));
  ASSERT_TRUE(read.is_object());
  const json::array& row = read.at("sheets").as_array()[0].at("rows").as_array()[1].as_array();
  EXPECT_EQ(row[2].at("t").as_string(), "datetime");
  EXPECT_EQ(row[2].at("v").as_string(), "2025-11-23T00:00:00");
  EXPECT_EQ(row[3].at("t").as_string(), "datetime");
  EXPECT_EQ(row[3].at("v").as_string(), "2025-11-23T08:30:00");
}

TEST_F(CsvExportTest, ASecondSheetIsAProblemAndOnlyTheFirstIsWritten) {
  TestSheet second{SheetSpec{"Sammanfattning", {{"Process"}}}};
  second.rows = {{Cell::Text("KU8")}};
  const std::string path = dir_.File("two.csv");
  EXPECT_THAT(WriteTables(Csv(), path, {Overview(), second}),
              ElementsAre("a CSV file holds one table: the sheet 'Sammanfattning' cannot be added beside "
                          "'Översikt'"));
  EXPECT_EQ(CsvRows(path, ",").size(), 3u);
}

TEST_F(CsvExportTest, EveryRecordHasTheHeadersFieldsAndExtraCellsAreAProblem) {
  TestSheet sheet{SheetSpec{"Översikt", {{"A"}, {"B"}, {"C"}}}};
  sheet.rows = {{Cell::Text("a")}, {}, {Cell::Text("a"), Cell::Text("b"), Cell::Text("c"), Cell::Text("d")}};
  const std::string path = dir_.File("ragged.csv");
  EXPECT_THAT(WriteTables(Csv(), path, {sheet}),
              ElementsAre("row 3 has 4 cells, more than the table's 3 columns; the rest were left out"));
  EXPECT_EQ(ReadBytes(path),
            "\xEF\xBB\xBF"
            "A,B,C\r\na,,\r\n,,\r\na,b,c\r\n");
}

TEST_F(CsvExportTest, HeadingRowsAreOrdinaryRowsAndChartsAreIgnored) {
  TestSheet sheet{SheetSpec{"Sammanfattning", {{"Process"}, {"Antal", CellType::kNumber}}, false}};
  sheet.rows = {{Cell::Text("KU8"), Cell::Number(3)}, {Cell::Text("Kommun"), Cell::Text("Antal")}};
  sheet.styles = {RowStyle::kData, RowStyle::kHeading};
  sheet.charts = {ChartSpec{"Processer", "", "", 0, 1, 1, 0, {1}, false}};
  EXPECT_EQ(ReadBytes(Write("summary.csv", {sheet})),
            "\xEF\xBB\xBF"
            "Process,Antal\r\nKU8,3\r\nKommun,Antal\r\n");
}

TEST_F(CsvExportTest, EmptyTablesAreValid) {
  const std::string path = Write("empty.csv", {TestSheet{SheetSpec{"Översikt", {{"Kommun"}, {"Enhet"}}}}});
  EXPECT_EQ(ReadBytes(path),
            "\xEF\xBB\xBF"
            "Kommun,Enhet\r\n");
  EXPECT_THAT(CsvRows(path, ","), ElementsAre(ElementsAre("Kommun", "Enhet")));
  ASSERT_TRUE(ConvertWithLibreOffice(dir_.path(), {path}, "xlsx", dir_.File("out"), "CSV:44,34,76,1"));
  const json::value read = ReadTable(dir_.File("out/empty.xlsx"));
  ASSERT_TRUE(read.is_object());
  EXPECT_EQ(read.at("sheets").as_array()[0].at("rows").as_array().size(), 1u);
}

TEST_F(CsvExportTest, RowsAreStreamedToTheFileBeforeFinish) {
  const std::string path = dir_.File("large.csv");
  OpenedWriter opened = Csv().Open(path, {}, {});
  ASSERT_TRUE(opened.writer) << opened.problem;
  const std::size_t sheet =
      opened.writer->AddSheet(SheetSpec{"Översikt", {{"Nr", CellType::kNumber}, {"Text"}}});
  for (int i = 0; i < 100'000; ++i) {
    opened.writer->AddRow(sheet, std::vector<Cell>{Cell::Number(i), Cell::Text("en rad med lite text")});
  }
  const auto before_finish = std::filesystem::file_size(path);
  EXPECT_GT(before_finish, 2'000'000u);
  EXPECT_THAT(opened.writer->Finish(), IsEmpty());
  const auto after_finish = std::filesystem::file_size(path);
  EXPECT_LT(after_finish - before_finish, 70'000u);  // at most the buffer was left
}

TEST_F(CsvExportTest, OpenRefusesOtherSeparatorsAndPathsThatCannotBeCreated) {
  OpenedWriter tab = Csv().Open(dir_.File("tab.csv"), {}, ExportOptions{'\t'});
  EXPECT_EQ(tab.writer, nullptr);
  EXPECT_EQ(tab.problem, "the CSV separator must be ',' or ';', not '\t'");
  OpenedWriter missing = Csv().Open(dir_.File("no-such-dir/x.csv"), {}, {});
  EXPECT_EQ(missing.writer, nullptr);
  EXPECT_EQ(missing.problem,
            "cannot create " + dir_.File("no-such-dir/x.csv") + ": No such file or directory");
}

}  // namespace
}  // namespace spegla::test
