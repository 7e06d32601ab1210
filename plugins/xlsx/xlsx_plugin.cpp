#include "xlsx_plugin.h"

#include <exception>
#include <memory>

#include "xlsx_writer.h"

namespace spegla {
namespace {

// Stateless: every writer holds its own workbook.
class XlsxPlugin final : public ExportPlugin {
 public:
  std::string_view Name() const override { return "xlsx"; }
  std::string_view Version() const override { return "1.0.0"; }
  std::string_view Produces() const override {
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  std::string_view Extension() const override { return "xlsx"; }
  bool MultipleSheets() const override { return true; }

  OpenedWriter Open(const std::string& path, const WorkbookInfo& info, const ExportOptions&) const override {
    try {
      return xlsx::OpenWorkbook(path, info);
    } catch (const std::exception& e) {  // out of memory: nothing an export should cause
      return {nullptr, std::string("the xlsx plugin failed: ") + e.what()};
    }
  }
};

}  // namespace

void RegisterXlsxPlugin(PluginRegistrar& registrar) { registrar.AddExport(std::make_unique<XlsxPlugin>()); }

}  // namespace spegla
