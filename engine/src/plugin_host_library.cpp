// The loading half of the plugin host: plugin libraries from files and directories. Everything that can
// be checked without running the library's code is checked first (file kind, rights, ELF header); then
// dlopen, whose only code run is the library's static constructors; then the two version functions; and
// only when both versions match, the register function.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "spegla/plugin_host.h"

namespace spegla {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAbiSymbol = "spegla_plugin_abi_version";
constexpr const char* kEngineSymbol = "spegla_plugin_engine_version";
constexpr const char* kRegisterSymbol = "spegla_plugin_register";

using AbiVersionFunction = int (*)();
using EngineVersionFunction = const char* (*)();

// A plugin runs with Spegla's rights, so whoever can change the file or the directory can run code as
// Spegla. Only administrators may: refuse what everyone may write, or what someone else owns.
std::optional<std::string> UnsafeRights(const struct stat& st, const std::string& what) {
  if (st.st_mode & S_IWOTH) {
    return "refused: the " + what +
           " is writable by everyone; plugins run as Spegla, so only administrators may change them (chmod "
           "o-w)";
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return "refused: the " + what + " is owned by user " + std::to_string(st.st_uid) +
           ", neither root nor the user running Spegla";
  }
  return std::nullopt;
}

// True when the file starts with the ELF magic; dlopen's own message for a text file is less clear.
bool HasElfHeader(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[4] = {};
  ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  return n == 4 && std::memcmp(magic,
                               "\x7f"
                               "ELF",
                               4) == 0;
}

std::string DlError() {
  const char* message = dlerror();
  return message ? message : "unknown error";
}

template <typename Function>
Function Symbol(void* handle, const char* name) {
  return reinterpret_cast<Function>(dlsym(handle, name));
}

}  // namespace

Problems PluginHost::LoadFile(const fs::path& file) {
  const std::string origin = file.string();
  auto refuse = [&](std::string message) { return Problems{Problem{{origin, 0, 0}, std::move(message)}}; };

  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return refuse(std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return refuse("not a regular file");
  if (auto unsafe = UnsafeRights(st, "file")) return refuse(*unsafe);
  if (!HasElfHeader(file)) return refuse("not a shared library (it has no ELF header)");

  // A name without '/' would make dlopen search the library path: always give it a path.
  std::error_code ec;
  fs::path absolute = fs::absolute(file, ec);
  if (ec) return refuse("cannot resolve the path: " + ec.message());
  dlerror();
  void* handle = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return refuse("cannot be loaded: " + DlError());

  auto abi_version = Symbol<AbiVersionFunction>(handle, kAbiSymbol);
  auto engine_version = Symbol<EngineVersionFunction>(handle, kEngineSymbol);
  auto register_function = Symbol<RegisterFunction>(handle, kRegisterSymbol);
  std::vector<std::string> missing;
  if (!abi_version) missing.push_back(kAbiSymbol);
  if (!engine_version) missing.push_back(kEngineSymbol);
  if (!register_function) missing.push_back(kRegisterSymbol);
  if (!missing.empty()) {
    dlclose(handle);
    std::string names;
    for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
    return refuse("not a Spegla plugin: it does not export " + names +
                  " (build it with SPEGLA_PLUGIN_ENTRY)");
  }

  // Both version functions are plain C, stable across ABI versions, so both can be asked and every
  // mismatch reported in one message before any C++ interface is touched.
  int abi = abi_version();
  const char* engine_text = engine_version();
  std::string engine = engine_text ? std::string(engine_text, ::strnlen(engine_text, 64)) : "(none)";
  std::vector<std::string> mismatches;
  if (abi != kPluginAbiVersion) {
    mismatches.push_back("plugin ABI " + std::to_string(abi) + " (this Spegla uses " +
                         std::to_string(kPluginAbiVersion) + ")");
  }
  if (engine != SPEGLA_VERSION) {
    mismatches.push_back("Spegla " + engine + " (this is " SPEGLA_VERSION ")");
  }
  if (!mismatches.empty()) {
    dlclose(handle);
    std::string built_for;
    for (const std::string& m : mismatches) built_for += (built_for.empty() ? "" : " and for ") + m;
    return refuse("refused: built for " + built_for + "; rebuild it against this version");
  }

  // From here the library's code has run, and a failed registration may have left anything behind that
  // points into it: it stays loaded as long as the host, like the libraries that succeed.
  libraries_.push_back(handle);
  return Register(origin, origin, register_function);
}

Problems PluginHost::LoadDirectory(const fs::path& dir) {
  const std::string origin = dir.string();
  auto refuse = [&](std::string message) { return Problems{Problem{{origin, 0, 0}, std::move(message)}}; };

  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return refuse(std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return refuse("not a directory");
  if (auto unsafe = UnsafeRights(st, "plugins directory")) return refuse(*unsafe);

  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so") files.push_back(it->path());
  }
  if (ec) return refuse("cannot list: " + ec.message());
  std::sort(files.begin(), files.end());

  Problems problems;
  for (const fs::path& file : files) {
    for (Problem& p : LoadFile(file)) problems.push_back(std::move(p));
  }
  return problems;
}

}  // namespace spegla
