// The data of `spegla render`: JSON into TemplateData, numbers printed as JavaScript prints them (the
// expected texts are what node's String(x) gives), and bad JSON located by line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "json_input.h"

namespace spegla::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Formatted(const Problems& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.Format());
  return out;
}

TEST(RenderDataTest, NumbersPrintLikeJavaScript) {
  // node -e 'for (const x of [...]) console.log(String(x))'
  const std::vector<std::pair<double, std::string>> cases = {
      {3.5, "3.5"},
      {12, "12"},
      {1.0, "1"},
      {-2.5, "-2.5"},
      {-0.0, "0"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {123456789012345678901234.0, "1.2345678901234569e+23"},
      {12345678901234567890.0, "12345678901234567000"},
      {9007199254740993.0, "9007199254740992"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {std::nan(""), "NaN"},
  };
  for (const auto& [number, text] : cases) EXPECT_EQ(FormatNumberLikeJavaScript(number), text) << text;
}

TEST(RenderDataTest, JsonBecomesTemplateData) {
  TemplateData data;
  Problems problems = ParseTemplateData(
      R"({"skola": "Nolhagaskolan", "timmar": 3.5, "elever": 12, "stor": 1e21, "klar": false, "inget": null,
          "mal": [{"vad": "Läsa & skriva"}, {"vad": "Räkna"}], "rektor": {"namn": "Karin"}, "skola": "Sist"})",
      "data.json", &data);
  EXPECT_THAT(Formatted(problems), IsEmpty());
  EXPECT_EQ(*data.Find("skola")->AsText(), "Sist");  // the last of duplicate keys, as JSON.parse does
  EXPECT_EQ(*data.Find("timmar")->AsText(), "3.5");
  EXPECT_EQ(*data.Find("elever")->AsText(), "12");
  EXPECT_EQ(*data.Find("stor")->AsText(), "1e+21");
  EXPECT_EQ(*data.Find("klar")->AsBool(), false);
  EXPECT_TRUE(data.Find("inget")->IsEmpty());
  const TemplateData::List& mal = *data.Find("mal")->AsList();
  ASSERT_EQ(mal.size(), 2u);
  EXPECT_EQ(*mal[0].Find("vad")->AsText(), "Läsa & skriva");
  EXPECT_EQ(*data.Find("rektor")->Find("namn")->AsText(), "Karin");
  EXPECT_EQ(data.AsObject()->size(), 8u);
}

TEST(RenderDataTest, ByteOrderMarkIsSkipped) {
  TemplateData data;
  EXPECT_THAT(Formatted(ParseTemplateData("\xEF\xBB\xBF{\"a\": \"b\"}", "bom.json", &data)), IsEmpty());
  EXPECT_EQ(*data.Find("a")->AsText(), "b");
}

TEST(RenderDataTest, BadJsonIsLocatedByLineAndColumn) {
  TemplateData data;
  EXPECT_THAT(Formatted(ParseTemplateData("{\n  \"namn\": \"Åsa\",\n  \"timmar\": 3,5\n}", "a.json", &data)),
              ElementsAre("a.json:3:15: invalid JSON: syntax error"));
  // Columns count characters, not bytes: "Åsa" is three.
  EXPECT_THAT(Formatted(ParseTemplateData("{\"namn\": \"Åsa\" \"x\": 1}", "b.json", &data)),
              ElementsAre("b.json:1:16: invalid JSON: syntax error"));
  EXPECT_THAT(Formatted(ParseTemplateData("{\"namn\": \"Åsa\"", "c.json", &data)),
              ElementsAre("c.json:1:15: invalid JSON: incomplete JSON"));
  EXPECT_THAT(Formatted(ParseTemplateData("{} {}", "d.json", &data)),
              ElementsAre("d.json:1:4: invalid JSON: extra data"));
  EXPECT_THAT(Formatted(ParseTemplateData("\n  [1, 2]", "e.json", &data)),
              ElementsAre("e.json:2:3: the data must be a JSON object ({\"name\": value, ...})"));
  EXPECT_THAT(Formatted(ParseTemplateData("{\"a\": \"\xff\"}", "f.json", &data)),
              ElementsAre("f.json:1:8: invalid JSON: syntax error"));
}

}  // namespace
}  // namespace spegla::cli
