#include "cell_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace spegla::cell_text {
namespace {

struct CivilDay {
  std::int64_t year;
  unsigned month, day;
};

// Howard Hinnant's days_from_civil inverse (public domain), in 64-bit arithmetic so that any day within
// ±10^9 is exact.
CivilDay CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const auto day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

std::string FormatDay(std::int64_t days) {
  const CivilDay d = CivilFromDays(days);
  char text[40];
  const int n = std::snprintf(text, sizeof text, "%s%04lld-%02u-%02u", d.year < 0 ? "-" : "",
                              static_cast<long long>(std::llabs(d.year)), d.month, d.day);
  return std::string(text, static_cast<std::size_t>(n));
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::string Day(double days_since_epoch) {
  if (!(std::fabs(days_since_epoch) <= 1e9)) return "";  // also NaN
  return FormatDay(static_cast<std::int64_t>(std::floor(days_since_epoch)));
}

std::string Instant(double seconds_since_epoch) {
  if (!(std::fabs(seconds_since_epoch) <= 1e13)) return "";
  const auto seconds = static_cast<std::int64_t>(std::floor(seconds_since_epoch));
  const std::int64_t days = FloorDiv(seconds, 86400);
  const std::int64_t in_day = seconds - days * 86400;
  char time[16];
  const int n = std::snprintf(time, sizeof time, " %02d:%02d", static_cast<int>(in_day / 3600),
                              static_cast<int>(in_day % 3600 / 60));
  return FormatDay(days) + std::string(time, static_cast<std::size_t>(n));
}

std::string Number(double value, char decimal_point) {
  if (!std::isfinite(value)) return "";
  if (value == 0) return "0";
  if (std::fabs(value) < 1e15 && value == std::trunc(value)) {
    char text[24];
    auto [end, ec] = std::to_chars(text, text + sizeof text, static_cast<std::int64_t>(value));
    return std::string(text, end);
  }
  // 15 significant digits, "d.dddddddddddddde±X", then moved into plain notation.
  char scientific[40];
  std::snprintf(scientific, sizeof scientific, "%.14e", std::fabs(value));
  std::string digits;
  const char* p = scientific;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits += *p;
  }
  const int exponent = std::atoi(p + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int point = exponent + 1;  // digits before the decimal point
  const int count = static_cast<int>(digits.size());
  std::string out = value < 0 ? "-" : "";
  if (point <= 0) {
    out += '0';
    out += decimal_point;
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (point >= count) {
    out += digits;
    out.append(static_cast<std::size_t>(point - count), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(point));
    out += decimal_point;
    out.append(digits, static_cast<std::size_t>(point));
  }
  return out;
}

}  // namespace spegla::cell_text
