#include "progress_bar.h"

#include <string>

namespace spegla::cli {

void DrawProgress(std::ostream& err, std::string_view what, std::size_t done, std::size_t total) {
  if (total == 0) return;
  constexpr std::size_t kWidth = 40;
  const std::size_t filled = kWidth * std::min(done, total) / total;
  err << "\r  " << what << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << done
      << "/" << total;
  if (done >= total) err << "\n";
  err.flush();
}

}  // namespace spegla::cli
