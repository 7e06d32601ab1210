// The REST API's tests run a real server on loopback: an engine on a scratch database with a manual clock,
// the built-in plugins, the bundled workflows, a seeded organisation, the Api and an HttpServer on a free
// port, and clients that sign in and talk to it over HTTP like a browser (cookie and CSRF token) or like
// another system (bearer token).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../engine/engine_test_support.h"
#include "../support/http_client.h"
#include "api.h"
#include "http_server.h"
#include "live_hub.h"
#include "spegla/engine.h"
#include "spegla/plugin_host.h"

namespace spegla::test {

namespace json = boost::json;

// Every seeded user's password.
inline constexpr const char* kPassword = "korrekt-hast-batteri";
inline constexpr const char* kKu8 = "ku8-larande-besok";
inline constexpr const char* kDocxMedia =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
inline constexpr const char* kXlsxMedia = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

using Headers = std::map<std::string, std::string>;

// A file's bytes ("" and a test failure when it cannot be read).
std::string ReadText(const std::string& path);
// The body as JSON; a test failure (and null) when it is not.
json::value Json(const TestResponse& response);
// The "items" of a list response (a copy: safe to loop over); empty and a test failure when there are none.
json::array Items(const TestResponse& response);
// "<status> <body>" for failure messages (the body cut at 2000 bytes).
std::string Describe(const TestResponse& response);
// The `field` of every entry of a problem's `errors`, in order.
std::vector<std::string> ErrorFields(const TestResponse& response);
// The string at `key` of an object, or "" when absent or not a string.
std::string Str(const json::value& object, std::string_view key);
// The step of an instance's JSON (phases[].steps[]), or null.
const json::object* FindStep(const json::value& instance, std::string_view step);
std::string StepState(const json::value& instance, std::string_view step);
// The field of a form's JSON (fields[]), or null.
const json::object* FindField(const json::value& form, std::string_view field);
// The ids of a form's fields, in order.
std::vector<std::string> FieldIds(const json::value& form);

// One user agent: its own connection and cookie jar, and after SignIn the session's CSRF and bearer token.
// State-changing requests carry X-CSRF-Token unless the caller gives that header (or `csrf` is off).
class ApiClient {
 public:
  explicit ApiClient(std::uint16_t port) : http_(port) {}

  // POST /api/session; true when it answered 201 (a test failure otherwise).
  bool SignIn(const std::string& username, const std::string& password = kPassword);

  TestResponse Get(const std::string& target, const Headers& headers = {});
  TestResponse Post(const std::string& target, const json::value& body = json::object(),
                    const Headers& headers = {});
  TestResponse Put(const std::string& target, const json::value& body, const Headers& headers = {});
  TestResponse Patch(const std::string& target, const json::value& body, const Headers& headers = {});
  TestResponse Delete(const std::string& target, const Headers& headers = {});
  // Any request as given, with the CSRF token added to a state-changing one when signed in.
  TestResponse Send(const std::string& method, const std::string& target, const std::string& body,
                    Headers headers);

  // GET the form, then PATCH `fields` with its ETag as If-Match; the PATCH's response.
  TestResponse WriteForm(std::int64_t instance, const std::string& form, const json::object& fields,
                         int occurrence = 0);

  HttpClient& http() { return http_; }
  const std::string& username() const { return username_; }
  const std::string& csrf_token() const { return csrf_token_; }
  const std::string& token() const { return token_; }
  void set_csrf(bool on) { csrf_ = on; }

 private:
  HttpClient http_;
  std::string username_, csrf_token_, token_;
  bool csrf_ = true;
};

struct SeedUser {
  std::string username;
  std::string name;
  std::string global_role;
  char municipality;  // 'A', 'B' or 0 for none
};

// The seeded organisation: municipalities A and B (network KU8), a school in each, and users:
//   admin  administrator           ulla   utvecklingsledare of A (and the KU8 role in A's instances)
//   ubbe   utvecklingsledare of B  frida  förvaltning of A
//   rut    personal A (rektor)     anna   personal A (arbetslag)
//   olle, ola  personal A, in A's observer pool     sven  personal A (skolutvecklare of A)
//   petra  personal A, in nothing  erik   personal A, in nothing (to assign and remove)
//   bo     personal B
const std::vector<SeedUser>& SeedUsers();

// An engine, the API over it and a server on a free loopback port, for one test.
class ApiTest : public ::testing::Test {
 protected:
  ApiTest();
  ~ApiTest() override;

  void SetUp() override;
  void TearDown() override;

  // What the Api is made with; a test suite may override (e.g. the login limits).
  virtual server::ApiOptions Options();

  std::uint16_t port() const { return server_->port(); }
  // A new client; signed in as `username` unless it is empty.
  std::unique_ptr<ApiClient> Client(const std::string& username = "");

  // An instance of KU8 at A's school started by ulla (through the engine), with rut as rektor and anna
  // in the arbetslag.
  std::int64_t StartKu8(const std::string& title = "Lärande besök");
  // Through the engine: anna writes the application and completes it; the instance is then in
  // tilldelning (and the document "ansokan" is stored).
  void Ku8Application(std::int64_t id);
  // ... observers olle and ola assigned, the reply written and the group completed; the instance is then
  // in planering.
  void Ku8ToPlanning(std::int64_t id);
  // ... and through planning: the instance is then in genomforande with visit day 1 written by olle
  // (notes included).
  void Ku8ToObservation(std::int64_t id);
  // The second half of Ku8ToObservation, on an instance in planering.
  void Ku8PlanningToObservation(std::int64_t id);

  ManualClock clock_;
  ScratchDir dir_{"spegla-api"};
  PluginHost plugins_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::Api> api_;
  std::unique_ptr<server::LiveHub> live_;
  std::unique_ptr<server::HttpServer> server_;
  std::int64_t municipality_a_ = 0, municipality_b_ = 0;
  std::int64_t unit_a_ = 0, unit_b_ = 0;
};

}  // namespace spegla::test
