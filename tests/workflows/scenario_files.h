// Where the shipped workflows' scenarios are, and what the parameterised tests that run them call each.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace spegla::test {

inline const std::filesystem::path kScenarioDir = SPEGLA_SOURCE_DIR "/tests/workflows";
inline const std::filesystem::path kShippedWorkflowDir = SPEGLA_SOURCE_DIR "/workflows";

// The names of the *.scenario files here, sorted: the ids of the workflows they walk.
inline std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarioDir)) {
    if (entry.path().extension() == ".scenario") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "ku8-larande-besok" as a test name: "ku8_larande_besok".
inline std::string ScenarioTestName(std::string scenario) {
  std::replace(scenario.begin(), scenario.end(), '-', '_');
  return scenario;
}

}  // namespace spegla::test
