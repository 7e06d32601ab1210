// Export plugins: they write typed tables (table.h) to a file, such as an xlsx workbook or CSV text. The
// engine decides what is in an export (engine.h, Engine::Export) and streams it, row by row, into the
// ExportWriter a plugin opens; the plugin decides only how it looks in its format. Only plain data crosses
// the boundary, as for document plugins (plugin.h, which registers both kinds).
//
// Threads: an ExportPlugin may be used from several threads at once; each ExportWriter by one at a time.
// Neither may throw: failures are problems, returned by Open and Finish.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/table.h"

namespace spegla {

struct ExportOptions {
  char separator = ',';  // CSV: ',' or ';'
};

// Writes one file. Sheets may be added and written to in any interleaving, but the rows of each sheet
// arrive in order, so a writer can stream each sheet straight to disk (constant memory).
class ExportWriter {
 public:
  virtual ~ExportWriter() = default;

  // Adds a sheet with its header row; returns its index (0, 1, …) for AddRow.
  virtual std::size_t AddSheet(const SheetSpec& sheet) = 0;
  // Appends a row to a sheet: cells left to right, at most one per column of the sheet.
  virtual void AddRow(std::size_t sheet, std::span<const Cell> cells, RowStyle style = RowStyle::kData) = 0;
  // A chart over rows already added; formats without charts ignore it.
  virtual void AddChart(std::size_t sheet, const ChartSpec& chart) = 0;
  // Completes the file and returns every problem (English, for administrators) met since Open. Empty means
  // the file is complete; otherwise it must be thrown away. Nothing may be added afterwards. A writer
  // destroyed without Finish frees what it holds but leaves the file incomplete: the caller throws it away.
  virtual std::vector<std::string> Finish() = 0;
};

struct OpenedWriter {
  std::unique_ptr<ExportWriter> writer;  // null when the file cannot be written
  std::string problem;                   // why, when writer is null
};

class ExportPlugin {
 public:
  virtual ~ExportPlugin() = default;

  virtual std::string_view Name() const = 0;       // unique, e.g. "xlsx"; what `spegla export --format` names
  virtual std::string_view Version() const = 0;    // the plugin's own version, e.g. "1.0.0"
  virtual std::string_view Produces() const = 0;   // media type
  virtual std::string_view Extension() const = 0;  // file extension, e.g. "xlsx"
  // False for formats that hold one table (CSV): the exporter then sends exactly one sheet.
  virtual bool MultipleSheets() const = 0;

  // Creates (or truncates) the file at `path` and returns a writer for it.
  virtual OpenedWriter Open(const std::string& path, const WorkbookInfo& info,
                            const ExportOptions& options) const = 0;
};

}  // namespace spegla
