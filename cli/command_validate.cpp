// spegla validate FILE...: every problem in each workflow file, as file:line:column: message.
#include <climits>

#include "commands.h"
#include "json_output.h"
#include "spegla/workflow_loader.h"

namespace spegla::cli {
namespace {

int Validate(Context& c) {
  std::vector<std::pair<std::string, Problems>> results;
  size_t total = 0;
  LoadOptions options;
  if (auto dir = c.args.Get("templates")) options.template_dir = *dir;
  for (const std::string& file : c.args.positional()) {
    LoadResult result = LoadWorkflowFromFile(file, options);
    total += result.problems.size();
    results.emplace_back(file, std::move(result.problems));
  }
  if (c.json()) {
    c.out << ProblemsJson(results) << "\n";
  } else {
    for (const auto& [file, problems] : results) {
      for (const Problem& p : problems) c.out << p.Format() << "\n";
    }
  }
  return total == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void AddValidateCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"validate",
                             "FILE... [--templates DIR]",
                             "check workflow definitions; print every problem as file:line:column: message",
                             {},
                             {"templates"},
                             1,
                             SIZE_MAX,
                             Validate});
}

}  // namespace spegla::cli
