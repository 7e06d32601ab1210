#include "spegla/date.h"

#include <cstdio>

#include "spegla/clock.h"

namespace spegla {
namespace {

using namespace std::chrono;

bool ParseDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

year_month_day AddMonths(year_month_day ymd, int months) {
  year_month_day moved = (year_month{ymd.year(), ymd.month()} + std::chrono::months{months}) / ymd.day();
  if (!moved.ok()) moved = year_month_day_last{moved.year(), month_day_last{moved.month()}};
  return moved;
}

}  // namespace

std::optional<Date> Date::FromYmd(int y, unsigned m, unsigned d) {
  year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  return Date{sys_days{ymd}};
}

std::optional<Date> Date::Parse(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!ParseDigits(text, 0, 4, &y) || !ParseDigits(text, 5, 2, &m) || !ParseDigits(text, 8, 2, &d)) {
    return std::nullopt;
  }
  return FromYmd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string Date::ToString() const {
  year_month_day ymd{days_};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Date Date::Plus(const Duration& d) const {
  year_month_day ymd = AddMonths(year_month_day{days_}, d.years() * 12 + d.months());
  return Date{sys_days{ymd} + std::chrono::days{d.weeks() * 7 + d.days()}};
}

Date Date::Minus(const Duration& d) const {
  year_month_day ymd = AddMonths(year_month_day{days_}, -(d.years() * 12 + d.months()));
  return Date{sys_days{ymd} - std::chrono::days{d.weeks() * 7 + d.days()}};
}

std::optional<Duration> Duration::Parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Duration> {
    if (error) *error = "invalid duration '" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  if (text.empty() || text[0] != 'P') return fail("an ISO-8601 duration starts with 'P', e.g. P4W or P1Y6M");
  int values[4] = {0, 0, 0, 0};  // Y M W D
  const char units[4] = {'Y', 'M', 'W', 'D'};
  int next_unit = 0;
  bool any = false;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') return fail("hours, minutes and seconds are not supported; use days");
    size_t start = i;
    long value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > 100000) return fail("number too large");
      ++i;
    }
    if (i == start) return fail("expected a number at position " + std::to_string(i + 1));
    if (i == text.size()) return fail("number without a unit (Y, M, W or D)");
    int unit = -1;
    for (int u = 0; u < 4; ++u) {
      if (text[i] == units[u]) unit = u;
    }
    if (unit < 0) return fail(std::string("unknown unit '") + text[i] + "'; use Y, M, W or D");
    if (unit < next_unit) return fail("units must come in the order Y, M, W, D, each at most once");
    values[unit] = static_cast<int>(value);
    next_unit = unit + 1;
    any = true;
    ++i;
  }
  if (!any) return fail("no amount given");
  return Duration{values[0], values[1], values[2], values[3]};
}

std::string Duration::ToString() const {
  std::string out = "P";
  if (years_) out += std::to_string(years_) + "Y";
  if (months_) out += std::to_string(months_) + "M";
  if (weeks_) out += std::to_string(weeks_) + "W";
  if (days_ || out == "P") out += std::to_string(days_) + "D";
  return out;
}

std::string FormatTimestamp(Timestamp t) {
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  std::optional<Date> date = Date::Parse(text.substr(0, 10));
  int h, m, s;
  if (!date || !ParseDigits(text, 11, 2, &h) || !ParseDigits(text, 14, 2, &m) ||
      !ParseDigits(text, 17, 2, &s) || h > 23 || m > 59 || s > 59) {
    return std::nullopt;
  }
  return Timestamp{date->days()} + hours{h} + minutes{m} + seconds{s};
}

Date DateOf(Timestamp t) { return Date{floor<days>(t)}; }

Timestamp SystemClock::Now() const { return floor<seconds>(system_clock::now()); }

}  // namespace spegla
