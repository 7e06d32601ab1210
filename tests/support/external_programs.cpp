#include "external_programs.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace spegla::test {

int RunCommand(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ShellQuoted(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

::testing::AssertionResult ConvertWithLibreOffice(const std::filesystem::path& work_dir,
                                                  const std::vector<std::string>& files,
                                                  const std::string& format,
                                                  const std::filesystem::path& out_dir,
                                                  const std::string& infilter) {
  if (!std::filesystem::exists(kSoffice)) {
    return ::testing::AssertionFailure()
           << "LibreOffice (" << kSoffice << ") is needed: scripts/install-deps.sh "
           << "--with-tests installs libreoffice-writer-nogui and libreoffice-calc-nogui";
  }
  std::string command = "cd " + ShellQuoted(work_dir.string()) + " && " + kSoffice +
                        " -env:UserInstallation=file://" + (work_dir / "libreoffice-profile").string() +
                        " --headless";
  if (!infilter.empty()) command += " --infilter=" + ShellQuoted(infilter);
  command += " --convert-to " + ShellQuoted(format) + " --outdir " + ShellQuoted(out_dir.string());
  for (const std::string& file : files) command += " " + ShellQuoted(file);
  std::string out;
  if (RunCommand(command + " 2>&1", out) != 0) {
    return ::testing::AssertionFailure() << "LibreOffice failed:\n" << command << "\n" << out;
  }
  return ::testing::AssertionSuccess();
}

boost::json::value ReadTable(const std::string& path, std::string_view csv_separator) {
  std::string command = std::string(kPython) + " " + kTestTools + "/table_read.py " + ShellQuoted(path);
  if (!csv_separator.empty()) command += " " + ShellQuoted(csv_separator);
  std::string out, errors;
  const int status = RunCommand(command + " 2>/dev/null", out);
  if (status != 0) {
    RunCommand(command + " 2>&1 >/dev/null", errors);
    ADD_FAILURE() << "python cannot read " << path << " (tests/tools/table_read.py):\n" << errors;
    return nullptr;
  }
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(out, ec);
  if (ec) {
    ADD_FAILURE() << "table_read.py printed no JSON for " << path << ": " << ec.message() << "\n" << out;
    return nullptr;
  }
  return json;
}

}  // namespace spegla::test
