// Typed tables: what an export hands to an export plugin. A workbook is sheets; a sheet is a header and
// rows of cells; every cell carries its own type, so that a date stays a date and a number a number in
// whatever file format the plugin writes. Plain data only, header-only: part of the plugin API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spegla {

enum class CellType : std::uint8_t {
  kEmpty,
  kText,      // text, written as text (never as a formula, whatever it starts with)
  kNumber,    // `number`
  kDate,      // a calendar day: `number` is days since 1970-01-01
  kDateTime,  // an instant, UTC: `number` is seconds since 1970-01-01T00:00:00Z
  kBool,      // yes/no: `number` is 1 or 0
};

// One cell. `text` is borrowed: it is valid only during the call that passes the cell.
struct Cell {
  CellType type = CellType::kEmpty;
  double number = 0;
  std::string_view text;

  static Cell Text(std::string_view t) { return {CellType::kText, 0, t}; }
  static Cell Number(double n) { return {CellType::kNumber, n, {}}; }
  static Cell Day(std::int64_t days_since_epoch) {
    return {CellType::kDate, static_cast<double>(days_since_epoch), {}};
  }
  static Cell Instant(std::int64_t seconds_since_epoch) {
    return {CellType::kDateTime, static_cast<double>(seconds_since_epoch), {}};
  }
  static Cell Bool(bool b) { return {CellType::kBool, b ? 1.0 : 0.0, {}}; }
};

struct ColumnSpec {
  std::string label;                // the header, Swedish
  CellType type = CellType::kText;  // what its cells mostly hold: a hint for widths and alignment
};

// A sheet's first row is its header, from `columns`; the rows an exporter adds follow it.
struct SheetSpec {
  std::string name;  // unique in the workbook; at most 31 characters, none of []:*?/\ (Excel's rules)
  std::vector<ColumnSpec> columns;
  bool autofilter = true;  // a filter on the header over every row (off for sheets of several tables)
};

enum class RowStyle : std::uint8_t {
  kData,
  kHeading,  // the header of a second table further down a sheet, styled like the sheet's header
};

// A column chart over a block of rows of one sheet: one category per row, one series per value column,
// each series named by that column's cell in `name_row`. Rows count from the header (row 0).
struct ChartSpec {
  std::string title;
  std::string category_title;  // the x axis
  std::string value_title;     // the y axis
  std::size_t name_row = 0;
  std::size_t first_row = 1, last_row = 1;  // inclusive
  std::size_t category_column = 0;
  std::vector<std::size_t> value_columns;
  bool stacked = false;
};

// Document properties of the file, where the format has them.
struct WorkbookInfo {
  std::string title, subject, author, company, keywords, comments;
  std::int64_t created = 0;  // seconds since the epoch, UTC
};

}  // namespace spegla
