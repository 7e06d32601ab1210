// One CSV field as RFC 4180 and a Swedish spreadsheet want it, with formula injection neutralised.
// Threads: every function may be called from any number of threads at once.
#pragma once

#include <string>
#include <string_view>

#include "spegla/table.h"

namespace spegla::csv {

// Whether a text cell must get a leading ' so that no spreadsheet runs it as a formula (OWASP's advice
// on CSV injection): it starts with = + - @, TAB or CR, or with one of = + - @ after leading spaces and
// line feeds (some programs trim those on import, and " =1+1" would then be a formula again).
bool NeedsFormulaGuard(std::string_view text);

// Appends the field for `cell` to `out`, quoted ("…", inner quotes doubled) when it holds the separator,
// a quote, CR or LF:
//   text       as is, after a ' where NeedsFormulaGuard says so
//   number     plain decimal (cell_text::Number), with a decimal comma when `separator` is ';'; never guarded
//   date       "2026-11-23"; date-time "2026-11-23 08:30" (UTC)
//   bool       "Ja" or "Nej"
//   empty      nothing
void AppendField(const Cell& cell, char separator, std::string& out);

}  // namespace spegla::csv
