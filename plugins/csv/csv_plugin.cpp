#include "csv_plugin.h"

#include <exception>
#include <memory>

#include "csv_writer.h"

namespace spegla {
namespace {

// Stateless: every writer holds its own file.
class CsvPlugin final : public ExportPlugin {
 public:
  std::string_view Name() const override { return "csv"; }
  std::string_view Version() const override { return "1.0.0"; }
  std::string_view Produces() const override { return "text/csv"; }  // UTF-8, with a byte order mark
  std::string_view Extension() const override { return "csv"; }
  bool MultipleSheets() const override { return false; }

  OpenedWriter Open(const std::string& path, const WorkbookInfo&,
                    const ExportOptions& options) const override {
    try {
      return csv::OpenCsv(path, options);
    } catch (const std::exception& e) {  // out of memory: nothing an export should cause
      return {nullptr, std::string("the csv plugin failed: ") + e.what()};
    }
  }
};

}  // namespace

void RegisterCsvPlugin(PluginRegistrar& registrar) { registrar.AddExport(std::make_unique<CsvPlugin>()); }

}  // namespace spegla
