// UTF-8 helpers for text that arrives from people and files.
#pragma once

#include <cstddef>
#include <string_view>

namespace spegla {

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in well-formed UTF-8 text: what a person calls "characters".
size_t CountCodePoints(std::string_view s);

}  // namespace spegla
