#include "demo/values.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "demo/text.h"
#include "spegla/utf8.h"

namespace spegla::cli::demo {

std::string TwoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// A term as Swedish schools write it, for the term `day` falls in: "HT 2026", "Ht-26", "ht 2026", ...
std::vector<std::string> TermSpellings(Date day) {
  const int year = static_cast<int>(day.ymd().year());
  const bool autumn = static_cast<unsigned>(day.ymd().month()) >= 7;
  const std::string upper = autumn ? "HT" : "VT", title = autumn ? "Ht" : "Vt", lower = autumn ? "ht" : "vt";
  const std::string full = std::to_string(year), yy = TwoDigits(year % 100);
  return {upper + " " + full, title + "-" + yy, lower + " " + full, upper + full,
          title + " " + full, upper + "-" + yy, upper + yy};
}

// The school year `day` falls in, which starts with the autumn term: "2026/27", "2026/2027", "2026-2027".
std::vector<std::string> SchoolYearSpellings(Date day) {
  const int year = static_cast<int>(day.ymd().year());
  const int start = static_cast<unsigned>(day.ymd().month()) >= 7 ? year : year - 1;
  const std::string first = std::to_string(start), second = std::to_string(start + 1);
  return {first + "/" + TwoDigits((start + 1) % 100), first + "/" + second, first + "-" + second,
          first + "–" + second};
}

// A time slot for a meeting or a lesson, "13.00–16.00", spelled the ways people write it.
std::vector<std::string> TimeSpellings(std::mt19937& rng) {
  static constexpr int kSlots[][4] = {{8, 20, 9, 40}, {9, 0, 11, 30},  {10, 15, 11, 45},
                                      {13, 0, 16, 0}, {14, 30, 16, 0}, {15, 0, 16, 30}};
  const int* slot = kSlots[std::uniform_int_distribution<size_t>(0, std::size(kSlots) - 1)(rng)];
  auto time = [&](int h, int m, char separator) { return TwoDigits(h) + separator + TwoDigits(m); };
  std::vector<std::string> out;
  for (char separator : {'.', ':'}) {
    for (std::string_view dash : {"–", "-", " – ", " - "}) {
      out.push_back(time(slot[0], slot[1], separator) + std::string(dash) +
                    time(slot[2], slot[3], separator));
    }
  }
  out.push_back(time(slot[0], slot[1], '.'));
  out.push_back(time(slot[0], slot[1], ':'));
  return out;
}

// A short text chosen from what the field's id and label say it is about; nullopt when they say nothing
// the generator knows.
std::optional<std::string> KeywordText(const Field& field, FillContext& ctx) {
  const std::string& k = Keywords(field);
  // "Tid" and "Tid och plats" are times of day; "Hur tiden frigörs" is not: the label decides.
  const std::string& label = SpacedWords(field.label);
  const bool names = !HasAny(k, {" utan namn "});  // "Vad, var och med vilka (utan namn)"
  if (HasAny(k, {" e post", "epost", "email", "mejl"})) return ctx.contact + "@" + ctx.mail_domain;
  if (names && HasAny(k, {"kontaktperson", " ansvarig"})) return DisplayNameOf(ctx, ctx.contact);
  if (names && HasAny(k, {" vem "})) return Chance(0.7, ctx.rng) ? PeopleNames(ctx, 1) : "Hela arbetslaget";
  if (names && HasAny(k, {"deltagare", "narvarande"})) return PeopleNames(ctx, Uniform(2, 4, ctx.rng));
  if (HasAny(k, {" enhet ", " skola ", " forskola "})) return ctx.unit;
  if (HasAny(k, {"arbetslag", "avdelning"})) return ctx.team.empty() ? "Arbetslag 4–6" : ctx.team;
  if (HasAny(k, {"arbetsgrupp"})) return std::string(Pick(kWorkingGroups, ctx.rng));
  if (HasAny(k, {" klass", "barngrupp", " elevgrupp"})) {
    if (ctx.preschool) return ctx.team.empty() ? "Avdelning Humlan" : ctx.team;
    return std::string(Pick(kClasses, ctx.rng));
  }
  if (HasAny(k, {"informera"})) return std::string(Pick(kInformTexts, ctx.rng));
  if (HasAny(k, {" termin "})) return TermSpellings(ctx.base).front();
  if (HasAny(k, {" lasar "})) return SchoolYearSpellings(ctx.base).front();
  if (HasAny(label, {" tid ", " tider ", " klockslag "})) {
    std::string time = TimeSpellings(ctx.rng).front();
    return HasAny(k, {" plats", " lokal"}) ? time + ", " + std::string(Pick(kPlaces, ctx.rng)) : time;
  }
  if (HasAny(k, {" hur ofta ", "frekvens"})) return std::string(Pick(kFrequencies, ctx.rng));
  if (HasAny(k, {"datum", " vecka", " veckor", " nar "})) return std::string(Pick(kWhenTexts, ctx.rng));
  if (HasAny(k, {"rubrik", " titel"})) return std::string(Pick(kHeadlines, ctx.rng));
  if (HasAny(k, {" plats", " lokal"})) return std::string(Pick(kPlaces, ctx.rng));
  if (names && HasAny(k, {"namn"})) return PeopleNames(ctx, 1);
  return std::nullopt;
}

// A value for a text field that passes its rules. Without a <pattern>, the keyword guess, else the
// definition's example, else a topic. With one, the first that matches among the guess, the formats school
// documents use for terms, school years, times, e-mail and dates, and the example; empty when none does
// (the engine then says what is missing).
std::string ShortText(const Field& field, FillContext& ctx) {
  std::optional<std::string> guess = KeywordText(field, ctx);
  if (!field.Find(Constraint::Kind::kPattern)) {
    if (!guess && !field.example.empty()) return field.example;
    return FitLength(guess ? *guess : std::string(Pick(kTopics, ctx.rng)), field, kTopics, ctx.rng);
  }
  std::vector<std::string> candidates;
  if (guess) candidates.push_back(*guess);
  const std::vector<std::vector<std::string>> families = {
      TermSpellings(ctx.base),
      SchoolYearSpellings(ctx.base),
      TimeSpellings(ctx.rng),
      {ctx.contact + "@" + ctx.mail_domain, ctx.base.ToString()}};
  for (const std::vector<std::string>& family : families) {
    candidates.insert(candidates.end(), family.begin(), family.end());
  }
  if (!field.example.empty()) candidates.push_back(field.example);
  for (const std::string& candidate : candidates) {
    if (CheckConstraints(field, Value{candidate}).empty()) return candidate;
  }
  return {};
}

std::string LongText(const Field& field, FillContext& ctx) {
  const std::string& k = Keywords(field);
  Bank bank = kGeneralSentences;
  int count = Uniform(1, 3, ctx.rng);
  if (HasAny(k, {"narvarande", "deltagare"}) && !HasAny(k, {" utan namn "})) {
    return FitLength(PeopleNames(ctx, Uniform(2, 4, ctx.rng)), field, kGeneralSentences, ctx.rng);
  }
  if (HasAny(k, {"problem"})) {
    bank = kProblemSentences;
  } else if (HasAny(k, {" var ar vi "})) {
    bank = kWhereAreWeSentences;
  } else if (HasAny(k, {" vart ska vi ", " mal ", " malet ", "syfte", "effekt"})) {
    bank = kGoalSentences;
  } else if (HasAny(k, {" hur gor vi ", "arbetssatt", "metod"})) {
    bank = kMethodSentences;
  } else if (HasAny(k, {" hur blev det ", "resultat"})) {
    bank = kResultSentences;
  } else if (field.id == "vad" || HasAny(k, {"atgard"})) {
    bank = kActions;
    count = 1;
  } else if (HasAny(k, {"omrade", " fokus"})) {
    std::string wish =
        "Vi vill särskilt fokusera på " + LowerFirst(std::string(Pick(kTopics, ctx.rng))) + ".";
    return FitLength(wish, field, kGeneralSentences, ctx.rng);
  } else if (HasAny(k, {"iakttagelse", "analys", "observation"})) {
    bank = kObservationSentences;
  } else if (HasAny(k, {"anteckning"})) {
    bank = kNoteSentences;
  } else if (HasAny(k, {"lardom", "tankar", " ta med ", "sammanfattning", "utvarder"})) {
    bank = kLessonSentences;
  }
  return FitLength(Sentences(bank, count, ctx.rng), field, kGeneralSentences, ctx.rng);
}

// Whole numbers inside the field's range: the occurrence for "number ..." in a repeating form, else the
// definition's example, else a plausible count. Numbers that a budget adds up are kept to a small share of
// the budget so that sums like "observer days <= 10" stay within their limit; a `minimal` value is the
// smallest sensible one, used when a budget refused the first.
double Number(const Field& field, std::optional<double> budget, bool minimal, int occurrence,
              std::mt19937& rng) {
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  std::optional<double> min = range ? range->min_number : std::nullopt;
  std::optional<double> max = range ? range->max_number : std::nullopt;
  double low = min ? std::ceil(*min) : 1;
  double high = max ? std::floor(*max) : low + 29;
  if (high < low) return min ? *min : *max;  // a range without a whole number in it
  if (minimal) return std::max(low, std::min(1.0, high));
  if (budget) {
    // About an eighth of the budget per value, in round figures: 1 day of 10, 7 000 kr of 58 000.
    const double share = *budget / 8;
    const double unit = share >= 1000 ? 100 : 1;
    high = std::max(low, std::min(high, std::floor(share / unit) * unit));
    if (unit == 1) return std::max(low, std::min(1.0, high));
    return std::max(
        low, unit * std::uniform_int_distribution<long long>(static_cast<long long>(std::ceil(low / unit)),
                                                             static_cast<long long>(high / unit))(rng));
  }
  if (occurrence > 0 && HasAny(Keywords(field), {" nummer ", " nr "}) && occurrence >= low &&
      occurrence <= high) {
    return occurrence;  // "the work period after central meeting number ..." of the n-th occurrence
  }
  if (!field.example.empty()) {
    char* end = nullptr;
    double example = std::strtod(field.example.c_str(), &end);
    if (end && *end == '\0' && example >= low && example <= high) return example;
  }
  high = std::min(high, low + 29);  // plausible counts, not anything up to the maximum
  if (HasAny(Keywords(field), {"antal"}) && std::max(low, 12.0) <= std::min(high, 28.0)) {
    low = std::max(low, 12.0);  // the number of children or pupils in a group
    high = std::min(high, 28.0);
  }
  return static_cast<double>(std::uniform_int_distribution<long long>(static_cast<long long>(low),
                                                                      static_cast<long long>(high))(rng));
}

// How many date fields (and date columns) come before `field` in the form: a form's dates follow each
// other in field order ("first visit day" before "last visit day" before "documentation meeting").
int DateIndex(const Form* form, const Field& field) {
  if (!form) return 0;
  int index = 0;
  for (const Field& f : form->fields) {
    if (&f == &field) return index;
    for (const Field& column : f.columns) {
      if (&column == &field) return index;
      if (column.type == FieldType::kDate) ++index;
    }
    if (f.type == FieldType::kDate) ++index;
  }
  return index;
}

// Dates follow the instance's timeline: from the step's day, a week per date field in the form, per row of
// a table and per occurrence (or the step's `every`), on a weekday, and inside the field's range. The steps
// of a walk move forward, so dates entered later are later.
Date DateValue(const Field& field, size_t row, FillContext& ctx) {
  long interval = ctx.step.repeat && ctx.step.repeat->every ? ctx.step.repeat->every->ApproximateDays() : 7;
  long days = 7 * (DateIndex(ctx.form, field) + static_cast<long>(row)) +
              interval * std::max(ctx.occurrence - 1, 0) + Uniform(0, 4, ctx.rng);
  Date date = AddDays(ctx.base, static_cast<int>(days));
  const std::chrono::weekday weekday{date.days()};
  if (weekday == std::chrono::Saturday) date = AddDays(date, 2);
  if (weekday == std::chrono::Sunday) date = AddDays(date, 1);
  if (const Constraint* range = field.Find(Constraint::Kind::kRange)) {
    if (range->min_date && date < *range->min_date) date = *range->min_date;
    if (range->max_date && date > *range->max_date) date = *range->max_date;
  }
  return date;
}

// The options that fit the unit: a förskola picks "Förskola", a school the school forms.
std::vector<size_t> FittingOptions(const Field& field, bool preschool) {
  std::vector<size_t> preschool_options, school_options;
  for (size_t i = 0; i < field.options.size(); ++i) {
    const std::string& words = SpacedWords(field.options[i].value + " " + field.options[i].label);
    const bool about_preschool = HasAny(words, {" forskola ", " forskolan "});
    (about_preschool ? preschool_options : school_options).push_back(i);
  }
  if (preschool_options.empty() || school_options.empty()) {
    preschool_options.insert(preschool_options.end(), school_options.begin(), school_options.end());
    std::sort(preschool_options.begin(), preschool_options.end());
    return preschool_options;
  }
  return preschool ? preschool_options : school_options;
}

std::vector<std::string> Choices(const Field& field, FillContext& ctx) {
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  int low = std::max(1, range && range->min_number ? static_cast<int>(std::ceil(*range->min_number)) : 1);
  int high = range && range->max_number ? static_cast<int>(std::floor(*range->max_number)) : low + 1;
  std::vector<size_t> candidates = FittingOptions(field, ctx.preschool);
  if (static_cast<int>(candidates.size()) < low) candidates = FittingOptions(field, !ctx.preschool);
  if (static_cast<int>(candidates.size()) < low) {
    candidates.resize(field.options.size());
    for (size_t i = 0; i < candidates.size(); ++i) candidates[i] = i;
  }
  high = std::min(high, static_cast<int>(candidates.size()));
  low = std::min(low, high);
  int count = Uniform(std::max(low, 0), std::max(low, high), ctx.rng);
  std::shuffle(candidates.begin(), candidates.end(), ctx.rng);
  candidates.resize(static_cast<size_t>(count));
  std::sort(candidates.begin(), candidates.end());  // in the order the form lists them
  std::vector<std::string> out;
  for (size_t i : candidates) out.push_back(field.options[i].value);
  return out;
}

std::string Person(const Field& field, size_t row, FillContext& ctx) {
  std::vector<std::string> people =
      field.person_role.empty() ? ctx.cast.usernames : ctx.cast.InRoles({field.person_role});
  if (people.empty()) return {};
  // Rows of a table name different people in turn, from where the first row started: one row per
  // observer, not the same one twice.
  if (row == 0 || ctx.first_person >= people.size()) {
    ctx.first_person = std::uniform_int_distribution<size_t>(0, people.size() - 1)(ctx.rng);
  }
  return people[(ctx.first_person + row) % people.size()];
}

// A table with a required person column from a role has a row per participant in that role ("one row per
// observer"), so rows name different people.
int PeopleRows(const Field& group, const FillContext& ctx) {
  for (const Field& column : group.columns) {
    if (column.type == FieldType::kPerson && column.required() && !column.person_role.empty()) {
      return std::max(1, static_cast<int>(ctx.cast.InRoles({column.person_role}).size()));
    }
  }
  return std::numeric_limits<int>::max();
}

// A plausible value for `field`. `path` is "form.field" (or "form.group.column" for a cell); `minimal` asks
// for the smallest sensible value, used when a budget refused the first one.
Value Generate(const Field& field, const std::string& path, size_t row, bool minimal, FillContext& ctx) {
  switch (field.type) {
    case FieldType::kText:
      return Value{ShortText(field, ctx)};
    case FieldType::kLongText:
      return Value{LongText(field, ctx)};
    case FieldType::kNumber: {
      auto budget = ctx.budgeted.find(path);
      return Value{Number(field, budget == ctx.budgeted.end() ? std::nullopt : std::optional(budget->second),
                          minimal, ctx.occurrence, ctx.rng)};
    }
    case FieldType::kDate:
      return Value{DateValue(field, row, ctx)};
    case FieldType::kYesNo:
      return Value{true};  // visible-if conditions mostly open on "ja"
    case FieldType::kChoice: {
      if (field.options.empty()) return Value{};
      return Value{field.options[Pick(FittingOptions(field, ctx.preschool), ctx.rng)].value};
    }
    case FieldType::kMultiChoice:
      return Value{Choices(field, ctx)};
    case FieldType::kPerson: {
      std::string who = Person(field, row, ctx);
      return who.empty() ? Value{} : Value{who};
    }
    case FieldType::kGroup: {
      const Constraint* range = field.Find(Constraint::Kind::kRange);
      int low = std::max(1, range && range->min_number ? static_cast<int>(std::ceil(*range->min_number)) : 1);
      int rows = minimal ? low : std::max(low, std::min(Uniform(1, 3, ctx.rng), PeopleRows(field, ctx)));
      if (range && range->max_number) rows = std::min(rows, static_cast<int>(std::floor(*range->max_number)));
      std::vector<Row> table;
      for (int r = 0; r < std::max(rows, 1); ++r) table.push_back(GenerateRow(field, path, r, minimal, ctx));
      return Value{std::move(table)};
    }
  }
  return Value{};
}

Row GenerateRow(const Field& group, const std::string& path, int row, bool minimal, FillContext& ctx) {
  Row cells;
  for (const Field& column : group.columns) {
    Value cell = Generate(column, path + "." + column.id, static_cast<size_t>(row), minimal, ctx);
    if (!cell.IsEmpty()) cells[column.id] = std::move(cell);
  }
  return cells;
}

}  // namespace spegla::cli::demo
