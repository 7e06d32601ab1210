// One CSV field (plugins/csv/csv_field.h): quoting, Swedish numbers, and every formula-injection case.
#include "csv_field.h"

#include <gtest/gtest.h>

namespace spegla::csv {
namespace {

std::string Field(const Cell& cell, char separator = ',') {
  std::string out;
  AppendField(cell, separator, out);
  return out;
}

TEST(CsvField, TextThatASpreadsheetWouldRunAsAFormulaGetsAQuote) {
  EXPECT_EQ(Field(Cell::Text("=1+1")), "'=1+1");
  EXPECT_EQ(Field(Cell::Text("+46 31 123 45")), "'+46 31 123 45");
  EXPECT_EQ(Field(Cell::Text("-5")), "'-5");
  EXPECT_EQ(Field(Cell::Text("@SUM(A1:A9)")), "'@SUM(A1:A9)");
  EXPECT_EQ(Field(Cell::Text("\tTAB")), "'\tTAB");
  EXPECT_EQ(Field(Cell::Text("\rCR")), "\"'\rCR\"");
  EXPECT_EQ(Field(Cell::Text("=cmd|' /C calc'!A0")), "'=cmd|' /C calc'!A0");
  EXPECT_EQ(Field(Cell::Text("=HYPERLINK(\"http://x\";\"a\")"), ';'),
            "\"'=HYPERLINK(\"\"http://x\"\";\"\"a\"\")\"");
  // After leading spaces and line feeds too: programs that trim them on import would see a formula.
  EXPECT_EQ(Field(Cell::Text("  =1+1")), "'  =1+1");
  EXPECT_EQ(Field(Cell::Text("\n-2")), "\"'\n-2\"");
}

TEST(CsvField, OtherTextIsLeftAsItIs) {
  EXPECT_EQ(Field(Cell::Text("Åby skola")), "Åby skola");
  EXPECT_EQ(Field(Cell::Text("a=b")), "a=b");
  EXPECT_EQ(Field(Cell::Text("5-3")), "5-3");
  EXPECT_EQ(Field(Cell::Text("  ")), "  ");
  EXPECT_EQ(Field(Cell::Text("")), "");
  EXPECT_EQ(Field(Cell::Text("'redan citerad")), "'redan citerad");
}

TEST(CsvField, NumbersAreNumbersAndAreNeverGuarded) {
  EXPECT_EQ(Field(Cell::Number(-5)), "-5");
  EXPECT_EQ(Field(Cell::Number(-5), ';'), "-5");
  EXPECT_EQ(Field(Cell::Number(2.5)), "2.5");
  EXPECT_EQ(Field(Cell::Number(2.5), ';'), "2,5");  // a decimal comma, as Swedish Excel expects
  EXPECT_EQ(Field(Cell::Number(-1234567.25), ';'), "-1234567,25");
  EXPECT_EQ(Field(Cell::Number(1e20)), "100000000000000000000");
}

TEST(CsvField, FieldsHoldingTheSeparatorAQuoteOrALineBreakAreQuoted) {
  EXPECT_EQ(Field(Cell::Text("Åby, Partille")), "\"Åby, Partille\"");
  EXPECT_EQ(Field(Cell::Text("Åby, Partille"), ';'), "Åby, Partille");
  EXPECT_EQ(Field(Cell::Text("Åby; Partille"), ';'), "\"Åby; Partille\"");
  EXPECT_EQ(Field(Cell::Text("Karin \"Kajsa\" Holm")), "\"Karin \"\"Kajsa\"\" Holm\"");
  EXPECT_EQ(Field(Cell::Text("rad ett\nrad två")), "\"rad ett\nrad två\"");
  EXPECT_EQ(Field(Cell::Text("rad ett\r\nrad två")), "\"rad ett\r\nrad två\"");
}

TEST(CsvField, DatesBooleansAndEmptyCells) {
  EXPECT_EQ(Field(Cell::Day(20415)), "2025-11-23");
  EXPECT_EQ(Field(Cell::Instant(20415LL * 86400 + 8 * 3600 + 30 * 60)), "2025-11-23 08:30");
  EXPECT_EQ(Field(Cell::Bool(true)), "Ja");
  EXPECT_EQ(Field(Cell::Bool(false)), "Nej");
  EXPECT_EQ(Field(Cell{}), "");
}

TEST(CsvField, TheGuardAsAFunction) {
  EXPECT_TRUE(NeedsFormulaGuard("=A1"));
  EXPECT_TRUE(NeedsFormulaGuard(" \n @x"));
  EXPECT_FALSE(NeedsFormulaGuard(""));
  EXPECT_FALSE(NeedsFormulaGuard(" x=1"));
}

}  // namespace
}  // namespace spegla::csv
