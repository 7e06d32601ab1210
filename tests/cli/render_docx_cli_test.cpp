// `spegla render` with the real docx plugin, through the real binary; the documents are read back by
// python-docx (Debian's python3-docx, a DOCX reader we did not write).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../engine/engine_test_support.h"
#include "plugins_render_support.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kFixtures = SPEGLA_SOURCE_DIR "/tests/fixtures/docx/";

// Every text python-docx sees in a document: body paragraphs, table cells, headers and footers.
constexpr const char* kReadText = R"(
import json, sys
import docx
out = {}
for path in sys.argv[1:]:
    d = docx.Document(path)
    texts = [p.text for p in d.paragraphs]
    texts += [c.text for t in d.tables for r in t.rows for c in r.cells]
    for s in d.sections:
        texts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    out[path] = "\n".join(texts)
print(json.dumps(out))
)";

class RenderDocxCliTest : public ::testing::Test {
 protected:
  Spawned Spegla(std::vector<std::string> args) {
    return RunSpegla(args, dir_.path(), dir_.path() / "share");
  }

  // The text of each document, as python-docx reads it.
  std::map<std::string, std::string> ReadBack(const std::vector<std::string>& files) {
    std::vector<std::string> argv = {"/usr/bin/python3", "-c", kReadText};
    argv.insert(argv.end(), files.begin(), files.end());
    Spawned python = RunProgram(argv, dir_.path(), dir_.path() / "share");
    EXPECT_EQ(python.status, 0) << python.err;
    std::map<std::string, std::string> texts;
    if (python.status != 0) return texts;
    boost::json::value parsed = boost::json::parse(python.out);
    for (const auto& [path, text] : parsed.as_object()) {
      texts[std::string(path)] = std::string(text.as_string());
    }
    return texts;
  }

  ScratchDir dir_{"spegla-render-docx"};
};

TEST_F(RenderDocxCliTest, RendersWordDocumentsThatPythonDocxReads) {
  std::string second = (dir_.path() / "nolhaga.json").string();
  std::ofstream(second) << R"({"enhet": "Nolhagaskolan", "kommun": "Alingsås", "rektor": "Eva Berg",
    "problem": "Hur når vi 3.5 timmar läsning?", "citat": 3.5, "anteckning": "En rad", "ansvarig": "Bo Ek",
    "datum": "2026-12-01", "process": "Lärande besök", "kalla": "Egen", "beslutad_av": "Rektor"})";
  Spawned s = Spegla({"render", kFixtures + "letter.docx", kFixtures + "letter.json", second, "-o", "ut"});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "ut/letter.docx\nut/nolhaga.docx\n");
  EXPECT_EQ(s.err, "");

  std::map<std::string, std::string> texts = ReadBack({"ut/letter.docx", "ut/nolhaga.docx"});
  const std::string& letter = texts["ut/letter.docx"];
  for (const char* value : {"Enhet: Åby skola & förskola – kommun Partille", "Rektor: Karin \"Kajsa\" Holm",
                            "Hur kan eleverna <själva> formulera frågor när 2 > 1 & \"allt\" är möjligt?",
                            "Ulla Dahl", "2026-11-23", "Åby skola & förskola · Lärande besök · 2026-11-23"}) {
    EXPECT_THAT(letter, HasSubstr(value));
  }
  const std::string& nolhaga = texts["ut/nolhaga.docx"];
  EXPECT_THAT(nolhaga, HasSubstr("Enhet: Nolhagaskolan – kommun Alingsås"));
  EXPECT_THAT(nolhaga, HasSubstr("Citat: \u201c3.5\u201d"));  // a JSON number, printed as JavaScript does
  for (const auto& [path, text] : texts) {
    EXPECT_THAT(text, Not(HasSubstr("{"))) << path;
    EXPECT_THAT(text, Not(HasSubstr("}"))) << path;
  }
}

TEST_F(RenderDocxCliTest, BrokenTemplatePrintsEveryProblemAndWritesNothing) {
  std::string broken = kFixtures + "broken.docx";
  Spawned s = Spegla({"render", broken, kFixtures + "letter.json", "-o", "ut.docx"});
  EXPECT_EQ(s.status, 1);
  EXPECT_EQ(s.out, "");
  std::vector<std::string> lines = Lines(s.err);
  ASSERT_GE(lines.size(), 3u) << s.err;
  EXPECT_EQ(lines.back(), "spegla render: nothing was written");
  lines.pop_back();
  for (const std::string& line : lines) EXPECT_THAT(line, StartsWith(broken + ": word/"));
  EXPECT_THAT(s.err, HasSubstr(broken + ": word/document.xml: "));
  EXPECT_THAT(s.err, HasSubstr(broken + ": word/header1.xml: "));
  EXPECT_FALSE(fs::exists(dir_.path() / "ut.docx"));
}

TEST_F(RenderDocxCliTest, DocxIsBuiltInBesideTheExportPlugins) {
  Spawned s = Spegla({"plugins"});
  EXPECT_EQ(s.status, 0) << s.err;
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Lines(s.out)) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    rows.push_back(fields);
  }
  // name, kind, version, extension, media type, origin; sorted by name.
  ASSERT_EQ(rows.size(), 3u) << s.out;
  EXPECT_THAT(rows[0], ElementsAre("csv", "export", "1.0.0", ".csv", "text/csv", "built-in"));
  EXPECT_EQ(rows[1][0], "docx");
  EXPECT_EQ(rows[1][1], "document");
  EXPECT_EQ(rows[1][3], ".docx");
  EXPECT_EQ(rows[1][4], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(rows[1][5], "built-in");
  EXPECT_THAT(rows[2],
              ElementsAre("xlsx", "export", "1.0.0", ".xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "built-in"));
}

}  // namespace
}  // namespace spegla::test
