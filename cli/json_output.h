// Machine-readable (--json) forms of what the commands print. The only CLI file that uses Boost.JSON.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spegla/engine.h"

namespace spegla::cli {

struct DemoReport;

std::string ErrorJson(const Error& error);
std::string ProblemsJson(const std::vector<std::pair<std::string, Problems>>& per_file);
std::string DefinitionsJson(const std::vector<DefinitionSummary>& definitions);
std::string InstallJson(const std::vector<InstallOutcome>& outcomes);
std::string InstancesJson(const std::vector<InstanceSummary>& instances);
std::string InstanceJson(const InstanceView& view);
std::string FormJson(const FormView& form);
std::string AuditJson(const std::vector<AuditEntry>& entries);
std::string TasksJson(const std::vector<Task>& tasks);
std::string MunicipalitiesJson(const std::vector<Municipality>& municipalities,
                               const std::vector<Unit>& units, const std::vector<User>& users);
std::string DemoJson(const DemoReport& report);
// {"ok": true, key: value...} for commands that only confirm.
std::string OkJson(const std::vector<std::pair<std::string, std::int64_t>>& numbers = {});

}  // namespace spegla::cli
