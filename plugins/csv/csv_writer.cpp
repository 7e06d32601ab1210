#include "csv_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "csv_field.h"

namespace spegla::csv {
namespace {

constexpr std::size_t kFlushAt = 64 * 1024;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

class CsvFile final : public ExportWriter {
 public:
  CsvFile(std::string path, std::FILE* file, char separator)
      : path_(std::move(path)), file_(file), separator_(separator) {
    buffer_.reserve(kFlushAt + 4096);
    buffer_ += kByteOrderMark;
  }
  ~CsvFile() override {
    if (file_ != nullptr) std::fclose(file_);  // unfinished: what was flushed stays
  }
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;

  std::size_t AddSheet(const SheetSpec& sheet) override {
    const std::size_t index = sheets_++;
    if (index > 0) {
      Problem("a CSV file holds one table: the sheet '" + sheet.name + "' cannot be added beside '" + name_ +
              "'");
      return index;
    }
    name_ = sheet.name;
    columns_ = sheet.columns.size();
    for (std::size_t col = 0; col < columns_; ++col) {
      if (col > 0) buffer_ += separator_;
      AppendField(Cell::Text(sheet.columns[col].label), separator_, buffer_);
    }
    EndRecord();
    return index;
  }

  void AddRow(std::size_t sheet, std::span<const Cell> cells, RowStyle) override {
    if (sheet != 0 || file_ == nullptr) {
      if (sheet >= sheets_) {
        Problem("a row was added to sheet number " + std::to_string(sheet) + ", which does not exist");
      }
      return;  // a second sheet is a problem already
    }
    if (cells.size() > columns_ && !wide_row_reported_) {
      wide_row_reported_ = true;
      Problem("row " + std::to_string(rows_ + 1) + " has " + std::to_string(cells.size()) +
              " cells, more than the table's " + std::to_string(columns_) +
              " columns; the rest were left out");
    }
    ++rows_;
    // Every record has the header's number of fields (RFC 4180).
    for (std::size_t col = 0; col < columns_; ++col) {
      if (col > 0) buffer_ += separator_;
      if (col < cells.size()) AppendField(cells[col], separator_, buffer_);
    }
    EndRecord();
  }

  void AddChart(std::size_t, const ChartSpec&) override {}  // CSV has no charts

  std::vector<std::string> Finish() override {
    if (file_ == nullptr) {
      if (finished_) return {"the CSV file " + path_ + " was already finished"};
      finished_ = true;
      return problems_;
    }
    finished_ = true;
    Flush();
    const bool failed = std::fclose(file_) != 0;
    file_ = nullptr;
    if (failed && problems_.empty()) Problem("writing " + path_ + " failed: " + std::strerror(errno));
    return problems_;
  }

 private:
  void EndRecord() {
    buffer_ += "\r\n";
    if (buffer_.size() >= kFlushAt) Flush();
  }

  void Flush() {
    if (file_ == nullptr || buffer_.empty()) return;
    if (!write_failed_ && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      write_failed_ = true;
      Problem("writing " + path_ + " failed: " + std::strerror(errno));
    }
    buffer_.clear();
  }

  void Problem(std::string problem) {
    for (const std::string& known : problems_) {
      if (known == problem) return;
    }
    problems_.push_back(std::move(problem));
  }

  std::string path_;
  std::FILE* file_;
  char separator_;
  std::string buffer_;
  std::string name_;  // of the one sheet
  std::size_t sheets_ = 0, columns_ = 0, rows_ = 0;
  bool wide_row_reported_ = false, write_failed_ = false, finished_ = false;
  std::vector<std::string> problems_;
};

}  // namespace

OpenedWriter OpenCsv(const std::string& path, const ExportOptions& options) {
  if (options.separator != ',' && options.separator != ';') {
    return {nullptr, std::string("the CSV separator must be ',' or ';', not '") + options.separator + "'"};
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return {nullptr, "cannot create " + path + ": " + std::strerror(errno)};
  return {std::make_unique<CsvFile>(path, file, options.separator), ""};
}

}  // namespace spegla::csv
