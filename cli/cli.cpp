#include "cli.h"

#include <algorithm>
#include <climits>
#include <exception>
#include <ostream>

#include "commands.h"
#include "json_output.h"
#include "spegla/database.h"

namespace spegla::cli {
namespace {

const std::set<std::string> kGlobalFlags = {"json", "help"};
const std::set<std::string> kGlobalOptions = {"db", "as"};

std::vector<Command> AllCommands() {
  std::vector<Command> commands;
  AddValidateCommands(commands);
  AddWorkflowCommands(commands);
  AddOrganisationCommands(commands);
  AddInstanceCommands(commands);
  AddDemoCommands(commands);
  AddPluginCommands(commands);
  AddRenderCommands(commands);
  AddDocumentCommands(commands);
  AddExportCommands(commands);
  AddServeCommands(commands);
  AddBackupCommands(commands);
  AddMigrateCommands(commands);
  AddOfflineFormCommands(commands);
  return commands;
}

void PrintOverview(std::ostream& out, const std::vector<Command>& commands, const std::string& prefix) {
  out << "Spegla " << SPEGLA_VERSION << " — collaborative school-development workflows\n\n"
      << "Usage: spegla COMMAND [ARGS] [--db PATH] [--as USER] [--json]\n\nCommands:\n";
  size_t width = 0;
  for (const Command& c : commands) width = std::max(width, c.name.size());
  for (const Command& c : commands) {
    if (!prefix.empty() && c.name.rfind(prefix, 0) != 0) continue;
    out << "  " << c.name << std::string(width - c.name.size() + 2, ' ') << c.summary << "\n";
  }
  out << "\nGlobal options:\n"
      << "  --db PATH   the database (default data/spegla.db)\n"
      << "  --as USER   act as this user (default $SPEGLA_USER, else the operator at the console)\n"
      << "  --json      machine-readable output\n"
      << "  --help      help for a command\n\n"
      << "Exit codes: 0 ok, 1 failure (refused, invalid, not found), 2 usage error.\n";
}

void PrintHelp(std::ostream& out, const Command& c) {
  out << "Usage: spegla " << c.name << (c.usage.empty() ? "" : " " + c.usage) << "\n\n" << c.summary << "\n";
  out << "\nGlobal options: --db PATH, --as USER, --json\n";
}

}  // namespace

Actor Context::actor() const {
  std::string user = args.GetOr("as", env.default_user);
  if (user.empty() || user == "operator") return Actor::Operator();
  return Actor::User(user);
}

std::unique_ptr<Engine> Context::OpenEngine() const {
  if (!plugins) {
    Problems problems;
    plugins = LoadPlugins(*this, &problems);
    for (const Problem& p : problems) err << "spegla: warning: " << p.Format() << "\n";
  }
  try {
    std::unique_ptr<Engine> engine = Engine::Open(db_path(), clock);
    engine->SetPlugins(plugins.get());
    return engine;
  } catch (const DatabaseError& e) {
    if (json()) {
      out << ErrorJson(Error::Of(ErrorCode::kInternal, e.what())) << "\n";
    } else {
      err << "spegla: " << e.what() << "\n";
    }
    return nullptr;
  }
}

int Context::Fail(const Error& error) const {
  if (json()) {
    out << ErrorJson(error) << "\n";
  } else {
    err << "spegla: " << ToString(error.code) << "\n";
    for (const Issue& issue : error.issues) {
      err << "  " << (issue.field.empty() ? "" : issue.field + ": ") << issue.message << "\n";
    }
  }
  return kExitFailure;
}

int Context::Confirm(const Result<Ok>& result, const std::string& message) const {
  if (!result) return Fail(result.error());
  if (json()) {
    out << OkJson() << "\n";
  } else {
    out << message << "\n";
  }
  return kExitOk;
}

int Context::Usage(const std::string& message) const {
  err << "spegla: " << message << "\n(see 'spegla --help')\n";
  return kExitUsage;
}

std::optional<std::int64_t> Context::Id(const std::string& text, const std::string& what) const {
  std::optional<long long> n = ParseCount(text);
  if (!n) {
    Usage(what + " must be a number, got '" + text + "'");
    return std::nullopt;
  }
  return *n;
}

int Run(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err, const Environment& env) {
  static const SystemClock system_clock;
  const Clock& clock = env.clock ? *env.clock : system_clock;
  std::vector<Command> commands = AllCommands();

  // The command is the longest name matching the leading words ("instance create" before "instance").
  const Command* command = nullptr;
  size_t words = 0;
  for (const Command& c : commands) {
    size_t n = static_cast<size_t>(std::count(c.name.begin(), c.name.end(), ' ')) + 1;
    if (n > raw.size() || n <= words) continue;
    std::string joined;
    for (size_t i = 0; i < n; ++i) joined += (i ? " " : "") + raw[i];
    if (joined == c.name) {
      command = &c;
      words = n;
    }
  }
  if (!command) {
    if (raw.empty() || raw[0] == "help" || raw[0] == "--help" || raw[0] == "-h") {
      PrintOverview(out, commands, "");
      return kExitOk;
    }
    if (raw[0] == "--version") {
      out << "spegla " << SPEGLA_VERSION << "\n";
      return kExitOk;
    }
    bool is_group = std::any_of(commands.begin(), commands.end(),
                                [&](const Command& c) { return c.name.rfind(raw[0] + " ", 0) == 0; });
    if (is_group) {
      bool asked = raw.size() > 1 && (raw[1] == "--help" || raw[1] == "-h");
      PrintOverview(asked ? out : err, commands, raw[0] + " ");
      return asked ? kExitOk : kExitUsage;
    }
    err << "spegla: unknown command '" << raw[0] << "'\n(see 'spegla --help')\n";
    return kExitUsage;
  }

  std::set<std::string> flags = kGlobalFlags, options = kGlobalOptions;
  flags.insert(command->flags.begin(), command->flags.end());
  options.insert(command->options.begin(), command->options.end());
  std::string error;
  std::optional<Args> args = Args::Parse(
      std::vector<std::string>(raw.begin() + static_cast<long>(words), raw.end()), flags, options, &error);
  if (!args) {
    err << "spegla " << command->name << ": " << error << "\nUsage: spegla " << command->name << " "
        << command->usage << "\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    PrintHelp(out, *command);
    return kExitOk;
  }
  size_t n = args->positional().size();
  if (n < command->min_args || n > command->max_args) {
    err << "spegla " << command->name << ": expected "
        << (command->min_args == command->max_args ? std::to_string(command->min_args)
            : command->max_args == SIZE_MAX
                ? "at least " + std::to_string(command->min_args)
                : std::to_string(command->min_args) + " to " + std::to_string(command->max_args))
        << " argument(s), got " << n << "\nUsage: spegla " << command->name << " " << command->usage << "\n";
    return kExitUsage;
  }
  Context context{*args, out, err, env, clock};
  try {
    return command->run(context);
  } catch (const std::exception& e) {
    err << "spegla: internal error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace spegla::cli
