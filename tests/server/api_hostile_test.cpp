// Hostile bodies and targets over a real server: invalid UTF-8, control characters, deeply nested JSON and
// XML, oversized values, encoded path tricks. Each gets a clear error, the server keeps serving, and nothing
// is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;

class HostileApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    id_ = StartKu8();
  }
  std::string Form() const { return "/api/instances/" + std::to_string(id_) + "/forms/ansokan"; }
  TestResponse RawPatch(ApiClient& who, const std::string& body) {
    return who.Send("PATCH", Form(), body, {{"Content-Type", "application/json"}, {"If-Match", "*"}});
  }
  // Nothing of the form was written: every field still at version 0, and the audit log as it was.
  void NothingWritten(ApiClient& who) {
    json::value form = Json(who.Get(Form()));
    for (const json::value& f : form.at("fields").as_array()) {
      EXPECT_EQ(f.at("version"), json::value(0)) << Str(f, "id");
    }
    EXPECT_EQ(Items(who.Get("/api/instances/" + std::to_string(id_) + "/events?limit=500")).size(), events_);
  }

  std::int64_t id_ = 0;
  size_t events_ = 0;
};

TEST_F(HostileApiTest, InvalidUtf8IsRefusedAndNothingWritten) {
  auto anna = Client("anna");
  events_ = Items(anna->Get("/api/instances/" + std::to_string(id_) + "/events?limit=500")).size();
  TestResponse bad_utf8 = RawPatch(*anna, "{\"fields\": {\"enhet\": \"By\xff\xfeskolan\"}}");
  EXPECT_EQ(bad_utf8.status, 400) << Describe(bad_utf8);
  TestResponse overlong = RawPatch(*anna, "{\"fields\": {\"enhet\": \"\xc0\xaf\"}}");  // an overlong '/'
  EXPECT_EQ(overlong.status, 400) << Describe(overlong);
  TestResponse lone_surrogate = RawPatch(*anna, R"({"fields": {"enhet": "\ud800"}})");
  EXPECT_GE(lone_surrogate.status, 400) << Describe(lone_surrogate);
  EXPECT_LT(lone_surrogate.status, 500) << Describe(lone_surrogate);
  NothingWritten(*anna);
}

// Control characters are text hygiene, not an error (text pasted from other programs carries them): they are
// removed from whatever is stored, and the answer shows what was stored.
TEST_F(HostileApiTest, ControlCharactersNeverReachWhatIsStored) {
  auto anna = Client("anna");
  TestResponse control = RawPatch(*anna, R"({"fields": {"enhet": "By\u0007skolan\u001b[2J", "kontaktperson": "A\u0000B\u007f"}})");
  ASSERT_EQ(control.status, 200) << Describe(control);
  for (const json::value& answer : {Json(control), Json(anna->Get(Form()))}) {
    EXPECT_EQ(FindField(answer, "enhet")->at("value"), json::value("Byskolan[2J"));
    EXPECT_EQ(FindField(answer, "kontaktperson")->at("value"), json::value("AB"));
  }
}

TEST_F(HostileApiTest, DeeplyNestedAndHugeBodiesAreRefusedQuickly) {
  auto anna = Client("anna");
  events_ = Items(anna->Get("/api/instances/" + std::to_string(id_) + "/events?limit=500")).size();
  const std::string deep = "{\"fields\": {\"enhet\": " + std::string(100'000, '[') + std::string(100'000, ']') + "}}";
  TestResponse nested = RawPatch(*anna, deep);
  EXPECT_EQ(nested.status, 400) << Describe(nested);
  // A text far beyond what a form field holds.
  TestResponse huge = anna->Patch(Form(), json::object{{"fields", json::object{{"enhet", std::string(200'000, 'x')}}}},
                                  {{"If-Match", "*"}});
  EXPECT_EQ(huge.status, 422) << Describe(huge);
  EXPECT_THAT(ErrorFields(huge), ::testing::ElementsAre("ansokan.enhet"));
  // More rows than a group holds, and a wrong type in every field at once.
  TestResponse types = anna->Patch(
      Form(), json::object{{"fields", json::object{{"antal_barn", "många"}, {"informerat_foraldrar", 3}, {"enhet", 5}}}},
      {{"If-Match", "*"}});
  EXPECT_EQ(types.status, 422) << Describe(types);
  EXPECT_EQ(ErrorFields(types).size(), 3u);
  NothingWritten(*anna);
  EXPECT_EQ(anna->Get("/api/health").status, 200);
}

// JSON allows 1e999; a double cannot hold it. Such a body is refused before anything reads it, so no answer
// (a conflict's "yours", an error's echo) carries an infinity that is not JSON (found by fuzzing).
TEST_F(HostileApiTest, NumbersBeyondADoubleAreRefused) {
  auto anna = Client("anna");
  events_ = Items(anna->Get("/api/instances/" + std::to_string(id_) + "/events?limit=500")).size();
  for (const std::string body : {R"({"fields": {"antal_barn": 1e999}})",
                                 R"({"fields": {"enhet": -0.01e999}, "versions": {"enhet": 2147483647}})",
                                 R"({"fields": {"enhet": "x"}, "extra": [[1, [-1e400]]]})"}) {
    TestResponse r = RawPatch(*anna, body);
    EXPECT_EQ(r.status, 400) << body << ": " << Describe(r);
    EXPECT_THAT(r.body, HasSubstr("för stort")) << body;
    boost::system::error_code ec;
    (void)json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
  }
  NothingWritten(*anna);
}

TEST_F(HostileApiTest, DeeplyNestedWorkflowXmlIsAProblemWithItsPlace) {
  auto admin = Client("admin");
  std::string xml = "<?xml version=\"1.0\"?>\n<workflow>";
  for (int i = 0; i < 20'000; ++i) xml += "<a>";
  for (int i = 0; i < 20'000; ++i) xml += "</a>";
  xml += "</workflow>\n";
  const size_t before = Items(admin->Get("/api/workflows?limit=100")).size();
  TestResponse upload = admin->Send("POST", "/api/workflows", xml, {{"Content-Type", "application/xml"}});
  EXPECT_EQ(upload.status, 422) << Describe(upload);
  json::value problem = Json(upload);
  ASSERT_TRUE(problem.at("errors").is_array());
  ASSERT_FALSE(problem.at("errors").as_array().empty());
  EXPECT_TRUE(problem.at("errors").as_array()[0].as_object().contains("line")) << upload.body;
  EXPECT_EQ(Items(admin->Get("/api/workflows?limit=100")).size(), before);
  // Invalid UTF-8 in XML: a problem, not a crash.
  TestResponse bytes =
      admin->Send("POST", "/api/workflows", "<?xml version=\"1.0\"?>\n<workflow id=\"\xff\"/>", {{"Content-Type", "application/xml"}});
  EXPECT_EQ(bytes.status, 422) << Describe(bytes);
}

TEST_F(HostileApiTest, EncodedPathTricksReachNothing) {
  auto anna = Client("anna");
  const std::string base = "/api/instances/" + std::to_string(id_);
  for (const std::string& target :
       {base + "/forms/..%2F..%2Fworkflows", base + "/forms/%2e%2e", base + "/forms/ansokan%00",
        std::string("/api/instances/1%20OR%201=1"), std::string("/api/instances/-1"),
        std::string("/api/instances/99999999999999999999999")}) {
    TestResponse r = anna->Get(target);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << ": " << Describe(r);
    EXPECT_THAT(r.Header("content-type"), HasSubstr("application/problem+json")) << target;
  }
}

}  // namespace
}  // namespace spegla::test
