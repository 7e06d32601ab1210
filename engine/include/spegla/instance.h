// Read models of running instances: what `spegla instance show`, the API and the web pages display.
// Built by the Engine from the stored state; plain values, safe to copy between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spegla/date.h"
#include "spegla/value.h"
#include "spegla/workflow_definition.h"

namespace spegla {

enum class State { kPending, kActive, kCompleted };
const char* ToString(State state);  // "pending", "active", "completed"

struct StepView {
  const Step* step = nullptr;
  State state = State::kPending;
  std::optional<Timestamp> started, completed;
  std::string completed_by;
  std::optional<Date> due;       // from the step's <due> rule, once its anchor has happened
  std::optional<Date> next_due;  // recurring steps: when the next occurrence is due
  bool overdue = false;          // open and past `due` or `next_due`
  int occurrences = 0;
  std::vector<std::string> signed_by_roles;
};

struct PhaseView {
  const Phase* phase = nullptr;
  State state = State::kPending;
  std::optional<Timestamp> started, completed;
  std::optional<Date> due;  // start + the phase's max duration
  bool overdue = false;
  std::vector<StepView> steps;
};

struct ParticipantView {
  std::string role;
  std::string username;
  std::string display_name;
  bool organisation_wide = false;  // holds the role for the whole municipality
};

struct BudgetView {
  const Budget* budget = nullptr;
  double used = 0;  // for a budget `per` a column: the most any one value has used
  std::vector<std::pair<std::string, double>> per;  // "Eva Berg" -> 4.5, for a budget `per` a column
};

struct InstanceSummary {
  std::int64_t id = 0;
  std::string workflow_id;
  int workflow_version = 0;
  std::string workflow_title;
  std::string title;
  std::int64_t unit_id = 0;
  std::string unit;
  std::string municipality;
  std::string status;         // "active" or "completed"
  std::string current_phase;  // id; empty once completed
  Timestamp created_at{}, updated_at{};
};

struct InstanceView {
  InstanceSummary summary;
  DefinitionPtr definition;
  std::string created_by;
  std::optional<Timestamp> completed_at;
  std::vector<PhaseView> phases;
  std::vector<ParticipantView> participants;
  std::vector<BudgetView> budgets;
};

struct FieldView {
  const Field* field = nullptr;
  Value value;
  int version = 0;  // 0 = never written
  std::string author;
  std::optional<Timestamp> updated_at;
  Rights rights = Rights::kHidden;  // the viewer's rights
  bool visible = true;              // its visible-if holds
};

struct FormView {
  const Form* form = nullptr;
  int occurrence = 0;             // 0 for a form that does not repeat
  bool locked = false;            // every step that collects it is completed
  std::vector<FieldView> fields;  // the fields the viewer may see, in definition order
  std::string etag;               // FormEtag: an HTTP entity tag, quoted
};

// Changes whenever the version of a field the viewer sees changes (an HTTP ETag, with its quotes).
std::string FormEtag(const FormView& form);

struct AuditEntry {
  std::int64_t id = 0;
  std::optional<std::int64_t> instance_id;
  Timestamp at{};
  std::string actor;
  std::string action;  // "field.set", "step.complete", ...
  std::string target;
  std::optional<std::string> old_value, new_value;
  std::string detail;
};

struct Task {  // an open step someone must act on: "Mina uppgifter"
  std::int64_t instance_id = 0;
  std::string instance_title;
  std::string unit;
  std::string step_id;
  std::string step_label;
  std::string phase_label;
  std::vector<std::string> performers;
  std::optional<Date> due;
  bool overdue = false;
  std::string signoff_label;  // non-empty: the person is asked to sign the step off, not to perform it
};

}  // namespace spegla
