// The subcommands of `spegla` and what they share: parsed arguments, output streams, the engine.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "args.h"
#include "cli.h"
#include "spegla/engine.h"
#include "spegla/plugin_host.h"

namespace spegla::cli {

struct Context {
  const Args& args;
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
  const Clock& clock;
  mutable std::unique_ptr<PluginHost> plugins;  // loaded by OpenEngine, outlives the engines it opens

  bool json() const { return args.Has("json"); }
  std::string db_path() const { return args.GetOr("db", "data/spegla.db"); }
  // --as USER, else SPEGLA_USER, else the operator at the console.
  Actor actor() const;
  // Opens the engine on --db; on failure prints why and returns null.
  // The engine has the document plugins (loaded on first use; problems are printed as warnings).
  std::unique_ptr<Engine> OpenEngine() const;
  // Prints an engine error (as text or JSON) and returns kExitFailure.
  int Fail(const Error& error) const;
  // Prints `message` (or {"ok": true}) when the operation succeeded, else its error; returns the exit code.
  int Confirm(const Result<Ok>& result, const std::string& message) const;
  // Prints a usage problem and returns kExitUsage.
  int Usage(const std::string& message) const;
  // Reads a whole-number positional or option value; prints a usage error when it is not one.
  std::optional<std::int64_t> Id(const std::string& text, const std::string& what) const;
};

struct Command {
  std::string name;     // "validate", "instance create"
  std::string usage;    // arguments after the name
  std::string summary;  // one line
  std::set<std::string> flags;
  std::set<std::string> options;
  size_t min_args = 0;
  size_t max_args = 0;  // SIZE_MAX for any number
  std::function<int(Context&)> run;
};

void AddValidateCommands(std::vector<Command>& commands);
void AddWorkflowCommands(std::vector<Command>& commands);
void AddOrganisationCommands(std::vector<Command>& commands);
void AddInstanceCommands(std::vector<Command>& commands);
void AddDemoCommands(std::vector<Command>& commands);
void AddPluginCommands(std::vector<Command>& commands);
void AddRenderCommands(std::vector<Command>& commands);
void AddDocumentCommands(std::vector<Command>& commands);
void AddExportCommands(std::vector<Command>& commands);
void AddServeCommands(std::vector<Command>& commands);
void AddBackupCommands(std::vector<Command>& commands);
void AddMigrateCommands(std::vector<Command>& commands);
void AddOfflineFormCommands(std::vector<Command>& commands);
// `spegla render --instance ID --document NAME -o OUT`: a preview of an instance's document.
int RenderInstanceDocument(Context& c);

// The document plugins for a command: the built-in ones, then every library in --plugins DIR (default
// <share>/plugins when that directory exists). Appends every problem to *problems; the host holds the
// plugins that loaded.
std::unique_ptr<PluginHost> LoadPlugins(const Context& c, Problems* problems);

}  // namespace spegla::cli
