// The values, participants and start days an instance's rules read, loaded from the engine form by form as
// the rules ask for them. The solver changes them here first and writes them afterwards.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "demo/text.h"
#include "spegla/engine.h"

namespace spegla::cli::demo {

// Where one element of a list a rule reads is kept: a field of an occurrence, or a cell of a table row.
struct Slot {
  std::string form, field, column;
  int occurrence = 0;
  int row = -1;  // a cell: the row of the group `field`, column `column`
};

// The values, participants and start days an instance's rules read, loaded from the engine form by form as
// the rules ask for them. The solver changes them here first and writes them afterwards.
class Snapshot {
 public:
  Snapshot(Engine& engine, std::int64_t instance, const InstanceView& view)
      : engine_(engine), instance_(instance), view_(view) {
    for (const PhaseView& phase : view.phases) {
      for (const StepView& step : phase.steps) occurrences_[step.step->id] = step.occurrences;
    }
  }

  const WorkflowDefinition& definition() const { return *view_.definition; }
  Date Today() const { return engine_.clock().Today(); }

  // 1..n for a form that repeats with a step, {0} for one that does not.
  std::vector<int> OccurrencesOf(const std::string& form) const {
    const Step* repeating = definition().RepeatingStepOf(form);
    if (!repeating) return {0};
    std::vector<int> out;
    for (int i = 1; i <= Occurrences(repeating->id); ++i) out.push_back(i);
    return out;
  }

  int Occurrences(const std::string& step) const {
    auto it = occurrences_.find(step);
    return it == occurrences_.end() ? 0 : it->second;
  }

  void Added(const std::string& step) { ++occurrences_[step]; }

  const Value* Find(const std::string& form, int occurrence, const std::string& field) const {
    const std::map<std::string, Value>& values = Load(form, occurrence);
    auto it = values.find(field);
    return it == values.end() || it->second.IsEmpty() ? nullptr : &it->second;
  }

  void Set(const std::string& form, int occurrence, const std::string& field, Value value) {
    Load(form, occurrence);
    loaded_[{form, occurrence}][field] = value;
    changes_[{form, occurrence}][field] = std::move(value);
  }

  // The changes made since the last call, per form and occurrence.
  std::map<std::pair<std::string, int>, std::map<std::string, Value>> TakeChanges() {
    return std::exchange(changes_, {});
  }

  // Takes the values of one occurrence of a form from a view already read.
  void Seed(const FormView& view) {
    std::map<std::string, Value>& values = loaded_[{view.form->id, view.occurrence}];
    values.clear();
    for (const FieldView& field : view.fields) values[field.field->id] = field.value;
  }

  // Forgets what was loaded of one occurrence of a form, after the engine wrote it.
  void Forget(const std::string& form, int occurrence) { loaded_.erase({form, occurrence}); }

  // What the engine's expression context gives for `canonical`: a scalar, a multiple choice or a group
  // column as a list, and a repeating form's field as the list over its occurrences.
  ExprValue ValueOf(const std::string& canonical) const {
    std::vector<std::string> parts = SplitDots(canonical);
    if (parts.size() < 2) return ExprValue::Empty();
    const std::string column = parts.size() > 2 ? parts[2] : std::string();
    if (!definition().RepeatingStepOf(parts[0])) return ToExprValue(Find(parts[0], 0, parts[1]), column);
    std::vector<ExprValue::Scalar> items;
    for (int occurrence : OccurrencesOf(parts[0])) {
      ExprValue v = ToExprValue(Find(parts[0], occurrence, parts[1]), column);
      if (v.is_list) {
        items.insert(items.end(), v.list.begin(), v.list.end());
      } else {
        items.push_back(v.scalar);
      }
    }
    return ExprValue::List(std::move(items));
  }

  // Where each element of ValueOf(canonical) is kept, when it is a list of scalars; empty otherwise.
  std::vector<Slot> SlotsOf(const std::string& canonical) const {
    std::vector<std::string> parts = SplitDots(canonical);
    if (parts.size() < 2) return {};
    const bool repeats = definition().RepeatingStepOf(parts[0]) != nullptr;
    std::vector<Slot> out;
    for (int occurrence : OccurrencesOf(parts[0])) {
      const Value* value = Find(parts[0], occurrence, parts[1]);
      if (parts.size() > 2) {
        const auto* rows = value ? std::get_if<std::vector<Row>>(&value->data) : nullptr;
        for (int row = 0; rows && row < static_cast<int>(rows->size()); ++row) {
          auto cell = (*rows)[static_cast<size_t>(row)].find(parts[2]);
          if (cell != (*rows)[static_cast<size_t>(row)].end() &&
              std::holds_alternative<std::vector<std::string>>(cell->second.data)) {
            return {};  // a multiple-choice column spreads over several elements
          }
          out.push_back(Slot{parts[0], parts[1], parts[2], occurrence, row});
        }
      } else if (repeats && !(value && std::holds_alternative<std::vector<std::string>>(value->data))) {
        out.push_back(Slot{parts[0], parts[1], "", occurrence, -1});
      } else {
        return {};
      }
    }
    return out;
  }

  int Assigned(const std::string& role) const {
    return static_cast<int>(std::count_if(view_.participants.begin(), view_.participants.end(),
                                          [&](const ParticipantView& p) { return p.role == role; }));
  }

  std::optional<Date> Started(const std::string& id) const {
    for (const PhaseView& phase : view_.phases) {
      if (phase.phase->id == id) return phase.started ? std::optional(DateOf(*phase.started)) : std::nullopt;
    }
    for (const PhaseView& phase : view_.phases) {
      for (const StepView& step : phase.steps) {
        if (step.step->id == id) return step.started ? std::optional(DateOf(*step.started)) : std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  const std::map<std::string, Value>& Load(const std::string& form, int occurrence) const {
    auto key = std::make_pair(form, occurrence);
    auto it = loaded_.find(key);
    if (it != loaded_.end()) return it->second;
    std::map<std::string, Value>& values = loaded_[key];
    Result<FormView> view = engine_.GetForm(Actor::Operator(), instance_, form, occurrence);
    if (view) {
      for (const FieldView& field : view.value().fields) values[field.field->id] = field.value;
    }
    return values;
  }

  Engine& engine_;
  std::int64_t instance_;
  const InstanceView& view_;
  std::map<std::string, int> occurrences_;  // step id -> occurrences, including those added since loading
  mutable std::map<std::pair<std::string, int>, std::map<std::string, Value>> loaded_;
  std::map<std::pair<std::string, int>, std::map<std::string, Value>> changes_;
};

}  // namespace spegla::cli::demo
