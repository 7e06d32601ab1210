// The in-memory form of a workflow definition (one version of one process), as loaded from XML by
// LoadWorkflow(). Immutable after loading and shared between threads through shared_ptr<const ...>.
// docs/workflow-format.md describes every element; the XSD is workflows/schema/workflow.xsd.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spegla/date.h"
#include "spegla/expression.h"
#include "spegla/problem.h"

namespace spegla {

enum class RoleScope { kInstance, kOrganisation };
enum class Rights { kHidden = 0, kView = 1, kEdit = 2 };
enum class FieldType { kText, kLongText, kNumber, kDate, kYesNo, kChoice, kMultiChoice, kPerson, kGroup };
enum class PhaseFlow { kSequence, kParallel };

const char* ToString(FieldType type);  // the XML spelling: "text", "longtext", ...
const char* ToString(Rights rights);   // "edit", "view", "hidden"

// A definition-supplied message, Swedish; empty means "use the engine's default wording".
struct Message {
  std::string text;
};

struct Role {
  std::string id;
  std::string label;     // Swedish
  std::string label_en;  // optional
  int min = 0;
  std::optional<int> max;  // unbounded when absent
  RoleScope scope = RoleScope::kInstance;
  bool from_pool = false;  // participants are drawn from the municipality's observer pool
  // Participants in these roles may assign people to this role (and remove them), besides administrators,
  // utvecklingsledare and holders of organisation-wide roles; e.g. the rektor appoints verksamhetsutvecklare.
  std::vector<std::string> assigned_by;
  std::string help;
  SourceLocation where;
};

struct Option {
  std::string value;
  std::string label;
};

struct Access {
  std::string role;
  Rights rights = Rights::kHidden;
};

struct Constraint {
  enum class Kind { kRequired, kRange, kLength, kPattern };
  Kind kind = Kind::kRequired;
  // kRange: numbers for number fields, ISO dates for date fields, row counts for groups, selection
  // counts for multiple choice. kLength: characters. Absent bound = unbounded.
  std::optional<double> min_number, max_number;
  std::optional<Date> min_date, max_date;
  std::string pattern;  // ECMAScript regular expression, matched against the whole value
  Message message;
  SourceLocation where;
};

struct Field {
  std::string id;
  FieldType type = FieldType::kText;
  std::string label;
  std::string label_en;
  std::string help;
  std::string help_en;
  std::vector<Option> options;  // choice and multichoice
  std::string person_role;      // person: restrict to participants in this role (empty = anyone)
  std::string example;          // text, number, date: a value that passes the field's rules ("VT 2027"),
                                // shown as a placeholder and used by the demo generator
  std::vector<Field> columns;   // group: the typed columns of each row
  std::vector<Constraint> constraints;
  std::optional<Expression> visible_if;  // hidden (and not required) while this is false
  std::vector<Access> access;            // per-role overrides of the form's rights
  SourceLocation where;

  bool required() const;
  const Constraint* Find(Constraint::Kind kind) const;
  const Field* Column(std::string_view id) const;
  bool HasOption(std::string_view value) const;
};

struct Form {
  std::string id;
  std::string label;
  std::string label_en;
  std::string help;
  std::vector<Access> access;  // roles not listed: hidden
  std::vector<Field> fields;
  SourceLocation where;

  const Field* FindField(std::string_view id) const;
  // The effective rights of a role on a field: the field's own entry for the role, else the form's.
  Rights RightsFor(std::string_view role, const Field& field) const;
  // The roles that may read the form as a whole (its own <access> gives them view or edit).
  std::vector<std::string> Readers() const;
  // True when every reader of the form sees the field: no field-level <access> hides it from one of them.
  bool SharedWithAllReaders(const Field& field) const;
};

struct Requirement {  // a completion condition: a yes/no expression and the message when it is false
  Expression condition;
  Message message;
  SourceLocation where;
};

struct SignOff {
  std::string role;
  std::string label;
  SourceLocation where;
};

struct Repeat {  // a repeating step: one occurrence per visit day, meeting, ...
  int min = 1;
  std::optional<int> max;
  std::optional<Duration> every;  // recurring: occurrence k+1 is due this long after occurrence k
  std::string occurrence_label;   // "Observationsdag", "Träff"
  Message message;                // shown when one more than max is refused
  SourceLocation where;
};

// When something is due: `after` counted from an anchor event.
struct DueRule {
  enum class Anchor { kInstanceStart, kPhaseStart, kPhaseComplete, kStepComplete, kField };
  Anchor anchor = Anchor::kPhaseStart;
  std::string target;  // phase id, step id or "form.field"; empty for the own phase
  Duration after;
  SourceLocation where;
};

struct SendBack {
  std::string to_step;
  std::vector<std::string> roles;  // who may send back; empty = the step's performers
  SourceLocation where;
};

struct Step {
  std::string id;
  std::string label;
  std::string help;
  std::vector<std::string> performers;  // roles that may complete the step
  std::vector<std::string> forms;       // forms collected in this step
  std::vector<std::string> after;       // parallel phases: steps of the same phase that must complete first
  std::vector<Requirement> requirements;
  std::vector<SignOff> signoffs;
  std::optional<Repeat> repeat;
  std::optional<DueRule> due;
  std::vector<SendBack> send_backs;
  bool reopenable = false;                // it has a <reopen>; without one, a completed step stays completed
  std::vector<std::string> reopen_roles;  // who may reopen it once completed; empty = its performers
  std::string phase;                      // id of the enclosing phase (filled by the loader)
  SourceLocation where;
};

struct Transition {
  std::string to;  // a phase id, or "end"
  std::optional<Expression> when;
  SourceLocation where;
};

struct Phase {
  std::string id;
  std::string label;
  std::string help;
  PhaseFlow flow = PhaseFlow::kSequence;
  std::optional<Duration> min_duration, max_duration;  // expected length; the phase is due at start + max
  std::vector<Step> steps;
  std::vector<Transition> transitions;  // tried in order; none = the next phase in the file, or the end
  bool final = false;                   // the process ends after this phase
  SourceLocation where;
};

struct Budget {  // a sum over forms that must stay within max, e.g. observer days <= 10
  std::string id;
  std::string label;
  std::string unit;
  double max = 0;
  Expression sum;
  // "form.group.column": the limit holds for each value of this column on its own (each observer's days),
  // and `sum` then reads only the rows with that value. Empty: one limit for the whole instance.
  std::string per;
  Message message;
  SourceLocation where;
};

struct DocumentRule {
  enum class Trigger { kStepComplete, kPhaseComplete, kManual };
  std::string id;
  std::string label;
  std::string plugin;             // "docx"
  std::string template_path;      // as written, relative to the template directory
  std::string resolved_template;  // absolute path checked by the loader
  std::vector<std::string> forms;
  std::vector<std::string> audience;  // `for`: the roles it is for; empty = all who may read every form
  Trigger trigger = Trigger::kManual;
  std::string trigger_target;
  SourceLocation where;
};

struct ExportColumn {
  std::string label;
  Expression value;
  SourceLocation where;
};

// One table of the management export (export.h): columns computed per instance. Exports of several
// workflows with the same sheet share one sheet, their columns matched by label.
struct ExportRule {
  enum class Rows {
    kInstances,  // a row per instance; a list column's items are joined in one cell
    kItems,      // a row per item of the list columns (a group's rows, a repeating step's occurrences)
  };
  std::string id;
  std::string label;
  std::string sheet;  // the sheet's name: `sheet`, else the label; at most 31 characters
  Rows rows = Rows::kInstances;
  std::vector<ExportColumn> columns;
  SourceLocation where;
};

struct WorkflowDefinition {
  std::string id;
  int version = 1;
  std::string lang = "sv";
  std::string title;
  std::string description;
  std::string source;
  std::string source_href;
  std::vector<Role> roles;
  std::vector<Form> forms;
  std::vector<Phase> phases;
  std::vector<Budget> budgets;
  std::vector<DocumentRule> documents;
  std::vector<ExportRule> exports;
  std::string file;  // where it was loaded from, for messages
  std::string xml;   // the source text, stored with the version

  const Role* FindRole(std::string_view id) const;
  const Form* FindForm(std::string_view id) const;
  // Who a document is for: its `for` roles, else the roles that may read every one of its forms.
  std::vector<std::string> DocumentAudience(const DocumentRule& rule) const;
  // Whether a document shows a field of one of its forms: only when every role it is for may see the
  // field, so that observation notes hidden from the rektor never reach a document the rektor reads.
  bool DocumentShows(const DocumentRule& rule, const Form& form, const Field& field) const;
  const Phase* FindPhase(std::string_view id) const;
  const Step* FindStep(std::string_view id) const;
  const Budget* FindBudget(std::string_view id) const;
  // The step (if any) whose occurrences repeat this form: values of such a form are kept per occurrence.
  const Step* RepeatingStepOf(std::string_view form_id) const;
  // Steps in flow order: phases in file order, steps in file order within each.
  std::vector<const Step*> AllSteps() const;
};

using DefinitionPtr = std::shared_ptr<const WorkflowDefinition>;

}  // namespace spegla
