// A child process of a test, such as `spegla serve` or `spegla export`: started without a shell in a
// working directory of the test's, its standard output read through a pipe (to find "listening on ...") and
// its standard error kept in a file. Tests stop it with a signal, or kill it with SIGKILL to see what a
// crash leaves behind; a child still running when the object goes is killed.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

extern char** environ;

namespace spegla::test {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] a path) in `cwd` with the test's environment without its SPEGLA_* variables,
  // plus `env`. Standard error goes to `err_file` (relative to `cwd` when relative).
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
               const std::map<std::string, std::string>& env, const std::filesystem::path& err_file)
      : err_file_(err_file.is_absolute() ? err_file : cwd / err_file) {
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      if (entry.rfind("SPEGLA_", 0) != 0) env_text.push_back(entry);
    }
    for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
    std::vector<std::string> argv_text = argv;
    std::vector<char*> args, envp;
    for (std::string& a : argv_text) args.push_back(a.data());
    args.push_back(nullptr);
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    out_fd_ = pipe_fds[0];
  }

  ~ChildProcess() {
    if (pid_ > 0 && !exited_) Kill();
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Reads standard output until `pattern` matches it, the output ends or `timeout` passes (bounded
  // polling for a process to come up); returns the match (empty when none).
  std::smatch WaitForOutput(const std::regex& pattern, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::smatch match;
    while (!std::regex_search(out_, match, pattern)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || out_fd_ < 0) break;
      pollfd fd{out_fd_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      const ssize_t n = ::read(out_fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      out_.append(buffer, static_cast<size_t>(n));
    }
    std::regex_search(out_, match, pattern);
    return match;
  }

  // Sends SIGKILL (a crash: no handler runs, nothing is flushed) and waits for the end.
  void Kill() {
    if (pid_ <= 0 || exited_) return;
    ::kill(pid_, SIGKILL);
    Wait();
  }

  // Sends `signal` and waits; returns the exit code (-1 when ended by a signal).
  int Stop(int signal) {
    if (pid_ > 0 && !exited_) ::kill(pid_, signal);
    return Wait();
  }

  // Reads standard output to its end, then waits for the process; returns the exit code, -1 when a signal
  // ended it.
  int Wait() {
    if (pid_ <= 0) return -1;
    if (exited_) return status_;
    char buffer[4096];
    for (ssize_t n; out_fd_ >= 0 && ((n = ::read(out_fd_, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR));) {
      if (n > 0) out_.append(buffer, static_cast<size_t>(n));
    }
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    exited_ = true;
    signalled_ = WIFSIGNALED(raw);
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return status_;
  }

  // Whether the process has ended by itself, without waiting for it (it is then reaped: Wait returns at once).
  bool Exited() {
    if (pid_ <= 0 || exited_) return true;
    int raw = 0;
    if (::waitpid(pid_, &raw, WNOHANG) != pid_) return false;
    char buffer[4096];
    for (ssize_t n; out_fd_ >= 0 && (n = ::read(out_fd_, buffer, sizeof buffer)) > 0;) out_.append(buffer, static_cast<size_t>(n));
    exited_ = true;
    signalled_ = WIFSIGNALED(raw);
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return true;
  }

  bool signalled() const { return signalled_; }
  const std::string& out() const { return out_; }
  std::string err() const {
    std::ifstream in(err_file_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool exited_ = false;
  bool signalled_ = false;
  int status_ = -1;
  std::string out_;
  std::filesystem::path err_file_;
};

#if defined(SPEGLA_BINARY) && defined(SPEGLA_SOURCE_DIR)
// `spegla ARGS` as a child: the bundled workflows and templates of the source tree, the cheapest password
// hashing, no access log; plus `env`.
class SpeglaProcess : public ChildProcess {
 public:
  SpeglaProcess(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                std::map<std::string, std::string> env = {}, const std::string& err_name = "stderr.txt")
      : ChildProcess(Argv(args), cwd, Env(std::move(env)), err_name) {}

 private:
  static std::vector<std::string> Argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {SPEGLA_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  static std::map<std::string, std::string> Env(std::map<std::string, std::string> env) {
    env.emplace("SPEGLA_SHARE_DIR", SPEGLA_SOURCE_DIR);
    env.emplace("SPEGLA_PASSWORD_COST", "minimum");
    env.emplace("SPEGLA_ACCESS_LOG", "off");
    return env;
  }
};

// What a `spegla` run left once it ended: its exit status and output.
struct SpeglaRun {
  int status = -1;
  std::string out, err;
};

// Runs `spegla ARGS` in `cwd` (as SpeglaProcess does) to its end.
inline SpeglaRun RunSpegla(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  SpeglaProcess process(args, cwd, {}, "stderr.txt");
  SpeglaRun ran;
  ran.status = process.Wait();
  ran.out = process.out();
  ran.err = process.err();
  return ran;
}

// The port in `spegla serve`'s "listening on http://127.0.0.1:PORT/" (0 when it never said so).
inline std::uint16_t ListeningPort(ChildProcess& server, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:([0-9]+)/)");
  std::smatch match = server.WaitForOutput(kListening, timeout);
  return match.empty() ? 0 : static_cast<std::uint16_t>(std::stoi(match[1].str()));
}
#endif

}  // namespace spegla::test
