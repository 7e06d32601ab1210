// Every form of the five shipped workflows round-trips through Word and Excel files (issue 11): each
// workflow's scenario runs again with every form write made by downloading the form, filling it in with
// python-docx or openpyxl as a person would, and importing it (offline_scenario_actions.h). The scenario's
// own expectations, refusals included, must hold as they do for saves in the web form, and every value
// written must come back exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "../engine/engine_test_support.h"
#include "../workflows/scenario_files.h"
#include "../workflows/scenario_runner.h"
#include "../workflows/scenario_script.h"
#include "offline_scenario_actions.h"

namespace spegla::test {
namespace {

struct Case {
  std::string scenario;
  offline::FileKind kind;
};

class OfflineWorkflow : public ::testing::TestWithParam<Case> {};

TEST_P(OfflineWorkflow, EveryFormWriteGoesThroughAFile) {
  const std::filesystem::path file = kScenarioDir / (GetParam().scenario + ".scenario");
  ScratchDir dir("spegla-offline-scenario");
  OfflineScenarioActions* actions = nullptr;
  ScenarioRunner runner(kShippedWorkflowDir.string(), dir.File("spegla.db"), [&](Engine& engine) {
    auto made = std::make_unique<OfflineScenarioActions>(engine, GetParam().kind, dir.path());
    actions = made.get();
    return made;
  });
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(runner.Run(ParseScenario(text), file.string()), "");
  ASSERT_NE(actions, nullptr);
  EXPECT_GT(actions->imported(), 5) << "the scenario's form writes did not go through files";

  // Every form of the workflow that its scenario writes went through a file at least once.
  std::string xml;
  {
    std::ifstream definition(kShippedWorkflowDir / (GetParam().scenario + ".xml"));
    xml.assign((std::istreambuf_iterator<char>(definition)), std::istreambuf_iterator<char>());
  }
  LoadResult loaded =
      LoadWorkflowFromText(xml, (kShippedWorkflowDir / (GetParam().scenario + ".xml")).string());
  ASSERT_TRUE(loaded.definition) << "the workflow does not load: " << loaded.problems.size() << " problems";
  std::vector<std::string> missed;
  for (const Form& form : loaded.definition->forms) {
    if (!actions->forms().count(GetParam().scenario + "/" + form.id)) missed.push_back(form.id);
  }
  EXPECT_TRUE(missed.empty()) << "forms never written through a file: " << ::testing::PrintToString(missed);
  std::cout << "[ offline  ] " << GetParam().scenario << ": " << actions->imported() << " imports, "
            << actions->forms().size() << " of " << loaded.definition->forms.size() << " forms\n";
}

std::vector<Case> Cases() {
  std::vector<Case> out;
  for (const std::string& name : ScenarioNames()) {
    out.push_back({name, offline::FileKind::kDocx});
    out.push_back({name, offline::FileKind::kXlsx});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Scenario, OfflineWorkflow, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return ScenarioTestName(param.param.scenario) +
                                  (param.param.kind == offline::FileKind::kDocx ? "_Word" : "_Excel");
                         });

}  // namespace
}  // namespace spegla::test
