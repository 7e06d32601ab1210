// Slows down password guessing: after `attempts` failed logins for one user name (or four times as many
// from one address, which a school may share),
// within `window`, further logins for it are refused until the window has passed since the first
// failure. Success clears the user name's count. Kept in memory: a restart forgets it (by design: the
// argon2id cost already bounds the rate), and each server process counts on its own.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "spegla/clock.h"

namespace spegla::server {

class LoginThrottle {
 public:
  struct Limits {
    unsigned attempts = 5;
    std::chrono::seconds window{15 * 60};
  };

  LoginThrottle(const Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

  // Zero when a login may be tried now; else how long until it may.
  std::chrono::seconds RetryAfter(const std::string& username, const std::string& address);
  void Failed(const std::string& username, const std::string& address);
  void Succeeded(const std::string& username);

 private:
  struct Count {
    unsigned failures = 0;
    Timestamp first{};
  };
  std::chrono::seconds Wait(std::map<std::string, Count>& counts, const std::string& key, Timestamp now);
  void Add(std::map<std::string, Count>& counts, const std::string& key, Timestamp now);

  const Clock& clock_;
  Limits limits_;
  std::mutex mutex_;
  std::map<std::string, Count> by_user_, by_address_;
};

}  // namespace spegla::server
