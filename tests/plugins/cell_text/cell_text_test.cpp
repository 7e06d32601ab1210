// Cells as text for the export plugins (plugins/cell_text/cell_text.h): ISO days and instants, plain numbers.
#include "cell_text.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

namespace spegla::cell_text {
namespace {

using namespace std::chrono_literals;

double DaysOf(std::chrono::year_month_day day) {
  return static_cast<double>(std::chrono::sys_days{day}.time_since_epoch().count());
}

TEST(CellText, DaysAreIsoDates) {
  EXPECT_EQ(Day(0), "1970-01-01");
  EXPECT_EQ(Day(DaysOf(2026y / 11 / 23)), "2026-11-23");
  EXPECT_EQ(Day(DaysOf(2024y / 2 / 29)), "2024-02-29");
  EXPECT_EQ(Day(-1), "1969-12-31");
  EXPECT_EQ(Day(DaysOf(1899y / 12 / 30)), "1899-12-30");
  EXPECT_EQ(Day(DaysOf(999y / 1 / 1)), "0999-01-01");
  EXPECT_EQ(Day(DaysOf(9999y / 12 / 31)), "9999-12-31");
  EXPECT_EQ(Day(DaysOf(-1y / 3 / 1)), "-0001-03-01");
  EXPECT_EQ(Day(std::nan("")), "");
  EXPECT_EQ(Day(1e12), "");
}

TEST(CellText, InstantsAreUtcToTheMinute) {
  EXPECT_EQ(Instant(0), "1970-01-01 00:00");
  EXPECT_EQ(Instant(DaysOf(2026y / 11 / 23) * 86400 + 8 * 3600 + 30 * 60 + 59), "2026-11-23 08:30");
  EXPECT_EQ(Instant(-1), "1969-12-31 23:59");
  EXPECT_EQ(Instant(-86400), "1969-12-31 00:00");
  EXPECT_EQ(Instant(std::numeric_limits<double>::infinity()), "");
}

TEST(CellText, NumbersArePlainDecimalsWithoutExponentNoise) {
  EXPECT_EQ(Number(0), "0");
  EXPECT_EQ(Number(-0.0), "0");
  EXPECT_EQ(Number(42), "42");
  EXPECT_EQ(Number(-5), "-5");
  EXPECT_EQ(Number(999999999999999), "999999999999999");
  EXPECT_EQ(Number(1e20), "100000000000000000000");
  EXPECT_EQ(Number(123456789012345678.0), "123456789012346000");  // 15 significant digits
  EXPECT_EQ(Number(0.1 + 0.2), "0.3");
  EXPECT_EQ(Number(2.5), "2.5");
  EXPECT_EQ(Number(-1234.5678), "-1234.5678");
  EXPECT_EQ(Number(1.0 / 3), "0.333333333333333");
  EXPECT_EQ(Number(1e-7), "0.0000001");
  EXPECT_EQ(Number(-2.5e-10), "-0.00000000025");
  EXPECT_EQ(Number(1234567.25, ','), "1234567,25");
  EXPECT_EQ(Number(0.5, ','), "0,5");
  EXPECT_EQ(Number(7, ','), "7");
  EXPECT_EQ(Number(std::nan("")), "");
  EXPECT_EQ(Number(-std::numeric_limits<double>::infinity()), "");
}

}  // namespace
}  // namespace spegla::cell_text
