// Helpers shared by the engine tests: value shorthands, assertions on Result, and a scratch directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/engine.h"

namespace spegla::test {

inline constexpr const char* kFlowFile = SPEGLA_SOURCE_DIR "/tests/fixtures/loader/test-flow.xml";
inline constexpr const char* kKu8File = SPEGLA_SOURCE_DIR "/workflows/ku8-larande-besok.xml";

inline Timestamp At(std::string_view date, std::chrono::seconds time = std::chrono::hours(8)) {
  return Timestamp{Date::Parse(date)->days()} + time;
}
inline Date D(std::string_view date) { return *Date::Parse(date); }
inline Value Text(std::string s) { return Value{std::move(s)}; }
inline Value Num(double d) { return Value{d}; }
inline Value Yes(bool b) { return Value{b}; }
inline Value Day(std::string_view date) { return Value{D(date)}; }
inline Actor U(std::string name) { return Actor::User(std::move(name)); }

template <typename T>
::testing::AssertionResult Succeeds(const Result<T>& result) {
  if (result.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << ToString(result.error().code) << ": " << result.error().Summary();
}

// The operation failed with `code` and its messages contain every one of `texts`.
template <typename T>
::testing::AssertionResult Fails(const Result<T>& result, ErrorCode code,
                                 std::vector<std::string> texts = {}) {
  if (result.ok()) return ::testing::AssertionFailure() << "it succeeded";
  std::string summary = result.error().Summary();
  if (result.error().code != code) {
    return ::testing::AssertionFailure()
           << "code " << ToString(result.error().code) << " instead of " << ToString(code) << ": " << summary;
  }
  for (const std::string& text : texts) {
    if (summary.find(text) == std::string::npos) {
      return ::testing::AssertionFailure() << "no '" << text << "' in: " << summary;
    }
  }
  return ::testing::AssertionSuccess();
}

// The value of a result that must succeed; a failure is recorded and a default returned.
template <typename T>
T Must(Result<T> result, std::string_view what = "") {
  if (!result.ok()) {
    ADD_FAILURE() << what << (what.empty() ? "" : ": ") << result.error().Summary();
    return T{};
  }
  return std::move(result).value();
}

// A fresh directory for the current test, removed when it goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "." +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace spegla::test
