// Every process can be driven end to end over HTTP (issue 6): each shipped workflow's scenario
// (tests/workflows/) runs again with every action its people take going through the REST API.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../workflows/scenario_files.h"
#include "../workflows/scenario_runner.h"
#include "../workflows/scenario_script.h"
#include "api_test_support.h"
#include "http_scenario_actions.h"

namespace spegla::test {
namespace {

class ShippedWorkflowOverHttp : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedWorkflowOverHttp, WalksEndToEnd) {
  std::filesystem::path file = kScenarioDir / (GetParam() + ".scenario");
  ScratchDir dir("spegla-api-scenario");
  ScenarioRunner runner(kShippedWorkflowDir.string(), dir.File("spegla.db"),
                        [](Engine& engine) { return std::make_unique<HttpScenarioActions>(engine); });
  std::string failure = runner.Run(ParseScenario(ReadText(file.string())), file.string());
  EXPECT_EQ(failure, "");
}

// WorkflowScenarios.EveryShippedWorkflowHasOne (scenario_test.cpp) insists that there is one per workflow.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ShippedWorkflowOverHttp);

INSTANTIATE_TEST_SUITE_P(ApiScenario, ShippedWorkflowOverHttp, ::testing::ValuesIn(ScenarioNames()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return ScenarioTestName(param.param);
                         });

}  // namespace
}  // namespace spegla::test
