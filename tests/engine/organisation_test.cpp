// Changing organisation records: municipalities, units, users and observer pools. Who may (administrators;
// an utvecklingsledare for the units and pool of their own municipality), what is checked (names present
// and unique, known unit kinds and global roles) and that every change is in the log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "../support/test_database.h"

namespace spegla {
namespace {

using namespace spegla::test;
using ::testing::ElementsAre;

class OrganisationTest : public ::testing::Test {
 protected:
  OrganisationTest() : clock_(At("2026-03-02")) {}

  void SetUp() override {
    engine_ = Engine::Open(TestDatabase((dir_.path() / "spegla.db").string()), clock_);
    north_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Norrby", "KU8"));
    south_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Söderby", "KU8"));
    byskolan_ = Must(engine_->CreateUnit(Actor::Operator(), north_, "Byskolan", "skola"));
    sjoskolan_ = Must(engine_->CreateUnit(Actor::Operator(), south_, "Sjöskolan", "skola"));
    AddUser("ada", "administrator", std::nullopt);
    AddUser("ulla", "utvecklingsledare", north_);
    AddUser("ulf", "utvecklingsledare", south_);
    AddUser("uno", "utvecklingsledare", std::nullopt);
    AddUser("frida", "forvaltning", north_);
    AddUser("lars", "personal", north_);
    AddUser("olle", "personal", north_);
  }

  void TearDown() override { engine_.reset(); }

  void AddUser(const std::string& username, const std::string& role,
               std::optional<std::int64_t> municipality) {
    User user;
    user.username = username;
    user.display_name = "Person " + username;
    user.global_role = role;
    user.municipality_id = municipality;
    Must(engine_->CreateUser(Actor::Operator(), user), "create user " + username);
  }

  const AuditEntry* LastAudit() {
    last_ = engine_->GlobalAuditLog(1);
    return last_.empty() ? nullptr : &last_[0];
  }

  std::vector<std::string> PoolOf(std::int64_t municipality) {
    std::vector<std::string> names;
    for (const User& u : engine_->ObserverPool(municipality)) names.push_back(u.username);
    return names;
  }

  Municipality FindMunicipality(std::int64_t id) {
    for (const Municipality& m : engine_->Municipalities()) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "no municipality " << id;
    return {};
  }

  Unit FindUnit(std::int64_t id) {
    for (const Unit& u : engine_->Units()) {
      if (u.id == id) return u;
    }
    ADD_FAILURE() << "no unit " << id;
    return {};
  }

  ManualClock clock_;
  ScratchDir dir_{"spegla-organisation"};
  std::unique_ptr<Engine> engine_;
  std::int64_t north_ = 0, south_ = 0, byskolan_ = 0, sjoskolan_ = 0;
  std::vector<AuditEntry> last_;
};

TEST_F(OrganisationTest, AdministratorsChangeMunicipalities) {
  ASSERT_TRUE(Succeeds(engine_->UpdateMunicipality(U("ada"), north_, {.name = "  Norrstad "})));
  EXPECT_EQ(FindMunicipality(north_).name, "Norrstad");
  EXPECT_EQ(FindMunicipality(north_).network, "KU8");  // absent: unchanged
  const AuditEntry* entry = LastAudit();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->action, "municipality.update");
  EXPECT_EQ(entry->target, "municipality:" + std::to_string(north_));
  EXPECT_EQ(entry->actor, "ada");
  EXPECT_EQ(entry->old_value, "name: Norrby");
  EXPECT_EQ(entry->new_value, "name: Norrstad");

  ASSERT_TRUE(Succeeds(engine_->UpdateMunicipality(Actor::Operator(), north_, {.network = ""})));
  EXPECT_EQ(FindMunicipality(north_).network, "");
  // Nothing changed: nothing logged.
  const size_t entries = engine_->GlobalAuditLog().size();
  ASSERT_TRUE(Succeeds(engine_->UpdateMunicipality(U("ada"), north_, {.name = "Norrstad"})));
  EXPECT_EQ(engine_->GlobalAuditLog().size(), entries);

  EXPECT_TRUE(Fails(engine_->UpdateMunicipality(U("ada"), north_, {.name = " "}), ErrorCode::kInvalid,
                    {"name: Kommunen behöver ett namn."}));
  EXPECT_TRUE(Fails(engine_->UpdateMunicipality(U("ada"), north_, {.name = "Söderby"}), ErrorCode::kConflict,
                    {"name: Kommunen ”Söderby” finns redan."}));
  EXPECT_TRUE(Fails(engine_->UpdateMunicipality(U("ada"), 999, {.name = "X"}), ErrorCode::kNotFound));
  for (const char* who : {"ulla", "uno", "frida", "lars", "nobody"}) {
    EXPECT_TRUE(Fails(engine_->UpdateMunicipality(U(who), north_, {.name = "X"}), ErrorCode::kForbidden))
        << who;
  }
  EXPECT_EQ(FindMunicipality(north_).name, "Norrstad");
}

TEST_F(OrganisationTest, UtvecklingsledareChangeTheUnitsOfTheirMunicipality) {
  ASSERT_TRUE(
      Succeeds(engine_->UpdateUnit(U("ulla"), byskolan_, {.name = "Bygdeskolan", .kind = "forskola"})));
  EXPECT_EQ(FindUnit(byskolan_).name, "Bygdeskolan");
  EXPECT_EQ(FindUnit(byskolan_).kind, "forskola");
  const AuditEntry* entry = LastAudit();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->action, "unit.update");
  EXPECT_EQ(entry->old_value, "name: Byskolan; kind: skola");
  EXPECT_EQ(entry->new_value, "name: Bygdeskolan; kind: forskola");

  EXPECT_TRUE(Fails(engine_->UpdateUnit(U("ulf"), byskolan_, {.name = "Ulfs skola"}), ErrorCode::kForbidden));
  EXPECT_TRUE(Succeeds(engine_->UpdateUnit(U("ulf"), sjoskolan_, {.name = "Sjöbacken"})));
  EXPECT_TRUE(
      Succeeds(engine_->UpdateUnit(U("uno"), byskolan_, {.kind = "skola"})));  // of no municipality: all
  EXPECT_TRUE(Succeeds(engine_->UpdateUnit(U("ada"), sjoskolan_, {.name = "Sjöskolan"})));
  for (const char* who : {"frida", "lars", "nobody"}) {
    EXPECT_TRUE(Fails(engine_->UpdateUnit(U(who), byskolan_, {.name = "X"}), ErrorCode::kForbidden)) << who;
  }

  Result<Ok> both = engine_->UpdateUnit(U("ada"), byskolan_, {.name = "", .kind = "gymnasium"});
  ASSERT_TRUE(Fails(both, ErrorCode::kInvalid, {"name: Enheten behöver ett namn.", "kind: Typ ska vara"}));
  EXPECT_EQ(both.error().issues.size(), 2u);
  // Unique within the municipality, not across municipalities.
  ASSERT_TRUE(Succeeds(engine_->CreateUnit(Actor::Operator(), north_, "Åskolan", "skola")));
  EXPECT_TRUE(Fails(engine_->UpdateUnit(U("ulla"), byskolan_, {.name = "Åskolan"}), ErrorCode::kConflict,
                    {"name: Enheten ”Åskolan” finns redan i kommunen."}));
  EXPECT_TRUE(Succeeds(engine_->UpdateUnit(U("ulla"), byskolan_, {.name = "Sjöskolan"})));
  EXPECT_TRUE(Fails(engine_->UpdateUnit(U("ada"), 999, {.name = "X"}), ErrorCode::kNotFound));
}

TEST_F(OrganisationTest, AdministratorsChangeUsers) {
  ASSERT_TRUE(Succeeds(engine_->UpdateUser(U("ada"), "lars",
                                           {.display_name = " Lars Larsson ",
                                            .email = "lars@norrby.se",
                                            .global_role = "forvaltning",
                                            .municipality_id = south_})));
  std::optional<User> lars = engine_->FindUser("lars");
  ASSERT_TRUE(lars);
  EXPECT_EQ(lars->display_name, "Lars Larsson");
  EXPECT_EQ(lars->email, "lars@norrby.se");
  EXPECT_EQ(lars->global_role, "forvaltning");
  EXPECT_EQ(lars->municipality_id, south_);
  const AuditEntry* entry = LastAudit();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->action, "user.update");
  EXPECT_EQ(entry->target, "user:lars");
  EXPECT_EQ(entry->old_value, "display_name: Person lars; email: ; global_role: personal; municipality_id: " +
                                  std::to_string(north_));

  // A value holding nothing clears the municipality; an absent one keeps it.
  ASSERT_TRUE(Succeeds(engine_->UpdateUser(U("ada"), "lars", {.email = ""})));
  EXPECT_EQ(engine_->FindUser("lars")->municipality_id, south_);
  ASSERT_TRUE(Succeeds(engine_->UpdateUser(
      U("ada"), "lars", {.municipality_id = std::optional<std::optional<std::int64_t>>(std::in_place)})));
  EXPECT_EQ(engine_->FindUser("lars")->municipality_id, std::nullopt);

  Result<Ok> invalid = engine_->UpdateUser(U("ada"), "lars", {.display_name = "", .global_role = "rektor"});
  ASSERT_TRUE(Fails(invalid, ErrorCode::kInvalid,
                    {"display_name: Namn saknas.", "global_role: Okänd roll ”rektor”"}));
  EXPECT_TRUE(Fails(engine_->UpdateUser(U("ada"), "lars", {.municipality_id = 999}), ErrorCode::kNotFound,
                    {"municipality_id: Det finns ingen kommun med id 999."}));
  EXPECT_TRUE(Fails(engine_->UpdateUser(U("ada"), "nobody", {.email = "x@y.se"}), ErrorCode::kNotFound));
  for (const char* who : {"ulla", "uno", "lars", "olle"}) {
    EXPECT_TRUE(
        Fails(engine_->UpdateUser(U(who), "olle", {.global_role = "administrator"}), ErrorCode::kForbidden))
        << who;
  }
  EXPECT_EQ(engine_->FindUser("olle")->global_role, "personal");
  EXPECT_TRUE(Succeeds(engine_->UpdateUser(Actor::Operator(), "olle", {.global_role = "administrator"})));
}

TEST_F(OrganisationTest, ObserverPoolsAreManagedInTheirOwnMunicipality) {
  ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(U("ulla"), north_, "olle")));
  ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(U("ulla"), north_, "lars")));
  EXPECT_THAT(PoolOf(north_), ElementsAre("lars", "olle"));
  EXPECT_TRUE(Fails(engine_->AddToObserverPool(U("ulf"), north_, "lars"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RemoveFromObserverPool(U("ulf"), north_, "lars"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RemoveFromObserverPool(U("frida"), north_, "lars"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RemoveFromObserverPool(U("lars"), north_, "lars"), ErrorCode::kForbidden));

  ASSERT_TRUE(Succeeds(engine_->RemoveFromObserverPool(U("ulla"), north_, "lars")));
  EXPECT_THAT(PoolOf(north_), ElementsAre("olle"));
  const AuditEntry* entry = LastAudit();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->action, "pool.remove");
  EXPECT_EQ(entry->target, "municipality:" + std::to_string(north_));
  EXPECT_EQ(entry->old_value, "lars");
  // Removing someone not in the pool is done already, with nothing logged.
  const size_t entries = engine_->GlobalAuditLog().size();
  EXPECT_TRUE(Succeeds(engine_->RemoveFromObserverPool(U("ada"), north_, "lars")));
  EXPECT_EQ(engine_->GlobalAuditLog().size(), entries);

  EXPECT_TRUE(Succeeds(engine_->RemoveFromObserverPool(U("uno"), north_, "olle")));
  EXPECT_THAT(PoolOf(north_), ElementsAre());
  EXPECT_TRUE(Fails(engine_->RemoveFromObserverPool(U("ada"), north_, "nobody"), ErrorCode::kNotFound));
  EXPECT_TRUE(Fails(engine_->RemoveFromObserverPool(U("ada"), 999, "olle"), ErrorCode::kNotFound));
}

TEST_F(OrganisationTest, TeamsAreMadeInTheUtvecklingsledaresOwnMunicipality) {
  EXPECT_TRUE(Succeeds(engine_->CreateTeam(U("ulla"), byskolan_, "Arbetslag 4–6")));
  EXPECT_TRUE(Fails(engine_->CreateTeam(U("ulf"), byskolan_, "Arbetslag F–3"), ErrorCode::kForbidden));
  EXPECT_TRUE(Succeeds(engine_->CreateTeam(U("uno"), byskolan_, "Arbetslag F–3")));
  EXPECT_TRUE(Fails(engine_->CreateTeam(U("lars"), byskolan_, "Lars lag"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->CreateTeam(U("ada"), 999, "Inget"), ErrorCode::kNotFound));
}

}  // namespace
}  // namespace spegla
