// Text as Excel can hold it: cell text within Excel's limits, and sheet names checked against Excel's
// rules. Plain functions over UTF-8; no libxlsxwriter.
// Threads: every function may be called from any number of threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace spegla::xlsx {

// Excel's limit on the text of one cell, in UTF-16 code units.
inline constexpr std::size_t kMaxCellText = 32767;
// What replaces the end of a text too long for a cell (Swedish: the reader of the workbook sees it).
inline constexpr std::string_view kTruncatedMarker = " … [avkortad]";

// `text` as a cell can hold it, returned as a view of `text` itself when nothing changes (the common case)
// and otherwise of `scratch`:
//  - invalid UTF-8 becomes U+FFFD;
//  - control characters other than TAB and LF are dropped, CR LF and a lone CR become LF (XML cannot hold
//    most of them; Excel shows a CR as a box);
//  - "_x" followed by four hex digits and "_" gets its '_' escaped as "_x005F_", since Excel and
//    LibreOffice read "_xHHHH_" in a cell as the character U+HHHH;
//  - text longer than kMaxCellText is cut at a character boundary and ends with kTruncatedMarker.
std::string_view CellText(std::string_view text, std::string& scratch, bool* truncated = nullptr);

// Why `name` cannot name a sheet, as an English sentence, or "" when it can: not empty, at most 31
// UTF-16 code units, none of []:*?/\, not starting or ending with an apostrophe, not "History" (reserved
// by Excel), valid UTF-8.
std::string SheetNameProblem(std::string_view name);

// `name` folded as Excel compares sheet names: case-insensitively, here for ASCII and Latin-1 letters
// (so "Översikt" and "ÖVERSIKT" are the same sheet).
std::string FoldedSheetName(std::string_view name);

// The code point at text[i], advancing i past it; an invalid sequence (a stray byte, an overlong form, a
// surrogate, a truncated one) is one U+FFFD for its first byte.
char32_t DecodeCharacter(std::string_view text, std::size_t& i);
// Appends `cp` as UTF-8.
void AppendCharacter(char32_t cp, std::string& out);

// The number of UTF-16 code units of valid UTF-8 `text` (what Excel counts as characters).
std::size_t Utf16Length(std::string_view text);

}  // namespace spegla::xlsx
