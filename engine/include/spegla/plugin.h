// Document plugins: they turn a template and TemplateData into a document (DOCX today); export plugins
// (export_plugin.h) write the management exports and register here too. Built-in plugins
// are linked into the engine; the same plugins also build as shared libraries that the engine loads from a
// plugins directory at run time (see plugin_host.h). Only plain data crosses the boundary: template bytes
// and TemplateData in, document bytes and problems out.
//
// A plugin must be safe to call from several threads at once, and must never execute anything a template
// says: templates hold names, not code.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/export_plugin.h"
#include "spegla/template_data.h"

namespace spegla {

// Raised whenever the interface below (or export_plugin.h, table.h) changes in a way that breaks compiled
// plugins. 2: export plugins (PluginRegistrar::AddExport).
inline constexpr int kPluginAbiVersion = 2;

// One thing wrong in a template or its data, located as precisely as the format allows, e.g.
// {"word/document.xml", "Åtgärder: {#atgarder} {vad}", "the section {#atgarder} is never closed"}.
struct TemplateProblem {
  std::string part;     // the file inside the template, e.g. "word/header1.xml"; empty for the whole file
  std::string context;  // the paragraph's text (or other neighbourhood) where the problem is
  std::string message;  // what is wrong, in English for administrators

  // "word/document.xml: the section … (in “Åtgärder: …”)"
  std::string Format() const {
    std::string out = part;
    if (!out.empty()) out += ": ";
    out += message;
    if (!context.empty()) out.append(" (in \u201c").append(context).append("\u201d)");
    return out;
  }
};

struct RenderOptions {
  bool missing_is_error = false;  // a tag whose name has no value is a problem instead of empty text
};

struct RenderOutcome {
  std::string bytes;                      // the document; empty when problems is not
  std::vector<TemplateProblem> problems;  // every problem found; non-empty means nothing was produced
};

class DocumentPlugin {
 public:
  virtual ~DocumentPlugin() = default;

  virtual std::string_view Name() const = 0;       // unique, e.g. "docx"; what <document plugin="…"> names
  virtual std::string_view Version() const = 0;    // the plugin's own version, e.g. "1.0.0"
  virtual std::string_view Produces() const = 0;   // media type, e.g. "application/vnd.openxml…document"
  virtual std::string_view Extension() const = 0;  // file extension of what it makes, e.g. "docx"

  // Checks a template without data: every problem at once; empty when it can be rendered.
  virtual std::vector<TemplateProblem> Check(std::string_view template_bytes) const = 0;
  // Fills the template. Never throws for a bad template or data: those are problems.
  virtual RenderOutcome Render(std::string_view template_bytes, const TemplateData& data,
                               const RenderOptions& options) const = 0;
};

// What a plugin library registers its plugins with (the engine's registry, behind this façade).
class PluginRegistrar {
 public:
  virtual ~PluginRegistrar() = default;
  virtual void Add(std::unique_ptr<DocumentPlugin> plugin) = 0;
  virtual void AddExport(std::unique_ptr<ExportPlugin> plugin) = 0;
};

}  // namespace spegla

// The entry points of a plugin built as a shared library, from the one function that also registers the
// built-in form: `SPEGLA_PLUGIN_ENTRY(spegla::RegisterDocxPlugin)`. The host reads the ABI and engine
// versions before it calls anything else, and refuses the file when either differs from its own.
#define SPEGLA_PLUGIN_ENTRY(register_function)                                                   \
  extern "C" __attribute__((visibility("default"))) int spegla_plugin_abi_version() {            \
    return ::spegla::kPluginAbiVersion;                                                          \
  }                                                                                              \
  extern "C" __attribute__((visibility("default"))) const char* spegla_plugin_engine_version() { \
    return SPEGLA_VERSION;                                                                       \
  }                                                                                              \
  extern "C" __attribute__((visibility("default"))) void spegla_plugin_register(                 \
      ::spegla::PluginRegistrar& registrar) {                                                    \
    register_function(registrar);                                                                \
  }
