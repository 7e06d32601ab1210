// The data a document template is filled from: a tree of names, texts, lists and yes/no values, as a
// docxtemplater template sees its JSON. The engine builds it from an instance's forms; `spegla render`
// reads it from JSON files. Header-only, so that plugins built as shared libraries need no engine code.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace spegla {

struct TemplateData {
  using List = std::vector<TemplateData>;
  using Object = std::vector<std::pair<std::string, TemplateData>>;  // in insertion order; names unique

  // Empty (monostate) is a missing value or JSON null. Numbers are kept as the text to print ("3,5" for
  // a Swedish form value, "3.5" from JSON), because a template never computes.
  std::variant<std::monostate, bool, std::string, List, Object> value;

  TemplateData() = default;
  TemplateData(bool b) : value(b) {}                         // NOLINT: implicit, like a JSON literal
  TemplateData(std::string s) : value(std::move(s)) {}       // NOLINT
  TemplateData(const char* s) : value(std::string(s)) {}     // NOLINT
  TemplateData(List list) : value(std::move(list)) {}        // NOLINT
  TemplateData(Object object) : value(std::move(object)) {}  // NOLINT

  bool IsEmpty() const { return std::holds_alternative<std::monostate>(value); }
  const bool* AsBool() const { return std::get_if<bool>(&value); }
  const std::string* AsText() const { return std::get_if<std::string>(&value); }
  const List* AsList() const { return std::get_if<List>(&value); }
  const Object* AsObject() const { return std::get_if<Object>(&value); }

  // The member `name` of an object; nullptr when this is not an object or has no such member.
  const TemplateData* Find(std::string_view name) const {
    if (const Object* object = AsObject()) {
      for (const auto& [key, member] : *object) {
        if (key == name) return &member;
      }
    }
    return nullptr;
  }

  // Sets or replaces a member; turns an empty value into an object first.
  TemplateData& Set(std::string name, TemplateData member) {
    if (IsEmpty()) value = Object{};
    Object& object = std::get<Object>(value);
    for (auto& [key, existing] : object) {
      if (key == name) return existing = std::move(member);
    }
    return object.emplace_back(std::move(name), std::move(member)).second;
  }
};

}  // namespace spegla
