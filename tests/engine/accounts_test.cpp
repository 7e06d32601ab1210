// Accounts and sessions: passwords (argon2id at the minimum cost, as tests make many), logins that fail
// alike for a wrong password and an unknown user, sessions that expire on the manual clock, end at logout
// or when the password or the user's role changes, and tokens that are stored only hashed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/database.h"
#include "spegla/engine.h"
#include "../support/test_database.h"

namespace spegla {
namespace {

using namespace spegla::test;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "korrekt häst batteri";
constexpr auto kDay = std::chrono::seconds(24h);

class AccountsTest : public ::testing::Test {
 protected:
  AccountsTest() : clock_(At("2026-03-02")) {}

  void SetUp() override {
    path_ = TestDatabase((dir_.path() / "spegla.db").string());
    engine_ = Engine::Open(Path(), clock_);
    engine_->SetPasswordCost(PasswordCost::kMinimum);
    municipality_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Testkommun"));
    other_municipality_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Grannkommun"));
    AddUser("ada", "administrator");
    AddUser("lars", "personal");
    AddUser("lena", "personal");
    AddUser("ulla", "utvecklingsledare");
  }

  void TearDown() override { engine_.reset(); }

  const std::string& Path() const { return path_; }
  std::string path_;

  void AddUser(const std::string& username, const std::string& role) {
    User user;
    user.username = username;
    user.display_name = "Person " + username;
    user.global_role = role;
    user.municipality_id = municipality_;
    Must(engine_->CreateUser(Actor::Operator(), user), "create user " + username);
  }

  SessionInfo LoginAs(const std::string& username, const std::string& password = kPassword,
                      std::chrono::seconds lifetime = kDay) {
    return Must(engine_->Login(username, password, lifetime), "login " + username);
  }

  size_t CountAudit(std::string_view action) {
    std::vector<AuditEntry> log = engine_->GlobalAuditLog();
    return static_cast<size_t>(
        std::count_if(log.begin(), log.end(), [&](const AuditEntry& e) { return e.action == action; }));
  }

  ManualClock clock_;
  ScratchDir dir_{"spegla-accounts"};
  std::unique_ptr<Engine> engine_;
  std::int64_t municipality_ = 0;
  std::int64_t other_municipality_ = 0;
};

TEST_F(AccountsTest, LoginWithThePasswordSetGivesASession) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  SessionInfo session = LoginAs("lars", kPassword, 8h);
  EXPECT_EQ(session.token.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(
      session.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(session.csrf_token.size(), 43u);
  EXPECT_NE(session.csrf_token, session.token);
  EXPECT_EQ(session.user.username, "lars");
  EXPECT_EQ(session.user.display_name, "Person lars");
  EXPECT_EQ(session.created_at, At("2026-03-02"));
  EXPECT_EQ(session.expires_at, At("2026-03-02") + 8h);

  SessionInfo found = Must(engine_->Session(session.token));
  EXPECT_TRUE(found.token.empty());  // only Login hands the token out
  EXPECT_EQ(found.csrf_token, session.csrf_token);
  EXPECT_EQ(found.user.id, session.user.id);
  EXPECT_EQ(found.user.global_role, "personal");
  EXPECT_EQ(found.expires_at, session.expires_at);

  // Every login is a session of its own.
  SessionInfo second = LoginAs("lars");
  EXPECT_NE(second.token, session.token);
  EXPECT_NE(second.csrf_token, session.csrf_token);
  EXPECT_EQ(CountAudit("session.login"), 2u);
}

TEST_F(AccountsTest, WrongPasswordAndUnknownUserFailAlike) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  Result<SessionInfo> wrong = engine_->Login("lars", "fel lösenord här", kDay);
  Result<SessionInfo> unknown = engine_->Login("nobody", kPassword, kDay);
  Result<SessionInfo> without_password = engine_->Login("lena", kPassword, kDay);
  for (const Result<SessionInfo>* failed : {&wrong, &unknown, &without_password}) {
    EXPECT_TRUE(Fails(*failed, ErrorCode::kUnauthenticated, {"Fel användarnamn eller lösenord."}));
  }
  EXPECT_EQ(wrong.error().Summary(), unknown.error().Summary());
  EXPECT_EQ(wrong.error().Summary(), without_password.error().Summary());
  EXPECT_TRUE(Fails(engine_->Login("lars", "", kDay), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(Fails(engine_->Login("LARS", kPassword, kDay), ErrorCode::kUnauthenticated));
  EXPECT_STREQ(ToString(ErrorCode::kUnauthenticated), "unauthenticated");
  EXPECT_EQ(CountAudit("session.login"), 0u);
}

TEST_F(AccountsTest, PasswordsHaveAtLeastTenCharacters) {
  EXPECT_TRUE(Fails(engine_->SetPassword(Actor::Operator(), "lars", "kort"), ErrorCode::kInvalid,
                    {"password: Lösenordet ska vara minst 10 tecken."}));
  // Characters, not bytes: nine å are eighteen bytes and still too short; ten will do.
  EXPECT_TRUE(Fails(engine_->SetPassword(Actor::Operator(), "lars", "ååååååååå"), ErrorCode::kInvalid));
  EXPECT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", "åååååååååå")));
  EXPECT_TRUE(Succeeds(engine_->Login("lars", "åååååååååå", kDay)));
  EXPECT_TRUE(Fails(engine_->SetPassword(Actor::Operator(), "lars", std::string(1001, 'x')),
                    ErrorCode::kInvalid, {"högst 1000 tecken"}));
  EXPECT_TRUE(
      Fails(engine_->SetPassword(Actor::Operator(), "lars", "\xff\xfe ogiltig text"), ErrorCode::kInvalid));
}

TEST_F(AccountsTest, PasswordsAreSetByThemselvesAdministratorsAndTheOperator) {
  EXPECT_TRUE(Succeeds(engine_->SetPassword(U("lars"), "lars", "lars eget lösenord")));
  EXPECT_TRUE(Succeeds(engine_->SetPassword(U("ada"), "lena", "satt av ada 123")));
  EXPECT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "ulla", "satt av operatören")));
  EXPECT_TRUE(Fails(engine_->SetPassword(U("lars"), "lena", "lars sätter lenas"), ErrorCode::kForbidden,
                    {"Du får bara byta ditt eget lösenord."}));
  EXPECT_TRUE(Fails(engine_->SetPassword(U("ulla"), "lars", "ulla sätter lars"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->SetPassword(U("nobody"), "lars", "okänd sätter lars"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->SetPassword(U("ada"), "nobody", "till ingen alls"), ErrorCode::kNotFound));
  // A refusal changes nothing: lena's password is the one ada set.
  EXPECT_TRUE(Succeeds(engine_->Login("lena", "satt av ada 123", kDay)));
  EXPECT_TRUE(Fails(engine_->Login("lena", "lars sätter lenas", kDay), ErrorCode::kUnauthenticated));

  // The log says whose password changed and who changed it, never the password.
  std::vector<AuditEntry> log = engine_->GlobalAuditLog();
  auto set_by_ada = std::find_if(log.begin(), log.end(), [](const AuditEntry& e) {
    return e.action == "user.password" && e.target == "user:lena";
  });
  ASSERT_NE(set_by_ada, log.end());
  EXPECT_EQ(set_by_ada->actor, "ada");
  for (const AuditEntry& e : log) {
    for (const std::string& text : {e.old_value.value_or(""), e.new_value.value_or(""), e.detail, e.target}) {
      EXPECT_THAT(text, Not(HasSubstr("lösenord"))) << e.action;
      EXPECT_THAT(text, Not(HasSubstr("satt av"))) << e.action;
    }
  }
}

TEST_F(AccountsTest, SessionsExpireOnTheClock) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  SessionInfo session = LoginAs("lars", kPassword, 1h);
  clock_.Advance(59min);
  EXPECT_TRUE(Succeeds(engine_->Session(session.token)));
  clock_.Advance(1min);
  EXPECT_TRUE(Fails(engine_->Session(session.token), ErrorCode::kUnauthenticated,
                    {"Sessionen har gått ut eller finns inte. Logga in igen."}));
  EXPECT_TRUE(Fails(engine_->Session("no such token"), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(Fails(engine_->Session(""), ErrorCode::kUnauthenticated));
  // A new login is a new session, valid from now.
  SessionInfo again = LoginAs("lars", kPassword, 1h);
  EXPECT_EQ(again.expires_at, At("2026-03-02") + 2h);
  EXPECT_TRUE(Succeeds(engine_->Session(again.token)));
}

TEST_F(AccountsTest, LogoutEndsTheSessionAndIsIdempotent) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  SessionInfo session = LoginAs("lars");
  SessionInfo other = LoginAs("lars");
  ASSERT_TRUE(Succeeds(engine_->Logout(session.token)));
  EXPECT_TRUE(Fails(engine_->Session(session.token), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(Succeeds(engine_->Session(other.token)));  // only that one
  EXPECT_TRUE(Succeeds(engine_->Logout(session.token)));
  EXPECT_TRUE(Succeeds(engine_->Logout("no such token")));
  EXPECT_TRUE(Succeeds(engine_->Logout("")));
  EXPECT_EQ(CountAudit("session.logout"), 1u);
  std::vector<AuditEntry> log = engine_->GlobalAuditLog(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "session.logout");
  EXPECT_EQ(log[0].actor, "lars");
}

TEST_F(AccountsTest, ANewPasswordEndsTheUsersSessions) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lena", kPassword)));
  SessionInfo first = LoginAs("lars");
  SessionInfo second = LoginAs("lars");
  SessionInfo lenas = LoginAs("lena");
  ASSERT_TRUE(Succeeds(engine_->SetPassword(U("ada"), "lars", "ett helt nytt lösenord")));
  EXPECT_TRUE(Fails(engine_->Session(first.token), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(Fails(engine_->Session(second.token), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(Succeeds(engine_->Session(lenas.token)));
  EXPECT_TRUE(Fails(engine_->Login("lars", kPassword, kDay), ErrorCode::kUnauthenticated));
  EXPECT_TRUE(Succeeds(engine_->Login("lars", "ett helt nytt lösenord", kDay)));
}

TEST_F(AccountsTest, OnlyHashesOfTokensAndPasswordsAreStored) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  SessionInfo session = LoginAs("lars");
  std::unique_ptr<Database> db = Database::Open(Path());
  std::vector<Database::Row> rows =
      db->Query("SELECT token_hash, csrf_token, created_at, expires_at, ended_at FROM sessions");
  ASSERT_EQ(rows.size(), 1u);
  const std::string hash = rows[0].Text(0);
  EXPECT_EQ(hash.size(), 64u);  // SHA-256, hex
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(rows[0].Text(1), session.csrf_token);
  EXPECT_EQ(rows[0].Text(2), "2026-03-02T08:00:00Z");
  EXPECT_EQ(rows[0].Text(3), "2026-03-03T08:00:00Z");
  EXPECT_TRUE(rows[0].IsNull(4));
  // The token is nowhere in the database, neither in the sessions nor in the log.
  EXPECT_TRUE(db->Query("SELECT 1 FROM sessions WHERE token_hash = ? OR csrf_token = ?",
                        {session.token, session.token})
                  .empty());
  for (const AuditEntry& e : engine_->GlobalAuditLog()) {
    EXPECT_THAT(e.detail + e.target + e.new_value.value_or(""), Not(HasSubstr(session.token)));
  }
  std::vector<Database::Row> user = db->Query("SELECT password_hash FROM users WHERE username = 'lars'");
  ASSERT_EQ(user.size(), 1u);
  EXPECT_THAT(user[0].Text(0), ::testing::StartsWith("$argon2id$"));
  EXPECT_THAT(user[0].Text(0), Not(HasSubstr(kPassword)));

  ASSERT_TRUE(Succeeds(engine_->Logout(session.token)));
  EXPECT_EQ(db->Query("SELECT ended_at FROM sessions")[0].Text(0), "2026-03-02T08:00:00Z");
}

TEST_F(AccountsTest, AChangedRoleOrMunicipalityEndsTheSessions) {
  ASSERT_TRUE(Succeeds(engine_->SetPassword(Actor::Operator(), "lars", kPassword)));
  SessionInfo session = LoginAs("lars");
  // A new name or address does not change what lars may see.
  ASSERT_TRUE(
      Succeeds(engine_->UpdateUser(U("ada"), "lars", {.display_name = "Lars Larsson", .email = "l@x.se"})));
  SessionInfo kept = Must(engine_->Session(session.token));
  EXPECT_EQ(kept.user.display_name, "Lars Larsson");
  EXPECT_EQ(kept.user.email, "l@x.se");

  ASSERT_TRUE(Succeeds(engine_->UpdateUser(U("ada"), "lars", {.global_role = "utvecklingsledare"})));
  EXPECT_TRUE(Fails(engine_->Session(session.token), ErrorCode::kUnauthenticated));

  SessionInfo moved = LoginAs("lars");
  EXPECT_EQ(moved.user.global_role, "utvecklingsledare");
  ASSERT_TRUE(Succeeds(engine_->UpdateUser(U("ada"), "lars", {.municipality_id = other_municipality_})));
  EXPECT_TRUE(Fails(engine_->Session(moved.token), ErrorCode::kUnauthenticated));

  SessionInfo cleared = LoginAs("lars");
  ASSERT_TRUE(Succeeds(engine_->UpdateUser(
      U("ada"), "lars", {.municipality_id = std::optional<std::optional<std::int64_t>>(std::in_place)})));
  EXPECT_TRUE(Fails(engine_->Session(cleared.token), ErrorCode::kUnauthenticated));
  EXPECT_EQ(Must(engine_->Login("lars", kPassword, kDay)).user.municipality_id, std::nullopt);
}

TEST_F(AccountsTest, FindUserById) {
  std::optional<User> lars = engine_->FindUser("lars");
  ASSERT_TRUE(lars);
  std::optional<User> by_id = engine_->FindUser(lars->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->username, "lars");
  EXPECT_EQ(by_id->municipality_id, municipality_);
  EXPECT_FALSE(engine_->FindUser(std::int64_t{9999}));
}

}  // namespace
}  // namespace spegla
