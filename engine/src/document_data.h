// The data a document template is filled from (docs/documents.md): the instance's facts, its participants
// per role, and the values of the document's forms as text a person would read, in Swedish.
#pragma once

#include <string>

#include "engine_internal.h"
#include "spegla/template_data.h"

namespace spegla {

struct DocumentFacts {
  std::string unit, municipality, team;  // names; team may be empty
  Date today;
  int version = 0;  // the version the document will be stored as
};

TemplateData BuildDocumentData(const Engine::Loaded& inst, const DocumentRule& rule,
                               const DocumentFacts& facts);

// A value as the document shows it: option labels, full names, "Ja"/"Nej", "3,5", "2026-09-14".
std::string DocumentText(const Engine::Loaded& inst, const Field& field, const Value& value);

}  // namespace spegla
