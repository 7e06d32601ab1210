// Finds the {tags} in the text of one paragraph, with docxtemplater's rules for broken delimiters:
// "{a" is unclosed, "a}" unopened, "{{" and "}}" doubled. Every mistake is reported; the well-formed tags
// around it are still returned, so that later checks (sections) can report theirs too.
// Threads: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spegla::docx {

struct ScannedTag {
  std::size_t begin = 0;  // offset of '{' in the paragraph text
  std::size_t end = 0;    // one past '}'
};

struct TagScan {
  std::vector<ScannedTag> tags;
  std::vector<std::string> errors;  // messages for administrators, in the order found
};

TagScan ScanTags(std::string_view text);

}  // namespace spegla::docx
