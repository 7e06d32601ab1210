// The condition language of workflow definitions: field references, comparisons, and/or/not, count and
// sum over repeating groups and occurrences, date arithmetic. Compiled (parsed and type-checked) once when
// a definition loads; evaluating it can read values but never has side effects or runs code.
//
//   expr     := or
//   or       := and ("or" and)*
//   and      := not ("and" not)*
//   not      := "not" not | compare
//   compare  := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
//   sum      := product (("+" | "-") product)*
//   product  := unary (("*" | "/") unary)*
//   unary    := "-" unary | primary
//   primary  := number | string | "true" | "false" | reference | call | "(" expr ")"
//   reference:= name ("." name)*          name := [a-z_][a-z0-9_]*
//   call     := name "(" (expr ("," expr)*)? ")"
//
// Functions: count(list) sum(list) min(list) max(list) filled(x) empty(x) assigned('role') today()
//            started('phase-or-step') date('YYYY-MM-DD') duration('P4W') days_between(date, date)
//            contains(list|text, text) length(text)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "spegla/date.h"

namespace spegla {

enum class ScalarType { kBool, kNumber, kText, kDate, kDuration };

struct ExprType {
  ScalarType scalar = ScalarType::kBool;
  bool list = false;  // a list of scalars: a repeating group's column, or a field over a step's occurrences

  bool operator==(const ExprType&) const = default;
  std::string ToString() const;  // "yes/no", "number", "list of number", ...
};

// A runtime value. Empty stands for "not filled in": comparisons with empty are false (except
// empty == empty), arithmetic with empty gives empty, and empty in a yes/no position counts as false.
struct ExprValue {
  using Scalar = std::variant<std::monostate, bool, double, std::string, Date, Duration>;
  Scalar scalar;
  std::vector<Scalar> list;
  bool is_list = false;

  static ExprValue Empty() { return {}; }
  static ExprValue Of(Scalar s) { return ExprValue{std::move(s), {}, false}; }
  static ExprValue List(std::vector<Scalar> items) { return ExprValue{{}, std::move(items), true}; }
  bool IsEmpty() const { return is_list ? list.empty() : std::holds_alternative<std::monostate>(scalar); }
  bool IsTrue() const;  // a bool scalar holding true
};

struct ExprError {
  size_t offset = 0;  // 0-based byte offset into the source where the problem starts
  std::string message;
};

// What a reference may name, answered by whoever compiles the expression (the workflow loader).
struct ResolvedReference {
  ExprType type;
  std::string canonical;  // the name the context is later asked for, e.g. "ansokan.problemformulering"
};

class ExprScope {
 public:
  virtual ~ExprScope() = default;
  // `dotted` as written, e.g. "ansokan.problemformulering" or "problemformulering". On failure returns
  // nullopt and sets *error to a sentence naming what is unknown.
  virtual std::optional<ResolvedReference> Resolve(std::string_view dotted, std::string* error) const = 0;
  virtual bool HasRole(std::string_view role) const = 0;
  // A phase or step id that started() may name.
  virtual bool HasPhaseOrStep(std::string_view id) const = 0;
};

// Values at evaluation time. Implementations must answer every canonical name their scope resolved.
class ExprContext {
 public:
  virtual ~ExprContext() = default;
  virtual ExprValue ValueOf(std::string_view canonical) const = 0;
  virtual int AssignedCount(std::string_view role) const = 0;
  // The day the phase (or, when no phase has the id, the step) last started; nullopt if it has not.
  virtual std::optional<Date> Started(std::string_view phase_or_step) const = 0;
  virtual Date Today() const = 0;
};

// Immutable and thread-safe once compiled; cheap to copy (shares the tree).
class Expression {
 public:
  struct Node;

  // Parses and type-checks. Returns every error found (at least one) on failure.
  static std::variant<Expression, std::vector<ExprError>> Compile(std::string_view source,
                                                                  const ExprScope& scope);

  const std::string& source() const { return source_; }
  ExprType type() const { return type_; }
  ExprValue Evaluate(const ExprContext& context) const;
  // Canonical names of every field referenced, in order of first appearance.
  const std::vector<std::string>& references() const { return references_; }
  // The value when the expression reads no field, participant count, start date or today(); else nullopt.
  std::optional<ExprValue> ConstantValue() const;

 private:
  std::string source_;
  ExprType type_;
  std::vector<std::string> references_;
  std::shared_ptr<const Node> root_;
};

}  // namespace spegla
