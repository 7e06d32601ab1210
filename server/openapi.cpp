// The OpenAPI 3.1 document, generated from the route table so that every route is in it.
#include <set>

#include "api.h"
#include "api_support.h"

namespace spegla::server {
namespace {

// The shapes the routes refer to by name. Lists share one envelope: items, total, limit, offset.
constexpr const char* kSchemas = R"json({
  "Problem": {"type": "object", "description": "RFC 9457 problem details; errors lists every problem found",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
      "detail": {"type": "string"}, "code": {"type": "string"},
      "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"},
        "message": {"type": "string"}, "file": {"type": "string"}, "line": {"type": "integer"},
        "column": {"type": "integer"}}, "required": ["message"]}}},
    "required": ["type", "title", "status"]},
  "Login": {"type": "object", "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
    "required": ["username", "password"], "additionalProperties": false},
  "Session": {"type": "object", "properties": {"user": {"$ref": "#/components/schemas/User"},
    "csrf_token": {"type": "string", "description": "send as X-CSRF-Token on every state-changing request made with the cookie"},
    "expires_at": {"type": "string", "format": "date-time"},
    "token": {"type": "string", "description": "only in the login response: a bearer token for other systems"}}},
  "PasswordChange": {"type": "object", "properties": {"current_password": {"type": "string"},
    "new_password": {"type": "string", "minLength": 10}}, "required": ["current_password", "new_password"],
    "additionalProperties": false},
  "CommentTarget": {"type": "object", "description": "a field (form, occurrence, field) or a step",
    "properties": {"form": {"type": "string"}, "occurrence": {"type": "integer"}, "field": {"type": "string"},
      "step": {"type": "string"}}},
  "Comment": {"type": "object", "properties": {"id": {"type": "integer"}, "instance": {"type": "integer"},
    "target": {"$ref": "#/components/schemas/CommentTarget"}, "body": {"type": "string"},
    "author": {"type": "string"}, "author_name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "mentions": {"type": "array", "items": {"type": "string"}}, "resolved": {"type": "boolean"},
    "resolved_by": {"type": ["string", "null"]}, "resolved_at": {"type": ["string", "null"], "format": "date-time"},
    "instance_title": {"type": "string", "description": "in /api/me/mentions"}, "unit": {"type": "string"}}},
  "CommentInput": {"type": "object", "properties": {"body": {"type": "string", "maxLength": 10000},
    "field": {"type": "object", "properties": {"form": {"type": "string"}, "occurrence": {"type": "integer"},
      "field": {"type": "string"}}, "required": ["form", "field"]},
    "step": {"type": "string"}}, "required": ["body"], "additionalProperties": false},
  "Assignment": {"type": "object", "properties": {"instance": {"type": ["integer", "null"]},
    "instance_title": {"type": "string"}, "unit": {"type": "string"}, "role": {"type": "string"},
    "role_label": {"type": "string"}, "organisation_wide": {"type": "boolean"}}},
  "FieldVersion": {"type": "object", "properties": {"version": {"type": "integer"}, "value": {},
    "display": {"type": "string"}, "author": {"type": "string"}, "author_name": {"type": "string"},
    "at": {"type": "string", "format": "date-time"}, "restored_from": {"type": ["integer", "null"]}}},
  "FieldRestore": {"type": "object", "properties": {"version": {"type": "integer", "minimum": 1},
    "expected_version": {"type": "integer", "minimum": 0}}, "required": ["version", "expected_version"],
    "additionalProperties": false},
  "Health": {"type": "object", "properties": {"status": {"type": "string"}, "version": {"type": "string"}}},
  "Task": {"type": "object", "properties": {"instance": {"type": "integer"}, "instance_title": {"type": "string"},
    "unit": {"type": "string"}, "step": {"type": "string"}, "step_label": {"type": "string"},
    "phase_label": {"type": "string"}, "performers": {"type": "array", "items": {"type": "string"}},
    "due": {"type": ["string", "null"], "format": "date"}, "overdue": {"type": "boolean"},
    "signoff": {"type": ["string", "null"]}}},
  "TaskList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}},
  "Municipality": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
    "network": {"type": "string"}}},
  "MunicipalityInput": {"type": "object", "properties": {"name": {"type": "string"}, "network": {"type": "string"}},
    "required": ["name"], "additionalProperties": false},
  "MunicipalityPatch": {"type": "object", "properties": {"name": {"type": "string"}, "network": {"type": "string"}},
    "additionalProperties": false},
  "Unit": {"type": "object", "properties": {"id": {"type": "integer"}, "municipality_id": {"type": "integer"},
    "name": {"type": "string"}, "kind": {"type": "string", "enum": ["skola", "forskola"]}}},
  "UnitInput": {"type": "object", "properties": {"municipality_id": {"type": "integer"}, "name": {"type": "string"},
    "kind": {"type": "string", "enum": ["skola", "forskola"]}}, "required": ["municipality_id", "name", "kind"],
    "additionalProperties": false},
  "UnitPatch": {"type": "object", "properties": {"name": {"type": "string"},
    "kind": {"type": "string", "enum": ["skola", "forskola"]}}, "additionalProperties": false},
  "Team": {"type": "object", "properties": {"id": {"type": "integer"}, "unit_id": {"type": "integer"},
    "name": {"type": "string"}}},
  "TeamInput": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
    "additionalProperties": false},
  "User": {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"},
    "name": {"type": "string"}, "email": {"type": "string"}, "municipality_id": {"type": ["integer", "null"]},
    "global_role": {"type": "string", "enum": ["administrator", "utvecklingsledare", "forvaltning", "personal"]}}},
  "UserInput": {"type": "object", "properties": {"username": {"type": "string"}, "name": {"type": "string"},
    "email": {"type": "string"}, "municipality_id": {"type": "integer"}, "global_role": {"type": "string"},
    "password": {"type": "string", "minLength": 10}}, "required": ["username", "name"], "additionalProperties": false},
  "UserPatch": {"type": "object", "properties": {"name": {"type": "string"}, "email": {"type": "string"},
    "municipality_id": {"type": ["integer", "null"]}, "global_role": {"type": "string"},
    "password": {"type": "string", "minLength": 10}}, "additionalProperties": false},
  "UsernameInput": {"type": "object", "properties": {"username": {"type": "string"}}, "required": ["username"],
    "additionalProperties": false},
  "RoleAssignment": {"type": "object", "properties": {"role": {"type": "string"}, "username": {"type": "string"}},
    "required": ["role", "username"], "additionalProperties": false},
  "WorkflowSummary": {"type": "object", "properties": {"id": {"type": "string"}, "version": {"type": "integer"},
    "title": {"type": "string"}, "installed_at": {"type": "string"}, "installed_by": {"type": "string"},
    "latest": {"type": "boolean"}}},
  "WorkflowXml": {"type": "string", "description": "a workflow definition (urn:spegla:workflow:1, docs/workflow-format.md)"},
  "WorkflowInstalled": {"type": "object", "properties": {"id": {"type": "string"}, "version": {"type": "integer"},
    "already_installed": {"type": "boolean"}, "href": {"type": "string"}}},
  "Workflow": {"type": "object", "properties": {"id": {"type": "string"}, "version": {"type": "integer"},
    "title": {"type": "string"}, "versions": {"type": "array", "items": {"$ref": "#/components/schemas/WorkflowSummary"}},
    "roles": {"type": "array"}, "forms": {"type": "array"}, "phases": {"type": "array"}, "xml": {"type": "string"}}},
  "InstanceSummary": {"type": "object", "properties": {"id": {"type": "integer"}, "workflow": {"type": "string"},
    "workflow_version": {"type": "integer"}, "workflow_title": {"type": "string"}, "title": {"type": "string"},
    "unit_id": {"type": "integer"}, "unit": {"type": "string"}, "municipality": {"type": "string"},
    "status": {"type": "string", "enum": ["active", "completed"]}, "current_phase": {"type": ["string", "null"]},
    "created_at": {"type": "string"}, "updated_at": {"type": "string"}}},
  "InstanceInput": {"type": "object", "properties": {"workflow": {"type": "string"}, "unit_id": {"type": "integer"},
    "title": {"type": "string"}, "team_id": {"type": "integer"}}, "required": ["workflow", "unit_id"],
    "additionalProperties": false},
  "Instance": {"allOf": [{"$ref": "#/components/schemas/InstanceSummary"}, {"type": "object", "properties": {
    "created_by": {"type": "string"}, "completed_at": {"type": ["string", "null"]},
    "phases": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"},
      "label": {"type": "string"}, "state": {"type": "string"}, "due": {"type": ["string", "null"]},
      "overdue": {"type": "boolean"}, "steps": {"type": "array"}}}},
    "participants": {"type": "array", "items": {"$ref": "#/components/schemas/Participant"}},
    "roles": {"type": "array"}, "forms": {"type": "array"}, "budgets": {"type": "array"}}}]},
  "Participant": {"type": "object", "properties": {"role": {"type": "string"}, "username": {"type": "string"},
    "name": {"type": "string"}, "organisation_wide": {"type": "boolean"}}},
  "ParticipantList": {"type": "object", "properties": {"items": {"type": "array",
    "items": {"$ref": "#/components/schemas/Participant"}}, "roles": {"type": "array"}}},
  "Field": {"type": "object", "properties": {"id": {"type": "string"}, "label": {"type": "string"},
    "type": {"type": "string", "enum": ["text", "longtext", "number", "date", "yesno", "choice", "multichoice", "person", "group"]},
    "value": {}, "version": {"type": "integer"}, "author": {"type": "string"}, "rights": {"type": "string", "enum": ["view", "edit"]},
    "visible": {"type": "boolean"}, "required": {"type": "boolean"}, "options": {"type": "array"}, "columns": {"type": "array"}}},
  "Form": {"type": "object", "properties": {"instance": {"type": "integer"}, "form": {"type": "string"},
    "label": {"type": "string"}, "occurrence": {"type": "integer"}, "locked": {"type": "boolean"},
    "etag": {"type": "string"}, "fields": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
    "merged": {"type": "array", "items": {"type": "string"},
      "description": "in a PATCH answer: long texts changed by someone else meanwhile and merged with this edit"}}},
  "FormPatch": {"type": "object", "properties": {"fields": {"type": "object", "additionalProperties": true,
    "description": "field id -> value, typed by the field (text, number, ISO date, boolean, option value(s), username, rows)"},
    "versions": {"type": "object", "additionalProperties": {"type": "integer"},
    "description": "field id -> the version the edit started from"}}, "required": ["fields"], "additionalProperties": false},
  "Occurrence": {"type": "object", "properties": {"occurrence": {"type": "integer"}}},
  "SendBack": {"type": "object", "properties": {"to": {"type": "string"}, "reason": {"type": "string"}},
    "required": ["to", "reason"], "additionalProperties": false},
  "Reason": {"type": "object", "properties": {"reason": {"type": "string"}}, "required": ["reason"],
    "additionalProperties": false},
  "Event": {"type": "object", "properties": {"id": {"type": "integer"}, "instance": {"type": ["integer", "null"]},
    "at": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"}, "target": {"type": "string"},
    "old": {"type": ["string", "null"]}, "new": {"type": ["string", "null"]}, "detail": {"type": "string"}}},
  "DocumentInfo": {"type": "object", "properties": {"document": {"type": "string"}, "label": {"type": "string"},
    "version": {"type": "integer"}, "data_version": {"type": "integer"}, "template_sha256": {"type": "string"},
    "file_name": {"type": "string"}, "media_type": {"type": "string"}, "size": {"type": "integer"},
    "created_at": {"type": "string"}, "created_by": {"type": "string"}, "href": {"type": "string"}}},
  "Template": {"type": "object", "properties": {"path": {"type": "string"}, "size": {"type": "integer"},
    "sha256": {"type": "string"}, "replaced": {"type": "boolean"}}},
  "TemplateList": {"type": "object", "properties": {"items": {"type": "array",
    "items": {"$ref": "#/components/schemas/Template"}}, "total": {"type": "integer"}}},
  "TemplateFile": {"type": "string", "format": "binary", "description": "a Word template (.docx)"},
  "FormFile": {"type": "string", "format": "binary",
    "description": "a form file Spegla made (.docx or .xlsx), filled in"},
  "FormImport": {"type": "object", "properties": {
    "changed": {"type": "array", "items": {"type": "string"}, "description": "the fields written"},
    "merged": {"type": "array", "items": {"type": "string"},
      "description": "long texts changed meanwhile and merged with the file's edit"},
    "missing": {"type": "array", "items": {"type": "string"},
      "description": "fields whose control or cell was removed from the file: left as they were"},
    "form": {"$ref": "#/components/schemas/Form"}}},
  "DocumentList": {"type": "object", "properties": {"items": {"type": "array",
    "items": {"$ref": "#/components/schemas/DocumentInfo"}}, "total": {"type": "integer"}}}
})json";

// List envelopes: "XList" pages items of schema "X" (or of a named item schema).
json::object ListSchema(const std::string& item) {
  return {{"type", "object"},
          {"properties",
           {{"items", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/" + item}}}}},
            {"total", {{"type", "integer"}}},
            {"limit", {{"type", "integer"}}},
            {"offset", {{"type", "integer"}}}}}};
}

json::object Ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad request: a query parameter or the JSON syntax is wrong";
    case 401:
      return "Not signed in";
    case 403:
      return "Not allowed for your role, or the CSRF token is missing";
    case 404:
      return "Not found";
    case 409:
      return "Refused by a process rule, or changed by someone else since";
    case 412:
      return "If-Match does not match: the form changed";
    case 413:
      return "Body too large";
    case 415:
      return "Wrong Content-Type";
    case 422:
      return "Invalid input: every problem listed";
    case 428:
      return "If-Match or field versions needed";
    case 429:
      return "Too many failed logins";
    default:
      return "Response";
  }
}

}  // namespace

std::string OpenApiDocument(const Router& router, const std::string& version) {
  json::object schemas = json::parse(kSchemas).as_object();
  const std::pair<const char*, const char*> lists[] = {{"MunicipalityList", "Municipality"},
                                                       {"UnitList", "Unit"},
                                                       {"TeamList", "Team"},
                                                       {"UserList", "User"},
                                                       {"InstanceList", "InstanceSummary"},
                                                       {"EventList", "Event"},
                                                       {"WorkflowList", "WorkflowSummary"},
                                                       {"CommentList", "Comment"},
                                                       {"MentionList", "Comment"},
                                                       {"AssignmentList", "Assignment"},
                                                       {"FieldHistory", "FieldVersion"}};
  for (const auto& [list, item] : lists) schemas[list] = ListSchema(item);

  json::object paths;
  for (const Route& route : router.routes()) {
    json::array parameters;
    size_t at = 0;
    while ((at = route.pattern.find('{', at)) != std::string::npos) {
      const size_t end = route.pattern.find('}', at);
      const std::string name = route.pattern.substr(at + 1, end - at - 1);
      parameters.push_back({{"name", name},
                            {"in", "path"},
                            {"required", true},
                            {"schema", {{"type", IsIntegerParameter(name) ? "integer" : "string"}}}});
      at = end;
    }
    for (const ParameterDoc& p : route.doc.query) {
      parameters.push_back({{"name", p.name},
                            {"in", p.in},
                            {"required", p.required},
                            {"description", p.description},
                            {"schema", {{"type", p.type}}}});
    }
    json::object operation{{"summary", route.doc.summary},
                           {"tags", json::array{json::string(route.doc.tag)}},
                           {"operationId", route.method + " " + route.pattern}};
    if (!parameters.empty()) operation["parameters"] = std::move(parameters);
    if (!route.doc.request_schema.empty()) {
      operation["requestBody"] = {
          {"required", true},
          {"content", {{route.doc.request_media, {{"schema", Ref(route.doc.request_schema)}}}}}};
    }
    json::object responses;
    json::object success{{"description", Reason(route.doc.success_status)}};
    if (!route.doc.response_media.empty() && route.doc.success_status != 204) {
      json::object media;
      if (!route.doc.response_schema.empty()) media["schema"] = Ref(route.doc.response_schema);
      success["content"] = {{route.doc.response_media, std::move(media)}};
    }
    responses[std::to_string(route.doc.success_status)] = std::move(success);
    std::set<int> errors(route.doc.error_statuses.begin(), route.doc.error_statuses.end());
    if (route.gate != Gate::kPublic) errors.insert(401);
    if (route.gate != Gate::kPublic && route.method != "GET") errors.insert(403);
    if (route.gate != Gate::kPublic && route.gate != Gate::kSignedIn) errors.insert(403);
    for (int status : errors) {
      if (status == route.doc.success_status) continue;
      responses[std::to_string(status)] = {
          {"description", Reason(status)},
          {"content", {{"application/problem+json", {{"schema", Ref("Problem")}}}}}};
    }
    operation["responses"] = std::move(responses);
    if (route.gate == Gate::kPublic) {
      operation["security"] = json::array{};
    } else {
      const char* who = route.gate == Gate::kAdministrator ? "administratör"
                        : route.gate == Gate::kCoordinator ? "administratör, utvecklingsledare"
                        : route.gate == Gate::kManagement
                            ? "administratör, utvecklingsledare, förvaltning"
                            : "any signed-in user (finer rights per instance role)";
      operation["x-spegla-roles"] = who;
    }
    std::string method = route.method;
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    json::value& path = paths[route.pattern];
    if (!path.is_object()) path.emplace_object();
    path.as_object()[method] = std::move(operation);
  }
  json::object document{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Spegla API"},
        {"version", version},
        {"description",
         "Spegla's REST API (docs/api.md). Sign in with POST /api/session: the session cookie then goes with "
         "every request, and each state-changing request carries the X-CSRF-Token from the login response. "
         "Other systems may send the token as Authorization: Bearer instead (no CSRF token needed). Errors "
         "are application/problem+json (RFC 9457) listing every problem."}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", std::move(schemas)},
        {"securitySchemes",
         {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "spegla_session"}}},
          {"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"security",
       json::array{json::object{{"session", json::array{}}}, json::object{{"bearer", json::array{}}}}}};
  return json::serialize(document);
}

}  // namespace spegla::server
