// The web interface's files (web/), served from a directory: GET and HEAD only, files of known types
// only, never anything outside the directory or hidden. A path that names no file and is not under /api/
// gets index.html, so that the page's own router can show it (a reload of /instanser/12 works).
#pragma once

#include <optional>
#include <string>

#include "http_message.h"

namespace spegla::server {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);

  // The response for `request`, or nullopt when it is not for a static file (an /api/ path).
  std::optional<HttpResponse> Serve(const HttpRequest& request) const;

 private:
  std::optional<HttpResponse> File(const std::string& relative, const HttpRequest& request) const;

  std::string root_;  // canonical
};

// Headers every response of the server carries: no sniffing of types, no framing by other sites, no
// referrer leaving the site; pages may load scripts and styles from the server only.
void AddSecurityHeaders(HttpResponse& response);

}  // namespace spegla::server
