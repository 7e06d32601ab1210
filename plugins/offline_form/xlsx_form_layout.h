// The layout of a fillable Excel form, shared by its writer (xlsx_form_writer.cpp) and its reader
// (xlsx_form_reader.cpp): which sheet and which cell holds what, and the conversions both sides must agree
// on (Excel dates, number text, cell text, sheet names). Private to the offline_form library.
//
// The workbook (docs/offline-forms.md):
//  - "Formulär" (first, active, protected): the title and `about` lines, an instruction, a header row
//    "Fråga | Svar | Hjälp", then a row per field: A the label, B the answer, C help. The hidden column D
//    holds the key the reader finds a row by (the field id; "<field id>:<option value>" for an option row
//    of a multiple choice field), the hidden column E a group's sheet name.
//  - one sheet per group field: row 1 the column labels, hidden row 2 the column ids, rows from 3 on the
//    group's rows.
//  - "Listor" (hidden): the choices of the list validations, a column per list.
//  - "spegla" (hidden): the marker in A1.
// Threads: every function is reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "excel_text.h"
#include "spegla/date.h"

namespace spegla::offline::xlsx_form {

inline constexpr std::string_view kFormSheet = "Formulär";
inline constexpr std::string_view kListSheet = "Listor";
inline constexpr std::string_view kMarkerSheet = "spegla";

// Columns of the form sheet, counted from 0 (A).
inline constexpr std::uint16_t kLabelColumn = 0;
inline constexpr std::uint16_t kAnswerColumn = 1;
inline constexpr std::uint16_t kHelpColumn = 2;
inline constexpr std::uint16_t kKeyColumn = 3;    // hidden
inline constexpr std::uint16_t kSheetColumn = 4;  // hidden: a group row's sheet name

// Rows of a group's sheet, counted from 0.
inline constexpr std::uint32_t kGroupIdRow = 0;     // hidden
inline constexpr std::uint32_t kGroupLabelRow = 1;  // the header of the sheet's Excel table
inline constexpr std::uint32_t kGroupFirstRow = 2;
inline constexpr std::uint32_t kGroupBlankRows = 50;  // empty rows below a group's rows to fill in

// Excel's grid.
inline constexpr std::uint32_t kMaxRows = 1'048'576;
inline constexpr std::uint32_t kMaxColumns = 16'384;

// Excel's limit on the text of one cell, in UTF-16 code units, and the end of a text cut to fit: the
// export plugin's (plugins/xlsx/excel_text.h).
inline constexpr std::size_t kMaxCellText = xlsx::kMaxCellText;
inline constexpr std::string_view kTruncated = xlsx::kTruncatedMarker;

// The key of a multiple choice field's option row.
std::string OptionKey(std::string_view field_id, std::string_view option_value);

// Excel's serial day number of `date` (1900 date system), or nothing for days Excel cannot show as a date
// in that system without ambiguity (before 1900-03-01, after 9999-12-31).
std::optional<double> DateSerial(Date date);
// The day of serial number `serial` (its whole part) in the 1900 (or 1904) date system, or nothing when it
// is no day: below 1, Lotus's 1900-02-29 (60), after 9999-12-31, not finite.
std::optional<Date> SerialDate(double serial, bool date1904);

// A number as the shortest text that reads back as the same double, with a decimal point ("3.5", "12").
std::string NumberText(double number);

// `text` as a cell can hold it: invalid UTF-8 becomes U+FFFD; control characters other than TAB and LF
// are dropped (CR LF and CR become LF), as are U+FFFE and U+FFFF; "_xHHHH_" gets its '_' escaped as
// "_x005F_" (Excel reads "_xHHHH_" as the character U+HHHH); a text longer than kMaxCellText is cut and
// ends with kTruncated.
std::string CellText(std::string_view text);
// The inverse of Excel's escapes in stored text: "_xHHHH_" is the character U+HHHH.
std::string DecodeCellText(std::string_view text);

// A sheet name for a group labelled `label`: the label without []:*?/\ and surrounding apostrophes, at
// most 31 characters, different (as Excel compares names) from every name in `taken`, to which it is
// added.
std::string GroupSheetName(std::string_view label, std::vector<std::string>& taken);
// `name` folded as Excel compares sheet names (ASCII and Latin-1 letters without case).
std::string FoldedSheetName(std::string_view name);

// "A", "B", ..., "AA" for column 0, 1, ..., 26.
std::string ColumnLetters(std::uint32_t column);
// Parses a cell reference "B5" (column letters, row digits; "$" allowed) into its 0-based row and column.
// False when it is not one or lies outside Excel's grid.
bool ParseCellReference(std::string_view reference, std::uint32_t* row, std::uint32_t* column);

// The number of characters (code points) of UTF-8 `text`.
std::size_t CharacterCount(std::string_view text);

}  // namespace spegla::offline::xlsx_form
