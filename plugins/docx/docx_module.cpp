// The docx plugin as a shared library that the plugin host loads from a plugins directory.
#include "docx_plugin.h"

SPEGLA_PLUGIN_ENTRY(spegla::RegisterDocxPlugin)
