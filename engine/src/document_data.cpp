#include "document_data.h"

namespace spegla {
namespace {

std::string OptionLabel(const Field& field, const std::string& value) {
  for (const Option& option : field.options) {
    if (option.value == value) return option.label;
  }
  return value;
}

// A field's value under its id, plus `<id>_ja` for yes/no so that a section can test the answer.
void AddField(const Engine::Loaded& inst, const Field& field, const Value* value, TemplateData& into) {
  Value empty;
  const Value& v = value ? *value : empty;
  if (field.type == FieldType::kGroup) {
    TemplateData::List rows;
    if (const auto* stored = std::get_if<std::vector<Row>>(&v.data)) {
      for (const Row& row : *stored) {
        TemplateData cells;
        for (const Field& column : field.columns) {
          auto cell = row.find(column.id);
          AddField(inst, column, cell == row.end() ? nullptr : &cell->second, cells);
        }
        rows.push_back(std::move(cells));
      }
    }
    into.Set(field.id, std::move(rows));
    return;
  }
  into.Set(field.id, DocumentText(inst, field, v));
  if (field.type == FieldType::kYesNo) {
    const bool* yes = std::get_if<bool>(&v.data);
    into.Set(field.id + "_ja", yes && *yes);
  }
}

TemplateData FormObject(const Engine::Loaded& inst, const DocumentRule& rule, const Form& form,
                        int occurrence) {
  TemplateData object = TemplateData::Object{};
  for (const Field& field : form.fields) {
    bool shared = inst.def->DocumentShows(rule, form, field);
    AddField(inst, field, shared ? inst.Find(form.id, occurrence, field.id) : nullptr, object);
  }
  return object;
}

}  // namespace

std::string DocumentText(const Engine::Loaded& inst, const Field& field, const Value& value) {
  switch (field.type) {
    case FieldType::kYesNo:
      if (const bool* yes = std::get_if<bool>(&value.data)) return *yes ? "Ja" : "Nej";
      return "";
    case FieldType::kChoice:
      if (const std::string* s = std::get_if<std::string>(&value.data)) return OptionLabel(field, *s);
      return "";
    case FieldType::kMultiChoice: {
      std::string out;
      if (const auto* items = std::get_if<std::vector<std::string>>(&value.data)) {
        for (const std::string& item : *items) {
          if (!out.empty()) out += ", ";
          out += OptionLabel(field, item);
        }
      }
      return out;
    }
    case FieldType::kPerson:
      if (const std::string* s = std::get_if<std::string>(&value.data)) return DisplayNameOf(inst, *s);
      return "";
    default:
      return DisplayValue(value);
  }
}

TemplateData BuildDocumentData(const Engine::Loaded& inst, const DocumentRule& rule,
                               const DocumentFacts& facts) {
  const WorkflowDefinition& def = *inst.def;
  TemplateData data = TemplateData::Object{};
  for (const Role& role : def.roles) {
    std::string names;
    TemplateData::List people;
    auto it = inst.participants.find(role.id);
    if (it != inst.participants.end()) {
      for (const Engine::Loaded::Person& p : it->second) {
        if (!names.empty()) names += ", ";
        names += p.display_name;
        TemplateData person = TemplateData::Object{};
        person.Set("namn", p.display_name);
        people.push_back(std::move(person));
      }
    }
    data.Set(role.id, names);
    data.Set(role.id + "_lista", std::move(people));
  }
  // The facts come after the roles: a role named like a fact (KU8's arbetslag) is still there as _lista.
  data.Set("process", def.title);
  data.Set("titel", inst.summary.title);
  data.Set("enhet", facts.unit);
  data.Set("kommun", facts.municipality);
  data.Set("arbetslag", facts.team);
  data.Set("datum", facts.today.ToString());
  data.Set("dokument", rule.label);
  data.Set("version", std::to_string(facts.version));
  for (const std::string& form_id : rule.forms) {
    const Form* form = def.FindForm(form_id);
    if (!form) continue;
    if (const Step* repeating = def.RepeatingStepOf(form->id)) {
      TemplateData::List occurrences;
      for (int i = 1; i <= inst.OccurrenceCount(repeating->id); ++i) {
        TemplateData occurrence = FormObject(inst, rule, *form, i);
        occurrence.Set("nr", std::to_string(i));
        occurrences.push_back(std::move(occurrence));
      }
      data.Set(form->id, std::move(occurrences));
      continue;
    }
    TemplateData object = FormObject(inst, rule, *form, 0);
    // The same values as "form.field", so that a template can name them without entering the form.
    if (const TemplateData::Object* fields = object.AsObject()) {
      for (const auto& [name, value] : *fields) data.Set(form->id + "." + name, value);
    }
    data.Set(form->id, std::move(object));
  }
  return data;
}

}  // namespace spegla
