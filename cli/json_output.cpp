#include "json_output.h"

#include <boost/json.hpp>

#include "demo.h"
#include "json_views.h"

namespace spegla::cli {
namespace json = boost::json;
namespace {

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
    total += problems.size();
    files.push_back({{"file", file}, {"valid", problems.empty()}, {"problems", server::ProblemsJson(problems)}});
  }
  return Text(json::object{{"ok", total == 0}, {"files", std::move(files)}});
}

std::string DefinitionsJson(const std::vector<DefinitionSummary>& definitions) {
  json::array out;
  for (const DefinitionSummary& d : definitions) out.push_back(server::DefinitionJson(d));
  return Text(out);
}

std::string InstallJson(const std::vector<InstallOutcome>& outcomes) {
  json::array out;
  for (const InstallOutcome& o : outcomes) {
    out.push_back({{"id", o.id},
                   {"version", o.version},
                   {"already_installed", o.already_installed},
                   {"problems", server::ProblemsJson(o.problems)}});
  }
  return Text(out);
}

// The read models print as the API returns them (server/json_views.h).
std::string InstancesJson(const std::vector<InstanceSummary>& instances) {
  json::array out;
  for (const InstanceSummary& s : instances) out.push_back(server::InstanceSummaryJson(s));
  return Text(out);
}

std::string InstanceJson(const InstanceView& view) { return Text(server::InstanceJson(view)); }

std::string FormJson(const FormView& form, std::int64_t instance) {
  return Text(server::FormJson(form, instance));
}

std::string AuditJson(const std::vector<AuditEntry>& entries) {
  json::array out;
  for (const AuditEntry& e : entries) out.push_back(server::AuditEntryJson(e));
  return Text(out);
}

std::string TasksJson(const std::vector<Task>& tasks) {
  json::array out;
  for (const Task& t : tasks) out.push_back(server::TaskJson(t));
  return Text(out);
}

std::string MunicipalitiesJson(const std::vector<Municipality>& municipalities,
                               const std::vector<Unit>& units, const std::vector<User>& users) {
  json::array m, u, p;
  for (const Municipality& x : municipalities) m.push_back(server::MunicipalityJson(x));
  for (const Unit& x : units) u.push_back(server::UnitJson(x));
  for (const User& x : users) p.push_back(server::UserJson(x));
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
      {"ok", problems.empty()}, {"plugins", std::move(list)}, {"problems", server::ProblemsJson(problems)}});
}

std::string RenderJson(const std::vector<std::pair<std::string, std::string>>& documents,
                       const Problems& problems) {
  json::array list;
  for (const auto& [data, output] : documents) list.push_back({{"data", data}, {"output", output}});
  return Text(json::object{
      {"ok", problems.empty()}, {"documents", std::move(list)}, {"problems", server::ProblemsJson(problems)}});
}

std::string OkJson(const std::vector<std::pair<std::string, std::int64_t>>& numbers) {
  json::object out{{"ok", true}};
  for (const auto& [key, value] : numbers) out[key] = value;
  return Text(out);
}

std::string ImportJson(std::int64_t instance, const std::string& form, int occurrence,
                       const std::vector<std::string>& changed, const std::vector<std::string>& merged,
                       const std::vector<std::string>& missing) {
  auto list = [](const std::vector<std::string>& ids) {
    json::array out;
    for (const std::string& id : ids) out.emplace_back(json::string(id));
    return out;
  };
  json::object out{{"ok", true},         {"instance", instance},      {"form", form},
                   {"occurrence", occurrence}, {"changed", list(changed)}, {"merged", list(merged)},
                   {"missing", list(missing)}};
  return Text(out);
}

std::string MigrateJson(const std::string& from, const std::string& to, int schema_version,
                        const std::vector<std::pair<std::string, std::int64_t>>& tables, std::int64_t rows,
                        double seconds, const std::string& templates) {
  json::array list;
  for (const auto& [name, copied] : tables) list.push_back({{"name", name}, {"rows", copied}});
  return Text(json::object{{"ok", true},
                           {"from", from},
                           {"to", to},
                           {"schema_version", schema_version},
                           {"tables", std::move(list)},
                           {"rows", rows},
                           {"seconds", seconds},
                           {"templates", templates}});
}

}  // namespace spegla::cli
