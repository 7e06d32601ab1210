// Accounts and sessions: passwords hashed with argon2id (libsodium), sessions kept by the SHA-256 of their
// token. Neither a password nor a token that could be used is ever stored.
#include <sodium.h>

#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

#include "engine_internal.h"
#include "spegla/utf8.h"
#include "text.h"

namespace spegla {
namespace {

constexpr size_t kMinPasswordLength = 10;  // characters
constexpr size_t kMaxPasswordLength = 1000;
constexpr const char* kWrongLogin = "Fel användarnamn eller lösenord.";
constexpr const char* kNoSession = "Sessionen har gått ut eller finns inte. Logga in igen.";

struct HashCost {
  unsigned long long ops;
  size_t memory;
};

HashCost CostOf(PasswordCost cost) {
  switch (cost) {
    case PasswordCost::kInteractive:
      return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    case PasswordCost::kModerate:
      return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    case PasswordCost::kMinimum:
      return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

// The argon2id hash in libsodium's string form (algorithm, cost and salt included); nullopt when the
// memory it needs cannot be had.
std::optional<std::string> HashPassword(const std::string& password, PasswordCost cost) {
  char out[crypto_pwhash_STRBYTES];
  const HashCost c = CostOf(cost);
  if (crypto_pwhash_str(out, password.data(), password.size(), c.ops, c.memory) != 0) return std::nullopt;
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  // libsodium reads the hash as a NUL-terminated string of at most crypto_pwhash_STRBYTES.
  char stored[crypto_pwhash_STRBYTES] = {};
  if (hash.empty() || hash.size() >= sizeof stored) return false;
  std::memcpy(stored, hash.data(), hash.size());
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

// What a login checks when the user does not exist or has no password: a wrong user name then costs the
// same time as a wrong password, and does not tell that the name is free. Made once per cost.
std::string DummyHash(PasswordCost cost) {
  static std::mutex mutex;
  static std::map<PasswordCost, std::string> made;
  std::lock_guard lock(mutex);
  auto it = made.find(cost);
  if (it == made.end()) {
    unsigned char random[16];
    randombytes_buf(random, sizeof random);
    std::string password(reinterpret_cast<const char*>(random), sizeof random);
    it = made.emplace(cost, HashPassword(password, cost).value_or("")).first;
  }
  return it->second;
}

// 32 random bytes as base64url text without padding (43 characters): a session or CSRF token.
std::string RandomToken() {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, kVariant)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, kVariant);
  return text;
}

// What the database keeps of a session token: its SHA-256, hex.
std::string TokenHash(const std::string& token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::optional<Issue> PasswordProblem(const std::string& password) {
  if (!IsValidUtf8(password)) return Issue{"password", "Lösenordet innehåller tecken som inte kan läsas."};
  const size_t length = CountCodePoints(password);
  if (length < kMinPasswordLength) {
    return Issue{"password", "Lösenordet ska vara minst " + std::to_string(kMinPasswordLength) + " tecken."};
  }
  if (length > kMaxPasswordLength) {
    return Issue{"password", "Lösenordet får vara högst " + std::to_string(kMaxPasswordLength) + " tecken."};
  }
  return std::nullopt;
}

}  // namespace

void InitCrypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

void EndSessions(Database& db, std::int64_t user_id, const std::string& now) {
  db.Execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", {now, user_id});
}

void Engine::SetPasswordCost(PasswordCost cost) { password_cost_ = cost; }

Result<Ok> Engine::SetPassword(const Actor& actor, const std::string& username, const std::string& password) {
  // Who may, whose, and whether the password will do: checked before the hash is made and again in the
  // transaction that stores it. The hash is made outside the engine's lock, since argon2id costs a good
  // part of a second and 64 MiB by design.
  auto target = [&]() -> Result<std::int64_t> {
    if (!actor.is_operator && actor.username != username) {
      Standing who = StandingOf(*db_, actor);
      if (!who.user_id || who.global_role != "administrator") {
        return Error::Of(ErrorCode::kForbidden, "Du får bara byta ditt eget lösenord.");
      }
    }
    Result<std::int64_t> user = UserId(username);
    if (!user) return Error{ErrorCode::kNotFound, {Issue{"username", user.error().issues[0].message}}};
    if (std::optional<Issue> problem = PasswordProblem(password))
      return Error{ErrorCode::kInvalid, {*problem}};
    return user;
  };
  Result<std::int64_t> checked = Read<std::int64_t>(target);
  if (!checked) return checked.error();
  std::optional<std::string> hash = HashPassword(password, password_cost_);
  if (!hash) return Error::Of(ErrorCode::kInternal, "Lösenordet kunde inte sparas: minnet räckte inte.");
  return Write<Ok>([&]() -> Result<Ok> {
    Result<std::int64_t> user = target();
    if (!user) return user.error();
    db_->Execute("UPDATE users SET password_hash = ? WHERE id = ?", {*hash, user.value()});
    // Whoever knew the old password is signed out everywhere.
    EndSessions(*db_, user.value(), Now());
    Audit(std::nullopt, actor, "user.password", "user:" + username);
    return Ok{};
  });
}

bool Engine::HasPassword(const std::string& username) {
  Result<bool> has = Read<bool>([&]() -> Result<bool> {
    std::vector<Database::Row> rows = db_->Query("SELECT password_hash FROM users WHERE username = ?", {username});
    return !rows.empty() && !rows[0].IsNull(0) && !rows[0].Text(0).empty();
  });
  return has.ok() && has.value();
}

Result<SessionInfo> Engine::Login(const std::string& username, const std::string& password,
                                  std::chrono::seconds lifetime) {
  // The stored hash is read under the lock, checked outside it (it takes long by design), and the session
  // stored only if the hash is still the one checked.
  Result<std::optional<std::string>> stored =
      Read<std::optional<std::string>>([&]() -> Result<std::optional<std::string>> {
        std::vector<Database::Row> rows =
            db_->Query("SELECT password_hash FROM users WHERE username = ?", {username});
        if (rows.empty() || rows[0].IsNull(0) || rows[0].Text(0).empty()) return std::optional<std::string>();
        return rows[0].Optional(0);
      });
  if (!stored) return stored.error();
  bool verified = false;
  if (stored.value()) {
    verified = VerifyPassword(*stored.value(), password);
  } else {
    (void)VerifyPassword(DummyHash(password_cost_), password);
  }
  if (!verified) return Error::Of(ErrorCode::kUnauthenticated, kWrongLogin);
  return Write<SessionInfo>([&]() -> Result<SessionInfo> {
    std::vector<Database::Row> rows = db_->Query(
        std::string("SELECT ") + kUserColumns + ", u.password_hash FROM users u WHERE u.username = ?",
        {username});
    if (rows.empty() || rows[0].Optional(kUserColumnCount) != stored.value()) {
      return Error::Of(ErrorCode::kUnauthenticated, kWrongLogin);
    }
    SessionInfo session;
    session.token = RandomToken();
    session.csrf_token = RandomToken();
    session.user = UserFromRow(rows[0]);
    session.created_at = clock_.Now();
    session.expires_at = session.created_at + lifetime;
    db_->Execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, "
        "?)",
        {TokenHash(session.token), session.user.id, session.csrf_token, FormatTimestamp(session.created_at),
         FormatTimestamp(session.expires_at)});
    Audit(std::nullopt, Actor::User(username), "session.login", "user:" + username, std::nullopt,
          std::nullopt, "giltig till " + FormatTimestamp(session.expires_at));
    return session;
  });
}

Result<SessionInfo> Engine::Session(const std::string& token) {
  return Read<SessionInfo>([&]() -> Result<SessionInfo> {
    if (token.empty()) return Error::Of(ErrorCode::kUnauthenticated, kNoSession);
    std::vector<Database::Row> rows =
        db_->Query(std::string("SELECT ") + kUserColumns +
                       ", s.csrf_token, s.created_at, s.expires_at, s.ended_at "
                       "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                   {TokenHash(token)});
    if (rows.empty() || !rows[0].IsNull(kUserColumnCount + 3)) {
      return Error::Of(ErrorCode::kUnauthenticated, kNoSession);
    }
    const Database::Row& r = rows[0];
    SessionInfo session;
    session.user = UserFromRow(r);
    session.csrf_token = r.Text(kUserColumnCount);
    session.created_at = ParseTimestamp(r.Text(kUserColumnCount + 1)).value_or(Timestamp{});
    session.expires_at = ParseTimestamp(r.Text(kUserColumnCount + 2)).value_or(Timestamp{});
    if (clock_.Now() >= session.expires_at) return Error::Of(ErrorCode::kUnauthenticated, kNoSession);
    return session;
  });
}

Result<Ok> Engine::Logout(const std::string& token) {
  return Write<Ok>([&]() -> Result<Ok> {
    if (token.empty()) return Ok{};
    const std::string hash = TokenHash(token);
    std::vector<Database::Row> rows = db_->Query(
        "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ? AND s.ended_at IS NULL",
        {hash});
    if (rows.empty()) return Ok{};  // unknown or ended already: nothing to end
    db_->Execute("UPDATE sessions SET ended_at = ? WHERE token_hash = ?", {Now(), hash});
    Audit(std::nullopt, Actor::User(rows[0].Text(0)), "session.logout", "user:" + rows[0].Text(0));
    return Ok{};
  });
}

}  // namespace spegla
