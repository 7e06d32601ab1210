// UTF-8 helpers for text that arrives from people and files.
#pragma once

#include <cstddef>
#include <string_view>

namespace spegla {

// The offset of the first byte that is not part of well-formed UTF-8 (overlong forms, surrogates and code
// points above U+10FFFF are not), or std::string_view::npos when all of `s` is well-formed.
size_t FirstInvalidUtf8(std::string_view s);

inline bool IsValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

// Number of code points in well-formed UTF-8 text: what a person calls "characters".
size_t CountCodePoints(std::string_view s);

}  // namespace spegla
