// The in-memory ZIP reader and writer: what Word and python-docx write reads back, what we write is read
// by Python's zipfile, and hostile archives are refused with a clear message before anything is inflated.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../engine/engine_test_support.h"
#include "docx_test_support.h"
#include "zip_reader.h"
#include "zip_writer.h"
#include "zlib_codec.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;

std::string OpenError(std::string_view bytes, const docx::ZipLimits& limits = {}) {
  std::string error;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(bytes, limits, error);
  return archive ? "opened" : error;
}

docx::ZipEntry Named(std::string name) {
  docx::ZipEntry entry;
  entry.name = std::move(name);
  return entry;
}

std::string ZipOf(const std::vector<std::pair<std::string, std::string>>& files) {
  docx::ZipWriter writer(1024);
  for (const auto& [name, content] : files) writer.AddDeflated(Named(name), content);
  return writer.Finish();
}

TEST(Zip, WhatTheWriterWritesPythonsZipfileReadsAndViceVersa) {
  ScratchDir dir("spegla-zip");
  const std::string zip =
      ZipOf({{"a.txt", "hej å ä ö"}, {"dir/b.xml", std::string(100000, 'x')}, {"empty", ""}});
  WriteFile(dir.File("ours.zip"), zip);
  std::string out;
  ASSERT_EQ(
      RunCommand("/usr/bin/python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
                 "assert z.testzip() is None; print(z.read('a.txt').decode(), len(z.read('dir/b.xml')), "
                 "len(z.read('empty')))\" " +
                     dir.File("ours.zip"),
                 out),
      0)
      << out;
  EXPECT_EQ(out, "hej å ä ö 100000 0\n");

  // python-docx's own output (stored and deflated entries written by Python's zipfile) reads back.
  const std::string fixture = ReadFile(std::string(kDocxFixtures) + "/letter.docx");
  std::string error;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(fixture, {}, error);
  ASSERT_TRUE(archive) << error;
  const docx::ZipEntry* document = archive->Find("word/document.xml");
  ASSERT_NE(document, nullptr);
  ASSERT_TRUE(docx::ZipArchive::Extract(*document, out, error)) << error;
  EXPECT_THAT(out, HasSubstr("<w:body>"));
}

TEST(Zip, CopiedEntriesKeepTheirCompressedBytes) {
  const std::string original = ZipOf({{"a.xml", std::string(5000, 'a')}});
  std::string error;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(original, {}, error);
  ASSERT_TRUE(archive);
  docx::ZipWriter writer(1024);
  writer.AddCopy(archive->entries()[0]);
  EXPECT_EQ(writer.Finish(), original);
}

TEST(Zip, NotAZipOrTruncatedIsRefused) {
  EXPECT_EQ(OpenError(""), "not a ZIP file (a .docx is a ZIP archive)");
  EXPECT_EQ(OpenError("Detta är ett brev, inte en mall.\n"), "not a ZIP file (a .docx is a ZIP archive)");
  const std::string zip = ZipOf({{"word/document.xml", std::string(3000, 'x')}, {"b", "y"}});
  EXPECT_EQ(OpenError(zip.substr(0, zip.size() / 2)),
            "the ZIP file is truncated: its central directory is missing");
  // The directory is intact but the data it points at is cut: a corrupt offset.
  std::string cut = zip;
  cut[cut.size() - 6] = static_cast<char>(0x7F);  // directory offset beyond the file
  EXPECT_THAT(OpenError(cut), HasSubstr("truncated or corrupt"));
}

TEST(Zip, TooManyEntriesAreRefused) {
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 30; ++i) files.emplace_back("f" + std::to_string(i), "x");
  docx::ZipLimits limits;
  limits.max_entries = 20;
  EXPECT_EQ(OpenError(ZipOf(files), limits), "the ZIP file has 30 entries, more than the limit of 20");
}

TEST(Zip, ABombIsRefusedByItsRatioBeforeInflating) {
  // 64 MiB of zeros deflate (at level 1) to under 300 KiB: a ratio above 200.
  const std::string zip = ZipOf({{"word/document.xml", std::string(64u << 20, '\0')}});
  EXPECT_LT(zip.size(), (64u << 20) / 200);
  EXPECT_THAT(OpenError(zip), HasSubstr("the entry word/document.xml inflates"));
  EXPECT_THAT(OpenError(zip), HasSubstr("refused as a possible ZIP bomb"));
  const std::vector<TemplateProblem> problems = Docx().Check(zip);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].part, "");
  EXPECT_THAT(problems[0].message, HasSubstr("ZIP bomb"));
}

TEST(Zip, TooMuchInAllIsRefused) {
  docx::ZipLimits limits;
  limits.max_total_size = 1u << 20;
  EXPECT_EQ(OpenError(ZipOf({{"a", std::string(600000, 'a')}, {"b", std::string(600000, 'b')}}), limits),
            "the ZIP file inflates to more than 1 MiB, the limit for a template");
}

TEST(Zip, ALyingSizeCannotMakeItInflateMore) {
  std::string zip = ZipOf({{"a", std::string(10000, 'a')}});
  // Patch both declared sizes (local header at 22, central record at offset of its header + 24) to 100.
  const std::size_t central = zip.rfind(std::string("PK\x01\x02", 4));
  for (std::size_t at : {std::size_t{22}, central + 24}) {
    zip[at] = 100;
    zip[at + 1] = 0;
  }
  std::string error, out;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(zip, {}, error);
  ASSERT_TRUE(archive) << error;
  EXPECT_FALSE(docx::ZipArchive::Extract(archive->entries()[0], out, error));
  EXPECT_EQ(error, "the entry inflates to more than its declared size");
  EXPECT_LE(out.size(), 100u);
}

TEST(Zip, CorruptDataIsDetected) {
  std::string zip = ZipOf({{"a", "hej hej hej hej"}});
  zip[31] = static_cast<char>(zip[31] ^ 0x55);  // inside the deflated data
  std::string error, out;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(zip, {}, error);
  ASSERT_TRUE(archive) << error;
  EXPECT_FALSE(docx::ZipArchive::Extract(archive->entries()[0], out, error));
}

TEST(Zip, NamesThatClimbOutOfTheDocumentAreRefused) {
  for (const std::string& name : std::vector<std::string>{"../../etc/passwd", "/etc/passwd", "word/../../x.xml", "word\\..\\x.xml",
                                 "C:/x.xml", "./word/document.xml", std::string("wo\0rd", 5), "a\nb"}) {
    EXPECT_THAT(OpenError(ZipOf({{"[Content_Types].xml", "<Types/>"}, {name, "x"}})), HasSubstr("zip slip"))
        << name;
  }
  EXPECT_EQ(OpenError(ZipOf({{"word/_rels/document.xml.rels", "x"}, {"[Content_Types].xml", "x"}})), "opened");
  const std::vector<TemplateProblem> problems =
      Docx().Check(ZipOf({{"[Content_Types].xml", "<Types/>"}, {"../evil.xml", "x"}}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("zip slip"));
}

TEST(Zip, HostileTemplatesGiveOneClearProblemThroughThePlugin) {
  const std::string fixture = ReadFile(std::string(kDocxFixtures) + "/letter.docx");
  for (const auto& [bytes, text] : std::vector<std::pair<std::string, std::string>>{
           {"inte en docx", "not a ZIP file"},
           {fixture.substr(0, fixture.size() - 200), "truncated"},
           {ZipOf({{"a.txt", "x"}}), "no [Content_Types].xml"}}) {
    RenderOutcome outcome = Docx().Render(bytes, {}, {});
    EXPECT_TRUE(outcome.bytes.empty());
    ASSERT_EQ(outcome.problems.size(), 1u) << Describe(outcome.problems);
    EXPECT_THAT(outcome.problems[0].message, HasSubstr(text));
  }
}

}  // namespace
}  // namespace spegla::test
