// Form field values: what a person types into a field, typed by the field's definition. Values are stored
// as JSON text and decoded against their field, so a stored value is always of its field's type.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "spegla/date.h"
#include "spegla/workflow_definition.h"

namespace spegla {

struct Value;
using Row = std::map<std::string, Value>;  // a repeating group's row: column id -> value

// Empty (monostate) means "not filled in". Per type: text/longtext/choice/person -> string, number ->
// double, date -> Date, yesno -> bool, multichoice -> vector<string>, group -> vector<Row>.
struct Value {
  std::variant<std::monostate, bool, double, std::string, Date, std::vector<std::string>, std::vector<Row>>
      data;

  bool IsEmpty() const;
  bool operator==(const Value& other) const;
};

// Limits that keep one value within what a form needs, whatever a client sends.
inline constexpr size_t kMaxTextLength = 100'000;  // characters in one text value
inline constexpr size_t kMaxGroupRows = 1'000;

// JSON text of a value; dates as "YYYY-MM-DD", empty as null.
std::string EncodeValue(const Value& value);

// Decodes JSON text as a value of `field`'s type. On failure returns nullopt and sets *error (Swedish,
// for the person who typed it).
std::optional<Value> DecodeValue(const Field& field, std::string_view json, std::string* error);

// Parses what a person types on a command line: "3,5" or "3.5", "ja"/"nej", "2026-03-01", "a,b" for
// multiple choice, JSON for a group; "" clears the field.
std::optional<Value> ParseValueText(const Field& field, std::string_view text, std::string* error);

// Human-readable text of a value, for audit logs and listings ("ja", "3,5", "2026-03-01", "a, b", "2 rader").
std::string DisplayValue(const Value& value);

// A value as conditions (expression.h) read it: a scalar as itself, a multiple choice as the list of its
// choices, a group as one element per row, or with `column` the column's values over the rows (a multiple
// choice cell adds each choice). Not filled in (null) is empty, or an empty list when a column is asked for.
ExprValue ToExprValue(const Value* value, std::string_view column = {});

// Checks a value against its field's constraints except `required` (a form may be saved half-filled).
// Returns every message, in the definition's wording or the engine's Swedish default.
std::vector<std::string> CheckConstraints(const Field& field, const Value& value);

// The message for a required field left empty.
std::string RequiredMessage(const Field& field);

// For an empty group or multiple choice whose <range> asks for at least one row or choice: its message.
std::optional<std::string> EmptyBelowMinimum(const Field& field);

}  // namespace spegla
