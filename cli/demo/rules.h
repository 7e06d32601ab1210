// The engine compiles a definition's <require> and <transition when> conditions and can only say whether
// they hold. To write values that satisfy them ("the next meeting after the start meeting", "an interview
// with the skolledare", "the visits within the visit days") the demo reads the condition's source again
// into a small tree (the grammar of docs/workflow-format.md) and evaluates it on a Snapshot as the engine
// does; the Solver (solver.h) changes what the tree reads where it does not hold.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "demo/snapshot.h"

namespace spegla::cli::demo {

struct Rule {
  enum class Kind { kOr, kAnd, kNot, kCompare, kArithmetic, kNegate, kLiteral, kReference, kCall };
  Kind kind = Kind::kLiteral;
  std::string name;           // the operator ("<=", "+"), function, or canonical reference "form.field"
  ExprValue::Scalar literal;  // kLiteral
  std::vector<Rule> operands;
};

// nullopt for a condition the parser does not understand: the demo then leaves that rule to the engine.
std::optional<Rule> ParseRule(const Expression& expression);

ExprValue Evaluate(const Rule& rule, const Snapshot& values);
bool IsEmptyScalar(const ExprValue::Scalar& s);
// left `op` right as the engine compares: empty only equals empty, other types only differ.
bool CompareScalars(const std::string& op, const ExprValue::Scalar& left, const ExprValue::Scalar& right);
// Arithmetic as the engine does it, and also a date plus or minus a number of days, which the solver
// needs to move a bound across ("last - first <= 305" asks for last <= first + 305).
ExprValue::Scalar Arithmetic(const std::string& op, const ExprValue::Scalar& left,
                             const ExprValue::Scalar& right);

}  // namespace spegla::cli::demo
