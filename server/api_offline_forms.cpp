// Routes for offline forms (docs/offline-forms.md): the fillable Word or Excel file of a form, and the
// upload of a filled one, which writes its changed answers as a save in the web form would.
#include "api.h"
#include "api_support.h"
#include "json_views.h"
#include "offline_import.h"

namespace spegla::server {
namespace {

json::array Ids(const std::vector<std::string>& ids) {
  json::array out;
  for (const std::string& id : ids) out.emplace_back(json::string(id));
  return out;
}

}  // namespace

void Api::AddOfflineFormRoutes() {
  const ParameterDoc occurrence{
      "occurrence", "query", "integer",
      "Which occurrence of a repeating step's form (1, 2, …); 0 or absent otherwise", false};
  router_.Add(Route{
      "GET", "/api/instances/{id}/forms/{form}/download", Gate::kSignedIn,
      RouteDoc{"The form as a fillable Word (?format=docx, the default) or Excel (?format=xlsx) file: the "
               "fields I may see with their values, editable where I may edit, and a signed marker",
               "forms",
               {occurrence, {"format", "query", "string", "docx or xlsx", false}},
               "",
               "",
               "",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               200,
               {400, 403, 404}},
      [this](RequestContext& c) {
        json::array errors;
        std::optional<int> occ = Occurrence(c, &errors);
        const std::string* format = c.request.Query("format");
        if (format && *format != "docx" && *format != "xlsx") {
          errors.push_back({{"field", "format"}, {"message", "Ange docx eller xlsx."}});
        }
        if (!errors.empty()) return QueryProblem(std::move(errors));
        const offline::FileKind kind =
            format && *format == "xlsx" ? offline::FileKind::kXlsx : offline::FileKind::kDocx;
        Result<offline::OfflineFile> file =
            offline::MakeOfflineForm(engine_, c.actor(), c.IntParam("id"), Param(c, "form"), *occ, kind);
        if (!file) return ErrorResponse(file.error());
        HttpResponse response;
        response.content_type = file.value().media_type;
        response.body = std::move(file.value().bytes);
        response.headers.emplace_back("Content-Disposition", AttachmentName(file.value().file_name));
        response.headers.emplace_back("Cache-Control", "private, no-store");
        return response;
      }});
  router_.Add(Route{
      "POST", "/api/instances/{id}/forms/{form}/upload", Gate::kSignedIn,
      RouteDoc{"Upload a filled-in form file (the .docx or .xlsx as the body). The answers that differ from "
               "the file's starting point are written, all or none: 409 names each field changed since the "
               "download, 422 each answer that is not valid, and a file Spegla did not make, with a changed "
               "marker or for another instance or form, is refused",
               "forms",
               {occurrence},
               "FormFile",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "FormImport",
               "application/json",
               200,
               {400, 403, 404, 409, 413, 415, 422}},
      [this](RequestContext& c) {
        json::array errors;
        std::optional<int> occ = Occurrence(c, &errors);
        if (!errors.empty()) return QueryProblem(std::move(errors));
        const std::string& type = c.request.Header("content-type");
        const bool accepted = type.rfind(offline::kDocxMediaType, 0) == 0 ||
                              type.rfind(offline::kXlsxMediaType, 0) == 0 ||
                              type.rfind("application/octet-stream", 0) == 0;
        if (!accepted) {
          return ProblemResponse(415, "Fel innehållstyp",
                                 "Skicka filen som Word- (.docx) eller Excel-dokument (.xlsx).");
        }
        const std::int64_t id = c.IntParam("id");
        offline::ImportTarget target{id, Param(c, "form"), *occ};
        Result<offline::ImportOutcome> done = offline::ImportOfflineForm(engine_, c.actor(), c.request.body, target);
        if (!done) return ErrorResponse(done.error());
        const offline::ImportOutcome& o = done.value();
        HttpResponse response = JsonResponse(200, json::object{{"changed", Ids(o.changed)},
                                                               {"merged", Ids(o.merged)},
                                                               {"missing", Ids(o.missing)},
                                                               {"form", FormJson(o.view, id)}});
        response.headers.emplace_back("ETag", o.view.etag);
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      }});
}

}  // namespace spegla::server
