// `spegla plugins` through the real binary: what is loaded, from where, and the problems of the libraries
// that failed, with the exit code a shell sees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <sstream>

#include "../engine/engine_test_support.h"
#include "plugins_render_support.h"
#include "spegla/plugin.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

class PluginsCliTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(plugins_); }

  std::string Fixture(const std::string& name, const fs::path& dir) {
    fs::path target = dir / (name + ".so");
    fs::copy_file(fs::path(SPEGLA_PLUGIN_FIXTURE_DIR) / (name + ".so"), target);
    return target.string();
  }
  Spawned Spegla(std::vector<std::string> args) { return RunSpegla(args, dir_.path(), share_); }

  // The lines of `spegla plugins` output for plugins that are not built in.
  static std::vector<std::vector<std::string>> Loaded(const std::string& out) {
    std::vector<std::vector<std::string>> rows;
    for (const std::string& line : Lines(out)) {
      std::vector<std::string> fields = Fields(line);
      if (!fields.empty() && fields.back() != "built-in") rows.push_back(fields);
    }
    return rows;
  }

  ScratchDir dir_{"spegla-plugins-cli"};
  fs::path share_ = dir_.path() / "share";
  fs::path plugins_ = dir_.path() / "plugins";
};

TEST_F(PluginsCliTest, ListsTheLoadedPluginsWithTheirOrigin) {
  std::string good = Fixture("good", plugins_);
  Spawned s = Spegla({"plugins", "--plugins", plugins_.string()});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.err, "");
  EXPECT_THAT(Loaded(s.out), ElementsAre(ElementsAre("fixture-text", "document", "1.2.3", ".txt", "text/plain", good)));
}

TEST_F(PluginsCliTest, DefaultPluginsDirectoryIsInTheShareDirectory) {
  fs::create_directories(share_ / "plugins");
  std::string good = Fixture("good", share_ / "plugins");
  Spawned s = Spegla({"plugins"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_THAT(Loaded(s.out), ElementsAre(ElementsAre("fixture-text", "document", "1.2.3", ".txt", "text/plain", good)));
}

TEST_F(PluginsCliTest, NoPluginsDirectoryIsNotAProblem) {
  Spawned s = Spegla({"plugins"});  // the share directory has no plugins/
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.err, "");
  EXPECT_THAT(Loaded(s.out), IsEmpty());
}

TEST_F(PluginsCliTest, FailedLibrariesArePrintedAndTheExitCodeIsOne) {
  std::string good = Fixture("good", plugins_);
  std::string wrong_abi = Fixture("wrong-abi", plugins_);
  std::string throws = Fixture("throws", plugins_);
  std::ofstream(plugins_ / "x.so") << "not a library";
  Spawned s = Spegla({"plugins", "--plugins", plugins_.string()});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(Loaded(s.out), ElementsAre(ElementsAre("fixture-text", "document", "1.2.3", ".txt", "text/plain", good)));
  EXPECT_THAT(Lines(s.err),
              ElementsAre(throws + ": its register function threw: the fixture cannot find its configuration",
                          wrong_abi + ": refused: built for plugin ABI " +
                              std::to_string(kPluginAbiVersion + 1) + " (this Spegla uses " +
                              std::to_string(kPluginAbiVersion) + "); rebuild it against this version",
                          (plugins_ / "x.so").string() + ": not a shared library (it has no ELF header)"));
}

TEST_F(PluginsCliTest, WorldWritablePluginsDirectoryIsRefused) {
  Fixture("good", plugins_);
  fs::permissions(plugins_, fs::perms::all);
  Spawned s = Spegla({"plugins", "--plugins", plugins_.string()});
  EXPECT_EQ(s.status, 1);
  EXPECT_THAT(Loaded(s.out), IsEmpty());
  EXPECT_THAT(
      Lines(s.err),
      ElementsAre(plugins_.string() + ": refused: the plugins directory is writable by everyone; plugins run "
                                      "as Spegla, so only administrators may change them (chmod o-w)"));
}

TEST_F(PluginsCliTest, JsonListsPluginsAndProblems) {
  std::string good = Fixture("good", plugins_);
  std::string no_register = Fixture("no-register", plugins_);
  Spawned s = Spegla({"plugins", "--plugins", plugins_.string(), "--json"});
  EXPECT_EQ(s.status, 1);
  boost::json::value v = boost::json::parse(s.out);
  EXPECT_FALSE(v.at("ok").as_bool());
  bool found = false;
  for (const boost::json::value& p : v.at("plugins").as_array()) {
    if (p.at("name") != "fixture-text") continue;
    found = true;
    EXPECT_EQ(p.at("kind"), "document");
    EXPECT_EQ(p.at("version"), "1.2.3");
    EXPECT_EQ(p.at("produces"), "text/plain");
    EXPECT_EQ(p.at("extension"), "txt");
    EXPECT_EQ(p.at("origin"), boost::json::value(good));
  }
  EXPECT_TRUE(found) << s.out;
  const boost::json::array& problems = v.at("problems").as_array();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].at("file"), boost::json::value(no_register));
  EXPECT_EQ(
      problems[0].at("message"),
      "not a Spegla plugin: it does not export spegla_plugin_register (build it with SPEGLA_PLUGIN_ENTRY)");
}

}  // namespace
}  // namespace spegla::test
