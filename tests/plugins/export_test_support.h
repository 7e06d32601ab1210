// Helpers for the export plugins' tests: the plugins as the host gets them, and a workbook written
// through the ExportWriter interface in one call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spegla/export_plugin.h"

namespace spegla::test {

// The plugins through their registration functions.
const ExportPlugin& Xlsx();
const ExportPlugin& Csv();

// A sheet to write: its spec, rows of cells (text borrowed from string literals or from storage the test
// keeps) and their styles (kData where `styles` is shorter), and charts added after the rows.
struct TestSheet {
  SheetSpec spec;
  std::vector<std::vector<Cell>> rows;
  std::vector<RowStyle> styles;
  std::vector<ChartSpec> charts;
};

// Opens `path` with `plugin`, adds every sheet, then each sheet's rows and charts, and finishes; returns
// Finish's problems (or, recording a failure, Open's one).
std::vector<std::string> WriteTables(const ExportPlugin& plugin, const std::string& path,
                                     const std::vector<TestSheet>& sheets, const WorkbookInfo& info = {},
                                     const ExportOptions& options = {});

// The bytes of a file ("" when it cannot be read, recording a failure).
std::string ReadBytes(const std::string& path);

// The records of a CSV file as python's csv module reads them (support/external_programs.h, ReadTable).
std::vector<std::vector<std::string>> CsvRows(const std::string& path, std::string_view separator);

// Every problem, one per line, for failure messages.
std::string Lines(const std::vector<std::string>& problems);

}  // namespace spegla::test
