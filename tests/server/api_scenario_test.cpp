// Every process can be driven end to end over HTTP (issue 6): each shipped workflow's scenario
// (tests/workflows/) runs again with every action its people take going through the REST API.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../workflows/scenario_runner.h"
#include "../workflows/scenario_script.h"
#include "api_test_support.h"
#include "http_scenario_actions.h"

namespace spegla::test {
namespace {

const std::filesystem::path kScenarioDir = SPEGLA_SOURCE_DIR "/tests/workflows";
const std::filesystem::path kWorkflowDir = SPEGLA_SOURCE_DIR "/workflows";

std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarioDir)) {
    if (entry.path().extension() == ".scenario") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ShippedWorkflowOverHttp : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedWorkflowOverHttp, WalksEndToEnd) {
  std::filesystem::path file = kScenarioDir / (GetParam() + ".scenario");
  ScratchDir dir("spegla-api-scenario");
  ScenarioRunner runner(kWorkflowDir.string(), dir.File("spegla.db"),
                        [](Engine& engine) { return std::make_unique<HttpScenarioActions>(engine); });
  std::string failure = runner.Run(ParseScenario(ReadText(file.string())), file.string());
  EXPECT_EQ(failure, "");
}

// EveryShippedWorkflowHasOne below, not gtest, insists that there are scenarios.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ShippedWorkflowOverHttp);

INSTANTIATE_TEST_SUITE_P(ApiScenario, ShippedWorkflowOverHttp, ::testing::ValuesIn(ScenarioNames()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Each shipped workflow has its scenario, so each is driven over HTTP above.
TEST(ApiScenarios, EveryShippedWorkflowHasOne) {
  for (const auto& entry : std::filesystem::directory_iterator(kWorkflowDir)) {
    if (entry.path().extension() != ".xml") continue;
    EXPECT_TRUE(std::filesystem::exists(kScenarioDir / (entry.path().stem().string() + ".scenario")))
        << entry.path().filename() << " has no scenario in tests/workflows/";
  }
}

}  // namespace
}  // namespace spegla::test
