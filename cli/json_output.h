// Machine-readable (--json) forms of what the commands print. With json_input.cpp (the data of `spegla
// render`), the only CLI files that use Boost.JSON.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spegla/engine.h"
#include "spegla/plugin_host.h"

namespace spegla::cli {

struct DemoReport;

std::string ErrorJson(const Error& error);
std::string ProblemsJson(const std::vector<std::pair<std::string, Problems>>& per_file);
std::string DefinitionsJson(const std::vector<DefinitionSummary>& definitions);
std::string InstallJson(const std::vector<InstallOutcome>& outcomes);
std::string InstancesJson(const std::vector<InstanceSummary>& instances);
std::string InstanceJson(const InstanceView& view);
std::string FormJson(const FormView& form, std::int64_t instance);
std::string AuditJson(const std::vector<AuditEntry>& entries);
std::string TasksJson(const std::vector<Task>& tasks);
std::string MunicipalitiesJson(const std::vector<Municipality>& municipalities,
                               const std::vector<Unit>& units, const std::vector<User>& users);
std::string DemoJson(const DemoReport& report);
// spegla plugins: {"ok": no problems, "plugins": [{name, version, produces, extension, origin}],
// "problems": [{file, line, column, message}]}.
// What `spegla export` wrote: {"file", "format", "instances", "sheets": [{"name", "rows"}]}.
std::string ExportJson(const std::string& file, const std::string& format, const ExportSummary& summary);
std::string PluginsJson(const std::vector<PluginInfo>& plugins, const Problems& problems);
// spegla render: {"ok": no problems, "documents": [{data, output}], "problems": [...]}; `documents` pairs
// each data file with the document written from it.
std::string RenderJson(const std::vector<std::pair<std::string, std::string>>& documents,
                       const Problems& problems);
// spegla import: {"ok": true, "instance", "form", "occurrence", "changed": [ids], "merged": [ids],
// "missing": [ids]}.
std::string ImportJson(std::int64_t instance, const std::string& form, int occurrence,
                       const std::vector<std::string>& changed, const std::vector<std::string>& merged,
                       const std::vector<std::string>& missing);
// spegla migrate: {"ok": true, "from", "to" (its password redacted), "schema_version", "tables": [{"name",
// "rows"}], "rows", "seconds", "templates"}.
std::string MigrateJson(const std::string& from, const std::string& to, int schema_version,
                        const std::vector<std::pair<std::string, std::int64_t>>& tables, std::int64_t rows,
                        double seconds, const std::string& templates);
// {"ok": true, key: value...} for commands that only confirm.
std::string OkJson(const std::vector<std::pair<std::string, std::int64_t>>& numbers = {});

}  // namespace spegla::cli
