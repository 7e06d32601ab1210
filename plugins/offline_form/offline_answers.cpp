#include "offline_answers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace spegla::offline {
namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  // A no-break space (U+00A0) that Word or Excel put around a value.
  while (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA0") s.remove_prefix(2);
  while (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") s.remove_suffix(2);
  return s;
}

// Case-insensitive for ASCII and the Swedish letters, which is what option labels hold.
std::string Folded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      unsigned char next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) next = static_cast<unsigned char>(next + 0x20);
      out += static_cast<char>(c);
      out += static_cast<char>(next);
      ++i;
      continue;
    }
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::string Quoted(const std::string& s) { return "«" + s + "»"; }

std::string FormatNumber(double d) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string out(buffer, ec == std::errc() ? end : buffer);
  for (char& c : out) {
    if (c == '.') c = ',';
  }
  return out;
}

const Option* FindOption(const Field& field, std::string_view text) {
  const std::string folded = Folded(text);
  for (const Option& option : field.options) {
    if (option.value == text || option.label == text) return &option;
  }
  for (const Option& option : field.options) {
    if (Folded(option.value) == folded || Folded(option.label) == folded) return &option;
  }
  return nullptr;
}

std::string OptionList(const Field& field) {
  std::string out;
  for (const Option& option : field.options) {
    if (!out.empty()) out += ", ";
    out += option.label.empty() ? option.value : option.label;
  }
  return out;
}

// "Anna Andersson (anna)" -> "anna"; anything else is taken as a username.
std::string UsernameOf(std::string_view text) {
  if (!text.empty() && text.back() == ')') {
    size_t open = text.rfind('(');
    if (open != std::string_view::npos) {
      std::string_view inner = Trim(text.substr(open + 1, text.size() - open - 2));
      if (!inner.empty() && inner.find(' ') == std::string_view::npos) return std::string(inner);
    }
  }
  return std::string(text);
}

// Splits "A, B, C" into option values, joining pieces again where a label itself holds a comma.
std::optional<std::vector<std::string>> ParseChoices(const Field& field, std::string_view text,
                                                     std::string* unknown) {
  std::vector<std::string> values;
  std::string pending;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view piece = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    pending += pending.empty() ? std::string(Trim(piece)) : "," + std::string(piece);
    if (const Option* option = FindOption(field, Trim(pending))) {
      if (std::find(values.begin(), values.end(), option->value) == values.end()) values.push_back(option->value);
      pending.clear();
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (!Trim(pending).empty()) {
    *unknown = std::string(Trim(pending));
    return std::nullopt;
  }
  return values;
}

// One scalar: a field, or one cell of a group column. `where` names it in a problem.
std::optional<Value> ScalarValue(const Field& field, std::string_view raw, const std::vector<std::string>* ticked,
                                 const std::string& where, std::string* problem) {
  std::string text(field.type == FieldType::kLongText ? raw : Trim(raw));
  if (field.type == FieldType::kLongText) {
    // Line ends as Word or Excel wrote them; trailing empty lines are the file's, not the person's.
    std::string clean;
    for (char c : text) {
      if (c != '\r') clean += c;
    }
    while (!clean.empty() && (clean.back() == '\n' || clean.back() == ' ')) clean.pop_back();
    text = std::move(clean);
  }
  std::string error;
  switch (field.type) {
    case FieldType::kChoice: {
      if (text.empty()) return Value{};
      if (const Option* option = FindOption(field, text)) return Value{option->value};
      *problem = where + ": " + Quoted(text) + " är inte ett av alternativen (" + OptionList(field) + ").";
      return std::nullopt;
    }
    case FieldType::kMultiChoice: {
      if (ticked) {
        std::vector<std::string> values;
        for (const std::string& value : *ticked) {
          if (!field.HasOption(value)) {
            *problem = where + ": " + Quoted(value) + " är inte ett av alternativen (" + OptionList(field) + ").";
            return std::nullopt;
          }
          if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
        }
        if (values.empty()) return Value{};
        return Value{std::move(values)};
      }
      std::string unknown;
      std::optional<std::vector<std::string>> values = ParseChoices(field, text, &unknown);
      if (!values) {
        *problem = where + ": " + Quoted(unknown) + " är inte ett av alternativen (" + OptionList(field) + ").";
        return std::nullopt;
      }
      if (values->empty()) return Value{};
      return Value{std::move(*values)};
    }
    case FieldType::kPerson:
      if (text.empty()) return Value{};
      return Value{UsernameOf(text)};
    case FieldType::kNumber: {
      std::string digits;  // "1 000,5" as Word or Excel may show it: spaces group thousands
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ') continue;
        if (text.compare(i, 2, "\xC2\xA0") == 0 || text.compare(i, 3, "\xE2\x80\xAF") == 0) {
          i += text.compare(i, 2, "\xC2\xA0") == 0 ? 1 : 2;
          continue;
        }
        digits += text[i] == '\xE2' && text.compare(i, 3, "\xE2\x88\x92") == 0 ? (i += 2, '-') : text[i];
      }
      std::optional<Value> v = ParseValueText(field, digits, &error);
      if (!v) *problem = where + ": ska vara ett tal, inte " + Quoted(text) + ".";
      return v;
    }
    case FieldType::kDate: {
      if (text.size() > 10 && text[10] == 'T') text.resize(10);  // a date picker's "2026-03-01T00:00:00Z"
      std::optional<Value> v = ParseValueText(field, text, &error);
      if (!v) *problem = where + ": ska vara ett datum (ÅÅÅÅ-MM-DD), inte " + Quoted(text) + ".";
      return v;
    }
    case FieldType::kYesNo: {
      if (Folded(text) == "x") return Value{true};
      std::optional<Value> v = ParseValueText(field, Folded(text), &error);
      if (!v) *problem = where + ": ska vara Ja eller Nej, inte " + Quoted(text) + ".";
      return v;
    }
    case FieldType::kText:
    case FieldType::kLongText: {
      std::optional<Value> v = ParseValueText(field, text, &error);
      if (!v) *problem = where + ": " + error;
      return v;
    }
    case FieldType::kGroup:
      break;
  }
  *problem = where + ": kan inte läsas.";
  return std::nullopt;
}

}  // namespace

std::string PersonLabel(const std::string& display_name, const std::string& username) {
  if (display_name.empty() || display_name == username) return username;
  return display_name + " (" + username + ")";
}

std::string DisplayText(const Field& field, const Value& value, const std::vector<PersonChoice>& people) {
  struct Visitor {
    const Field& field;
    const std::vector<PersonChoice>& people;
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(bool b) const { return b ? "Ja" : "Nej"; }
    std::string operator()(double d) const { return FormatNumber(d); }
    std::string operator()(const Date& d) const { return d.ToString(); }
    std::string operator()(const std::string& s) const {
      if (field.type == FieldType::kChoice) {
        for (const Option& option : field.options) {
          if (option.value == s) return option.label.empty() ? option.value : option.label;
        }
      }
      if (field.type == FieldType::kPerson) {
        for (const PersonChoice& person : people) {
          if (person.username == s) return person.label;
        }
      }
      return s;
    }
    std::string operator()(const std::vector<std::string>& values) const {
      std::string out;
      for (const std::string& v : values) {
        if (!out.empty()) out += ", ";
        out += (*this)(v);
      }
      return out;
    }
    std::string operator()(const std::vector<Row>& rows) const { return DisplayValue(Value{rows}); }
  };
  if (field.type == FieldType::kMultiChoice) {
    if (const auto* values = std::get_if<std::vector<std::string>>(&value.data)) {
      std::string out;
      for (const std::string& v : *values) {
        if (!out.empty()) out += ", ";
        const Option* option = nullptr;
        for (const Option& o : field.options) {
          if (o.value == v) option = &o;
        }
        out += option ? (option->label.empty() ? option->value : option->label) : v;
      }
      return out;
    }
  }
  return std::visit(Visitor{field, people}, value.data);
}

std::optional<Value> AnswerValue(const Field& field, const RawAnswer& answer, std::string* problem) {
  const std::string name = Quoted(field.label);
  if (field.type != FieldType::kGroup) {
    const bool by_ticks = field.type == FieldType::kMultiChoice && (!answer.ticked.empty() || answer.text.empty());
    return ScalarValue(field, answer.text, by_ticks ? &answer.ticked : nullptr, name, problem);
  }
  if (answer.rows.size() > kMaxGroupRows) {
    *problem = name + " har för många rader (högst " + std::to_string(kMaxGroupRows) + ").";
    return std::nullopt;
  }
  std::vector<Row> rows;
  std::string problems;
  for (size_t r = 0; r < answer.rows.size(); ++r) {
    Row row;
    for (const Field& column : field.columns) {
      auto cell = answer.rows[r].find(column.id);
      if (cell == answer.rows[r].end()) continue;
      std::string where = name + ", rad " + std::to_string(r + 1) + ", " + Quoted(column.label);
      std::string cell_problem;
      std::optional<Value> v = ScalarValue(column, cell->second, nullptr, where, &cell_problem);
      if (!v) {
        if (!problems.empty()) problems += " ";
        problems += cell_problem;
        continue;
      }
      if (!v->IsEmpty()) row[column.id] = std::move(*v);
    }
    if (!row.empty()) rows.push_back(std::move(row));
  }
  if (!problems.empty()) {
    *problem = problems;
    return std::nullopt;
  }
  if (rows.empty()) return Value{};
  return Value{std::move(rows)};
}

}  // namespace spegla::offline
