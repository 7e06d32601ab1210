#include "json_views.h"

namespace spegla::server {
namespace json = boost::json;
namespace {

json::value Time(const std::optional<Timestamp>& t) {
  if (!t) return nullptr;
  return json::string(FormatTimestamp(*t));
}

json::value DateValue(const std::optional<Date>& d) {
  if (!d) return nullptr;
  return json::string(d->ToString());
}

json::value Optional(const std::optional<std::int64_t>& n) {
  if (!n) return nullptr;
  return *n;
}

json::array Strings(const std::vector<std::string>& list) {
  json::array out;
  for (const std::string& s : list) out.emplace_back(json::string(s));
  return out;
}

// What a field is, for a client drawing the form: its type, options, columns and limits.
json::object FieldDefinitionJson(const Field& f) {
  json::object out{{"id", f.id}, {"label", f.label}, {"type", ToString(f.type)}, {"required", f.required()}};
  if (!f.help.empty()) out["help"] = f.help;
  if (!f.example.empty()) out["example"] = f.example;
  if (!f.options.empty()) {
    json::array options;
    for (const Option& o : f.options) options.push_back({{"value", o.value}, {"label", o.label}});
    out["options"] = std::move(options);
  }
  if (!f.person_role.empty()) out["person_role"] = f.person_role;
  if (!f.columns.empty()) {
    json::array columns;
    for (const Field& c : f.columns) columns.push_back(FieldDefinitionJson(c));
    out["columns"] = std::move(columns);
  }
  json::array limits;
  for (const Constraint& c : f.constraints) {
    if (c.kind == Constraint::Kind::kRequired) continue;
    json::object limit;
    switch (c.kind) {
      case Constraint::Kind::kRange:
        limit["kind"] = "range";
        if (c.min_number) limit["min"] = *c.min_number;
        if (c.max_number) limit["max"] = *c.max_number;
        if (c.min_date) limit["min"] = c.min_date->ToString();
        if (c.max_date) limit["max"] = c.max_date->ToString();
        break;
      case Constraint::Kind::kLength:
        limit["kind"] = "length";
        if (c.min_number) limit["min"] = *c.min_number;
        if (c.max_number) limit["max"] = *c.max_number;
        break;
      case Constraint::Kind::kPattern:
        limit["kind"] = "pattern";
        limit["pattern"] = c.pattern;
        break;
      case Constraint::Kind::kRequired:
        break;
    }
    limits.push_back(std::move(limit));
  }
  if (!limits.empty()) out["constraints"] = std::move(limits);
  return out;
}

}  // namespace

json::object MunicipalityJson(const Municipality& m) {
  return {{"id", m.id}, {"name", m.name}, {"network", m.network}};
}

json::object UnitJson(const Unit& u) {
  return {{"id", u.id}, {"municipality_id", u.municipality_id}, {"name", u.name}, {"kind", u.kind}};
}

json::object TeamJson(const Team& t) { return {{"id", t.id}, {"unit_id", t.unit_id}, {"name", t.name}}; }

json::object UserJson(const User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"name", u.display_name},
          {"email", u.email},
          {"municipality_id", Optional(u.municipality_id)},
          {"global_role", u.global_role}};
}

json::object DefinitionJson(const DefinitionSummary& d) {
  return {{"id", d.id},
          {"version", d.version},
          {"title", d.title},
          {"installed_at", FormatTimestamp(d.installed_at)},
          {"installed_by", d.installed_by},
          {"latest", d.latest}};
}

json::array ProblemsJson(const Problems& problems) {
  json::array list;
  for (const Problem& p : problems) {
    list.push_back(
        {{"file", p.where.file}, {"line", p.where.line}, {"column", p.where.column}, {"message", p.message}});
  }
  return list;
}

json::object InstanceSummaryJson(const InstanceSummary& s) {
  return {{"id", s.id},
          {"workflow", s.workflow_id},
          {"workflow_version", s.workflow_version},
          {"workflow_title", s.workflow_title},
          {"title", s.title},
          {"unit_id", s.unit_id},
          {"unit", s.unit},
          {"municipality", s.municipality},
          {"status", s.status},
          {"current_phase", s.current_phase.empty() ? json::value(nullptr) : json::value(s.current_phase)},
          {"created_at", FormatTimestamp(s.created_at)},
          {"updated_at", FormatTimestamp(s.updated_at)}};
}

json::object InstanceJson(const InstanceView& view) {
  json::object out = InstanceSummaryJson(view.summary);
  out["created_by"] = view.created_by;
  out["completed_at"] = Time(view.completed_at);
  json::array phases;
  for (const PhaseView& p : view.phases) {
    json::array steps;
    for (const StepView& s : p.steps) {
      json::object step{{"id", s.step->id},
                        {"label", s.step->label},
                        {"state", ToString(s.state)},
                        {"performers", Strings(s.step->performers)},
                        {"forms", Strings(s.step->forms)},
                        {"repeats", s.step->repeat.has_value()},
                        {"started_at", Time(s.started)},
                        {"completed_at", Time(s.completed)},
                        {"completed_by", s.completed_by},
                        {"due", DateValue(s.due)},
                        {"next_due", DateValue(s.next_due)},
                        {"overdue", s.overdue},
                        {"occurrences", s.occurrences},
                        {"signed_off_by_roles", Strings(s.signed_by_roles)}};
      if (!s.step->send_backs.empty()) {
        json::array targets;
        for (const SendBack& b : s.step->send_backs) targets.emplace_back(json::string(b.to_step));
        step["send_back_to"] = std::move(targets);
      }
      if (!s.step->signoffs.empty()) {
        json::array signoffs;
        for (const SignOff& so : s.step->signoffs) signoffs.push_back({{"role", so.role}, {"label", so.label}});
        step["signoffs"] = std::move(signoffs);
      }
      if (!s.step->help.empty()) step["help"] = s.step->help;
      steps.push_back(std::move(step));
    }
    phases.push_back({{"id", p.phase->id},
                      {"label", p.phase->label},
                      {"state", ToString(p.state)},
                      {"started_at", Time(p.started)},
                      {"completed_at", Time(p.completed)},
                      {"due", DateValue(p.due)},
                      {"overdue", p.overdue},
                      {"steps", std::move(steps)}});
  }
  out["phases"] = std::move(phases);
  json::array participants;
  for (const ParticipantView& p : view.participants) {
    participants.push_back({{"role", p.role},
                            {"username", p.username},
                            {"name", p.display_name},
                            {"organisation_wide", p.organisation_wide}});
  }
  out["participants"] = std::move(participants);
  json::array roles;
  if (view.definition) {
    for (const Role& r : view.definition->roles) roles.push_back({{"id", r.id}, {"label", r.label}});
  }
  out["roles"] = std::move(roles);
  json::array forms;
  if (view.definition) {
    for (const Form& f : view.definition->forms) forms.push_back({{"id", f.id}, {"label", f.label}});
  }
  out["forms"] = std::move(forms);
  json::array budgets;
  for (const BudgetView& b : view.budgets) {
    json::object budget{{"id", b.budget->id},
                        {"label", b.budget->label},
                        {"unit", b.budget->unit},
                        {"used", b.used},
                        {"max", b.budget->max}};
    if (!b.budget->per.empty()) {
      json::array per;
      for (const auto& [who, used] : b.per) per.push_back({{"name", who}, {"used", used}});
      budget["per"] = std::move(per);
    }
    budgets.push_back(std::move(budget));
  }
  out["budgets"] = std::move(budgets);
  return out;
}

json::object FieldJson(const FieldView& f) {
  json::object out = FieldDefinitionJson(*f.field);
  out["value"] = json::parse(EncodeValue(f.value));
  out["version"] = f.version;
  out["author"] = f.author;
  out["updated_at"] = Time(f.updated_at);
  out["rights"] = ToString(f.rights);
  out["visible"] = f.visible;
  return out;
}

json::object FormJson(const FormView& form, std::int64_t instance) {
  json::array fields;
  for (const FieldView& f : form.fields) fields.push_back(FieldJson(f));
  json::object out{{"instance", instance},          {"form", form.form->id}, {"label", form.form->label},
                   {"occurrence", form.occurrence}, {"locked", form.locked}, {"etag", form.etag},
                   {"fields", std::move(fields)}};
  if (!form.form->help.empty()) out["help"] = form.form->help;
  return out;
}

json::object AuditEntryJson(const AuditEntry& e) {
  return {{"id", e.id},
          {"instance", Optional(e.instance_id)},
          {"at", FormatTimestamp(e.at)},
          {"actor", e.actor},
          {"action", e.action},
          {"target", e.target},
          {"old", e.old_value ? json::value(*e.old_value) : json::value(nullptr)},
          {"new", e.new_value ? json::value(*e.new_value) : json::value(nullptr)},
          {"detail", e.detail}};
}

json::object DocumentInfoJson(const DocumentInfo& d, std::int64_t instance) {
  return {{"document", d.document_id},
          {"label", d.label},
          {"version", d.version},
          {"data_version", d.data_version},
          {"template_sha256", d.template_sha256},
          {"file_name", d.file_name},
          {"media_type", d.media_type},
          {"size", d.size},
          {"created_at", FormatTimestamp(d.created_at)},
          {"created_by", d.created_by},
          {"href", "/api/instances/" + std::to_string(instance) + "/documents/" + d.document_id +
                       "?version=" + std::to_string(d.version)}};
}

json::object TaskJson(const Task& t) {
  return {{"instance", t.instance_id},
          {"instance_title", t.instance_title},
          {"unit", t.unit},
          {"step", t.step_id},
          {"step_label", t.step_label},
          {"phase_label", t.phase_label},
          {"performers", Strings(t.performers)},
          {"due", DateValue(t.due)},
          {"overdue", t.overdue},
          {"signoff", t.signoff_label.empty() ? json::value(nullptr) : json::value(t.signoff_label)}};
}

json::object SessionJson(const SessionInfo& s) {
  return {{"user", UserJson(s.user)},
          {"csrf_token", s.csrf_token},
          {"expires_at", FormatTimestamp(s.expires_at)}};
}

}  // namespace spegla::server
