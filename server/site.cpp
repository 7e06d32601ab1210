#include "site.h"

namespace spegla::server {

Site::Site(Api& api, const std::string& web_root, bool trust_proxy) : api_(api), trust_proxy_(trust_proxy) {
  if (!web_root.empty()) files_.emplace(web_root);
}

HttpResponse Site::Handle(const HttpRequest& request) {
  std::optional<HttpResponse> response = files_ ? files_->Serve(request) : std::nullopt;
  if (response) {
    AddSecurityHeaders(*response);
    return std::move(*response);
  }
  if (trust_proxy_ && request.Header("x-forwarded-proto") == "https" && !request.secure) {
    HttpRequest forwarded = request;
    forwarded.secure = true;
    response = api_.Handle(forwarded);
  } else {
    response = api_.Handle(request);
  }
  // The API answers JSON and files, never pages: not sniffing their type is what it needs (the page
  // headers would only cost bytes at tens of thousands of answers a second).
  response->headers.emplace_back("X-Content-Type-Options", "nosniff");
  return std::move(*response);
}

}  // namespace spegla::server
