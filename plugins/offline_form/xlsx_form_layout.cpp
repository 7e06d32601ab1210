#include "xlsx_form_layout.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <system_error>

namespace spegla::offline::xlsx_form {
namespace {

constexpr char32_t kReplacement = 0xFFFD;


bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Whether text[i..] is an escape "_xHHHH_".
bool IsEscape(std::string_view text, std::size_t i) {
  if (i + 7 > text.size() || text[i] != '_' || text[i + 1] != 'x' || text[i + 6] != '_') return false;
  return IsHex(text[i + 2]) && IsHex(text[i + 3]) && IsHex(text[i + 4]) && IsHex(text[i + 5]);
}

std::size_t Utf16Units(char32_t c) { return c >= 0x10000 ? 2 : 1; }

// Days from 1970-01-01 to Excel's day 0 of the 1900 system (1899-12-30, Lotus's leap day included).
constexpr long kEpochSerial = 25569;
constexpr double kFirstSerial = 61;          // 1900-03-01
constexpr double kLastSerial = 2958465;      // 9999-12-31
constexpr long kEpoch1904Offset = 24107;     // days from 1904-01-01 to 1970-01-01

}  // namespace

std::string OptionKey(std::string_view field_id, std::string_view option_value) {
  std::string key(field_id);
  key += ':';
  key += option_value;
  return key;
}

std::optional<double> DateSerial(Date date) {
  const double serial = static_cast<double>(date.days().time_since_epoch().count() + kEpochSerial);
  if (serial < kFirstSerial || serial > kLastSerial) return std::nullopt;
  return serial;
}

std::optional<Date> SerialDate(double serial, bool date1904) {
  if (!std::isfinite(serial)) return std::nullopt;
  const double day = std::floor(serial);
  long days_since_1970 = 0;
  if (date1904) {
    if (day < 0 || day > kLastSerial - 1462) return std::nullopt;
    days_since_1970 = static_cast<long>(day) - kEpoch1904Offset;
  } else {
    if (day < 1 || day == 60 || day > kLastSerial) return std::nullopt;
    // Before Lotus's 1900-02-29 the serials are one day ahead of the calendar.
    days_since_1970 = static_cast<long>(day) - kEpochSerial + (day < 60 ? 1 : 0);
  }
  return Date(std::chrono::sys_days{std::chrono::days{days_since_1970}});
}

std::string NumberText(double number) {
  if (number == 0) return "0";  // also -0
  char buffer[512];
  const auto format = std::fabs(number) < 1e21 ? std::chars_format::fixed : std::chars_format::general;
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number, format);
  if (ec != std::errc()) return "";
  return std::string(buffer, end);
}

std::string CellText(std::string_view text) {
  std::string scratch;
  return std::string(xlsx::CellText(text, scratch));
}

std::string DecodeCellText(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (IsEscape(text, i)) {
      unsigned code = 0;
      std::from_chars(text.data() + i + 2, text.data() + i + 6, code, 16);
      char32_t c = code;
      if (c >= 0xD800 && c <= 0xDBFF && IsEscape(text, i + 7)) {  // a surrogate pair in two escapes
        unsigned low = 0;
        std::from_chars(text.data() + i + 9, text.data() + i + 13, low, 16);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          xlsx::AppendCharacter(0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00), out);
          i += 14;
          continue;
        }
      }
      xlsx::AppendCharacter((c >= 0xD800 && c <= 0xDFFF) ? kReplacement : c, out);
      i += 7;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string FoldedSheetName(std::string_view name) { return xlsx::FoldedSheetName(name); }

std::string GroupSheetName(std::string_view label, std::vector<std::string>& taken) {
  constexpr std::size_t kMaxName = 31;
  // The label's characters that a sheet name may hold, spaces collapsed.
  std::vector<char32_t> name;
  for (std::size_t i = 0; i < label.size();) {
    char32_t c = xlsx::DecodeCharacter(label, i);
    if (c < 0x20 || c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' || c == '\\' ||
        c == 0xFFFE || c == 0xFFFF) {
      c = ' ';
    }
    if (c == ' ' && (name.empty() || name.back() == ' ')) continue;
    name.push_back(c);
  }
  while (!name.empty() && (name.back() == ' ' || name.back() == '\'')) name.pop_back();
  while (!name.empty() && (name.front() == ' ' || name.front() == '\'')) name.erase(name.begin());

  auto render = [](const std::vector<char32_t>& chars, std::size_t max_units, std::string_view suffix) {
    std::string out;
    std::size_t units = 0;
    for (char32_t c : chars) {
      units += Utf16Units(c);
      if (units > max_units) break;
      xlsx::AppendCharacter(c, out);
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\'')) out.pop_back();
    return out + std::string(suffix);
  };
  auto is_taken = [&](const std::string& candidate) {
    const std::string folded = FoldedSheetName(candidate);
    if (folded == "history") return true;  // reserved by Excel
    return std::any_of(taken.begin(), taken.end(),
                       [&](const std::string& t) { return FoldedSheetName(t) == folded; });
  };

  std::string base = render(name, kMaxName, "");
  if (base.empty()) base = "Tabell";
  std::string candidate = base;
  for (int n = 2; is_taken(candidate); ++n) {
    const std::string suffix = " (" + std::to_string(n) + ")";
    std::vector<char32_t> chars;
    for (std::size_t i = 0; i < base.size();) chars.push_back(xlsx::DecodeCharacter(base, i));
    candidate = render(chars, kMaxName - suffix.size(), suffix);
  }
  taken.push_back(candidate);
  return candidate;
}

std::string ColumnLetters(std::uint32_t column) {
  std::string letters;
  for (std::uint32_t n = column + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return letters;
}

bool ParseCellReference(std::string_view reference, std::uint32_t* row, std::uint32_t* column) {
  std::size_t i = 0;
  if (i < reference.size() && reference[i] == '$') ++i;
  std::uint64_t col = 0;
  const std::size_t letters_start = i;
  for (; i < reference.size(); ++i) {
    char c = reference[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<std::uint64_t>(c - 'A' + 1);
    if (col > kMaxColumns) return false;
  }
  if (i == letters_start) return false;
  if (i < reference.size() && reference[i] == '$') ++i;
  const std::size_t digits_start = i;
  std::uint64_t r = 0;
  for (; i < reference.size(); ++i) {
    const char c = reference[i];
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<std::uint64_t>(c - '0');
    if (r > kMaxRows) return false;
  }
  if (i == digits_start || r == 0) return false;
  *row = static_cast<std::uint32_t>(r - 1);
  *column = static_cast<std::uint32_t>(col - 1);
  return true;
}

std::size_t CharacterCount(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace spegla::offline::xlsx_form
