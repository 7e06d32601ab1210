// The registry of document and export plugins, keyed by name (one name space for both kinds): the built-in
// plugins (linked in through the generated list in plugins/CMakeLists.txt) and those loaded from shared
// libraries in a plugins directory.
//
// Every plugin library registers through a staging registrar; its plugins are committed only when all of
// them are acceptable, so a library is loaded completely or not at all. Before any function of a library
// runs, its ABI and engine versions are compared with the host's. Problems are values naming the file.
//
// A plugin library is code running with Spegla's rights: the checks here catch wrong builds and mistakes,
// not malice. That is why a plugins directory or file writable by everyone is refused (docs/plugins.md).
//
// Threads: load first (AddBuiltin, LoadLibrary, LoadDirectory from one thread, nothing else using the
// host); afterwards the const functions may be called from any number of threads.
// Ownership: the host owns the plugins and the libraries they came from; a DocumentPlugin* or ExportPlugin*
// it returns lives as long as the host. The destructor destroys the plugins first, then unloads their libraries.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/plugin.h"
#include "spegla/problem.h"

namespace spegla {

struct PluginInfo {
  static constexpr std::string_view kDocument = "document";
  static constexpr std::string_view kExport = "export";

  std::string name;
  std::string kind{kDocument};  // kDocument or kExport
  std::string version;
  std::string produces;   // media type
  std::string extension;  // without the dot, e.g. "docx"
  std::string origin;     // PluginHost::kBuiltinOrigin, or the path of the shared library
};

class PluginHost {
 public:
  using RegisterFunction = void (*)(PluginRegistrar&);
  static constexpr std::string_view kBuiltinOrigin = "built-in";

  PluginHost() = default;
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Registers the plugins of a built-in register function; `label` (its qualified name) names it in
  // problems. All of its plugins are added, or none.
  Problems AddBuiltin(std::string_view label, RegisterFunction register_function);

  // Loads one plugin library: checks the file (a regular file, not writable by everyone, owned by root or
  // this user, an ELF file), dlopens it (RTLD_NOW | RTLD_LOCAL), compares its ABI and engine versions, then
  // calls its register function. Every problem names the file; on any problem nothing is registered.
  Problems LoadFile(const std::filesystem::path& file);

  // Loads every `*.so` directly in `dir`, in name order; reports every problem and keeps the good plugins.
  // A directory writable by everyone (or owned by someone else) is refused as a whole.
  Problems LoadDirectory(const std::filesystem::path& dir);

  // nullptr when no document plugin has that name.
  const DocumentPlugin* Find(std::string_view name) const;
  // nullptr when no export plugin has that name.
  const ExportPlugin* FindExport(std::string_view name) const;
  // The plugins whose Extension() is `extension` (without the dot, compared case-insensitively), by name.
  std::vector<const DocumentPlugin*> ForExtension(std::string_view extension) const;
  // Every plugin of both kinds, sorted by name.
  std::vector<PluginInfo> List() const;

 private:
  struct Entry {  // one of the two plugins is set, as info.kind says
    std::unique_ptr<DocumentPlugin> plugin;
    std::unique_ptr<ExportPlugin> exporter;
    PluginInfo info;
  };

  // Calls `register_function` into a staging registrar and commits its plugins if all are acceptable.
  // Problems are attributed to `origin` (the file, or "built-in …").
  Problems Register(const std::string& origin, const std::string& where, RegisterFunction register_function);

  std::map<std::string, Entry, std::less<>> plugins_;
  std::vector<void*> libraries_;  // dlopen handles, in load order; closed after plugins_ is cleared
};

}  // namespace spegla
