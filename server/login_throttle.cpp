#include "login_throttle.h"

#include <algorithm>

namespace spegla::server {

std::chrono::seconds LoginThrottle::Wait(std::map<std::string, Count>& counts, const std::string& key,
                                         Timestamp now) {
  auto it = counts.find(key);
  if (it == counts.end()) return std::chrono::seconds{0};
  const Timestamp until = it->second.first + limits_.window;
  if (now >= until) {
    counts.erase(it);
    return std::chrono::seconds{0};
  }
  if (it->second.failures < limits_.attempts) return std::chrono::seconds{0};
  return std::chrono::duration_cast<std::chrono::seconds>(until - now) + std::chrono::seconds{1};
}

void LoginThrottle::Add(std::map<std::string, Count>& counts, const std::string& key, Timestamp now) {
  Count& count = counts[key];
  if (count.failures == 0 || now >= count.first + limits_.window) count = Count{0, now};
  ++count.failures;
}

std::chrono::seconds LoginThrottle::RetryAfter(const std::string& username, const std::string& address) {
  std::lock_guard lock(mutex_);
  const Timestamp now = clock_.Now();
  // Addresses get more attempts than one user name: several people may share a school's address.
  std::chrono::seconds user_wait = Wait(by_user_, username, now);
  auto it = by_address_.find(address);
  std::chrono::seconds address_wait{0};
  if (it != by_address_.end()) {
    const Timestamp until = it->second.first + limits_.window;
    if (now >= until) {
      by_address_.erase(it);
    } else if (it->second.failures >= limits_.attempts * 4) {
      address_wait = std::chrono::duration_cast<std::chrono::seconds>(until - now) + std::chrono::seconds{1};
    }
  }
  return std::max(user_wait, address_wait);
}

void LoginThrottle::Failed(const std::string& username, const std::string& address) {
  std::lock_guard lock(mutex_);
  const Timestamp now = clock_.Now();
  Add(by_user_, username, now);
  Add(by_address_, address, now);
}

void LoginThrottle::Succeeded(const std::string& username) {
  std::lock_guard lock(mutex_);
  by_user_.erase(username);
}

}  // namespace spegla::server
