// Sample forms for the file-format tests of offline forms (docx_form_test.cpp, xlsx_form_test.cpp): a
// plausible value of every field type, with Swedish letters, XML's special characters and what Excel might
// take for a formula or a date, within each field's range.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "offline_form.h"

namespace spegla::offline::samples {

inline const std::vector<PersonChoice> kPeople = {{"anna", "Anna Andersson (anna)"},
                                                  {"bo", "Bo Åkesson (bo)"},
                                                  {"cecilia", "Cecilia Öberg (cecilia)"}};

// A value of `field`'s type; `k` varies it between fields and rows.
inline Value Sample(const Field& field, int k) {
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  switch (field.type) {
    case FieldType::kText:
      return Value{"Svar på " + field.id + " – åäö <&> \"nr " + std::to_string(k) + "\" 1/2"};
    case FieldType::kLongText:
      return Value{"Första raden om " + field.id + ": åäö ÅÄÖ <&> " + std::to_string(k) +
                   "\nAndra raden, _x0041_ stannar,\tmed tabb"};
    case FieldType::kNumber: {
      const std::optional<double> min = range != nullptr ? range->min_number : std::nullopt;
      const std::optional<double> max = range != nullptr ? range->max_number : std::nullopt;
      double number = 3.5 + k;
      if (min && max) {
        number = std::floor(*min + (*max - *min) / 4) + (k % 2 == 0 ? 0.5 : 0);
        if (number > *max) number = *min;
      } else if (min) {
        number = *min + 1.5;
      } else if (max) {
        number = *max - 1.5;
      }
      return Value{number};
    }
    case FieldType::kDate:
      if (range != nullptr && range->min_date) return Value{*range->min_date};
      if (range != nullptr && range->max_date) return Value{*range->max_date};
      return Value{*Date::FromYmd(2026, 3, static_cast<unsigned>(1 + k % 27))};
    case FieldType::kYesNo:
      return Value{k % 2 == 0};
    case FieldType::kChoice:
      if (field.options.empty()) return Value{};
      return Value{field.options[std::min<std::size_t>(1, field.options.size() - 1)].value};
    case FieldType::kMultiChoice: {
      // The first and the third when there are three: not just the first ones.
      if (field.options.empty()) return Value{};
      std::vector<std::string> values{field.options.front().value};
      if (field.options.size() >= 3) {
        values.push_back(field.options[2].value);
      } else if (field.options.size() == 2) {
        values.push_back(field.options[1].value);
      }
      return Value{values};
    }
    case FieldType::kPerson:
      return Value{kPeople[static_cast<std::size_t>(k) % kPeople.size()].username};
    case FieldType::kGroup: {
      std::vector<Row> rows;
      for (int r = 0; r < 2; ++r) {
        Row row;
        for (const Field& column : field.columns) row[column.id] = Sample(column, k + r + 1);
        rows.push_back(std::move(row));
      }
      return Value{rows};
    }
  }
  return Value{};
}

// The fields of a form, in the order a file lists them (what ReadAnswers takes).
inline std::vector<const Field*> FieldsOf(const OfflineForm& form) {
  std::vector<const Field*> fields;
  for (const OfflineField& f : form.fields) fields.push_back(f.field);
  return fields;
}

}  // namespace spegla::offline::samples
