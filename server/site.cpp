#include "site.h"

namespace spegla::server {

Site::Site(Api& api, const std::string& web_root, bool trust_proxy) : api_(api), trust_proxy_(trust_proxy) {
  if (!web_root.empty()) files_.emplace(web_root);
}

HttpResponse Site::Handle(const HttpRequest& request) {
  std::optional<HttpResponse> response = files_ ? files_->Serve(request) : std::nullopt;
  if (!response) {
    if (trust_proxy_ && request.Header("x-forwarded-proto") == "https" && !request.secure) {
      HttpRequest forwarded = request;
      forwarded.secure = true;
      response = api_.Handle(forwarded);
    } else {
      response = api_.Handle(request);
    }
  }
  AddSecurityHeaders(*response);
  return std::move(*response);
}

}  // namespace spegla::server
