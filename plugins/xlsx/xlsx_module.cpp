// The xlsx plugin as a shared library that the plugin host loads from a plugins directory.
#include "xlsx_plugin.h"

SPEGLA_PLUGIN_ENTRY(spegla::RegisterXlsxPlugin)
