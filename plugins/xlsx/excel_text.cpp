#include "excel_text.h"

namespace spegla::xlsx {
namespace {

constexpr char32_t kReplacement = 0xFFFD;


bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// "_xHHHH_" starts at text[i] (the '_').
bool IsEscapeAt(std::string_view text, std::size_t i) {
  if (text.size() - i < 7 || text[i] != '_' || text[i + 1] != 'x' || text[i + 6] != '_') return false;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    if (!IsHexDigit(text[k])) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    if (DecodeCharacter(text, i) == kReplacement && text.substr(at, i - at) != "\xEF\xBF\xBD") return false;
  }
  return true;
}

// True when CellText has nothing to change.
bool IsCellReady(std::string_view text) {
  if (text.size() > kMaxCellText) return false;  // may be too long: every UTF-16 unit takes a byte or more
  bool ascii = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || (c == '_' && IsEscapeAt(text, i))) return false;
    ascii = ascii && c < 0x80;
  }
  if (ascii) return true;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    const char32_t cp = DecodeCharacter(text, i);
    if ((cp == kReplacement && text.substr(at, i - at) != "\xEF\xBF\xBD") || cp == 0xFFFE || cp == 0xFFFF) {
      return false;
    }
  }
  return true;
}

}  // namespace

char32_t DecodeCharacter(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  std::size_t extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    extra = 1, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    extra = 2, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    extra = 3, cp = c & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (extra > text.size() - i - 1) {
    ++i;
    return kReplacement;
  }
  for (std::size_t k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += extra + 1;
  return cp;
}

void AppendCharacter(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::size_t Utf16Length(std::string_view text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string_view CellText(std::string_view text, std::string& scratch, bool* truncated) {
  if (truncated != nullptr) *truncated = false;
  if (IsCellReady(text)) return text;

  const std::size_t room = kMaxCellText - Utf16Length(kTruncatedMarker);
  scratch.clear();
  std::size_t units = 0;
  std::size_t cut = std::string::npos;  // where to cut if the whole text does not fit
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t before = scratch.size();
    const bool escape = IsEscapeAt(text, i);
    char32_t cp = DecodeCharacter(text, i);
    if (cp == '\r') {
      if (i < text.size() && text[i] == '\n') ++i;
      cp = '\n';
    }
    if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0xFFFE || cp == 0xFFFF) continue;
    if (escape) {
      scratch += "_x005F_";
    } else {
      AppendCharacter(cp, scratch);
    }
    const std::size_t added = escape ? 7 : (cp >= 0x10000 ? 2 : 1);
    if (units <= room && units + added > room) cut = before;
    units += added;
    if (units > kMaxCellText) break;
  }
  if (units > kMaxCellText) {
    scratch.resize(cut);
    scratch += kTruncatedMarker;
    if (truncated != nullptr) *truncated = true;
  }
  return scratch;
}

std::string SheetNameProblem(std::string_view name) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return "a sheet has an empty name";
  if (!IsValidUtf8(name)) return "the sheet name " + quoted + " is not valid UTF-8";
  const std::size_t length = Utf16Length(name);
  if (length > 31) {
    return "the sheet name " + quoted + " has " + std::to_string(length) +
           " characters; Excel allows at most 31";
  }
  for (char c : name) {
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) {
      return "the sheet name " + quoted + " contains '" + std::string(1, c) +
             "', which Excel does not allow in a sheet name (none of [ ] : * ? / \\)";
    }
  }
  if (name.front() == '\'' || name.back() == '\'') {
    return "the sheet name " + quoted + " starts or ends with an apostrophe, which Excel does not allow";
  }
  if (FoldedSheetName(name) == "history") return "the sheet name " + quoted + " is reserved by Excel";
  return "";
}

std::string FoldedSheetName(std::string_view name) {
  std::string folded;
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = DecodeCharacter(name, i);
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) cp += 0x20;
    AppendCharacter(cp, folded);
  }
  return folded;
}

}  // namespace spegla::xlsx
