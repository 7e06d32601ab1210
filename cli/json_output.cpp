#include "json_output.h"

#include <boost/json.hpp>

#include "demo.h"

namespace spegla::cli {
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

json::value FieldValueJson(const Value& v) { return json::parse(EncodeValue(v)); }

std::string Text(const json::value& v) { return json::serialize(v); }

}  // namespace

std::string ErrorJson(const Error& error) {
  json::array issues;
  for (const Issue& i : error.issues) issues.push_back({{"field", i.field}, {"message", i.message}});
  return Text(json::object{{"ok", false}, {"error", ToString(error.code)}, {"issues", std::move(issues)}});
}

std::string ProblemsJson(const std::vector<std::pair<std::string, Problems>>& per_file) {
  json::array files;
  size_t total = 0;
  for (const auto& [file, problems] : per_file) {
    json::array list;
    for (const Problem& p : problems) {
      list.push_back({{"file", p.where.file},
                      {"line", p.where.line},
                      {"column", p.where.column},
                      {"message", p.message}});
    }
    total += problems.size();
    files.push_back({{"file", file}, {"valid", problems.empty()}, {"problems", std::move(list)}});
  }
  return Text(json::object{{"ok", total == 0}, {"files", std::move(files)}});
}

std::string DefinitionsJson(const std::vector<DefinitionSummary>& definitions) {
  json::array out;
  for (const DefinitionSummary& d : definitions) {
    out.push_back({{"id", d.id},
                   {"version", d.version},
                   {"title", d.title},
                   {"installed_at", FormatTimestamp(d.installed_at)},
                   {"installed_by", d.installed_by},
                   {"latest", d.latest}});
  }
  return Text(out);
}

std::string InstallJson(const std::vector<InstallOutcome>& outcomes) {
  json::array out;
  for (const InstallOutcome& o : outcomes) {
    json::array problems;
    for (const Problem& p : o.problems) {
      problems.push_back({{"file", p.where.file},
                          {"line", p.where.line},
                          {"column", p.where.column},
                          {"message", p.message}});
    }
    out.push_back({{"id", o.id},
                   {"version", o.version},
                   {"already_installed", o.already_installed},
                   {"problems", std::move(problems)}});
  }
  return Text(out);
}

namespace {

json::object SummaryJson(const InstanceSummary& s) {
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

}  // namespace

std::string InstancesJson(const std::vector<InstanceSummary>& instances) {
  json::array out;
  for (const InstanceSummary& s : instances) out.push_back(SummaryJson(s));
  return Text(out);
}

std::string InstanceJson(const InstanceView& view) {
  json::object out = SummaryJson(view.summary);
  out["created_by"] = view.created_by;
  out["completed_at"] = Time(view.completed_at);
  json::array phases;
  for (const PhaseView& p : view.phases) {
    json::array steps;
    for (const StepView& s : p.steps) {
      json::array signed_roles;
      for (const std::string& r : s.signed_by_roles) signed_roles.emplace_back(json::string(r));
      json::array performers;
      for (const std::string& r : s.step->performers) performers.emplace_back(json::string(r));
      steps.push_back({{"id", s.step->id},
                       {"label", s.step->label},
                       {"state", ToString(s.state)},
                       {"performers", std::move(performers)},
                       {"started_at", Time(s.started)},
                       {"completed_at", Time(s.completed)},
                       {"completed_by", s.completed_by},
                       {"due", DateValue(s.due)},
                       {"next_due", DateValue(s.next_due)},
                       {"overdue", s.overdue},
                       {"occurrences", s.occurrences},
                       {"signed_off_by_roles", std::move(signed_roles)}});
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
  return Text(out);
}

std::string FormJson(const FormView& form) {
  json::array fields;
  for (const FieldView& f : form.fields) {
    fields.push_back({{"id", f.field->id},
                      {"label", f.field->label},
                      {"type", ToString(f.field->type)},
                      {"value", FieldValueJson(f.value)},
                      {"version", f.version},
                      {"author", f.author},
                      {"updated_at", Time(f.updated_at)},
                      {"rights", ToString(f.rights)},
                      {"visible", f.visible},
                      {"required", f.field->required()}});
  }
  return Text(json::object{{"form", form.form->id},
                           {"label", form.form->label},
                           {"occurrence", form.occurrence},
                           {"locked", form.locked},
                           {"fields", std::move(fields)}});
}

std::string AuditJson(const std::vector<AuditEntry>& entries) {
  json::array out;
  for (const AuditEntry& e : entries) {
    out.push_back({{"id", e.id},
                   {"instance", e.instance_id ? json::value(*e.instance_id) : json::value(nullptr)},
                   {"at", FormatTimestamp(e.at)},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"target", e.target},
                   {"old", e.old_value ? json::value(*e.old_value) : json::value(nullptr)},
                   {"new", e.new_value ? json::value(*e.new_value) : json::value(nullptr)},
                   {"detail", e.detail}});
  }
  return Text(out);
}

std::string TasksJson(const std::vector<Task>& tasks) {
  json::array out;
  for (const Task& t : tasks) {
    json::array performers;
    for (const std::string& r : t.performers) performers.emplace_back(json::string(r));
    out.push_back(
        {{"instance", t.instance_id},
         {"instance_title", t.instance_title},
         {"unit", t.unit},
         {"step", t.step_id},
         {"step_label", t.step_label},
         {"phase_label", t.phase_label},
         {"performers", std::move(performers)},
         {"due", DateValue(t.due)},
         {"overdue", t.overdue},
         {"signoff", t.signoff_label.empty() ? json::value(nullptr) : json::value(t.signoff_label)}});
  }
  return Text(out);
}

std::string MunicipalitiesJson(const std::vector<Municipality>& municipalities,
                               const std::vector<Unit>& units, const std::vector<User>& users) {
  json::array m, u, p;
  for (const Municipality& x : municipalities)
    m.push_back({{"id", x.id}, {"name", x.name}, {"network", x.network}});
  for (const Unit& x : units) {
    u.push_back({{"id", x.id}, {"municipality_id", x.municipality_id}, {"name", x.name}, {"kind", x.kind}});
  }
  for (const User& x : users) {
    p.push_back(
        {{"id", x.id},
         {"username", x.username},
         {"name", x.display_name},
         {"email", x.email},
         {"municipality_id", x.municipality_id ? json::value(*x.municipality_id) : json::value(nullptr)},
         {"global_role", x.global_role}});
  }
  return Text(
      json::object{{"municipalities", std::move(m)}, {"units", std::move(u)}, {"users", std::move(p)}});
}

std::string DemoJson(const DemoReport& report) {
  json::array installed;
  for (const std::string& s : report.installed) installed.emplace_back(json::string(s));
  json::object phases;
  for (const auto& [phase, count] : report.instances_per_phase) phases[phase] = count;
  json::array warnings;
  for (const std::string& w : report.warnings) warnings.emplace_back(json::string(w));
  json::object walked;
  for (const auto& [workflow, instance] : report.walked_instances) walked[workflow] = instance;
  return Text(json::object{{"installed", std::move(installed)},
                           {"municipalities", report.municipalities},
                           {"units", report.units},
                           {"users", report.users},
                           {"instances", report.instances},
                           {"instances_per_phase", std::move(phases)},
                           {"walked_instance", report.walked_instance},
                           {"walked_instances", std::move(walked)},
                           {"warnings", std::move(warnings)}});
}

namespace {

json::array ProblemList(const Problems& problems) {
  json::array list;
  for (const Problem& p : problems) {
    list.push_back(
        {{"file", p.where.file}, {"line", p.where.line}, {"column", p.where.column}, {"message", p.message}});
  }
  return list;
}

}  // namespace

std::string ExportJson(const std::string& file, const std::string& format, const ExportSummary& summary) {
  json::array sheets;
  for (const auto& [name, rows] : summary.sheets) sheets.push_back({{"name", name}, {"rows", rows}});
  return json::serialize(json::object{
      {"file", file}, {"format", format}, {"instances", summary.instances}, {"sheets", std::move(sheets)}});
}

std::string PluginsJson(const std::vector<PluginInfo>& plugins, const Problems& problems) {
  json::array list;
  for (const PluginInfo& p : plugins) {
    list.push_back({{"name", p.name},
                    {"kind", p.kind},
                    {"version", p.version},
                    {"produces", p.produces},
                    {"extension", p.extension},
                    {"origin", p.origin}});
  }
  return Text(json::object{
      {"ok", problems.empty()}, {"plugins", std::move(list)}, {"problems", ProblemList(problems)}});
}

std::string RenderJson(const std::vector<std::pair<std::string, std::string>>& documents,
                       const Problems& problems) {
  json::array list;
  for (const auto& [data, output] : documents) list.push_back({{"data", data}, {"output", output}});
  return Text(json::object{
      {"ok", problems.empty()}, {"documents", std::move(list)}, {"problems", ProblemList(problems)}});
}

std::string OkJson(const std::vector<std::pair<std::string, std::int64_t>>& numbers) {
  json::object out{{"ok", true}};
  for (const auto& [key, value] : numbers) out[key] = value;
  return Text(out);
}

}  // namespace spegla::cli
