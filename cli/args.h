// Command-line arguments: positionals plus `--name value`, `--name=value` and boolean `--flag`s.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace spegla::cli {

class Args {
 public:
  // `flags` names the options that take no value. Fails (returns nullopt with *error set) on an option
  // that is neither a flag nor in `options`, or an option missing its value.
  static std::optional<Args> Parse(const std::vector<std::string>& raw, const std::set<std::string>& flags,
                                   const std::set<std::string>& options, std::string* error);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return flags_.count(flag) > 0; }
  std::optional<std::string> Get(const std::string& option) const;
  std::string GetOr(const std::string& option, const std::string& fallback) const {
    return Get(option).value_or(fallback);
  }
  void Set(const std::string& option, std::string value) { options_[option] = std::move(value); }

 private:
  std::vector<std::string> positional_;
  std::set<std::string> flags_;
  std::map<std::string, std::string> options_;
};

// Parses a whole non-negative number; nullopt for anything else.
std::optional<long long> ParseCount(const std::string& text);

}  // namespace spegla::cli
