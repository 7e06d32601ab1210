// `spegla render` through the real binary, with the text plugin of the fixtures loaded from a plugins
// directory: outputs, exit codes, every problem printed, and nothing written unless every document is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../engine/engine_test_support.h"
#include "cli.h"
#include "plugins_render_support.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kLetter = "Hej {namn}!\nDu har {timmar} timmar och {elever} elever.\n";

class RenderCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(plugins_);
    fs::copy_file(fs::path(SPEGLA_PLUGIN_FIXTURE_DIR) / "good.so", plugins_ / "good.so");
    Write("brev.txt", kLetter);
    Write("asa.json", R"({"namn": "Åsa", "timmar": 3.5, "elever": 12})");
    Write("bo.json", R"({"namn": "Bo & Li", "timmar": 2, "elever": 1e21})");
  }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path path = dir_.path() / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::string Read(const std::string& name) { return Slurp(dir_.path() / name); }
  bool Exists(const std::string& name) { return fs::exists(dir_.path() / name); }

  // Runs `spegla render ARGS --plugins <the fixture>` in the scratch directory.
  Spawned Render(std::vector<std::string> args) {
    args.insert(args.begin(), "render");
    args.push_back("--plugins");
    args.push_back(plugins_.string());
    return RunSpegla(args, dir_.path(), dir_.path() / "share");
  }

  // The names in the scratch directory, apart from the fixtures' own.
  std::vector<std::string> Entries(const std::string& sub = "") {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_.path() / sub)) {
      std::string name = entry.path().filename().string();
      if (name != "plugins" && name != "share") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  ScratchDir dir_{"spegla-render-cli"};
  fs::path plugins_ = dir_.path() / "plugins";
};

TEST_F(RenderCliTest, OneDataFileRendersToTheOutputFile) {
  Spawned s = Render({"brev.txt", "asa.json", "-o", "brev-asa.txt"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "brev-asa.txt\n");
  EXPECT_EQ(s.err, "");  // no progress bar: stderr is not a terminal
  EXPECT_EQ(Read("brev-asa.txt"), "Hej Åsa!\nDu har 3.5 timmar och 12 elever.\n");
  EXPECT_THAT(Entries(), ElementsAre("asa.json", "bo.json", "brev-asa.txt", "brev.txt"));  // no temp file
}

TEST_F(RenderCliTest, SeveralDataFilesRenderIntoADirectory) {
  Spawned s = Render({"brev.txt", "asa.json", "bo.json", "-o", "ut"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "ut/asa.txt\nut/bo.txt\n");
  EXPECT_EQ(Read("ut/asa.txt"), "Hej Åsa!\nDu har 3.5 timmar och 12 elever.\n");
  EXPECT_EQ(Read("ut/bo.txt"), "Hej Bo & Li!\nDu har 2 timmar och 1e+21 elever.\n");
  EXPECT_THAT(Entries("ut"), ElementsAre("asa.txt", "bo.txt"));
}

TEST_F(RenderCliTest, OneDataFileIntoAnExistingDirectory) {
  fs::create_directory(dir_.path() / "ut");
  Spawned s = Render({"brev.txt", "asa.json", "-o", "ut"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "ut/asa.txt\n");
}

TEST_F(RenderCliTest, BadJsonIsLocatedAndNothingIsWritten) {
  Write("trasig.json", "{\n  \"namn\": \"Cia\",\n  \"timmar\": 3,5\n}\n");
  Spawned s = Render({"brev.txt", "asa.json", "trasig.json", "-o", "ut"});
  EXPECT_EQ(s.status, 1);
  EXPECT_EQ(s.out, "");
  EXPECT_THAT(Lines(s.err), ElementsAre("trasig.json:3:15: invalid JSON: syntax error",
                                        "spegla render: nothing was written"));
  EXPECT_FALSE(Exists("ut"));
}

TEST_F(RenderCliTest, EveryTemplateProblemIsPrintedAndNothingIsWritten) {
  Write("trasig.txt", "Hej {namn\nDu } har {timmar} timmar.\n");
  Write("ut.txt", "the previous version");
  Spawned s = Render({"trasig.txt", "asa.json", "-o", "ut.txt"});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(Lines(s.err),
              ElementsAre("trasig.txt: body: unclosed tag {namn (in \u201cHej {namn\u201d)",
                          "trasig.txt: body: unopened tag } (in \u201cDu } har {timmar} timmar.\u201d)",
                          "spegla render: nothing was written"));
  EXPECT_EQ(Read("ut.txt"), "the previous version");
}

TEST_F(RenderCliTest, MissingIsErrorFailsTheWholeBatch) {
  Write("utan.json", R"({"namn": "Dan", "timmar": 1})");
  Spawned lenient = Render({"brev.txt", "asa.json", "utan.json", "-o", "ut"});
  EXPECT_EQ(lenient.status, 0) << lenient.err;
  EXPECT_EQ(Read("ut/utan.txt"), "Hej Dan!\nDu har 1 timmar och  elever.\n");
  fs::remove_all(dir_.path() / "ut");

  Spawned strict = Render({"brev.txt", "asa.json", "utan.json", "-o", "ut", "--missing-is-error"});
  EXPECT_EQ(strict.status, 1);
  EXPECT_THAT(
      Lines(strict.err),
      ElementsAre("utan.json: body: no value for {elever} (in \u201cDu har {timmar} timmar och {elever} "
                  "elever.\u201d)",
                  "spegla render: nothing was written"));
  EXPECT_FALSE(Exists("ut"));  // not even asa's document, which rendered
}

TEST_F(RenderCliTest, DataThatIsNotAnObjectIsAProblem) {
  Write("lista.json", "[1, 2]");
  Spawned s = Render({"brev.txt", "lista.json", "-o", "ut.txt"});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(Lines(s.err),
              ElementsAre("lista.json:1:1: the data must be a JSON object ({\"name\": value, ...})",
                          "spegla render: nothing was written"));
}

TEST_F(RenderCliTest, OutputsThatWouldCollideAreRefused) {
  Write("a/elev.json", R"({"namn": "A"})");
  Write("b/elev.json", R"({"namn": "B"})");
  Spawned s = Render({"brev.txt", "a/elev.json", "b/elev.json", "-o", "ut"});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(Lines(s.err),
              ElementsAre("b/elev.json: would be written to ut/elev.txt, like a/elev.json; rename "
                          "one of them",
                          "spegla render: nothing was written"));
  EXPECT_FALSE(Exists("ut"));
}

TEST_F(RenderCliTest, TheDocumentNeverOverwritesItsInputs) {
  Spawned s = Render({"brev.txt", "asa.json", "-o", "asa.json"});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(s.err, HasSubstr("asa.json: the document would overwrite the data file asa.json"));
  EXPECT_EQ(Read("asa.json"), R"({"namn": "Åsa", "timmar": 3.5, "elever": 12})");
}

TEST_F(RenderCliTest, TheTemplateExtensionChoosesThePlugin) {
  Write("brev.odt", "not a template any plugin takes");
  Spawned s = Render({"brev.odt", "asa.json", "-o", "ut.odt"});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(s.err, HasSubstr("brev.odt: no plugin renders .odt templates (loaded: "));
  EXPECT_THAT(s.err, HasSubstr("fixture-text (.txt)"));
  // --plugin names one whatever the extension.
  Write("brev.mall", "Hej {namn}!");
  Spawned named = Render({"brev.mall", "asa.json", "-o", "ut.txt", "--plugin", "fixture-text"});
  EXPECT_EQ(named.status, 0) << named.err;
  EXPECT_EQ(Read("ut.txt"), "Hej Åsa!");
}

TEST_F(RenderCliTest, PluginProblemsAreWarningsWhenThePluginNeededLoaded) {
  std::ofstream(plugins_ / "x.so") << "not a library";
  Spawned s = Render({"brev.txt", "asa.json", "-o", "ut.txt"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.err, "spegla: warning: " + (plugins_ / "x.so").string() +
                       ": not a shared library (it has no ELF header)\n");
}

TEST_F(RenderCliTest, UsageErrors) {
  EXPECT_EQ(Render({"brev.txt", "asa.json"}).status, 2);      // no -o
  EXPECT_EQ(Render({"brev.txt", "-o", "ut.txt"}).status, 2);  // no data file
  Write("fil", "");
  Spawned s = Render({"brev.txt", "asa.json", "bo.json", "-o", "fil"});
  EXPECT_EQ(s.status, 2);
  EXPECT_THAT(s.err, HasSubstr("with several data files, -o names a directory, and fil is a file"));
}

TEST_F(RenderCliTest, JsonReportsTheDocuments) {
  Spawned s = Render({"brev.txt", "asa.json", "bo.json", "-o", "ut", "--json"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(boost::json::parse(s.out), boost::json::parse(R"({"ok": true, "problems": [], "documents": [
                {"data": "asa.json", "output": "ut/asa.txt"}, {"data": "bo.json", "output": "ut/bo.txt"}]})"));
}

// In-process, with a terminal pretended: the progress bar is drawn on stderr and ends with a newline.
TEST_F(RenderCliTest, ProgressBarOnATerminal) {
  cli::Environment env;
  env.progress = true;
  env.share_dir = (dir_.path() / "share").string();
  std::ostringstream out, err;
  fs::path ut = dir_.path() / "ut";
  std::vector<std::string> args = {"render",
                                   Write("brev.txt", kLetter),
                                   (dir_.path() / "asa.json").string(),
                                   (dir_.path() / "bo.json").string(),
                                   "-o",
                                   ut.string(),
                                   "--plugins",
                                   plugins_.string()};
  EXPECT_EQ(cli::Run(args, out, err, env), 0) << err.str();
  EXPECT_EQ(err.str(), "\r[###############...............] 1/2\r[##############################] 2/2\n");
  EXPECT_EQ(out.str(), (ut / "asa.txt").string() + "\n" + (ut / "bo.txt").string() + "\n");
}

}  // namespace
}  // namespace spegla::test
