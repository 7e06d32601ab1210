// Running the real `spegla` binary for the plugins and render tests: arguments passed without a shell,
// stdout and stderr captured separately, and a share directory of the test's own (so that the default
// plugins directory is the test's too).
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace spegla::test {

struct Spawned {
  int status = -1;  // the exit code; -1 when the process did not exit normally
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `argv` (argv[0] a path) in the working directory `cwd`, with SPEGLA_SHARE_DIR=`share_dir`
// (created if missing; the captured output passes through files there).
inline Spawned RunProgram(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                          const std::filesystem::path& share_dir) {
  namespace fs = std::filesystem;
  fs::create_directories(share_dir);
  fs::path out_file = share_dir / "stdout.txt", err_file = share_dir / "stderr.txt";
  std::vector<std::string> env_text = {"SPEGLA_SHARE_DIR=" + share_dir.string()};
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("SPEGLA_SHARE_DIR=", 0) != 0) env_text.emplace_back(*e);
  }
  std::vector<std::string> argv_text = args;
  std::vector<char*> argv, envp;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  Spawned result;
  pid_t pid = 0;
  int failed = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) {
    result.err = "cannot run " + args[0];
    return result;
  }
  int raw = 0;
  while (waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.out = Slurp(out_file);
  result.err = Slurp(err_file);
  fs::remove(out_file);
  fs::remove(err_file);
  return result;
}

// Runs SPEGLA_BINARY with `args`, as RunProgram does.
inline Spawned RunSpegla(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::filesystem::path& share_dir) {
  std::vector<std::string> argv = {SPEGLA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, cwd, share_dir);
}

// The lines of `text`, without their newlines.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace spegla::test
