#include "spegla/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

namespace spegla {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// The directory a path lives in ("." for a bare name).
fs::path DirectoryOf(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// The pid in a temporary's name after ".tmp-": "<pid>", "<pid>-<tag>", each optionally with an SQLite
// suffix; 0 when `rest` is not of that form.
pid_t PidOf(std::string_view rest) {
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return 0;
  pid_t pid = 0;
  std::from_chars(rest.data(), rest.data() + digits, pid);
  rest.remove_prefix(digits);
  if (!rest.empty() && rest[0] != '-') return 0;
  return pid;
}

bool Running(pid_t pid) { return pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH; }

}  // namespace

fs::path TemporaryBeside(const fs::path& target, std::string_view tag) {
  std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid());
  if (!tag.empty()) name += "-" + std::string(tag);
  return target.parent_path() / name;
}

int RemoveStaleTemporaries(const fs::path& target) {
  const std::string prefix = "." + target.filename().string() + ".tmp-";
  int removed = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(DirectoryOf(target), ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const pid_t pid = PidOf(std::string_view(name).substr(prefix.size()));
    if (pid <= 0 || Running(pid)) continue;
    std::error_code ignored;
    if (fs::remove(it->path(), ignored)) ++removed;
  }
  return removed;
}

std::string SyncFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open " + path.string());
  std::string error;
  if (::fsync(fd) != 0) error = Errno("cannot flush " + path.string());
  ::close(fd);
  return error;
}

std::string CommitTemporary(const fs::path& temporary, const fs::path& target) {
  std::error_code ec;
  std::string error = SyncFile(temporary);
  if (error.empty()) {
    fs::rename(temporary, target, ec);
    if (ec) error = "cannot write " + target.string() + ": " + ec.message();
  }
  if (!error.empty()) {
    fs::remove(temporary, ec);
    return error;
  }
  // The rename is an entry of the directory: flushed with it. (A failure here leaves the file complete.)
  const int fd = ::open(DirectoryOf(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  return {};
}

std::string WriteWholeFile(const fs::path& target, std::string_view bytes) {
  RemoveStaleTemporaries(target);  // left by an earlier write of the same file that was killed
  fs::path temporary = TemporaryBeside(target);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return "cannot write " + target.string();
    }
  }
  // Flushed to the disk before it is renamed: not even a power cut leaves a half-written file.
  return CommitTemporary(temporary, target);
}

}  // namespace spegla
