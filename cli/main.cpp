#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli.h"

namespace {

// Bundled workflows and templates: beside the binary's source tree in a build, or installed share dir.
std::string FindShareDir(const char* argv0) {
  namespace fs = std::filesystem;
  if (const char* dir = std::getenv("SPEGLA_SHARE_DIR")) return dir;
  std::error_code ec;
  fs::path exe =
      fs::canonical(fs::path(argv0).has_parent_path() ? fs::path(argv0) : fs::path("/proc/self/exe"), ec);
  for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    if (fs::exists(dir / "workflows" / "schema" / "workflow.xsd", ec)) return dir.string();
    if (fs::exists(dir / "share" / "spegla" / "workflows", ec)) return (dir / "share" / "spegla").string();
  }
  return SPEGLA_SOURCE_DIR;
}

}  // namespace

int main(int argc, char** argv) {
  spegla::cli::Environment env;
  if (const char* user = std::getenv("SPEGLA_USER")) env.default_user = user;
  env.share_dir = FindShareDir(argv[0]);
  env.progress = ::isatty(STDERR_FILENO) != 0;
  return spegla::cli::Run(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr, env);
}
