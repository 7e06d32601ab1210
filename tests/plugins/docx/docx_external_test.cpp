// Rendered documents opened by programs we did not write: python-docx reads every part, and LibreOffice
// (headless) converts the documents to text; every value of the data must be there and no tag left.
// LibreOffice is installed by scripts/install-deps.sh --with-tests; without it these tests fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "../../engine/engine_test_support.h"
#include "docx_test_support.h"

namespace spegla::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const char* const kFixtures[] = {"letter", "loops", "utvecklingsplan"};

// Each non-empty text in the JSON, split at newlines and without control characters: what a reader of
// the document must find.
void CollectValues(const boost::json::value& v, std::vector<std::string>& out) {
  if (v.is_string()) {
    std::string line;
    for (char c : std::string(v.get_string()) + "\n") {
      if (c == '\n' || c == '\r') {
        if (!line.empty()) out.push_back(line);
        line.clear();
      } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
        line += c;
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) CollectValues(item, out);
  } else if (v.is_object()) {
    for (const auto& [key, member] : v.get_object()) CollectValues(member, out);
  }
}

std::vector<std::string> ValuesOf(const char* fixture) {
  std::vector<std::string> values;
  CollectValues(boost::json::parse(ReadFile(std::string(kDocxFixtures) + "/" + fixture + ".json")), values);
  return values;
}

std::string RenderFixture(const char* fixture, const ScratchDir& dir) {
  const std::string base = std::string(kDocxFixtures) + "/" + fixture;
  RenderOutcome outcome = Docx().Render(ReadFile(base + ".docx"), DataFromJson(ReadFile(base + ".json")), {});
  EXPECT_THAT(outcome.problems, IsEmpty()) << Describe(outcome.problems);
  const std::string path = dir.File(std::string(fixture) + ".docx");
  WriteFile(path, outcome.bytes);
  return path;
}

std::string Joined(const std::map<std::string, std::vector<std::string>>& parts) {
  std::string all;
  for (const auto& [part, lines] : parts) {
    for (const std::string& line : lines) all += line + "\n";
  }
  return all;
}

TEST(DocxExternal, PythonDocxOpensEveryRenderedDocumentAndFindsEveryValue) {
  ScratchDir dir("spegla-docx-python");
  for (const char* fixture : kFixtures) {
    const auto parts = PythonDocxText(RenderFixture(fixture, dir));
    ASSERT_TRUE(parts.count("/word/document.xml")) << fixture;
    const std::string all = Joined(parts);
    for (const std::string& value : ValuesOf(fixture)) {
      EXPECT_NE(all.find(value), std::string::npos) << fixture << ": no \"" << value << "\" in\n" << all;
    }
    EXPECT_EQ(all.find('{'), std::string::npos) << fixture << ": a tag is left in\n" << all;
    EXPECT_EQ(all.find('}'), std::string::npos) << fixture << ": a tag is left in\n" << all;
  }
}

TEST(DocxExternal, PythonDocxSeesTheLetterLineByLine) {
  ScratchDir dir("spegla-docx-letter");
  const auto parts = PythonDocxText(RenderFixture("letter", dir));
  EXPECT_THAT(
      parts.at("/word/document.xml"),
      ElementsAre("Beslut om utvecklingsinsats", "Enhet: Åby skola & förskola – kommun Partille",
                  "Rektor: Karin \"Kajsa\" Holm",
                  "Problemformulering: Hur kan eleverna <själva> formulera frågor när 2 > 1 & \"allt\" är "
                  "möjligt?",
                  "Citat: “Vi lär av varandra” och mer.",
                  "Anteckning: Första raden\\nAndra raden\\nTredje raden", "Ansvarig", "Datum", "Ulla Dahl",
                  "2026-11-23", "Se fotnoten", "Slut på beslutet"));
  EXPECT_THAT(parts.at("/word/header1.xml"),
              ElementsAre("Åby skola & förskola · Lärande besök · 2026-11-23"));
  EXPECT_THAT(parts.at("/word/footer1.xml"), ElementsAre("Sida 1", "Partille – Åby skola & förskola"));
  EXPECT_THAT(parts.at("/word/footnotes.xml"), Contains(" Källa: Skolverket <2024>"));
  EXPECT_THAT(parts.at("/word/endnotes.xml"), Contains(" Beslutad av Rektor & ledningsgrupp"));
}

TEST(DocxExternal, LibreOfficeConvertsEveryRenderedDocumentWithEveryValueAndNoTagLeft) {
  ScratchDir dir("spegla-docx-soffice");
  std::vector<std::string> files;
  for (const char* fixture : kFixtures) files.push_back(RenderFixture(fixture, dir));
  ASSERT_TRUE(ConvertWithLibreOffice(dir.path(), files, "txt:Text", dir.File("txt")));
  for (const char* fixture : kFixtures) {
    const std::string text = ReadFile(dir.File("txt/" + std::string(fixture) + ".txt"));
    ASSERT_FALSE(text.empty()) << fixture << ": LibreOffice wrote nothing";
    std::vector<std::string> values = ValuesOf(fixture);
    if (std::string(fixture) == "letter") {
      // Those only in the header and the notes, which the text export leaves out.
      std::erase(values, "Lärande besök");
      std::erase(values, "Skolverket <2024>");
      std::erase(values, "Rektor & ledningsgrupp");
    }
    for (const std::string& value : values) {
      EXPECT_NE(text.find(value), std::string::npos) << fixture << ": no \"" << value << "\" in\n" << text;
    }
    EXPECT_EQ(text.find('{'), std::string::npos) << fixture << ": a tag is left in\n" << text;
    EXPECT_EQ(text.find('}'), std::string::npos) << fixture << ": a tag is left in\n" << text;
  }
}

}  // namespace
}  // namespace spegla::test
