// The server's configuration: an INI file (etc/spegla.ini shows every key), then SPEGLA_* environment
// variables over it; command-line flags, applied by the caller, win over both.
//
// Problems are collected, all of them, rather than stopping at the first, one line each:
//   <file>:<line>: <message>      a problem in the file (the line where there is one)
//   <file>: <message>             the file as a whole (cannot be read)
//   <VARIABLE>: <message>         an environment variable
// for example
//   etc/spegla.ini:4: [server] port: 70000 is out of range (0-65535)
//   etc/spegla.ini:9: [server] prot: unknown key
//   etc/spegla.ini:12: '=' character not found in line
//   SPEGLA_THREADS: "many" is not a whole number
// A value with a problem keeps its default (or the file's value, when the environment's is bad).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http_server.h"

namespace spegla::server {

struct ServerConfig {
  // [server]
  std::string address = "127.0.0.1";  // address (SPEGLA_ADDRESS)
  std::uint16_t port = 8080;          // port; 0 = any free port (SPEGLA_PORT)
  unsigned threads = 0;               // threads; 0 = one per core (SPEGLA_THREADS)
  unsigned handler_threads = 16;  // handler_threads: requests being handled at once, each may wait for the
                                  // database; 0 = on the I/O threads (SPEGLA_HANDLER_THREADS)
  size_t body_limit_bytes = 8 * 1024 * 1024;  // body_limit: bytes, or with K/KiB, M/MiB, G/GiB
  unsigned read_timeout_seconds = 30;         // read_timeout
  unsigned idle_timeout_seconds = 120;        // idle_timeout
  // [database]
  std::string db = "data/spegla.db";  // path: an SQLite file or a postgresql:// URL (SPEGLA_DB)
  std::string templates;  // templates: the folder of uploaded Word templates (SPEGLA_TEMPLATES); empty:
                          // "templates" beside an SQLite file, data/templates with PostgreSQL. Several
                          // processes on one database share one folder.
  // [log]
  std::string access_log = "-";  // access: "-" standard error, "" or "off" none, else a file appended to
                                 // (SPEGLA_ACCESS_LOG)
  // [security]
  unsigned session_hours = 12;  // session_hours (SPEGLA_SESSION_HOURS)
  bool secure_cookies = false;  // secure_cookies (SPEGLA_SECURE_COOKIES)
  bool trust_proxy = false;     // trust_proxy: believe a reverse proxy's forwarding headers
  unsigned login_attempts = 5;  // login_attempts: failures per user name, and per address, ...
  unsigned login_window_minutes =
      15;  // login_window_minutes: ... within this time, before logins are refused
  std::string password_cost = "interactive";  // password_cost: interactive, moderate or minimum
                                              // (SPEGLA_PASSWORD_COST)
  // [plugins]
  std::string plugins_dir;  // dir: where loadable plugins are looked for; empty: none
};

// Reads `file` (none when empty) and then `env` (the process's environment, or a test's) over it.
// Every problem goes into `problems` (which may be null when the caller does not care); the result holds
// the values that were good.
ServerConfig LoadServerConfig(const std::string& file, const std::map<std::string, std::string>& env,
                              std::vector<std::string>* problems);

// The SPEGLA_* variables of this process's environment, for LoadServerConfig.
std::map<std::string, std::string> SpeglaEnvironment();

// The transport's options the configuration sets (access_log is left empty: see OpenAccessLog).
HttpServerOptions ToHttpServerOptions(const ServerConfig& config);

// The access log `setting` names (ServerConfig::access_log) as a sink writing FormatAccessLogLine lines,
// thread-safe; empty when the log is off. An unopenable file is a problem (and an empty sink).
std::function<void(const AccessLogEntry&)> OpenAccessLog(const std::string& setting, std::string* problem);

}  // namespace spegla::server
