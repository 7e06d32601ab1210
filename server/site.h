// The whole site `spegla serve` answers: the REST API under /api/, the web interface's files elsewhere,
// with the page security headers (CSP, framing, referrer) on the files and nosniff on everything.
#pragma once

#include <optional>
#include <string>

#include "api.h"
#include "http_message.h"
#include "static_files.h"

namespace spegla::server {

class Site {
 public:
  // `web_root` is the web interface's directory (none when empty). With `trust_proxy`, a request that a
  // reverse proxy marks "X-Forwarded-Proto: https" counts as arrived over TLS (the cookie gets Secure).
  Site(Api& api, const std::string& web_root, bool trust_proxy);

  HttpResponse Handle(const HttpRequest& request);

 private:
  Api& api_;
  std::optional<StaticFiles> files_;
  bool trust_proxy_;
};

}  // namespace spegla::server
