// Plausible values for form fields: Swedish texts chosen by what a field's id and label say, numbers within
// ranges and budgets, dates on the instance's timeline, options that fit a school or a preschool, people
// of the right role.
#pragma once

#include <string>
#include <vector>

#include "demo/context.h"

namespace spegla::cli::demo {

// A plausible value for `field`. `path` is "form.field" (or "form.group.column" for a cell); `minimal` asks
// for the smallest sensible value, used when a budget refused the first one.
Value Generate(const Field& field, const std::string& path, size_t row, bool minimal, FillContext& ctx);
// A table row of generated cells.
Row GenerateRow(const Field& group, const std::string& path, int row, bool minimal, FillContext& ctx);
// The options that fit the unit: a förskola picks "Förskola", a school the school forms.
std::vector<size_t> FittingOptions(const Field& field, bool preschool);

}  // namespace spegla::cli::demo
