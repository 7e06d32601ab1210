#include "spegla/expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

namespace spegla {
namespace {

using ::testing::StartsWith;

constexpr ExprType kNumber{ScalarType::kNumber, false};
constexpr ExprType kText{ScalarType::kText, false};
constexpr ExprType kBool{ScalarType::kBool, false};
constexpr ExprType kDate{ScalarType::kDate, false};
constexpr ExprType kDuration{ScalarType::kDuration, false};
constexpr ExprType kNumberList{ScalarType::kNumber, true};
constexpr ExprType kTextList{ScalarType::kText, true};
constexpr ExprType kDateList{ScalarType::kDate, true};

Date Ymd(std::string_view text) { return *Date::Parse(text); }

// Fields of two forms; a bare name means a field of "ansokan", as in a visible-if of that form.
class FakeScope : public ExprScope {
 public:
  FakeScope() {
    Add("ansokan.poang", kNumber);
    Add("ansokan.extra", kNumber);
    Add("ansokan.titel", kText);
    Add("ansokan.godkand", kBool);
    Add("ansokan.start", kDate);
    Add("ansokan.period", kDuration);
    Add("ansokan.budget.belopp", kNumberList);
    Add("ansokan.budget.post", kTextList);
    Add("ansokan.amnen", kTextList);
    Add("handledning.datum", kDateList);
  }

  std::optional<ResolvedReference> Resolve(std::string_view dotted, std::string* error) const override {
    std::string canonical(dotted);
    if (canonical.find('.') == std::string::npos) canonical = "ansokan." + canonical;
    if (auto it = fields_.find(canonical); it != fields_.end()) {
      return ResolvedReference{it->second, canonical};
    }
    std::string form = canonical.substr(0, canonical.find('.'));
    *error = form == "ansokan" || form == "handledning" ? "unknown field '" + std::string(dotted) + "'"
                                                        : "unknown form '" + form + "'";
    return std::nullopt;
  }

  bool HasRole(std::string_view role) const override { return role == "handledare" || role == "examinator"; }
  bool HasPhaseOrStep(std::string_view id) const override { return id == "kartlaggning" || id == "intervjuer"; }

 private:
  void Add(const std::string& name, ExprType type) { fields_[name] = type; }
  std::map<std::string, ExprType> fields_;
};

class FakeContext : public ExprContext {
 public:
  ExprValue ValueOf(std::string_view canonical) const override {
    auto it = values.find(std::string(canonical));
    return it == values.end() ? ExprValue::Empty() : it->second;
  }
  int AssignedCount(std::string_view role) const override {
    auto it = assigned.find(std::string(role));
    return it == assigned.end() ? 0 : it->second;
  }
  std::optional<Date> Started(std::string_view id) const override {
    auto it = started.find(std::string(id));
    return it == started.end() ? std::nullopt : std::optional<Date>(it->second);
  }
  Date Today() const override { return today; }

  std::map<std::string, ExprValue> values;
  std::map<std::string, int> assigned;
  std::map<std::string, Date> started;
  Date today = Ymd("2026-03-15");
};

std::string Describe(const std::vector<ExprError>& errors) {
  std::string out;
  for (const ExprError& error : errors) out += "\n  " + std::to_string(error.offset) + ": " + error.message;
  return out;
}

class ExpressionTest : public ::testing::Test {
 protected:
  ExpressionTest() {
    context_.values["ansokan.poang"] = ExprValue::Of(12.0);
    context_.values["ansokan.titel"] = ExprValue::Of(std::string("Smörgåsbord"));
    context_.values["ansokan.godkand"] = ExprValue::Of(true);
    context_.values["ansokan.start"] = ExprValue::Of(Ymd("2026-01-31"));
    context_.values["ansokan.period"] = ExprValue::Of(Duration(0, 1, 0, 0));
    context_.values["ansokan.budget.belopp"] = ExprValue::List({100.0, std::monostate{}, 250.5});
    context_.values["ansokan.budget.post"] = ExprValue::List({std::string("resa"), std::string("bok")});
    context_.values["ansokan.amnen"] = ExprValue::List({std::string("fysik"), std::string("kemi")});
    context_.values["handledning.datum"] =
        ExprValue::List({Ymd("2026-02-10"), std::monostate{}, Ymd("2026-01-05"), Ymd("2026-03-01")});
    context_.assigned["handledare"] = 2;
  }

  Expression Compile(std::string_view source) {
    auto result = Expression::Compile(source, scope_);
    if (auto* errors = std::get_if<std::vector<ExprError>>(&result)) {
      ADD_FAILURE() << "'" << source << "' failed to compile:" << Describe(*errors);
      return Expression();
    }
    return std::get<Expression>(std::move(result));
  }

  std::vector<ExprError> Errors(std::string_view source) {
    auto result = Expression::Compile(source, scope_);
    if (std::holds_alternative<Expression>(result)) {
      ADD_FAILURE() << "'" << source << "' compiled but should not";
      return {};
    }
    return std::get<std::vector<ExprError>>(std::move(result));
  }

  // The single error the source should produce.
  ExprError Error(std::string_view source) {
    std::vector<ExprError> errors = Errors(source);
    if (errors.size() != 1) {
      ADD_FAILURE() << "'" << source << "' gave " << errors.size() << " errors:" << Describe(errors);
      return errors.empty() ? ExprError{} : errors[0];
    }
    return errors[0];
  }

  ExprValue Eval(std::string_view source) { return Compile(source).Evaluate(context_); }

  double Number(std::string_view source) {
    ExprValue value = Eval(source);
    const double* number = std::get_if<double>(&value.scalar);
    if (!number || value.is_list) {
      ADD_FAILURE() << "'" << source << "' is not a number";
      return NAN;
    }
    return *number;
  }

  bool Bool(std::string_view source) {
    ExprValue value = Eval(source);
    const bool* result = std::get_if<bool>(&value.scalar);
    if (!result || value.is_list) {
      ADD_FAILURE() << "'" << source << "' is not yes/no";
      return false;
    }
    return *result;
  }

  template <typename T>
  T As(std::string_view source) {
    ExprValue value = Eval(source);
    const T* result = std::get_if<T>(&value.scalar);
    if (!result) {
      ADD_FAILURE() << "'" << source << "' has another type";
      return T{};
    }
    return *result;
  }

  bool IsEmpty(std::string_view source) {
    ExprValue value = Eval(source);
    return !value.is_list && value.IsEmpty();
  }

  FakeScope scope_;
  FakeContext context_;
};

TEST(ExprTypeTest, ToStringNamesScalarsAndLists) {
  EXPECT_EQ(kBool.ToString(), "yes/no");
  EXPECT_EQ(kNumber.ToString(), "number");
  EXPECT_EQ(kText.ToString(), "text");
  EXPECT_EQ(kDate.ToString(), "date");
  EXPECT_EQ(kDuration.ToString(), "duration");
  EXPECT_EQ(kNumberList.ToString(), "list of number");
  EXPECT_EQ((ExprType{ScalarType::kBool, true}).ToString(), "list of yes/no");
}

TEST(ExprValueTest, IsTrueOnlyForTrueScalar) {
  EXPECT_TRUE(ExprValue::Of(true).IsTrue());
  EXPECT_FALSE(ExprValue::Of(false).IsTrue());
  EXPECT_FALSE(ExprValue::Empty().IsTrue());
  EXPECT_FALSE(ExprValue::Of(1.0).IsTrue());
  EXPECT_FALSE(ExprValue::List({true}).IsTrue());
}

TEST_F(ExpressionTest, Arithmetic) {
  EXPECT_EQ(Number("1 + 2 * 3"), 7);
  EXPECT_EQ(Number("(1 + 2) * 3"), 9);
  EXPECT_EQ(Number("10 / 4"), 2.5);
  EXPECT_EQ(Number("7 - 2 - 1"), 4);
  EXPECT_EQ(Number("12 / 2 / 3"), 2);
  EXPECT_EQ(Number("-3 + 5"), 2);
  EXPECT_EQ(Number("- -2"), 2);
  EXPECT_EQ(Number("2 * -3"), -6);
  EXPECT_EQ(Number("0.5 + 0.25"), 0.75);
  EXPECT_EQ(Number("poang * 2 + ansokan.poang"), 36);
  EXPECT_EQ(Compile("1 + 2").type(), kNumber);
}

TEST_F(ExpressionTest, LogicPrecedence) {
  EXPECT_TRUE(Bool("true or false and false"));  // and binds tighter than or
  EXPECT_FALSE(Bool("(true or false) and false"));
  EXPECT_FALSE(Bool("not false and false"));  // not binds tighter than and
  EXPECT_TRUE(Bool("not 1 == 2"));            // ... but looser than a comparison
  EXPECT_TRUE(Bool("not not true"));
  EXPECT_TRUE(Bool("1 + 1 == 2 and 2 * 3 > 5"));
  EXPECT_TRUE(Bool("godkand and poang >= 10"));
  EXPECT_EQ(Compile("poang > 1").type(), kBool);
}

TEST_F(ExpressionTest, Comparisons) {
  EXPECT_TRUE(Bool("1 < 2"));
  EXPECT_FALSE(Bool("2 < 2"));
  EXPECT_TRUE(Bool("2 <= 2"));
  EXPECT_TRUE(Bool("3 > 2"));
  EXPECT_FALSE(Bool("1 >= 2"));
  EXPECT_TRUE(Bool("2 == 2.0"));
  EXPECT_TRUE(Bool("2 != 3"));
  EXPECT_TRUE(Bool("'abc' < 'abd'"));
  EXPECT_TRUE(Bool("'ja' == \"ja\""));
  EXPECT_TRUE(Bool("true == true"));
  EXPECT_TRUE(Bool("true != false"));
  EXPECT_TRUE(Bool("godkand == true"));
  EXPECT_TRUE(Bool("date('2026-01-01') < date('2026-01-02')"));
  EXPECT_TRUE(Bool("start == date('2026-01-31')"));
  // Durations order by approximate length (a month is 30 days) but are equal only when written alike.
  EXPECT_TRUE(Bool("duration('P1M') > duration('P4W')"));
  EXPECT_TRUE(Bool("duration('P4W') <= duration('P28D')"));
  EXPECT_TRUE(Bool("duration('P4W') >= duration('P28D')"));
  EXPECT_FALSE(Bool("duration('P4W') == duration('P28D')"));
  EXPECT_TRUE(Bool("period == duration('P1M')"));
}

TEST_F(ExpressionTest, TextLiteralsAndEscapes) {
  EXPECT_EQ(As<std::string>("'a' + \"b\""), "ab");
  EXPECT_EQ(As<std::string>(R"('it\'s')"), "it's");
  EXPECT_EQ(As<std::string>(R"("say \"hi\"")"), "say \"hi\"");
  EXPECT_EQ(As<std::string>(R"('back\\slash')"), "back\\slash");
  EXPECT_EQ(As<std::string>(R"("it's")"), "it's");
  EXPECT_EQ(As<std::string>("''"), "");
}

TEST_F(ExpressionTest, NonAsciiText) {
  EXPECT_EQ(As<std::string>("'Åsa ' + 'Öberg'"), "Åsa Öberg");
  EXPECT_EQ(Number("length('åäö')"), 3);  // code points, not the six bytes
  EXPECT_EQ(Number("length(titel)"), 11);
  EXPECT_TRUE(Bool("titel == 'Smörgåsbord'"));
  EXPECT_TRUE(Bool("contains(titel, 'gås')"));
  EXPECT_FALSE(Bool("contains(titel, 'gas')"));
}

TEST_F(ExpressionTest, ReferencesResolveThroughScope) {
  EXPECT_EQ(Number("poang"), 12);
  EXPECT_EQ(Number("ansokan.poang"), 12);
  EXPECT_EQ(Number("ansokan . poang"), 12);
  EXPECT_EQ(Number("\tansokan.\n poang\r\n"), 12);
  EXPECT_EQ(Compile("ansokan.budget.belopp").type(), kNumberList);
}

TEST_F(ExpressionTest, ReferencesListedOnceInOrderOfAppearance) {
  Expression e = Compile("length(ansokan.titel) + poang + ansokan.poang > count(handledning.datum)");
  EXPECT_EQ(e.references(),
            (std::vector<std::string>{"ansokan.titel", "ansokan.poang", "handledning.datum"}));
  EXPECT_TRUE(Compile("1 + assigned('handledare')").references().empty());
}

TEST_F(ExpressionTest, DateArithmeticClampsMonths) {
  EXPECT_EQ(As<Date>("date('2026-01-31') + duration('P1M')"), Ymd("2026-02-28"));
  EXPECT_EQ(As<Date>("date('2024-01-31') + duration('P1M')"), Ymd("2024-02-29"));
  EXPECT_EQ(As<Date>("date('2026-03-31') - duration('P1M')"), Ymd("2026-02-28"));
  EXPECT_EQ(As<Date>("start + period"), Ymd("2026-02-28"));
  EXPECT_EQ(As<Date>("duration('P1W') + date('2026-01-01')"), Ymd("2026-01-08"));
  EXPECT_EQ(As<Date>("date('2026-01-01') + duration('P1Y2M3D')"), Ymd("2027-03-04"));
  EXPECT_EQ(As<Date>("today() + duration('P1D')"), Ymd("2026-03-16"));
  EXPECT_EQ(As<Duration>("duration('P1M') + duration('P2W') + duration('P1M3D')"), Duration(0, 2, 2, 3));
  EXPECT_EQ(Number("date('2026-03-01') - date('2026-02-01')"), 28);
  EXPECT_EQ(Number("date('2026-02-01') - date('2026-03-01')"), -28);
  EXPECT_EQ(Number("days_between(date('2026-02-01'), date('2026-03-01'))"), 28);
  EXPECT_EQ(Number("days_between(today(), start)"), -43);
  EXPECT_TRUE(Bool("today() - start > 30"));
}

TEST_F(ExpressionTest, EmptyValues) {
  context_.values.erase("ansokan.poang");
  context_.values.erase("ansokan.godkand");
  context_.values.erase("ansokan.titel");
  EXPECT_TRUE(IsEmpty("poang + 1"));
  EXPECT_TRUE(IsEmpty("poang * 0"));
  EXPECT_TRUE(IsEmpty("-poang"));
  EXPECT_TRUE(IsEmpty("titel + 'x'"));
  EXPECT_FALSE(Bool("poang == 1"));
  EXPECT_TRUE(Bool("poang != 1"));
  EXPECT_FALSE(Bool("poang < 1"));
  EXPECT_FALSE(Bool("poang >= 1"));
  EXPECT_FALSE(Bool("poang <= poang"));
  EXPECT_TRUE(Bool("poang == extra"));  // both empty
  EXPECT_FALSE(Bool("poang != extra"));
  EXPECT_TRUE(Bool("not (poang > 1)"));
  EXPECT_TRUE(Bool("not godkand"));
  EXPECT_FALSE(Bool("godkand and true"));
  EXPECT_TRUE(Bool("godkand or true"));
  EXPECT_FALSE(Bool("godkand or false"));
  EXPECT_FALSE(Bool("filled(poang)"));
  EXPECT_TRUE(Bool("empty(poang)"));
  EXPECT_TRUE(Bool("filled(start)"));
  EXPECT_EQ(Number("length(titel)"), 0);
  EXPECT_FALSE(Bool("contains(titel, 'a')"));
  EXPECT_TRUE(IsEmpty("days_between(start, today()) + poang"));
  EXPECT_TRUE(IsEmpty("godkand"));
}

TEST_F(ExpressionTest, DivisionByZeroIsEmpty) {
  EXPECT_TRUE(IsEmpty("1 / 0"));
  EXPECT_TRUE(IsEmpty("poang / (poang - 12)"));
  EXPECT_FALSE(Bool("1 / 0 == 0"));
}

TEST_F(ExpressionTest, ListFunctions) {
  ExprValue column = Eval("ansokan.budget.belopp");
  ASSERT_TRUE(column.is_list);
  EXPECT_EQ(column.list.size(), 3u);
  EXPECT_EQ(Number("sum(ansokan.budget.belopp)"), 350.5);
  EXPECT_EQ(Number("count(ansokan.budget.belopp)"), 2);  // the unfilled row does not count
  EXPECT_EQ(Number("count(ansokan.budget.post)"), 2);
  EXPECT_EQ(Number("min(ansokan.budget.belopp)"), 100);
  EXPECT_EQ(Number("max(ansokan.budget.belopp)"), 250.5);
  EXPECT_EQ(As<Date>("min(handledning.datum)"), Ymd("2026-01-05"));
  EXPECT_EQ(As<Date>("max(handledning.datum)"), Ymd("2026-03-01"));
  EXPECT_EQ(Compile("max(handledning.datum)").type(), kDate);
  EXPECT_TRUE(Bool("contains(ansokan.amnen, 'fysik')"));
  EXPECT_FALSE(Bool("contains(ansokan.amnen, 'fys')"));  // whole elements, not substrings
  EXPECT_TRUE(Bool("filled(ansokan.budget.belopp)"));
  EXPECT_TRUE(Bool("sum(ansokan.budget.belopp) <= 1000 and count(handledning.datum) >= 3"));

  context_.values["ansokan.budget.belopp"] = ExprValue::List({});
  EXPECT_EQ(Number("sum(ansokan.budget.belopp)"), 0);
  EXPECT_EQ(Number("count(ansokan.budget.belopp)"), 0);
  EXPECT_TRUE(IsEmpty("min(ansokan.budget.belopp)"));
  EXPECT_TRUE(IsEmpty("max(ansokan.budget.belopp) + 1"));
  EXPECT_TRUE(Bool("empty(ansokan.budget.belopp)"));

  context_.values["ansokan.budget.belopp"] = ExprValue::List({std::monostate{}, std::monostate{}});
  EXPECT_TRUE(Bool("empty(ansokan.budget.belopp)"));
  EXPECT_TRUE(IsEmpty("min(ansokan.budget.belopp)"));
}

TEST_F(ExpressionTest, AssignedAndToday) {
  EXPECT_EQ(Number("assigned('handledare')"), 2);
  EXPECT_EQ(Number("assigned(\"examinator\")"), 0);
  EXPECT_TRUE(Bool("assigned('handledare') >= 1 and assigned('examinator') == 0"));
  EXPECT_EQ(As<Date>("today()"), Ymd("2026-03-15"));
}

TEST_F(ExpressionTest, StartedGivesTheDayAPhaseOrStepStarted) {
  context_.started["kartlaggning"] = Ymd("2026-02-09");
  EXPECT_EQ(As<Date>("started('kartlaggning')"), Ymd("2026-02-09"));
  EXPECT_EQ(Number("today() - started('kartlaggning')"), 34);
  EXPECT_TRUE(Bool("today() >= started('kartlaggning') + duration('P4W')"));
  // Not started yet: empty, so a rule that needs the start date does not hold.
  EXPECT_TRUE(IsEmpty("started('intervjuer')"));
  EXPECT_FALSE(Bool("today() >= started('intervjuer') + duration('P4W')"));
  EXPECT_FALSE(Compile("started('kartlaggning') < today()").ConstantValue().has_value());
}

TEST_F(ExpressionTest, ConstantValue) {
  std::optional<ExprValue> value = Compile("1 + 2 * 3").ConstantValue();
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(std::get<double>(value->scalar), 7);

  value = Compile("date('2026-01-31') + duration('P1M')").ConstantValue();
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(std::get<Date>(value->scalar), Ymd("2026-02-28"));

  value = Compile("1 / 0").ConstantValue();
  ASSERT_TRUE(value.has_value());
  EXPECT_TRUE(value->IsEmpty());

  EXPECT_FALSE(Compile("poang + 1").ConstantValue().has_value());
  EXPECT_FALSE(Compile("1 > 2 or count(handledning.datum) > 0").ConstantValue().has_value());
  EXPECT_FALSE(Compile("assigned('handledare') > 0").ConstantValue().has_value());
  EXPECT_FALSE(Compile("today() > date('2026-01-01')").ConstantValue().has_value());
  EXPECT_FALSE(Expression().ConstantValue().has_value());
}

TEST_F(ExpressionTest, CopiesShareTheTree) {
  Expression original = Compile("poang + 1");
  Expression copy = original;
  EXPECT_EQ(copy.source(), "poang + 1");
  EXPECT_EQ(std::get<double>(copy.Evaluate(context_).scalar), 13);
  EXPECT_EQ(std::get<double>(original.Evaluate(context_).scalar), 13);
}

TEST_F(ExpressionTest, OperatorTypeErrors) {
  struct Case {
    std::string source;
    std::string at;  // the error's offset is where this first occurs in the source
    std::string message;
  };
  const Case cases[] = {
      {"poang == 'ja'", "==", "cannot compare number with text"},
      {"start != 3", "!=", "cannot compare date with number"},
      {"true < false", "<", "cannot compare yes/no values with '<'"},
      {"1 + 'a'", "+", "cannot add number and text"},
      {"start + start", "+ ", "cannot add date and date"},
      {"'a' - 'b'", "-", "cannot subtract text from text"},
      {"period - start", "-", "cannot subtract date from duration"},
      {"'a' * 2", "*", "cannot multiply text by number"},
      {"2 / true", "/", "cannot divide number by yes/no"},
      {"-'x'", "-", "cannot negate text"},
      {"not 5", "not", "'not' expects yes/no, got number"},
      {"poang and true", "poang", "'and' expects yes/no on both sides, got number"},
      {"true or titel", "titel", "'or' expects yes/no on both sides, got text"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    ExprError error = Error(c.source);
    EXPECT_EQ(error.message, c.message);
    EXPECT_EQ(error.offset, c.source.find(c.at));
  }
  ExprError list = Error("ansokan.budget.belopp > 3");
  EXPECT_EQ(list.offset, 22u);
  EXPECT_THAT(list.message, StartsWith("cannot compare list of number with number; use count()"));
}

TEST_F(ExpressionTest, FunctionTypeErrors) {
  struct Case {
    std::string source;
    std::string at;
    std::string message;
  };
  const Case cases[] = {
      {"sum(ansokan.titel)", "ansokan", "function 'sum' expects a list of number, got text"},
      {"sum(ansokan.budget.post)", "ansokan", "function 'sum' expects a list of number, got list of text"},
      {"count(poang)", "poang", "function 'count' expects a list, got number"},
      {"min(ansokan.amnen)", "ansokan",
       "function 'min' expects a list of number or a list of date, got list of text"},
      {"days_between(poang, today())", "poang",
       "function 'days_between' expects a date as argument 1, got number"},
      {"days_between(today(), 'x')", "'x'", "function 'days_between' expects a date as argument 2, got text"},
      {"contains(poang, 'x')", "poang",
       "function 'contains' expects a list of text or text as argument 1, got number"},
      {"contains(ansokan.amnen, 5)", "5", "function 'contains' expects text as argument 2, got number"},
      {"length(5)", "5", "function 'length' expects text, got number"},
      {"count()", "count", "function 'count' takes 1 argument, got 0"},
      {"today(1)", "today", "function 'today' takes no arguments, got 1"},
      {"days_between(today())", "days", "function 'days_between' takes 2 arguments, got 1"},
      {"1 + exec('rm -rf')", "exec", "unknown function 'exec'"},
      {"ansokan.titel()", "ansokan", "unknown function 'ansokan.titel'"},
      {"assigned(titel)", "titel", "assigned() takes a role id as a text literal"},
      {"assigned('handle' + 'dare')", "'handle'", "assigned() takes a role id as a text literal"},
      {"assigned('rektor')", "'rektor'", "unknown role 'rektor'"},
      {"started(titel)", "titel", "started() takes a phase or step id as a text literal"},
      {"started('avslut')", "'avslut'", "unknown phase or step 'avslut'"},
      {"date(titel)", "titel", "date() takes a text literal such as '2026-08-15'"},
      {"duration(titel)", "titel", "duration() takes a text literal such as 'P4W'"},
      {"ansokan.foo", "ansokan", "unknown field 'ansokan.foo'"},
      {"1 + okand.foo", "okand", "unknown form 'okand'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    ExprError error = Error(c.source);
    EXPECT_EQ(error.message, c.message);
    EXPECT_EQ(error.offset, c.source.find(c.at));
  }
}

TEST_F(ExpressionTest, LiteralArgumentsAreValidatedAtCompileTime) {
  ExprError date = Error("start > date('2026-13-01')");
  EXPECT_EQ(date.offset, 13u);
  EXPECT_THAT(date.message, StartsWith("invalid date '2026-13-01'"));
  EXPECT_THAT(Error("date('2026-02-30')").message, StartsWith("invalid date '2026-02-30'"));

  std::string expected;
  ASSERT_FALSE(Duration::Parse("4W", &expected).has_value());
  ExprError duration = Error("duration('4W')");
  EXPECT_EQ(duration.offset, 9u);
  EXPECT_EQ(duration.message, expected);
  ASSERT_FALSE(Duration::Parse("PT4H", &expected).has_value());
  EXPECT_EQ(Error("duration('PT4H')").message, expected);
}

TEST_F(ExpressionTest, ReportsEveryErrorAtOnce) {
  std::vector<ExprError> errors = Errors("ansokan.foo > 1 and okand.bar == 2 or sum(titel) > 0");
  ASSERT_EQ(errors.size(), 3u) << Describe(errors);
  EXPECT_EQ(errors[0].offset, 0u);
  EXPECT_EQ(errors[0].message, "unknown field 'ansokan.foo'");
  EXPECT_EQ(errors[1].offset, 20u);
  EXPECT_EQ(errors[1].message, "unknown form 'okand'");
  EXPECT_EQ(errors[2].offset, 42u);
  EXPECT_EQ(errors[2].message, "function 'sum' expects a list of number, got text");

  // Sorted by offset, though the 'and' is checked after its right side.
  errors = Errors("1 and (poang == 'x')");
  ASSERT_EQ(errors.size(), 2u) << Describe(errors);
  EXPECT_EQ(errors[0].offset, 0u);
  EXPECT_EQ(errors[0].message, "'and' expects yes/no on both sides, got number");
  EXPECT_EQ(errors[1].offset, 13u);
  EXPECT_EQ(errors[1].message, "cannot compare number with text");

  errors = Errors("poang == exec(1)");
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);  // an unknown type does not cascade
  EXPECT_EQ(errors[0].message, "unknown function 'exec'");
  errors = Errors("titel == 1 + 'x'");
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].offset, 11u);

  // Type errors found before a syntax error are kept.
  errors = Errors("poang == 'x' and (");
  ASSERT_EQ(errors.size(), 2u) << Describe(errors);
  EXPECT_EQ(errors[0].message, "cannot compare number with text");
  EXPECT_EQ(errors[1].message, "expected a value, found end of expression");
  EXPECT_EQ(errors[1].offset, 18u);
}

TEST_F(ExpressionTest, SyntaxErrors) {
  struct Case {
    std::string source;
    size_t offset;
    std::string message;
  };
  const Case cases[] = {
      {"", 0, "empty expression"},
      {"  \n ", 0, "empty expression"},
      {"count(ansokan.budget.belopp", 27, "expected ')' after arguments of count"},
      {"count(ansokan.budget.belopp 1)", 28, "expected ')' after arguments of count"},
      {"1 # 2", 2, "unexpected character '#'"},
      {"(1 + 2", 6, "expected ')' to close '(' at offset 0, found end of expression"},
      {"1 +", 3, "expected a value, found end of expression"},
      {"1 + )", 4, "expected a value, found ')'"},
      {"1 2", 2, "expected end of expression, found '2'"},
      {"'abc", 0, "unterminated text (missing closing ')"},
      {R"(1 + "abc\")", 4, "unterminated text (missing closing \")"},
      {R"('a\nb')", 2, R"(unknown escape '\n' in text; only \\, \' and \" are allowed)"},
      {"poang = 1", 6, "unexpected character '='; use '==' to compare"},
      {"!godkand", 0, "unexpected character '!'; use 'not' to negate or '!=' to compare"},
      {"true && false", 5, "unexpected character '&'; use 'and'"},
      {"Poang", 0, "unexpected character 'P'; names use lowercase letters, digits and '_'"},
      {"1 < 2 < 3", 6, "comparisons cannot be chained; combine them with 'and'"},
      {"4. + 1", 0, "expected digits after '.' in number '4.'"},
      {"ansokan.", 8, "expected a name after '.', found end of expression"},
      {"ansokan.and", 8, "expected a name after '.', found 'and'"},
      {"poang ä 1", 6, "unexpected character 'ä'"},
      {"poang \xff", 6, "unexpected byte 0xFF"},
      {std::string("1 +\0 2", 6), 3, "unexpected control character 0x00"},
      {"count(,)", 6, "expected a value, found ','"},
      {"1" + std::string(400, '0'), 0, "number too large"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    ExprError error = Error(c.source);
    EXPECT_EQ(error.message, c.message);
    EXPECT_EQ(error.offset, c.offset);
  }
}

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST_F(ExpressionTest, NestingLimit) {
  EXPECT_EQ(Number(Repeat("(", 64) + "1" + Repeat(")", 64)), 1);
  ExprError parens = Error(Repeat("(", 65) + "1" + Repeat(")", 65));
  EXPECT_EQ(parens.message, "expression nested too deeply");
  EXPECT_EQ(parens.offset, 64u);

  EXPECT_EQ(Error(Repeat("not ", 1000) + "true").message, "expression nested too deeply");
  EXPECT_EQ(Error(Repeat("-", 2000) + "1").message, "expression nested too deeply");
  EXPECT_EQ(Error(Repeat("count(", 500) + "1").message, "expression nested too deeply");
  EXPECT_TRUE(Bool(Repeat("not ", 64) + "true"));

  // Operator chains do not nest in the source but do in the tree.
  EXPECT_EQ(Number("1" + Repeat(" + 1", 200)), 201);
  EXPECT_EQ(Error("1" + Repeat(" + 1", 300)).message, "expression nested too deeply");
}

TEST_F(ExpressionTest, LengthLimit) {
  std::string longest = "'" + std::string(4094, 'x') + "'";
  EXPECT_EQ(Number("length('" + std::string(4086, 'x') + "')"), 4086);
  EXPECT_EQ(As<std::string>(longest).size(), 4094u);
  ExprError error = Error(longest + " ");
  EXPECT_EQ(error.offset, 4096u);
  EXPECT_EQ(error.message, "expression too long: 4097 bytes, at most 4096 allowed");
}

// A context that answers with values of the wrong kind, out-of-range values, or throws.
class HostileContext : public ExprContext {
 public:
  ExprValue ValueOf(std::string_view canonical) const override {
    if (canonical == "ansokan.poang") return ExprValue::Of(std::string("tolv"));
    if (canonical == "ansokan.extra") return ExprValue::Of(std::nan(""));
    if (canonical == "ansokan.titel") return ExprValue::List({std::string("a")});
    if (canonical == "ansokan.godkand") return ExprValue::Of(1.0);
    if (canonical == "ansokan.start")
      return ExprValue::Of(Date(std::chrono::sys_days(std::chrono::days(INT_MAX))));
    if (canonical == "ansokan.period") return ExprValue::Of(Duration(INT_MAX, INT_MAX, INT_MAX, INT_MAX));
    if (canonical == "ansokan.budget.belopp") return ExprValue::List({1.0, std::string("x"), true, 2.0});
    if (canonical == "ansokan.budget.post") return ExprValue::Of(std::string("not a list"));
    throw std::runtime_error("no such field");
  }
  int AssignedCount(std::string_view) const override { return INT_MIN; }
  std::optional<Date> Started(std::string_view) const override {
    return Date(std::chrono::sys_days(std::chrono::days(INT_MAX)));
  }
  Date Today() const override { return Date(std::chrono::sys_days(std::chrono::days(-INT_MAX))); }
};

TEST_F(ExpressionTest, HostileContextGivesEmptyInsteadOfCrashing) {
  HostileContext hostile;
  auto eval = [&](std::string_view source) { return Compile(source).Evaluate(hostile); };
  eval("started('kartlaggning') + duration('P4W') <= today()");
  eval("today() - started('kartlaggning')");
  EXPECT_TRUE(eval("poang + 1").IsEmpty());
  EXPECT_TRUE(eval("extra * 2").IsEmpty());
  EXPECT_TRUE(eval("empty(extra)").IsTrue());  // NaN is no number
  EXPECT_TRUE(eval("length(titel)").scalar == ExprValue::Scalar(0.0));
  EXPECT_FALSE(eval("godkand").IsTrue());
  EXPECT_TRUE(eval("start + duration('P1Y')").IsEmpty());
  EXPECT_TRUE(eval("today() - start").IsEmpty());
  EXPECT_TRUE(eval("date('2026-01-01') + period").IsEmpty());
  EXPECT_TRUE(eval("period + period").IsEmpty());
  EXPECT_TRUE(eval("days_between(today(), start)").IsEmpty());
  EXPECT_EQ(std::get<double>(eval("sum(ansokan.budget.belopp)").scalar), 3);
  EXPECT_EQ(std::get<double>(eval("count(ansokan.budget.belopp)").scalar), 2);
  EXPECT_EQ(std::get<double>(eval("count(ansokan.budget.post)").scalar), 0);
  EXPECT_EQ(std::get<double>(eval("assigned('handledare')").scalar), INT_MIN);
  EXPECT_TRUE(eval("count(ansokan.amnen)").IsEmpty());  // the context throws
  EXPECT_TRUE(Expression().Evaluate(hostile).IsEmpty());
}

// Random token soup must never crash the compiler or, when it compiles, the evaluator.
TEST_F(ExpressionTest, RandomInputNeverCrashes) {
  const std::vector<std::string> pieces = {"poang",
                                           "titel",
                                           "start",
                                           "period",
                                           "ansokan",
                                           ".",
                                           "budget",
                                           "belopp",
                                           "(",
                                           ")",
                                           ",",
                                           "+",
                                           "-",
                                           "*",
                                           "/",
                                           "==",
                                           "!=",
                                           "<",
                                           ">=",
                                           "and",
                                           "or",
                                           "not",
                                           "true",
                                           "1",
                                           "0",
                                           "2.5",
                                           "'x'",
                                           "\"",
                                           "'",
                                           "\\",
                                           "count",
                                           "sum",
                                           "min",
                                           "date",
                                           "duration",
                                           "'P1D'",
                                           "'2026-01-01'",
                                           "today",
                                           "assigned",
                                           "'handledare'",
                                           "contains",
                                           "length",
                                           "#",
                                           " ",
                                           "ö",
                                           "\xc3"};
  std::mt19937 random(12345);
  int compiled = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string source;
    int length = 1 + static_cast<int>(random() % 12);
    for (int i = 0; i < length; ++i) source += pieces[random() % pieces.size()];
    auto result = Expression::Compile(source, scope_);
    if (auto* expression = std::get_if<Expression>(&result)) {
      ++compiled;
      expression->Evaluate(context_);
      expression->ConstantValue();
    } else {
      for (const ExprError& error : std::get<std::vector<ExprError>>(result)) {
        EXPECT_LE(error.offset, source.size()) << source;
        EXPECT_FALSE(error.message.empty()) << source;
      }
      EXPECT_FALSE(std::get<std::vector<ExprError>>(result).empty()) << source;
    }
  }
  EXPECT_GT(compiled, 0);
}

}  // namespace
}  // namespace spegla
