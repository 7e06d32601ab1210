#include "form_marker.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <sstream>

namespace spegla::offline {
namespace {

bool ParseInt(std::string_view text, std::int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Splits at single spaces; the last part keeps its spaces when `parts` is reached.
std::vector<std::string_view> Split(std::string_view line, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) break;
    out.push_back(line.substr(0, space));
    line.remove_prefix(space + 1);
  }
  out.push_back(line);
  return out;
}

}  // namespace

std::string EncodeMarker(const FormMarker& m) {
  std::string out;
  out += "instance " + std::to_string(m.instance) + "\n";
  out += "form " + m.form + " " + std::to_string(m.occurrence) + "\n";
  out += "workflow " + m.workflow + " " + std::to_string(m.workflow_version) + "\n";
  out += "made " + m.made_at + " " + m.made_by + "\n";
  for (const FormMarker::FieldState& f : m.fields) {
    out += "field " + f.id + " " + std::to_string(f.version) + " " + f.hash + "\n";
  }
  return out;
}

std::optional<FormMarker> DecodeMarker(std::string_view text) {
  FormMarker m;
  bool has_instance = false, has_form = false, has_workflow = false;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    std::vector<std::string_view> parts = Split(line, 4);
    std::int64_t number = 0;
    if (parts[0] == "instance" && parts.size() == 2 && ParseInt(parts[1], &number) && number > 0) {
      m.instance = number;
      has_instance = true;
    } else if (parts[0] == "form" && parts.size() == 3 && ParseInt(parts[2], &number) && number >= 0) {
      m.form = std::string(parts[1]);
      m.occurrence = static_cast<int>(number);
      has_form = true;
    } else if (parts[0] == "workflow" && parts.size() == 3 && ParseInt(parts[2], &number) && number > 0) {
      m.workflow = std::string(parts[1]);
      m.workflow_version = static_cast<int>(number);
      has_workflow = true;
    } else if (parts[0] == "made" && parts.size() >= 2) {
      std::vector<std::string_view> made = Split(line.substr(5), 2);
      m.made_at = std::string(made[0]);
      if (made.size() == 2) m.made_by = std::string(made[1]);
    } else if (parts[0] == "field" && parts.size() == 4 && ParseInt(parts[2], &number) && number >= 0) {
      m.fields.push_back({std::string(parts[1]), static_cast<int>(number), std::string(parts[3])});
    } else {
      return std::nullopt;
    }
  }
  if (!has_instance || !has_form || !has_workflow) return std::nullopt;
  return m;
}

namespace {

// The choices of a multiple choice are a set: the order they were ticked in is not a change.
Value Canonical(const Value& value) {
  Value out = value;
  if (auto* choices = std::get_if<std::vector<std::string>>(&out.data)) std::sort(choices->begin(), choices->end());
  if (auto* rows = std::get_if<std::vector<Row>>(&out.data)) {
    for (Row& row : *rows) {
      for (auto& [column, cell] : row) cell = Canonical(cell);
    }
  }
  return out;
}

}  // namespace

std::string ValueHash(const Value& value) {
  const std::string text = value.IsEmpty() ? std::string("null") : EncodeValue(Canonical(value));
  unsigned char hash[12];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                     0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : hash) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace spegla::offline
