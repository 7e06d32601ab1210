#include "json_input.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace spegla::cli {
namespace json = boost::json;
namespace {

// 1-based line and column of byte `offset`; the column counts characters, as an editor shows them.
SourceLocation Locate(std::string_view text, size_t offset, const std::string& file) {
  SourceLocation where{file, 1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++where.line;
      where.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
      ++where.column;
    }
  }
  return where;
}

TemplateData Convert(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return TemplateData();
    case json::kind::bool_:
      return TemplateData(v.get_bool());
    // JavaScript has one number type, so integers beyond 2^53 round as they would in docxtemplater.
    case json::kind::int64:
      return TemplateData(FormatNumberLikeJavaScript(static_cast<double>(v.get_int64())));
    case json::kind::uint64:
      return TemplateData(FormatNumberLikeJavaScript(static_cast<double>(v.get_uint64())));
    case json::kind::double_:
      return TemplateData(FormatNumberLikeJavaScript(v.get_double()));
    case json::kind::string:
      return TemplateData(std::string(v.get_string()));
    case json::kind::array: {
      TemplateData::List list;
      list.reserve(v.get_array().size());
      for (const json::value& item : v.get_array()) list.push_back(Convert(item));
      return TemplateData(std::move(list));
    }
    case json::kind::object: {
      // Boost.JSON keeps the last of duplicate keys, as JSON.parse does, so names are already unique.
      TemplateData::Object object;
      object.reserve(v.get_object().size());
      for (const auto& member : v.get_object()) {
        object.emplace_back(std::string(member.key()), Convert(member.value()));
      }
      return TemplateData(std::move(object));
    }
  }
  return TemplateData();
}

}  // namespace

Problems ParseTemplateData(std::string_view text, const std::string& file, TemplateData* data) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a byte-order mark, as Windows writes
  json::parse_options options;
  options.max_depth = 64;
  json::stream_parser parser(json::storage_ptr(), options);
  boost::system::error_code ec;
  size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) return {Problem{Locate(text, consumed, file), "invalid JSON: " + ec.message()}};
  json::value root = parser.release();
  if (!root.is_object()) {
    return {Problem{Locate(text, text.find_first_not_of(" \t\r\n"), file),
                    "the data must be a JSON object ({\"name\": value, ...})"}};
  }
  *data = Convert(root);
  return {};
}

// ECMAScript Number::toString: the shortest digits that round-trip (k digits, decimal point after n of
// them), written plainly when -6 < n <= 21 and with an exponent otherwise.
std::string FormatNumberLikeJavaScript(double number) {
  if (std::isnan(number)) return "NaN";
  if (number == 0) return "0";  // also -0
  if (number < 0) return "-" + FormatNumberLikeJavaScript(-number);
  if (std::isinf(number)) return "Infinity";

  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
  std::string_view scientific(buffer, static_cast<size_t>(result.ptr - buffer));  // "d.ddde+XX"
  size_t e = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = std::atoi(std::string(scientific.substr(e + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exponent + 1;

  if (k <= n && n <= 21) return digits + std::string(static_cast<size_t>(n - k), '0');
  if (0 < n && n <= 21)
    return digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  std::string sign = n - 1 < 0 ? "-" : "+";
  std::string mantissa = k == 1 ? digits : digits.substr(0, 1) + "." + digits.substr(1);
  return mantissa + "e" + sign + std::to_string(std::abs(n - 1));
}

}  // namespace spegla::cli
