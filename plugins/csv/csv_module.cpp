// The csv plugin as a shared library that the plugin host loads from a plugins directory.
#include "csv_plugin.h"

SPEGLA_PLUGIN_ENTRY(spegla::RegisterCsvPlugin)
