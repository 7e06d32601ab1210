// spegla export: the management workbook (xlsx) or one of its sheets as CSV, for the instances a filter
// selects (docs/exports.md). The file is written under a temporary name beside the target and renamed
// when complete, so that a failed or interrupted export never leaves a half-written file.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "commands.h"
#include "json_output.h"
#include "progress_bar.h"
#include "spegla/atomic_file.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

std::string Lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// A municipality or unit named by id or by name; nullopt (with the message printed) when none matches.
template <typename T>
std::optional<std::int64_t> Pick(const Context& c, const std::vector<T>& all, const std::string& wanted,
                                 const char* what) {
  for (const T& item : all) {
    if (item.name == wanted || std::to_string(item.id) == wanted) return item.id;
  }
  c.Fail(Error::Of(ErrorCode::kNotFound, std::string("Det finns ingen ") + what + " ”" + wanted + "”."));
  return std::nullopt;
}

std::optional<Date> DateOption(const Context& c, const char* name, bool* bad) {
  std::optional<std::string> text = c.args.Get(name);
  if (!text) return std::nullopt;
  std::optional<Date> date = Date::Parse(*text);
  if (!date) {
    c.Usage(std::string("--") + name + " takes a date YYYY-MM-DD, not '" + *text + "'");
    *bad = true;
  }
  return date;
}

int Export(Context& c) {
  std::optional<std::string> output = c.args.Get("output");
  if (!output || output->empty()) return c.Usage("-o FILE is required");
  const fs::path target = *output;
  const std::string format =
      c.args.GetOr("format", Lowered(target.extension().string()) == ".csv" ? "csv" : "xlsx");
  ExportOptions options;
  if (std::optional<std::string> separator = c.args.Get("separator")) {
    if (*separator != ";" && *separator != ",") return c.Usage("--separator is ';' or ','");
    options.separator = (*separator)[0];
  }
  bool bad = false;
  ExportRequest request;
  request.filter.from = DateOption(c, "from", &bad);
  request.filter.to = DateOption(c, "to", &bad);
  if (bad) return kExitUsage;
  if (request.filter.from && request.filter.to && *request.filter.to < *request.filter.from) {
    return c.Usage("--to is before --from");
  }
  request.filter.workflow_id = c.args.Get("workflow");
  request.filter.status = c.args.Get("status");
  if (request.filter.status && *request.filter.status != "active" && *request.filter.status != "completed") {
    return c.Usage("--status is active or completed");
  }

  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  const ExportPlugin* plugin = c.plugins ? c.plugins->FindExport(format) : nullptr;
  if (!plugin) return c.Usage("no export format '" + format + "' (see spegla plugins)");
  request.sheet = c.args.Get("sheet");
  if (!plugin->MultipleSheets() && !request.sheet) request.sheet = kOverviewSheet;

  if (std::optional<std::string> municipality = c.args.Get("municipality")) {
    request.filter.municipality_id = Pick(c, engine->Municipalities(), *municipality, "kommun");
    if (!request.filter.municipality_id) return kExitFailure;
  }
  if (std::optional<std::string> unit = c.args.Get("unit")) {
    request.filter.unit_id = Pick(c, engine->Units(request.filter.municipality_id), *unit, "enhet");
    if (!request.filter.unit_id) return kExitFailure;
  }

  WorkbookInfo info;
  info.title = "Spegla – översikt över utvecklingsarbetet";
  info.subject = "Processer, faser, tidsgränser och lärdomar";
  info.author = c.actor().username;
  info.company = "Spegla";
  info.keywords = "Spegla, skolutveckling, export";
  info.comments = "Skapad av spegla export " SPEGLA_VERSION;
  info.created = c.clock.Now().time_since_epoch().count();

  // Beside the target, so that the rename stays on one file system. Temporaries that an earlier export of
  // the same target left when it was killed go first.
  RemoveStaleTemporaries(target);
  const fs::path temporary = TemporaryBeside(target);
  OpenedWriter opened = plugin->Open(temporary.string(), info, options);
  if (!opened.writer) return c.Fail(Error::Of(ErrorCode::kInternal, opened.problem));
  if (c.env.progress && !c.json()) {
    request.progress = [&c](std::size_t done, std::size_t total) { DrawProgress(c.err, "instances", done, total); };
  }
  Result<ExportSummary> exported = engine->Export(c.actor(), request, *opened.writer);
  std::vector<std::string> problems = opened.writer->Finish();
  opened.writer.reset();
  std::error_code ec;
  if (!exported || !problems.empty()) {
    fs::remove(temporary, ec);
    if (!exported) return c.Fail(exported.error());
    Error error{ErrorCode::kInternal, {}};
    for (const std::string& p : problems) error.issues.push_back(Issue{{}, p});
    return c.Fail(error);
  }
  // Flushed to the disk before it is renamed: not even a power cut leaves a half-written file.
  if (std::string failed = CommitTemporary(temporary, target); !failed.empty()) {
    return c.Fail(Error::Of(ErrorCode::kInternal, failed));
  }
  const ExportSummary& summary = exported.value();
  if (c.json()) {
    c.out << ExportJson(target.string(), format, summary) << "\n";
    return kExitOk;
  }
  c.out << target.string() << ": " << summary.instances << " instances\n";
  for (const auto& [sheet, rows] : summary.sheets) c.out << "  " << sheet << ": " << rows << " rows\n";
  return kExitOk;
}

}  // namespace

void AddExportCommands(std::vector<Command>& commands) {
  commands.push_back(Command{
      "export",
      "-o FILE [--format xlsx|csv] [--municipality M] [--unit U] [--workflow ID] [--from DATE] [--to DATE] "
      "[--status active|completed] [--sheet NAME] [--separator ';']",
      "export the overview of every process to a workbook, or one sheet to CSV",
      {},
      {"output", "format", "municipality", "unit", "workflow", "from", "to", "status", "sheet", "separator"},
      0,
      0,
      Export});
}

}  // namespace spegla::cli
