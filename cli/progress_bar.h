// A progress bar for long commands (demo, export), drawn on one terminal line and redrawn in place.
#pragma once

#include <cstddef>
#include <ostream>
#include <string_view>

namespace spegla::cli {

// Draws "  WHAT [#####.....] done/total"; ends the line when done == total. Nothing when total is 0.
void DrawProgress(std::ostream& err, std::string_view what, std::size_t done, std::size_t total);

}  // namespace spegla::cli
