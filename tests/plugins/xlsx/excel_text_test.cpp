// Text within Excel's limits and sheet names by Excel's rules (plugins/xlsx/excel_text.h).
#include "excel_text.h"

#include <gtest/gtest.h>

#include <string>

namespace spegla::xlsx {
namespace {

std::string Ready(std::string_view text) {
  std::string scratch;
  return std::string(CellText(text, scratch));
}

TEST(ExcelText, OrdinaryTextIsReturnedAsItIs) {
  std::string scratch;
  const std::string_view text = "Åby skola & förskola <4–6>\tflik\nrad två =1+1 _x";
  EXPECT_EQ(CellText(text, scratch).data(), text.data());  // no copy
  EXPECT_EQ(scratch, "");
}

TEST(ExcelText, ControlCharactersAreDroppedAndCarriageReturnsBecomeLineFeeds) {
  EXPECT_EQ(Ready(std::string("a\x01") + "b\x1F" + "c"), "abc");
  EXPECT_EQ(Ready("rad ett\r\nrad två\rrad tre"), "rad ett\nrad två\nrad tre");
  EXPECT_EQ(Ready(std::string("noll\0byte", 9)), "nollbyte");
  EXPECT_EQ(Ready(std::string("a\xEF\xBF\xBE") + "b"), "ab");  // U+FFFE is no XML character
}

TEST(ExcelText, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(Ready(std::string("a\xFF") + "b"), std::string("a\xEF\xBF\xBD") + "b");
  EXPECT_EQ(Ready("\xC3"), "\xEF\xBF\xBD");                                  // cut short
  EXPECT_EQ(Ready("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(Ready("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(Ready("ok \xEF\xBF\xBD"), "ok \xEF\xBF\xBD");                    // a real U+FFFD stays
}

TEST(ExcelText, ExcelEscapesInTheTextAreEscapedThemselves) {
  EXPECT_EQ(Ready("_x0041_"), "_x005F_x0041_");
  EXPECT_EQ(Ready("a_x00e5_b _x12_ _xGGGG_"), "a_x005F_x00e5_b _x12_ _xGGGG_");
}

TEST(ExcelText, TextBeyondExcelsLimitIsCutWithAMarker) {
  bool truncated = true;
  std::string scratch;
  const std::string fits(kMaxCellText, 'x');
  EXPECT_EQ(CellText(fits, scratch, &truncated).size(), kMaxCellText);
  EXPECT_FALSE(truncated);

  const std::string long_text(40000, 'x');
  const std::string cut(CellText(long_text, scratch, &truncated));
  EXPECT_TRUE(truncated);
  EXPECT_EQ(Utf16Length(cut), kMaxCellText);
  EXPECT_TRUE(cut.ends_with(kTruncatedMarker));

  // Cut at a character boundary, counting as Excel does: U+1F600 is two UTF-16 units.
  std::string smileys;
  for (int i = 0; i < 20000; ++i) smileys += "\xF0\x9F\x98\x80";
  const std::string cut_smileys(CellText(smileys, scratch, &truncated));
  EXPECT_TRUE(truncated);
  EXPECT_LE(Utf16Length(cut_smileys), kMaxCellText);
  EXPECT_GE(Utf16Length(cut_smileys), kMaxCellText - 1);
  EXPECT_EQ(cut_smileys.substr(0, cut_smileys.size() - kTruncatedMarker.size()).size() % 4, 0u);

  const std::string aa =
      "\xC3\xA5" + std::string(kMaxCellText - 1, 'a');  // 32,767 characters in 32,768 bytes
  EXPECT_EQ(CellText(aa, scratch, &truncated).size(), aa.size());
  EXPECT_FALSE(truncated);
}

TEST(ExcelText, SheetNamesFollowExcelsRules) {
  EXPECT_EQ(SheetNameProblem("Översikt"), "");
  EXPECT_EQ(SheetNameProblem("Lärande besök – KU8 (2026)"), "");
  EXPECT_EQ(SheetNameProblem(std::string(31, 'a')), "");
  std::string wide;
  for (int i = 0; i < 31; ++i) wide += "Å";
  EXPECT_EQ(SheetNameProblem(wide), "");  // 31 characters in 62 bytes
  EXPECT_NE(SheetNameProblem(wide + "Å"), "");
  EXPECT_EQ(SheetNameProblem(""), "a sheet has an empty name");
  EXPECT_EQ(SheetNameProblem(std::string(32, 'a')),
            "the sheet name '" + std::string(32, 'a') + "' has 32 characters; Excel allows at most 31");
  for (char c : std::string("[]:*?/\\")) {
    const std::string name = std::string("a") + c + "b";
    EXPECT_EQ(SheetNameProblem(name),
              "the sheet name '" + name + "' contains '" + std::string(1, c) +
                  "', which Excel does not allow in a sheet name (none of [ ] : * ? / \\)");
  }
  EXPECT_EQ(SheetNameProblem("'citat"),
            "the sheet name ''citat' starts or ends with an apostrophe, which Excel does not allow");
  EXPECT_EQ(SheetNameProblem("HISTORY"), "the sheet name 'HISTORY' is reserved by Excel");
  EXPECT_EQ(SheetNameProblem("a\xFF"), "the sheet name 'a\xFF' is not valid UTF-8");
}

TEST(ExcelText, SheetNamesCompareWithoutCaseAlsoForSwedishLetters) {
  EXPECT_EQ(FoldedSheetName("ÖVERSIKT Åby ÄNG"), "översikt åby äng");
  EXPECT_EQ(FoldedSheetName("Översikt"), FoldedSheetName("öVERSIKT"));
  EXPECT_NE(FoldedSheetName("Översikt"), FoldedSheetName("Oversikt"));
  EXPECT_EQ(FoldedSheetName("×"), "×");  // U+00D7 is no letter
}

}  // namespace
}  // namespace spegla::xlsx
