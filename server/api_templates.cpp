// Routes for the Word templates that uploaded workflow definitions refer to: list them, and upload one
// (checked by the docx plugin first, written whole or not at all). They live in ApiOptions::template_dir.
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api.h"
#include "api_support.h"
#include "spegla/atomic_file.h"
#include "spegla/plugin_host.h"

namespace spegla::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDocxMedia = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

std::string Sha256(const std::string& bytes) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(bytes.data(), static_cast<unsigned>(bytes.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A template's place: "ku8/ansokan.docx" — letters, digits, '-', '_' and '.', not starting with '.', at
// most four folders deep, ending in .docx. What a workflow's template attribute may name.
bool ValidTemplatePath(const std::string& path) {
  if (path.empty() || path.size() > 200 || !path.ends_with(".docx")) return false;
  int depth = 0;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part.empty() || part[0] == '.' || ++depth > 5) return false;
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

void Api::AddTemplateRoutes() {
  router_.Add(Route{"GET", "/api/templates", Gate::kAdministrator,
                    RouteDoc{"The Word templates workflow definitions may refer to",
                             "workflows",
                             {},
                             "",
                             "",
                             "TemplateList",
                             "application/json",
                             200,
                             {}},
                    [this](RequestContext&) {
                      json::array items;
                      std::error_code ec;
                      const fs::path root(options_.template_dir);
                      std::vector<fs::path> files;
                      for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
                           it.increment(ec)) {
                        if (it->is_regular_file() && it->path().extension() == ".docx")
                          files.push_back(it->path());
                      }
                      std::sort(files.begin(), files.end());
                      for (const fs::path& file : files) {
                        const std::string bytes = ReadAll(file);
                        items.push_back({{"path", file.lexically_relative(root).generic_string()},
                                         {"size", bytes.size()},
                                         {"sha256", Sha256(bytes)}});
                      }
                      const size_t total = items.size();
                      return JsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
                    }});
  router_.Add(Route{
      "POST", "/api/templates", Gate::kAdministrator,
      RouteDoc{
          "Upload a Word template (the .docx as the body) to ?path=folder/name.docx; the docx plugin checks "
          "it first, and 422 lists every problem",
          "workflows",
          {{"path", "query", "string", "Where it goes, e.g. ku8/ansokan.docx", true}},
          "TemplateFile",
          kDocxMedia,
          "Template",
          "application/json",
          201,
          {400, 413, 415, 422}},
      [this](RequestContext& c) {
        const std::string* path = c.request.Query("path");
        if (!path || !ValidTemplatePath(*path)) {
          return QueryProblem(json::array{json::object{
              {"field", "path"},
              {"message",
               "Ange en sökväg som ku8/ansokan.docx: bokstäver a–z, siffror, - och _, slutar på .docx."}}});
        }
        if (c.request.Header("content-type").rfind(kDocxMedia, 0) != 0) {
          return ProblemResponse(415, "Fel innehållstyp",
                                 std::string("Skicka mallen som ") + kDocxMedia + ".");
        }
        const DocumentPlugin* docx = engine_.plugins() ? engine_.plugins()->Find("docx") : nullptr;
        if (!docx) return ErrorResponse(Error::Of(ErrorCode::kInternal, "Tillägget docx saknas."));
        // The same check as when a definition is installed: a template that would fail then fails now.
        json::array problems;
        for (const TemplateProblem& p : docx->Check(c.request.body)) {
          problems.push_back({{"field", "template"}, {"message", p.Format()}});
        }
        if (!problems.empty()) {
          const std::string detail = std::to_string(problems.size()) + " problem i mallen; inget sparades.";
          return ProblemResponse(422, "Mallen har fel", detail, std::move(problems));
        }
        const fs::path target = fs::path(options_.template_dir) / *path;
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        const bool replaced = fs::exists(target, ec);
        // Whole or not at all, and durable before the answer: a temporary beside it, flushed and renamed
        // (spegla/atomic_file.h); a temporary an earlier, killed upload left is removed first.
        static std::atomic<unsigned> counter{0};
        RemoveStaleTemporaries(target);
        const fs::path temporary = TemporaryBeside(target, std::to_string(++counter));
        {
          std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
          out.write(c.request.body.data(), static_cast<std::streamsize>(c.request.body.size()));
          out.close();
          if (!out) {
            fs::remove(temporary, ec);
            return ErrorResponse(Error::Of(ErrorCode::kInternal, "Mallen kunde inte sparas."));
          }
        }
        if (std::string failure = CommitTemporary(temporary, target); !failure.empty()) {
          return ErrorResponse(Error::Of(ErrorCode::kInternal, "Mallen kunde inte sparas: " + failure));
        }
        HttpResponse response = JsonResponse(201, json::object{{"path", *path},
                                                               {"size", c.request.body.size()},
                                                               {"sha256", Sha256(c.request.body)},
                                                               {"replaced", replaced}});
        return response;
      }});
}

}  // namespace spegla::server
