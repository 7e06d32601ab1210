// The OpenAPI document the server serves: valid JSON, OpenAPI 3.1, every route of the router in it with its
// method and path parameters, every $ref resolving — and the routes issue 6 requires, each present in both
// the router and the document (so removing one fails here).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::HasSubstr;

class OpenApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    ApiClient anonymous(port());  // public: no session needed
    response_ = anonymous.Get("/api/openapi.json");
    ASSERT_EQ(response_.status, 200) << Describe(response_);
    boost::system::error_code ec;
    document_ = json::parse(response_.body, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(document_.is_object());
  }

  const json::object& Paths() const { return document_.at("paths").as_object(); }
  const json::object& Schemas() const { return document_.at("components").at("schemas").as_object(); }

  const json::object* Operation(const std::string& method, const std::string& pattern) const {
    const json::value* path = Paths().if_contains(pattern);
    if (!path || !path->is_object()) return nullptr;
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const json::value* operation = path->as_object().if_contains(lower);
    return operation && operation->is_object() ? &operation->as_object() : nullptr;
  }

  bool InRouter(const std::string& method, const std::string& pattern) const {
    for (const server::Route& route : api_->router().routes()) {
      if (route.method == method && route.pattern == pattern) return true;
    }
    return false;
  }

  TestResponse response_;
  json::value document_;
};

// Every "$ref" anywhere in `value`, with where it was found.
void CollectRefs(const json::value& value, const std::string& where,
                 std::vector<std::pair<std::string, std::string>>* out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.as_object()) {
      if (key == "$ref" && child.is_string()) {
        out->emplace_back(std::string(child.as_string()), where);
      } else {
        CollectRefs(child, where + "/" + std::string(key), out);
      }
    }
  } else if (value.is_array()) {
    size_t i = 0;
    for (const json::value& child : value.as_array())
      CollectRefs(child, where + "/" + std::to_string(i++), out);
  }
}

TEST_F(OpenApiTest, IsAnOpenApi31DocumentServedAsJson) {
  EXPECT_THAT(response_.Header("content-type"), HasSubstr("application/json"));
  EXPECT_EQ(Str(document_, "openapi"), "3.1.0");
  EXPECT_EQ(Str(document_.at("info"), "title"), "Spegla API");
  EXPECT_EQ(Str(document_.at("info"), "version"), SPEGLA_VERSION);
  EXPECT_FALSE(Paths().empty());
  EXPECT_FALSE(Schemas().empty());
  const json::object& schemes = document_.at("components").at("securitySchemes").as_object();
  EXPECT_TRUE(schemes.contains("session"));
  EXPECT_TRUE(schemes.contains("bearer"));
  // What the server serves is what OpenApiDocument makes of the router.
  EXPECT_EQ(json::parse(server::OpenApiDocument(api_->router(), api_->options().version)), document_);
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedWithItsMethodAndParameters) {
  std::set<std::string> seen;
  for (const server::Route& route : api_->router().routes()) {
    const std::string name = route.method + " " + route.pattern;
    EXPECT_TRUE(seen.insert(name).second) << "twice in the router: " << name;
    const json::object* operation = Operation(route.method, route.pattern);
    ASSERT_NE(operation, nullptr) << "not in the document: " << name;
    EXPECT_FALSE(Str(*operation, "summary").empty()) << name;
    EXPECT_EQ(Str(*operation, "operationId"), name);
    const json::object& responses = operation->at("responses").as_object();
    EXPECT_TRUE(responses.contains(std::to_string(route.doc.success_status))) << name;
    if (route.gate != server::Gate::kPublic) {
      EXPECT_TRUE(responses.contains("401")) << name;
      EXPECT_FALSE(Str(*operation, "x-spegla-roles").empty()) << name;
    } else {
      ASSERT_TRUE(operation->contains("security")) << name;
      EXPECT_TRUE(operation->at("security").as_array().empty()) << name;
    }
    if (!route.doc.request_schema.empty()) {
      EXPECT_TRUE(operation->contains("requestBody")) << name;
    }
    // Each {parameter} of the pattern is a required path parameter.
    std::set<std::string> declared;
    if (const json::value* parameters = operation->if_contains("parameters")) {
      for (const json::value& p : parameters->as_array()) {
        if (Str(p, "in") == "path") {
          declared.insert(Str(p, "name"));
          EXPECT_TRUE(p.at("required").as_bool()) << name << " " << Str(p, "name");
        }
      }
    }
    std::set<std::string> in_pattern;
    for (size_t at = route.pattern.find('{'); at != std::string::npos; at = route.pattern.find('{', at + 1)) {
      in_pattern.insert(route.pattern.substr(at + 1, route.pattern.find('}', at) - at - 1));
    }
    EXPECT_EQ(declared, in_pattern) << name;
  }
  // And nothing in the document that the router does not serve.
  size_t operations = 0;
  for (const auto& [pattern, methods] : Paths()) {
    for (const auto& [method, operation] : methods.as_object()) {
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      EXPECT_TRUE(InRouter(upper, std::string(pattern)))
          << "documented but not routed: " << upper << " " << pattern;
      ++operations;
    }
  }
  EXPECT_EQ(operations, api_->router().routes().size());
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
  std::vector<std::pair<std::string, std::string>> refs;
  CollectRefs(document_, "#", &refs);
  ASSERT_FALSE(refs.empty());
  const std::string prefix = "#/components/schemas/";
  std::set<std::string> used;
  for (const auto& [ref, where] : refs) {
    ASSERT_EQ(ref.compare(0, prefix.size(), prefix), 0) << ref << " at " << where;
    const std::string name = ref.substr(prefix.size());
    EXPECT_TRUE(Schemas().contains(name)) << ref << " at " << where << " does not resolve";
    used.insert(name);
  }
  // Each route's named request and response schema is among them.
  for (const server::Route& route : api_->router().routes()) {
    if (!route.doc.request_schema.empty()) {
      EXPECT_TRUE(used.count(route.doc.request_schema)) << route.pattern;
    }
    if (!route.doc.response_schema.empty()) {
      EXPECT_TRUE(used.count(route.doc.response_schema)) << route.pattern;
    }
  }
}

TEST_F(OpenApiTest, TheRoutesTheIssueRequiresAreRoutedAndDocumented) {
  const std::vector<std::pair<std::string, std::string>> required = {
      {"POST", "/api/session"},
      {"DELETE", "/api/session"},
      {"GET", "/api/me"},
      {"GET", "/api/workflows"},
      {"POST", "/api/workflows"},
      {"GET", "/api/workflows/{workflow}"},
      {"GET", "/api/municipalities"},
      {"POST", "/api/municipalities"},
      {"PATCH", "/api/municipalities/{id}"},
      {"GET", "/api/units"},
      {"POST", "/api/units"},
      {"PATCH", "/api/units/{id}"},
      {"GET", "/api/users"},
      {"POST", "/api/users"},
      {"PATCH", "/api/users/{username}"},
      {"GET", "/api/municipalities/{id}/observer-pool"},
      {"POST", "/api/municipalities/{id}/observer-pool"},
      {"DELETE", "/api/municipalities/{id}/observer-pool/{username}"},
      {"GET", "/api/instances"},
      {"POST", "/api/instances"},
      {"GET", "/api/instances/{id}"},
      {"GET", "/api/instances/{id}/participants"},
      {"POST", "/api/instances/{id}/participants"},
      {"DELETE", "/api/instances/{id}/participants/{role}/{username}"},
      {"GET", "/api/instances/{id}/forms/{form}"},
      {"PATCH", "/api/instances/{id}/forms/{form}"},
      {"POST", "/api/instances/{id}/steps/{step}/complete"},
      {"POST", "/api/instances/{id}/steps/{step}/send-back"},
      {"GET", "/api/instances/{id}/documents"},
      {"GET", "/api/instances/{id}/documents/{document}"},
      {"POST", "/api/instances/{id}/documents/{document}/render"},
      {"GET", "/api/exports/overview.xlsx"},
      {"GET", "/api/exports/overview.csv"},
      {"GET", "/api/instances/{id}/events"},
      {"GET", "/api/openapi.json"},
  };
  for (const auto& [method, pattern] : required) {
    EXPECT_TRUE(InRouter(method, pattern)) << "not routed: " << method << " " << pattern;
    EXPECT_NE(Operation(method, pattern), nullptr) << "not documented: " << method << " " << pattern;
  }
  // The binary responses say what they are.
  ASSERT_NE(Operation("GET", "/api/exports/overview.xlsx"), nullptr);
  EXPECT_TRUE(Operation("GET", "/api/exports/overview.xlsx")
                  ->at("responses")
                  .at("200")
                  .at("content")
                  .as_object()
                  .contains(kXlsxMedia));
  ASSERT_NE(Operation("GET", "/api/instances/{id}/documents/{document}"), nullptr);
  EXPECT_TRUE(Operation("GET", "/api/instances/{id}/documents/{document}")
                  ->at("responses")
                  .at("200")
                  .at("content")
                  .as_object()
                  .contains(kDocxMedia));
  // The form PATCH documents its concurrency answers.
  ASSERT_NE(Operation("PATCH", "/api/instances/{id}/forms/{form}"), nullptr);
  const json::object& patch =
      Operation("PATCH", "/api/instances/{id}/forms/{form}")->at("responses").as_object();
  for (const char* status : {"409", "412", "422", "428"}) EXPECT_TRUE(patch.contains(status)) << status;
  ASSERT_NE(Operation("POST", "/api/session"), nullptr);
  EXPECT_TRUE(Operation("POST", "/api/session")->at("responses").as_object().contains("429"));
}

}  // namespace
}  // namespace spegla::test
