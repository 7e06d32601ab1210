// The plain request and response the API works with: no Beast types, so that only the server's
// transport (http_server.cpp) compiles Beast.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace spegla::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/api/instances?limit=10"
  std::string path;    // percent-decoded path without the query: "/api/instances"
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string body;
  std::string remote_address;  // the peer's IP address
  bool secure = false;         // arrived over TLS (or through a proxy that says so and is trusted)

  // The first header or query parameter of that name, or "" when absent.
  const std::string& Header(const std::string& lower_case_name) const;
  const std::string* Query(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ETag, ...)
  std::string body;
  std::string user;  // who made the request, for the access log ("-" when nobody signed in)
};

}  // namespace spegla::server
