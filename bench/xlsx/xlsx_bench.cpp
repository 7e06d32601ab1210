// The XLSX export benchmark's own program (bench/run-xlsx.sh runs it; figures in docs/performance.md).
//
//   spegla_xlsx_bench record DB CELLS       runs Engine::Export as the operator on DB into a recording
//                                           ExportWriter that writes every sheet's header and typed cells to
//                                           CELLS (format below). Untimed preparation for the peers.
//   spegla_xlsx_bench floor CELLS OUT.xlsx  loads CELLS into memory (untimed), then times raw libxlsxwriter
//                                           writing exactly those cells in constant_memory mode: the floor.
//   spegla_xlsx_bench spegla DB OUT.xlsx    the whole export in this process (engine + built-in xlsx
//                                           plugin), timed, for profiling; the benchmark's Spegla figure is
//                                           the real `spegla export`, measured from outside.
//
// Each timed mode prints one line: `NAME s=SECONDS cpu_s=SECONDS cells=N cells_per_s=R peak_mib=P
// loaded_mib=L`: s is wall time, cpu_s user + system CPU time of the timed part (steadier than wall time on
// a shared machine), peak_mib the process's peak resident set (getrusage) and loaded_mib its resident set
// before the timed part began (the cells held in memory; peak - loaded is what writing took).
//
// The CELLS file ("SPEGLA-CELLS 1"): the export's calls to the writer, in the order the engine made them,
// so a replay interleaves the sheets as the engine does. Little-endian; every text is its byte length (u32),
// its UTF-8 bytes and a NUL (so a loader can hand it to C without copying).
//
//   file    = "SPEGLA-CELLS 1\n" record* 'E'
//   record  = 'S' text:name u32:columns (u8:type text:label)*columns      AddSheet (its header row)
//           | 'R' u32:sheet u8:style u32:count cell*count                  AddRow (style 0 data, 1 heading)
//   cell    = u8:type [f64:number | text]                                  type: CellType (table.h)
//
// kEmpty carries nothing, kText a text, the other types an f64: kNumber the number, kDate days since
// 1970-01-01, kDateTime seconds since 1970-01-01T00:00:00Z, kBool 1 or 0. The recorder stores the cells as
// the xlsx plugin puts them in the workbook, so that a writer of the file needs no rules of its own: text is
// made safe for a cell (xlsx::CellText), an empty text is kEmpty, a number that is not finite is kEmpty, a
// day or instant outside Excel's dates is its ISO text. Charts are no cells and are not recorded.
#include <sys/resource.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cell_text.h"
#include "excel_text.h"
#include "spegla/builtin_plugins.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "spegla/plugin_host.h"

namespace {

using spegla::Cell;
using spegla::CellType;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kMagic = "SPEGLA-CELLS 1\n";
// Excel's serial day numbers count from 1899-12-30; the xlsx plugin writes days from 1900-03-01 up to
// 9999-12-31 as dates and others as text (plugins/xlsx/xlsx_writer.cpp).
constexpr double kSerialOfEpoch = 25569;  // 1970-01-01
constexpr double kFirstSerial = 61;       // 1900-03-01
constexpr double kEndSerial = 2958466;    // 10000-01-01

double PeakMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

// User and system CPU seconds of this process so far.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double CurrentMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

void PrintTimed(const char* name, double seconds, double cpu_seconds, std::size_t cells, double loaded_mib) {
  std::printf("%s s=%.3f cpu_s=%.3f cells=%zu cells_per_s=%.0f peak_mib=%.1f loaded_mib=%.1f\n", name, seconds,
              cpu_seconds, cells, static_cast<double>(cells) / seconds, PeakMiB(), loaded_mib);
}

// --- record ------------------------------------------------------------------------------------------

class Recorder final : public spegla::ExportWriter {
 public:
  explicit Recorder(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    Put(kMagic.data(), kMagic.size());
  }
  ~Recorder() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  std::size_t AddSheet(const spegla::SheetSpec& sheet) override {
    Byte('S');
    Text(sheet.name);
    U32(sheet.columns.size());
    for (const spegla::ColumnSpec& column : sheet.columns) {
      Byte(static_cast<std::uint8_t>(column.type));
      Text(Safe(column.label));
      if (!column.label.empty()) ++cells_;
    }
    rows_.push_back(0);
    return rows_.size() - 1;
  }

  void AddRow(std::size_t sheet, std::span<const Cell> cells, spegla::RowStyle style) override {
    Byte('R');
    U32(sheet);
    Byte(style == spegla::RowStyle::kHeading ? 1 : 0);
    U32(cells.size());
    for (const Cell& cell : cells) Put(cell);
    ++rows_.at(sheet);
  }

  void AddChart(std::size_t, const spegla::ChartSpec&) override {}  // no cells

  std::vector<std::string> Finish() override {
    Byte('E');
    const bool failed = std::ferror(file_) != 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (failed || !closed) return {"writing the cells file failed"};
    return {};
  }

  std::size_t cells() const { return cells_; }

 private:
  void Put(const void* bytes, std::size_t n) { std::fwrite(bytes, 1, n, file_); }
  void Byte(std::uint8_t b) { Put(&b, 1); }
  void U32(std::size_t n) {
    const auto v = static_cast<std::uint32_t>(n);
    Put(&v, 4);
  }
  void F64(double d) { Put(&d, 8); }
  void Text(std::string_view s) {
    U32(s.size());
    Put(s.data(), s.size());
    Byte(0);
  }
  std::string_view Safe(std::string_view text) { return spegla::xlsx::CellText(text, scratch_); }

  void Put(const Cell& cell) {
    switch (cell.type) {
      case CellType::kText: {
        const std::string_view text = Safe(cell.text);
        if (text.empty()) break;
        Byte(static_cast<std::uint8_t>(CellType::kText));
        Text(text);
        ++cells_;
        return;
      }
      case CellType::kNumber:
      case CellType::kBool:
        if (!std::isfinite(cell.number)) break;
        Byte(static_cast<std::uint8_t>(cell.type));
        F64(cell.number);
        ++cells_;
        return;
      case CellType::kDate:
      case CellType::kDateTime: {
        const double serial =
            cell.type == CellType::kDate ? cell.number + kSerialOfEpoch : cell.number / 86400 + kSerialOfEpoch;
        if (serial >= kFirstSerial && serial < kEndSerial) {
          Byte(static_cast<std::uint8_t>(cell.type));
          F64(cell.number);
        } else {
          const std::string iso = cell.type == CellType::kDate ? spegla::cell_text::Day(cell.number)
                                                               : spegla::cell_text::Instant(cell.number);
          if (iso.empty()) break;
          Byte(static_cast<std::uint8_t>(CellType::kText));
          Text(iso);
        }
        ++cells_;
        return;
      }
      case CellType::kEmpty:
        break;
    }
    Byte(static_cast<std::uint8_t>(CellType::kEmpty));
  }

  std::FILE* file_;
  std::vector<std::size_t> rows_;  // per sheet, below the header
  std::size_t cells_ = 0;
  std::string scratch_;
};

int Record(const std::string& db, const std::string& cells_path) {
  spegla::SystemClock clock;
  std::unique_ptr<spegla::Engine> engine = spegla::Engine::Open(db, clock);
  Recorder recorder(cells_path);
  const auto start = Clock::now();
  spegla::Result<spegla::ExportSummary> summary =
      engine->Export(spegla::Actor::Operator(), spegla::ExportRequest{}, recorder);
  if (!summary) throw std::runtime_error("the export failed: " + summary.error().Summary());
  for (const std::string& problem : recorder.Finish()) throw std::runtime_error(problem);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("record instances=%zu cells=%zu s=%.3f", summary.value().instances, recorder.cells(), seconds);
  for (const auto& [sheet, rows] : summary.value().sheets) std::printf(" [%s]=%zu", sheet.c_str(), rows);
  std::printf("\n");
  return 0;
}

// --- floor -------------------------------------------------------------------------------------------

// The cells file in memory: the file's bytes, and the calls decoded into flat arrays that point into them.
struct Loaded {
  struct Sheet {
    const char* name;
    std::vector<const char*> labels;  // nullptr for an empty label
  };
  struct LoadedCell {
    CellType type;
    double number;
    const char* text;  // NUL-terminated, into `bytes`
  };
  struct Row {
    std::uint32_t sheet;  // or kSheetOp: add sheets[first]
    std::uint32_t count;
    std::size_t first;  // into cells (or sheets)
  };
  static constexpr std::uint32_t kSheetOp = UINT32_MAX;

  std::string bytes;
  std::vector<Sheet> sheets;
  std::vector<Row> ops;  // in the file's order
  std::vector<LoadedCell> cells;
};

class Reader {
 public:
  explicit Reader(const std::string& bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  std::uint8_t Byte() { return static_cast<std::uint8_t>(*Take(1)); }
  std::uint32_t U32() {
    std::uint32_t v;
    std::memcpy(&v, Take(4), 4);
    return v;
  }
  double F64() {
    double d;
    std::memcpy(&d, Take(8), 8);
    return d;
  }
  const char* Text() {
    const std::uint32_t n = U32();
    const char* s = Take(std::size_t{n} + 1);
    if (s[n] != '\0') throw std::runtime_error("the cells file is damaged (a text without its NUL)");
    return s;
  }
  void Expect(std::string_view magic) {
    if (std::string_view(Take(magic.size()), magic.size()) != magic) {
      throw std::runtime_error("not a cells file of this version (spegla_xlsx_bench record makes one)");
    }
  }

 private:
  const char* Take(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) throw std::runtime_error("the cells file ends too soon");
    const char* at = p_;
    p_ += n;
    return at;
  }
  const char* p_;
  const char* end_;
};

Loaded Load(const std::string& path) {
  Loaded loaded;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream all;
    all << in.rdbuf();
    loaded.bytes = std::move(all).str();
  }
  Reader in(loaded.bytes);
  in.Expect(kMagic);
  for (;;) {
    const std::uint8_t kind = in.Byte();
    if (kind == 'E') break;
    if (kind == 'S') {
      Loaded::Sheet& sheet = loaded.sheets.emplace_back();
      sheet.name = in.Text();
      const std::uint32_t columns = in.U32();
      for (std::uint32_t c = 0; c < columns; ++c) {
        in.Byte();  // the column's type: a hint for widths, not a cell
        const char* label = in.Text();
        sheet.labels.push_back(*label ? label : nullptr);
      }
      loaded.ops.push_back({Loaded::kSheetOp, 0, loaded.sheets.size() - 1});
    } else if (kind == 'R') {
      Loaded::Row row{in.U32(), 0, loaded.cells.size()};
      if (row.sheet >= loaded.sheets.size()) throw std::runtime_error("the cells file has a row of no sheet");
      in.Byte();  // the style: the floor writes no styles
      row.count = in.U32();
      for (std::uint32_t c = 0; c < row.count; ++c) {
        const auto type = static_cast<CellType>(in.Byte());
        Loaded::LoadedCell cell{type, 0, nullptr};
        switch (type) {
          case CellType::kEmpty:
            break;
          case CellType::kText:
            cell.text = in.Text();
            break;
          case CellType::kNumber:
          case CellType::kDate:
          case CellType::kDateTime:
          case CellType::kBool:
            cell.number = in.F64();
            break;
          default:
            throw std::runtime_error("the cells file has a cell of unknown type");
        }
        loaded.cells.push_back(cell);
      }
      loaded.ops.push_back(row);
    } else {
      throw std::runtime_error("the cells file is damaged (unknown record)");
    }
  }
  return loaded;
}

int Floor(const std::string& cells_path, const std::string& out) {
  const Loaded loaded = Load(cells_path);
  const double loaded_mib = CurrentMiB();

  // Temporary files beside the output, as the xlsx plugin makes them.
  std::string tmpdir = std::filesystem::path(out).parent_path().string();
  if (tmpdir.empty()) tmpdir = ".";

  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = tmpdir.data();
  lxw_workbook* workbook = workbook_new_opt(out.c_str(), &options);
  if (workbook == nullptr) throw std::runtime_error("libxlsxwriter cannot create a workbook");
  lxw_format* date = workbook_add_format(workbook);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* date_time = workbook_add_format(workbook);
  format_set_num_format(date_time, "yyyy-mm-dd hh:mm");

  std::vector<lxw_worksheet*> worksheets;
  std::vector<lxw_row_t> next_row;
  std::size_t cells = 0;
  lxw_error error = LXW_NO_ERROR;
  auto check = [&error](lxw_error e) {
    if (e != LXW_NO_ERROR && error == LXW_NO_ERROR) error = e;
  };
  for (const Loaded::Row& op : loaded.ops) {
    if (op.sheet == Loaded::kSheetOp) {
      const Loaded::Sheet& sheet = loaded.sheets[op.first];
      lxw_worksheet* ws = workbook_add_worksheet(workbook, sheet.name);
      if (ws == nullptr) throw std::runtime_error(std::string("cannot add the sheet ") + sheet.name);
      worksheets.push_back(ws);
      next_row.push_back(1);
      for (std::size_t c = 0; c < sheet.labels.size(); ++c) {
        if (sheet.labels[c] == nullptr) continue;
        check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), sheet.labels[c], nullptr));
        ++cells;
      }
      continue;
    }
    lxw_worksheet* ws = worksheets[op.sheet];
    const lxw_row_t row = next_row[op.sheet]++;
    for (std::uint32_t c = 0; c < op.count; ++c) {
      const Loaded::LoadedCell& cell = loaded.cells[op.first + c];
      const auto col = static_cast<lxw_col_t>(c);
      switch (cell.type) {
        case CellType::kEmpty:
          continue;
        case CellType::kText:
          check(worksheet_write_string(ws, row, col, cell.text, nullptr));
          break;
        case CellType::kNumber:
          check(worksheet_write_number(ws, row, col, cell.number, nullptr));
          break;
        case CellType::kDate:
          check(worksheet_write_number(ws, row, col, cell.number + kSerialOfEpoch, date));
          break;
        case CellType::kDateTime:
          check(worksheet_write_number(ws, row, col, cell.number / 86400 + kSerialOfEpoch, date_time));
          break;
        case CellType::kBool:
          check(worksheet_write_boolean(ws, row, col, cell.number != 0, nullptr));
          break;
      }
      ++cells;
    }
  }
  check(workbook_close(workbook));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu_seconds = CpuSeconds() - cpu_start;
  if (error != LXW_NO_ERROR) throw std::runtime_error(std::string("libxlsxwriter: ") + lxw_strerror(error));
  PrintTimed("floor", seconds, cpu_seconds, cells, loaded_mib);
  return 0;
}

// --- spegla (in process) -----------------------------------------------------------------------------

int InProcess(const std::string& db, const std::string& out) {
  const double loaded_mib = CurrentMiB();
  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  spegla::PluginHost host;
  for (const spegla::Problem& problem : spegla::AddBuiltinPlugins(host)) throw std::runtime_error(problem.Format());
  const spegla::ExportPlugin* plugin = host.FindExport("xlsx");
  if (plugin == nullptr) throw std::runtime_error("no xlsx export plugin is built in");
  spegla::SystemClock clock;
  std::unique_ptr<spegla::Engine> engine = spegla::Engine::Open(db, clock);
  spegla::WorkbookInfo info;
  info.title = "Spegla – översikt över utvecklingsarbetet";
  info.author = "operator";
  spegla::OpenedWriter opened = plugin->Open(out, info, {});
  if (!opened.writer) throw std::runtime_error(opened.problem);
  spegla::Result<spegla::ExportSummary> summary =
      engine->Export(spegla::Actor::Operator(), spegla::ExportRequest{}, *opened.writer);
  if (!summary) throw std::runtime_error("the export failed: " + summary.error().Summary());
  for (const std::string& problem : opened.writer->Finish()) throw std::runtime_error(problem);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::size_t rows = 0;
  for (const auto& [sheet, n] : summary.value().sheets) rows += n;
  std::printf("spegla-in-process s=%.3f cpu_s=%.3f instances=%zu rows=%zu peak_mib=%.1f loaded_mib=%.1f\n",
              seconds, CpuSeconds() - cpu_start, summary.value().instances, rows, PeakMiB(), loaded_mib);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc != 4 || (mode != "record" && mode != "floor" && mode != "spegla")) {
    std::cerr << "usage: spegla_xlsx_bench record DB CELLS\n"
                 "       spegla_xlsx_bench floor CELLS OUT.xlsx\n"
                 "       spegla_xlsx_bench spegla DB OUT.xlsx\n";
    return 2;
  }
  try {
    if (mode == "record") return Record(argv[2], argv[3]);
    if (mode == "floor") return Floor(argv[2], argv[3]);
    return InProcess(argv[2], argv[3]);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
