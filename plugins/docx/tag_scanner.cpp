#include "tag_scanner.h"

namespace spegla::docx {
namespace {

constexpr std::size_t kNone = std::string_view::npos;
constexpr std::size_t kShown = 40;  // characters of a broken tag quoted in its message

std::string Excerpt(std::string_view text, std::size_t from, std::size_t to) {
  std::string out(text.substr(from, to - from));
  if (out.size() > kShown) {
    std::size_t cut = kShown;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;  // not inside a UTF-8 char
    out.resize(cut);
    out += "\u2026";
  }
  return out;
}

}  // namespace

TagScan ScanTags(std::string_view text) {
  TagScan scan;
  std::size_t open = kNone;      // the '{' of the tag being read
  std::size_t previous = kNone;  // the last delimiter seen
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{') {
      if (open != kNone) {
        if (previous == i - 1 && open == i - 1) {
          scan.errors.push_back("\u201c{{\u201d opens a tag twice");
        } else {
          scan.errors.push_back("the tag \u201c" + Excerpt(text, open, i) + "\u201d is not closed with }");
        }
      }
      open = i;
      previous = i;
    } else if (c == '}') {
      if (open != kNone) {
        scan.tags.push_back({open, i + 1});
        open = kNone;
      } else if (previous != kNone && previous == i - 1) {
        scan.errors.push_back("\u201c}}\u201d closes a tag twice");
      } else {
        std::size_t from = previous == kNone ? 0 : previous + 1;
        if (i + 1 - from > kShown) from = i + 1 - kShown;
        while (from > 0 && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) --from;
        scan.errors.push_back("the tag \u201c" + Excerpt(text, from, i + 1) + "\u201d is not opened with {");
      }
      previous = i;
    }
  }
  if (open != kNone) {
    scan.errors.push_back("the tag \u201c" + Excerpt(text, open, text.size()) +
                          "\u201d is not closed with }");
  }
  return scan;
}

}  // namespace spegla::docx
