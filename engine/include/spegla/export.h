// The management export: one workbook that shows where every process stands, for the förvaltning's
// spreadsheets (docs/exports.md). Engine::Export streams it into an ExportWriter (export_plugin.h):
//
//   Översikt        a row per instance: kommun, enhet, process, phase, status, dates, deadline, budget, ...
//   <export label>  a sheet per <export> of the workflows (exports with the same label share one sheet,
//                   columns matched by label); list columns (a group's column, a repeating step's field)
//                   give a row per item, keyed by the instance's number
//   Sammanfattning  counts per process and phase, and per municipality, with a chart
//
// Who may export: the operator, administrators and förvaltning everything; an utvecklingsledare the
// instances of their own municipality; nobody else. Exports hold only the standard overview columns and
// what the workflows' <export> elements list; the loader refuses an export column that reads a field kept
// from some role (personal data), so an export never shows what a participant's role may not see.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spegla/date.h"

namespace spegla {

struct ExportFilter {
  std::optional<std::int64_t> municipality_id;
  std::optional<std::int64_t> unit_id;
  std::optional<std::string> workflow_id;
  // The period: instances that ran during some part of it, i.e. started on or before `to` and not
  // completed before `from`. Either end may be open.
  std::optional<Date> from, to;
  std::optional<std::string> status;  // "active" or "completed"
};

struct ExportRequest {
  ExportFilter filter;
  // Only this sheet, by its name in the workbook ("Översikt", an export's label, "Sammanfattning"): for
  // writers of one table (CSV). Empty: every sheet.
  std::optional<std::string> sheet;
  // Called now and then with the instances written so far and the total, on the calling thread.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

struct ExportSummary {
  std::size_t instances = 0;
  std::vector<std::pair<std::string, std::size_t>> sheets;  // name -> rows written below the header
};

// The fixed sheet names.
inline constexpr const char* kOverviewSheet = "Översikt";
inline constexpr const char* kSummarySheet = "Sammanfattning";

}  // namespace spegla
