#include "bundled_workflows.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "spegla/workflow_loader.h"

namespace spegla::cli {

namespace fs = std::filesystem;

Result<std::vector<DefinitionPtr>> InstallBundled(Engine& engine, const std::string& workflows_dir,
                                                  std::vector<std::string>* installed, bool only_missing) {
  fs::path dir = fs::path(workflows_dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  std::error_code ec;
  if (workflows_dir.empty() || !fs::is_directory(dir, ec)) {
    return Error::Of(ErrorCode::kNotFound, "no workflow directory '" + workflows_dir + "'");
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return Error::Of(ErrorCode::kNotFound, "no *.xml workflows in '" + dir.string() + "'");

  LoadOptions options;
  options.template_dir = (dir.parent_path() / "templates").string();
  std::vector<Issue> problems;
  std::vector<std::string> ids;
  std::set<std::string> present;
  if (only_missing) {
    for (const DefinitionSummary& d : engine.Definitions()) present.insert(d.id);
  }
  for (const fs::path& file : files) {
    if (only_missing) {
      LoadResult loaded = LoadWorkflowFromFile(file.string(), options);
      if (loaded.ok() && present.count(loaded.definition->id) > 0) continue;
    }
    InstallOutcome outcome = engine.InstallDefinitionFile(Actor::Operator(), file.string(), options);
    for (const Problem& problem : outcome.problems) problems.push_back({"", problem.Format()});
    if (!outcome.problems.empty()) continue;
    installed->push_back(outcome.id + " v" + std::to_string(outcome.version));
    if (std::find(ids.begin(), ids.end(), outcome.id) == ids.end()) ids.push_back(outcome.id);
  }
  if (!problems.empty()) return Error{ErrorCode::kInvalid, problems};
  std::vector<DefinitionPtr> definitions;
  for (const std::string& id : ids) {
    Result<DefinitionPtr> definition = engine.Definition(id);
    if (!definition) return definition.error();
    definitions.push_back(definition.value());
  }
  return definitions;
}

}  // namespace spegla::cli
