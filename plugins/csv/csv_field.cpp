#include "csv_field.h"

#include "cell_text.h"

namespace spegla::csv {
namespace {

bool IsFormulaStart(char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }

void AppendQuoted(std::string_view prefix, std::string_view text, char separator, std::string& out) {
  const bool quote = text.find_first_of(std::string{separator, '"', '\r', '\n'}) != std::string_view::npos;
  if (quote) out += '"';
  out += prefix;
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
}

}  // namespace

bool NeedsFormulaGuard(std::string_view text) {
  if (text.empty()) return false;
  if (IsFormulaStart(text[0]) || text[0] == '\t' || text[0] == '\r') return true;
  const std::size_t first = text.find_first_not_of(" \n");
  return first != std::string_view::npos && IsFormulaStart(text[first]);
}

void AppendField(const Cell& cell, char separator, std::string& out) {
  switch (cell.type) {
    case CellType::kEmpty:
      return;
    case CellType::kText:
      AppendQuoted(NeedsFormulaGuard(cell.text) ? "'" : "", cell.text, separator, out);
      return;
    case CellType::kNumber:
      out += cell_text::Number(cell.number, separator == ';' ? ',' : '.');
      return;
    case CellType::kDate:
      out += cell_text::Day(cell.number);
      return;
    case CellType::kDateTime:
      out += cell_text::Instant(cell.number);
      return;
    case CellType::kBool:
      out += cell.number != 0 ? "Ja" : "Nej";
      return;
  }
}

}  // namespace spegla::csv
