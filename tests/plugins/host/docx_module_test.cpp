// The docx plugin in both its forms: the built-in one from the generated list, and the same code loaded
// as a shared library by a host of its own. They must be the same plugin, byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../engine/engine_test_support.h"
#include "json_input.h"
#include "spegla/builtin_plugins.h"
#include "spegla/plugin_host.h"

namespace spegla {
namespace {

namespace fs = std::filesystem;
using ::testing::IsEmpty;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<std::string> Formatted(const std::vector<TemplateProblem>& problems) {
  std::vector<std::string> out;
  for (const TemplateProblem& p : problems) out.push_back(p.Format());
  return out;
}

TEST(DocxModuleTest, LoadableAndBuiltinFormsRenderTheSameDocument) {
  test::ScratchDir dir("spegla-docx-module");
  fs::path module = dir.path() / "spegla-docx.so";
  fs::copy_file(SPEGLA_DOCX_MODULE, module);

  PluginHost builtin, loaded;
  EXPECT_THAT(AddBuiltinPlugins(builtin), IsEmpty());
  EXPECT_THAT(loaded.LoadDirectory(dir.path()), IsEmpty());
  const DocumentPlugin* a = builtin.Find("docx");
  const DocumentPlugin* b = loaded.Find("docx");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto origin = [](const PluginHost& host, std::string_view name) {
    for (const PluginInfo& info : host.List()) {
      if (info.name == name) return info.origin;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(origin(builtin, "docx"), "built-in");
  EXPECT_EQ(origin(loaded, "docx"), module.string());
  EXPECT_EQ(a->Version(), b->Version());
  EXPECT_EQ(a->Produces(), b->Produces());

  const std::string fixtures = SPEGLA_SOURCE_DIR "/tests/fixtures/docx/";
  std::string letter = Slurp(fixtures + "letter.docx");
  TemplateData data;
  ASSERT_THAT(cli::ParseTemplateData(Slurp(fixtures + "letter.json"), "letter.json", &data), IsEmpty());
  RenderOutcome from_builtin = a->Render(letter, data, RenderOptions{});
  RenderOutcome from_module = b->Render(letter, data, RenderOptions{});
  EXPECT_THAT(Formatted(from_module.problems), IsEmpty());
  EXPECT_FALSE(from_module.bytes.empty());
  EXPECT_EQ(from_module.bytes, from_builtin.bytes);

  std::string broken = Slurp(fixtures + "broken.docx");
  EXPECT_FALSE(b->Check(broken).empty());
  EXPECT_EQ(Formatted(b->Check(broken)), Formatted(a->Check(broken)));
}

}  // namespace
}  // namespace spegla
