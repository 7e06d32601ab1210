// Calendar dates and ISO-8601 durations, as used in time rules ("P4W after the phase starts").
// Dates are civil days without time zone: school processes count days, not instants.
#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace spegla {

class Duration;

class Date {
 public:
  Date() = default;  // 1970-01-01
  explicit Date(std::chrono::sys_days days) : days_(days) {}
  static std::optional<Date> FromYmd(int year, unsigned month, unsigned day);

  // Parses "YYYY-MM-DD" exactly; nullopt for anything else or an impossible date.
  static std::optional<Date> Parse(std::string_view text);
  std::string ToString() const;  // "YYYY-MM-DD"

  std::chrono::sys_days days() const { return days_; }
  std::chrono::year_month_day ymd() const { return std::chrono::year_month_day{days_}; }

  // Calendar arithmetic: years and months first (clamping to the month's last day), then weeks and days.
  Date Plus(const Duration& d) const;
  Date Minus(const Duration& d) const;
  // Whole days from *this to other (negative when other is earlier).
  long DaysUntil(Date other) const { return (other.days_ - days_).count(); }

  auto operator<=>(const Date&) const = default;

 private:
  std::chrono::sys_days days_{};
};

// An ISO-8601 duration of whole calendar units: PnYnMnWnD (any subset, at least one). Time parts (T…)
// are rejected: no rule in a school process is finer than a day.
class Duration {
 public:
  Duration() = default;
  Duration(int years, int months, int weeks, int days)
      : years_(years), months_(months), weeks_(weeks), days_(days) {}

  // nullopt with *error set to a sentence saying what is wrong.
  static std::optional<Duration> Parse(std::string_view text, std::string* error = nullptr);
  std::string ToString() const;  // canonical ISO form, e.g. "P1Y2M3W4D", "P0D" for zero

  int years() const { return years_; }
  int months() const { return months_; }
  int weeks() const { return weeks_; }
  int days() const { return days_; }
  // Approximate length in days (a month as 30, a year as 365), for comparing min/max bounds only.
  long ApproximateDays() const { return years_ * 365L + months_ * 30L + weeks_ * 7L + days_; }

  bool operator==(const Duration&) const = default;

 private:
  int years_ = 0, months_ = 0, weeks_ = 0, days_ = 0;
};

// A point in time, seconds since the epoch (UTC). The audit log and "when" columns store these.
using Timestamp = std::chrono::sys_seconds;
std::string FormatTimestamp(Timestamp t);  // "YYYY-MM-DDTHH:MM:SSZ"
std::optional<Timestamp> ParseTimestamp(std::string_view text);
Date DateOf(Timestamp t);

}  // namespace spegla
