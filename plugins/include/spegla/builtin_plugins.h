// The plugins linked into the `spegla` executable. The definition is generated from the list in
// plugins/CMakeLists.txt (target spegla_builtin_plugins), so adding a built-in plugin is one line there.
#pragma once

#include "spegla/plugin_host.h"

namespace spegla {

// Adds every built-in plugin to `host` (origin "built-in"); returns every problem, e.g. a duplicate name.
Problems AddBuiltinPlugins(PluginHost& host);

}  // namespace spegla
