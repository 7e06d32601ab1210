// Small string helpers shared by the engine's translation units (internal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spegla {

// A label in Swedish typographic quotes, as messages to staff quote field and step names: ”Rubrik”.
std::string Quoted(std::string_view label);

// Without leading and trailing whitespace.
std::string Trimmed(std::string_view s);

// "a.b.c" -> {"a", "b", "c"}; "" -> {""}.
std::vector<std::string> SplitDots(std::string_view text);

std::string Join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace spegla
