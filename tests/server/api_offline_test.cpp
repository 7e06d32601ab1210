// Offline forms over HTTP: the fillable files are downloaded beside each form and uploaded back to
// /api/instances/{id}/forms/{form}/upload, with the session, CSRF and role checks of any write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/external_programs.h"
#include "api_test_support.h"

namespace spegla::test {
namespace {

class OfflineApiTest : public ApiTest {
 protected:
  std::string Upload(ApiClient& client, std::int64_t id, const std::string& form, const std::string& bytes,
                     TestResponse* out, const std::string& type = kDocxMedia) {
    *out = client.Send("POST", "/api/instances/" + std::to_string(id) + "/forms/" + form + "/upload", bytes,
                       {{"Content-Type", type}});
    return Describe(*out);
  }
};

TEST_F(OfflineApiTest, BothFilesDownloadBesideTheFormAndAnUntouchedUploadChangesNothing) {
  const std::int64_t id = StartKu8();
  auto anna = Client("anna");
  for (const auto& [format, media] : {std::pair{"docx", kDocxMedia}, {"xlsx", kXlsxMedia}}) {
    TestResponse file =
        anna->Get("/api/instances/" + std::to_string(id) + "/forms/ansokan/download?format=" + format);
    ASSERT_EQ(file.status, 200) << Describe(file);
    EXPECT_EQ(file.Header("content-type"), media);
    EXPECT_NE(file.Header("content-disposition").find(std::string("ansokan-") + std::to_string(id) + "." + format),
              std::string::npos)
        << file.Header("content-disposition");
    EXPECT_EQ(file.body.substr(0, 2), "PK");
    TestResponse uploaded;
    Upload(*anna, id, "ansokan", file.body, &uploaded, media);
    ASSERT_EQ(uploaded.status, 200) << Describe(uploaded);
    EXPECT_TRUE(Json(uploaded).at("changed").as_array().empty()) << Describe(uploaded);
    EXPECT_EQ(Str(Json(uploaded).at("form"), "form"), "ansokan");
  }
  TestResponse bad = anna->Get("/api/instances/" + std::to_string(id) + "/forms/ansokan/download?format=pdf");
  EXPECT_EQ(bad.status, 400) << Describe(bad);
}

TEST_F(OfflineApiTest, UploadsNeedTheSessionTheTokenAndTheRightInstance) {
  const std::int64_t id = StartKu8();
  const std::int64_t other = StartKu8("Ett annat besök");
  auto anna = Client("anna");
  const std::string file =
      anna->Get("/api/instances/" + std::to_string(id) + "/forms/ansokan/download").body;

  auto anonymous = Client();
  TestResponse response;
  Upload(*anonymous, id, "ansokan", file, &response);
  EXPECT_EQ(response.status, 401) << Describe(response);

  anna->set_csrf(false);
  Upload(*anna, id, "ansokan", file, &response);
  EXPECT_EQ(response.status, 403) << Describe(response);
  anna->set_csrf(true);

  Upload(*anna, id, "ansokan", file, &response, "text/plain");
  EXPECT_EQ(response.status, 415) << Describe(response);

  Upload(*anna, other, "ansokan", file, &response);
  EXPECT_EQ(response.status, 422) << Describe(response);
  EXPECT_EQ(ErrorFields(response), std::vector<std::string>{"file"});

  Upload(*anna, id, "ansokan", "PK\x03\x04 not really a zip", &response);
  EXPECT_EQ(response.status, 422) << Describe(response);

  // Someone who may not see the instance learns nothing from the upload either.
  auto bo = Client("bo");
  Upload(*bo, id, "ansokan", file, &response);
  EXPECT_EQ(response.status, 403) << Describe(response);
  TestResponse download = bo->Get("/api/instances/" + std::to_string(id) + "/forms/ansokan/download");
  EXPECT_EQ(download.status, 403) << Describe(download);
}

TEST_F(OfflineApiTest, AFilledFileIsWrittenAndAConflictNamesTheField) {
  const std::int64_t id = StartKu8();
  auto anna = Client("anna");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("spegla-offline-api-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string blank = anna->Get("/api/instances/" + std::to_string(id) + "/forms/ansokan/download").body;
  std::ofstream(dir / "blank.docx", std::ios::binary) << blank;
  std::ofstream(dir / "answers.json") << R"({"antal_barn": "48"})";
  std::string output;
  ASSERT_EQ(RunCommand(std::string(kPython) + " " + ShellQuoted(std::string(kTestTools) + "/fill_docx_form.py") +
                           " " + ShellQuoted((dir / "blank.docx").string()) + " " +
                           ShellQuoted((dir / "filled.docx").string()) + " " +
                           ShellQuoted((dir / "answers.json").string()) + " 2>&1",
                       output),
            0)
      << output;
  const std::string filled = ReadText((dir / "filled.docx").string());

  // The field is changed in the web form after the download: the upload is a conflict naming it, and
  // nothing is written.
  TestResponse meanwhile = anna->WriteForm(id, "ansokan", {{"antal_barn", 30}});
  ASSERT_EQ(meanwhile.status, 200) << Describe(meanwhile);
  TestResponse response;
  Upload(*anna, id, "ansokan", filled, &response);
  EXPECT_EQ(response.status, 409) << Describe(response);
  EXPECT_EQ(ErrorFields(response), std::vector<std::string>{"ansokan.antal_barn"});

  // A fresh file, filled the same way, goes in.
  const std::string fresh = anna->Get("/api/instances/" + std::to_string(id) + "/forms/ansokan/download").body;
  std::ofstream(dir / "fresh.docx", std::ios::binary) << fresh;
  ASSERT_EQ(RunCommand(std::string(kPython) + " " + ShellQuoted(std::string(kTestTools) + "/fill_docx_form.py") +
                           " " + ShellQuoted((dir / "fresh.docx").string()) + " " +
                           ShellQuoted((dir / "fresh-filled.docx").string()) + " " +
                           ShellQuoted((dir / "answers.json").string()) + " 2>&1",
                       output),
            0)
      << output;
  Upload(*anna, id, "ansokan", ReadText((dir / "fresh-filled.docx").string()), &response);
  ASSERT_EQ(response.status, 200) << Describe(response);
  const json::value body = Json(response);
  EXPECT_EQ(body.at("changed").as_array(), json::array{"antal_barn"});
  const json::object* field = FindField(body.at("form"), "antal_barn");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->at("value"), json::value(48));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spegla::test
