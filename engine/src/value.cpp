#include "spegla/value.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <unordered_map>

#include "spegla/utf8.h"
#include "text.h"

namespace spegla {
namespace json = boost::json;
namespace {


// Text values keep tabs and line breaks (in long text) but no other control characters.
std::optional<std::string> CleanText(const Field& field, std::string text, std::string* error) {
  if (!IsValidUtf8(text)) {
    *error = Quoted(field.label) + " innehåller ogiltiga tecken (inte UTF-8).";
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u == '\r') continue;
    if (u == '\n' && field.type != FieldType::kLongText) c = ' ';
    if (u < 0x20 && u != '\n' && u != '\t') continue;
    if (u == 0x7F) continue;
    out += c;
  }
  if (CountCodePoints(out) > kMaxTextLength) {
    *error = Quoted(field.label) + " är för lång (högst " + std::to_string(kMaxTextLength) + " tecken).";
    return std::nullopt;
  }
  return out;
}

json::value ToJson(const Value& value) {
  struct Visitor {
    json::value operator()(std::monostate) const { return nullptr; }
    json::value operator()(bool b) const { return b; }
    json::value operator()(double d) const {
      if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
      return d;
    }
    json::value operator()(const std::string& s) const { return json::string(s); }
    json::value operator()(const Date& d) const { return json::string(d.ToString()); }
    json::value operator()(const std::vector<std::string>& items) const {
      json::array a;
      for (const std::string& s : items) a.emplace_back(json::string(s));
      return a;
    }
    json::value operator()(const std::vector<Row>& rows) const {
      json::array a;
      for (const Row& row : rows) {
        json::object o;
        for (const auto& [column, cell] : row) o[column] = ToJson(cell);
        a.push_back(std::move(o));
      }
      return a;
    }
  };
  return std::visit(Visitor{}, value.data);
}

std::optional<Value> FromJson(const Field& field, const json::value& j, std::string* error) {
  auto fail = [&](const std::string& what) -> std::optional<Value> {
    *error = Quoted(field.label) + " ska vara " + what + ".";
    return std::nullopt;
  };
  if (j.is_null()) return Value{};
  switch (field.type) {
    case FieldType::kText:
    case FieldType::kLongText:
    case FieldType::kPerson:
    case FieldType::kChoice: {
      if (!j.is_string()) return fail(field.type == FieldType::kChoice ? "ett av alternativen" : "text");
      std::optional<std::string> text = CleanText(field, std::string(j.as_string()), error);
      if (!text) return std::nullopt;
      if (text->empty()) return Value{};
      if (field.type == FieldType::kChoice && !field.HasOption(*text)) {
        *error = Quoted(*text) + " är inte ett av alternativen för " + Quoted(field.label) + ".";
        return std::nullopt;
      }
      return Value{std::move(*text)};
    }
    case FieldType::kNumber: {
      double d;
      if (j.is_int64()) {
        d = static_cast<double>(j.as_int64());
      } else if (j.is_uint64()) {
        d = static_cast<double>(j.as_uint64());
      } else if (j.is_double()) {
        d = j.as_double();
      } else {
        return fail("ett tal");
      }
      if (!std::isfinite(d)) return fail("ett tal");
      return Value{d};
    }
    case FieldType::kDate: {
      if (!j.is_string()) return fail("ett datum (ÅÅÅÅ-MM-DD)");
      if (j.as_string().empty()) return Value{};
      std::optional<Date> d = Date::Parse(j.as_string());
      if (!d) return fail("ett giltigt datum (ÅÅÅÅ-MM-DD)");
      return Value{*d};
    }
    case FieldType::kYesNo:
      if (!j.is_bool()) return fail("ja eller nej");
      return Value{j.as_bool()};
    case FieldType::kMultiChoice: {
      if (!j.is_array()) return fail("en lista med alternativ");
      std::vector<std::string> items;
      std::set<std::string> seen;
      for (const json::value& item : j.as_array()) {
        if (!item.is_string()) return fail("en lista med alternativ");
        std::string s(item.as_string());
        if (!field.HasOption(s)) {
          *error = Quoted(s) + " är inte ett av alternativen för " + Quoted(field.label) + ".";
          return std::nullopt;
        }
        if (seen.insert(s).second) items.push_back(std::move(s));
      }
      if (items.empty()) return Value{};
      return Value{std::move(items)};
    }
    case FieldType::kGroup: {
      if (!j.is_array()) return fail("en tabell (en lista med rader)");
      if (j.as_array().size() > kMaxGroupRows) {
        *error = Quoted(field.label) + " har för många rader (högst " + std::to_string(kMaxGroupRows) + ").";
        return std::nullopt;
      }
      std::vector<Row> rows;
      for (const json::value& item : j.as_array()) {
        if (!item.is_object()) return fail("en tabell där varje rad har kolumner");
        Row row;
        for (const auto& [key, cell] : item.as_object()) {
          const Field* column = field.Column(key);
          if (!column) {
            *error = Quoted(field.label) + " har ingen kolumn " + Quoted(std::string(key)) + ".";
            return std::nullopt;
          }
          std::optional<Value> v = FromJson(*column, cell, error);
          if (!v) return std::nullopt;
          if (!v->IsEmpty()) row[column->id] = std::move(*v);
        }
        rows.push_back(std::move(row));
      }
      if (rows.empty()) return Value{};
      return Value{std::move(rows)};
    }
  }
  return fail("ett giltigt värde");
}

std::string RangeMessage(const std::string& label, const std::string& min, const std::string& max,
                         const std::string& unit) {
  if (!min.empty() && !max.empty()) return label + " ska vara mellan " + min + " och " + max + unit + ".";
  if (!min.empty()) return label + " ska vara minst " + min + unit + ".";
  return label + " får vara högst " + max + unit + ".";
}

// The compiled form of a <pattern>: compiling a std::regex costs far more than matching it, and the same
// few patterns of the installed definitions are checked on every write and completion. Shared between
// threads (matching a const regex is safe); a pattern that does not compile throws std::regex_error.
std::shared_ptr<const std::regex> CompiledPattern(const std::string& pattern) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const std::regex>> compiled;
  std::lock_guard lock(mutex);
  auto found = compiled.find(pattern);
  if (found != compiled.end()) return found->second;
  constexpr size_t kMaxPatterns = 1024;  // definitions are few; a bound keeps a long-running server small
  if (compiled.size() >= kMaxPatterns) compiled.clear();
  auto regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  compiled.emplace(pattern, regex);
  return regex;
}

}  // namespace

bool Value::IsEmpty() const {
  if (std::holds_alternative<std::monostate>(data)) return true;
  if (auto* s = std::get_if<std::string>(&data)) return s->empty();
  if (auto* v = std::get_if<std::vector<std::string>>(&data)) return v->empty();
  if (auto* r = std::get_if<std::vector<Row>>(&data)) return r->empty();
  return false;
}

bool Value::operator==(const Value& other) const { return data == other.data; }

std::string EncodeValue(const Value& value) { return json::serialize(ToJson(value)); }

std::optional<Value> DecodeValue(const Field& field, std::string_view text, std::string* error) {
  boost::system::error_code ec;
  json::parse_options options;
  options.allow_invalid_utf8 = true;  // FromJson checks text per field and names the field in its message
  json::value j = json::parse(text, ec, {}, options);
  if (ec) {
    *error = Quoted(field.label) + ": ogiltig JSON (" + ec.message() + ").";
    return std::nullopt;
  }
  return FromJson(field, j, error);
}

std::optional<Value> ParseValueText(const Field& field, std::string_view text, std::string* error) {
  if (text.empty()) return Value{};
  switch (field.type) {
    case FieldType::kNumber: {
      std::string normalised(text);
      for (char& c : normalised) {
        if (c == ',') c = '.';
      }
      double d = 0;
      auto [end, ec] = std::from_chars(normalised.data(), normalised.data() + normalised.size(), d);
      if (ec != std::errc() || end != normalised.data() + normalised.size() || !std::isfinite(d)) {
        *error = Quoted(field.label) + " ska vara ett tal, inte " + Quoted(std::string(text)) + ".";
        return std::nullopt;
      }
      return Value{d};
    }
    case FieldType::kYesNo: {
      static const std::set<std::string> kYes = {"ja", "j", "yes", "y", "true", "1"};
      static const std::set<std::string> kNo = {"nej", "n", "no", "false", "0"};
      std::string lower(text);
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (kYes.count(lower)) return Value{true};
      if (kNo.count(lower)) return Value{false};
      *error = Quoted(field.label) + " ska vara ja eller nej, inte " + Quoted(std::string(text)) + ".";
      return std::nullopt;
    }
    case FieldType::kMultiChoice: {
      json::array items;
      size_t start = 0;
      while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view item = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(json::string(item));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      return FromJson(field, items, error);
    }
    case FieldType::kGroup:
      return DecodeValue(field, text, error);
    default:
      return FromJson(field, json::string(text), error);
  }
}

std::string DisplayValue(const Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(bool b) const { return b ? "ja" : "nej"; }
    std::string operator()(double d) const { return FormatNumber(d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Date& d) const { return d.ToString(); }
    std::string operator()(const std::vector<std::string>& items) const {
      std::string out;
      for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
      return out;
    }
    std::string operator()(const std::vector<Row>& rows) const {
      return std::to_string(rows.size()) + (rows.size() == 1 ? " rad" : " rader");
    }
  };
  return std::visit(Visitor{}, value.data);
}

namespace {

ExprValue::Scalar ScalarOf(const Value& v) {
  if (auto* b = std::get_if<bool>(&v.data)) return *b;
  if (auto* d = std::get_if<double>(&v.data)) return *d;
  if (auto* s = std::get_if<std::string>(&v.data)) return *s;
  if (auto* d = std::get_if<Date>(&v.data)) return *d;
  return std::monostate{};
}

}  // namespace

ExprValue ToExprValue(const Value* value, std::string_view column) {
  if (!value) return column.empty() ? ExprValue::Empty() : ExprValue::List({});
  if (auto* items = std::get_if<std::vector<std::string>>(&value->data)) {
    return ExprValue::List(std::vector<ExprValue::Scalar>(items->begin(), items->end()));
  }
  if (auto* rows = std::get_if<std::vector<Row>>(&value->data)) {
    std::vector<ExprValue::Scalar> out;
    for (const Row& row : *rows) {
      if (column.empty()) {
        out.emplace_back(std::string("rad"));
        continue;
      }
      auto cell = row.find(std::string(column));
      if (cell == row.end()) {
        out.emplace_back(std::monostate{});
      } else if (auto* many = std::get_if<std::vector<std::string>>(&cell->second.data)) {
        out.insert(out.end(), many->begin(), many->end());
      } else {
        out.push_back(ScalarOf(cell->second));
      }
    }
    return ExprValue::List(std::move(out));
  }
  if (!column.empty()) return ExprValue::List({});
  return ExprValue::Of(ScalarOf(*value));
}

std::string RequiredMessage(const Field& field) {
  if (const Constraint* c = field.Find(Constraint::Kind::kRequired); c && !c->message.text.empty()) {
    return c->message.text;
  }
  return Quoted(field.label) + " måste fyllas i.";
}

std::optional<std::string> EmptyBelowMinimum(const Field& field) {
  if (field.type != FieldType::kGroup && field.type != FieldType::kMultiChoice) return std::nullopt;
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  if (!range || !range->min_number || *range->min_number <= 0) return std::nullopt;
  if (!range->message.text.empty()) return range->message.text;
  return RangeMessage(Quoted(field.label), FormatNumber(*range->min_number),
                      range->max_number ? FormatNumber(*range->max_number) : "",
                      field.type == FieldType::kGroup ? " rader" : " val");
}

std::vector<std::string> CheckConstraints(const Field& field, const Value& value) {
  std::vector<std::string> problems;
  if (value.IsEmpty()) return problems;
  const std::string label = Quoted(field.label);
  for (const Constraint& c : field.constraints) {
    std::string fallback;
    switch (c.kind) {
      case Constraint::Kind::kRequired:
        continue;
      case Constraint::Kind::kRange: {
        std::string min, max;
        if (auto* d = std::get_if<Date>(&value.data)) {
          if ((c.min_date && *d < *c.min_date) || (c.max_date && *d > *c.max_date)) {
            fallback = RangeMessage(label, c.min_date ? c.min_date->ToString() : "",
                                    c.max_date ? c.max_date->ToString() : "", "");
          }
          break;
        }
        double n = 0;
        std::string unit;
        if (auto* num = std::get_if<double>(&value.data)) {
          n = *num;
        } else if (auto* rows = std::get_if<std::vector<Row>>(&value.data)) {
          n = static_cast<double>(rows->size());
          unit = " rader";
        } else if (auto* items = std::get_if<std::vector<std::string>>(&value.data)) {
          n = static_cast<double>(items->size());
          unit = " val";
        } else {
          break;
        }
        if ((c.min_number && n < *c.min_number) || (c.max_number && n > *c.max_number)) {
          fallback = RangeMessage(label, c.min_number ? FormatNumber(*c.min_number) : "",
                                  c.max_number ? FormatNumber(*c.max_number) : "", unit);
        }
        break;
      }
      case Constraint::Kind::kLength: {
        auto* s = std::get_if<std::string>(&value.data);
        if (!s) break;
        double n = static_cast<double>(CountCodePoints(*s));
        if ((c.min_number && n < *c.min_number) || (c.max_number && n > *c.max_number)) {
          fallback = RangeMessage("Längden på " + label, c.min_number ? FormatNumber(*c.min_number) : "",
                                  c.max_number ? FormatNumber(*c.max_number) : "", " tecken");
        }
        break;
      }
      case Constraint::Kind::kPattern: {
        auto* s = std::get_if<std::string>(&value.data);
        if (!s) break;
        try {
          // Patterns run only on single-line text values, which CleanText bounds in length.
          if (!std::regex_match(*s, *CompiledPattern(c.pattern))) {
            fallback = label + " har inte rätt form.";
          }
        } catch (const std::regex_error&) {
          fallback = label + " kunde inte kontrolleras.";
        }
        break;
      }
    }
    if (!fallback.empty()) problems.push_back(c.message.text.empty() ? fallback : c.message.text);
  }
  if (auto* rows = std::get_if<std::vector<Row>>(&value.data)) {
    for (size_t i = 0; i < rows->size(); ++i) {
      for (const auto& [column_id, cell] : (*rows)[i]) {
        const Field* column = field.Column(column_id);
        if (!column) continue;
        for (std::string& p : CheckConstraints(*column, cell)) {
          problems.push_back(label + " rad " + std::to_string(i + 1) + ": " + p);
        }
      }
    }
  }
  return problems;
}

}  // namespace spegla
