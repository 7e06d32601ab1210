// JSON forms of the engine's read models, as the API returns them (docs/api.md). Only the api*.cpp
// files include this (Boost.JSON).
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "spegla/engine.h"

namespace spegla::server {

boost::json::object MunicipalityJson(const Municipality& m);
boost::json::object UnitJson(const Unit& u);
boost::json::object TeamJson(const Team& t);
boost::json::object UserJson(const User& u);
boost::json::object DefinitionJson(const DefinitionSummary& d);
boost::json::array ProblemsJson(const Problems& problems);  // [{file, line, column, message}]
boost::json::object InstanceSummaryJson(const InstanceSummary& s);
boost::json::object InstanceJson(const InstanceView& view);
boost::json::object FormJson(const FormView& form, int64_t instance);
boost::json::object FieldJson(const FieldView& field);
boost::json::object AuditEntryJson(const AuditEntry& e);
boost::json::object DocumentInfoJson(const DocumentInfo& d, std::int64_t instance);
boost::json::object TaskJson(const Task& t);
boost::json::object SessionJson(const SessionInfo& s);  // the user, the CSRF token, the expiry

}  // namespace spegla::server
