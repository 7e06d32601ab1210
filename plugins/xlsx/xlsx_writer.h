// An ExportWriter that writes an xlsx workbook with libxlsxwriter in its constant-memory mode: each sheet's
// rows go to a temporary file of its own as they arrive (one row per sheet is held in memory), so sheets
// may be written to in any interleaving and a workbook of a million rows needs no more memory than one of
// ten. The temporary files go in the target's directory (else the system's), and the workbook is put
// together at Finish.
//
// Threads: one thread at a time per writer; writers are independent of each other.
#pragma once

#include <string>

#include "spegla/export_plugin.h"

namespace spegla::xlsx {

// Creates (or truncates) `path` and returns a writer for it; on failure a null writer and the reason.
// A writer destroyed without Finish leaves `path` empty or incomplete.
OpenedWriter OpenWorkbook(const std::string& path, const WorkbookInfo& info);

}  // namespace spegla::xlsx
