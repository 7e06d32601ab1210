// The text of a workflow scenario (see README.md here), split into commands of words with their line
// numbers. Knows the quoting rules only; what the words mean is the runner's business.
#pragma once

#include <string>
#include <vector>

namespace spegla::test {

struct ScenarioLine {
  int line = 0;  // 1-based line where the command starts
  std::vector<std::string> words;
};

struct ScenarioScript {
  std::vector<ScenarioLine> lines;
  std::string error;  // non-empty: the text could not be read, "line N: why"
};

ScenarioScript ParseScenario(const std::string& text);

}  // namespace spegla::test
