#include "xlsx_writer.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "cell_text.h"
#include "excel_text.h"

namespace spegla::xlsx {
namespace {

// Excel's serial day numbers count from 1899-12-30 (so that 1900-03-01 onwards is right despite Lotus's
// 1900 leap day). Days before 1900-03-01 or after 9999-12-31 are no Excel date: they are written as text.
constexpr double kSerialOfEpoch = 25569;  // 1970-01-01
constexpr double kFirstSerial = 61;       // 1900-03-01
constexpr double kEndSerial = 2958466;    // 10000-01-01

constexpr std::size_t kMaxDataRows = LXW_ROW_MAX - 1;  // below the header
constexpr std::size_t kWidthSampleRows = 1000;
constexpr double kMaxWidth = 60, kMinWidth = 8;
constexpr std::size_t kMaxProblems = 100;
constexpr lxw_row_t kChartHeightInRows = 16;  // libxlsxwriter's default chart (288 px) and a gap

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string WithThousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// A title for libxlsxwriter, which reads a name starting with '=' as a formula: a space keeps it text.
std::string TitleText(std::string_view title) {
  std::string scratch;
  std::string text(CellText(title, scratch));
  if (!text.empty() && text.front() == '=') text.insert(0, " ");
  return text;
}

// How wide (in characters) a column must be to show `text`: its longest line.
std::size_t TextWidth(std::string_view text) {
  std::size_t longest = 0, line = 0;
  for (unsigned char c : text) {
    if (c == '\n') {
      line = 0;
    } else if ((c & 0xC0) != 0x80) {
      longest = std::max(longest, ++line);
      if (longest >= kMaxWidth) break;
    }
  }
  return longest;
}

class Workbook final : public ExportWriter {
 public:
  Workbook(std::string path, std::string tmpdir) : path_(std::move(path)), tmpdir_(std::move(tmpdir)) {}

  ~Workbook() override {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);  // unfinished: the file stays empty
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  // Creates the libxlsxwriter workbook; "" or why it cannot.
  std::string Start(const WorkbookInfo& info) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = tmpdir_.empty() ? nullptr : tmpdir_.data();
    workbook_ = workbook_new_opt(path_.c_str(), &options);
    if (workbook_ == nullptr) return "libxlsxwriter cannot create a workbook (out of memory)";
    SetProperties(info);
    AddFormats();
    return "";
  }

  std::size_t AddSheet(const SheetSpec& spec) override {
    const std::size_t index = sheets_.size();
    Sheet& sheet = sheets_.emplace_back();
    if (workbook_ == nullptr) return index;
    sheet.autofilter = spec.autofilter;
    sheet.name = SheetName(spec.name, index);
    sheet.columns = std::min<std::size_t>(spec.columns.size(), LXW_COL_MAX);
    if (spec.columns.size() > LXW_COL_MAX) {
      Problem("the sheet " + Quote(spec.name) + " has " + WithThousands(spec.columns.size()) +
              " columns; Excel holds at most " + WithThousands(LXW_COL_MAX));
    }
    sheet.worksheet = workbook_add_worksheet(workbook_, sheet.name.c_str());
    if (sheet.worksheet == nullptr) {
      Problem("cannot add the sheet " + Quote(spec.name) + ": no temporary file could be created in " +
              TmpDirName());
      return index;
    }
    sheet.widths.resize(sheet.columns);
    for (std::size_t col = 0; col < sheet.columns; ++col) {
      const ColumnSpec& column = spec.columns[col];
      // The header and the filter button; date columns as wide as their dates.
      double width = static_cast<double>(TextWidth(column.label)) + 3;
      if (column.type == CellType::kDate) width = std::max(width, 12.0);
      if (column.type == CellType::kDateTime) width = std::max(width, 17.0);
      sheet.widths[col] = width;
      WriteText(sheet, 0, col, column.label, header_);
    }
    return index;
  }

  void AddRow(std::size_t index, std::span<const Cell> cells, RowStyle style) override {
    Sheet* sheet = Find(index, "a row");
    if (sheet == nullptr || sheet->worksheet == nullptr) return;
    if (sheet->next_row > kMaxDataRows) {
      ++sheet->dropped_rows;
      return;
    }
    const auto row = static_cast<lxw_row_t>(sheet->next_row++);
    if (cells.size() > sheet->columns && !sheet->wide_row_reported) {
      sheet->wide_row_reported = true;
      Problem("row " + std::to_string(row) + " of the sheet " + Quote(sheet->name) + " has " +
              std::to_string(cells.size()) + " cells, more than its " + std::to_string(sheet->columns) +
              " columns; the rest were left out");
    }
    const Formats& formats = style == RowStyle::kHeading ? header_ : data_;
    const bool sample = row <= kWidthSampleRows;
    for (std::size_t col = 0; col < std::min(cells.size(), sheet->columns); ++col) {
      const double width = WriteCell(*sheet, row, col, cells[col], formats, sample);
      if (sample) sheet->widths[col] = std::max(sheet->widths[col], width + 2);
    }
  }

  void AddChart(std::size_t index, const ChartSpec& spec) override {
    Sheet* sheet = Find(index, "the chart " + Quote(spec.title));
    if (sheet == nullptr || sheet->worksheet == nullptr) return;
    const std::string problem = ChartProblem(*sheet, spec);
    if (!problem.empty()) {
      Problem("the chart " + Quote(spec.title) + " on the sheet " + Quote(sheet->name) + " " + problem);
      return;
    }
    lxw_chart* chart =
        workbook_add_chart(workbook_, spec.stacked ? LXW_CHART_COLUMN_STACKED : LXW_CHART_COLUMN);
    if (chart == nullptr) {
      Problem("libxlsxwriter cannot create the chart " + Quote(spec.title) + " (out of memory)");
      return;
    }
    const char* name = sheet->name.c_str();
    const auto first = static_cast<lxw_row_t>(spec.first_row), last = static_cast<lxw_row_t>(spec.last_row);
    const auto category = static_cast<lxw_col_t>(spec.category_column);
    for (std::size_t column : spec.value_columns) {
      lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
      if (series == nullptr) continue;
      const auto col = static_cast<lxw_col_t>(column);
      chart_series_set_categories(series, name, first, category, last, category);
      chart_series_set_values(series, name, first, col, last, col);
      chart_series_set_name_range(series, name, static_cast<lxw_row_t>(spec.name_row), col);
    }
    if (!spec.title.empty()) chart_title_set_name(chart, TitleText(spec.title).c_str());
    if (!spec.category_title.empty())
      chart_axis_set_name(chart->x_axis, TitleText(spec.category_title).c_str());
    if (!spec.value_title.empty()) chart_axis_set_name(chart->y_axis, TitleText(spec.value_title).c_str());
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);

    // Beside the table, one column right of it, level with the rows it shows (below the sheet's
    // previous chart when that is in the way).
    const lxw_row_t at = std::max(static_cast<lxw_row_t>(spec.name_row), sheet->next_chart_row);
    sheet->next_chart_row = at + kChartHeightInRows;
    const lxw_error error =
        worksheet_insert_chart(sheet->worksheet, at, static_cast<lxw_col_t>(sheet->columns + 1), chart);
    if (error != LXW_NO_ERROR) {
      Problem("cannot place the chart " + Quote(spec.title) + ": " + Sentence(error));
    }
  }

  std::vector<std::string> Finish() override {
    if (workbook_ == nullptr) {
      if (finished_) return {"the workbook " + path_ + " was already finished"};
      finished_ = true;
      return problems_;
    }
    finished_ = true;
    for (Sheet& sheet : sheets_) FinishSheet(sheet);
    const lxw_error error = workbook_close(workbook_);  // frees the workbook, also on failure
    workbook_ = nullptr;
    for (Sheet& sheet : sheets_) sheet.worksheet = nullptr;  // freed with it: later rows are ignored
    if (error != LXW_NO_ERROR) Problem(Sentence(error));
    if (more_problems_ > 0) {
      problems_.push_back("and " + std::to_string(more_problems_) + " more problems");
    }
    return problems_;
  }

 private:
  struct Formats {
    lxw_format* text = nullptr;  // numbers, booleans and text
    lxw_format* date = nullptr;
    lxw_format* date_time = nullptr;
  };

  struct Sheet {
    lxw_worksheet* worksheet = nullptr;  // null when it could not be added
    std::string name;                    // as in the workbook
    std::size_t columns = 0;
    bool autofilter = true;
    std::size_t next_row = 1;  // the header is row 0
    std::size_t dropped_rows = 0;
    std::vector<double> widths;  // in characters
    lxw_row_t next_chart_row = 0;
    bool wide_row_reported = false, write_failed = false;
  };

  void SetProperties(const WorkbookInfo& info) {
    std::string scratch[6];
    auto field = [&](const std::string& value, int i) -> char* {
      if (value.empty()) return nullptr;
      scratch[i] = std::string(CellText(value, scratch[i]));
      return scratch[i].data();
    };
    lxw_doc_properties properties{};
    properties.title = field(info.title, 0);
    properties.subject = field(info.subject, 1);
    properties.author = field(info.author, 2);
    properties.company = field(info.company, 3);
    properties.keywords = field(info.keywords, 4);
    properties.comments = field(info.comments, 5);
    properties.created = static_cast<time_t>(info.created);  // 0: now
    const lxw_error error = workbook_set_properties(workbook_, &properties);
    if (error != LXW_NO_ERROR) Problem("cannot set the document properties: " + Sentence(error));
  }

  void AddFormats() {
    auto make = [this](bool header, const char* number_format) {
      lxw_format* format = workbook_add_format(workbook_);
      if (format == nullptr) return format;
      if (header) {
        format_set_bold(format);
        format_set_bg_color(format, 0xDDEBF7);  // a light blue fill
        format_set_bottom(format, LXW_BORDER_THIN);
      }
      if (number_format != nullptr) format_set_num_format(format, number_format);
      return format;
    };
    data_ = Formats{nullptr, make(false, "yyyy-mm-dd"), make(false, "yyyy-mm-dd hh:mm")};
    header_ = Formats{make(true, nullptr), make(true, "yyyy-mm-dd"), make(true, "yyyy-mm-dd hh:mm")};
  }

  // The name the sheet gets in the workbook: `wanted`, or when that is no valid and unique sheet name (a
  // problem), a stand-in that is.
  std::string SheetName(const std::string& wanted, std::size_t index) {
    std::string problem = SheetNameProblem(wanted);
    if (problem.empty() && !names_.insert(FoldedSheetName(wanted)).second) {
      problem = "two sheets are named " + Quote(wanted) + " (Excel does not tell upper from lower case)";
    }
    if (!problem.empty()) Problem(problem);
    if (problem.empty() && workbook_validate_sheet_name(workbook_, wanted.c_str()) == LXW_NO_ERROR) {
      return wanted;
    }
    for (std::size_t n = index + 1;; ++n) {
      std::string stand_in = "Blad" + std::to_string(n);
      if (!names_.count(FoldedSheetName(stand_in)) &&
          workbook_validate_sheet_name(workbook_, stand_in.c_str()) == LXW_NO_ERROR) {
        return stand_in;
      }
    }
  }

  Sheet* Find(std::size_t index, const std::string& what) {
    if (index < sheets_.size()) return &sheets_[index];
    Problem(what + " was added to sheet number " + std::to_string(index) + ", which does not exist");
    return nullptr;
  }

  // Writes one cell; returns the width it needs when `measure` (the rows sampled for widths), else 0.
  double WriteCell(Sheet& sheet, lxw_row_t row, std::size_t col, const Cell& cell, const Formats& formats,
                   bool measure) {
    const auto c = static_cast<lxw_col_t>(col);
    switch (cell.type) {
      case CellType::kEmpty:
        return 0;
      case CellType::kText:
        return WriteText(sheet, row, col, cell.text, formats);
      case CellType::kNumber:
        if (!std::isfinite(cell.number)) return 0;  // no Excel number: left empty
        Check(sheet, row, worksheet_write_number(sheet.worksheet, row, c, cell.number, formats.text));
        return measure ? static_cast<double>(std::min<std::size_t>(cell_text::Number(cell.number).size(), 11)) : 0;
      case CellType::kDate:
        return WriteSerial(sheet, row, c, cell.number + kSerialOfEpoch, formats.date,
                           [&] { return cell_text::Day(cell.number); }, formats);
      case CellType::kDateTime:
        return WriteSerial(sheet, row, c, cell.number / 86400 + kSerialOfEpoch, formats.date_time,
                           [&] { return cell_text::Instant(cell.number); }, formats);
      case CellType::kBool:
        Check(sheet, row, worksheet_write_boolean(sheet.worksheet, row, c, cell.number != 0, formats.text));
        return 6;  // "FALSKT" in a Swedish Excel
    }
    return 0;
  }

  double WriteText(Sheet& sheet, lxw_row_t row, std::size_t col, std::string_view text,
                   const Formats& formats) {
    if (text.empty()) return 0;
    // worksheet_write_string writes a string cell whatever the text: "=1+1" stays text, never a formula.
    const std::string_view ready = CellText(text, scratch_);
    terminated_.assign(ready);  // libxlsxwriter wants a C string; one buffer serves every cell
    Check(sheet, row,
          worksheet_write_string(sheet.worksheet, row, static_cast<lxw_col_t>(col), terminated_.c_str(),
                                 formats.text));
    return static_cast<double>(TextWidth(ready));
  }

  // A date as its serial number with a date format, or as ISO text (made by `iso`, only then) where Excel
  // has no such date. Returns the width: the date's text, as long in either case.
  template <typename Iso>
  double WriteSerial(Sheet& sheet, lxw_row_t row, lxw_col_t col, double serial, lxw_format* format, Iso iso,
                     const Formats& formats) {
    const bool date_time = format == formats.date_time;
    if (serial >= kFirstSerial && serial < kEndSerial) {
      Check(sheet, row, worksheet_write_number(sheet.worksheet, row, col, serial, format));
    } else {
      WriteText(sheet, row, col, iso(), formats);
    }
    return date_time ? 16 : 10;  // "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
  }

  void Check(Sheet& sheet, lxw_row_t row, lxw_error error) {
    if (error == LXW_NO_ERROR || sheet.write_failed) return;
    sheet.write_failed = true;
    Problem("writing row " + std::to_string(row) + " of the sheet " + Quote(sheet.name) +
            " failed: " + Sentence(error));
  }

  std::string ChartProblem(const Sheet& sheet, const ChartSpec& spec) const {
    if (spec.value_columns.empty()) return "has no value columns";
    std::vector<std::size_t> columns = spec.value_columns;
    columns.push_back(spec.category_column);
    for (std::size_t column : columns) {
      if (column >= sheet.columns) {
        return "refers to column " + std::to_string(column) + ", but the sheet has " +
               std::to_string(sheet.columns) + " columns (counted from 0)";
      }
    }
    if (spec.first_row > spec.last_row) {
      return "has its first row (" + std::to_string(spec.first_row) + ") after its last (" +
             std::to_string(spec.last_row) + ")";
    }
    const std::size_t last_written = sheet.next_row - 1;
    if (std::max(spec.last_row, spec.name_row) > last_written) {
      return "refers to row " + std::to_string(std::max(spec.last_row, spec.name_row)) +
             ", but the sheet's last row is " + std::to_string(last_written) + " (the header is row 0)";
    }
    return "";
  }

  void FinishSheet(Sheet& sheet) {
    if (sheet.worksheet == nullptr) return;
    for (std::size_t col = 0; col < sheet.columns; ++col) {
      const double width = std::clamp(sheet.widths[col], kMinWidth, kMaxWidth);
      worksheet_set_column(sheet.worksheet, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col), width,
                           nullptr);
    }
    if (sheet.columns == 0) return;
    worksheet_freeze_panes(sheet.worksheet, 1, 0);
    if (sheet.autofilter) {
      worksheet_autofilter(sheet.worksheet, 0, 0, static_cast<lxw_row_t>(sheet.next_row - 1),
                           static_cast<lxw_col_t>(sheet.columns - 1));
    }
    if (sheet.dropped_rows > 0) {
      Problem("the sheet " + Quote(sheet.name) + " has " + WithThousands(kMaxDataRows + sheet.dropped_rows) +
              " rows below its header, more than Excel's " + WithThousands(kMaxDataRows) + "; " +
              WithThousands(sheet.dropped_rows) + " were left out");
    }
  }

  std::string TmpDirName() const { return tmpdir_.empty() ? "the system's temporary directory" : tmpdir_; }

  // A libxlsxwriter error as an English sentence.
  std::string Sentence(lxw_error error) const {
    switch (error) {
      case LXW_ERROR_MEMORY_MALLOC_FAILED:
        return "libxlsxwriter ran out of memory";
      case LXW_ERROR_CREATING_XLSX_FILE:
        return "cannot create the file " + path_ + ": " + std::strerror(errno);
      case LXW_ERROR_CREATING_TMPFILE:
        return "cannot create a temporary file in " + TmpDirName() + ": " + std::strerror(errno);
      case LXW_ERROR_READING_TMPFILE:
        return "cannot read back a temporary file in " + TmpDirName();
      case LXW_ERROR_ZIP_FILE_OPERATION:
      case LXW_ERROR_ZIP_PARAMETER_ERROR:
      case LXW_ERROR_ZIP_BAD_ZIP_FILE:
      case LXW_ERROR_ZIP_INTERNAL_ERROR:
      case LXW_ERROR_ZIP_FILE_ADD:
      case LXW_ERROR_ZIP_CLOSE:
        return "writing the ZIP container of " + path_ +
               " failed (is the disk full?): " + lxw_strerror(error);
      default:
        return std::string("libxlsxwriter failed: ") + lxw_strerror(error);
    }
  }

  void Problem(std::string problem) {
    if (std::find(problems_.begin(), problems_.end(), problem) != problems_.end()) return;
    if (problems_.size() >= kMaxProblems) {
      ++more_problems_;
      return;
    }
    problems_.push_back(std::move(problem));
  }

  std::string path_, tmpdir_;
  lxw_workbook* workbook_ = nullptr;
  Formats data_, header_;
  std::vector<Sheet> sheets_;
  std::set<std::string> names_;  // folded
  std::vector<std::string> problems_;
  std::size_t more_problems_ = 0;
  std::string scratch_;
  std::string terminated_;
  bool finished_ = false;
};

// The directory for the temporary files: the target's, where we may write; else "" (the system's).
std::string TmpDirFor(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec) || ::access(dir.c_str(), W_OK | X_OK) != 0) return "";
  return dir.string();
}

}  // namespace

OpenedWriter OpenWorkbook(const std::string& path, const WorkbookInfo& info) {
  // libxlsxwriter creates the file only when the workbook is closed: create it now, so that a path that
  // cannot be written is known before any row is.
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return {nullptr, "cannot create " + path + ": " + std::strerror(errno)};
  std::fclose(file);
  auto workbook = std::make_unique<Workbook>(path, TmpDirFor(path));
  std::string problem = workbook->Start(info);
  if (!problem.empty()) return {nullptr, std::move(problem)};
  return {std::move(workbook), ""};
}

}  // namespace spegla::xlsx
