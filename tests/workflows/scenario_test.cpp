// Every shipped workflow walks end to end: each `<workflow-id>.scenario` here runs against the real engine.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../engine/engine_test_support.h"
#include "scenario_files.h"
#include "scenario_runner.h"
#include "scenario_script.h"

namespace spegla::test {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ShippedWorkflow : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedWorkflow, WalksEndToEnd) {
  std::filesystem::path file = kScenarioDir / (GetParam() + ".scenario");
  ScratchDir dir("spegla-scenario");
  ScenarioRunner runner(kShippedWorkflowDir.string(), dir.File("spegla.db"));
  std::string failure = runner.Run(ParseScenario(ReadFile(file)), file.string());
  EXPECT_EQ(failure, "");
}

// EveryShippedWorkflowHasOne below, not gtest, insists that there are scenarios.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ShippedWorkflow);

INSTANTIATE_TEST_SUITE_P(WorkflowScenario, ShippedWorkflow, ::testing::ValuesIn(ScenarioNames()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return ScenarioTestName(param.param);
                         });

// Each shipped workflow has its scenario, so none can ship without walking end to end.
TEST(WorkflowScenarios, EveryShippedWorkflowHasOne) {
  for (const auto& entry : std::filesystem::directory_iterator(kShippedWorkflowDir)) {
    if (entry.path().extension() != ".xml") continue;
    EXPECT_TRUE(std::filesystem::exists(kScenarioDir / (entry.path().stem().string() + ".scenario")))
        << entry.path().filename() << " has no scenario in tests/workflows/";
  }
}

}  // namespace
}  // namespace spegla::test
