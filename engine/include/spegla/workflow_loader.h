// Reads a workflow definition from XML and checks everything a definition can get wrong: malformed XML,
// unknown elements and attributes, undefined or duplicate ids, unreachable steps, steps that can never
// complete, cycles with no way out, bad durations, expression type errors and missing template files.
// Every problem is reported at once, each with file, line and column.
#pragma once

#include <string>
#include <string_view>

#include "spegla/problem.h"
#include "spegla/workflow_definition.h"

namespace spegla {

struct LoadResult {
  DefinitionPtr definition;  // null when problems is non-empty
  Problems problems;         // sorted by line and column

  bool ok() const { return problems.empty(); }
};

struct LoadOptions {
  // Directory that template paths are relative to; defaults to `templates/` beside the workflow file's
  // directory (workflows/x.xml -> templates/).
  std::string template_dir;
  // Skip the check that template files exist (when a definition arrives over the API before its templates).
  bool check_templates = true;
  // A definition stored by an earlier version of Spegla, loaded again to run its instances: an export label
  // that does not fit as a sheet name (before `sheet` existed) is shortened to one instead of refused.
  bool stored = false;
};

// `file` is used in messages and, unless options say otherwise, to resolve template paths.
LoadResult LoadWorkflowFromFile(const std::string& file, const LoadOptions& options = {});
LoadResult LoadWorkflowFromText(std::string_view xml, const std::string& file,
                                const LoadOptions& options = {});

inline constexpr std::string_view kWorkflowNamespace = "urn:spegla:workflow:1";
inline constexpr size_t kMaxWorkflowBytes = 4 * 1024 * 1024;

}  // namespace spegla
