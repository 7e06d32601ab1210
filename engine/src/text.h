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

// Lower case for comparing names as Excel compares sheet names: ASCII letters and Latin-1 capitals (Å, Ä,
// Ö, É, ...) folded; other text unchanged.
std::string FoldCase(std::string_view s);

// A number as a Swedish reader writes it: no trailing zeros, decimal comma ("3,5", "10").
std::string FormatNumber(double n);

std::string Join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace spegla
