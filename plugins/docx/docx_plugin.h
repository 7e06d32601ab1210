// The "docx" document plugin: fills Word templates written with docxtemplater's core tags (see
// part_compiler.h for the syntax). Registration only; the template engine is in the files beside it.
#pragma once

#include "spegla/plugin.h"

namespace spegla {

// Adds the docx plugin. Used both for the built-in form and by docx_module.cpp for the loadable one.
void RegisterDocxPlugin(PluginRegistrar& registrar);

}  // namespace spegla
