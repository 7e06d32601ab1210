// The registry half of the plugin host: staging, checking and committing what a register function adds.
// Loading shared libraries is in plugin_host_library.cpp.
#include "spegla/plugin_host.h"

#include <dlfcn.h>

#include <algorithm>
#include <exception>
#include <set>
#include <utility>

namespace spegla {
namespace {

// What a register function sees: it collects, and the host decides afterwards what to commit.
class StagingRegistrar final : public PluginRegistrar {
 public:
  void Add(std::unique_ptr<DocumentPlugin> plugin) override { staged.push_back(std::move(plugin)); }
  void AddExport(std::unique_ptr<ExportPlugin> plugin) override { staged_exports.push_back(std::move(plugin)); }
  std::vector<std::unique_ptr<DocumentPlugin>> staged;
  std::vector<std::unique_ptr<ExportPlugin>> staged_exports;
};

// Names the plugin through its virtual functions, which may throw: it is the library's code.
template <typename P>
PluginInfo InfoOf(const P& plugin, std::string_view kind, const std::string& origin) {
  PluginInfo info;
  info.name = std::string(plugin.Name());
  info.kind = std::string(kind);
  info.version = std::string(plugin.Version());
  info.produces = std::string(plugin.Produces());
  info.extension = std::string(plugin.Extension());
  info.origin = origin;
  return info;
}

// Lower-case letters and digits, then also '.', '_' and '-': a name that fits in <document plugin="…">,
// a file name and a message without quoting.
bool IsPluginName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto plain = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!plain(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return plain(c) || c == '.' || c == '_' || c == '-'; });
}

bool IsExtension(std::string_view extension) {
  if (extension.empty() || extension.size() > 16) return false;
  return std::all_of(extension.begin(), extension.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The message of whatever a plugin threw; plugin code is untrusted to the point of throwing anything.
std::string CurrentExceptionMessage() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace

PluginHost::~PluginHost() {
  // The plugins' code (their destructors included) lives in the libraries: destroy them first.
  plugins_.clear();
  for (auto it = libraries_.rbegin(); it != libraries_.rend(); ++it) dlclose(*it);
}

Problems PluginHost::AddBuiltin(std::string_view label, RegisterFunction register_function) {
  return Register(std::string(kBuiltinOrigin), std::string(kBuiltinOrigin) + " " + std::string(label),
                  register_function);
}

Problems PluginHost::Register(const std::string& origin, const std::string& where,
                              RegisterFunction register_function) {
  Problems problems;
  auto problem = [&](std::string message) { problems.push_back(Problem{{where, 0, 0}, std::move(message)}); };

  StagingRegistrar registrar;
  try {
    register_function(registrar);
  } catch (...) {
    problem("its register function threw: " + CurrentExceptionMessage());
    return problems;  // the staged plugins are destroyed here, while their library is still loaded
  }
  if (registrar.staged.empty() && registrar.staged_exports.empty()) {
    problem("its register function registered no plugin");
  }

  std::vector<Entry> entries;
  for (std::unique_ptr<DocumentPlugin>& plugin : registrar.staged) {
    entries.push_back(Entry{std::move(plugin), nullptr, {}});
  }
  for (std::unique_ptr<ExportPlugin>& plugin : registrar.staged_exports) {
    entries.push_back(Entry{nullptr, std::move(plugin), {}});
  }
  std::set<std::string, std::less<>> names;
  std::vector<Entry> accepted;
  for (Entry& entry : entries) {
    if (!entry.plugin && !entry.exporter) {
      problem("its register function added a null plugin");
      continue;
    }
    PluginInfo& info = entry.info;
    try {
      info = entry.plugin ? InfoOf(*entry.plugin, PluginInfo::kDocument, origin)
                          : InfoOf(*entry.exporter, PluginInfo::kExport, origin);
    } catch (...) {
      problem("a plugin threw while naming itself: " + CurrentExceptionMessage());
      continue;
    }
    if (!IsPluginName(info.name)) {
      problem("invalid plugin name '" + info.name +
              "' (use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit)");
      continue;
    }
    if (!IsExtension(info.extension)) {
      problem("plugin '" + info.name + "' has an invalid extension '" + info.extension +
              "' (use lower-case letters and digits, without the dot)");
    }
    if (auto existing = plugins_.find(info.name); existing != plugins_.end()) {
      problem("plugin name '" + info.name + "' is already registered by " + existing->second.info.origin);
    } else if (!names.insert(info.name).second) {
      problem("its register function added the plugin name '" + info.name + "' twice");
    }
    accepted.push_back(std::move(entry));
  }
  if (!problems.empty()) return problems;  // all or nothing

  for (Entry& entry : accepted) {
    std::string name = entry.info.name;
    plugins_.emplace(std::move(name), std::move(entry));
  }
  return problems;
}

const DocumentPlugin* PluginHost::Find(std::string_view name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second.plugin.get();
}

const ExportPlugin* PluginHost::FindExport(std::string_view name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second.exporter.get();
}

std::vector<const DocumentPlugin*> PluginHost::ForExtension(std::string_view extension) const {
  std::string wanted = Lower(extension);
  std::vector<const DocumentPlugin*> out;
  for (const auto& [name, entry] : plugins_) {
    if (entry.plugin && entry.info.extension == wanted) out.push_back(entry.plugin.get());
  }
  return out;
}

std::vector<PluginInfo> PluginHost::List() const {
  std::vector<PluginInfo> out;
  out.reserve(plugins_.size());
  for (const auto& [name, entry] : plugins_) out.push_back(entry.info);
  return out;
}

}  // namespace spegla
