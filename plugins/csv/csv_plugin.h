// The "csv" export plugin: one table as CSV text for spreadsheets (csv_writer.h). Registration only.
#pragma once

#include "spegla/plugin.h"

namespace spegla {

// Adds the csv plugin. Used both for the built-in form and by csv_module.cpp for the loadable one.
void RegisterCsvPlugin(PluginRegistrar& registrar);

}  // namespace spegla
