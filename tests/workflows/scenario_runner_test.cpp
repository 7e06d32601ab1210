// The scenario runner itself: it must fail where a scenario is wrong, or the workflow scenarios prove
// nothing.

#include "scenario_runner.h"

#include <gtest/gtest.h>

#include "../engine/engine_test_support.h"
#include "scenario_script.h"

namespace spegla::test {
namespace {

constexpr const char* kSetup = R"(# a comment
workflow test-flow.xml
municipality ale "Ale kommun" network=KU8
unit skola ale "Nolhagaskolan" skola
user rut "Rut Rektor" ale
user lena "Lena Lärare" ale
assign_placeholder
)";

::testing::AssertionResult Says(const std::string& verdict, const std::string& text) {
  if (verdict.find(text) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the verdict \"" << verdict << "\" does not say \"" << text << "\"";
}

class ScenarioRunnerTest : public ::testing::Test {
 protected:
  // Runs kSetup, an instance with a rektor and a lärare, then `body`; returns the runner's verdict.
  std::string Run(const std::string& body) {
    std::string text = kSetup;
    text.replace(text.find("assign_placeholder"), 18,
                 "instance test-flow skola \"Besök\"\nassign rektor rut\nassign larare lena");
    ScenarioRunner runner(SPEGLA_SOURCE_DIR "/tests/fixtures/loader", dir_.File("db" + std::to_string(++runs_) + ".sqlite"));
    return runner.Run(ParseScenario(text + body), "t.scenario");
  }
  ScratchDir dir_{"spegla-runner"};
  int runs_ = 0;
};

TEST_F(ScenarioRunnerTest, PassesWhenEveryCommandDoesWhatItSays) {
  EXPECT_EQ(Run("expect status active\n"
                "expect phase ansokan\n"
                "expect step ansokan active\n"
                "expect task lena ansokan\n"
                "expect no-task rut ansokan\n"
                "as lena set ansokan antal=12 \\\n"
                "   beskrivning=\"Två rader\\nhär\"\n"
                "expect as lena value ansokan.antal \"12\"\n"
                "as lena set ansokan antal=abc\n"
                "=> fails invalid\n"
                "as rut complete ansokan\n"
                "=> fails forbidden\n"),
            "");
}

TEST_F(ScenarioRunnerTest, ReportsAnActionThatFailsUnexpectedly) {
  std::string verdict = Run("as rut complete ansokan\n");
  EXPECT_TRUE(Says(verdict, "t.scenario:10: failed: forbidden"));
}

TEST_F(ScenarioRunnerTest, ReportsAnExpectedFailureThatSucceeds) {
  std::string verdict = Run("as lena set ansokan antal=12\n=> fails\n");
  EXPECT_TRUE(Says(verdict, "t.scenario:11: the action succeeded"));
}

TEST_F(ScenarioRunnerTest, ReportsAFailureOfAnotherKindOrWording) {
  EXPECT_TRUE(
      Says(Run("as rut complete ansokan\n=> fails refused\n"), "failed as forbidden instead of refused"));
  EXPECT_TRUE(
      Says(Run("as rut complete ansokan\n=> fails \"no such words\"\n"), "does not say \"no such words\""));
}

TEST_F(ScenarioRunnerTest, ReportsChecksThatDoNotHold) {
  EXPECT_TRUE(Says(Run("expect phase observation\n"), "t.scenario:10: the current phase is \"ansokan\""));
  EXPECT_TRUE(Says(Run("expect step ansokan completed\n"), "step ansokan is active, not completed"));
  EXPECT_TRUE(Says(Run("expect task rut ansokan\n"), "is not in the task list of rut"));
  EXPECT_TRUE(Says(Run("as lena set ansokan antal=3\nexpect as lena value ansokan.antal \"4\"\n"),
                   "shows \"3\" to lena, not \"4\""));
}

TEST_F(ScenarioRunnerTest, ReportsMistakesInTheScenarioItself) {
  EXPECT_TRUE(Says(Run("frobnicate\n"), "t.scenario:10: unknown command \"frobnicate\""));
  EXPECT_TRUE(Says(Run("as lena set ansokan antal=\"12\n"), "line 10: a \"…\" quote is not closed"));
  EXPECT_TRUE(Says(Run("expect status active\n=> fails\n"), "\"=>\" must follow an action"));
  EXPECT_TRUE(Says(Run("unit x nowhere \"X\" skola\n"), "no municipality with key nowhere"));
}

TEST_F(ScenarioRunnerTest, MovesTheClock) {
  EXPECT_EQ(Run("expect not-overdue ansokan\nclock +P3W\nexpect overdue ansokan\n"), "");
}

}  // namespace
}  // namespace spegla::test
