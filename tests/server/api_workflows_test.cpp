// Workflow definitions over the API: upload, every problem with line and column, hostile XML, and who may.
#include <gmock/gmock.h>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class WorkflowsApiTest : public ApiTest {
 protected:
  TestResponse Upload(ApiClient& client, const std::string& xml,
                      const std::string& type = "application/xml") {
    return client.Send("POST", "/api/workflows", xml, {{"Content-Type", type}});
  }
};

std::string Ku8Text() { return ReadText(SPEGLA_SOURCE_DIR "/workflows/ku8-larande-besok.xml"); }

TEST_F(WorkflowsApiTest, AnAdministratorInstallsANewVersionAndReadsItBack) {
  std::unique_ptr<ApiClient> admin = Client("admin");
  std::string xml = Ku8Text();
  const size_t at = xml.find("version=\"2\"");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 11, "version=\"3\"");
  TestResponse installed = Upload(*admin, xml);
  ASSERT_EQ(installed.status, 201) << Describe(installed);
  EXPECT_EQ(Json(installed).at("version").as_int64(), 3);
  EXPECT_EQ(installed.Header("location"), "/api/workflows/ku8-larande-besok");
  // The same text again is already there: 200, nothing new.
  TestResponse again = Upload(*admin, xml);
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_TRUE(Json(again).at("already_installed").as_bool());

  TestResponse read = admin->Get("/api/workflows/ku8-larande-besok");
  ASSERT_EQ(read.status, 200) << Describe(read);
  json::value body = Json(read);
  EXPECT_EQ(body.at("version").as_int64(), 3);
  EXPECT_EQ(body.at("versions").as_array().size(), 2u);
  EXPECT_EQ(Str(body, "xml"), xml);
  TestResponse older = admin->Get("/api/workflows/ku8-larande-besok?version=2");
  EXPECT_EQ(Json(older).at("version").as_int64(), 2);
  EXPECT_EQ(admin->Get("/api/workflows/finns-inte").status, 404);
}

TEST_F(WorkflowsApiTest, EveryProblemIsListedWithLineAndColumnAndNothingIsInstalled) {
  std::unique_ptr<ApiClient> admin = Client("admin");
  const std::string broken = ReadText(SPEGLA_SOURCE_DIR "/tests/fixtures/loader/several-mistakes.xml");
  TestResponse refused = Upload(*admin, broken);
  ASSERT_EQ(refused.status, 422) << Describe(refused);
  EXPECT_EQ(refused.Header("content-type"), "application/problem+json");
  const json::value problem = Json(refused);
  const json::array& errors = problem.at("errors").as_array();
  EXPECT_EQ(errors.size(), 6u) << Describe(refused);
  for (const json::value& e : errors) {
    EXPECT_GT(e.at("line").as_int64(), 0);
    EXPECT_GT(e.at("column").as_int64(), 0);
    EXPECT_FALSE(Str(e, "message").empty());
  }
  // XML that is not well-formed: one problem, where it breaks.
  TestResponse malformed = Upload(*admin, "<workflow xmlns=\"urn:spegla:workflow:1\">\n  <roles>\n</workflow>");
  ASSERT_EQ(malformed.status, 422) << Describe(malformed);
  EXPECT_EQ(Json(malformed).at("errors").as_array().at(0).at("line").as_int64(), 3);
  TestResponse list = admin->Get("/api/workflows");
  EXPECT_EQ(Json(list).at("total").as_int64(), 5);  // the five bundled, nothing more
}

TEST_F(WorkflowsApiTest, EntitiesAndExternalReferencesAreNeverExpanded) {
  std::unique_ptr<ApiClient> admin = Client("admin");
  // A billion laughs, and an external entity reading a local file: refused, nothing expanded or read.
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE workflow [\n<!ENTITY a \"hahahahahahahahahaha\">\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'j'; ++name, ++previous) {
    laughs += std::string("<!ENTITY ") + name + " \"";
    for (int i = 0; i < 10; ++i) laughs += std::string("&") + previous + ";";
    laughs += "\">\n";
  }
  laughs += "]>\n<workflow xmlns=\"urn:spegla:workflow:1\" id=\"x\" version=\"1\" title=\"&j;\"/>";
  TestResponse bomb = Upload(*admin, laughs);
  EXPECT_EQ(bomb.status, 422) << Describe(bomb);
  EXPECT_LT(bomb.body.size(), 20000u);  // no expansion in the answer either
  TestResponse external = Upload(
      *admin,
      "<?xml version=\"1.0\"?>\n<!DOCTYPE workflow [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>\n"
      "<workflow xmlns=\"urn:spegla:workflow:1\" id=\"x\" version=\"1\" title=\"&secret;\"/>");
  EXPECT_EQ(external.status, 422) << Describe(external);
  EXPECT_THAT(external.body, Not(HasSubstr("root:")));
  EXPECT_EQ(Json(admin->Get("/api/workflows")).at("total").as_int64(), 5);
}

TEST_F(WorkflowsApiTest, OnlyAdministratorsInstallAndOnlyAsXml) {
  std::unique_ptr<ApiClient> ulla = Client("ulla");
  EXPECT_EQ(Upload(*ulla, Ku8Text()).status, 403);
  std::unique_ptr<ApiClient> anna = Client("anna");
  EXPECT_EQ(Upload(*anna, Ku8Text()).status, 403);
  std::unique_ptr<ApiClient> anonymous = Client();
  EXPECT_EQ(Upload(*anonymous, Ku8Text()).status, 401);
  std::unique_ptr<ApiClient> admin = Client("admin");
  TestResponse as_form = Upload(*admin, Ku8Text(), "application/x-www-form-urlencoded");
  EXPECT_EQ(as_form.status, 415) << Describe(as_form);
  // A template path outside the template directory is refused by the loader, with its place.
  std::string xml = Ku8Text();
  const size_t at = xml.find("template=\"");
  ASSERT_NE(at, std::string::npos);
  const size_t end = xml.find('"', at + 10);
  xml.replace(at + 10, end - at - 10, "../../../../etc/passwd");
  xml.replace(xml.find("version=\"2\""), 11, "version=\"9\"");
  TestResponse escaped = Upload(*admin, xml);
  ASSERT_EQ(escaped.status, 422) << Describe(escaped);
  EXPECT_THAT(escaped.body, HasSubstr("without '..'"));
}

}  // namespace
}  // namespace spegla::test
