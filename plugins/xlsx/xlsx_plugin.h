// The "xlsx" export plugin: Excel workbooks written with libxlsxwriter (xlsx_writer.h). Registration only.
#pragma once

#include "spegla/plugin.h"

namespace spegla {

// Adds the xlsx plugin. Used both for the built-in form and by xlsx_module.cpp for the loadable one.
void RegisterXlsxPlugin(PluginRegistrar& registrar);

}  // namespace spegla
