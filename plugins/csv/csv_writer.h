// An ExportWriter that writes one table as CSV: UTF-8 with a byte order mark (so that Excel reads it as
// UTF-8), CRLF after every record (RFC 4180), the header first, fields as csv_field.h makes them. Rows are
// buffered and streamed to the file (constant memory).
//
// Threads: one thread at a time per writer; writers are independent of each other.
#pragma once

#include <string>

#include "spegla/export_plugin.h"

namespace spegla::csv {

// Creates (or truncates) `path` and returns a writer for it; on failure (the file cannot be created, a
// separator other than ',' and ';') a null writer and the reason.
OpenedWriter OpenCsv(const std::string& path, const ExportOptions& options);

}  // namespace spegla::csv
