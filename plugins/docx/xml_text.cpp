#include "xml_text.h"

#include <array>

namespace spegla::docx {
namespace {

constexpr std::string_view kLineBreak = "</w:t><w:br/><w:t xml:space=\"preserve\">";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes that need more than copying: controls, the three XML specials and every non-ASCII byte.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = c != '\t';
  table['&'] = table['<'] = table['>'] = true;
  for (int c = 0x80; c < 0x100; ++c) table[c] = true;
  return table;
}();

// Length of the valid UTF-8 sequence starting at `s[i]` (a byte >= 0x80), or 0 when it is not valid.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char lead = b(i);
  if (lead >= 0xC2 && lead <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (lead == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (lead == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (lead == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (lead == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendWordText(std::string_view value, std::string& out) {
  std::size_t clean = 0;  // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (!kSpecial[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t n = Utf8Length(value, i);
      // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
      const bool non_character = n == 3 && c == 0xEF && static_cast<unsigned char>(value[i + 1]) == 0xBF &&
                                 static_cast<unsigned char>(value[i + 2]) >= 0xBE;
      if (n > 0 && !non_character) {
        i += n;
        continue;
      }
      out.append(value.substr(clean, i - clean));
      if (n == 0) out.append(kReplacement);
      i += n == 0 ? 1 : n;
      clean = i;
      continue;
    }
    out.append(value.substr(clean, i - clean));
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '\r':
        out.append(kLineBreak);
        if (i + 1 < value.size() && value[i + 1] == '\n') ++i;
        break;
      case '\n':
        out.append(kLineBreak);
        break;
      default:
        break;  // a control character: dropped
    }
    ++i;
    clean = i;
  }
  out.append(value.substr(clean));
}

}  // namespace spegla::docx
