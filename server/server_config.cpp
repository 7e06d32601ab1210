#include "server_config.h"

#include <unistd.h>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

extern char** environ;

namespace spegla::server {
namespace {

// How a value is read: empty when it was good, else what is wrong with it.
using Apply = std::string (*)(ServerConfig& config, const std::string& value);

struct Setting {
  const char* section;
  const char* key;
  const char* env;  // the environment variable overriding it, or null
  Apply apply;
};

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return text;
}

// A whole number within [min, max]; `suffixes` lets byte sizes carry K/KiB, M/MiB, G/GiB (binary).
std::string ReadNumber(const std::string& text, std::uint64_t min, std::uint64_t max, std::uint64_t& out,
                       bool suffixes = false) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  std::uint64_t value = 0;
  auto [rest, ec] = std::from_chars(begin, end, value);
  if (rest == begin) return Quoted(text) + " is not a whole number";
  std::string unit = Lower(std::string(rest, end));
  std::uint64_t factor = 1;
  if (!unit.empty()) {
    if (!suffixes) return Quoted(text) + " is not a whole number";
    if (unit == "k" || unit == "kib") {
      factor = 1ULL << 10;
    } else if (unit == "m" || unit == "mib") {
      factor = 1ULL << 20;
    } else if (unit == "g" || unit == "gib") {
      factor = 1ULL << 30;
    } else {
      return Quoted(text) + " is not a size (bytes, or a number with K, M or G)";
    }
  }
  bool overflow = ec == std::errc::result_out_of_range || value > max / factor;
  if (overflow || value * factor < min || value * factor > max) {
    return text + " is out of range (" + std::to_string(min) + "-" + std::to_string(max) + ")";
  }
  out = value * factor;
  return "";
}

template <class T>
std::string SetNumber(T& field, const std::string& text, std::uint64_t min, std::uint64_t max,
                      bool suffixes = false) {
  std::uint64_t value = 0;
  std::string problem = ReadNumber(text, min, max, value, suffixes);
  if (problem.empty()) field = static_cast<T>(value);
  return problem;
}

std::string SetBool(bool& field, const std::string& text) {
  std::string value = Lower(text);
  if (value == "true" || value == "yes" || value == "on" || value == "1") {
    field = true;
  } else if (value == "false" || value == "no" || value == "off" || value == "0") {
    field = false;
  } else {
    return Quoted(text) + " is not true or false";
  }
  return "";
}

std::string SetText(std::string& field, const std::string& text, bool may_be_empty) {
  if (text.empty() && !may_be_empty) return "must not be empty";
  field = text;
  return "";
}

constexpr Setting kSettings[] = {
    {"server", "address", "SPEGLA_ADDRESS",
     [](ServerConfig& c, const std::string& v) { return SetText(c.address, v, false); }},
    {"server", "port", "SPEGLA_PORT",
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.port, v, 0, 65535); }},
    {"server", "threads", "SPEGLA_THREADS",
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.threads, v, 0, 1024); }},
    {"server", "handler_threads", "SPEGLA_HANDLER_THREADS",
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.handler_threads, v, 0, 1024); }},
    {"server", "body_limit", nullptr,
     [](ServerConfig& c, const std::string& v) {
       return SetNumber(c.body_limit_bytes, v, 1, 1ULL << 36, true);
     }},
    {"server", "read_timeout", nullptr,
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.read_timeout_seconds, v, 1, 3600); }},
    {"server", "idle_timeout", nullptr,
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.idle_timeout_seconds, v, 1, 86400); }},
    {"database", "path", "SPEGLA_DB",
     [](ServerConfig& c, const std::string& v) { return SetText(c.db, v, false); }},
    {"database", "templates", "SPEGLA_TEMPLATES",
     [](ServerConfig& c, const std::string& v) { return SetText(c.templates, v, false); }},
    {"log", "access", "SPEGLA_ACCESS_LOG",
     [](ServerConfig& c, const std::string& v) { return SetText(c.access_log, v, true); }},
    {"security", "session_hours", "SPEGLA_SESSION_HOURS",
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.session_hours, v, 1, 8760); }},
    {"security", "secure_cookies", "SPEGLA_SECURE_COOKIES",
     [](ServerConfig& c, const std::string& v) { return SetBool(c.secure_cookies, v); }},
    {"security", "trust_proxy", nullptr,
     [](ServerConfig& c, const std::string& v) { return SetBool(c.trust_proxy, v); }},
    {"security", "login_attempts", nullptr,
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.login_attempts, v, 1, 1000); }},
    {"security", "login_window_minutes", nullptr,
     [](ServerConfig& c, const std::string& v) { return SetNumber(c.login_window_minutes, v, 1, 10080); }},
    {"security", "password_cost", "SPEGLA_PASSWORD_COST",
     [](ServerConfig& c, const std::string& v) -> std::string {
       if (v != "interactive" && v != "moderate" && v != "minimum") {
         return Quoted(v) + " is not interactive, moderate or minimum";
       }
       c.password_cost = v;
       return "";
     }},
    {"plugins", "dir", nullptr,
     [](ServerConfig& c, const std::string& v) { return SetText(c.plugins_dir, v, true); }},
};

std::string_view Trimmed(std::string_view text) {
  const char* kSpace = " \t\r\n\f\v";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// Where each section and key is, for messages: PropertyTree keeps no line numbers. Scans the lines the
// way read_ini does (trimmed; ; and # start comments; [section]; key = value).
struct LineIndex {
  std::map<std::string, unsigned long> sections;
  std::map<std::pair<std::string, std::string>, unsigned long> keys;

  explicit LineIndex(const std::vector<std::string>& lines) {
    std::string section;
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string_view line = Trimmed(lines[i]);
      if (line.empty() || line[0] == ';' || line[0] == '#') continue;
      if (line[0] == '[') {
        size_t end = line.find(']');
        section = std::string(Trimmed(line.substr(1, end == std::string_view::npos ? 0 : end - 1)));
        sections.emplace(section, i + 1);
      } else if (size_t eq = line.find('='); eq != std::string_view::npos) {
        keys.emplace(std::make_pair(section, std::string(Trimmed(line.substr(0, eq)))), i + 1);
      }
    }
  }
};

// A section name no file can hold: the stand-in for a section header that did not parse, whose keys are
// then not reported again as unknown.
std::string BrokenSectionName(unsigned long line) {
  return "\x01 broken section at line " + std::to_string(line);
}

void ReadFile(const std::string& file, ServerConfig& config, std::vector<std::string>& problems) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    problems.push_back(file + ": cannot read (" + std::strerror(errno) + ")");
    return;
  }
  std::stringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    problems.push_back(file + ": cannot read (" + std::strerror(errno) + ")");
    return;
  }
  std::vector<std::string> lines = Lines(contents.str());

  // read_ini stops at the first syntax error: report it, neutralise that line and read again, so that
  // every problem is reported at once.
  boost::property_tree::ptree tree;
  for (;;) {
    std::istringstream text(Joined(lines));
    try {
      boost::property_tree::read_ini(text, tree);
      break;
    } catch (const boost::property_tree::ini_parser_error& e) {
      unsigned long line = e.line();
      problems.push_back(file + ":" + std::to_string(line) + ": " + e.message());
      if (line == 0 || line > lines.size()) return;  // cannot happen; avoids looping forever if it does
      std::string_view bad = Trimmed(lines[line - 1]);
      lines[line - 1] = !bad.empty() && bad[0] == '[' ? "[" + BrokenSectionName(line) + "]" : "";
    }
  }

  LineIndex index(lines);
  auto where = [&](unsigned long line) { return line != 0 ? file + ":" + std::to_string(line) : file; };
  for (const auto& [section_name, section] : tree) {
    if (section_name.rfind('\x01', 0) == 0) continue;
    bool known_section = false;
    for (const Setting& setting : kSettings) known_section = known_section || section_name == setting.section;
    if (!known_section) {
      auto found = index.sections.find(section_name);
      if (found != index.sections.end()) {
        problems.push_back(where(found->second) + ": [" + section_name + "]: unknown section");
      } else {
        auto key_line = index.keys.find({"", section_name});
        problems.push_back(where(key_line != index.keys.end() ? key_line->second : 0) + ": " + section_name +
                           ": unknown key outside any section");
      }
      continue;
    }
    for (const auto& [key, value] : section) {
      auto found = index.keys.find({section_name, key});
      std::string prefix =
          where(found != index.keys.end() ? found->second : 0) + ": [" + section_name + "] " + key;
      const Setting* match = nullptr;
      for (const Setting& setting : kSettings) {
        if (section_name == setting.section && key == setting.key) match = &setting;
      }
      if (!match) {
        problems.push_back(prefix + ": unknown key");
        continue;
      }
      std::string problem = match->apply(config, value.data());
      if (!problem.empty()) problems.push_back(prefix + ": " + problem);
    }
  }
}

}  // namespace

ServerConfig LoadServerConfig(const std::string& file, const std::map<std::string, std::string>& env,
                              std::vector<std::string>* problems) {
  std::vector<std::string> found;
  ServerConfig config;
  if (!file.empty()) ReadFile(file, config, found);
  for (const Setting& setting : kSettings) {
    if (!setting.env) continue;
    auto value = env.find(setting.env);
    if (value == env.end()) continue;
    std::string problem = setting.apply(config, std::string(Trimmed(value->second)));
    if (!problem.empty()) found.push_back(std::string(setting.env) + ": " + problem);
  }
  if (problems) problems->insert(problems->end(), found.begin(), found.end());
  return config;
}

std::map<std::string, std::string> SpeglaEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos || text.rfind("SPEGLA_", 0) != 0) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

HttpServerOptions ToHttpServerOptions(const ServerConfig& config) {
  HttpServerOptions options;
  options.address = config.address;
  options.port = config.port;
  options.threads = config.threads;
  options.handler_threads = config.handler_threads;
  options.body_limit = config.body_limit_bytes;
  options.read_timeout = std::chrono::seconds(config.read_timeout_seconds);
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  return options;
}

std::function<void(const AccessLogEntry&)> OpenAccessLog(const std::string& setting, std::string* problem) {
  if (setting.empty() || setting == "off") return {};
  struct Sink {
    std::mutex mutex;
    std::FILE* file = nullptr;
    bool owned = false;
    ~Sink() {
      if (owned && file) std::fclose(file);
    }
  };
  auto sink = std::make_shared<Sink>();
  if (setting == "-") {
    sink->file = stderr;
  } else {
    sink->file = std::fopen(setting.c_str(), "a");
    if (!sink->file) {
      if (problem) *problem = "access log " + setting + ": cannot open (" + std::strerror(errno) + ")";
      return {};
    }
    sink->owned = true;
  }
  return [sink](const AccessLogEntry& entry) {
    std::string line = FormatAccessLogLine(entry) + "\n";
    std::lock_guard lock(sink->mutex);
    std::fwrite(line.data(), 1, line.size(), sink->file);
    std::fflush(sink->file);
  };
}

}  // namespace spegla::server
