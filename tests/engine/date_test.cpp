// Dates, ISO-8601 durations and timestamps: parsing, formatting and calendar arithmetic.
#include "spegla/date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spegla/clock.h"

namespace spegla {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

Date D(std::string_view text) {
  std::optional<Date> d = Date::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

Duration P(std::string_view text) {
  std::string error;
  std::optional<Duration> d = Duration::Parse(text, &error);
  EXPECT_TRUE(d.has_value()) << text << ": " << error;
  return d.value_or(Duration{});
}

std::string DurationError(std::string_view text) {
  std::string error;
  std::optional<Duration> d = Duration::Parse(text, &error);
  EXPECT_FALSE(d.has_value()) << text << " parsed as " << (d ? d->ToString() : "");
  return error;
}

// ---- Date -----------------------------------------------------------------------------------------

TEST(DateTest, ParsesAndFormatsIsoDates) {
  std::optional<Date> d = Date::Parse("2026-03-01");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->ymd().year(), std::chrono::year{2026});
  EXPECT_EQ(d->ymd().month(), std::chrono::March);
  EXPECT_EQ(d->ymd().day(), std::chrono::day{1});
  EXPECT_EQ(d->ToString(), "2026-03-01");
  EXPECT_EQ(Date::FromYmd(999, 1, 5)->ToString(), "0999-01-05");
  EXPECT_EQ(Date().ToString(), "1970-01-01");
  EXPECT_EQ(Date::FromYmd(2026, 12, 31), D("2026-12-31"));
}

TEST(DateTest, LeapDaysExistOnlyInLeapYears) {
  EXPECT_TRUE(Date::Parse("2024-02-29").has_value());
  EXPECT_TRUE(Date::Parse("2000-02-29").has_value());   // divisible by 400
  EXPECT_FALSE(Date::Parse("1900-02-29").has_value());  // divisible by 100 only
  EXPECT_FALSE(Date::Parse("2025-02-29").has_value());
  EXPECT_FALSE(Date::FromYmd(2026, 2, 29).has_value());
}

TEST(DateTest, RejectsAnythingButExactIsoDates) {
  for (std::string_view bad :
       {"", "2026-3-01", "2026-03-1", "20260301", "2026/03/01", "2026-03-01x", " 2026-03-01", "2026-03-01 ",
        "2026-13-01", "2026-00-10", "2026-04-31", "2026-02-30", "2026-03-00", "abcd-ef-gh", "2026-0a-01",
        "+026-03-01", "-026-03-01", "01-03-2026"}) {
    EXPECT_FALSE(Date::Parse(bad).has_value()) << "'" << bad << "'";
  }
  EXPECT_FALSE(Date::FromYmd(2026, 13, 1).has_value());
  EXPECT_FALSE(Date::FromYmd(2026, 4, 31).has_value());
}

TEST(DateTest, ComparesAndCountsDays) {
  EXPECT_LT(D("2025-12-31"), D("2026-01-01"));
  EXPECT_EQ(D("2026-01-01").DaysUntil(D("2026-03-01")), 59);
  EXPECT_EQ(D("2024-01-01").DaysUntil(D("2024-03-01")), 60);
  EXPECT_EQ(D("2026-03-01").DaysUntil(D("2026-02-22")), -7);
  EXPECT_EQ(D("2026-03-01").DaysUntil(D("2026-03-01")), 0);
}

TEST(DateTest, PlusAddsWeeksAndDays) {
  EXPECT_EQ(D("2026-03-01").Plus(P("P1W")), D("2026-03-08"));
  EXPECT_EQ(D("2026-12-28").Plus(P("P1W")), D("2027-01-04"));
  EXPECT_EQ(D("2026-02-20").Plus(P("P2W3D")), D("2026-03-09"));
  EXPECT_EQ(D("2024-02-28").Plus(P("P1D")), D("2024-02-29"));
  EXPECT_EQ(D("2026-03-01").Plus(P("P0D")), D("2026-03-01"));
}

TEST(DateTest, PlusMonthsClampsToTheLastDayOfTheMonth) {
  EXPECT_EQ(D("2026-01-31").Plus(P("P1M")), D("2026-02-28"));
  EXPECT_EQ(D("2024-01-31").Plus(P("P1M")), D("2024-02-29"));
  EXPECT_EQ(D("2026-03-31").Plus(P("P1M")), D("2026-04-30"));
  EXPECT_EQ(D("2026-01-30").Plus(P("P1M")), D("2026-02-28"));
  EXPECT_EQ(D("2026-01-15").Plus(P("P1M")), D("2026-02-15"));
  EXPECT_EQ(D("2026-11-30").Plus(P("P3M")), D("2027-02-28"));
  EXPECT_EQ(D("2026-12-15").Plus(P("P1M")), D("2027-01-15"));
  EXPECT_EQ(D("2026-08-31").Plus(P("P18M")), D("2028-02-29"));
}

TEST(DateTest, PlusYearsFromALeapDay) {
  EXPECT_EQ(D("2024-02-29").Plus(P("P1Y")), D("2025-02-28"));
  EXPECT_EQ(D("2024-02-29").Plus(P("P4Y")), D("2028-02-29"));
  EXPECT_EQ(D("2026-05-10").Plus(P("P1Y")), D("2027-05-10"));
}

TEST(DateTest, MonthsAreAddedBeforeDays) {
  // Clamp 31 January to 28 February first, then add the day: 1 March, not 3 March.
  EXPECT_EQ(D("2026-01-31").Plus(P("P1M1D")), D("2026-03-01"));
  EXPECT_EQ(D("2026-01-31").Plus(P("P1M1W")), D("2026-03-07"));
  EXPECT_EQ(D("2023-01-31").Plus(P("P1Y1M")), D("2024-02-29"));
}

TEST(DateTest, MinusMirrorsPlus) {
  EXPECT_EQ(D("2026-03-31").Minus(P("P1M")), D("2026-02-28"));
  EXPECT_EQ(D("2024-03-31").Minus(P("P1M")), D("2024-02-29"));
  EXPECT_EQ(D("2027-01-04").Minus(P("P1W")), D("2026-12-28"));
  EXPECT_EQ(D("2025-02-28").Minus(P("P1Y")), D("2024-02-28"));
  EXPECT_EQ(D("2026-03-10").Minus(P("P1M2W")), D("2026-01-27"));
}

// ---- Duration -------------------------------------------------------------------------------------

TEST(DurationTest, ParsesEveryUnitAndCombination) {
  EXPECT_EQ(P("P4W"), Duration(0, 0, 4, 0));
  EXPECT_EQ(P("P1Y6M"), Duration(1, 6, 0, 0));
  EXPECT_EQ(P("P1Y2M3W4D"), Duration(1, 2, 3, 4));
  EXPECT_EQ(P("P10D"), Duration(0, 0, 0, 10));
  EXPECT_EQ(P("P0D"), Duration());
  EXPECT_EQ(P("P2M5D"), Duration(0, 2, 0, 5));
  Duration d = P("P1Y2M3W4D");
  EXPECT_EQ(d.years(), 1);
  EXPECT_EQ(d.months(), 2);
  EXPECT_EQ(d.weeks(), 3);
  EXPECT_EQ(d.days(), 4);
}

TEST(DurationTest, ParseErrorsSayWhatIsWrong) {
  EXPECT_THAT(DurationError(""), HasSubstr("starts with 'P'"));
  EXPECT_THAT(DurationError("4W"), HasSubstr("invalid duration '4W': an ISO-8601 duration starts with 'P'"));
  EXPECT_THAT(DurationError("p4w"), HasSubstr("starts with 'P'"));
  EXPECT_THAT(DurationError("P"), HasSubstr("invalid duration 'P': no amount given"));
  EXPECT_THAT(DurationError("P2H"), HasSubstr("unknown unit 'H'; use Y, M, W or D"));
  EXPECT_THAT(DurationError("PT1H"), HasSubstr("hours, minutes and seconds are not supported"));
  EXPECT_THAT(DurationError("P1DT2H"), HasSubstr("hours, minutes and seconds are not supported"));
  EXPECT_THAT(DurationError("P1M1Y"), HasSubstr("units must come in the order Y, M, W, D"));
  EXPECT_THAT(DurationError("P1W1W"), HasSubstr("each at most once"));
  EXPECT_THAT(DurationError("PW"), HasSubstr("expected a number at position 2"));
  EXPECT_THAT(DurationError("P2"), HasSubstr("number without a unit"));
  EXPECT_THAT(DurationError("P-1D"), HasSubstr("expected a number"));
  EXPECT_THAT(DurationError("P1.5W"), HasSubstr("unknown unit '.'"));
  EXPECT_THAT(DurationError("P9999999D"), HasSubstr("number too large"));
  EXPECT_THAT(DurationError("P4W "), HasSubstr("expected a number"));
  EXPECT_FALSE(Duration::Parse("P", nullptr).has_value());  // no error pointer is fine
}

TEST(DurationTest, ToStringIsCanonicalAndRoundTrips) {
  EXPECT_EQ(Duration(1, 2, 3, 4).ToString(), "P1Y2M3W4D");
  EXPECT_EQ(Duration(0, 0, 4, 0).ToString(), "P4W");
  EXPECT_EQ(Duration(0, 6, 0, 0).ToString(), "P6M");
  EXPECT_EQ(Duration().ToString(), "P0D");
  for (std::string_view text : {"P4W", "P1Y6M", "P1Y2M3W4D", "P10D", "P0D", "P3M1D"}) {
    EXPECT_EQ(P(text).ToString(), text);
    EXPECT_EQ(P(P(text).ToString()), P(text));
  }
  // "P0W" means the same as "P0D" and prints canonically.
  EXPECT_EQ(P("P0W").ToString(), "P0D");
}

TEST(DurationTest, ApproximateDaysOrdersMinAndMax) {
  EXPECT_EQ(P("P2W").ApproximateDays(), 14);
  EXPECT_EQ(P("P1M").ApproximateDays(), 30);
  EXPECT_EQ(P("P1Y1D").ApproximateDays(), 366);
  EXPECT_LT(P("P2W").ApproximateDays(), P("P6W").ApproximateDays());
}

// ---- timestamps and clocks ------------------------------------------------------------------------

TEST(TimestampTest, FormatsAndParsesUtc) {
  EXPECT_EQ(FormatTimestamp(Timestamp{}), "1970-01-01T00:00:00Z");
  Timestamp t = Timestamp{D("2026-03-01").days()} + 13h + 5min + 9s;
  EXPECT_EQ(FormatTimestamp(t), "2026-03-01T13:05:09Z");
  EXPECT_EQ(ParseTimestamp("2026-03-01T13:05:09Z"), t);
  EXPECT_EQ(ParseTimestamp(FormatTimestamp(t)), t);
  Timestamp late = Timestamp{D("2024-02-29").days()} + 23h + 59min + 59s;
  EXPECT_EQ(ParseTimestamp(FormatTimestamp(late)), late);
}

TEST(TimestampTest, RejectsMalformedTimestamps) {
  for (std::string_view bad :
       {"", "2026-03-01", "2026-03-01T13:05:09", "2026-03-01 13:05:09Z", "2026-03-01T13:05:09+01:00",
        "2026-03-01T24:00:00Z", "2026-03-01T12:60:00Z", "2026-02-30T12:00:00Z", "2026-03-01T1:05:09Z",
        "2026-03-01T13:05:09.5Z", "2026-03-01t13:05:09z"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(TimestampTest, DateOfTakesTheUtcDay) {
  Timestamp day = Timestamp{D("2026-03-01").days()};
  EXPECT_EQ(DateOf(day), D("2026-03-01"));
  EXPECT_EQ(DateOf(day + 23h + 59min + 59s), D("2026-03-01"));
  EXPECT_EQ(DateOf(day + 24h), D("2026-03-02"));
  EXPECT_EQ(DateOf(day - 1s), D("2026-02-28"));
  EXPECT_EQ(DateOf(Timestamp{} - 1s), D("1969-12-31"));
  EXPECT_EQ(FormatTimestamp(Timestamp{} - 1s), "1969-12-31T23:59:59Z");
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  Timestamp start = Timestamp{D("2026-03-01").days()} + 8h;
  ManualClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Today(), D("2026-03-01"));
  clock.Advance(16h);
  EXPECT_EQ(clock.Today(), D("2026-03-02"));
  EXPECT_EQ(FormatTimestamp(clock.Now()), "2026-03-02T00:00:00Z");
  clock.Set(Timestamp{D("2027-01-01").days()});
  EXPECT_EQ(clock.Today(), D("2027-01-01"));
}

TEST(ClockTest, SystemClockIsNearTheRealTimeAndWholeSeconds) {
  SystemClock clock;
  Timestamp now = clock.Now();
  auto real = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_LE(std::chrono::abs(real - now), 5s);
  EXPECT_TRUE(ParseTimestamp(FormatTimestamp(now)).has_value());
}

}  // namespace
}  // namespace spegla
