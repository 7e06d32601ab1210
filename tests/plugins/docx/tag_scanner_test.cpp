// Delimiters in a paragraph's text, read as docxtemplater reads them.
#include "tag_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spegla::docx {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Tags(std::string_view text) {
  std::vector<std::string> out;
  for (const ScannedTag& tag : ScanTags(text).tags)
    out.emplace_back(text.substr(tag.begin, tag.end - tag.begin));
  return out;
}

TEST(TagScanner, FindsEveryTag) {
  EXPECT_THAT(Tags("Enhet: {enhet}, {#lista}{.}{/lista}{}"),
              ElementsAre("{enhet}", "{#lista}", "{.}", "{/lista}", "{}"));
  EXPECT_THAT(ScanTags("Inga taggar här.").tags, IsEmpty());
  EXPECT_THAT(ScanTags("Inga taggar här.").errors, IsEmpty());
}

TEST(TagScanner, ReportsEveryBrokenDelimiterAndKeepsTheGoodTags) {
  const TagScan scan = ScanTags("{a {b} c} {{d}} {e");
  EXPECT_THAT(
      scan.errors,
      ElementsAre("the tag \u201c{a \u201d is not closed with }",
                  "the tag \u201c c}\u201d is not opened with {", "\u201c{{\u201d opens a tag twice",
                  "\u201c}}\u201d closes a tag twice", "the tag \u201c{e\u201d is not closed with }"));
  std::vector<std::string> tags;
  for (const ScannedTag& tag : scan.tags)
    tags.push_back(std::string("{a {b} c} {{d}} {e").substr(tag.begin, tag.end - tag.begin));
  EXPECT_THAT(tags, ElementsAre("{b}", "{d}"));
}

TEST(TagScanner, QuotesALongBrokenTagShortenedOnACharacterBoundary) {
  const TagScan scan = ScanTags("{" + std::string(38, 'a') + "åäö");
  ASSERT_EQ(scan.errors.size(), 1u);
  EXPECT_EQ(scan.errors[0], "the tag \u201c{" + std::string(38, 'a') + "\u2026\u201d is not closed with }");
}

}  // namespace
}  // namespace spegla::docx
