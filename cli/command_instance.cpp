// spegla instance ... and spegla tasks: walking a process from a shell.
#include <climits>

#include "commands.h"
#include "json_output.h"

namespace spegla::cli {
namespace {

// The instance id (first positional) and an open engine. Returns kExitOk, or the exit code after printing
// what went wrong.
int Prepare(Context& c, std::int64_t* id, std::unique_ptr<Engine>* engine) {
  std::optional<std::int64_t> parsed = c.Id(c.args.positional()[0], "INSTANCE");
  if (!parsed) return kExitUsage;
  *id = *parsed;
  *engine = c.OpenEngine();
  return *engine ? kExitOk : kExitFailure;
}

const char* Mark(State state) {
  switch (state) {
    case State::kCompleted:
      return "[x]";
    case State::kActive:
      return "[>]";
    case State::kPending:
      return "[ ]";
  }
  return "[?]";
}

std::string RoleLabel(const WorkflowDefinition& def, const std::string& id) {
  const Role* role = def.FindRole(id);
  return role ? role->label : id;
}

std::string Roles(const WorkflowDefinition& def, const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + RoleLabel(def, id);
  return out;
}

void PrintInstance(std::ostream& out, const InstanceView& view) {
  const InstanceSummary& s = view.summary;
  const WorkflowDefinition& def = *view.definition;
  out << "#" << s.id << " " << s.title << "\n"
      << "  process: " << def.title << " (" << s.workflow_id << " v" << s.workflow_version << ")\n"
      << "  unit:    " << s.unit << ", " << s.municipality << "\n"
      << "  status:  " << s.status << (s.current_phase.empty() ? "" : ", phase " + s.current_phase) << "\n"
      << "  created: " << FormatTimestamp(s.created_at) << " by " << view.created_by << "\n";
  out << "\nPhases:\n";
  for (const PhaseView& p : view.phases) {
    out << "  " << Mark(p.state) << " " << p.phase->label << " [" << p.phase->id << "]";
    if (p.due) out << "  due " << p.due->ToString();
    if (p.overdue) out << "  OVERDUE";
    out << "\n";
    for (const StepView& st : p.steps) {
      out << "      " << Mark(st.state) << " " << st.step->label << " [" << st.step->id << "]  ("
          << Roles(def, st.step->performers) << ")";
      if (st.step->repeat) {
        out << "  " << st.occurrences;
        if (st.step->repeat->max) out << "/" << *st.step->repeat->max;
        out << " "
            << (st.step->repeat->occurrence_label.empty() ? "occurrences"
                                                          : st.step->repeat->occurrence_label);
      }
      if (st.due) out << "  due " << st.due->ToString();
      if (st.next_due) out << "  next due " << st.next_due->ToString();
      if (st.overdue) out << "  OVERDUE";
      if (!st.signed_by_roles.empty()) out << "  signed by " << Roles(def, st.signed_by_roles);
      if (st.completed) out << "  done " << FormatTimestamp(*st.completed) << " by " << st.completed_by;
      out << "\n";
    }
  }
  out << "\nParticipants:\n";
  if (view.participants.empty()) out << "  (none)\n";
  for (const ParticipantView& p : view.participants) {
    out << "  " << RoleLabel(def, p.role) << ": " << p.display_name << " (" << p.username << ")"
        << (p.organisation_wide ? " [municipality-wide]" : "") << "\n";
  }
  if (!view.budgets.empty()) {
    out << "\nBudgets:\n";
    for (const BudgetView& b : view.budgets) {
      out << "  " << b.budget->label << ": " << DisplayValue(Value{b.used}) << " of "
          << DisplayValue(Value{b.budget->max}) << " " << b.budget->unit
          << (b.used > b.budget->max ? "  OVER" : "") << (b.budget->per.empty() ? "" : "  (each)") << "\n";
      for (const auto& [who, used] : b.per) {
        out << "    " << who << ": " << DisplayValue(Value{used}) << " " << b.budget->unit << "\n";
      }
    }
  }
}

void PrintForm(std::ostream& out, const FormView& form) {
  out << form.form->label << " [" << form.form->id << "]"
      << (form.occurrence > 0 ? " #" + std::to_string(form.occurrence) : "")
      << (form.locked ? "  (locked)" : "") << "\n";
  for (const FieldView& f : form.fields) {
    out << "  " << f.field->label << " [" << f.field->id << ", " << ToString(f.field->type) << ", "
        << ToString(f.rights) << (f.field->required() ? ", required" : "") << (f.visible ? "" : ", not shown")
        << "]: " << DisplayValue(f.value);
    if (f.version > 0) out << "   (v" << f.version << ", " << f.author << ")";
    out << "\n";
    if (auto* rows = std::get_if<std::vector<Row>>(&f.value.data)) {
      for (size_t i = 0; i < rows->size(); ++i) {
        out << "      " << i + 1 << ".";
        for (const Field& column : f.field->columns) {
          auto cell = (*rows)[i].find(column.id);
          out << " " << column.label << ": " << (cell == (*rows)[i].end() ? "" : DisplayValue(cell->second))
              << ";";
        }
        out << "\n";
      }
    }
  }
}

int Create(Context& c) {
  std::optional<std::string> unit_text = c.args.Get("unit");
  if (!unit_text) return c.Usage("instance create needs --unit ID");
  std::optional<std::int64_t> unit = c.Id(*unit_text, "--unit");
  if (!unit) return kExitUsage;
  std::optional<std::int64_t> team;
  if (auto t = c.args.Get("team")) {
    team = c.Id(*t, "--team");
    if (!team) return kExitUsage;
  }
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  Result<std::int64_t> id =
      engine->CreateInstance(c.actor(), c.args.positional()[0], *unit, c.args.GetOr("title", ""), team);
  if (!id) return c.Fail(id.error());
  if (c.json()) {
    c.out << OkJson({{"id", id.value()}}) << "\n";
  } else {
    c.out << "instance " << id.value() << "\n";
  }
  return kExitOk;
}

int ListInstances(Context& c) {
  InstanceFilter filter;
  for (const char* name : {"municipality", "unit"}) {
    if (auto v = c.args.Get(name)) {
      std::optional<std::int64_t> id = c.Id(*v, std::string("--") + name);
      if (!id) return kExitUsage;
      (std::string(name) == "unit" ? filter.unit_id : filter.municipality_id) = *id;
    }
  }
  filter.workflow_id = c.args.Get("workflow");
  filter.status = c.args.Get("status");
  for (const char* name : {"limit", "offset"}) {
    if (auto v = c.args.Get(name)) {
      std::optional<long long> n = ParseCount(*v);
      if (!n) return c.Usage(std::string("--") + name + " must be a number");
      (std::string(name) == "limit" ? filter.limit : filter.offset) = static_cast<size_t>(*n);
    }
  }
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  std::vector<InstanceSummary> instances = engine->ListInstances(filter);
  if (c.json()) {
    c.out << InstancesJson(instances) << "\n";
    return kExitOk;
  }
  for (const InstanceSummary& s : instances) {
    c.out << s.id << "  " << s.workflow_id << " v" << s.workflow_version << "  " << s.status
          << (s.current_phase.empty() ? "" : "/" + s.current_phase) << "  " << s.unit << ", "
          << s.municipality << "  " << s.title << "\n";
  }
  return kExitOk;
}

int Show(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  if (auto form = c.args.Get("form")) {
    int occurrence = 0;
    if (auto o = c.args.Get("occurrence")) {
      std::optional<long long> n = ParseCount(*o);
      if (!n) return c.Usage("--occurrence must be a number");
      occurrence = static_cast<int>(*n);
    }
    Result<FormView> view = engine->GetForm(c.actor(), id, *form, occurrence);
    if (!view) return c.Fail(view.error());
    if (c.json()) {
      c.out << FormJson(view.value(), id) << "\n";
    } else {
      PrintForm(c.out, view.value());
    }
    return kExitOk;
  }
  Result<InstanceView> view = engine->GetInstance(c.actor(), id);
  if (!view) return c.Fail(view.error());
  if (c.json()) {
    c.out << InstanceJson(view.value()) << "\n";
  } else {
    PrintInstance(c.out, view.value());
  }
  return kExitOk;
}

int Assign(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  const std::string& role = c.args.positional()[1];
  const std::string& user = c.args.positional()[2];
  return c.Confirm(engine->AssignParticipant(c.actor(), id, role, user), user + " is " + role);
}

int Unassign(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  const std::string& role = c.args.positional()[1];
  const std::string& user = c.args.positional()[2];
  return c.Confirm(engine->RemoveParticipant(c.actor(), id, role, user), user + " is no longer " + role);
}

int Set(Context& c) {
  const std::vector<std::string>& pos = c.args.positional();
  if (pos.size() % 2 == 0) return c.Usage("instance set takes FORM.FIELD VALUE pairs after the instance id");
  int occurrence = 0;
  if (auto o = c.args.Get("occurrence")) {
    std::optional<long long> n = ParseCount(*o);
    if (!n) return c.Usage("--occurrence must be a number");
    occurrence = static_cast<int>(*n);
  }
  std::optional<int> expected;
  if (auto v = c.args.Get("if-version")) {
    std::optional<long long> n = ParseCount(*v);
    if (!n) return c.Usage("--if-version must be a number");
    if (pos.size() != 3) return c.Usage("--if-version applies to a single FORM.FIELD VALUE pair");
    expected = static_cast<int>(*n);
  }
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  Result<InstanceView> view = engine->GetInstance(c.actor(), id);
  if (!view) return c.Fail(view.error());
  const WorkflowDefinition& def = *view.value().definition;

  std::string form_id;
  std::vector<FieldChange> changes;
  std::vector<Issue> issues;
  for (size_t i = 1; i + 1 < pos.size(); i += 2) {
    const std::string& path = pos[i];
    size_t dot = path.find('.');
    if (dot == std::string::npos) return c.Usage("'" + path + "' must be FORM.FIELD");
    std::string form = path.substr(0, dot), field_id = path.substr(dot + 1);
    if (!form_id.empty() && form != form_id)
      return c.Usage("all fields of one 'instance set' must be in one form");
    form_id = form;
    const Form* f = def.FindForm(form);
    const Field* field = f ? f->FindField(field_id) : nullptr;
    if (!field) {
      issues.push_back({path, "Processen har inget fält " + path + "."});
      continue;
    }
    std::string error;
    std::optional<Value> value = c.args.Has("json-value") ? DecodeValue(*field, pos[i + 1], &error)
                                                          : ParseValueText(*field, pos[i + 1], &error);
    if (!value) {
      issues.push_back({path, error});
      continue;
    }
    changes.push_back(FieldChange{field_id, std::move(*value), expected});
  }
  if (!issues.empty()) return c.Fail(Error{ErrorCode::kInvalid, issues});
  Result<std::vector<int>> versions = engine->SetFields(c.actor(), id, form_id, occurrence, changes);
  if (!versions) return c.Fail(versions.error());
  if (c.json()) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (size_t i = 0; i < changes.size(); ++i) out.emplace_back(changes[i].field, versions.value()[i]);
    c.out << OkJson(out) << "\n";
  } else {
    for (size_t i = 0; i < changes.size(); ++i) {
      c.out << form_id << "." << changes[i].field;
      if (occurrence) c.out << "#" << occurrence;
      c.out << " = " << DisplayValue(changes[i].value) << "  (v" << versions.value()[i] << ")\n";
    }
  }
  return kExitOk;
}

int AddOccurrence(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  Result<int> number = engine->AddOccurrence(c.actor(), id, c.args.positional()[1]);
  if (!number) return c.Fail(number.error());
  if (c.json()) {
    c.out << OkJson({{"occurrence", number.value()}}) << "\n";
  } else {
    c.out << "occurrence " << number.value() << " of " << c.args.positional()[1] << "\n";
  }
  return kExitOk;
}

int Sign(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  return c.Confirm(engine->SignOff(c.actor(), id, c.args.positional()[1]),
                   "signed off " + c.args.positional()[1]);
}

int Complete(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  Result<Ok> done = engine->CompleteStep(c.actor(), id, c.args.positional()[1]);
  if (!done) return c.Fail(done.error());
  Result<InstanceView> view = engine->GetInstance(c.actor(), id);
  if (c.json()) {
    c.out << OkJson() << "\n";
  } else if (view) {
    const InstanceSummary& s = view.value().summary;
    c.out << "completed " << c.args.positional()[1] << "; instance is "
          << (s.status == "completed" ? "completed" : "in phase " + s.current_phase) << "\n";
  }
  return kExitOk;
}

int SendBack(Context& c) {
  std::optional<std::string> reason = c.args.Get("reason");
  if (!reason) return c.Usage("send-back needs --reason TEXT");
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  const std::string& from = c.args.positional()[1];
  const std::string& to = c.args.positional()[2];
  return c.Confirm(engine->SendBack(c.actor(), id, from, to, *reason),
                   "sent back from " + from + " to " + to);
}

int Reopen(Context& c) {
  std::optional<std::string> reason = c.args.Get("reason");
  if (!reason) return c.Usage("reopen needs --reason TEXT");
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  const std::string& step = c.args.positional()[1];
  return c.Confirm(engine->Reopen(c.actor(), id, step, *reason), "reopened " + step);
}

int Log(Context& c) {
  std::int64_t id;
  std::unique_ptr<Engine> engine;
  if (int status = Prepare(c, &id, &engine)) return status;
  Result<std::vector<AuditEntry>> entries = engine->AuditLog(c.actor(), id);
  if (!entries) return c.Fail(entries.error());
  if (c.json()) {
    c.out << AuditJson(entries.value()) << "\n";
    return kExitOk;
  }
  for (const AuditEntry& e : entries.value()) {
    c.out << FormatTimestamp(e.at) << "  " << e.actor << "  " << e.action << "  " << e.target;
    if (e.old_value || e.new_value) {
      c.out << ": " << (e.old_value ? "'" + *e.old_value + "'" : "(none)") << " -> "
            << (e.new_value ? "'" + *e.new_value + "'" : "(none)");
    }
    if (!e.detail.empty()) c.out << "  (" << e.detail << ")";
    c.out << "\n";
  }
  return kExitOk;
}

int Tasks(Context& c) {
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  Actor actor = c.actor();
  std::vector<Task> tasks =
      engine->Tasks(actor.is_operator ? std::nullopt : std::optional<std::string>(actor.username));
  if (c.json()) {
    c.out << TasksJson(tasks) << "\n";
    return kExitOk;
  }
  for (const Task& t : tasks) {
    c.out << (t.overdue ? "OVERDUE " : "        ") << (t.due ? t.due->ToString() : "          ") << "  #"
          << t.instance_id << " " << t.instance_title << " — " << t.phase_label << ": " << t.step_label
          << " [" << t.step_id << "]" << (t.signoff_label.empty() ? "" : " — sign off: " + t.signoff_label)
          << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddInstanceCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"instance create",
                             "WORKFLOW --unit ID [--title TEXT] [--team ID]",
                             "start an instance of the latest version of a workflow for a unit",
                             {},
                             {"unit", "title", "team"},
                             1,
                             1,
                             Create});
  commands.push_back(Command{"instance list",
                             "[--municipality ID] [--unit ID] [--workflow ID] [--status active|completed] "
                             "[--limit N] [--offset N]",
                             "list instances",
                             {},
                             {"municipality", "unit", "workflow", "status", "limit", "offset"},
                             0,
                             0,
                             ListInstances});
  commands.push_back(Command{"instance show",
                             "INSTANCE [--form FORM [--occurrence N]]",
                             "phases, steps, deadlines, participants and budgets; or one form's values",
                             {},
                             {"form", "occurrence"},
                             1,
                             1,
                             Show});
  commands.push_back(Command{
      "instance assign", "INSTANCE ROLE USERNAME", "assign a participant to a role", {}, {}, 3, 3, Assign});
  commands.push_back(Command{"instance unassign",
                             "INSTANCE ROLE USERNAME",
                             "remove a participant from a role",
                             {},
                             {},
                             3,
                             3,
                             Unassign});
  commands.push_back(
      Command{"instance set",
              "INSTANCE FORM.FIELD VALUE [FORM.FIELD VALUE ...] [--occurrence N] [--if-version N] "
              "[--json-value]",
              "write form fields (one form, all or nothing); VALUE \"\" clears a field",
              {"json-value"},
              {"occurrence", "if-version"},
              3,
              SIZE_MAX,
              Set});
  commands.push_back(Command{"instance occurrence",
                             "INSTANCE STEP",
                             "add the next occurrence of a repeating step (a visit day, a meeting)",
                             {},
                             {},
                             2,
                             2,
                             AddOccurrence});
  commands.push_back(
      Command{"instance sign", "INSTANCE STEP", "sign off a step in your role", {}, {}, 2, 2, Sign});
  commands.push_back(Command{"instance complete",
                             "INSTANCE STEP",
                             "complete a step; refused with every reason when a rule does not hold",
                             {},
                             {},
                             2,
                             2,
                             Complete});
  commands.push_back(Command{"instance send-back",
                             "INSTANCE FROM_STEP TO_STEP --reason TEXT",
                             "send an open step back to an earlier step",
                             {},
                             {"reason"},
                             3,
                             3,
                             SendBack});
  commands.push_back(Command{"instance reopen",
                             "INSTANCE STEP --reason TEXT",
                             "reopen a completed step",
                             {},
                             {"reason"},
                             2,
                             2,
                             Reopen});
  commands.push_back(Command{
      "instance log", "INSTANCE", "the audit log: who changed what, when, old -> new", {}, {}, 1, 1, Log});
  commands.push_back(Command{"tasks",
                             "[--as USER]",
                             "open steps with due dates and overdue marks (yours, or all for the operator)",
                             {},
                             {},
                             0,
                             0,
                             Tasks});
}

}  // namespace spegla::cli
