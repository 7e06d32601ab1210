#include "scenario_script.h"

#include <sstream>

namespace spegla::test {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits one logical line into words; false and *error on an unterminated quote or a bad escape.
bool SplitWords(const std::string& text, std::vector<std::string>* words, std::string* error) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsBlank(text[i])) ++i;
    if (i == text.size()) break;
    std::string word;
    while (i < text.size() && !IsBlank(text[i])) {
      char c = text[i];
      if (c == '\'') {
        size_t end = text.find('\'', i + 1);
        if (end == std::string::npos) return *error = "a '…' quote is not closed", false;
        word += text.substr(i + 1, end - i - 1);
        i = end + 1;
      } else if (c == '"') {
        ++i;
        for (;;) {
          if (i == text.size()) return *error = "a \"…\" quote is not closed", false;
          char q = text[i++];
          if (q == '"') break;
          if (q != '\\') {
            word += q;
            continue;
          }
          if (i == text.size()) return *error = "a \\ ends the line inside a quote", false;
          char e = text[i++];
          if (e == 'n') {
            word += '\n';
          } else if (e == '"' || e == '\\') {
            word += e;
          } else {
            return *error = std::string("unknown escape \\") + e, false;
          }
        }
      } else {
        word += c;
        ++i;
      }
    }
    words->push_back(std::move(word));
  }
  return true;
}

}  // namespace

ScenarioScript ParseScenario(const std::string& text) {
  ScenarioScript script;
  std::istringstream in(text);
  std::string raw, logical;
  int number = 0, start = 0;
  while (std::getline(in, raw)) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (logical.empty()) {
      size_t first = raw.find_first_not_of(" \t");
      if (first == std::string::npos || raw[first] == '#') continue;
      start = number;
    }
    if (raw.size() >= 2 && raw.compare(raw.size() - 2, 2, " \\") == 0) {
      logical += raw.substr(0, raw.size() - 1);
      continue;
    }
    logical += raw;
    ScenarioLine line{start, {}};
    std::string error;
    if (!SplitWords(logical, &line.words, &error)) {
      script.error = "line " + std::to_string(start) + ": " + error;
      return script;
    }
    script.lines.push_back(std::move(line));
    logical.clear();
  }
  if (!logical.empty())
    script.error = "line " + std::to_string(start) + ": the last line ends in a continuation";
  return script;
}

}  // namespace spegla::test
