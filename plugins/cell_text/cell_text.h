// Typed cells (table.h) as the text a person reads in a file of text, shared by the export plugins: ISO
// dates and date-times, and numbers without exponent noise. No locale is consulted.
// Threads: every function may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <string>

namespace spegla::cell_text {

// "2026-11-23" for a day counted from 1970-01-01 (proleptic Gregorian calendar; years before 1000 are
// padded to four digits, negative years get a '-'). "" when the day is not finite or beyond ±10^9 days.
std::string Day(double days_since_epoch);

// "2026-11-23 08:30" for seconds since 1970-01-01T00:00:00Z, in UTC; the seconds are dropped (rounded
// down to the minute). "" when not finite or beyond ±10^13 seconds.
std::string Instant(double seconds_since_epoch);

// A number in plain decimal notation: integers as integers ("42", "-7", "100000000000000000000"), others
// rounded to 15 significant digits without trailing zeros ("0.3" for 0.1 + 0.2, "0.0000001"), never an
// exponent; `decimal_point` separates the fraction ('.' or, for Swedish spreadsheets, ','). -0 is "0".
// "" for NaN and the infinities, which no spreadsheet number can hold.
std::string Number(double value, char decimal_point = '.');

}  // namespace spegla::cell_text
