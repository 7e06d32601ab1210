// Word templates over the API: listed, uploaded after the docx plugin's check, refused when broken or
// misplaced, and only by administrators. Uploads go to a scratch template directory of the test's own.
#include <gmock/gmock.h>

#include <filesystem>

#include "api_test_support.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr const char* kDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

class TemplatesApiTest : public ApiTest {
 protected:
  server::ApiOptions Options() override {
    server::ApiOptions options = ApiTest::Options();
    options.template_dir = (dir_.path() / "templates").string();
    fs::create_directories(options.template_dir);
    fs::copy_file(SPEGLA_SOURCE_DIR "/templates/ku8/ansokan.docx",
                  dir_.path() / "templates" / "ansokan.docx");
    return options;
  }
  TestResponse Upload(ApiClient& client, const std::string& path, const std::string& bytes) {
    return client.Send("POST", "/api/templates?path=" + path, bytes, {{"Content-Type", kDocx}});
  }
  fs::path Dir() const { return dir_.path() / "templates"; }
};

TEST_F(TemplatesApiTest, AnAdministratorUploadsATemplateAndAWorkflowUsesIt) {
  std::unique_ptr<ApiClient> admin = Client("admin");
  const std::string docx = ReadText(SPEGLA_SOURCE_DIR "/templates/ku8/ansokan.docx");
  TestResponse uploaded = Upload(*admin, "egna/ansokan-2027.docx", docx);
  ASSERT_EQ(uploaded.status, 201) << Describe(uploaded);
  EXPECT_EQ(Json(uploaded).at("size").as_int64(), static_cast<std::int64_t>(docx.size()));
  EXPECT_FALSE(Json(uploaded).at("replaced").as_bool());
  EXPECT_EQ(ReadText((Dir() / "egna" / "ansokan-2027.docx").string()), docx);
  std::vector<std::string> paths;
  for (const json::value& t : Items(admin->Get("/api/templates"))) paths.push_back(Str(t, "path"));
  EXPECT_THAT(paths, Contains("egna/ansokan-2027.docx"));
  EXPECT_THAT(paths, Contains("ansokan.docx"));
  // Nothing temporary is left beside it.
  for (const auto& entry : fs::directory_iterator(Dir() / "egna"))
    EXPECT_EQ(entry.path().filename(), "ansokan-2027.docx");
}

TEST_F(TemplatesApiTest, ABrokenTemplateIsRefusedWithItsProblemsAndNothingIsWritten) {
  std::unique_ptr<ApiClient> admin = Client("admin");
  TestResponse not_a_docx = Upload(*admin, "trasig.docx", "det här är ingen Word-fil");
  ASSERT_EQ(not_a_docx.status, 422) << Describe(not_a_docx);
  EXPECT_FALSE(Json(not_a_docx).at("errors").as_array().empty());
  EXPECT_FALSE(fs::exists(Dir() / "trasig.docx"));
  // A path outside the directory, or not a .docx, is refused before anything is read.
  const std::string docx = ReadText(SPEGLA_SOURCE_DIR "/templates/ku8/ansokan.docx");
  for (const std::string bad :
       {"../utanfor.docx", "/etc/x.docx", "egna/.dold.docx", "mall.exe", "a b.docx"}) {
    TestResponse refused = Upload(*admin, bad, docx);
    EXPECT_EQ(refused.status, 400) << bad << ": " << Describe(refused);
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "utanfor.docx"));
  TestResponse wrong_type =
      admin->Send("POST", "/api/templates?path=x.docx", docx, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.status, 415);
}

TEST_F(TemplatesApiTest, OnlyAdministratorsSeeAndUploadTemplates) {
  const std::string docx = ReadText(SPEGLA_SOURCE_DIR "/templates/ku8/ansokan.docx");
  for (const char* who : {"ulla", "frida", "anna"}) {
    std::unique_ptr<ApiClient> client = Client(who);
    EXPECT_EQ(Upload(*client, "x.docx", docx).status, 403) << who;
    EXPECT_EQ(client->Get("/api/templates").status, 403) << who;
  }
  std::unique_ptr<ApiClient> anonymous = Client();
  EXPECT_EQ(Upload(*anonymous, "x.docx", docx).status, 401);
  EXPECT_FALSE(fs::exists(Dir() / "x.docx"));
}

}  // namespace
}  // namespace spegla::test
