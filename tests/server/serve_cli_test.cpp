// `spegla serve` as a user runs it: the real binary on loopback (port 0), its first start on an empty
// database, configuration problems, and a clean stop on SIGTERM and SIGINT.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "../engine/engine_test_support.h"
#include "../support/http_client.h"
#include "gtest/gtest.h"

extern char** environ;

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The server as a child process: its standard output read through a pipe, its standard error kept in a file.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args, const fs::path& cwd,
                const std::map<std::string, std::string>& env) {
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      if (entry.rfind("SPEGLA_", 0) != 0) env_text.push_back(entry);
    }
    env_text.push_back("SPEGLA_SHARE_DIR=" SPEGLA_SOURCE_DIR);
    env_text.push_back("SPEGLA_PASSWORD_COST=minimum");
    for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
    std::vector<std::string> argv_text = {SPEGLA_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    EXPECT_EQ(::pipe(pipe_fds), 0);
    err_file_ = cwd / "server-stderr.txt";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    out_fd_ = pipe_fds[0];
  }

  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  // Reads standard output until `pattern` matches it (or the process ends, or 60 s pass); returns the match.
  std::smatch WaitForOutput(const std::regex& pattern) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::smatch match;
    while (!std::regex_search(out_, match, pattern)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd fd{out_fd_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      ssize_t n = ::read(out_fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      out_.append(buffer, static_cast<size_t>(n));
    }
    std::regex_search(out_, match, pattern);
    return match;
  }

  // Sends `signal` and waits for the exit; returns the exit code (-1 when killed by a signal).
  int Stop(int signal) {
    ::kill(pid_, signal);
    return Wait();
  }

  int Wait() {
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    exited_ = true;
    // The rest of standard output.
    char buffer[4096];
    for (ssize_t n; (n = ::read(out_fd_, buffer, sizeof buffer)) > 0;)
      out_.append(buffer, static_cast<size_t>(n));
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  }

  const std::string& out() const { return out_; }
  std::string err() const {
    std::ifstream in(err_file_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool exited_ = false;
  std::string out_;
  fs::path err_file_;
};

const std::regex kListening(R"(listening on http://127\.0\.0\.1:([0-9]+)/)");

std::uint16_t PortOf(const std::smatch& match) {
  return match.empty() ? 0 : static_cast<std::uint16_t>(std::stoi(match[1].str()));
}

TEST(ServeCliTest, FirstStartInstallsTheWorkflowsAndMakesTheAdminWhoCanLogIn) {
  ScratchDir dir("serve");
  ServerProcess server(
      {"serve", "--port", "0", "--db", "first.db"}, dir.path(),
      {{"SPEGLA_ADMIN_PASSWORD", "correct horse battery"}, {"SPEGLA_ACCESS_LOG", "access.log"}});
  const std::uint16_t port = PortOf(server.WaitForOutput(kListening));
  ASSERT_NE(port, 0) << server.out() << server.err();
  EXPECT_NE(server.out().find("Created the account admin with the password from SPEGLA_ADMIN_PASSWORD"),
            std::string::npos);

  HttpClient client(port);
  TestResponse login =
      client.Request("POST", "/api/session", R"({"username": "admin", "password": "correct horse battery"})",
                     {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 201) << login.body;
  TestResponse workflows = client.Request("GET", "/api/workflows");
  ASSERT_EQ(workflows.status, 200) << workflows.body;
  std::vector<std::string> ids;
  const json::value listed = json::parse(workflows.body);
  for (const json::value& w : listed.at("items").as_array()) {
    ids.emplace_back(w.at("id").as_string());
  }
  EXPECT_EQ(ids.size(), 5u) << workflows.body;
  EXPECT_NE(std::find(ids.begin(), ids.end(), "ku8-larande-besok"), ids.end());

  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.err();
  EXPECT_NE(server.out().find("Spegla stopped"), std::string::npos) << server.out();
  // The access log has both requests, with the user who made them.
  std::ifstream log(dir.path() / "access.log");
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("\"POST /api/session\" 201"), std::string::npos) << text;
  EXPECT_NE(text.find("admin"), std::string::npos) << text;
  EXPECT_NE(text.find("\"GET /api/workflows\" 200"), std::string::npos) << text;

  // A second start finds the database as it was: no second admin, no new password printed.
  ServerProcess again({"serve", "--port", "0", "--db", "first.db"}, dir.path(),
                      {{"SPEGLA_ACCESS_LOG", "off"}});
  const std::uint16_t second = PortOf(again.WaitForOutput(kListening));
  ASSERT_NE(second, 0) << again.err();
  EXPECT_EQ(again.out().find("Created the account"), std::string::npos);
  HttpClient other(second);
  EXPECT_EQ(
      other
          .Request("POST", "/api/session", R"({"username": "admin", "password": "correct horse battery"})",
                   {{"Content-Type", "application/json"}})
          .status,
      201);
  EXPECT_EQ(again.Stop(SIGINT), 0) << again.err();
}

TEST(ServeCliTest, WithoutAPasswordOneIsGeneratedAndPrintedOnce) {
  ScratchDir dir("serve");
  ServerProcess server({"serve", "--port", "0", "--db", "generated.db"}, dir.path(),
                       {{"SPEGLA_ACCESS_LOG", "off"}});
  std::smatch password = server.WaitForOutput(std::regex(R"(admin with the password ([A-Za-z0-9]{20})\n)"));
  ASSERT_FALSE(password.empty()) << server.out() << server.err();
  const std::string generated = password[1].str();
  const std::uint16_t port = PortOf(server.WaitForOutput(kListening));
  ASSERT_NE(port, 0);
  HttpClient client(port);
  EXPECT_EQ(client
                .Request("POST", "/api/session", R"({"username": "admin", "password": ")" + generated + "\"}",
                         {{"Content-Type", "application/json"}})
                .status,
            201);
  EXPECT_EQ(client
                .Request("POST", "/api/session", R"({"username": "admin", "password": "wrong password"})",
                         {{"Content-Type", "application/json"}})
                .status,
            401);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(ServeCliTest, EveryProblemOfTheConfigurationIsReportedAndNothingStarts) {
  ScratchDir dir("serve");
  std::ofstream(dir.path() / "bad.ini")
      << "[server]\nport = 70000\nprot = 1\n[security]\nsession_hours = many\n";
  ServerProcess server({"serve", "--config", "bad.ini", "--db", "never.db"}, dir.path(), {});
  EXPECT_EQ(server.Wait(), 2);
  const std::string err = server.err();
  EXPECT_NE(err.find("bad.ini:2"), std::string::npos) << err;
  EXPECT_NE(err.find("prot"), std::string::npos) << err;
  EXPECT_NE(err.find("session_hours"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir.path() / "never.db"));
}

TEST(ServeCliTest, ADatabaseTheDemoFilledFirstGetsItsAdminToo) {
  ScratchDir dir("serve");
  ServerProcess demo({"demo", "--db", "demo.db", "--instances", "3", "--no-documents"}, dir.path(), {});
  ASSERT_EQ(demo.Wait(), 0) << demo.err();
  ServerProcess server({"serve", "--port", "0", "--db", "demo.db"}, dir.path(),
                       {{"SPEGLA_ADMIN_PASSWORD", "demo admin password"}, {"SPEGLA_ACCESS_LOG", "off"}});
  const std::uint16_t port = PortOf(server.WaitForOutput(kListening));
  ASSERT_NE(port, 0) << server.err();
  HttpClient client(port);
  ASSERT_EQ(
      client
          .Request("POST", "/api/session", R"({"username": "admin", "password": "demo admin password"})",
                   {{"Content-Type", "application/json"}})
          .status,
      201);
  TestResponse instances = client.Request("GET", "/api/instances");
  ASSERT_EQ(instances.status, 200) << instances.body;
  EXPECT_GE(json::parse(instances.body).at("total").as_int64(), 3);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(ServeCliTest, AnAdminPasswordTooShortIsRefusedBeforeTheAccountIsMade) {
  ScratchDir dir("serve");
  ServerProcess server({"serve", "--port", "0", "--db", "short.db"}, dir.path(),
                       {{"SPEGLA_ADMIN_PASSWORD", "kort"}});
  EXPECT_EQ(server.Wait(), 1);
  EXPECT_NE(server.err().find("at least 10 characters"), std::string::npos) << server.err();
  // The next start with a good password makes the account.
  ServerProcess again({"serve", "--port", "0", "--db", "short.db"}, dir.path(),
                      {{"SPEGLA_ADMIN_PASSWORD", "a long enough one"}, {"SPEGLA_ACCESS_LOG", "off"}});
  ASSERT_NE(PortOf(again.WaitForOutput(kListening)), 0) << again.err();
  EXPECT_NE(again.out().find("Created the account admin"), std::string::npos);
  EXPECT_EQ(again.Stop(SIGTERM), 0);
}

TEST(ServeCliTest, ServesTheWebInterfaceAndNothingElseOfTheDisk) {
  ScratchDir dir("serve");
  ServerProcess server({"serve", "--port", "0", "--db", "web.db"}, dir.path(),
                       {{"SPEGLA_ADMIN_PASSWORD", "web admin password"}, {"SPEGLA_ACCESS_LOG", "off"}});
  const std::uint16_t port = PortOf(server.WaitForOutput(kListening));
  ASSERT_NE(port, 0) << server.err();
  HttpClient client(port);
  TestResponse page = client.Request("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<html lang=\"sv\">"), std::string::npos);
  EXPECT_NE(page.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.Header("x-frame-options"), "DENY");
  TestResponse script = client.Request("GET", "/js/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.Header("content-type"), "text/javascript; charset=utf-8");
  // A page of the app is index.html; a cached file is revalidated.
  EXPECT_EQ(client.Request("GET", "/processer/12").body, page.body);
  EXPECT_EQ(client.Request("GET", "/js/app.js", "", {{"If-None-Match", script.Header("etag")}}).status, 304);
  // Nothing outside web/, nothing hidden, no unknown types.
  for (const char* target : {"/%2e%2e/CMakeLists.txt", "/..%2f..%2fetc%2fpasswd", "/.git/config",
                             "/style.css%00.js", "/../workflows/ku8-larande-besok.xml"}) {
    TestResponse r = client.Request("GET", target);
    EXPECT_TRUE(r.status == 404 || r.status == 400 || r.body == page.body) << target << ": " << r.status;
    EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("urn:spegla:workflow"), std::string::npos) << target;
  }
  EXPECT_EQ(client.Request("POST", "/", "x").status, 405);
  // The API's answers are not pages: nosniff, no page policy.
  TestResponse health = client.Request("GET", "/api/health");
  EXPECT_EQ(health.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(health.Header("content-security-policy"), "");
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace spegla::test
