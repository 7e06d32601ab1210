#include "http_message.h"

namespace spegla::server {

const std::string& HttpRequest::Header(const std::string& lower_case_name) const {
  static const std::string kEmpty;
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return kEmpty;
}

const std::string* HttpRequest::Query(const std::string& name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace spegla::server
