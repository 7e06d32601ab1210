// Data files for `spegla render`: JSON read into TemplateData as docxtemplater sees it. With
// json_output.cpp, the only CLI files that use Boost.JSON.
#pragma once

#include <string>
#include <string_view>

#include "spegla/problem.h"
#include "spegla/template_data.h"

namespace spegla::cli {

// Parses `text` (a JSON object) into *data. Strings, booleans, arrays and objects map one to one; null is
// an empty value; a number becomes the text JavaScript prints for it (3.5, 12, 1e+21), because a template
// shows numbers, never computes with them. On failure returns the problem as file:line:column (`file`
// names the text), and *data is unspecified.
Problems ParseTemplateData(std::string_view text, const std::string& file, TemplateData* data);

// The text of a number as JavaScript's String(number) writes it: shortest round trip, no ".0", exponent
// form below 1e-6 and from 1e21, "NaN", "Infinity".
std::string FormatNumberLikeJavaScript(double number);

}  // namespace spegla::cli
