#include "spegla/outcome.h"

namespace spegla {

const char* ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kInvalid:
      return "invalid";
    case ErrorCode::kRefused:
      return "refused";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "?";
}

std::string Error::Summary() const {
  std::string out;
  for (const Issue& issue : issues) {
    if (!out.empty()) out += "\n";
    if (!issue.field.empty()) out += issue.field + ": ";
    out += issue.message;
  }
  return out;
}

}  // namespace spegla
