// Routes for running instances: the instance itself, participants, forms, steps, the audit log,
// documents, and the management exports.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api.h"
#include "api_support.h"
#include "json_views.h"
#include "spegla/plugin_host.h"

namespace spegla::server {
namespace {

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

HttpResponse InstanceResponse(Engine& engine, const Actor& actor, std::int64_t id, int status = 200) {
  Result<InstanceView> view = engine.GetInstance(actor, id);
  if (!view) return ErrorResponse(view.error());
  return JsonResponse(status, InstanceJson(view.value()));
}

HttpResponse FormResponse(const FormView& form, std::int64_t instance) {
  HttpResponse response = JsonResponse(200, FormJson(form, instance));
  response.headers.emplace_back("ETag", form.etag);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// A 409 for fields changed meanwhile: each entry naming a field (form.field or form.field#n) also gets the
// value stored now as the caller may see it ("current") and what the caller sent for it ("yours").
HttpResponse ConflictResponse(const Error& error, const Result<FormView>& now, const json::object& sent,
                              const std::string& form, int occurrence) {
  HttpResponse response = ErrorResponse(error);
  json::value body = json::parse(response.body);
  json::value* errors = body.as_object().if_contains("errors");
  if (!errors || !errors->is_array()) return response;
  const std::string suffix = occurrence > 0 ? "#" + std::to_string(occurrence) : "";
  for (json::value& entry : errors->as_array()) {
    const json::value* field = entry.as_object().if_contains("field");
    if (!field || !field->is_string()) continue;
    const std::string path(field->as_string());
    if (path.size() <= form.size() + 1 + suffix.size() || path.compare(0, form.size() + 1, form + ".") != 0 ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string id = path.substr(form.size() + 1, path.size() - form.size() - 1 - suffix.size());
    if (const json::value* yours = sent.if_contains(id)) entry.as_object()["yours"] = *yours;
    if (!now) continue;
    for (const FieldView& f : now.value().fields) {
      if (f.field->id != id) continue;
      json::object field_json = FieldJson(f);
      entry.as_object()["current"] = json::object{{"value", field_json["value"]},
                                                  {"version", field_json["version"]},
                                                  {"author", field_json["author"]},
                                                  {"updated_at", field_json["updated_at"]}};
    }
  }
  response.body = json::serialize(body);
  return response;
}

HttpResponse DocumentResponse(const Document& document) {
  HttpResponse response;
  response.content_type = document.info.media_type;
  response.body = document.bytes;
  response.headers.emplace_back("Content-Disposition", AttachmentName(document.info.file_name));
  response.headers.emplace_back("Cache-Control", "private, no-store");
  return response;
}

}  // namespace

void Api::AddInstanceRoutes() {
  router_.Add(
      Route{"GET", "/api/instances", Gate::kSignedIn,
            RouteDoc{"List the instances I may see, newest first",
                     "instances",
                     {{"municipality_id", "query", "integer", "Only this municipality", false},
                      {"unit_id", "query", "integer", "Only this unit", false},
                      {"workflow", "query", "string", "Only this workflow definition", false},
                      {"status", "query", "string", "active or completed", false},
                      {"limit", "query", "integer", "Page size, 1–500 (default 50)", false},
                      {"offset", "query", "integer", "Items to skip", false}},
                     "",
                     "",
                     "InstanceList",
                     "application/json",
                     200,
                     {400}},
            [this](RequestContext& c) {
              json::array errors;
              Paging p = ReadPaging(c.request, &errors);
              InstanceFilter filter;
              filter.municipality_id = QueryInt(c.request, "municipality_id", &errors);
              filter.unit_id = QueryInt(c.request, "unit_id", &errors);
              if (const std::string* w = c.request.Query("workflow")) filter.workflow_id = *w;
              if (const std::string* s = c.request.Query("status")) {
                if (*s != "active" && *s != "completed") {
                  errors.push_back({{"field", "status"}, {"message", "Ska vara active eller completed."}});
                }
                filter.status = *s;
              }
              if (!errors.empty()) return QueryProblem(std::move(errors));
              filter.limit = p.limit;
              filter.offset = p.offset;
              InstancePage page = engine_.ListInstances(c.actor(), filter);
              json::array items;
              for (const InstanceSummary& s : page.items) items.push_back(InstanceSummaryJson(s));
              return JsonResponse(200, Page(std::move(items), page.total, p));
            }});
  router_.Add(
      Route{"POST", "/api/instances", Gate::kSignedIn,
            RouteDoc{"Start an instance of a workflow for a unit (administrators and the municipality's "
                     "utvecklingsledare)",
                     "instances",
                     {},
                     "InstanceInput",
                     "application/json",
                     "Instance",
                     "application/json",
                     201,
                     {400, 404, 415, 422}},
            [this](RequestContext& c) {
              BodyReader body(c.request);
              std::optional<std::string> workflow = body.String("workflow", true);
              std::optional<std::int64_t> unit = body.Int("unit_id", true);
              std::optional<std::string> title = body.String("title", false);
              std::optional<std::int64_t> team = body.Int("team_id", false);
              if (!body.ok()) return body.Problem();
              Result<std::int64_t> id =
                  engine_.CreateInstance(c.actor(), *workflow, *unit, title.value_or(""), team);
              if (!id) return ErrorResponse(id.error());
              HttpResponse response = InstanceResponse(engine_, c.actor(), id.value(), 201);
              response.headers.emplace_back("Location", "/api/instances/" + std::to_string(id.value()));
              return response;
            }});
  router_.Add(
      Route{"GET", "/api/instances/{id}", Gate::kSignedIn,
            RouteDoc{"An instance: phases, steps and their states, deadlines, budgets, participants",
                     "instances",
                     {},
                     "",
                     "",
                     "Instance",
                     "application/json",
                     200,
                     {404}},
            [this](RequestContext& c) { return InstanceResponse(engine_, c.actor(), c.IntParam("id")); }});

  // --- participants ---
  router_.Add(
      Route{"GET", "/api/instances/{id}/participants", Gate::kSignedIn,
            RouteDoc{"Who takes part, in which role",
                     "instances",
                     {},
                     "",
                     "",
                     "ParticipantList",
                     "application/json",
                     200,
                     {404}},
            [this](RequestContext& c) {
              Result<InstanceView> view = engine_.GetInstance(c.actor(), c.IntParam("id"));
              if (!view) return ErrorResponse(view.error());
              json::object out = InstanceJson(view.value());
              return JsonResponse(200, json::object{{"items", out["participants"]}, {"roles", out["roles"]}});
            }});
  router_.Add(Route{"POST", "/api/instances/{id}/participants", Gate::kSignedIn,
                    RouteDoc{"Assign a user to a role of the instance",
                             "instances",
                             {},
                             "RoleAssignment",
                             "application/json",
                             "Instance",
                             "application/json",
                             200,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::string> role = body.String("role", true);
                      std::optional<std::string> username = body.String("username", true);
                      if (!body.ok()) return body.Problem();
                      const std::int64_t id = c.IntParam("id");
                      Result<Ok> done = engine_.AssignParticipant(c.actor(), id, *role, *username);
                      if (!done) return ErrorResponse(done.error());
                      return InstanceResponse(engine_, c.actor(), id);
                    }});
  router_.Add(Route{
      "DELETE", "/api/instances/{id}/participants/{role}/{username}", Gate::kSignedIn,
      RouteDoc{"Remove a user from a role of the instance", "instances", {}, "", "", "", "", 204, {404, 409}},
      [this](RequestContext& c) {
        Result<Ok> done =
            engine_.RemoveParticipant(c.actor(), c.IntParam("id"), Param(c, "role"), Param(c, "username"));
        return done ? NoContent() : ErrorResponse(done.error());
      }});

  // --- forms ---
  const ParameterDoc occurrence{
      "occurrence", "query", "integer",
      "Which occurrence of a repeating step's form (1, 2, …); 0 or absent otherwise", false};
  router_.Add(Route{"GET", "/api/instances/{id}/forms/{form}", Gate::kSignedIn,
                    RouteDoc{"A form with the fields I may see, their values and versions; ETag for If-Match",
                             "forms",
                             {occurrence},
                             "",
                             "",
                             "Form",
                             "application/json",
                             200,
                             {400, 404}},
                    [this](RequestContext& c) {
                      json::array errors;
                      std::optional<int> occ = Occurrence(c, &errors);
                      if (!errors.empty()) return QueryProblem(std::move(errors));
                      const std::int64_t id = c.IntParam("id");
                      Result<FormView> form = engine_.GetForm(c.actor(), id, Param(c, "form"), *occ);
                      if (!form) return ErrorResponse(form.error());
                      return FormResponse(form.value(), id);
                    }});
  router_.Add(Route{
      "PATCH", "/api/instances/{id}/forms/{form}", Gate::kSignedIn,
      RouteDoc{"Write fields of a form, all or none. Needs If-Match (the form's ETag, or * to write whatever "
               "is there) or per-field versions; a field changed since is a 409 conflict naming it",
               "forms",
               {occurrence},
               "FormPatch",
               "application/json",
               "Form",
               "application/json",
               200,
               {400, 404, 409, 412, 415, 422, 428}},
      [this](RequestContext& c) {
        json::array query_errors;
        std::optional<int> occ = Occurrence(c, &query_errors);
        if (!query_errors.empty()) return QueryProblem(std::move(query_errors));
        BodyReader body(c.request);
        const json::value* fields = body.Raw("fields", true);
        const json::value* versions = body.Raw("versions", false);
        if (fields && !fields->is_object()) body.AddError("fields", "Ska vara ett objekt: fält-id → värde.");
        if (versions && !versions->is_object())
          body.AddError("versions", "Ska vara ett objekt: fält-id → version.");
        if (!body.ok()) return body.Problem();
        const std::string& if_match = c.request.Header("if-match");
        if (if_match.empty() && !versions) {
          return ProblemResponse(428, "Version saknas",
                                 "Skicka If-Match med formulärets ETag (eller *), eller versions per fält.");
        }
        std::vector<FieldChange> changes;
        for (const auto& [key, raw] : fields->as_object()) {
          FieldChange change{std::string(key), Value{}, std::nullopt, json::serialize(raw)};
          if (versions) {
            if (const json::value* v = versions->as_object().if_contains(key)) {
              if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > INT32_MAX) {
                body.AddError(change.field, "Versionen ska vara ett heltal ≥ 0.");
                continue;
              }
              change.expected_version = static_cast<int>(v->as_int64());
            }
          }
          changes.push_back(std::move(change));
        }
        if (!body.ok()) return body.Problem();
        const std::int64_t id = c.IntParam("id");
        std::optional<std::string> etag;
        if (!if_match.empty() && if_match != "*") etag = if_match;
        std::vector<std::string> merged;
        Result<FormView> written =
            engine_.WriteForm(c.actor(), id, Param(c, "form"), *occ, std::move(changes), etag, &merged);
        if (!written) {
          const Error& error = written.error();
          if (error.code == ErrorCode::kConflict && !error.issues.empty() &&
              error.issues.front().field == "etag") {
            HttpResponse response =
                ProblemResponse(412, "Formuläret har ändrats", error.issues.front().message);
            if (Result<FormView> now = engine_.GetForm(c.actor(), id, Param(c, "form"), *occ)) {
              response.headers.emplace_back("ETag", now.value().etag);
            }
            return response;
          }
          if (error.code == ErrorCode::kConflict) {
            return ConflictResponse(error, engine_.GetForm(c.actor(), id, Param(c, "form"), *occ),
                                    fields->as_object(), Param(c, "form"), *occ);
          }
          return ErrorResponse(error);
        }
        HttpResponse response = FormResponse(written.value(), id);
        if (!merged.empty()) {
          // The long texts someone else changed meanwhile, merged with this edit (docs/collaboration.md).
          json::value answer = json::parse(response.body);
          json::array merged_json;
          for (const std::string& field : merged) merged_json.push_back(json::value(field));
          answer.as_object()["merged"] = std::move(merged_json);
          response.body = json::serialize(answer);
        }
        return response;
      }});

  // --- steps ---
  auto step_action = [this](const std::string& action, const std::string& summary,
                            const std::string& schema) {
    router_.Add(Route{"POST", "/api/instances/{id}/steps/{step}/" + action, Gate::kSignedIn,
                      RouteDoc{summary,
                               "steps",
                               {},
                               schema,
                               "application/json",
                               action == "occurrences" ? "Occurrence" : "Instance",
                               "application/json",
                               action == "occurrences" ? 201 : 200,
                               {400, 404, 409, 415, 422}},
                      [this, action](RequestContext& c) {
                        const std::int64_t id = c.IntParam("id");
                        const std::string& step = Param(c, "step");
                        if (action == "complete") {
                          Result<Ok> done = engine_.CompleteStep(c.actor(), id, step);
                          if (!done) return ErrorResponse(done.error());
                        } else if (action == "sign-off") {
                          Result<Ok> done = engine_.SignOff(c.actor(), id, step);
                          if (!done) return ErrorResponse(done.error());
                        } else if (action == "occurrences") {
                          Result<int> added = engine_.AddOccurrence(c.actor(), id, step);
                          if (!added) return ErrorResponse(added.error());
                          return JsonResponse(201, json::object{{"occurrence", added.value()}});
                        } else {
                          BodyReader body(c.request);
                          std::optional<std::string> to =
                              action == "send-back" ? body.String("to", true) : std::nullopt;
                          std::optional<std::string> reason = body.String("reason", true);
                          if (!body.ok()) return body.Problem();
                          Result<Ok> done = action == "send-back"
                                                ? engine_.SendBack(c.actor(), id, step, *to, *reason)
                                                : engine_.Reopen(c.actor(), id, step, *reason);
                          if (!done) return ErrorResponse(done.error());
                        }
                        return InstanceResponse(engine_, c.actor(), id);
                      }});
  };
  step_action("complete", "Complete an open step: every rule is checked; 409 lists every reason it cannot",
              "");
  step_action("send-back", "Send an open step back to an earlier step the definition allows, with a reason",
              "SendBack");
  step_action("reopen", "Open a completed step again, with a reason", "Reason");
  step_action("sign-off", "Sign a step off in my role", "");
  step_action("occurrences", "Add the next occurrence of a repeating step (a visit day, a meeting)", "");

  // --- audit log ---
  router_.Add(Route{"GET", "/api/instances/{id}/events", Gate::kSignedIn,
                    RouteDoc{"The instance's audit log, oldest first",
                             "instances",
                             {{"limit", "query", "integer", "Page size, 1–500 (default 50)", false},
                              {"offset", "query", "integer", "Entries to skip", false}},
                             "",
                             "",
                             "EventList",
                             "application/json",
                             200,
                             {400, 404}},
                    [this](RequestContext& c) {
                      json::array errors;
                      Paging p = ReadPaging(c.request, &errors);
                      if (!errors.empty()) return QueryProblem(std::move(errors));
                      Result<std::vector<AuditEntry>> log = engine_.AuditLog(c.actor(), c.IntParam("id"));
                      if (!log) return ErrorResponse(log.error());
                      json::array items;
                      for (size_t i = p.offset; i < log.value().size() && items.size() < p.limit; ++i) {
                        items.push_back(AuditEntryJson(log.value()[i]));
                      }
                      return JsonResponse(200, Page(std::move(items), log.value().size(), p));
                    }});
}

void Api::AddDocumentRoutes() {
  router_.Add(Route{"GET", "/api/instances/{id}/documents", Gate::kSignedIn,
                    RouteDoc{"Every stored version of the documents I may read",
                             "documents",
                             {},
                             "",
                             "",
                             "DocumentList",
                             "application/json",
                             200,
                             {404}},
                    [this](RequestContext& c) {
                      const std::int64_t id = c.IntParam("id");
                      Result<std::vector<DocumentInfo>> list = engine_.Documents(c.actor(), id);
                      if (!list) return ErrorResponse(list.error());
                      json::array items;
                      for (const DocumentInfo& d : list.value()) items.push_back(DocumentInfoJson(d, id));
                      const size_t total = items.size();
                      return JsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
                    }});
  router_.Add(Route{"GET", "/api/instances/{id}/documents/{document}", Gate::kSignedIn,
                    RouteDoc{"A stored document (DOCX), the latest version unless ?version=N",
                             "documents",
                             {{"version", "query", "integer", "Which version", false}},
                             "",
                             "",
                             "",
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             200,
                             {400, 404}},
                    [this](RequestContext& c) {
                      json::array errors;
                      std::optional<std::int64_t> version = QueryInt(c.request, "version", &errors);
                      if (!errors.empty()) return QueryProblem(std::move(errors));
                      Result<Document> document = engine_.GetDocument(
                          c.actor(), c.IntParam("id"), Param(c, "document"),
                          version ? std::optional<int>(static_cast<int>(*version)) : std::nullopt);
                      if (!document) return ErrorResponse(document.error());
                      return DocumentResponse(document.value());
                    }});
  router_.Add(Route{"GET", "/api/instances/{id}/documents/{document}/preview", Gate::kSignedIn,
                    RouteDoc{"The document rendered from the current data, not stored",
                             "documents",
                             {},
                             "",
                             "",
                             "",
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             200,
                             {404}},
                    [this](RequestContext& c) {
                      Result<Document> document =
                          engine_.RenderDocument(c.actor(), c.IntParam("id"), Param(c, "document"));
                      if (!document) return ErrorResponse(document.error());
                      return DocumentResponse(document.value());
                    }});
  router_.Add(
      Route{"POST", "/api/instances/{id}/documents/{document}/render", Gate::kSignedIn,
            RouteDoc{"Render the document again from the current data and store it as the next version",
                     "documents",
                     {},
                     "",
                     "",
                     "DocumentInfo",
                     "application/json",
                     201,
                     {404, 409}},
            [this](RequestContext& c) {
              const std::int64_t id = c.IntParam("id");
              Result<DocumentInfo> info = engine_.GenerateDocument(c.actor(), id, Param(c, "document"));
              if (!info) return ErrorResponse(info.error());
              return JsonResponse(201, DocumentInfoJson(info.value(), id));
            }});
}

void Api::AddExportRoutes() {
  const std::vector<ParameterDoc> filters = {
      {"municipality_id", "query", "integer", "Only this municipality", false},
      {"unit_id", "query", "integer", "Only this unit", false},
      {"workflow", "query", "string", "Only this workflow definition", false},
      {"status", "query", "string", "active or completed", false},
      {"from", "query", "string", "Period start, YYYY-MM-DD: instances that ran during some part of it",
       false},
      {"to", "query", "string", "Period end, YYYY-MM-DD", false}};
  auto add = [this, &filters](const std::string& format, const std::string& media) {
    std::vector<ParameterDoc> query = filters;
    if (format == "csv") {
      query.push_back({"sheet", "query", "string", "Which sheet (default Översikt)", false});
      query.push_back({"separator", "query", "string", "',' or ';' (with decimal comma)", false});
    }
    router_.Add(Route{
        "GET", "/api/exports/overview." + format, Gate::kManagement,
        RouteDoc{"The management overview as " + format + " (docs/exports.md)",
                 "exports",
                 query,
                 "",
                 "",
                 "",
                 media,
                 200,
                 {400, 404}},
        [this, format](RequestContext& c) {
          json::array errors;
          ExportRequest request;
          request.filter.municipality_id = QueryInt(c.request, "municipality_id", &errors);
          request.filter.unit_id = QueryInt(c.request, "unit_id", &errors);
          if (const std::string* w = c.request.Query("workflow")) request.filter.workflow_id = *w;
          if (const std::string* s = c.request.Query("status")) {
            if (*s != "active" && *s != "completed") {
              errors.push_back({{"field", "status"}, {"message", "Ska vara active eller completed."}});
            }
            request.filter.status = *s;
          }
          for (const char* name : {"from", "to"}) {
            const std::string* text = c.request.Query(name);
            if (!text) continue;
            std::optional<Date> date = Date::Parse(*text);
            if (!date) errors.push_back({{"field", name}, {"message", "Ska vara ett datum ÅÅÅÅ-MM-DD."}});
            (std::string(name) == "from" ? request.filter.from : request.filter.to) = date;
          }
          ExportOptions options;
          if (const std::string* separator = c.request.Query("separator")) {
            if (*separator != ";" && *separator != ",") {
              errors.push_back({{"field", "separator"}, {"message", "Ska vara , eller ;."}});
            } else {
              options.separator = (*separator)[0];
            }
          }
          if (!errors.empty()) return QueryProblem(std::move(errors));
          const ExportPlugin* plugin = engine_.plugins() ? engine_.plugins()->FindExport(format) : nullptr;
          if (!plugin)
            return ErrorResponse(Error::Of(ErrorCode::kNotFound, "Exportformatet " + format + " saknas."));
          if (const std::string* sheet = c.request.Query("sheet")) request.sheet = *sheet;
          if (!plugin->MultipleSheets() && !request.sheet) request.sheet = kOverviewSheet;

          WorkbookInfo info;
          info.title = "Spegla – översikt över utvecklingsarbetet";
          info.subject = "Processer, faser, tidsgränser och lärdomar";
          info.author = c.user().display_name;
          info.company = "Spegla";
          info.comments = "Skapad av Spegla " + options_.version;
          info.created = engine_.clock().Now().time_since_epoch().count();
          // The writers stream to a file; the file is read back once complete and removed at once.
          static std::atomic<std::uint64_t> counter{0};
          const std::filesystem::path file =
              std::filesystem::temp_directory_path() / ("spegla-export-" + std::to_string(::getpid()) + "-" +
                                                        std::to_string(++counter) + "." + format);
          struct Remove {
            std::filesystem::path path;
            ~Remove() {
              std::error_code ec;
              std::filesystem::remove(path, ec);
            }
          } remove{file};
          OpenedWriter opened = plugin->Open(file.string(), info, options);
          if (!opened.writer) return ErrorResponse(Error::Of(ErrorCode::kInternal, opened.problem));
          Result<ExportSummary> exported = engine_.Export(c.actor(), request, *opened.writer);
          std::vector<std::string> problems = opened.writer->Finish();
          opened.writer.reset();
          if (!exported) return ErrorResponse(exported.error());
          if (!problems.empty()) {
            Error error{ErrorCode::kInternal, {}};
            for (const std::string& p : problems) error.issues.push_back(Issue{{}, p});
            return ErrorResponse(error);
          }
          std::ifstream in(file, std::ios::binary);
          std::ostringstream bytes;
          bytes << in.rdbuf();
          HttpResponse response;
          response.content_type = std::string(plugin->Produces());
          response.body = bytes.str();
          response.headers.emplace_back(
              "Content-Disposition",
              AttachmentName("spegla-oversikt-" + engine_.clock().Today().ToString() + "." + format));
          response.headers.emplace_back("Cache-Control", "private, no-store");
          return response;
        }});
  };
  add("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  add("csv", "text/csv");
}

}  // namespace spegla::server
