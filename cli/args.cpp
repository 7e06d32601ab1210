#include "args.h"

#include <charconv>

namespace spegla::cli {

std::optional<Args> Args::Parse(const std::vector<std::string>& raw, const std::set<std::string>& flags,
                                const std::set<std::string>& options, std::string* error) {
  Args args;
  bool only_positional = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    // -o is the one short option with a value, spelled as compilers and converters spell it.
    static const std::string kOutput = "--output";
    const std::string& token = raw[i] == "-o" && !only_positional ? kOutput : raw[i];
    if (only_positional || token.size() < 2 || token[0] != '-') {
      args.positional_.push_back(token);
      continue;
    }
    if (token == "--") {
      only_positional = true;
      continue;
    }
    if (token == "-h") {
      args.flags_.insert("help");
      continue;
    }
    if (token.rfind("--", 0) != 0) {
      *error = "unknown option '" + token + "'";
      return std::nullopt;
    }
    std::string name = token.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (value) {
        *error = "option '--" + name + "' takes no value";
        return std::nullopt;
      }
      args.flags_.insert(name);
      continue;
    }
    if (!options.count(name)) {
      *error = "unknown option '--" + name + "'";
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= raw.size()) {
        *error = "option '--" + name + "' needs a value";
        return std::nullopt;
      }
      value = raw[++i];
    }
    args.options_[name] = *value;
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& option) const {
  auto it = options_.find(option);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::optional<long long> ParseCount(const std::string& text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace spegla::cli
