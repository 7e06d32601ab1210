// The expression language (engine/include/spegla/expression.h): the bytes are compiled against a small
// fixed scope (fields of every type, two roles, two phases) and, when they compile, evaluated against a
// fixed context, twice. Some of the context's values are deliberately not what the scope declared
// (a text for a number, NaN, a date far outside the calendar, a huge duration), because contexts are
// outside the language's control.
//
// Invariants besides "no crash, no sanitizer report, no exception":
//   - compiling is deterministic, and every error has a message and an offset inside the source;
//   - evaluating is deterministic (the same value twice);
//   - the value has the compiled type: a list for a list type, else empty or a scalar of that type;
//   - an expression that reads nothing (ConstantValue) evaluates to that constant in any context.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.h"
#include "spegla/expression.h"

namespace {

using spegla::Date;
using spegla::Duration;
using spegla::ExprType;
using spegla::ExprValue;
using spegla::ScalarType;

Date Day(int year, unsigned month, unsigned day) { return *Date::FromYmd(year, month, day); }

struct Field {
  ExprType type;
  ExprValue value;
};

// Fields of the form "f" (a name without a form means one of them) and of the form "g"; values as a
// context holds them, some of them of the wrong kind on purpose.
const std::map<std::string, Field, std::less<>>& Fields() {
  using L = std::vector<ExprValue::Scalar>;
  static const std::map<std::string, Field, std::less<>> fields = {
      {"f.n", {{ScalarType::kNumber, false}, ExprValue::Of(3.5)}},
      {"f.zero", {{ScalarType::kNumber, false}, ExprValue::Of(0.0)}},
      {"f.big", {{ScalarType::kNumber, false}, ExprValue::Of(1e308)}},
      {"f.nan", {{ScalarType::kNumber, false}, ExprValue::Of(std::nan(""))}},
      {"f.wrong", {{ScalarType::kNumber, false}, ExprValue::Of(std::string("inte ett tal"))}},
      {"f.t", {{ScalarType::kText, false}, ExprValue::Of(std::string("Åby skola & <förskola>"))}},
      {"f.tom", {{ScalarType::kText, false}, ExprValue::Empty()}},
      {"f.b", {{ScalarType::kBool, false}, ExprValue::Of(true)}},
      {"f.nej", {{ScalarType::kBool, false}, ExprValue::Of(false)}},
      {"f.d", {{ScalarType::kDate, false}, ExprValue::Of(Day(2026, 3, 2))}},
      {"f.far",
       {{ScalarType::kDate, false},
        ExprValue::Of(Date(std::chrono::sys_days(std::chrono::days(2'000'000'000))))}},
      {"f.p", {{ScalarType::kDuration, false}, ExprValue::Of(Duration(0, 1, 4, 0))}},
      {"f.huge",
       {{ScalarType::kDuration, false}, ExprValue::Of(Duration(2'000'000'000, 0, 0, -2'000'000'000))}},
      {"f.rows.n",
       {{ScalarType::kNumber, true}, ExprValue::List(L{1.0, 2.5, std::monostate{}, -4.0, 1e308, 1e308})}},
      {"f.rows.t",
       {{ScalarType::kText, true}, ExprValue::List(L{std::string("a"), std::string("b"), std::monostate{}})}},
      {"f.rows.d", {{ScalarType::kDate, true}, ExprValue::List(L{Day(2026, 1, 31), Day(2024, 2, 29), 7.0})}},
      {"f.rows.b", {{ScalarType::kBool, true}, ExprValue::List(L{true, false, std::string("x")})}},
      {"f.rows.p",
       {{ScalarType::kDuration, true}, ExprValue::List(L{Duration(0, 0, 1, 0), Duration(1, 0, 0, 0)})}},
      {"f.none", {{ScalarType::kNumber, true}, ExprValue::Of(2.0)}},  // a scalar where a list belongs
      {"g.d", {{ScalarType::kDate, true}, ExprValue::List(L{Day(2026, 4, 14), Day(2026, 5, 5)})}},
      {"g.t", {{ScalarType::kText, false}, ExprValue::List(L{std::string("a list where a text belongs")})}},
  };
  return fields;
}

class Scope final : public spegla::ExprScope {
 public:
  std::optional<spegla::ResolvedReference> Resolve(std::string_view dotted,
                                                   std::string* error) const override {
    // As written ("f.n", "g.d"), else as a field of "f" ("n", "rows.n").
    std::string canonical(dotted);
    auto it = Fields().find(canonical);
    if (it == Fields().end()) it = Fields().find(canonical = "f." + std::string(dotted));
    if (it == Fields().end()) {
      *error = "unknown field '" + std::string(dotted) + "'";
      return std::nullopt;
    }
    return spegla::ResolvedReference{it->second.type, canonical};
  }
  bool HasRole(std::string_view role) const override { return role == "rektor" || role == "observator"; }
  bool HasPhaseOrStep(std::string_view id) const override { return id == "ansokan" || id == "planering"; }
};

class Context final : public spegla::ExprContext {
 public:
  ExprValue ValueOf(std::string_view canonical) const override {
    auto it = Fields().find(canonical);
    SPEGLA_FUZZ_CHECK(it != Fields().end(), "the context is asked only for names the scope resolved");
    return it->second.value;
  }
  int AssignedCount(std::string_view role) const override { return role == "rektor" ? 1 : 0; }
  std::optional<Date> Started(std::string_view id) const override {
    if (id == "ansokan") return Day(2026, 2, 2);
    return std::nullopt;
  }
  Date Today() const override { return Day(2026, 3, 2); }
};

bool SameScalar(const ExprValue::Scalar& a, const ExprValue::Scalar& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return (std::isnan(*x) && std::isnan(y)) || *x == y;
  }
  return a == b;
}

bool Same(const ExprValue& a, const ExprValue& b) {
  if (a.is_list != b.is_list || !SameScalar(a.scalar, b.scalar) || a.list.size() != b.list.size())
    return false;
  for (std::size_t i = 0; i < a.list.size(); ++i) {
    if (!SameScalar(a.list[i], b.list[i])) return false;
  }
  return true;
}

bool HasType(const ExprValue::Scalar& value, ScalarType type) {
  switch (type) {
    case ScalarType::kBool:
      return std::holds_alternative<bool>(value);
    case ScalarType::kNumber:
      return std::holds_alternative<double>(value);
    case ScalarType::kText:
      return std::holds_alternative<std::string>(value);
    case ScalarType::kDate:
      return std::holds_alternative<Date>(value);
    case ScalarType::kDuration:
      return std::holds_alternative<Duration>(value);
  }
  return false;
}

bool Fits(const ExprValue& value, const ExprType& type) {
  auto fits = [&](const ExprValue::Scalar& s) {
    return std::holds_alternative<std::monostate>(s) || HasType(s, type.scalar);
  };
  if (type.list) {
    if (!value.is_list) return false;
    for (const ExprValue::Scalar& item : value.list) {
      if (!fits(item)) return false;
    }
    return true;
  }
  return !value.is_list && fits(value.scalar);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  const Scope scope;
  auto compiled = spegla::Expression::Compile(source, scope);

  if (auto* errors = std::get_if<std::vector<spegla::ExprError>>(&compiled)) {
    SPEGLA_FUZZ_CHECK(!errors->empty(), "a failed compile reports at least one error");
    for (const spegla::ExprError& error : *errors) {
      SPEGLA_FUZZ_CHECK(!error.message.empty(), "every error has a message");
      SPEGLA_FUZZ_CHECK(error.offset <= source.size(), "an error's offset lies within the source");
    }
    auto again = spegla::Expression::Compile(source, scope);
    auto* errors_again = std::get_if<std::vector<spegla::ExprError>>(&again);
    SPEGLA_FUZZ_CHECK(errors_again && errors_again->size() == errors->size(), "compiling is deterministic");
    return 0;
  }

  const spegla::Expression& expression = std::get<spegla::Expression>(compiled);
  const Context context;
  const ExprValue first = expression.Evaluate(context);
  const ExprValue second = expression.Evaluate(context);
  SPEGLA_FUZZ_CHECK(Same(first, second), "evaluating twice gives the same value");
  SPEGLA_FUZZ_CHECK(Fits(first, expression.type()), "the value has the compiled type");
  if (std::optional<ExprValue> constant = expression.ConstantValue()) {
    SPEGLA_FUZZ_CHECK(Same(*constant, first), "a constant expression evaluates to its constant");
  }
  return 0;
}
