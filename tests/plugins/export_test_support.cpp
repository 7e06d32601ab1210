#include "export_test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "../support/external_programs.h"
#include "csv_plugin.h"
#include "xlsx_plugin.h"

namespace spegla::test {
namespace {

struct Registrar : PluginRegistrar {
  std::unique_ptr<ExportPlugin> plugin;
  void Add(std::unique_ptr<DocumentPlugin>) override {}
  void AddExport(std::unique_ptr<ExportPlugin> p) override { plugin = std::move(p); }
};

std::unique_ptr<ExportPlugin> Registered(void (*register_function)(PluginRegistrar&)) {
  Registrar registrar;
  register_function(registrar);
  return std::move(registrar.plugin);
}

}  // namespace

const ExportPlugin& Xlsx() {
  static const std::unique_ptr<ExportPlugin> plugin = Registered(&RegisterXlsxPlugin);
  return *plugin;
}

const ExportPlugin& Csv() {
  static const std::unique_ptr<ExportPlugin> plugin = Registered(&RegisterCsvPlugin);
  return *plugin;
}

std::vector<std::string> WriteTables(const ExportPlugin& plugin, const std::string& path,
                                     const std::vector<TestSheet>& sheets, const WorkbookInfo& info,
                                     const ExportOptions& options) {
  OpenedWriter opened = plugin.Open(path, info, options);
  if (!opened.writer) {
    ADD_FAILURE() << "cannot open " << path << ": " << opened.problem;
    return {opened.problem};
  }
  std::vector<std::size_t> indexes;
  for (const TestSheet& sheet : sheets) indexes.push_back(opened.writer->AddSheet(sheet.spec));
  for (std::size_t s = 0; s < sheets.size(); ++s) {
    const TestSheet& sheet = sheets[s];
    for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
      opened.writer->AddRow(indexes[s], sheet.rows[r],
                            r < sheet.styles.size() ? sheet.styles[r] : RowStyle::kData);
    }
    for (const ChartSpec& chart : sheet.charts) opened.writer->AddChart(indexes[s], chart);
  }
  return opened.writer->Finish();
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<std::vector<std::string>> CsvRows(const std::string& path, std::string_view separator) {
  std::vector<std::vector<std::string>> rows;
  const boost::json::value table = ReadTable(path, separator);
  if (!table.is_object()) return rows;
  for (const boost::json::value& row : table.at("rows").as_array()) {
    std::vector<std::string>& fields = rows.emplace_back();
    for (const boost::json::value& field : row.as_array()) fields.emplace_back(field.as_string());
  }
  return rows;
}

std::string Lines(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += p + "\n";
  return out;
}

}  // namespace spegla::test
