#include "spegla/workflow_definition.h"

#include <algorithm>

namespace spegla {
namespace {

template <typename T>
const T* FindById(const std::vector<T>& items, std::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

}  // namespace

const char* ToString(FieldType type) {
  switch (type) {
    case FieldType::kText:
      return "text";
    case FieldType::kLongText:
      return "longtext";
    case FieldType::kNumber:
      return "number";
    case FieldType::kDate:
      return "date";
    case FieldType::kYesNo:
      return "yesno";
    case FieldType::kChoice:
      return "choice";
    case FieldType::kMultiChoice:
      return "multichoice";
    case FieldType::kPerson:
      return "person";
    case FieldType::kGroup:
      return "group";
  }
  return "?";
}

const char* ToString(Rights rights) {
  switch (rights) {
    case Rights::kEdit:
      return "edit";
    case Rights::kView:
      return "view";
    case Rights::kHidden:
      return "hidden";
  }
  return "?";
}

bool Field::required() const { return Find(Constraint::Kind::kRequired) != nullptr; }

const Constraint* Field::Find(Constraint::Kind kind) const {
  for (const Constraint& c : constraints) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

const Field* Field::Column(std::string_view column_id) const { return FindById(columns, column_id); }

bool Field::HasOption(std::string_view value) const {
  for (const Option& o : options) {
    if (o.value == value) return true;
  }
  return false;
}

const Field* Form::FindField(std::string_view field_id) const { return FindById(fields, field_id); }

Rights Form::RightsFor(std::string_view role, const Field& field) const {
  for (const Access& a : field.access) {
    if (a.role == role) return a.rights;
  }
  for (const Access& a : access) {
    if (a.role == role) return a.rights;
  }
  return Rights::kHidden;
}

std::vector<std::string> Form::Readers() const {
  std::vector<std::string> readers;
  for (const Access& a : access) {
    if (a.rights != Rights::kHidden) readers.push_back(a.role);
  }
  return readers;
}

bool Form::SharedWithAllReaders(const Field& field) const {
  for (const std::string& role : Readers()) {
    if (RightsFor(role, field) == Rights::kHidden) return false;
  }
  return true;
}

std::vector<std::string> WorkflowDefinition::DocumentAudience(const DocumentRule& rule) const {
  if (!rule.audience.empty()) return rule.audience;
  std::vector<std::string> audience;
  for (const Role& role : roles) {
    bool reads_all = std::all_of(rule.forms.begin(), rule.forms.end(), [&](const std::string& form_id) {
      const Form* form = FindForm(form_id);
      std::vector<std::string> readers = form ? form->Readers() : std::vector<std::string>{};
      return std::find(readers.begin(), readers.end(), role.id) != readers.end();
    });
    if (reads_all) audience.push_back(role.id);
  }
  return audience;
}

bool WorkflowDefinition::DocumentShows(const DocumentRule& rule, const Form& form, const Field& field) const {
  for (const std::string& role : DocumentAudience(rule)) {
    if (form.RightsFor(role, field) == Rights::kHidden) return false;
  }
  return true;
}

const Role* WorkflowDefinition::FindRole(std::string_view role_id) const { return FindById(roles, role_id); }
const Form* WorkflowDefinition::FindForm(std::string_view form_id) const { return FindById(forms, form_id); }
const Phase* WorkflowDefinition::FindPhase(std::string_view phase_id) const {
  return FindById(phases, phase_id);
}
const Budget* WorkflowDefinition::FindBudget(std::string_view budget_id) const {
  return FindById(budgets, budget_id);
}

const Step* WorkflowDefinition::FindStep(std::string_view step_id) const {
  for (const Phase& phase : phases) {
    if (const Step* step = FindById(phase.steps, step_id)) return step;
  }
  return nullptr;
}

const Step* WorkflowDefinition::RepeatingStepOf(std::string_view form_id) const {
  for (const Phase& phase : phases) {
    for (const Step& step : phase.steps) {
      if (!step.repeat) continue;
      for (const std::string& f : step.forms) {
        if (f == form_id) return &step;
      }
    }
  }
  return nullptr;
}

std::vector<const Step*> WorkflowDefinition::AllSteps() const {
  std::vector<const Step*> out;
  for (const Phase& phase : phases) {
    for (const Step& step : phase.steps) out.push_back(&step);
  }
  return out;
}

}  // namespace spegla
