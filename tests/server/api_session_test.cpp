// Signing in and out over HTTP: the session cookie, the CSRF token, bearer tokens, throttled guessing, and
// how request bodies are checked (media type, syntax, then every field problem at once).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class SessionTest : public ApiTest {};

TEST_F(SessionTest, LoginSetsAStrictHttpOnlyCookieAndReturnsTheTokens) {
  ApiClient browser(port());
  TestResponse login =
      browser.Post("/api/session", json::object{{"username", "anna"}, {"password", kPassword}});
  ASSERT_EQ(login.status, 201) << Describe(login);
  ASSERT_EQ(login.set_cookies.size(), 1u);
  const std::string& cookie = login.set_cookies[0];
  EXPECT_THAT(cookie, AllOf(HasSubstr("spegla_session="), HasSubstr("HttpOnly"), HasSubstr("SameSite=Strict"),
                            HasSubstr("Path=/"), HasSubstr("Max-Age=43200")));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP and secure_cookies off
  EXPECT_EQ(login.Header("cache-control"), "no-store");
  EXPECT_THAT(login.Header("content-type"), HasSubstr("application/json"));

  json::value body = Json(login);
  const std::string csrf = Str(body, "csrf_token");
  const std::string token = Str(body, "token");
  EXPECT_GE(csrf.size(), 20u);
  EXPECT_GE(token.size(), 20u);
  EXPECT_NE(csrf, token);
  EXPECT_EQ(Str(body.at("user"), "username"), "anna");
  EXPECT_EQ(Str(body.at("user"), "name"), "Anna i arbetslaget");
  EXPECT_EQ(Str(body.at("user"), "global_role"), "personal");
  EXPECT_EQ(body.at("user").at("municipality_id").as_int64(), municipality_a_);
  EXPECT_EQ(Str(body, "expires_at").substr(0, 10), "2026-03-02");  // 08:00 + 12 h
  // The cookie holds the token the body gives other systems.
  EXPECT_EQ(browser.http().cookies()["spegla_session"], token);
  EXPECT_THAT(cookie, HasSubstr("spegla_session=" + token + ";"));

  // The browser is signed in: /api/me answers with the same user and CSRF token.
  TestResponse me = browser.Get("/api/me");
  ASSERT_EQ(me.status, 200) << Describe(me);
  json::value who = Json(me);
  EXPECT_EQ(Str(who.at("user"), "username"), "anna");
  EXPECT_EQ(Str(who, "csrf_token"), csrf);
  EXPECT_FALSE(who.as_object().contains("token"));  // only the login response carries it
  EXPECT_EQ(me.Header("cache-control"), "no-store");

  // Another client without the cookie is not.
  ApiClient stranger(port());
  TestResponse nobody = stranger.Get("/api/me");
  EXPECT_EQ(nobody.status, 401) << Describe(nobody);
  EXPECT_THAT(nobody.Header("content-type"), HasSubstr("application/problem+json"));
  EXPECT_THAT(nobody.Header("www-authenticate"), HasSubstr("Bearer"));
  EXPECT_EQ(Json(nobody).at("status").as_int64(), 401);
}

TEST_F(SessionTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  ApiClient one(port()), two(port());
  TestResponse wrong =
      one.Post("/api/session", json::object{{"username", "anna"}, {"password", "fel-losenord-123"}});
  TestResponse unknown =
      two.Post("/api/session", json::object{{"username", "ingen-sadan"}, {"password", "fel-losenord-123"}});
  EXPECT_EQ(wrong.status, 401) << Describe(wrong);
  EXPECT_EQ(unknown.status, 401) << Describe(unknown);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_THAT(wrong.Header("content-type"), HasSubstr("application/problem+json"));
  EXPECT_EQ(Str(Json(wrong), "code"), "unauthenticated");
  EXPECT_TRUE(wrong.set_cookies.empty());
  EXPECT_TRUE(unknown.set_cookies.empty());
  EXPECT_THAT(wrong.body, Not(HasSubstr("anna")));
  EXPECT_EQ(one.Get("/api/me").status, 401);
}

// Three failures in ten minutes, for the throttle's test.
class ThrottledSessionTest : public ApiTest {
 protected:
  server::ApiOptions Options() override {
    server::ApiOptions options = ApiTest::Options();
    options.login_limits.attempts = 3;
    options.login_limits.window = std::chrono::minutes(10);
    return options;
  }
};

TEST_F(ThrottledSessionTest, RepeatedFailuresAreThrottledUntilTheWindowHasPassed) {
  ApiClient guesser(port());
  for (int i = 0; i < 3; ++i) {
    TestResponse r = guesser.Post(
        "/api/session",
        json::object{{"username", "rut"}, {"password", "gissning-" + std::to_string(i) + "-abc"}});
    EXPECT_EQ(r.status, 401) << "attempt " << i << ": " << Describe(r);
  }
  // Now even the right password is not tried.
  TestResponse throttled =
      guesser.Post("/api/session", json::object{{"username", "rut"}, {"password", kPassword}});
  ASSERT_EQ(throttled.status, 429) << Describe(throttled);
  EXPECT_THAT(throttled.Header("content-type"), HasSubstr("application/problem+json"));
  const std::string retry_after = throttled.Header("retry-after");
  ASSERT_FALSE(retry_after.empty());
  const long seconds = std::stol(retry_after);
  EXPECT_GE(seconds, 600);
  EXPECT_LE(seconds, 601);
  EXPECT_TRUE(throttled.set_cookies.empty());

  // Another user at the same address is not held up by rut's guesser.
  ApiClient colleague(port());
  EXPECT_TRUE(colleague.SignIn("anna"));

  // Five minutes later: still throttled, and for less time.
  clock_.Advance(std::chrono::minutes(5));
  TestResponse later =
      guesser.Post("/api/session", json::object{{"username", "rut"}, {"password", kPassword}});
  EXPECT_EQ(later.status, 429) << Describe(later);
  EXPECT_LE(std::stol(later.Header("retry-after").empty() ? "0" : later.Header("retry-after")), 301);

  // Once the window has passed, the right password works again.
  clock_.Advance(std::chrono::minutes(5) + std::chrono::seconds(1));
  TestResponse allowed =
      guesser.Post("/api/session", json::object{{"username", "rut"}, {"password", kPassword}});
  EXPECT_EQ(allowed.status, 201) << Describe(allowed);
  EXPECT_EQ(guesser.Get("/api/me").status, 200);
}

TEST_F(SessionTest, LogoutEndsTheSessionOnTheServer) {
  ApiClient browser(port());
  ASSERT_TRUE(browser.SignIn("anna"));
  const std::string token = browser.token();
  ASSERT_EQ(browser.Get("/api/me").status, 200);

  TestResponse out = browser.Delete("/api/session");
  ASSERT_EQ(out.status, 204) << Describe(out);
  ASSERT_EQ(out.set_cookies.size(), 1u);
  EXPECT_THAT(out.set_cookies[0], AllOf(HasSubstr("spegla_session=;"), HasSubstr("Max-Age=0")));
  EXPECT_EQ(browser.Get("/api/me").status, 401);

  // The old token is dead on the server, not only forgotten by the browser: as a cookie and as a bearer.
  ApiClient replay(port());
  TestResponse with_cookie = replay.Get("/api/me", {{"Cookie", "spegla_session=" + token}});
  EXPECT_EQ(with_cookie.status, 401) << Describe(with_cookie);
  TestResponse with_bearer = replay.Get("/api/me", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(with_bearer.status, 401) << Describe(with_bearer);
}

TEST_F(SessionTest, ForgedCookiesAndTokensAreRejected) {
  ApiClient signed_in(port());
  ASSERT_TRUE(signed_in.SignIn("admin"));
  std::string forged = signed_in.token();
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';  // one character off

  for (const std::string& value : {forged, std::string("0123456789abcdef0123456789abcdef0123456789a"),
                                   std::string(300, 'x'), std::string("")}) {
    ApiClient attacker(port());
    TestResponse r = attacker.Get("/api/me", {{"Cookie", "spegla_session=" + value}});
    EXPECT_EQ(r.status, 401) << "cookie " << value.substr(0, 50) << ": " << Describe(r);
    TestResponse users = attacker.Get("/api/users", {{"Cookie", "spegla_session=" + value}});
    EXPECT_EQ(users.status, 401) << Describe(users);
    TestResponse bearer = attacker.Get("/api/me", {{"Authorization", "Bearer " + value}});
    EXPECT_EQ(bearer.status, 401) << Describe(bearer);
  }
  // Another cookie's name does not count.
  ApiClient other(port());
  EXPECT_EQ(other.Get("/api/me", {{"Cookie", "spegla_sessionx=" + signed_in.token()}}).status, 401);
  EXPECT_EQ(other.Get("/api/me", {{"Cookie", "theme=dark; spegla_session=" + signed_in.token()}}).status,
            200);
}

TEST_F(SessionTest, StateChangesWithTheCookieNeedTheCsrfToken) {
  ApiClient admin(port());
  ASSERT_TRUE(admin.SignIn("admin"));
  const json::object lerum{{"name", "Lerums kommun"}, {"network", "KU8"}};

  // Reading needs no token.
  TestResponse list = admin.Get("/api/municipalities", {});
  ASSERT_EQ(list.status, 200) << Describe(list);
  EXPECT_EQ(Json(list).at("total").as_int64(), 2);

  admin.set_csrf(false);
  TestResponse missing = admin.Post("/api/municipalities", lerum);
  EXPECT_EQ(missing.status, 403) << Describe(missing);
  EXPECT_EQ(Str(Json(missing), "title"), "CSRF-skydd");
  EXPECT_THAT(Str(Json(missing), "detail"), HasSubstr("X-CSRF-Token"));

  TestResponse wrong = admin.Post("/api/municipalities", lerum, {{"X-CSRF-Token", "not-the-token"}});
  EXPECT_EQ(wrong.status, 403) << Describe(wrong);
  std::string almost = admin.csrf_token();
  almost.back() = almost.back() == 'a' ? 'b' : 'a';
  TestResponse off_by_one = admin.Post("/api/municipalities", lerum, {{"X-CSRF-Token", almost}});
  EXPECT_EQ(off_by_one.status, 403) << Describe(off_by_one);
  // Nor does another session's token do.
  ApiClient other(port());
  ASSERT_TRUE(other.SignIn("admin"));
  EXPECT_NE(other.csrf_token(), admin.csrf_token());
  EXPECT_EQ(admin.Post("/api/municipalities", lerum, {{"X-CSRF-Token", other.csrf_token()}}).status, 403);
  EXPECT_EQ(engine_->Municipalities().size(), 2u);  // nothing was created

  // DELETE and PATCH are guarded too.
  EXPECT_EQ(admin.Delete("/api/session").status, 403);
  EXPECT_EQ(admin.Patch("/api/municipalities/" + std::to_string(municipality_b_), json::object{{"name", "X"}})
                .status,
            403);

  TestResponse right = admin.Post("/api/municipalities", lerum, {{"X-CSRF-Token", admin.csrf_token()}});
  ASSERT_EQ(right.status, 201) << Describe(right);
  EXPECT_EQ(Str(Json(right), "name"), "Lerums kommun");
  EXPECT_EQ(engine_->Municipalities().size(), 3u);
  EXPECT_EQ(admin.Get("/api/me").status, 200);  // the session is still there after the refusals
}

TEST_F(SessionTest, BearerTokensNeedNoCsrfToken) {
  ApiClient browser(port());
  ASSERT_TRUE(browser.SignIn("admin"));
  ApiClient system(port());  // no cookie: another system with the token
  system.set_csrf(false);
  const Headers bearer{{"Authorization", "Bearer " + browser.token()}};
  TestResponse me = system.Get("/api/me", bearer);
  ASSERT_EQ(me.status, 200) << Describe(me);
  EXPECT_EQ(Str(Json(me).at("user"), "username"), "admin");
  TestResponse created = system.Post("/api/municipalities", json::object{{"name", "Lerums kommun"}}, bearer);
  EXPECT_EQ(created.status, 201) << Describe(created);
  TestResponse lower = system.Post("/api/municipalities", json::object{{"name", "Härryda kommun"}},
                                   {{"Authorization", "bearer " + browser.token()}});
  EXPECT_EQ(lower.status, 201) << Describe(lower);
  EXPECT_EQ(engine_->Municipalities().size(), 4u);
  // A bearer of a user without the role is still held to the gate.
  ApiClient anna(port());
  ASSERT_TRUE(anna.SignIn("anna"));
  TestResponse refused = system.Post("/api/municipalities", json::object{{"name", "Annas kommun"}},
                                     {{"Authorization", "Bearer " + anna.token()}});
  EXPECT_EQ(refused.status, 403) << Describe(refused);
  EXPECT_EQ(Str(Json(refused), "title"), "Inte tillåtet");
}

TEST_F(SessionTest, RequestBodiesAreCheckedForTypeSyntaxAndEveryFieldProblem) {
  ApiClient admin(port());
  ASSERT_TRUE(admin.SignIn("admin"));

  TestResponse text = admin.Send("POST", "/api/municipalities", R"({"name":"Lerums kommun"})",
                                 {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415) << Describe(text);
  EXPECT_THAT(text.Header("content-type"), HasSubstr("application/problem+json"));
  TestResponse form = admin.Send("POST", "/api/municipalities", "name=Lerums+kommun",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415) << Describe(form);
  TestResponse none = admin.Send("POST", "/api/municipalities", R"({"name":"Lerums kommun"})", {});
  EXPECT_EQ(none.status, 415) << Describe(none);

  TestResponse broken =
      admin.Send("POST", "/api/municipalities", R"({"name": "Lerum)", {{"Content-Type", "application/json"}});
  EXPECT_EQ(broken.status, 400) << Describe(broken);
  EXPECT_THAT(broken.Header("content-type"), HasSubstr("application/problem+json"));
  TestResponse array =
      admin.Send("POST", "/api/municipalities", "[1, 2]", {{"Content-Type", "application/json"}});
  EXPECT_EQ(array.status, 400) << Describe(array);

  // Every problem at once: a wrong type, a missing field and an unknown one.
  TestResponse invalid = admin.Post(
      "/api/users", json::object{{"username", 42}, {"email", "nils@example.se"}, {"nmae", "Nils Nilsson"}});
  ASSERT_EQ(invalid.status, 422) << Describe(invalid);
  EXPECT_THAT(invalid.Header("content-type"), HasSubstr("application/problem+json"));
  json::value problem = Json(invalid);
  EXPECT_EQ(problem.at("status").as_int64(), 422);
  EXPECT_FALSE(Str(problem, "title").empty());
  EXPECT_THAT(ErrorFields(invalid), UnorderedElementsAre("username", "name", "nmae"));
  for (const json::value& e : problem.at("errors").as_array()) EXPECT_FALSE(Str(e, "message").empty());
  EXPECT_EQ(engine_->Users().size(), SeedUsers().size());  // nobody was created

  // With the body right, the same route works (UTF-8 and a charset parameter are fine).
  TestResponse ok = admin.Send("POST", "/api/users",
                               json::serialize(json::object{{"username", "nils"},
                                                            {"name", "Nils Nilsson"},
                                                            {"global_role", "personal"},
                                                            {"municipality_id", municipality_a_},
                                                            {"password", "ett-langt-losenord"}}),
                               {{"Content-Type", "application/json; charset=utf-8"}});
  ASSERT_EQ(ok.status, 201) << Describe(ok);
  EXPECT_EQ(Str(Json(ok), "username"), "nils");
  ApiClient nils(port());
  EXPECT_TRUE(nils.SignIn("nils", "ett-langt-losenord"));
}

TEST_F(SessionTest, ChangingThePasswordNeedsTheCurrentOne) {
  ApiClient anna(port());
  ASSERT_TRUE(anna.SignIn("anna"));
  TestResponse wrong = anna.Put("/api/me/password", json::object{{"current_password", "inte-det-har"},
                                                                 {"new_password", "ett-nytt-losenord"}});
  EXPECT_EQ(wrong.status, 422) << Describe(wrong);
  EXPECT_THAT(ErrorFields(wrong), UnorderedElementsAre("current_password"));
  TestResponse changed = anna.Put("/api/me/password", json::object{{"current_password", kPassword},
                                                                   {"new_password", "ett-nytt-losenord"}});
  // Every session of the user ends; the answer starts a new one for whoever changed it.
  EXPECT_EQ(changed.status, 200) << Describe(changed);
  EXPECT_EQ(json::parse(changed.body).at("user").at("username").as_string(), "anna");
  EXPECT_FALSE(changed.set_cookies.empty());
  EXPECT_EQ(anna.Get("/api/me").status, 200);
  ApiClient again(port());
  TestResponse old = again.Post("/api/session", json::object{{"username", "anna"}, {"password", kPassword}});
  EXPECT_EQ(old.status, 401) << Describe(old);
  EXPECT_TRUE(again.SignIn("anna", "ett-nytt-losenord"));
}

TEST_F(SessionTest, SessionsExpireWithTheClock) {
  ApiClient anna(port());
  ASSERT_TRUE(anna.SignIn("anna"));
  clock_.Advance(std::chrono::hours(11));
  EXPECT_EQ(anna.Get("/api/me").status, 200);
  clock_.Advance(std::chrono::hours(1));
  TestResponse expired = anna.Get("/api/me");
  EXPECT_EQ(expired.status, 401) << Describe(expired);
}

// A bad query parameter is a 400 problem naming it (and the server goes on serving).
TEST_F(SessionTest, BadQueryParametersAre400) {
  ApiClient admin(port());
  ASSERT_TRUE(admin.SignIn("admin"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/instances?limit=0", "limit"},
      {"/api/instances?limit=abc", "limit"},
      {"/api/instances?status=open", "status"},
      {"/api/municipalities?offset=-1", "offset"},
      {"/api/units?municipality_id=x", "municipality_id"},
      {"/api/instances/1/forms/ansokan?occurrence=x", "occurrence"},
      {"/api/instances/1/events?limit=501", "limit"},
      {"/api/exports/overview.csv?from=2026-13-01", "from"},
  };
  for (const auto& [target, field] : cases) {
    TestResponse r = admin.Get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << Describe(r);
    EXPECT_THAT(r.Header("content-type"), HasSubstr("application/problem+json")) << target;
    EXPECT_THAT(ErrorFields(r), ::testing::Contains(field)) << target << ": " << r.body;
  }
  EXPECT_EQ(admin.Get("/api/health").status, 200);
}

TEST_F(SessionTest, UnknownPathsAndMethods) {
  ApiClient anna(port());
  ASSERT_TRUE(anna.SignIn("anna"));
  TestResponse missing = anna.Get("/api/nothing-here");
  EXPECT_EQ(missing.status, 404) << Describe(missing);
  EXPECT_THAT(missing.Header("content-type"), HasSubstr("application/problem+json"));
  TestResponse method = anna.Send("PUT", "/api/session", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(method.status, 405) << Describe(method);
  EXPECT_THAT(method.Header("allow"), AllOf(HasSubstr("POST"), HasSubstr("DELETE")));
  // A path parameter that must be a number and is not: no route matches.
  EXPECT_EQ(anna.Get("/api/instances/abc").status, 404);
  // Public routes answer without a session.
  ApiClient anonymous(port());
  TestResponse health = anonymous.Get("/api/health");
  EXPECT_EQ(health.status, 200) << Describe(health);
  EXPECT_EQ(Str(Json(health), "status"), "ok");
}

}  // namespace
}  // namespace spegla::test
