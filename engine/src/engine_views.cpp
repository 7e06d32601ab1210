// Read models: instance views with due dates and budgets, forms as a viewer may see them, task lists,
// the audit log; and the expression context that reads an instance's values.
#include <algorithm>
#include <cstdio>

#include "engine_internal.h"
#include "text.h"

namespace spegla {
namespace {

std::optional<Date> DateOfTime(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return DateOf(*t);
}

}  // namespace

const char* ToString(State state) {
  switch (state) {
    case State::kPending:
      return "pending";
    case State::kActive:
      return "active";
    case State::kCompleted:
      return "completed";
  }
  return "?";
}

ExprValue InstanceContext::ValueOf(std::string_view canonical) const {
  std::vector<std::string> parts = SplitDots(canonical);
  if (parts.size() < 2) return ExprValue::Empty();
  const std::string& form = parts[0];
  const std::string& field = parts[1];
  const std::string column = parts.size() > 2 ? parts[2] : std::string();
  const Step* repeating = inst_.def->RepeatingStepOf(form);
  if (!repeating || form == bound_form_) {
    int occurrence = form == bound_form_ ? bound_occurrence_ : 0;
    return ToExprValue(inst_.Find(form, occurrence, field), column);
  }
  // A repeating form read from elsewhere: the values of every occurrence, as one list.
  std::vector<ExprValue::Scalar> items;
  for (int i = 1; i <= inst_.OccurrenceCount(repeating->id); ++i) {
    ExprValue v = ToExprValue(inst_.Find(form, i, field), column);
    if (v.is_list) {
      items.insert(items.end(), v.list.begin(), v.list.end());
    } else {
      items.push_back(v.scalar);
    }
  }
  return ExprValue::List(std::move(items));
}

int InstanceContext::AssignedCount(std::string_view role) const {
  auto it = inst_.participants.find(std::string(role));
  return it == inst_.participants.end() ? 0 : static_cast<int>(it->second.size());
}

std::optional<Date> InstanceContext::Started(std::string_view phase_or_step) const {
  std::string id(phase_or_step);
  std::optional<Timestamp> started;
  if (auto phase = inst_.phases.find(id); phase != inst_.phases.end()) {
    started = phase->second.started;
  } else if (auto step = inst_.steps.find(id); step != inst_.steps.end()) {
    started = step->second.started;
  }
  if (!started) return std::nullopt;
  return DateOf(*started);
}

namespace {

// Shows the sum of a budget `per` a column only the rows of one value: lists of the group's columns are
// filtered by `keep`, one flag per row; everything else reads through.
class RowFilterContext final : public ExprContext {
 public:
  RowFilterContext(const ExprContext& base, std::string group_prefix, std::vector<bool> keep)
      : base_(base), prefix_(std::move(group_prefix)), keep_(std::move(keep)) {}

  ExprValue ValueOf(std::string_view canonical) const override {
    ExprValue value = base_.ValueOf(canonical);
    if (canonical.rfind(prefix_, 0) != 0 || !value.is_list || value.list.size() != keep_.size()) return value;
    std::vector<ExprValue::Scalar> kept;
    for (size_t i = 0; i < keep_.size(); ++i) {
      if (keep_[i]) kept.push_back(value.list[i]);
    }
    return ExprValue::List(std::move(kept));
  }
  int AssignedCount(std::string_view role) const override { return base_.AssignedCount(role); }
  std::optional<Date> Started(std::string_view id) const override { return base_.Started(id); }
  Date Today() const override { return base_.Today(); }

 private:
  const ExprContext& base_;
  std::string prefix_;
  std::vector<bool> keep_;
};

double NumberOf(const ExprValue& v) {
  return std::holds_alternative<double>(v.scalar) ? std::get<double>(v.scalar) : 0.0;
}

}  // namespace

std::string DisplayNameOf(const Engine::Loaded& inst, const std::string& username_or_text) {
  for (const auto& [role, people] : inst.participants) {
    for (const Engine::Loaded::Person& p : people) {
      if (p.username == username_or_text) return p.display_name;
    }
  }
  return username_or_text;
}

std::vector<BudgetUse> BudgetUses(const Budget& budget, const Engine::Loaded& inst, Date today) {
  InstanceContext context(inst, today);
  if (budget.per.empty()) return {BudgetUse{{}, NumberOf(budget.sum.Evaluate(context))}};
  ExprValue keys = context.ValueOf(budget.per);
  std::vector<BudgetUse> uses;
  std::vector<std::string> seen;
  for (const ExprValue::Scalar& key : keys.list) {
    const std::string* text = std::get_if<std::string>(&key);
    if (!text || text->empty() || std::find(seen.begin(), seen.end(), *text) != seen.end()) continue;
    seen.push_back(*text);
    std::vector<bool> keep;
    for (const ExprValue::Scalar& other : keys.list) {
      const std::string* other_text = std::get_if<std::string>(&other);
      keep.push_back(other_text && *other_text == *text);
    }
    RowFilterContext rows(context, budget.per.substr(0, budget.per.rfind('.') + 1), std::move(keep));
    uses.push_back(BudgetUse{*text, NumberOf(budget.sum.Evaluate(rows))});
  }
  return uses;
}

bool Holds(const Expression& e, const ExprContext& context) { return e.Evaluate(context).IsTrue(); }

bool FieldVisible(const Engine::Loaded& inst, const Form& form, const Field& field, int occurrence,
                  Date today) {
  if (!field.visible_if) return true;
  return Holds(*field.visible_if, InstanceContext(inst, today, form.id, occurrence));
}

InstanceView Engine::BuildView(const Loaded& inst) const {
  InstanceView view;
  view.summary = inst.summary;
  view.definition = inst.def;
  view.created_by = inst.created_by;
  view.completed_at = inst.completed_at;
  const Date today = clock_.Today();

  auto phase_state = [&](const std::string& id) -> const Loaded::PhaseState* {
    auto it = inst.phases.find(id);
    return it == inst.phases.end() ? nullptr : &it->second;
  };
  auto step_state = [&](const std::string& id) -> const Loaded::StepState* {
    auto it = inst.steps.find(id);
    return it == inst.steps.end() ? nullptr : &it->second;
  };

  for (const Phase& phase : inst.def->phases) {
    PhaseView pv;
    pv.phase = &phase;
    if (const Loaded::PhaseState* ps = phase_state(phase.id)) {
      pv.state = ps->state;
      pv.started = ps->started;
      pv.completed = ps->completed;
      if (ps->started && phase.max_duration) pv.due = DateOf(*ps->started).Plus(*phase.max_duration);
    }
    pv.overdue = pv.state == State::kActive && pv.due && *pv.due < today;
    for (const Step& step : phase.steps) {
      StepView sv;
      sv.step = &step;
      if (const Loaded::StepState* ss = step_state(step.id)) {
        sv.state = ss->state;
        sv.started = ss->started;
        sv.completed = ss->completed;
        sv.completed_by = ss->completed_by;
      }
      sv.occurrences = inst.OccurrenceCount(step.id);
      if (auto it = inst.signoffs.find(step.id); it != inst.signoffs.end()) {
        for (const auto& [role, user] : it->second) sv.signed_by_roles.push_back(role);
      }
      if (step.due) {
        std::optional<Date> anchor;
        const std::string& target = step.due->target;
        switch (step.due->anchor) {
          case DueRule::Anchor::kInstanceStart:
            anchor = DateOf(inst.summary.created_at);
            break;
          case DueRule::Anchor::kPhaseStart:
            if (const Loaded::PhaseState* ps = phase_state(target.empty() ? phase.id : target)) {
              anchor = DateOfTime(ps->started);
            }
            break;
          case DueRule::Anchor::kPhaseComplete:
            if (const Loaded::PhaseState* ps = phase_state(target)) anchor = DateOfTime(ps->completed);
            break;
          case DueRule::Anchor::kStepComplete:
            if (const Loaded::StepState* ss = step_state(target)) anchor = DateOfTime(ss->completed);
            break;
          case DueRule::Anchor::kField: {
            std::vector<std::string> parts = SplitDots(target);
            if (parts.size() == 2) {
              if (const Value* v = inst.Find(parts[0], 0, parts[1])) {
                if (auto* d = std::get_if<Date>(&v->data)) anchor = *d;
              }
            }
            break;
          }
        }
        if (anchor) sv.due = anchor->Plus(step.due->after);
      }
      if (step.repeat && step.repeat->every && sv.state == State::kActive) {
        auto occ = inst.occurrences.find(step.id);
        std::optional<Timestamp> base = occ != inst.occurrences.end() && !occ->second.empty()
                                            ? std::optional(occ->second.back())
                                            : sv.started;
        if (base) sv.next_due = DateOf(*base).Plus(*step.repeat->every);
      }
      sv.overdue = sv.state == State::kActive &&
                   ((sv.due && *sv.due < today) || (sv.next_due && *sv.next_due < today));
      pv.steps.push_back(std::move(sv));
    }
    view.phases.push_back(std::move(pv));
  }
  for (const Role& role : inst.def->roles) {
    auto it = inst.participants.find(role.id);
    if (it == inst.participants.end()) continue;
    for (const Loaded::Person& p : it->second) {
      view.participants.push_back(ParticipantView{role.id, p.username, p.display_name, p.organisation_wide});
    }
  }
  for (const Budget& budget : inst.def->budgets) {
    BudgetView bv{&budget, 0.0, {}};
    for (const BudgetUse& use : BudgetUses(budget, inst, today)) {
      bv.used = std::max(bv.used, use.used);
      if (!budget.per.empty()) bv.per.emplace_back(DisplayNameOf(inst, use.key), use.used);
    }
    view.budgets.push_back(std::move(bv));
  }
  return view;
}

Result<InstanceView> Engine::GetInstance(const Actor& viewer, std::int64_t instance) {
  return Read<InstanceView>([&]() -> Result<InstanceView> {
    Result<std::shared_ptr<const Loaded>> inst = LoadForReading(instance);
    if (!inst) return inst.error();
    bool hide_participants = false;
    if (Result<Ok> may = MayViewInstance(*db_, *inst.value(), viewer, &hide_participants); !may) {
      return may.error();
    }
    InstanceView view = BuildView(*inst.value());
    if (hide_participants) {
      // Förvaltning follows the process, not the people: no names, neither listed nor as who completed a
      // step or used how much of a budget.
      view.participants.clear();
      view.created_by.clear();
      for (PhaseView& phase : view.phases) {
        for (StepView& step : phase.steps) step.completed_by.clear();
      }
      for (BudgetView& budget : view.budgets) budget.per.clear();
    }
    return view;
  });
}

std::string FormEtag(const FormView& form) {
  // FNV-1a over the field ids and versions the viewer sees: cheap, and it reveals no value.
  std::uint64_t hash = 1469598103934665603ull;
  auto mix = [&hash](std::string_view text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
  };
  mix(form.form->id);
  mix("#" + std::to_string(form.occurrence));
  for (const FieldView& f : form.fields) {
    mix(f.field->id);
    mix(":" + std::to_string(f.version) + ";");
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

Result<FormView> Engine::BuildFormView(const Loaded& inst, const Actor& viewer, const std::string& form_id,
                                       int occurrence, bool next_occurrence) {
  if (Result<Ok> may = MayViewInstance(*db_, inst, viewer, nullptr); !may) return may.error();
  // Field rights come from the viewer's roles in the instance only: a global role (an administrator,
  // förvaltning) sees the instance but no form values.
  const Form* form = inst.def->FindForm(form_id);
  if (!form) return Error::Of(ErrorCode::kNotFound, "Processen har inget formulär ”" + form_id + "”.");
  const Step* repeating = inst.def->RepeatingStepOf(form_id);
  const int last = repeating ? inst.OccurrenceCount(repeating->id) + (next_occurrence ? 1 : 0) : 0;
  if (repeating ? (occurrence < 1 || occurrence > last) : occurrence != 0) {
    return Error::Of(ErrorCode::kNotFound, "Formuläret ”" + form->label + "” har inget tillfälle " +
                                               std::to_string(occurrence) + ".");
  }
  std::vector<std::string> roles = RolesOf(inst, viewer);
  FormView view;
  view.form = form;
  view.occurrence = occurrence;
  std::string why;
  view.locked = FormLocked(inst, *form, &why);
  const Date today = clock_.Today();
  bool sees_anything = viewer.is_operator;
  for (const Field& field : form->fields) {
    Rights rights = viewer.is_operator ? Rights::kView : RightsOn(inst, roles, *form, field);
    if (rights == Rights::kHidden) continue;
    sees_anything = true;
    FieldView fv;
    fv.field = &field;
    fv.rights = view.locked ? std::min(rights, Rights::kView) : rights;
    fv.visible = FieldVisible(inst, *form, field, occurrence, today);
    auto it = inst.values.find(ValueKey{form_id, occurrence, field.id});
    if (it != inst.values.end()) {
      fv.value = it->second.value;
      fv.version = it->second.version;
      fv.author = it->second.author;
      fv.updated_at = it->second.updated;
    }
    view.fields.push_back(std::move(fv));
  }
  if (!sees_anything) {
    return Error::Of(ErrorCode::kForbidden, "Du har inte rätt att se formuläret ”" + form->label + "”.");
  }
  view.etag = FormEtag(view);
  return view;
}

Result<FormView> Engine::GetForm(const Actor& viewer, std::int64_t instance, const std::string& form_id,
                                 int occurrence, bool next_occurrence) {
  return Read<FormView>([&]() -> Result<FormView> {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(instance);
    if (!loaded) return loaded.error();
    return BuildFormView(*loaded.value(), viewer, form_id, occurrence, next_occurrence);
  });
}

namespace {

// The filter's conditions on kSummaryTables, appended to `sql` and `params`.
void AddFilter(const InstanceFilter& filter, std::string& sql, std::vector<Database::Param>& params) {
  if (filter.municipality_id) {
    sql += " AND m.id = ?";
    params.emplace_back(*filter.municipality_id);
  }
  if (filter.unit_id) {
    sql += " AND i.unit_id = ?";
    params.emplace_back(*filter.unit_id);
  }
  if (filter.workflow_id) {
    sql += " AND i.workflow_id = ?";
    params.emplace_back(*filter.workflow_id);
  }
  if (filter.status) {
    sql += " AND i.status = ?";
    params.emplace_back(*filter.status);
  }
}

void AddPage(const InstanceFilter& filter, std::string& sql, std::vector<Database::Param>& params) {
  sql += " ORDER BY i.id LIMIT ? OFFSET ?";
  params.emplace_back(static_cast<std::int64_t>(filter.limit));
  params.emplace_back(static_cast<std::int64_t>(filter.offset));
}

}  // namespace

std::vector<InstanceSummary> Engine::ListInstances(const InstanceFilter& filter) {
  std::unique_lock lock = Lock();
  std::string sql = std::string("SELECT ") + kSummaryColumns + " " + kSummaryTables + " WHERE 1 = 1";
  std::vector<Database::Param> params;
  AddFilter(filter, sql, params);
  AddPage(filter, sql, params);
  std::vector<InstanceSummary> out;
  for (const Database::Row& r : db_->Query(sql, params)) out.push_back(SummaryFromRow(r));
  return out;
}

InstancePage Engine::ListInstances(const Actor& viewer, const InstanceFilter& filter) {
  std::unique_lock lock = Lock();
  VisibleCondition visible = VisibleInstances(
      *db_, viewer, [this](const std::string& id, int version) { return LoadDefinition(id, version); });
  std::string where = " WHERE 1 = 1";
  std::vector<Database::Param> params;
  if (!visible.where.empty()) {
    where += " AND " + visible.where;
    params = visible.params;
  }
  AddFilter(filter, where, params);
  InstancePage page;
  std::vector<Database::Row> count =
      db_->Query(std::string("SELECT COUNT(*) ") + kSummaryTables + where, params);
  page.total = count.empty() ? 0 : static_cast<size_t>(count[0].Int(0));
  std::string sql = std::string("SELECT ") + kSummaryColumns + " " + kSummaryTables + where;
  AddPage(filter, sql, params);
  for (const Database::Row& r : db_->Query(sql, params)) page.items.push_back(SummaryFromRow(r));
  return page;
}

std::vector<Task> Engine::Tasks(std::optional<std::string> username) {
  std::unique_lock lock = Lock();
  std::vector<std::int64_t> ids;
  if (username) {
    for (const Database::Row& r : db_->Query(
             "SELECT DISTINCT i.id FROM instances i JOIN units u ON u.id = i.unit_id "
             "LEFT JOIN participants p ON p.instance_id = i.id LEFT JOIN users pu ON pu.id = p.user_id "
             "LEFT JOIN organisation_roles o ON o.municipality_id = u.municipality_id "
             "LEFT JOIN users ou ON ou.id = o.user_id "
             "WHERE i.status = 'active' AND (pu.username = ? OR ou.username = ?) ORDER BY i.id",
             {*username, *username})) {
      ids.push_back(r.Int(0));
    }
  } else {
    for (const Database::Row& r :
         db_->Query("SELECT id FROM instances WHERE status = 'active' ORDER BY id")) {
      ids.push_back(r.Int(0));
    }
  }
  std::vector<Task> tasks;
  for (std::int64_t id : ids) {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(id);
    if (!loaded) continue;
    const Loaded& inst = *loaded.value();
    std::vector<std::string> roles =
        username ? RolesOf(inst, Actor::User(*username)) : std::vector<std::string>{};
    InstanceView view = BuildView(inst);
    for (const PhaseView& pv : view.phases) {
      for (const StepView& sv : pv.steps) {
        if (sv.state != State::kActive) continue;
        auto holds = [&](const std::string& r) { return std::count(roles.begin(), roles.end(), r) > 0; };
        // A sign-off still missing is a task for whoever holds the signing role.
        std::string signoff_label;
        for (const spegla::SignOff& signoff : sv.step->signoffs) {
          bool signed_already =
              std::count(sv.signed_by_roles.begin(), sv.signed_by_roles.end(), signoff.role);
          if (username && holds(signoff.role) && !signed_already) {
            signoff_label = signoff.label.empty() ? sv.step->label : signoff.label;
          }
        }
        bool performs =
            !username || std::any_of(sv.step->performers.begin(), sv.step->performers.end(), holds);
        if (!performs && signoff_label.empty()) continue;
        Task t;
        if (!performs) t.signoff_label = signoff_label;
        t.instance_id = id;
        t.instance_title = inst.summary.title;
        t.unit = inst.summary.unit;
        t.step_id = sv.step->id;
        t.step_label = sv.step->label;
        t.phase_label = pv.phase->label;
        t.performers = sv.step->performers;
        t.due = sv.due ? sv.due : sv.next_due;
        t.overdue = sv.overdue;
        tasks.push_back(std::move(t));
      }
    }
  }
  std::stable_sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) {
    if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
    return a.due && b.due && *a.due < *b.due;
  });
  return tasks;
}

namespace {

AuditEntry AuditFromRow(const Database::Row& r) {
  AuditEntry e;
  e.id = r.Int(0);
  if (!r.IsNull(1)) e.instance_id = r.Int(1);
  e.at = ParseTimestamp(r.Text(2)).value_or(Timestamp{});
  e.actor = r.Text(3);
  e.action = r.Text(4);
  e.target = r.Text(5);
  e.old_value = r.Optional(6);
  e.new_value = r.Optional(7);
  e.detail = r.Text(8);
  return e;
}

constexpr const char* kAuditColumns =
    "id, instance_id, at, actor, action, target, old_value, new_value, detail";

}  // namespace

Result<std::vector<AuditEntry>> Engine::AuditLog(const Actor& viewer, std::int64_t instance) {
  return Read<std::vector<AuditEntry>>([&]() -> Result<std::vector<AuditEntry>> {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(instance);
    if (!loaded) return loaded.error();
    const Loaded& inst = *loaded.value();
    if (Result<Ok> may = MayReadAuditLog(*db_, inst, viewer); !may) return may.error();
    std::vector<std::string> roles = RolesOf(inst, viewer);
    std::vector<AuditEntry> out;
    for (const Database::Row& r : db_->Query(
             std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE instance_id = ? ORDER BY id",
             {instance})) {
      AuditEntry entry = AuditFromRow(r);
      // The log shows that a field changed to everyone who may see the log, but its values only to those
      // whose roles may see the field: observation notes about children stay with the observers.
      const bool about_field = entry.action == "field.set" ||
                               (entry.action.rfind("comment.", 0) == 0 && entry.detail == "field");
      if (about_field && !viewer.is_operator) {
        std::vector<std::string> parts = SplitDots(entry.target.substr(0, entry.target.find('#')));
        const Form* form = parts.size() == 2 ? inst.def->FindForm(parts[0]) : nullptr;
        const Field* field = form ? form->FindField(parts[1]) : nullptr;
        if (!field || RightsOn(inst, roles, *form, *field) == Rights::kHidden) {
          entry.old_value.reset();
          entry.new_value.reset();
          entry.detail = "värdet visas inte för din roll";
        }
      }
      out.push_back(std::move(entry));
    }
    return out;
  });
}

std::vector<AuditEntry> Engine::GlobalAuditLog(size_t limit) {
  std::unique_lock lock = Lock();
  std::vector<AuditEntry> out;
  for (const Database::Row& r :
       db_->Query(std::string("SELECT ") + kAuditColumns + " FROM audit_log ORDER BY id DESC LIMIT ?",
                  {static_cast<std::int64_t>(limit)})) {
    out.push_back(AuditFromRow(r));
  }
  return out;
}

}  // namespace spegla
