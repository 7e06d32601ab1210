// spegla plugins: the document and export plugins this spegla has, built in or loaded from the plugins directory, and
// why any library there failed to load.
#include <algorithm>
#include <filesystem>

#include "commands.h"
#include "json_output.h"
#include "spegla/builtin_plugins.h"

namespace spegla::cli {

std::unique_ptr<PluginHost> LoadPlugins(const Context& c, Problems* problems) {
  namespace fs = std::filesystem;
  auto host = std::make_unique<PluginHost>();
  auto append = [&](Problems more) {
    for (Problem& p : more) problems->push_back(std::move(p));
  };
  append(AddBuiltinPlugins(*host));
  if (std::optional<std::string> dir = c.args.Get("plugins")) {
    append(host->LoadDirectory(*dir));
  } else if (!c.env.share_dir.empty()) {
    std::error_code ec;
    fs::path shared = fs::path(c.env.share_dir) / "plugins";
    if (fs::is_directory(shared, ec)) append(host->LoadDirectory(shared));
  }
  return host;
}

namespace {

int List(Context& c) {
  Problems problems;
  std::unique_ptr<PluginHost> host = LoadPlugins(c, &problems);
  std::vector<PluginInfo> plugins = host->List();
  if (c.json()) {
    c.out << PluginsJson(plugins, problems) << "\n";
  } else {
    size_t name = 0, kind = 0, version = 0, extension = 0, produces = 0;
    for (const PluginInfo& p : plugins) {
      name = std::max(name, p.name.size());
      kind = std::max(kind, p.kind.size());
      version = std::max(version, p.version.size());
      extension = std::max(extension, p.extension.size() + 1);
      produces = std::max(produces, p.produces.size());
    }
    auto column = [](const std::string& text, size_t width) {
      return text + std::string(width - text.size() + 2, ' ');
    };
    for (const PluginInfo& p : plugins) {
      c.out << column(p.name, name) << column(p.kind, kind) << column(p.version, version) << column("." + p.extension, extension)
            << column(p.produces, produces) << p.origin << "\n";
    }
    for (const Problem& p : problems) c.err << p.Format() << "\n";
  }
  return problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace

void AddPluginCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"plugins",
                             "[--plugins DIR]",
                             "list the document and export plugins, and any plugin library that failed to load",
                             {},
                             {"plugins"},
                             0,
                             0,
                             List});
}

}  // namespace spegla::cli
