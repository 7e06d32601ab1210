// The same templates and data rendered by docxtemplater (npm, the versions pinned in tests/tools/) and by
// the docx plugin must read the same to python-docx: body, headers, footers and footnotes. (docxtemplater
// leaves endnotes unfilled; the plugin fills them, so they are not compared.) Broken templates must be
// refused by both. Needs node and the pinned packages that the build installs (tests/tools/CMakeLists.txt).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../engine/engine_test_support.h"
#include "docx_test_support.h"

namespace spegla::test {
namespace {

struct Case {
  std::string name;
  std::string template_bytes;
  std::string json;
};

// docxtemplater's rendering of a case: the output path, or "" when it refused the template (its errors in
// `errors`).
std::string RenderWithDocxtemplater(const ScratchDir& dir, const Case& c, std::string& errors) {
  const std::string tpl = dir.File(c.name + ".docx"), data = dir.File(c.name + ".json");
  const std::string out = dir.File(c.name + "-docxtemplater.docx");
  WriteFile(tpl, c.template_bytes);
  WriteFile(data, c.json);
  const int status = RunCommand("NODE_PATH='" SPEGLA_TEST_NODE_MODULES "' node " SPEGLA_SOURCE_DIR
                                "/tests/tools/docxtemplater_render.js '" +
                                    tpl + "' '" + data + "' '" + out + "' 2>&1",
                                errors);
  if (status == 0) return out;
  EXPECT_EQ(errors.find("Cannot find module"), std::string::npos)
      << "docxtemplater is not installed in " SPEGLA_TEST_NODE_MODULES " (the build runs npm ci):\n"
      << errors;
  return "";
}

std::map<std::string, std::vector<std::string>> Compared(
    std::map<std::string, std::vector<std::string>> parts) {
  parts.erase("/word/endnotes.xml");
  return parts;
}

void ExpectSameText(const Case& c) {
  ScratchDir dir("spegla-docx-diff");
  std::string errors;
  const std::string theirs = RenderWithDocxtemplater(dir, c, errors);
  ASSERT_FALSE(theirs.empty()) << c.name << ": docxtemplater refused it:\n" << errors;
  RenderOutcome ours = Docx().Render(c.template_bytes, DataFromJson(c.json), {});
  ASSERT_TRUE(ours.problems.empty()) << c.name << ":\n" << Describe(ours.problems);
  const std::string path = dir.File(c.name + "-spegla.docx");
  WriteFile(path, ours.bytes);
  EXPECT_EQ(Compared(PythonDocxText(path)), Compared(PythonDocxText(theirs))) << c.name;
}

Case Fixture(const std::string& name, std::string json = "") {
  const std::string base = std::string(kDocxFixtures) + "/" + name;
  return {name, ReadFile(base + ".docx"), json.empty() ? ReadFile(base + ".json") : json};
}

TEST(DocxDifferential, FixtureTemplatesReadTheSameAsDocxtemplaters) {
  for (const char* name : {"letter", "loops", "utvecklingsplan"}) ExpectSameText(Fixture(name));
}

TEST(DocxDifferential, TagsAndSectionsReadTheSameAsDocxtemplaters) {
  const std::string row =
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{#a}{n}</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>{m}{/a}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {Para("{ name }|{name}|{#a}[{.}]{/a}"), R"({"name": "N", " name ": "S", "a": ["x", "y"]})"},
      {Para("{#a}{b}{/a}|{^a}neg{/a}|{x}|{y}|{z}|{q}"),
       R"({"a": "", "b": "B", "x": ["a", "b"], "y": {"q": 1}, "z": false, "q": 2.5})"},
      {Para("{x}"), R"({"x": "a\nb\u0001c\u0000d & <e> \"f\""})"},
      {Para("Före") + Para("{#a}") + Para("item {n}") + Para("{/a}") + Para("Efter"),
       R"({"a": [{"n": 1}, {"n": 2}]})"},
      {Para("Före") + Para("{#a}") + Para("item {n}") + Para("{/a}") + Para("Efter"), R"({"a": []})"},
      {Para("A {#a}x{n}") + Para("mitt") + Para("y{/a} B"), R"({"a": [{"n": 1}, {"n": 2}]})"},
      {"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Hej {na</w:t></w:r><w:proofErr w:type=\"spellStart\"/>"
       "<w:bookmarkStart w:id=\"0\" w:name=\"x\"/><w:r><w:t>m</w:t></w:r><w:bookmarkEnd w:id=\"0\"/>"
       "<w:r><w:rPr><w:i/></w:rPr><w:t>e} du</w:t></w:r></w:p>",
       R"({"name": "Åsa & <Bo>"})"},
      {row, R"({"a": [{"n": 1, "m": "x"}, {"n": 2}], "m": "yttre"})"},
      {Para("före") + row + Para("efter"), R"({"a": []})"},
      {"<w:tbl><w:tr><w:tc>" + Para("{#a}") + Para("{n}") + Para("{/a}") + "</w:tc></w:tr></w:tbl>",
       R"({"a": []})"},
      {Para("{#outer}") + Para("O {name}") +
           "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{#inner}{name} {top}</w:t></w:r>"
           "</w:p></w:tc><w:tc><w:p><w:r><w:t>{v}{/inner}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>" +
           Para("{/outer}"),
       R"({"top": "T", "outer": [{"name": "o1", "inner": [{"v": 1}, {"v": 2, "name": "i2"}]},
                                 {"name": "o2", "inner": []}]})"},
      {Para("{#a}x{/}|{^list}none{/list}|{^list2}none2{/list2}|{#flag}F{/flag}{^flag}NF{/flag}"),
       R"({"a": true, "list": [], "list2": [1], "flag": true})"},
      {Para("{-w:p items}Item: {n}{/items}"), R"({"items": [{"n": 1}, {"n": 2}]})"},
      {Para("{#a}") + Para("x") + "<w:p><w:r><w:t>{/a}</w:t></w:r><w:r><w:br w:type=\"page\"/></w:r></w:p>" +
           Para("slut"),
       R"({"a": [1, 2]})"},
      {Para("{#a}{.}{/a}|{#b}{x}{/b}|{#c}{x}{/c}"),
       R"({"a": ["x", null, "z"], "b": [{"x": null}], "c": [{"x": ""}], "x": "yttre"})"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ExpectSameText({"case" + std::to_string(i),
                    MakeDocx(DocxParts{cases[i].first, Para("H {name}"), Para("F {#a}{n}{/a}")}),
                    cases[i].second});
  }
}

TEST(DocxDifferential, BrokenTemplatesAreRefusedByBoth) {
  ScratchDir dir("spegla-docx-diff-broken");
  const std::vector<std::string> bodies = {Para("{a"),        Para("b}"),   Para("{{c}}"),
                                           Para("{#x}y{/z}"), Para("{/q}"), Para("{#open}")};
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    Case c{"broken" + std::to_string(i), MakeDocx(bodies[i]), "{}"};
    std::string errors;
    EXPECT_EQ(RenderWithDocxtemplater(dir, c, errors), "") << bodies[i];
    EXPECT_FALSE(Docx().Check(c.template_bytes).empty()) << bodies[i];
  }
  Case fixture = Fixture("broken", "{}");
  std::string errors;
  EXPECT_EQ(RenderWithDocxtemplater(dir, fixture, errors), "");
  EXPECT_FALSE(Docx().Check(fixture.template_bytes).empty());
}

}  // namespace
}  // namespace spegla::test
