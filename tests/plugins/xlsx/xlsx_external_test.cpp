// Workbooks of the xlsx plugin opened by LibreOffice (headless), which converts every sheet to CSV: every
// value is there as written (a text "=1+1" is no formula), dates show in their format, and empty workbooks
// open too. LibreOffice is installed by scripts/install-deps.sh --with-tests; without it these tests fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "../../engine/engine_test_support.h"
#include "../../support/external_programs.h"
#include "../export_test_support.h"

namespace spegla::test {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

// LibreOffice's CSV export of every sheet (the 12th option, -1) to FILE-SHEET.csv, in UTF-8 (76), values as
// shown (the 9th option).
constexpr const char* kEverySheetAsCsv =
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";

TEST(XlsxExternal, LibreOfficeOpensEveryWorkbookAndFindsEveryValue) {
  ScratchDir dir("spegla-xlsx-soffice");
  const std::int64_t day = std::chrono::sys_days{2026y / 11 / 23}.time_since_epoch().count();
  TestSheet overview{SheetSpec{"Översikt",
                               {{"Nr", CellType::kNumber},
                                {"Enhet"},
                                {"Start", CellType::kDate},
                                {"Ändrad", CellType::kDateTime},
                                {"Klar", CellType::kBool},
                                {"Kommentar"}}}};
  overview.rows = {{Cell::Number(1), Cell::Text("Åby skola & förskola"), Cell::Day(day),
                    Cell::Instant(day * 86400 + 8 * 3600 + 30 * 60), Cell::Bool(true), Cell::Text("=1+1")},
                   {Cell::Number(2.5), Cell::Text("_x0041_"), Cell{}, Cell{}, Cell::Bool(false),
                    Cell::Text("=cmd|' /C calc'!A0")}};
  TestSheet plan{SheetSpec{"Lärplan", {{"Nr", CellType::kNumber}, {"Mål"}}}};
  plan.rows = {{Cell::Number(1), Cell::Text("rad ett\nrad två")}, {Cell::Number(-5), Cell::Text("-5")}};
  TestSheet summary{SheetSpec{"Sammanfattning", {{"Process"}, {"Antal", CellType::kNumber}}, false}};
  summary.rows = {{Cell::Text("KU8"), Cell::Number(3)}, {Cell::Text("ALP"), Cell::Number(2)}};
  summary.charts = {ChartSpec{"Processer", "Process", "Antal", 0, 1, 2, 0, {1}, false}};

  EXPECT_THAT(WriteTables(Xlsx(), dir.File("full.xlsx"), {overview, plan, summary}), IsEmpty());
  EXPECT_THAT(WriteTables(Xlsx(), dir.File("empty.xlsx"),
                          {TestSheet{SheetSpec{"Översikt", {{"Kommun"}, {"Enhet"}}}},
                           TestSheet{SheetSpec{"Sammanfattning", {{"Process"}}, false}}}),
              IsEmpty());
  EXPECT_THAT(
      WriteTables(Xlsx(), dir.File("header-only.xlsx"), {TestSheet{SheetSpec{"Översikt", {{"Kommun"}}}}}),
      IsEmpty());
  ASSERT_TRUE(ConvertWithLibreOffice(
      dir.path(), {dir.File("full.xlsx"), dir.File("empty.xlsx"), dir.File("header-only.xlsx")},
      kEverySheetAsCsv, dir.File("csv")));

  EXPECT_THAT(
      CsvRows(dir.File("csv/full-Översikt.csv"), ","),
      ElementsAre(ElementsAre("Nr", "Enhet", "Start", "Ändrad", "Klar", "Kommentar"),
                  ElementsAre("1", "Åby skola & förskola", "2026-11-23", "2026-11-23 08:30", "TRUE", "=1+1"),
                  ElementsAre("2.5", "_x0041_", "", "", "FALSE", "=cmd|' /C calc'!A0")));
  EXPECT_THAT(
      CsvRows(dir.File("csv/full-Lärplan.csv"), ","),
      ElementsAre(ElementsAre("Nr", "Mål"), ElementsAre("1", "rad ett\nrad två"), ElementsAre("-5", "-5")));
  EXPECT_THAT(CsvRows(dir.File("csv/full-Sammanfattning.csv"), ","),
              ElementsAre(ElementsAre("Process", "Antal"), ElementsAre("KU8", "3"), ElementsAre("ALP", "2")));
  EXPECT_THAT(CsvRows(dir.File("csv/empty-Översikt.csv"), ","), ElementsAre(ElementsAre("Kommun", "Enhet")));
  EXPECT_THAT(CsvRows(dir.File("csv/empty-Sammanfattning.csv"), ","), ElementsAre(ElementsAre("Process")));
  EXPECT_THAT(CsvRows(dir.File("csv/header-only-Översikt.csv"), ","), ElementsAre(ElementsAre("Kommun")));
}

}  // namespace
}  // namespace spegla::test
