#include "static_files.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace spegla::server {
namespace {

namespace fs = std::filesystem;

const char* MediaType(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  return nullptr;
}

HttpResponse NotFound() {
  HttpResponse response;
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "Sidan finns inte.\n";
  return response;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  root_ = ec ? root : canonical.string();
}

std::optional<HttpResponse> StaticFiles::Serve(const HttpRequest& request) const {
  if (request.path.rfind("/api/", 0) == 0 || request.path == "/api") return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response;
    response.status = 405;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "Bara GET och HEAD.\n";
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  std::string relative = request.path.substr(1);
  if (relative.empty()) relative = "index.html";
  if (std::optional<HttpResponse> file = File(relative, request)) return file;
  // Not a file: a page of the app (no extension), or a missing asset (404, not the app).
  if (fs::path(relative).has_extension()) return NotFound();
  return File("index.html", request);
}

std::optional<HttpResponse> StaticFiles::File(const std::string& relative, const HttpRequest& request) const {
  // No hidden files, no parent steps, no absolute paths; then the resolved file must be inside the root
  // (a symbolic link out of it is refused too).
  fs::path path(relative);
  if (path.is_absolute()) return std::nullopt;
  for (const fs::path& part : path) {
    const std::string name = part.string();
    if (name.empty() || name[0] == '.' || name.find('\0') != std::string::npos) return std::nullopt;
  }
  const char* type = MediaType(path);
  if (!type) return std::nullopt;
  std::error_code ec;
  fs::path full = fs::canonical(fs::path(root_) / path, ec);
  if (ec) return std::nullopt;
  const std::string text = full.string();
  if (text.size() <= root_.size() || text.compare(0, root_.size(), root_) != 0 || text[root_.size()] != '/') {
    return std::nullopt;
  }
  struct stat info {};
  if (::stat(text.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(info.st_size),
                static_cast<unsigned long long>(info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec));
  HttpResponse response;
  response.content_type = type;
  response.headers.emplace_back("ETag", etag);
  // Revalidated every time: a new version of Spegla shows at once, and an unchanged file costs a 304.
  response.headers.emplace_back("Cache-Control", "no-cache");
  if (request.Header("if-none-match") == etag) {
    response.status = 304;
    return response;
  }
  std::ifstream in(full, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  response.body = bytes.str();
  return response;
}

void AddSecurityHeaders(HttpResponse& response) {
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
}

}  // namespace spegla::server
