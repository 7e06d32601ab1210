// The markers of fillable files (offline forms): signed with a secret of the database's own, so that a
// file is imported only into the database that made it and only with the marker it was made with.
#include <sodium.h>

#include <cstring>

#include "engine_internal.h"
#include "spegla/database.h"

namespace spegla {
namespace {

constexpr std::string_view kMarkerPrefix = "SPEGLA-FORM-1.";
constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string ToBase64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kBase64), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    kBase64);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &length, nullptr, kBase64) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string Mac(const std::string& key, std::string_view payload) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                         reinterpret_cast<const unsigned char*>(key.data()));
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

Error MarkerRefused() {
  return Error::Of(ErrorCode::kInvalid,
                   "Filens märkning från Spegla stämmer inte: filen har ändrats på ett sätt som inte går att "
                   "läsa in, eller kommer från en annan Spegla-installation. Hämta formuläret på nytt.",
                   "file");
}

}  // namespace

Result<std::string> Engine::MarkerKey() {
  return Write<std::string>([&]() -> Result<std::string> {
    if (!marker_key_.empty()) return marker_key_;
    std::vector<Database::Row> rows = db_->Query("SELECT value FROM secrets WHERE name = 'form-marker'");
    if (rows.empty()) {
      unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
      randombytes_buf(key, sizeof key);
      // Another process may make it at the same moment (PostgreSQL): the first one stays.
      db_->Execute("INSERT INTO secrets (name, value) VALUES ('form-marker', ?) ON CONFLICT (name) DO NOTHING",
                   {ToBase64(std::string_view(reinterpret_cast<const char*>(key), sizeof key))});
      rows = db_->Query("SELECT value FROM secrets WHERE name = 'form-marker'");
    }
    std::optional<std::string> key = rows.empty() ? std::nullopt : FromBase64(rows[0].Text(0));
    if (!key || key->size() != crypto_auth_hmacsha256_KEYBYTES) {
      return Error::Of(ErrorCode::kInternal, "Databasens nyckel för formulärfiler går inte att läsa.");
    }
    marker_key_ = *key;
    return marker_key_;
  });
}

Result<std::string> Engine::SignMarker(const std::string& payload) {
  Result<std::string> key = MarkerKey();
  if (!key) return key.error();
  return std::string(kMarkerPrefix) + ToBase64(payload) + "." + ToBase64(Mac(key.value(), payload));
}

Result<std::string> Engine::VerifyMarker(const std::string& marker) {
  std::string_view text = marker;
  if (text.substr(0, kMarkerPrefix.size()) != kMarkerPrefix) return MarkerRefused();
  text.remove_prefix(kMarkerPrefix.size());
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return MarkerRefused();
  std::optional<std::string> payload = FromBase64(text.substr(0, dot));
  std::optional<std::string> mac = FromBase64(text.substr(dot + 1));
  if (!payload || !mac || mac->size() != crypto_auth_hmacsha256_BYTES) return MarkerRefused();
  Result<std::string> key = MarkerKey();
  if (!key) return key.error();
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(mac->data()),
                                    reinterpret_cast<const unsigned char*>(payload->data()), payload->size(),
                                    reinterpret_cast<const unsigned char*>(key.value().data())) != 0) {
    return MarkerRefused();
  }
  return *payload;
}

}  // namespace spegla
