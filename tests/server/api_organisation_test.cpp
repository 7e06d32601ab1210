// Organisation records over the API: who sees which staff.
#include <gmock/gmock.h>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::Contains;
using ::testing::Not;

class OrganisationApiTest : public ApiTest {
 protected:
  std::vector<std::string> Usernames(ApiClient& client, const std::string& target = "/api/users?limit=500") {
    std::vector<std::string> names;
    for (const json::value& u : Items(client.Get(target))) names.push_back(Str(u, "username"));
    return names;
  }
};

TEST_F(OrganisationApiTest, AnUtvecklingsledareSeesTheirMunicipalitysStaffAndTheNetworksObservers) {
  std::unique_ptr<ApiClient> admin = Client("admin");
  EXPECT_THAT(Usernames(*admin), Contains("bo"));
  std::unique_ptr<ApiClient> ulla = Client("ulla");
  std::vector<std::string> seen = Usernames(*ulla);
  EXPECT_THAT(seen, Contains("anna"));
  EXPECT_THAT(seen, Not(Contains("bo")));    // B's staff, not an observer
  EXPECT_THAT(seen, Not(Contains("ubbe")));  // B's utvecklingsledare
  // Once bo is in B's observer pool (same network), ulla may put him into a visit, so she sees him.
  ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(Actor::Operator(), municipality_b_, "bo")));
  EXPECT_THAT(Usernames(*ulla), Contains("bo"));
  // ubbe sees B's people and A's pool (olle, ola), not A's other staff.
  std::unique_ptr<ApiClient> ubbe = Client("ubbe");
  std::vector<std::string> b_sees = Usernames(*ubbe);
  EXPECT_THAT(b_sees, Contains("olle"));
  EXPECT_THAT(b_sees, Not(Contains("anna")));
}

}  // namespace
}  // namespace spegla::test
