// The REST API (docs/api.md): routes over the engine, sessions and CSRF, problem responses.
//
// Every request goes through Api::Handle: find the route (404/405), establish who is calling (session
// cookie or bearer token; 401 unless the route is public), check CSRF on state-changing requests made with
// the cookie (403), apply the route's global-role gate (403), then the handler, which lets the engine
// decide the finer rights (per instance role, form and field).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http_message.h"
#include "login_throttle.h"
#include "router.h"
#include "spegla/engine.h"

namespace spegla::server {

struct ApiOptions {
  std::chrono::seconds session_lifetime{12 * 3600};
  bool secure_cookies = false;  // mark the session cookie Secure (behind TLS)
  LoginThrottle::Limits login_limits;
  // How long a session looked up in the database is trusted without looking again. Logout in this
  // process takes effect at once; in another process (issue 10) within this time.
  std::chrono::seconds session_cache_time{5};
  std::string version = SPEGLA_VERSION;
  // Where the templates of definitions uploaded through the API are looked up, and where uploaded
  // templates are written (spegla serve: beside the database, with the bundled ones copied in).
  std::string template_dir;
};

struct RequestContext {
  const HttpRequest& request;
  std::map<std::string, std::string> params;  // path parameters
  std::optional<SessionInfo> session;         // the caller, when signed in
  std::string token;                          // the session token presented
  bool via_cookie = false;                    // the token came in the cookie (not Authorization)

  Actor actor() const { return session ? Actor::User(session->user.username) : Actor::User(""); }
  const User& user() const { return session->user; }
  std::int64_t IntParam(const std::string& name) const;  // REQUIRES: the router matched it as a number
};

class Api {
 public:
  Api(Engine& engine, ApiOptions options);
  ~Api();

  HttpResponse Handle(const HttpRequest& request);
  const Router& router() const { return router_; }
  Engine& engine() { return engine_; }
  const ApiOptions& options() const { return options_; }

  // The session a token belongs to, from a short-lived cache in front of the database.
  std::optional<SessionInfo> ResolveSession(const std::string& token);
  void ForgetSession(const std::string& token);
  // Drops the user's cached sessions: after a change that ends them in the database (password, role).
  void ForgetUser(const std::string& username);
  LoginThrottle& throttle() { return throttle_; }

 private:
  void AddSessionRoutes();
  void AddOrganisationRoutes();
  void AddWorkflowRoutes();
  void AddInstanceRoutes();
  void AddDocumentRoutes();
  void AddExportRoutes();
  void AddInsightRoutes();
  void AddTemplateRoutes();
  void AddCollaborationRoutes();
  void AddOfflineFormRoutes();
  void AddMetaRoutes();
  std::vector<User> VisibleUsers(const User& viewer);

  Engine& engine_;
  ApiOptions options_;
  Router router_;
  LoginThrottle throttle_;

  struct CachedSession {
    SessionInfo session;
    std::chrono::steady_clock::time_point fetched;
  };
  std::mutex sessions_mutex_;
  std::unordered_map<std::string, CachedSession> sessions_;  // by token

  // The public lessons page per network, made at most every few minutes: anyone may ask for it, and
  // making it runs an export.
  struct CachedPage {
    std::chrono::steady_clock::time_point made;
    HttpResponse response;
  };
  std::mutex public_mutex_;
  std::map<std::string, CachedPage> public_pages_;
};

// The OpenAPI 3.1 document of every route in `router` (openapi.cpp).
std::string OpenApiDocument(const Router& router, const std::string& version);

}  // namespace spegla::server
