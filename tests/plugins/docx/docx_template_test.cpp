// The template language on documents built from XML strings: what each tag renders to, where sections
// repeat, and every problem a broken template has. The files are read back with the plugin's ZIP reader
// and pugixml; tests in docx_external_test.cpp open them with python-docx and LibreOffice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "docx_test_support.h"

namespace spegla::test {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

RenderOutcome Render(const DocxParts& parts, std::string_view json, RenderOptions options = {}) {
  return Docx().Render(MakeDocx(parts), DataFromJson(json), options);
}

// The body's paragraph texts joined with "|", or the problems when there are any.
std::string Body(std::string body, std::string_view json, RenderOptions options = {}) {
  RenderOutcome outcome = Render(DocxParts{std::move(body)}, json, options);
  if (!outcome.problems.empty()) return "PROBLEMS: " + Describe(outcome.problems);
  return BodyText(outcome.bytes);
}

std::string DocumentXml(std::string body, std::string_view json) {
  RenderOutcome outcome = Render(DocxParts{std::move(body)}, json);
  EXPECT_TRUE(outcome.problems.empty()) << Describe(outcome.problems);
  return EntryOf(outcome.bytes, "word/document.xml");
}

std::vector<TemplateProblem> Problems(const DocxParts& parts) { return Docx().Check(MakeDocx(parts)); }

TEST(DocxTemplate, TextTagsAreReplacedAndEscaped) {
  EXPECT_EQ(Body(Para("Enhet: {enhet}, rektor {rektor}."),
                 R"({"enhet": "Åby skola & förskola <1–6>", "rektor": "Karin \"Kajsa\" Holm"})"),
            "Enhet: Åby skola & förskola <1–6>, rektor Karin \"Kajsa\" Holm.");
  const std::string xml = DocumentXml(Para("{x}"), R"({"x": "a & b < c > d"})");
  EXPECT_THAT(xml, HasSubstr("a &amp; b &lt; c &gt; d"));
}

TEST(DocxTemplate, NewlinesBecomeLineBreaksInTheSameRun) {
  const std::string xml = DocumentXml("<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{x}</w:t></w:r></w:p>",
                                      R"({"x": "ett\ntvå\r\ntre\rfyra"})");
  EXPECT_THAT(ParagraphTexts(xml), ElementsAre("ett\ntvå\ntre\nfyra"));
  EXPECT_THAT(xml, HasSubstr("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">ett</w:t><w:br/>"
                             "<w:t xml:space=\"preserve\">två</w:t><w:br/>"));
}

TEST(DocxTemplate, ControlCharactersAreStrippedAndBadUtf8Replaced) {
  EXPECT_EQ(Body(Para("{x}"), R"({"x": "a\u0000b\u0007c\u001fd\te"})"), "abcd\te");
  TemplateData data;
  data.Set("x", std::string("ok \xFF\xFE end \xEF\xBF\xBE"));
  RenderOutcome outcome = Docx().Render(MakeDocx(Para("{x}")), data, {});
  ASSERT_TRUE(outcome.problems.empty());
  EXPECT_EQ(BodyText(outcome.bytes), "ok \uFFFD\uFFFD end ");
}

TEST(DocxTemplate, SpacesArePreserved) {
  const std::string xml = DocumentXml("<w:p><w:r><w:t>Namn:</w:t></w:r><w:r><w:t>{x}</w:t></w:r></w:p>",
                                      R"({"x": "  två  mellanslag  "})");
  EXPECT_THAT(xml, HasSubstr("<w:t xml:space=\"preserve\">  två  mellanslag  </w:t>"));
}

TEST(DocxTemplate, TagSplitOverRunsWithProofErrAndBookmarksKeepsTheFirstRunsFormatting) {
  const std::string body =
      "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Hej {na</w:t></w:r>"
      "<w:proofErr w:type=\"spellStart\"/><w:bookmarkStart w:id=\"0\" w:name=\"_GoBack\"/>"
      "<w:r><w:rPr><w:u w:val=\"single\"/></w:rPr><w:t>m</w:t></w:r><w:bookmarkEnd w:id=\"0\"/>"
      "<w:proofErr w:type=\"spellEnd\"/><w:r><w:rPr><w:i/></w:rPr><w:t>e} och välkommen</w:t></w:r></w:p>";
  const std::string xml = DocumentXml(body, R"({"name": "Åsa & Bo"})");
  EXPECT_THAT(ParagraphTexts(xml), ElementsAre("Hej Åsa & Bo och välkommen"));
  EXPECT_THAT(
      xml, HasSubstr("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Hej Åsa &amp; Bo</w:t></w:r>"));
  EXPECT_THAT(xml, HasSubstr("<w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\"> och välkommen</w:t>"));
  EXPECT_THAT(xml, HasSubstr("<w:proofErr w:type=\"spellStart\"/>"));  // the rest of the XML stays
}

TEST(DocxTemplate, TagSplitOverManyRunsIncludingItsDelimiters) {
  const std::string body =
      "<w:p><w:r><w:t>{</w:t></w:r><w:r><w:t>#</w:t></w:r><w:r><w:t>lista</w:t></w:r><w:r><w:t>}</w:t></w:r>"
      "<w:r><w:t>[{</w:t></w:r><w:r><w:t>.}]</w:t></w:r><w:r><w:t>{/li</w:t></w:r><w:r><w:t>sta}</w:t></"
      "w:r></w:p>";
  EXPECT_EQ(Body(body, R"({"lista": ["a", "b"]})"), "[a][b]");
}

TEST(DocxTemplate, NamesAreExactAsInDocxtemplater) {
  EXPECT_EQ(Body(Para("{ namn }|{namn}"), R"({"namn": "N", " namn ": "S"})"), "S|N");
}

TEST(DocxTemplate, MissingValuesAreEmptyByDefault) {
  EXPECT_EQ(Body(Para("a{saknas}b{null}c"), R"({"null": null})"), "abc");
}

TEST(DocxTemplate, MissingValuesAreProblemsWhenAsked) {
  RenderOutcome outcome = Render(DocxParts{Para("Enhet: {enhet}") + Para("{#lista}{namn} {saknas}{/lista}") +
                                           Para("{^ingen}ok{/ingen}")},
                                 R"({"lista": [{"namn": "a"}, {"namn": "b"}]})", {.missing_is_error = true});
  EXPECT_TRUE(outcome.bytes.empty());
  ASSERT_EQ(outcome.problems.size(), 2u) << Describe(outcome.problems);  // once per name and paragraph
  EXPECT_EQ(outcome.problems[0].part, "word/document.xml");
  EXPECT_EQ(outcome.problems[0].context, "Enhet: {enhet}");
  EXPECT_EQ(outcome.problems[0].message, "no value for {enhet}");
  EXPECT_EQ(outcome.problems[1].message, "no value for {saknas}");
}

TEST(DocxTemplate, TableRowLoopRepeatsTheRow) {
  const std::string body =
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Vad</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Vem</w:t></w:r></"
      "w:p>"
      "</w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{#atgarder}{vad}</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>{vem}{/atgarder}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
  const std::string xml = DocumentXml(
      body, R"({"atgarder": [{"vad": "Planera", "vem": "Eva"}, {"vad": "Följa upp", "vem": "Bo"}]})");
  EXPECT_THAT(ParagraphTexts(xml), ElementsAre("Vad", "Vem", "Planera", "Eva", "Följa upp", "Bo"));
  EXPECT_EQ(std::count(xml.begin(), xml.end(), '\n'), 0);
  size_t rows = 0;
  for (size_t at = xml.find("<w:tr>"); at != std::string::npos; at = xml.find("<w:tr>", at + 1)) ++rows;
  EXPECT_EQ(rows, 3u);
}

TEST(DocxTemplate, TableRowLoopOverAnEmptyListLeavesTheOtherRowsOrDropsTheTable) {
  const std::string row =
      "<w:tr><w:tc><w:p><w:r><w:t>{#a}{n}</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>{/a}</w:t></w:r></w:p></w:tc></w:tr>";
  const std::string header = "<w:tr><w:tc><w:p><w:r><w:t>Rubrik</w:t></w:r></w:p></w:tc></w:tr>";
  EXPECT_EQ(Body(Para("före") + "<w:tbl>" + header + row + "</w:tbl>" + Para("efter"), R"({"a": []})"),
            "före|Rubrik|efter");
  // A table left without rows is not valid WordprocessingML: it goes.
  const std::string xml =
      DocumentXml(Para("före") + "<w:tbl><w:tblPr/>" + row + "</w:tbl>" + Para("efter"), R"({"a": []})");
  EXPECT_THAT(xml, Not(HasSubstr("w:tbl")));
  EXPECT_THAT(ParagraphTexts(xml), ElementsAre("före", "efter"));
}

TEST(DocxTemplate, ParagraphLoopRepeatsTheParagraphsBetweenTagsThatStandAlone) {
  EXPECT_EQ(Body(Para("Före") + Para("{#lista}") + Para("Punkt {n}") + Para("  och {n}") + Para("{/lista}") +
                     Para("Efter"),
                 R"({"lista": [{"n": "1"}, {"n": "2"}]})"),
            "Före|Punkt 1|  och 1|Punkt 2|  och 2|Efter");
  EXPECT_EQ(Body(Para("Före") + Para("{#lista}") + Para("Punkt") + Para("{/lista}") + Para("Efter"),
                 R"({"lista": []})"),
            "Före|Efter");
}

TEST(DocxTemplate, ParagraphLoopInsideACellKeepsTheCellValid) {
  const std::string body =
      "<w:tbl><w:tr><w:tc><w:tcPr/>" + Para("{#a}") + Para("{.}") + Para("{/a}") + "</w:tc></w:tr></w:tbl>";
  const std::string xml = DocumentXml(body, R"({"a": []})");
  EXPECT_THAT(xml, HasSubstr("<w:tc><w:tcPr/><w:p/></w:tc>"));
  EXPECT_EQ(Body(body, R"({"a": ["x", "y"]})"), "x|y");
}

TEST(DocxTemplate, InlineLoopRepeatsTheTextBetweenItsTags) {
  EXPECT_EQ(Body(Para("Dagar: {#dagar}{datum} ({#tider}{.} {/tider}); {/dagar}slut"),
                 R"({"dagar": [{"datum": "20/1", "tider": ["8", "10"]}, {"datum": "27/1", "tider": []}]})"),
            "Dagar: 20/1 (8 10 ); 27/1 (); slut");
}

TEST(DocxTemplate, InlineLoopAcrossParagraphsRepeatsTheirJoin) {
  EXPECT_EQ(Body(Para("A {#a}x{n}") + Para("mitt") + Para("y{/a} B"), R"({"a": [{"n": 1}, {"n": 2}]})"),
            "A x1|mitt|yx2|mitt|y B");
}

TEST(DocxTemplate, NestedLoopsResolveNamesInTheItemFirstThenOutwards) {
  const std::string body =
      Para("{#outer}") + Para("O {namn} i {kommun}") +
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{#inner}{namn}</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>{kommun}/{v}{/inner}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>" +
      Para("{/outer}");
  EXPECT_EQ(Body(body, R"({"kommun": "Partille", "outer": [
                   {"namn": "o1", "inner": [{"v": "1"}, {"v": "2", "namn": "i2", "kommun": "Lerum"}]},
                   {"namn": "o2", "kommun": "Ale", "inner": [{"v": "3"}]}]})"),
            "O o1 i Partille|o1|Partille/1|i2|Lerum/2|O o2 i Ale|o2|Ale/3");
}

TEST(DocxTemplate, SectionsOverObjectsEnterTheirScope) {
  EXPECT_EQ(Body(Para("{#rektor}{namn}, {skola} ({kommun}){/rektor}"),
                 R"({"kommun": "Partille", "rektor": {"namn": "Karin", "skola": "Åby"}})"),
            "Karin, Åby (Partille)");
}

TEST(DocxTemplate, SectionsShowForTrueValuesAndInvertedForFalseMissingOrEmpty) {
  const std::string body = Para("{#ja}J{/ja}{#nej}N{/nej}{#text}T{/text}{#tom}E{/tom}{#saknas}S{/saknas}") +
                           Para("{^ja}j{/ja}{^nej}n{/nej}{^text}t{/text}{^tom}e{/tom}{^saknas}s{/saknas}") +
                           Para("{^lista}l{/lista}{^tomlista}tl{/tomlista}{#noll}0{/noll}{/}");
  // {/} closes whatever is open, as in docxtemplater; here nothing is, so the last paragraph is broken.
  EXPECT_THAT(Body(body, "{}"), HasSubstr("the section end {/} closes no open section"));
  EXPECT_EQ(
      Body(
          Para("{#ja}J{/ja}{#nej}N{/nej}{#text}T{/text}{#tom}E{/tom}{#saknas}S{/saknas}") +
              Para("{^ja}j{/ja}{^nej}n{/nej}{^text}t{/text}{^tom}e{/tom}{^saknas}s{/saknas}") +
              Para("{^lista}l{/lista}{^tomlista}tl{/tomlista}{#noll}0{/}"),
          R"({"ja": true, "nej": false, "text": "x", "tom": "", "lista": [1], "tomlista": [], "noll": "0"})"),
      "JT|nes|tl0");
}

TEST(DocxTemplate, ValuesThatAreNotTextPrintLikeDocxtemplaters) {
  EXPECT_EQ(Body(Para("{b}|{l}|{o}|{n}"), R"({"b": false, "l": ["a", 2, null], "o": {"x": 1}, "n": 3.5})"),
            "false|a,2,|[object Object]|3.5");
}

TEST(DocxTemplate, ExplicitExpansionRepeatsTheNamedElement) {
  EXPECT_EQ(Body(Para("{-w:p rader}Rad {n}{/rader}"), R"({"rader": [{"n": 1}, {"n": 2}]})"), "Rad 1|Rad 2");
}

TEST(DocxTemplate, PageBreakOfTheClosingParagraphIsKept) {
  const std::string body = Para("{#a}") + Para("sida {.}") +
                           "<w:p><w:r><w:t>{/a}</w:t></w:r><w:r><w:br w:type=\"page\"/></w:r></w:p>" +
                           Para("slut");
  const std::string xml = DocumentXml(body, R"({"a": ["1", "2"]})");
  EXPECT_THAT(ParagraphTexts(xml), ElementsAre("sida 1", "sida 2\n", "slut"));
}

TEST(DocxTemplate, HeadersFootersAndFootnotesAreFilled) {
  DocxParts parts{Para("Brödtext {enhet}"), Para("{enhet} · {process}"), Para("Sida {sida}"),
                  "<w:footnote w:id=\"1\">" + Para("Källa: {kalla}") + "</w:footnote>"};
  RenderOutcome outcome =
      Render(parts, R"({"enhet": "Åby", "process": "KU8", "sida": "1", "kalla": "Skolverket"})");
  ASSERT_TRUE(outcome.problems.empty()) << Describe(outcome.problems);
  EXPECT_THAT(ParagraphTexts(EntryOf(outcome.bytes, "word/header1.xml")), ElementsAre("Åby · KU8"));
  EXPECT_THAT(ParagraphTexts(EntryOf(outcome.bytes, "word/footer1.xml")), ElementsAre("Sida 1"));
  EXPECT_THAT(ParagraphTexts(EntryOf(outcome.bytes, "word/footnotes.xml")), ElementsAre("Källa: Skolverket"));
}

TEST(DocxTemplate, PartsWithoutTagsAreCopiedByteForByte) {
  const std::string tpl = MakeDocx(DocxParts{Para("{x}"), Para("Fast sidhuvud")});
  RenderOutcome outcome = Docx().Render(tpl, DataFromJson(R"({"x": "y"})"), {});
  ASSERT_TRUE(outcome.problems.empty());
  EXPECT_EQ(EntryOf(outcome.bytes, "word/header1.xml"), EntryOf(tpl, "word/header1.xml"));
  EXPECT_EQ(EntryOf(outcome.bytes, "[Content_Types].xml"), EntryOf(tpl, "[Content_Types].xml"));
}

TEST(DocxTemplate, EveryProblemIsReportedAtOnceWithPartParagraphAndWhatIsWrong) {
  DocxParts parts{Para("Åtgärder: {#atgarder} {vad}") + Para("Enhet: {enhet") + Para("Rektor: rektor}") +
                      Para("{#a}x{/b}") + Para("{{dubbel}}") + Para("{@rawxml}") + Para("{=[[ ]]=}"),
                  Para("Sidhuvud {#x} utan slut"), Para("Sidfot {/y}")};
  const std::vector<TemplateProblem> problems = Problems(parts);
  const std::string all = Describe(problems);
  auto has = [&](std::string_view part, std::string_view context, std::string_view message) {
    return std::any_of(problems.begin(), problems.end(), [&](const TemplateProblem& p) {
      return p.part == part && p.context == context && p.message.find(message) != std::string::npos;
    });
  };
  EXPECT_TRUE(has("word/document.xml", "Enhet: {enhet", "the tag \u201c{enhet\u201d is not closed with }"))
      << all;
  EXPECT_TRUE(
      has("word/document.xml", "Rektor: rektor}", "the tag \u201cRektor: rektor}\u201d is not opened"))
      << all;
  EXPECT_TRUE(
      has("word/document.xml", "{#a}x{/b}", "the section end {/b} does not match the open section {#a}"))
      << all;
  EXPECT_TRUE(has("word/document.xml", "{{dubbel}}", "\u201c{{\u201d opens a tag twice")) << all;
  EXPECT_TRUE(has("word/document.xml", "{{dubbel}}", "\u201c}}\u201d closes a tag twice")) << all;
  EXPECT_TRUE(has("word/document.xml", "{@rawxml}", "inserts raw XML, which is not supported")) << all;
  EXPECT_TRUE(has("word/document.xml", "{=[[ ]]=}", "changes the delimiters")) << all;
  EXPECT_TRUE(
      has("word/document.xml", "Åtgärder: {#atgarder} {vad}", "the section {#atgarder} is never closed"))
      << all;
  EXPECT_TRUE(has("word/header1.xml", "Sidhuvud {#x} utan slut", "the section {#x} is never closed")) << all;
  EXPECT_TRUE(has("word/footer1.xml", "Sidfot {/y}", "the section end {/y} closes no open section")) << all;
  EXPECT_EQ(problems.size(), 10u) << all;

  RenderOutcome outcome = Docx().Render(MakeDocx(parts), {}, {});
  EXPECT_TRUE(outcome.bytes.empty());
  EXPECT_EQ(outcome.problems.size(), problems.size());
  EXPECT_EQ(
      problems[0].Format(),
      "word/document.xml: the tag \u201c{enhet\u201d is not closed with } (in \u201cEnhet: {enhet\u201d)");
}

TEST(DocxTemplate, SectionsThatCannotBeRepeatedAreProblems) {
  auto message = [](std::string body) {
    const std::vector<TemplateProblem> problems = Problems(DocxParts{std::move(body)});
    return problems.size() == 1 ? problems[0].message : Describe(problems);
  };
  const std::string cell_open = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{#a}</w:t></w:r></w:p></w:tc>";
  EXPECT_THAT(message(Para("{#a}") + "<w:tbl><w:tr><w:tc>" + Para("{/a}") + "</w:tc></w:tr></w:tbl>"),
              HasSubstr("the section {#a}\u2026{/a} spans table cells, but its two ends are not in rows"));
  EXPECT_THAT(message(Para("{#a}") + "<w:sdt><w:sdtContent>" + Para("{/a}") + "</w:sdtContent></w:sdt>"),
              HasSubstr("the section {#a}\u2026{/a} stands in paragraphs at different levels"));
  EXPECT_THAT(message(cell_open + "</w:tr></w:tbl>" + "<w:tbl><w:tr><w:tc>" + Para("{/a}") +
                      "</w:tc></w:tr></w:tbl>"),
              HasSubstr("its two ends are not in rows of the same table"));
  EXPECT_THAT(message("<w:p><w:hyperlink r:id=\"x\"><w:r><w:t>{#a}</w:t></w:r></w:hyperlink>"
                      "<w:r><w:t>x{/a}</w:t></w:r></w:p>"),
              HasSubstr("starts and ends inside different structures"));
  EXPECT_THAT(message(cell_open + "<w:tc><w:p><w:r><w:t>{/a}{#b}</w:t></w:r></w:p></w:tc>"
                                  "<w:tc><w:p><w:r><w:t>{/b}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"),
              HasSubstr("the section {#b} overlaps another section"));
  EXPECT_THAT(message(Para("{-w:tc a}x{/a}")), HasSubstr("is not inside a <w:tc> element"));
}

TEST(DocxTemplate, NestedRowLoopsSharingTheirFirstRowNestAsTheirTagsDo) {
  const std::string body =
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{#a}{#b}{n}</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>{/b}</w:t></w:r></w:p></w:tc></w:tr>"
      "<w:tr><w:tc><w:p><w:r><w:t>r2</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{/a}</w:t></w:r></w:p></"
      "w:tc>"
      "</w:tr></w:tbl>";
  EXPECT_EQ(Body(body, R"({"a": [{"b": [{"n": 1}, {"n": 2}]}, {"b": [{"n": 3}]}]})"), "1||2||r2||3||r2|");
}

TEST(DocxTemplate, BrokenXmlAndReservedTextAreProblems) {
  const std::vector<TemplateProblem> broken = Problems(DocxParts{"<w:p><w:r><w:t>{x}</w:t></w:r>"});
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].part, "word/document.xml");
  EXPECT_THAT(broken[0].message, HasSubstr("the XML is not well-formed"));
  const std::vector<TemplateProblem> reserved = Problems(DocxParts{Para("{x}<?spegla-marker 0?>")});
  ASSERT_EQ(reserved.size(), 1u);
  EXPECT_THAT(reserved[0].message, HasSubstr("reserved text"));
}

TEST(DocxTemplate, TextBoxParagraphsAreTheirOwnParagraphs) {
  const std::string body =
      "<w:p><w:r><w:t>Ute {a}</w:t></w:r><w:r><w:pict><v:shape xmlns:v=\"urn:schemas-microsoft-com:vml\">"
      "<v:textbox><w:txbxContent>" +
      Para("Inne {b}") +
      "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
      "<w:r><w:t> slut</w:t></w:r></w:p>";
  EXPECT_EQ(Body(body, R"({"a": "A", "b": "B"})"), "Ute A slut|Inne B");
}

}  // namespace
}  // namespace spegla::test
