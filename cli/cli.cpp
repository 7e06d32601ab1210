#include "cli.h"

#include <ostream>

namespace spegla::cli {

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream&, const Environment&) {
  out << args.size();
  return kExitOk;
}

}  // namespace spegla::cli
