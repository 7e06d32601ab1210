// What the marker of a fillable file says: the instance, form and occurrence it was made for, the
// definition version, and each field's version and a hash of its value then. The engine signs the text
// (Engine::SignMarker), so none of it can be changed without the import noticing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/value.h"

namespace spegla::offline {

struct FormMarker {
  struct FieldState {
    std::string id;
    int version = 0;   // the field's version when the file was made (0: never written)
    std::string hash;  // ValueHash of its value then
  };
  std::int64_t instance = 0;
  std::string form;
  int occurrence = 0;
  std::string workflow;
  int workflow_version = 0;
  std::string made_at;  // "YYYY-MM-DDTHH:MM:SSZ"
  std::string made_by;  // username
  std::vector<FieldState> fields;  // in the order the file shows them
};

// The marker's text before signing, and back; nullopt for a text this did not make.
std::string EncodeMarker(const FormMarker& marker);
std::optional<FormMarker> DecodeMarker(std::string_view text);

// A short hash of a value: equal for equal values (every empty value hashes alike).
std::string ValueHash(const Value& value);

}  // namespace spegla::offline
