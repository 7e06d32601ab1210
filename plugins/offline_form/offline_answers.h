// The text a fillable file shows for a value, and the value a person's text in a filled file stands for:
// the two directions of one mapping, so that what Spegla wrote reads back as the same value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "offline_form.h"

namespace spegla::offline {

// What a file shows for a scalar value of `field` (or of one cell of a group column): texts as they are,
// numbers with a decimal comma ("3,5"), dates as ISO ("2026-03-01"), yes/no as "Ja"/"Nej", a choice as
// its option's label, a person as their label in `people` (else the username), a multiple choice as its
// options' labels joined by ", ". Empty for an empty value.
std::string DisplayText(const Field& field, const Value& value, const std::vector<PersonChoice>& people);

// The label shown for a person: "Anna Andersson (anna)".
std::string PersonLabel(const std::string& display_name, const std::string& username);

// The value `answer` stands for, typed by `field`: the inverse of DisplayText, lenient where a person
// would be (an option's value or label in any case, "ja"/"Ja"/"x", "3.5" or "3,5", spaces around). A text
// that is not a value of the field gives nullopt and `problem` (Swedish, naming the field; for a group,
// also the row and column).
std::optional<Value> AnswerValue(const Field& field, const RawAnswer& answer, std::string* problem);

}  // namespace spegla::offline
