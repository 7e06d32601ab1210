#include "api.h"

#include <algorithm>
#include <cmath>

#include "api_support.h"
#include "json_views.h"

namespace spegla::server {
namespace {

constexpr const char* kCookie = "spegla_session";

// The token from "Authorization: Bearer T" (for other systems), else from the session cookie.
std::string TokenOf(const HttpRequest& request, bool* via_cookie) {
  const std::string& authorization = request.Header("authorization");
  if (authorization.size() > 7 &&
      (authorization.compare(0, 7, "Bearer ") == 0 || authorization.compare(0, 7, "bearer ") == 0)) {
    *via_cookie = false;
    return authorization.substr(7);
  }
  for (const auto& [name, value] : request.headers) {
    if (name != "cookie") continue;
    size_t at = 0;
    while (at < value.size()) {
      size_t end = value.find(';', at);
      if (end == std::string::npos) end = value.size();
      std::string_view pair(value.data() + at, end - at);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const std::string_view prefix = std::string_view(kCookie);
      if (pair.size() > prefix.size() + 1 && pair.substr(0, prefix.size()) == prefix &&
          pair[prefix.size()] == '=') {
        *via_cookie = true;
        return std::string(pair.substr(prefix.size() + 1));
      }
      at = end + 1;
    }
  }
  return {};
}

// Whether a parsed body holds a number outside the range of a double: JSON allows 1e999, Boost.JSON reads
// it as infinity, and no answer may carry it back (found by fuzz/api_json_fuzz.cpp). The parser's depth
// limit bounds the recursion.
bool HasNonFiniteNumber(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return !std::isfinite(v.get_double());
    case json::kind::array:
      return std::any_of(v.get_array().begin(), v.get_array().end(), HasNonFiniteNumber);
    case json::kind::object:
      return std::any_of(v.get_object().begin(), v.get_object().end(),
                         [](const json::key_value_pair& p) { return HasNonFiniteNumber(p.value()); });
    default:
      return false;
  }
}

bool ChangesState(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// Compares in time independent of where the strings differ, so the token cannot be guessed byte by byte.
bool SameSecret(const std::string& a, const std::string& b) {
  if (a.empty() || a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

bool Passes(Gate gate, const User& user) {
  const std::string& role = user.global_role;
  switch (gate) {
    case Gate::kPublic:
    case Gate::kSignedIn:
      return true;
    case Gate::kAdministrator:
      return role == "administrator";
    case Gate::kCoordinator:
      return role == "administrator" || role == "utvecklingsledare";
    case Gate::kManagement:
      return role == "administrator" || role == "utvecklingsledare" || role == "forvaltning";
  }
  return false;
}

const char* GateText(Gate gate) {
  switch (gate) {
    case Gate::kAdministrator:
      return "Bara en administratör får göra detta.";
    case Gate::kCoordinator:
      return "Bara en administratör eller utvecklingsledare får göra detta.";
    case Gate::kManagement:
      return "Bara administratörer, utvecklingsledare och förvaltningen får se detta.";
    default:
      return "Du får inte göra detta.";
  }
}

std::string CookieHeader(const std::string& token, std::chrono::seconds max_age, bool secure) {
  std::string cookie = std::string(kCookie) + "=" + token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
  if (secure) cookie += "; Secure";
  return cookie;
}

}  // namespace

// --- shared helpers (api_support.h) ------------------------------------------------------------------

HttpResponse JsonResponse(int status, const json::value& body) {
  HttpResponse response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

HttpResponse ProblemResponse(int status, const std::string& title, const std::string& detail,
                             json::array errors) {
  json::object body{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  if (!errors.empty()) body["errors"] = std::move(errors);
  HttpResponse response = JsonResponse(status, body);
  response.content_type = "application/problem+json";
  return response;
}

int StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kInvalid:
      return 422;
    case ErrorCode::kRefused:
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Error& error) {
  json::array errors;
  for (const Issue& issue : error.issues) {
    json::object entry{{"message", issue.message}};
    if (!issue.field.empty()) entry["field"] = issue.field;
    errors.push_back(std::move(entry));
  }
  const int status = StatusOf(error.code);
  std::string title;
  switch (error.code) {
    case ErrorCode::kUnauthenticated:
      title = "Inte inloggad";
      break;
    case ErrorCode::kNotFound:
      title = "Finns inte";
      break;
    case ErrorCode::kForbidden:
      title = "Inte tillåtet";
      break;
    case ErrorCode::kInvalid:
      title = "Felaktiga uppgifter";
      break;
    case ErrorCode::kRefused:
      title = "Går inte just nu";
      break;
    case ErrorCode::kConflict:
      title = "Ändrat av någon annan";
      break;
    case ErrorCode::kInternal:
      title = "Internt fel";
      break;
  }
  HttpResponse response = ProblemResponse(
      status, title, error.issues.empty() ? title : error.issues.front().message, std::move(errors));
  // The machine-readable kind, for clients that branch on it (refused and conflict share 409).
  json::value body = json::parse(response.body);
  body.as_object()["code"] = ToString(error.code);
  response.body = json::serialize(body);
  return response;
}

BodyReader::BodyReader(const HttpRequest& request) {
  const std::string& type = request.Header("content-type");
  if (type.compare(0, 16, "application/json") != 0) {
    status_ = 415;
    AddError("", "Skicka innehållet som application/json.");
    return;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(request.body, ec);
  if (ec) {
    status_ = 400;
    AddError("", "Innehållet är inte giltig JSON: " + ec.message());
    return;
  }
  if (!parsed.is_object()) {
    status_ = 400;
    AddError("", "Innehållet ska vara ett JSON-objekt.");
    return;
  }
  if (HasNonFiniteNumber(parsed)) {
    status_ = 400;
    AddError("", "Innehållet har ett tal som är för stort.");
    return;
  }
  object_ = std::move(parsed.as_object());
}

void BodyReader::AddError(const std::string& field, const std::string& message) {
  json::object entry{{"message", message}};
  if (!field.empty()) entry["field"] = field;
  errors_.push_back(std::move(entry));
}

bool BodyReader::Has(const std::string& name) const { return object_.contains(name); }

bool BodyReader::IsNull(const std::string& name) const {
  const json::value* v = object_.if_contains(name);
  return v && v->is_null();
}

const json::value* BodyReader::Raw(const std::string& name, bool required) {
  known_.push_back(name);
  const json::value* v = object_.if_contains(name);
  if (!v && required && status_ == 422) AddError(name, "Fältet saknas.");
  return v;
}

std::optional<std::string> BodyReader::String(const std::string& name, bool required) {
  const json::value* v = Raw(name, required);
  if (!v || (v->is_null() && !required)) return std::nullopt;
  if (!v->is_string()) {
    AddError(name, "Ska vara en text.");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<std::int64_t> BodyReader::Int(const std::string& name, bool required) {
  const json::value* v = Raw(name, required);
  if (!v || (v->is_null() && !required)) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  AddError(name, "Ska vara ett heltal.");
  return std::nullopt;
}

std::optional<bool> BodyReader::Bool(const std::string& name, bool required) {
  const json::value* v = Raw(name, required);
  if (!v || (v->is_null() && !required)) return std::nullopt;
  if (!v->is_bool()) {
    AddError(name, "Ska vara true eller false.");
    return std::nullopt;
  }
  return v->as_bool();
}

bool BodyReader::ok() {
  if (status_ == 422 && !unknown_checked_) {
    unknown_checked_ = true;
    for (const auto& [key, value] : object_) {
      if (std::find(known_.begin(), known_.end(), std::string(key)) == known_.end()) {
        AddError(std::string(key), "Okänt fält.");
      }
    }
  }
  return errors_.empty();
}

HttpResponse BodyReader::Problem() const {
  const char* title = status_ == 415   ? "Fel innehållstyp"
                      : status_ == 400 ? "Felaktig JSON"
                                       : "Felaktiga uppgifter";
  return ProblemResponse(
      status_, title,
      errors_.empty() ? title : std::string(errors_.front().as_object().at("message").as_string()), errors_);
}

std::optional<std::int64_t> QueryInt(const HttpRequest& request, const std::string& name,
                                     json::array* errors) {
  const std::string* text = request.Query(name);
  if (!text) return std::nullopt;
  std::int64_t n = 0;
  bool good = !text->empty() && text->size() <= 18;
  for (char c : *text) {
    if (c < '0' || c > '9')
      good = false;
    else
      n = n * 10 + (c - '0');
  }
  if (!good) {
    errors->push_back({{"field", name}, {"message", "Ska vara ett heltal, inte ”" + *text + "”."}});
    return std::nullopt;
  }
  return n;
}

Paging ReadPaging(const HttpRequest& request, json::array* errors) {
  Paging paging;
  if (std::optional<std::int64_t> limit = QueryInt(request, "limit", errors)) {
    if (*limit < 1 || *limit > 500) {
      errors->push_back({{"field", "limit"}, {"message", "Ska vara mellan 1 och 500."}});
    } else {
      paging.limit = static_cast<size_t>(*limit);
    }
  }
  if (std::optional<std::int64_t> offset = QueryInt(request, "offset", errors))
    paging.offset = static_cast<size_t>(*offset);
  return paging;
}

// ?occurrence=N (0 for a form that does not repeat).
std::optional<int> Occurrence(const RequestContext& c, json::array* errors) {
  std::optional<std::int64_t> n = QueryInt(c.request, "occurrence", errors);
  if (n && *n > 100000) {
    errors->push_back({{"field", "occurrence"}, {"message", "För stort tal."}});
    return std::nullopt;
  }
  return n ? static_cast<int>(*n) : 0;
}

std::string AttachmentName(const std::string& file_name) {
  std::string safe;
  for (char c : file_name) safe += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
  return "attachment; filename=\"" + safe + "\"";
}

HttpResponse QueryProblem(json::array errors) {
  const std::string detail(errors.front().as_object().at("message").as_string());
  return ProblemResponse(400, "Felaktig fråga", detail, std::move(errors));
}

json::object Page(json::array items, size_t total, const Paging& paging) {
  return {{"items", std::move(items)}, {"total", total}, {"limit", paging.limit}, {"offset", paging.offset}};
}

const std::string& Param(const RequestContext& context, const std::string& name) {
  return context.params.at(name);
}

std::int64_t RequestContext::IntParam(const std::string& name) const { return std::stoll(params.at(name)); }

// --- the API -----------------------------------------------------------------------------------------

Api::Api(Engine& engine, ApiOptions options)
    : engine_(engine), options_(std::move(options)), throttle_(engine.clock(), options_.login_limits) {
  AddSessionRoutes();
  AddOrganisationRoutes();
  AddWorkflowRoutes();
  AddInstanceRoutes();
  AddDocumentRoutes();
  AddExportRoutes();
  AddInsightRoutes();
  AddTemplateRoutes();
  AddCollaborationRoutes();
  AddOfflineFormRoutes();
  AddMetaRoutes();
}

Api::~Api() = default;

std::optional<SessionInfo> Api::ResolveSession(const std::string& token) {
  if (token.empty() || token.size() > 200) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(sessions_mutex_);
    auto it = sessions_.find(token);
    if (it != sessions_.end()) {
      if (now - it->second.fetched < options_.session_cache_time &&
          engine_.clock().Now() < it->second.session.expires_at) {
        return it->second.session;
      }
      sessions_.erase(it);
    }
  }
  Result<SessionInfo> found = engine_.Session(token);
  if (!found) return std::nullopt;
  std::lock_guard lock(sessions_mutex_);
  if (sessions_.size() > 100'000) sessions_.clear();  // a bound, not an eviction policy: misses refill it
  sessions_[token] = CachedSession{found.value(), now};
  return found.value();
}

void Api::ForgetSession(const std::string& token) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(token);
}

void Api::ForgetUser(const std::string& username) {
  std::lock_guard lock(sessions_mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.session.user.username == username; });
}

HttpResponse Api::Handle(const HttpRequest& request) {
  Router::Match match = router_.Find(request.method, request.path);
  if (!match.route) {
    if (match.allowed.empty()) {
      return ProblemResponse(404, "Finns inte", "Det finns ingen resurs " + request.path + ".");
    }
    std::string allow;
    for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    HttpResponse response =
        ProblemResponse(405, "Metoden stöds inte", request.method + " går inte på " + request.path + ".");
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  const Route& route = *match.route;
  RequestContext context{request, std::move(match.params), std::nullopt, {}, false};
  context.token = TokenOf(request, &context.via_cookie);
  if (!context.token.empty()) context.session = ResolveSession(context.token);
  if (route.gate != Gate::kPublic) {
    if (!context.session) {
      HttpResponse response = ProblemResponse(401, "Inte inloggad", "Logga in för att fortsätta.");
      response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"spegla\"");
      return response;
    }
    // A cookie is sent by the browser whoever made the page: a state change needs the CSRF token too,
    // which only our own pages can read. Bearer tokens are never sent implicitly.
    if (context.via_cookie && ChangesState(request.method) &&
        !SameSecret(request.Header("x-csrf-token"), context.session->csrf_token)) {
      HttpResponse response = ProblemResponse(
          403, "CSRF-skydd", "Begäran saknar en giltig X-CSRF-Token. Ladda om sidan och försök igen.");
      response.user = context.session->user.username;
      return response;
    }
    if (!Passes(route.gate, context.session->user)) {
      HttpResponse response = ProblemResponse(403, "Inte tillåtet", GateText(route.gate));
      response.user = context.session->user.username;
      return response;
    }
  }
  HttpResponse response = route.handle(context);
  if (response.user.empty() && context.session) response.user = context.session->user.username;
  return response;
}

// --- session routes --------------------------------------------------------------------------------

void Api::AddSessionRoutes() {
  router_.Add(Route{"POST", "/api/session", Gate::kPublic,
                    RouteDoc{"Log in: sets the session cookie and returns the user and the CSRF token",
                             "session",
                             {},
                             "Login",
                             "application/json",
                             "Session",
                             "application/json",
                             201,
                             {400, 415, 422, 429}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::string> username = body.String("username", true);
                      std::optional<std::string> password = body.String("password", true);
                      if (!body.ok()) return body.Problem();
                      std::chrono::seconds wait = throttle_.RetryAfter(*username, c.request.remote_address);
                      if (wait.count() > 0) {
                        HttpResponse response =
                            ProblemResponse(429, "För många försök",
                                            "För många misslyckade inloggningar. Försök igen om en stund.");
                        response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
                        return response;
                      }
                      Result<SessionInfo> session =
                          engine_.Login(*username, *password, options_.session_lifetime);
                      if (!session) {
                        if (session.error().code == ErrorCode::kUnauthenticated)
                          throttle_.Failed(*username, c.request.remote_address);
                        return ErrorResponse(session.error());
                      }
                      throttle_.Succeeded(*username);
                      json::object out = SessionJson(session.value());
                      out["token"] = session.value().token;  // for other systems, as a bearer token
                      HttpResponse response = JsonResponse(201, out);
                      response.headers.emplace_back(
                          "Set-Cookie", CookieHeader(session.value().token, options_.session_lifetime,
                                                     options_.secure_cookies || c.request.secure));
                      response.headers.emplace_back("Cache-Control", "no-store");
                      response.user = *username;
                      return response;
                    }});
  router_.Add(Route{"DELETE", "/api/session", Gate::kSignedIn,
                    RouteDoc{"Log out: ends the session", "session", {}, "", "", "", "", 204, {}},
                    [this](RequestContext& c) {
                      Result<Ok> ended = engine_.Logout(c.token);
                      ForgetSession(c.token);
                      if (!ended) return ErrorResponse(ended.error());
                      HttpResponse response;
                      response.status = 204;
                      response.content_type.clear();
                      response.headers.emplace_back(
                          "Set-Cookie", CookieHeader("", std::chrono::seconds{0},
                                                     options_.secure_cookies || c.request.secure));
                      return response;
                    }});
  router_.Add(Route{"GET", "/api/me", Gate::kSignedIn,
                    RouteDoc{"The signed-in user, the session's CSRF token and expiry",
                             "session",
                             {},
                             "",
                             "application/json",
                             "Session",
                             "application/json",
                             200,
                             {}},
                    [](RequestContext& c) {
                      HttpResponse response = JsonResponse(200, SessionJson(*c.session));
                      response.headers.emplace_back("Cache-Control", "no-store");
                      return response;
                    }});
  router_.Add(Route{"GET", "/api/tasks", Gate::kSignedIn,
                    RouteDoc{"My tasks: open steps I perform or sign off",
                             "session",
                             {},
                             "",
                             "application/json",
                             "TaskList",
                             "application/json",
                             200,
                             {}},
                    [this](RequestContext& c) {
                      json::array items;
                      for (const Task& t : engine_.Tasks(c.user().username)) items.push_back(TaskJson(t));
                      return JsonResponse(200, json::object{{"items", std::move(items)}});
                    }});
  router_.Add(Route{
      "PUT", "/api/me/password", Gate::kSignedIn,
      RouteDoc{"Change my password: ends all my sessions and starts a new one (a new cookie and CSRF token)",
               "session",
               {},
               "PasswordChange",
               "application/json",
               "Session",
               "application/json",
               200,
               {400, 415, 422, 429}},
      [this](RequestContext& c) {
        BodyReader body(c.request);
        std::optional<std::string> current = body.String("current_password", true);
        std::optional<std::string> next = body.String("new_password", true);
        if (!body.ok()) return body.Problem();
        const std::string username = c.user().username;
        if (std::chrono::seconds wait = throttle_.RetryAfter(username, c.request.remote_address);
            wait.count() > 0) {
          HttpResponse response = ProblemResponse(429, "För många försök", "Försök igen om en stund.");
          response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
          return response;
        }
        // The current password again, so that a session left open somewhere cannot take the account over.
        // Checking it makes a session, which the new password's SetPassword ends with all the others.
        if (Result<SessionInfo> check = engine_.Login(username, *current, std::chrono::seconds{60}); !check) {
          throttle_.Failed(username, c.request.remote_address);
          return ErrorResponse(
              Error::Of(ErrorCode::kInvalid, "Det nuvarande lösenordet stämmer inte.", "current_password"));
        }
        Result<Ok> set = engine_.SetPassword(c.actor(), username, *next);
        if (!set) return ErrorResponse(set.error());
        ForgetUser(username);
        Result<SessionInfo> fresh = engine_.Login(username, *next, options_.session_lifetime);
        if (!fresh) return ErrorResponse(fresh.error());
        HttpResponse response = JsonResponse(200, SessionJson(fresh.value()));
        response.headers.emplace_back("Set-Cookie",
                                      CookieHeader(fresh.value().token, options_.session_lifetime,
                                                   options_.secure_cookies || c.request.secure));
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      }});
}

void Api::AddMetaRoutes() {
  router_.Add(Route{
      "GET", "/api/health", Gate::kPublic,
      RouteDoc{"Liveness: the server answers", "meta", {}, "", "", "Health", "application/json", 200, {}},
      [this](RequestContext&) {
        return JsonResponse(200, json::object{{"status", "ok"}, {"version", options_.version}});
      }});
  router_.Add(
      Route{"GET", "/api/openapi.json", Gate::kPublic,
            RouteDoc{"This API's OpenAPI 3.1 document", "meta", {}, "", "", "", "application/json", 200, {}},
            [this](RequestContext&) {
              HttpResponse response;
              response.body = OpenApiDocument(router_, options_.version);
              return response;
            }});
}

}  // namespace spegla::server
