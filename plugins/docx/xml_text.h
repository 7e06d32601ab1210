// Puts a value's text inside a <w:t>: XML-escaped, newlines as line breaks, characters that XML 1.0 cannot
// hold (C0 controls but tab and newline, U+FFFE, U+FFFF) dropped, invalid UTF-8 replaced by U+FFFD, so
// that no value can make the document unreadable.
// Threads: pure function.
#pragma once

#include <string>
#include <string_view>

namespace spegla::docx {

// Appends `value` as the content of an open <w:t xml:space="preserve">; "\n", "\r\n" and "\r" close the
// text, add <w:br/> and open a new text in the same run (so the formatting stays).
void AppendWordText(std::string_view value, std::string& out);

}  // namespace spegla::docx
