// Running the programs we did not write that tests read Spegla's files with: Debian's python3 (with
// python-docx and openpyxl) and LibreOffice (headless), at absolute paths. scripts/install-deps.sh
// --with-tests installs them; a test that needs one fails, never skips, when it is missing.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace spegla::test {

inline constexpr const char* kPython = "/usr/bin/python3";
inline constexpr const char* kSoffice = "/usr/bin/soffice";
inline constexpr const char* kTestTools = SPEGLA_SOURCE_DIR "/tests/tools";

// Runs a shell command; returns its exit status and puts its standard output in `out`.
int RunCommand(const std::string& command, std::string& out);

// `text` in single quotes for the shell.
std::string ShellQuoted(std::string_view text);

// Converts `files` with LibreOffice into `out_dir`: `soffice --headless --convert-to FORMAT`, with
// --infilter=INFILTER when given, in one call (LibreOffice is slow to start) and with a private profile
// under `work_dir` (it must not share or lock the user's). Fails, with LibreOffice's output, when soffice
// is not installed or the conversion fails.
::testing::AssertionResult ConvertWithLibreOffice(const std::filesystem::path& work_dir,
                                                  const std::vector<std::string>& files,
                                                  const std::string& format,
                                                  const std::filesystem::path& out_dir,
                                                  const std::string& infilter = "");

// tests/tools/table_read.py's JSON for a workbook (openpyxl) or, with a separator, a CSV file (python's csv
// module). Records a failure and returns null when python cannot read the file.
boost::json::value ReadTable(const std::string& path, std::string_view csv_separator = "");

}  // namespace spegla::test
