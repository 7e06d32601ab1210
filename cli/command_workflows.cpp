// spegla workflows [install FILE...]: the definitions in a database, and installing new ones.
#include <climits>
#include <iomanip>

#include "commands.h"
#include "json_output.h"

namespace spegla::cli {
namespace {

int List(Context& c) {
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  std::vector<DefinitionSummary> definitions = engine->Definitions();
  if (c.json()) {
    c.out << DefinitionsJson(definitions) << "\n";
    return kExitOk;
  }
  for (const DefinitionSummary& d : definitions) {
    c.out << d.id << " v" << d.version << (d.latest ? "" : " (older)") << "  " << d.title << "\n";
  }
  return kExitOk;
}

int Install(Context& c) {
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  LoadOptions options;
  if (auto dir = c.args.Get("templates")) options.template_dir = *dir;
  std::vector<InstallOutcome> outcomes;
  bool ok = true;
  for (const std::string& file : c.args.positional()) {
    InstallOutcome outcome = engine->InstallDefinitionFile(c.actor(), file, options);
    ok = ok && outcome.problems.empty();
    if (!c.json()) {
      for (const Problem& p : outcome.problems) c.err << p.Format() << "\n";
      if (outcome.problems.empty()) {
        c.out << outcome.id << " v" << outcome.version
              << (outcome.already_installed ? " already installed" : " installed") << "\n";
      }
    }
    outcomes.push_back(std::move(outcome));
  }
  if (c.json()) c.out << InstallJson(outcomes) << "\n";
  return ok ? kExitOk : kExitFailure;
}

}  // namespace

void AddWorkflowCommands(std::vector<Command>& commands) {
  commands.push_back(Command{
      "workflows", "", "list the workflow definitions in the database, one per line", {}, {}, 0, 0, List});
  commands.push_back(Command{"workflows install",
                             "FILE... [--templates DIR]",
                             "validate and install workflow definitions (a higher version is a new version)",
                             {},
                             {"templates"},
                             1,
                             SIZE_MAX,
                             Install});
}

}  // namespace spegla::cli
