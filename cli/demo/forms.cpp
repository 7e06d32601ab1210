#include "demo/forms.h"

#include <algorithm>
#include <tuple>

#include "demo/text.h"
#include "demo/values.h"

namespace spegla::cli::demo {

// The field id an engine issue names: "form.field" or "form.field#2"; empty for issues about other things.
std::string FieldOfIssue(const std::string& issue_field, const std::string& form) {
  if (issue_field.rfind(form + ".", 0) != 0) return {};
  std::string rest = issue_field.substr(form.size() + 1);
  return rest.substr(0, rest.find('#'));
}

// Writes `changes` as `user`. Fields the engine refuses (a pattern, a value that would hide itself) are left
// out and the rest written again; a refusal about the form as a whole (a budget) makes it try the fields one
// at a time, numbers and tables once more with their smallest value. Returns how many fields were written.
size_t WriteFields(FillContext& ctx, const std::string& user, const Form& form, int occurrence,
                   std::vector<FieldChange> changes, std::map<std::string, int>& refusals) {
  const Actor actor = Actor::User(user);
  while (!changes.empty()) {
    Result<std::vector<int>> result = ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, changes);
    if (result) {
      for (const FieldChange& change : changes) ctx.history->Wrote(change.value);
      return changes.size();
    }
    std::set<std::string> refused;
    for (const Issue& issue : result.error().issues) {
      std::string field = FieldOfIssue(issue.field, form.id);
      bool in_batch =
          std::any_of(changes.begin(), changes.end(), [&](const FieldChange& c) { return c.field == field; });
      if (in_batch) refused.insert(field);
    }
    if (refused.empty()) break;
    for (const std::string& field : refused) ++refusals[field];
    std::erase_if(changes, [&](const FieldChange& c) { return refused.count(c.field) > 0; });
  }
  size_t written = 0;
  for (FieldChange& change : changes) {
    if (ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, {change})) {
      ctx.history->Wrote(change.value);
      ++written;
      continue;
    }
    const Field* field = form.FindField(change.field);
    if (field && (field->type == FieldType::kNumber || field->type == FieldType::kGroup)) {
      change.value = Generate(*field, form.id + "." + field->id, 0, true, ctx);
      if (ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, {change})) {
        ctx.history->Wrote(change.value);
        ++written;
        continue;
      }
    }
    ++refusals[change.field];
  }
  return written;
}

// Who writes which of `fields` of `form`, in writing order: each field by the first participant who may
// edit it, the step's performers first, then whoever may edit the most of them, so that a form is written
// in few batches.
std::vector<std::pair<std::string, std::vector<const Field*>>> Writers(
    FillContext& ctx, const Form& form, const std::vector<const Field*>& fields) {
  std::vector<std::string> performers = ctx.cast.InRoles(ctx.step.performers);
  struct Writer {
    std::string username;
    bool performer;
    size_t editable;
    unsigned tiebreak;
  };
  std::vector<Writer> writers;
  for (const std::string& user : ctx.cast.usernames) {
    size_t editable = static_cast<size_t>(std::count_if(
        fields.begin(), fields.end(), [&](const Field* f) { return ctx.cast.CanEdit(user, form, *f); }));
    if (editable == 0) continue;
    bool performer = std::binary_search(performers.begin(), performers.end(), user);
    writers.push_back(Writer{user, performer, editable, static_cast<unsigned>(ctx.rng())});
  }
  std::sort(writers.begin(), writers.end(), [](const Writer& a, const Writer& b) {
    return std::tie(b.performer, b.editable, b.tiebreak) < std::tie(a.performer, a.editable, a.tiebreak);
  });
  std::vector<std::pair<std::string, std::vector<const Field*>>> out;
  for (const Writer& writer : writers) out.emplace_back(writer.username, std::vector<const Field*>{});
  for (const Field* field : fields) {
    for (auto& [user, mine] : out) {
      if (!ctx.cast.CanEdit(user, form, *field)) continue;
      mine.push_back(field);
      break;
    }
  }
  std::erase_if(out, [](const auto& writer) { return writer.second.empty(); });
  return out;
}

// Fills the empty, visible fields of one form (one occurrence of it) that some participant may edit, as
// Writers() says. Filling repeats while fields appear that a visible-if opened, or a value was refused.
void FillForm(FillContext& ctx, const Form& form, int occurrence) {
  std::map<std::string, int> refusals;
  constexpr int kMaxPasses = 4;
  constexpr int kMaxRefusals = 2;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    ctx.occurrence = occurrence;
    ctx.form = &form;
    Result<FormView> view = ctx.engine.GetForm(Actor::Operator(), ctx.instance, form.id, occurrence);
    if (!view || view.value().locked) return;
    std::vector<const Field*> open;
    bool hidden = false;  // a field a visible-if hides now, which a write may open
    for (const FieldView& fv : view.value().fields) {
      hidden = hidden || !fv.visible;
      if (fv.visible && fv.value.IsEmpty() && refusals[fv.field->id] < kMaxRefusals) open.push_back(fv.field);
    }
    if (open.empty()) return;
    size_t planned = 0, written = 0;
    for (const auto& [writer, fields] : Writers(ctx, form, open)) {
      std::vector<FieldChange> batch;
      for (const Field* field : fields) {
        Value value = Generate(*field, form.id + "." + field->id, 0, false, ctx);
        if (!value.IsEmpty()) batch.push_back(FieldChange{field->id, std::move(value), std::nullopt});
      }
      if (batch.empty()) continue;
      planned += batch.size();
      written += WriteFields(ctx, writer, form, occurrence, std::move(batch), refusals);
    }
    if (written == 0) return;
    // Another pass is needed only when a write may have opened a hidden field or left one out.
    if (!hidden && written == planned) return;
  }
}

// The demo writes titles as "<workflow> – <unit>, <team>, <term>"; the team is read back from there. Titles
// of instances made otherwise give no team.
std::string TeamFromTitle(const std::string& title, const std::string& unit) {
  std::string marker = " – " + unit + ", ";
  size_t start = title.find(marker);
  if (start == std::string::npos) return {};
  start += marker.size();
  size_t end = title.find(", ", start);
  if (end == std::string::npos) return {};
  return UpperFirst(title.substr(start, end - start));
}

bool IsPreschool(const std::string& unit) {
  std::vector<std::string> words = Words(unit);
  return std::any_of(words.begin(), words.end(),
                     [](const std::string& w) { return w == "forskola" || w == "forskolan"; });
}

std::map<std::string, double> BudgetedFields(const WorkflowDefinition& definition) {
  std::map<std::string, double> out;
  for (const Budget& budget : definition.budgets) {
    for (const std::string& reference : budget.sum.references()) out[reference] = budget.max;
  }
  return out;
}

// Writes the planned values and the solver's changes, each field as Writers() says. Returns the forms (and
// occurrences) to fill once more: where a write may have opened a field (visible-if) or a value was refused.
std::set<std::pair<std::string, int>> WriteChanges(FillContext& ctx, Snapshot& values) {
  std::set<std::pair<std::string, int>> refill;
  for (auto& [key, changes] : values.TakeChanges()) {
    const Form* form = values.definition().FindForm(key.first);
    if (!form) continue;
    std::vector<const Field*> fields;
    for (const auto& [field_id, value] : changes) {
      if (const Field* field = form->FindField(field_id)) fields.push_back(field);
    }
    std::map<std::string, int> refusals;
    ctx.form = form;
    ctx.occurrence = key.second;
    size_t planned = 0, written = 0;
    for (const auto& [writer, mine] : Writers(ctx, *form, fields)) {
      std::vector<FieldChange> batch;
      for (const Field* field : mine)
        batch.push_back(FieldChange{field->id, changes.at(field->id), std::nullopt});
      planned += batch.size();
      written += WriteFields(ctx, writer, *form, key.second, std::move(batch), refusals);
    }
    values.Forget(key.first, key.second);
    bool opens = std::any_of(form->fields.begin(), form->fields.end(),
                             [](const Field& f) { return f.visible_if.has_value(); });
    if (opens || written < planned) refill.insert(key);
  }
  return refill;
}

// Generates values for the visible, empty fields of one occurrence of a form that someone may edit (every
// such field when a loop brought the step back), into `values`: planned, not written yet, so that the
// solver can adjust them before anyone writes.
void PlanForm(FillContext& ctx, Snapshot& values, const Form& form, int occurrence) {
  Result<FormView> view = ctx.engine.GetForm(Actor::Operator(), ctx.instance, form.id, occurrence);
  if (!view || view.value().locked) return;
  values.Seed(view.value());
  ctx.form = &form;
  ctx.occurrence = occurrence;
  const bool rewrite = ctx.rewrite && occurrence == 0;  // a new term's plan, written afresh
  for (const FieldView& fv : view.value().fields) {
    if (!fv.visible || !(rewrite || fv.value.IsEmpty())) continue;
    const Field& field = *fv.field;
    if (std::none_of(ctx.cast.usernames.begin(), ctx.cast.usernames.end(),
                     [&](const std::string& user) { return ctx.cast.CanEdit(user, form, field); })) {
      continue;
    }
    Value value = Generate(field, form.id + "." + field.id, 0, false, ctx);
    if (!value.IsEmpty()) values.Set(form.id, occurrence, field.id, std::move(value));
  }
}

// Plans the step's forms: each occurrence of a form that repeats (with this step, or with another whose
// occurrences it has), else the form itself.
void PlanStepForms(FillContext& ctx, Snapshot& values) {
  const WorkflowDefinition& definition = values.definition();
  for (const std::string& form_id : ctx.step.forms) {
    if (const Form* form = definition.FindForm(form_id)) {
      for (int occurrence : values.OccurrencesOf(form_id)) PlanForm(ctx, values, *form, occurrence);
    }
  }
}

}  // namespace spegla::cli::demo
