#include "demo/rules.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "demo/text.h"
#include "spegla/utf8.h"

namespace spegla::cli::demo {
namespace {

class RuleParser {
 public:
  explicit RuleParser(std::string_view source) : source_(source) {}

  // nullopt for anything it does not understand: the filler then leaves that rule to the engine.
  std::optional<Rule> Parse() {
    std::optional<Rule> rule = Or();
    Skip();
    if (!rule || pos_ != source_.size()) return std::nullopt;
    return rule;
  }

 private:
  static bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

  void Skip() {
    while (pos_ < source_.size() && std::isspace(static_cast<unsigned char>(source_[pos_]))) ++pos_;
  }

  bool Eat(std::string_view token) {
    Skip();
    if (source_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  bool EatWord(std::string_view word) {
    Skip();
    size_t end = pos_ + word.size();
    if (source_.substr(pos_, word.size()) != word || (end < source_.size() && IsNameChar(source_[end]))) {
      return false;
    }
    pos_ = end;
    return true;
  }

  static Rule Node(Rule::Kind kind, std::string name, std::vector<Rule> operands) {
    Rule rule;
    rule.kind = kind;
    rule.name = std::move(name);
    rule.operands = std::move(operands);
    return rule;
  }

  static Rule Literal(ExprValue::Scalar value) {
    Rule rule;
    rule.literal = std::move(value);
    return rule;
  }

  std::optional<Rule> Or() { return Chain(Rule::Kind::kOr, "or", &RuleParser::And); }
  std::optional<Rule> And() { return Chain(Rule::Kind::kAnd, "and", &RuleParser::Not); }

  std::optional<Rule> Chain(Rule::Kind kind, std::string_view word,
                            std::optional<Rule> (RuleParser::*next)()) {
    std::optional<Rule> left = (this->*next)();
    while (left && EatWord(word)) {
      std::optional<Rule> right = (this->*next)();
      if (!right) return std::nullopt;
      left = Node(kind, std::string(word), {std::move(*left), std::move(*right)});
    }
    return left;
  }

  std::optional<Rule> Not() {
    if (!EatWord("not")) return Compare();
    std::optional<Rule> operand = Not();
    if (!operand) return std::nullopt;
    return Node(Rule::Kind::kNot, "not", {std::move(*operand)});
  }

  std::optional<Rule> Compare() {
    std::optional<Rule> left = Sum();
    if (!left) return std::nullopt;
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (!Eat(op)) continue;
      std::optional<Rule> right = Sum();
      if (!right) return std::nullopt;
      return Node(Rule::Kind::kCompare, std::string(op), {std::move(*left), std::move(*right)});
    }
    return left;
  }

  std::optional<Rule> Sum() { return Operators({"+", "-"}, &RuleParser::Product); }
  std::optional<Rule> Product() { return Operators({"*", "/"}, &RuleParser::Unary); }

  std::optional<Rule> Operators(std::initializer_list<std::string_view> ops,
                                std::optional<Rule> (RuleParser::*next)()) {
    std::optional<Rule> left = (this->*next)();
    for (bool more = true; left && more;) {
      more = false;
      for (std::string_view op : ops) {
        if (!Eat(op)) continue;
        std::optional<Rule> right = (this->*next)();
        if (!right) return std::nullopt;
        left = Node(Rule::Kind::kArithmetic, std::string(op), {std::move(*left), std::move(*right)});
        more = true;
        break;
      }
    }
    return left;
  }

  std::optional<Rule> Unary() {
    if (!Eat("-")) return Primary();
    std::optional<Rule> operand = Unary();
    if (!operand) return std::nullopt;
    return Node(Rule::Kind::kNegate, "-", {std::move(*operand)});
  }

  std::optional<std::string> Text() {
    Skip();
    if (pos_ >= source_.size() || (source_[pos_] != '\'' && source_[pos_] != '"')) return std::nullopt;
    const char quote = source_[pos_];
    size_t end = source_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return std::nullopt;
    std::string text(source_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return text;
  }

  std::optional<Rule> Primary() {
    Skip();
    if (pos_ >= source_.size()) return std::nullopt;
    const char c = source_[pos_];
    if (Eat("(")) {
      std::optional<Rule> inner = Or();
      if (!inner || !Eat(")")) return std::nullopt;
      return inner;
    }
    if (c == '\'' || c == '"') {
      std::optional<std::string> text = Text();
      if (!text) return std::nullopt;
      return Literal(*text);
    }
    if ((c >= '0' && c <= '9') || c == '.') {
      size_t end = pos_;
      while (end < source_.size() && ((source_[end] >= '0' && source_[end] <= '9') || source_[end] == '.'))
        ++end;
      double number = std::strtod(std::string(source_.substr(pos_, end - pos_)).c_str(), nullptr);
      pos_ = end;
      return Literal(number);
    }
    size_t end = pos_;
    while (end < source_.size() && (IsNameChar(source_[end]) || source_[end] == '.')) ++end;
    if (end == pos_) return std::nullopt;
    std::string name(source_.substr(pos_, end - pos_));
    pos_ = end;
    if (name == "true" || name == "false") return Literal(name == "true");
    if (!Eat("(")) return Node(Rule::Kind::kReference, name, {});
    return Call(name);
  }

  std::optional<Rule> Call(const std::string& name) {
    if (name == "date" || name == "duration") {
      std::optional<std::string> text = Text();
      if (!text || !Eat(")")) return std::nullopt;
      if (name == "date") {
        std::optional<Date> date = Date::Parse(*text);
        return date ? std::optional(Literal(*date)) : std::nullopt;
      }
      std::optional<Duration> duration = Duration::Parse(*text);
      return duration ? std::optional(Literal(*duration)) : std::nullopt;
    }
    if (name == "assigned" || name == "started") {
      std::optional<std::string> text = Text();
      if (!text || !Eat(")")) return std::nullopt;
      return Node(Rule::Kind::kCall, name, {Literal(*text)});
    }
    std::vector<Rule> arguments;
    if (!Eat(")")) {
      do {
        std::optional<Rule> argument = Or();
        if (!argument) return std::nullopt;
        arguments.push_back(std::move(*argument));
      } while (Eat(","));
      if (!Eat(")")) return std::nullopt;
    }
    return Node(Rule::Kind::kCall, name, std::move(arguments));
  }

  std::string_view source_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<Rule> ParseRule(const Expression& expression) {
  return RuleParser(expression.source()).Parse();
}

bool IsEmptyScalar(const ExprValue::Scalar& s) {
  if (std::holds_alternative<std::monostate>(s)) return true;
  const std::string* text = std::get_if<std::string>(&s);
  return text && text->empty();
}

template <typename T>
bool Ordered(const std::string& op, const T& a, const T& b) {
  if (op == "==") return a == b;
  if (op == "!=") return !(a == b);
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  return false;
}

bool CompareScalars(const std::string& op, const ExprValue::Scalar& left, const ExprValue::Scalar& right) {
  const bool left_empty = IsEmptyScalar(left), right_empty = IsEmptyScalar(right);
  if (left_empty || right_empty) {
    if (op == "==") return left_empty && right_empty;
    if (op == "!=") return left_empty != right_empty;
    return false;
  }
  if (left.index() != right.index()) return op == "!=";
  return std::visit(
      [&](const auto& a) -> bool {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(right);
        if constexpr (std::is_same_v<T, std::monostate>) {
          return false;
        } else if constexpr (std::is_same_v<T, Duration>) {
          if (op == "==" || op == "!=") return (a == b) == (op == "==");
          return Ordered(op, a.ApproximateDays(), b.ApproximateDays());
        } else {
          return Ordered(op, a, b);
        }
      },
      left);
}

ExprValue::Scalar Arithmetic(const std::string& op, const ExprValue::Scalar& left,
                             const ExprValue::Scalar& right) {
  const double* a = std::get_if<double>(&left);
  const double* b = std::get_if<double>(&right);
  if (a && b) {
    if (op == "+") return *a + *b;
    if (op == "-") return *a - *b;
    if (op == "*") return *a * *b;
    if (op == "/" && *b != 0) return *a / *b;
    return std::monostate{};
  }
  const Date* date_a = std::get_if<Date>(&left);
  const Date* date_b = std::get_if<Date>(&right);
  const Duration* duration_b = std::get_if<Duration>(&right);
  const Duration* duration_a = std::get_if<Duration>(&left);
  if (date_a && duration_b && (op == "+" || op == "-")) {
    return op == "+" ? date_a->Plus(*duration_b) : date_a->Minus(*duration_b);
  }
  if (duration_a && date_b && op == "+") return date_b->Plus(*duration_a);
  if (date_a && date_b && op == "-") return static_cast<double>(date_b->DaysUntil(*date_a));
  if (date_a && b && (op == "+" || op == "-"))
    return AddDays(*date_a, static_cast<int>(op == "+" ? *b : -*b));
  if (a && date_b && op == "+") return AddDays(*date_b, static_cast<int>(*a));
  const std::string* text_a = std::get_if<std::string>(&left);
  const std::string* text_b = std::get_if<std::string>(&right);
  if (text_a && text_b && op == "+") return *text_a + *text_b;
  return std::monostate{};
}

ExprValue EvaluateCall(const Rule& rule, const Snapshot& values) {
  using Scalar = ExprValue::Scalar;
  const std::string& f = rule.name;
  if (f == "today") return ExprValue::Of(values.Today());
  if (rule.operands.empty()) return ExprValue::Empty();
  if (f == "assigned" || f == "started") {
    const std::string* id = std::get_if<std::string>(&rule.operands[0].literal);
    if (!id) return ExprValue::Empty();
    if (f == "assigned") return ExprValue::Of(static_cast<double>(values.Assigned(*id)));
    std::optional<Date> day = values.Started(*id);
    return day ? ExprValue::Of(*day) : ExprValue::Empty();
  }
  const ExprValue first = Evaluate(rule.operands[0], values);
  if (f == "count") {
    return ExprValue::Of(static_cast<double>(std::count_if(
        first.list.begin(), first.list.end(), [](const Scalar& s) { return !IsEmptyScalar(s); })));
  }
  if (f == "sum") {
    double total = 0;
    for (const Scalar& item : first.list) {
      if (const double* number = std::get_if<double>(&item)) total += *number;
    }
    return ExprValue::Of(total);
  }
  if (f == "min" || f == "max") {
    Scalar best;
    for (const Scalar& item : first.list) {
      if (!IsEmptyScalar(item) &&
          (IsEmptyScalar(best) || CompareScalars(f == "min" ? "<" : ">", item, best))) {
        best = item;
      }
    }
    return ExprValue::Of(best);
  }
  if (f == "filled" || f == "empty") {
    bool filled = first.is_list ? std::any_of(first.list.begin(), first.list.end(),
                                              [](const Scalar& s) { return !IsEmptyScalar(s); })
                                : !IsEmptyScalar(first.scalar);
    return ExprValue::Of(f == "filled" ? filled : !filled);
  }
  if (f == "length") {
    const std::string* text = std::get_if<std::string>(&first.scalar);
    return ExprValue::Of(text ? static_cast<double>(CountCodePoints(*text)) : 0.0);
  }
  if (rule.operands.size() < 2) return ExprValue::Empty();
  const ExprValue second = Evaluate(rule.operands[1], values);
  if (f == "days_between") {
    const Date* from = std::get_if<Date>(&first.scalar);
    const Date* to = std::get_if<Date>(&second.scalar);
    return from && to ? ExprValue::Of(static_cast<double>(from->DaysUntil(*to))) : ExprValue::Empty();
  }
  if (f == "contains") {
    const std::string* needle = std::get_if<std::string>(&second.scalar);
    if (!needle) return ExprValue::Of(false);
    if (first.is_list) {
      return ExprValue::Of(std::any_of(first.list.begin(), first.list.end(), [&](const Scalar& item) {
        const std::string* text = std::get_if<std::string>(&item);
        return text && *text == *needle;
      }));
    }
    const std::string* haystack = std::get_if<std::string>(&first.scalar);
    return ExprValue::Of(haystack != nullptr && haystack->find(*needle) != std::string::npos);
  }
  return ExprValue::Empty();
}

ExprValue Evaluate(const Rule& rule, const Snapshot& values) {
  switch (rule.kind) {
    case Rule::Kind::kLiteral:
      return ExprValue::Of(rule.literal);
    case Rule::Kind::kReference:
      return values.ValueOf(rule.name);
    case Rule::Kind::kNot:
      return ExprValue::Of(!Evaluate(rule.operands[0], values).IsTrue());
    case Rule::Kind::kAnd:
      return ExprValue::Of(Evaluate(rule.operands[0], values).IsTrue() &&
                           Evaluate(rule.operands[1], values).IsTrue());
    case Rule::Kind::kOr:
      return ExprValue::Of(Evaluate(rule.operands[0], values).IsTrue() ||
                           Evaluate(rule.operands[1], values).IsTrue());
    case Rule::Kind::kNegate: {
      ExprValue operand = Evaluate(rule.operands[0], values);
      const double* number = std::get_if<double>(&operand.scalar);
      return number ? ExprValue::Of(-*number) : ExprValue::Empty();
    }
    case Rule::Kind::kCompare:
      return ExprValue::Of(CompareScalars(rule.name, Evaluate(rule.operands[0], values).scalar,
                                          Evaluate(rule.operands[1], values).scalar));
    case Rule::Kind::kArithmetic:
      return ExprValue::Of(Arithmetic(rule.name, Evaluate(rule.operands[0], values).scalar,
                                      Evaluate(rule.operands[1], values).scalar));
    case Rule::Kind::kCall:
      return EvaluateCall(rule, values);
  }
  return ExprValue::Empty();
}

}  // namespace spegla::cli::demo
