#include "server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace spegla::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

// A file in the test's temporary directory holding `text`.
std::string WriteFile(const std::string& name, const std::string& text) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "spegla_server_config_test";
  std::filesystem::create_directories(dir);
  std::filesystem::path path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(ServerConfigTest, HasTheDefaultsWithoutFileOrEnvironment) {
  std::vector<std::string> problems;
  ServerConfig config = LoadServerConfig("", {}, &problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.address, "127.0.0.1");
  EXPECT_EQ(config.port, 8080);
  EXPECT_EQ(config.threads, 0u);
  EXPECT_EQ(config.db, "data/spegla.db");
  EXPECT_EQ(config.body_limit_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(config.read_timeout_seconds, 30u);
  EXPECT_EQ(config.idle_timeout_seconds, 120u);
  EXPECT_EQ(config.access_log, "-");
  EXPECT_EQ(config.session_hours, 12u);
  EXPECT_FALSE(config.secure_cookies);
  EXPECT_FALSE(config.trust_proxy);
  EXPECT_EQ(config.login_attempts, 5u);
  EXPECT_EQ(config.login_window_minutes, 15u);
  EXPECT_EQ(config.password_cost, "interactive");
  EXPECT_EQ(config.plugins_dir, "");
}

TEST(ServerConfigTest, ReadsEveryKeyFromTheFile) {
  std::string file = WriteFile("all.ini", R"(; every key
[server]
address = 0.0.0.0
port = 9090
threads = 3
body_limit = 2M
read_timeout = 5
idle_timeout = 60

[database]
path = /var/lib/spegla/spegla.db

[log]
access = /var/log/spegla/access.log

[security]
session_hours = 8
secure_cookies = true
trust_proxy = yes
login_attempts = 10
login_window_minutes = 30
password_cost = moderate

[plugins]
dir = /usr/lib/spegla/plugins
)");
  std::vector<std::string> problems;
  ServerConfig config = LoadServerConfig(file, {}, &problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.address, "0.0.0.0");
  EXPECT_EQ(config.port, 9090);
  EXPECT_EQ(config.threads, 3u);
  EXPECT_EQ(config.body_limit_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(config.read_timeout_seconds, 5u);
  EXPECT_EQ(config.idle_timeout_seconds, 60u);
  EXPECT_EQ(config.db, "/var/lib/spegla/spegla.db");
  EXPECT_EQ(config.access_log, "/var/log/spegla/access.log");
  EXPECT_EQ(config.session_hours, 8u);
  EXPECT_TRUE(config.secure_cookies);
  EXPECT_TRUE(config.trust_proxy);
  EXPECT_EQ(config.login_attempts, 10u);
  EXPECT_EQ(config.login_window_minutes, 30u);
  EXPECT_EQ(config.password_cost, "moderate");
  EXPECT_EQ(config.plugins_dir, "/usr/lib/spegla/plugins");

  HttpServerOptions options = ToHttpServerOptions(config);
  EXPECT_EQ(options.address, "0.0.0.0");
  EXPECT_EQ(options.port, 9090);
  EXPECT_EQ(options.threads, 3u);
  EXPECT_EQ(options.body_limit, 2u * 1024 * 1024);
  EXPECT_EQ(options.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(options.idle_timeout, std::chrono::seconds(60));
}

TEST(ServerConfigTest, TheExampleFileIsValidAndHoldsTheDefaults) {
  std::vector<std::string> problems;
  ServerConfig config = LoadServerConfig(SPEGLA_SOURCE_DIR "/etc/spegla.ini", {}, &problems);
  EXPECT_THAT(problems, IsEmpty());
  ServerConfig defaults;
  EXPECT_EQ(config.port, defaults.port);
  EXPECT_EQ(config.db, defaults.db);
}

TEST(ServerConfigTest, TheEnvironmentOverridesTheFile) {
  std::string file = WriteFile("env.ini", R"([server]
address = 0.0.0.0
port = 9000
threads = 2
idle_timeout = 10
[database]
path = from-file.db
[security]
session_hours = 3
password_cost = moderate
)");
  std::map<std::string, std::string> env = {
      {"SPEGLA_ADDRESS", "::1"},
      {"SPEGLA_PORT", "9100"},
      {"SPEGLA_THREADS", "6"},
      {"SPEGLA_DB", "from-env.db"},
      {"SPEGLA_ACCESS_LOG", "off"},
      {"SPEGLA_SESSION_HOURS", "24"},
      {"SPEGLA_SECURE_COOKIES", "on"},
      {"SPEGLA_PASSWORD_COST", "minimum"},
      {"SPEGLA_SOMETHING_ELSE", "ignored"},
  };
  std::vector<std::string> problems;
  ServerConfig config = LoadServerConfig(file, env, &problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.address, "::1");
  EXPECT_EQ(config.port, 9100);
  EXPECT_EQ(config.threads, 6u);
  EXPECT_EQ(config.db, "from-env.db");
  EXPECT_EQ(config.access_log, "off");
  EXPECT_EQ(config.session_hours, 24u);
  EXPECT_TRUE(config.secure_cookies);
  EXPECT_EQ(config.password_cost, "minimum");
  EXPECT_EQ(config.idle_timeout_seconds, 10u);  // the file's, with no variable over it

  // Without a file, the environment still applies; an empty access log turns it off.
  config = LoadServerConfig("", {{"SPEGLA_ACCESS_LOG", ""}, {"SPEGLA_PORT", "0"}}, &problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.access_log, "");
  EXPECT_EQ(config.port, 0);
}

TEST(ServerConfigTest, ReportsEveryProblemAtOnce) {
  std::string file = WriteFile("bad.ini",
                               "[server]\n"                 // 1
                               "port = 70000\n"             // 2
                               "prot = 80\n"                // 3
                               "threads = many\n"           // 4
                               "this line has no equals\n"  // 5
                               "body_limit = 12X\n"         // 6
                               "[security\n"                // 7
                               "session_hours = 5\n"        // 8 (in the broken section: not reported)
                               "[security]\n"               // 9
                               "secure_cookies = maybe\n"   // 10
                               "password_cost = cheap\n"    // 11
                               "session_hours = 0\n"        // 12
                               "session_hours = 2\n"        // 13
                               "[nonsense]\n"               // 14
                               "a = b\n");                  // 15
  std::map<std::string, std::string> env = {{"SPEGLA_THREADS", "lots"}, {"SPEGLA_SECURE_COOKIES", "perhaps"}};
  std::vector<std::string> problems;
  ServerConfig config = LoadServerConfig(file, env, &problems);
  EXPECT_THAT(
      problems,
      ElementsAre(file + ":5: '=' character not found in line",  //
                  file + ":7: unmatched '['",                    //
                  file + ":13: duplicate key name",              //
                  file + ":2: [server] port: 70000 is out of range (0-65535)",
                  file + ":3: [server] prot: unknown key",
                  file + ":4: [server] threads: \"many\" is not a whole number",
                  file + ":6: [server] body_limit: \"12X\" is not a size (bytes, or a number with K, M or G)",
                  file + ":10: [security] secure_cookies: \"maybe\" is not true or false",
                  file + ":11: [security] password_cost: \"cheap\" is not interactive, moderate or minimum",
                  file + ":12: [security] session_hours: 0 is out of range (1-8760)",
                  file + ":14: [nonsense]: unknown section", "SPEGLA_THREADS: \"lots\" is not a whole number",
                  "SPEGLA_SECURE_COOKIES: \"perhaps\" is not true or false"));
  // What was wrong keeps its default.
  EXPECT_EQ(config.port, 8080);
  EXPECT_EQ(config.threads, 0u);
  EXPECT_FALSE(config.secure_cookies);
}

TEST(ServerConfigTest, ReportsAFileThatCannotBeRead) {
  std::vector<std::string> problems;
  LoadServerConfig("/nonexistent/spegla.ini", {{"SPEGLA_PORT", "-1"}}, &problems);
  EXPECT_THAT(problems, ElementsAre(StartsWith("/nonexistent/spegla.ini: cannot read ("),
                                    "SPEGLA_PORT: \"-1\" is not a whole number"));
  LoadServerConfig("/nonexistent/spegla.ini", {}, nullptr);  // problems may be ignored
}

TEST(ServerConfigTest, ReportsAKeyOutsideAnySection) {
  std::string file = WriteFile("outside.ini", "port = 1\n[server]\nport = 2\n");
  std::vector<std::string> problems;
  ServerConfig config = LoadServerConfig(file, {}, &problems);
  EXPECT_THAT(problems, ElementsAre(file + ":1: port: unknown key outside any section"));
  EXPECT_EQ(config.port, 2);
}

TEST(ServerConfigTest, OpensTheAccessLog) {
  std::string problem;
  EXPECT_FALSE(OpenAccessLog("off", &problem));
  EXPECT_FALSE(OpenAccessLog("", &problem));
  EXPECT_TRUE(OpenAccessLog("-", &problem));
  EXPECT_EQ(problem, "");

  std::string path = WriteFile("access.log", "earlier line\n");
  auto log = OpenAccessLog(path, &problem);
  ASSERT_TRUE(log);
  AccessLogEntry entry;
  entry.remote_address = "127.0.0.1";
  entry.method = "GET";
  entry.target = "/";
  entry.status = 200;
  log(entry);
  log = nullptr;  // closes the file
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "earlier line\n" + FormatAccessLogLine(entry) + "\n");

  EXPECT_FALSE(OpenAccessLog("/nonexistent/dir/access.log", &problem));
  EXPECT_THAT(problem, StartsWith("access log /nonexistent/dir/access.log: cannot open ("));
}

}  // namespace
}  // namespace spegla::server
