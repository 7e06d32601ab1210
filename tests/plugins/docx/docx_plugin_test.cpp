// The docx plugin through the DocumentPlugin interface: what it says it is, its template cache, and
// rendering from many threads at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "docx_test_support.h"
#include "template_cache.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(DocxPlugin, DescribesItself) {
  EXPECT_EQ(Docx().Name(), "docx");
  EXPECT_EQ(Docx().Extension(), "docx");
  EXPECT_EQ(Docx().Produces(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_FALSE(Docx().Version().empty());
}

TEST(DocxPlugin, ChecksFixtureTemplates) {
  for (const char* name : {"letter", "loops", "utvecklingsplan"}) {
    EXPECT_THAT(Docx().Check(ReadFile(std::string(kDocxFixtures) + "/" + name + ".docx")), IsEmpty()) << name;
  }
  const std::vector<TemplateProblem> broken =
      Docx().Check(ReadFile(std::string(kDocxFixtures) + "/broken.docx"));
  EXPECT_GE(broken.size(), 8u) << Describe(broken);
}

TEST(DocxPlugin, RendersFromManyThreadsAtOnceWithTheSameResult) {
  const std::string tpl = ReadFile(std::string(kDocxFixtures) + "/loops.docx");
  const TemplateData data = DataFromJson(ReadFile(std::string(kDocxFixtures) + "/loops.json"));
  const std::string expected = Docx().Render(tpl, data, {}).bytes;
  ASSERT_FALSE(expected.empty());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      // Each thread its own copy of the bytes: the cache matches templates by content, not by address.
      const std::string copy = tpl;
      for (int i = 0; i < 20; ++i) results[t] = Docx().Render(copy, data, {}).bytes;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) EXPECT_EQ(result, expected);
}

TEST(DocxTemplateCache, CompilesATemplateOnceAndTellsTemplatesApartByContent) {
  docx::TemplateCache cache(2);
  const std::string a = MakeDocx(Para("{a}"));
  const std::string b = MakeDocx(Para("{b}"));
  const std::string c = MakeDocx(Para("{c}"));
  const auto first = cache.Get(a);
  EXPECT_EQ(cache.Get(std::string(a)), first);  // another copy of the same bytes
  EXPECT_NE(cache.Get(b), first);
  EXPECT_EQ(cache.size(), 2u);
  cache.Get(c);  // evicts the least recently used: a
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Get(a), first);
  EXPECT_EQ(cache.Get(a)->bytes(), a);
}

TEST(DocxPlugin, RenderedOutputHasNoTagLeft) {
  const std::string tpl = ReadFile(std::string(kDocxFixtures) + "/letter.docx");
  RenderOutcome outcome =
      Docx().Render(tpl, DataFromJson(ReadFile(std::string(kDocxFixtures) + "/letter.json")), {});
  ASSERT_THAT(outcome.problems, IsEmpty()) << Describe(outcome.problems);
  for (const char* part : {"word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footnotes.xml",
                           "word/endnotes.xml"}) {
    const std::string xml = EntryOf(outcome.bytes, part);
    ASSERT_FALSE(xml.empty()) << part;
    for (const std::string& text : ParagraphTexts(xml)) {
      EXPECT_EQ(text.find_first_of("{}"), std::string::npos) << part << ": " << text;
    }
  }
  EXPECT_THAT(BodyText(outcome.bytes), HasSubstr("Enhet: Åby skola & förskola – kommun Partille"));
}

}  // namespace
}  // namespace spegla::test
