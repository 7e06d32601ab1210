// The workflow definitions shipped with Spegla (share/workflows, templates beside them): installed by
// `spegla demo` and by `spegla serve` on an empty database.
#pragma once

#include <string>
#include <vector>

#include "spegla/engine.h"

namespace spegla::cli {

// Installs every *.xml in `workflows_dir` (sorted by name) as the operator; the templates are read from
// the sibling "templates" directory. Appends "id vN" per definition to *installed (also when it was there
// already). Returns the latest version of each, or every problem of every file. With `only_missing`, the
// files whose workflow the database has already (in any version) are left alone.
Result<std::vector<DefinitionPtr>> InstallBundled(Engine& engine, const std::string& workflows_dir,
                                                  std::vector<std::string>* installed, bool only_missing = false);

}  // namespace spegla::cli
