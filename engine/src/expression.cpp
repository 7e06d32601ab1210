#include "spegla/expression.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <span>
#include <type_traits>
#include <utility>

namespace spegla {

struct Expression::Node {
  enum class Op {
    kLiteral,
    kReference,
    kCall,
    kAnd,
    kOr,
    kNot,
    kNegate,
    kEqual,
    kNotEqual,
    kLess,
    kLessEqual,
    kGreater,
    kGreaterEqual,
    kAdd,
    kSubtract,
    kMultiply,
    kDivide
  };
  enum class Function {
    kCount,
    kSum,
    kMin,
    kMax,
    kFilled,
    kEmpty,
    kAssigned,
    kStarted,
    kToday,
    kDate,
    kDuration,
    kDaysBetween,
    kContains,
    kLength
  };

  Op op = Op::kLiteral;
  Function function = Function::kCount;  // for kCall
  ExprType type;
  bool type_known = true;      // false below a type error, so that one mistake is reported once
  bool reads_context = false;  // a reference, assigned() or today() somewhere in this subtree
  size_t offset = 0;           // where the node starts in the source
  int height = 1;
  ExprValue::Scalar literal;  // for kLiteral
  std::string name;           // the canonical field for kReference, the role for assigned()
  std::vector<std::shared_ptr<const Node>> operands;
};

namespace {

using Node = Expression::Node;
using ExprOp = Node::Op;
using ExprFunction = Node::Function;
using NodePtr = std::shared_ptr<Node>;
using Scalar = ExprValue::Scalar;

constexpr size_t kMaxSourceBytes = 4096;
constexpr int kMaxNesting = 64;
// Long operator chains (a + b + c ...) build deep trees without nesting; evaluation recurses over them.
constexpr int kMaxTreeHeight = 256;
constexpr char kTooDeep[] = "expression nested too deeply";

// Dates and durations outside these bounds make calendar arithmetic overflow; such values come only from
// a misbehaving context and evaluate to empty.
constexpr long kMaxDaysFromEpoch = 3'000'000;  // about 8200 years
constexpr long kMaxShiftYears = 10'000;
constexpr long kMaxDurationComponent = 1'000'000;

ExprType ScalarOf(ScalarType s) { return ExprType{s, false}; }
bool IsScalar(const ExprType& t, ScalarType s) { return !t.list && t.scalar == s; }
bool IsList(const ExprType& t, ScalarType s) { return t.list && t.scalar == s; }

// ---------------------------------------------------------------------------------------------------------
// Lexer

// kInvalid marks where the lexer reported an error; parsing stops there without another message.
enum class TokenKind { kNumber, kText, kName, kKeyword, kSymbol, kEnd, kInvalid };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;
  std::string_view spelling;
  std::string text;  // the decoded value of a text literal
  double number = 0;

  bool Is(std::string_view keyword_or_symbol) const {
    return (kind == TokenKind::kKeyword || kind == TokenKind::kSymbol) && spelling == keyword_or_symbol;
  }
};

// Two-character symbols first, so that "<=" is not read as "<" followed by "=".
constexpr std::string_view kSymbols[] = {"==", "!=", "<=", ">=", "<", ">", "+",
                                         "-",  "*",  "/",  "(",  ")", ",", "."};
constexpr std::string_view kKeywords[] = {"and", "or", "not", "true", "false"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }

std::string DescribeUnexpected(std::string_view source, size_t pos) {
  auto byte = static_cast<unsigned char>(source[pos]);
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", byte);
  if (byte < 0x20 || byte == 0x7F) return std::string("unexpected control character ") + hex;
  if (byte < 0x80) {
    std::string message = std::string("unexpected character '") + source[pos] + "'";
    if (byte >= 'A' && byte <= 'Z') message += "; names use lowercase letters, digits and '_'";
    if (byte == '&') message += "; use 'and'";
    if (byte == '|') message += "; use 'or'";
    if (byte == '!') message += "; use 'not' to negate or '!=' to compare";
    if (byte == '=') message += "; use '==' to compare";
    return message;
  }
  size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0;
  if (length == 0 || byte > 0xF4 || pos + length > source.size()) {
    return std::string("unexpected byte ") + hex;
  }
  for (size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(source[pos + i]) & 0xC0) != 0x80) {
      return std::string("unexpected byte ") + hex;
    }
  }
  return "unexpected character '" + std::string(source.substr(pos, length)) + "'";
}

// Always ends with kEnd, or with kInvalid after recording the lexical error.
std::vector<Token> Tokenize(std::string_view source, std::vector<ExprError>* errors) {
  std::vector<Token> tokens;
  auto fail = [&](size_t offset, std::string message) {
    errors->push_back({offset, std::move(message)});
    tokens.push_back({TokenKind::kInvalid, offset, source.substr(offset, 1), {}, 0});
    return tokens;
  };
  size_t pos = 0;
  while (true) {
    while (pos < source.size() &&
           (source[pos] == ' ' || source[pos] == '\t' || source[pos] == '\n' || source[pos] == '\r')) {
      ++pos;
    }
    if (pos == source.size()) break;
    const size_t start = pos;
    const char c = source[pos];
    Token token{TokenKind::kEnd, start, {}, {}, 0};
    if (IsDigit(c)) {
      while (pos < source.size() && IsDigit(source[pos])) ++pos;
      if (pos < source.size() && source[pos] == '.') {
        ++pos;
        if (pos == source.size() || !IsDigit(source[pos])) {
          return fail(start, "expected digits after '.' in number '" +
                                 std::string(source.substr(start, pos - start)) + "'");
        }
        while (pos < source.size() && IsDigit(source[pos])) ++pos;
      }
      std::from_chars_result parsed =
          std::from_chars(source.data() + start, source.data() + pos, token.number);
      if (parsed.ec != std::errc() || !std::isfinite(token.number)) return fail(start, "number too large");
      token.kind = TokenKind::kNumber;
    } else if (IsNameStart(c)) {
      while (pos < source.size() && IsNameChar(source[pos])) ++pos;
      std::string_view word = source.substr(start, pos - start);
      bool keyword = std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
      token.kind = keyword ? TokenKind::kKeyword : TokenKind::kName;
    } else if (c == '\'' || c == '"') {
      ++pos;
      bool closed = false;
      while (pos < source.size()) {
        char d = source[pos];
        if (d == c) {
          closed = true;
          ++pos;
          break;
        }
        if (d == '\\' && pos + 1 < source.size()) {
          char escaped = source[pos + 1];
          if (escaped != '\\' && escaped != '\'' && escaped != '"') {
            return fail(pos, std::string("unknown escape '\\") + escaped +
                                 "' in text; only \\\\, \\' and \\\" are allowed");
          }
          token.text += escaped;
          pos += 2;
          continue;
        }
        token.text += d;
        ++pos;
      }
      if (!closed) return fail(start, std::string("unterminated text (missing closing ") + c + ")");
      token.kind = TokenKind::kText;
    } else {
      auto symbol = std::find_if(std::begin(kSymbols), std::end(kSymbols), [&](std::string_view candidate) {
        return source.substr(pos).starts_with(candidate);
      });
      if (symbol == std::end(kSymbols)) return fail(start, DescribeUnexpected(source, pos));
      token.kind = TokenKind::kSymbol;
      pos += symbol->size();
    }
    token.spelling = source.substr(start, pos - start);
    tokens.push_back(std::move(token));
  }
  tokens.push_back({TokenKind::kEnd, source.size(), {}, {}, 0});
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------
// Parser and type checker

struct FunctionInfo {
  std::string_view name;
  ExprFunction function;
  size_t arity;
};

constexpr FunctionInfo kFunctions[] = {
    {"count", ExprFunction::kCount, 1},
    {"sum", ExprFunction::kSum, 1},
    {"min", ExprFunction::kMin, 1},
    {"max", ExprFunction::kMax, 1},
    {"filled", ExprFunction::kFilled, 1},
    {"empty", ExprFunction::kEmpty, 1},
    {"assigned", ExprFunction::kAssigned, 1},
    {"today", ExprFunction::kToday, 0},
    {"started", ExprFunction::kStarted, 1},
    {"date", ExprFunction::kDate, 1},
    {"duration", ExprFunction::kDuration, 1},
    {"days_between", ExprFunction::kDaysBetween, 2},
    {"contains", ExprFunction::kContains, 2},
    {"length", ExprFunction::kLength, 1},
};

const FunctionInfo* FindFunction(std::string_view name) {
  for (const FunctionInfo& info : kFunctions) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

const std::string* TextLiteral(const Node& node) {
  if (node.op != ExprOp::kLiteral) return nullptr;
  return std::get_if<std::string>(&node.literal);
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const ExprScope& scope, std::vector<ExprError>* errors)
      : tokens_(std::move(tokens)), scope_(scope), errors_(errors) {}

  NodePtr ParseAll() {
    NodePtr root = ParseOr();
    if (root && Peek().kind != TokenKind::kEnd) {
      return Fail("expected end of expression, found " + Describe(Peek()));
    }
    return root;
  }

  std::vector<std::string> TakeReferences() { return std::move(references_); }

 private:
  class NestingGuard {
   public:
    explicit NestingGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~NestingGuard() { --*depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;
    bool too_deep() const { return *depth_ > kMaxNesting; }

   private:
    int* depth_;
  };

  const Token& Peek() const { return tokens_[position_]; }
  const Token& Advance() {
    const Token& token = tokens_[position_];
    if (token.kind != TokenKind::kEnd && token.kind != TokenKind::kInvalid) ++position_;
    return token;
  }

  static std::string Describe(const Token& token) {
    if (token.kind == TokenKind::kEnd) return "end of expression";
    return Quoted(token.spelling);
  }

  // A syntax error at the current token; parsing stops. The lexer already explained an invalid token.
  NodePtr Fail(std::string message) {
    if (Peek().kind != TokenKind::kInvalid) errors_->push_back({Peek().offset, std::move(message)});
    return nullptr;
  }

  void TypeError(size_t offset, std::string message) { errors_->push_back({offset, std::move(message)}); }

  NodePtr MakeNode(ExprOp op, size_t offset, std::vector<NodePtr> operands) {
    auto node = std::make_shared<Node>();
    node->op = op;
    node->offset = offset;
    for (const NodePtr& operand : operands) {
      node->height = std::max(node->height, operand->height + 1);
      node->reads_context |= operand->reads_context;
      node->operands.push_back(operand);
    }
    if (node->height > kMaxTreeHeight) {
      errors_->push_back({offset, kTooDeep});
      return nullptr;
    }
    return node;
  }

  static NodePtr MakeLiteral(size_t offset, Scalar value, ScalarType type) {
    auto node = std::make_shared<Node>();
    node->offset = offset;
    node->literal = std::move(value);
    node->type = ScalarOf(type);
    return node;
  }

  NodePtr ParseOr() { return ParseLogical("or", ExprOp::kOr, &Parser::ParseAnd); }
  NodePtr ParseAnd() { return ParseLogical("and", ExprOp::kAnd, &Parser::ParseNot); }

  NodePtr ParseLogical(std::string_view word, ExprOp op, NodePtr (Parser::*operand)()) {
    NodePtr left = (this->*operand)();
    while (left && Peek().Is(word)) {
      Advance();
      NodePtr right = (this->*operand)();
      if (!right) return nullptr;
      bool known = true;
      for (const NodePtr& side : {left, right}) {
        if (!side->type_known) {
          known = false;
        } else if (!IsScalar(side->type, ScalarType::kBool)) {
          TypeError(side->offset,
                    Quoted(word) + " expects yes/no on both sides, got " + side->type.ToString());
          known = false;
        }
      }
      left = MakeNode(op, left->offset, {left, right});
      if (!left) return nullptr;
      left->type = ScalarOf(ScalarType::kBool);
      left->type_known = known;
    }
    return left;
  }

  NodePtr ParseNot() {
    if (!Peek().Is("not")) return ParseCompare();
    NestingGuard guard(&depth_);
    if (guard.too_deep()) return Fail(kTooDeep);
    size_t offset = Advance().offset;
    NodePtr operand = ParseNot();
    if (!operand) return nullptr;
    NodePtr node = MakeNode(ExprOp::kNot, offset, {operand});
    if (!node) return nullptr;
    node->type = ScalarOf(ScalarType::kBool);
    node->type_known = operand->type_known;
    if (operand->type_known && !IsScalar(operand->type, ScalarType::kBool)) {
      TypeError(offset, "'not' expects yes/no, got " + operand->type.ToString());
      node->type_known = false;
    }
    return node;
  }

  static std::optional<ExprOp> ComparisonOp(const Token& token) {
    static constexpr std::pair<std::string_view, ExprOp> kComparisons[] = {
        {"==", ExprOp::kEqual},     {"!=", ExprOp::kNotEqual}, {"<", ExprOp::kLess},
        {"<=", ExprOp::kLessEqual}, {">", ExprOp::kGreater},   {">=", ExprOp::kGreaterEqual}};
    for (const auto& [symbol, op] : kComparisons) {
      if (token.Is(symbol)) return op;
    }
    return std::nullopt;
  }

  NodePtr ParseCompare() {
    NodePtr left = ParseSum();
    if (!left) return nullptr;
    std::optional<ExprOp> op = ComparisonOp(Peek());
    if (!op) return left;
    const Token& op_token = Advance();
    NodePtr right = ParseSum();
    if (!right) return nullptr;
    if (ComparisonOp(Peek())) return Fail("comparisons cannot be chained; combine them with 'and'");
    return MakeBinary(*op, op_token, left, right);
  }

  NodePtr ParseSum() {
    NodePtr left = ParseProduct();
    while (left && (Peek().Is("+") || Peek().Is("-"))) {
      const Token& op_token = Advance();
      NodePtr right = ParseProduct();
      if (!right) return nullptr;
      ExprOp op = op_token.Is("+") ? ExprOp::kAdd : ExprOp::kSubtract;
      left = MakeBinary(op, op_token, left, right);
    }
    return left;
  }

  NodePtr ParseProduct() {
    NodePtr left = ParseUnary();
    while (left && (Peek().Is("*") || Peek().Is("/"))) {
      const Token& op_token = Advance();
      NodePtr right = ParseUnary();
      if (!right) return nullptr;
      ExprOp op = op_token.Is("*") ? ExprOp::kMultiply : ExprOp::kDivide;
      left = MakeBinary(op, op_token, left, right);
    }
    return left;
  }

  // Result type of a comparison or arithmetic operator, or nullopt with *error set.
  static std::optional<ExprType> BinaryType(ExprOp op, std::string_view spelling, const ExprType& left,
                                            const ExprType& right, std::string* error) {
    const std::string l = left.ToString(), r = right.ToString();
    auto both = [&](ScalarType a, ScalarType b) { return IsScalar(left, a) && IsScalar(right, b); };
    switch (op) {
      case ExprOp::kEqual:
      case ExprOp::kNotEqual:
      case ExprOp::kLess:
      case ExprOp::kLessEqual:
      case ExprOp::kGreater:
      case ExprOp::kGreaterEqual: {
        bool ordering = op != ExprOp::kEqual && op != ExprOp::kNotEqual;
        if (left.list || right.list) {
          *error = "cannot compare " + l + " with " + r + "; use count(), sum(), min() or max() on a list";
        } else if (left != right) {
          *error = "cannot compare " + l + " with " + r;
        } else if (ordering && left.scalar == ScalarType::kBool) {
          *error = "cannot compare yes/no values with " + Quoted(spelling);
        } else {
          return ScalarOf(ScalarType::kBool);
        }
        return std::nullopt;
      }
      case ExprOp::kAdd:
        if (both(ScalarType::kNumber, ScalarType::kNumber)) return ScalarOf(ScalarType::kNumber);
        if (both(ScalarType::kText, ScalarType::kText)) return ScalarOf(ScalarType::kText);
        if (both(ScalarType::kDate, ScalarType::kDuration)) return ScalarOf(ScalarType::kDate);
        if (both(ScalarType::kDuration, ScalarType::kDate)) return ScalarOf(ScalarType::kDate);
        if (both(ScalarType::kDuration, ScalarType::kDuration)) return ScalarOf(ScalarType::kDuration);
        *error = "cannot add " + l + " and " + r;
        return std::nullopt;
      case ExprOp::kSubtract:
        if (both(ScalarType::kNumber, ScalarType::kNumber)) return ScalarOf(ScalarType::kNumber);
        if (both(ScalarType::kDate, ScalarType::kDuration)) return ScalarOf(ScalarType::kDate);
        if (both(ScalarType::kDate, ScalarType::kDate)) return ScalarOf(ScalarType::kNumber);
        *error = "cannot subtract " + r + " from " + l;
        return std::nullopt;
      case ExprOp::kMultiply:
      case ExprOp::kDivide:
        if (both(ScalarType::kNumber, ScalarType::kNumber)) return ScalarOf(ScalarType::kNumber);
        *error =
            std::string(op == ExprOp::kMultiply ? "cannot multiply " : "cannot divide ") + l + " by " + r;
        return std::nullopt;
      default:
        *error = "internal error: unexpected operator";
        return std::nullopt;
    }
  }

  NodePtr MakeBinary(ExprOp op, const Token& op_token, const NodePtr& left, const NodePtr& right) {
    NodePtr node = MakeNode(op, left->offset, {left, right});
    if (!node) return nullptr;
    node->type_known = left->type_known && right->type_known;
    if (!node->type_known) return node;
    std::string error;
    std::optional<ExprType> type = BinaryType(op, op_token.spelling, left->type, right->type, &error);
    if (type) {
      node->type = *type;
    } else {
      TypeError(op_token.offset, std::move(error));
      node->type_known = false;
    }
    return node;
  }

  NodePtr ParseUnary() {
    if (!Peek().Is("-")) return ParsePrimary();
    NestingGuard guard(&depth_);
    if (guard.too_deep()) return Fail(kTooDeep);
    size_t offset = Advance().offset;
    NodePtr operand = ParseUnary();
    if (!operand) return nullptr;
    NodePtr node = MakeNode(ExprOp::kNegate, offset, {operand});
    if (!node) return nullptr;
    node->type = ScalarOf(ScalarType::kNumber);
    node->type_known = operand->type_known;
    if (operand->type_known && !IsScalar(operand->type, ScalarType::kNumber)) {
      TypeError(offset, "cannot negate " + operand->type.ToString());
      node->type_known = false;
    }
    return node;
  }

  NodePtr ParsePrimary() {
    const Token& token = Peek();
    if (token.kind == TokenKind::kNumber)
      return MakeLiteral(Advance().offset, token.number, ScalarType::kNumber);
    if (token.kind == TokenKind::kText) return MakeLiteral(Advance().offset, token.text, ScalarType::kText);
    if (token.Is("true") || token.Is("false")) {
      return MakeLiteral(Advance().offset, token.Is("true"), ScalarType::kBool);
    }
    if (token.kind == TokenKind::kName) return ParseReferenceOrCall();
    if (!token.Is("(")) return Fail("expected a value, found " + Describe(token));
    NestingGuard guard(&depth_);
    if (guard.too_deep()) return Fail(kTooDeep);
    size_t offset = Advance().offset;
    NodePtr inner = ParseOr();
    if (!inner) return nullptr;
    if (!Peek().Is(")")) {
      return Fail("expected ')' to close '(' at offset " + std::to_string(offset) + ", found " +
                  Describe(Peek()));
    }
    Advance();
    return inner;
  }

  NodePtr ParseReferenceOrCall() {
    const size_t offset = Peek().offset;
    std::string dotted(Advance().spelling);
    while (Peek().Is(".")) {
      Advance();
      if (Peek().kind != TokenKind::kName) {
        return Fail("expected a name after '.', found " + Describe(Peek()));
      }
      dotted += ".";
      dotted += Advance().spelling;
    }
    if (Peek().Is("(")) return ParseCall(dotted, offset);

    auto node = std::make_shared<Node>();
    node->op = ExprOp::kReference;
    node->offset = offset;
    node->reads_context = true;
    std::string error;
    std::optional<ResolvedReference> resolved = scope_.Resolve(dotted, &error);
    if (!resolved) {
      TypeError(offset, error.empty() ? "unknown field " + Quoted(dotted) : error);
      node->type_known = false;
      return node;
    }
    node->type = resolved->type;
    node->name = resolved->canonical;
    if (std::find(references_.begin(), references_.end(), node->name) == references_.end()) {
      references_.push_back(node->name);
    }
    return node;
  }

  NodePtr ParseCall(const std::string& name, size_t offset) {
    NestingGuard guard(&depth_);
    if (guard.too_deep()) return Fail(kTooDeep);
    Advance();  // '('
    std::vector<NodePtr> arguments;
    if (!Peek().Is(")")) {
      while (true) {
        NodePtr argument = ParseOr();
        if (!argument) return nullptr;
        arguments.push_back(std::move(argument));
        if (!Peek().Is(",")) break;
        Advance();
      }
    }
    if (!Peek().Is(")")) return Fail("expected ')' after arguments of " + name);
    Advance();

    NodePtr node = MakeNode(ExprOp::kCall, offset, arguments);
    if (!node) return nullptr;
    node->type_known = false;
    const FunctionInfo* info = FindFunction(name);
    if (!info) {
      TypeError(offset, "unknown function " + Quoted(name));
      return node;
    }
    node->function = info->function;
    if (arguments.size() != info->arity) {
      TypeError(offset, "function " + Quoted(name) + " takes " +
                            (info->arity == 0   ? std::string("no arguments")
                             : info->arity == 1 ? std::string("1 argument")
                                                : std::to_string(info->arity) + " arguments") +
                            ", got " + std::to_string(arguments.size()));
      return node;
    }
    return CheckCall(*info, node);
  }

  // Checks argument `index` against `accepts`; an unknown argument type was already reported.
  bool CheckArgument(const FunctionInfo& info, const Node& call, size_t index, bool accepts,
                     std::string_view expected) {
    const Node& argument = *call.operands[index];
    if (!argument.type_known) return false;
    if (accepts) return true;
    std::string where = info.arity > 1 ? " as argument " + std::to_string(index + 1) : "";
    TypeError(argument.offset, "function " + Quoted(info.name) + " expects " + std::string(expected) + where +
                                   ", got " + argument.type.ToString());
    return false;
  }

  NodePtr CheckCall(const FunctionInfo& info, const NodePtr& call) {
    const std::vector<std::shared_ptr<const Node>>& args = call->operands;
    auto result = [&](bool ok, ExprType type) {
      call->type = type;
      call->type_known = ok;
      return call;
    };
    const ExprType first = args.empty() ? ExprType{} : args[0]->type;
    switch (info.function) {
      case ExprFunction::kCount:
        return result(CheckArgument(info, *call, 0, first.list, "a list"), ScalarOf(ScalarType::kNumber));
      case ExprFunction::kSum:
        return result(CheckArgument(info, *call, 0, IsList(first, ScalarType::kNumber), "a list of number"),
                      ScalarOf(ScalarType::kNumber));
      case ExprFunction::kMin:
      case ExprFunction::kMax: {
        bool accepts = IsList(first, ScalarType::kNumber) || IsList(first, ScalarType::kDate);
        return result(CheckArgument(info, *call, 0, accepts, "a list of number or a list of date"),
                      ScalarOf(first.scalar));
      }
      case ExprFunction::kFilled:
      case ExprFunction::kEmpty:
        return result(args[0]->type_known, ScalarOf(ScalarType::kBool));
      case ExprFunction::kAssigned: {
        const std::string* role = TextLiteral(*args[0]);
        if (!role) {
          TypeError(args[0]->offset, "assigned() takes a role id as a text literal");
        } else if (!scope_.HasRole(*role)) {
          TypeError(args[0]->offset, "unknown role " + Quoted(*role));
        } else {
          call->name = *role;
        }
        call->reads_context = true;
        return result(role && !call->name.empty(), ScalarOf(ScalarType::kNumber));
      }
      case ExprFunction::kStarted: {
        const std::string* id = TextLiteral(*args[0]);
        if (!id) {
          TypeError(args[0]->offset, "started() takes a phase or step id as a text literal");
        } else if (!scope_.HasPhaseOrStep(*id)) {
          TypeError(args[0]->offset, "unknown phase or step " + Quoted(*id));
        } else {
          call->name = *id;
        }
        call->reads_context = true;
        return result(id && !call->name.empty(), ScalarOf(ScalarType::kDate));
      }
      case ExprFunction::kToday:
        call->reads_context = true;
        return result(true, ScalarOf(ScalarType::kDate));
      case ExprFunction::kDate: {
        const std::string* text = TextLiteral(*args[0]);
        if (!text) {
          TypeError(args[0]->offset, "date() takes a text literal such as '2026-08-15'");
          return call;
        }
        std::optional<Date> date = Date::Parse(*text);
        if (!date) {
          TypeError(args[0]->offset,
                    "invalid date " + Quoted(*text) + ": use the form YYYY-MM-DD with a real calendar day");
          return call;
        }
        return MakeLiteral(call->offset, *date, ScalarType::kDate);
      }
      case ExprFunction::kDuration: {
        const std::string* text = TextLiteral(*args[0]);
        if (!text) {
          TypeError(args[0]->offset, "duration() takes a text literal such as 'P4W'");
          return call;
        }
        std::string error;
        std::optional<Duration> duration = Duration::Parse(*text, &error);
        if (!duration) {
          TypeError(args[0]->offset, error.empty() ? "invalid duration " + Quoted(*text) : error);
          return call;
        }
        return MakeLiteral(call->offset, *duration, ScalarType::kDuration);
      }
      case ExprFunction::kDaysBetween: {
        bool ok = CheckArgument(info, *call, 0, IsScalar(first, ScalarType::kDate), "a date");
        ok &= CheckArgument(info, *call, 1, IsScalar(args[1]->type, ScalarType::kDate), "a date");
        return result(ok, ScalarOf(ScalarType::kNumber));
      }
      case ExprFunction::kContains: {
        bool accepts = first.scalar == ScalarType::kText;
        bool ok = CheckArgument(info, *call, 0, accepts, "a list of text or text");
        ok &= CheckArgument(info, *call, 1, IsScalar(args[1]->type, ScalarType::kText), "text");
        return result(ok, ScalarOf(ScalarType::kBool));
      }
      case ExprFunction::kLength:
        return result(CheckArgument(info, *call, 0, IsScalar(first, ScalarType::kText), "text"),
                      ScalarOf(ScalarType::kNumber));
    }
    return call;
  }

  std::vector<Token> tokens_;
  size_t position_ = 0;
  int depth_ = 0;
  const ExprScope& scope_;
  std::vector<ExprError>* errors_;
  std::vector<std::string> references_;
};

// ---------------------------------------------------------------------------------------------------------
// Evaluator

bool IsEmptyScalar(const Scalar& value) { return std::holds_alternative<std::monostate>(value); }

bool IsSaneDate(const Date& date) {
  auto days = date.days().time_since_epoch().count();
  return days >= -kMaxDaysFromEpoch && days <= kMaxDaysFromEpoch;
}

// A value of the declared type, or empty: contexts are outside our control.
Scalar Normalize(const Scalar& value, ScalarType type) {
  switch (type) {
    case ScalarType::kBool:
      if (std::holds_alternative<bool>(value)) return value;
      break;
    case ScalarType::kNumber:
      if (const double* number = std::get_if<double>(&value); number && std::isfinite(*number)) return value;
      break;
    case ScalarType::kText:
      if (std::holds_alternative<std::string>(value)) return value;
      break;
    case ScalarType::kDate:
      if (const Date* date = std::get_if<Date>(&value); date && IsSaneDate(*date)) return value;
      break;
    case ScalarType::kDuration:
      if (const Duration* d = std::get_if<Duration>(&value);
          d && std::abs(d->years()) <= kMaxDurationComponent &&
          std::abs(d->months()) <= kMaxDurationComponent && std::abs(d->weeks()) <= kMaxDurationComponent &&
          std::abs(d->days()) <= kMaxDurationComponent) {
        return value;
      }
      break;
  }
  return std::monostate{};
}

ExprValue NumberOrEmpty(double value) {
  return std::isfinite(value) ? ExprValue::Of(value) : ExprValue::Empty();
}

// Operands are normalized (components within kMaxDurationComponent), so these products fit in an int.
ExprValue ShiftDate(const Date& date, const Duration& shift, bool forward) {
  long months = shift.years() * 12L + shift.months();
  long days = shift.weeks() * 7L + shift.days();
  if (!IsSaneDate(date) || std::abs(months) > kMaxShiftYears * 12 || std::abs(days) > kMaxShiftYears * 366) {
    return ExprValue::Empty();
  }
  return ExprValue::Of(forward ? date.Plus(shift) : date.Minus(shift));
}

ExprValue Arithmetic(ExprOp op, const Scalar& left, const Scalar& right) {
  if (IsEmptyScalar(left) || IsEmptyScalar(right)) return ExprValue::Empty();
  const double* a = std::get_if<double>(&left);
  const double* b = std::get_if<double>(&right);
  if (a && b) {
    switch (op) {
      case ExprOp::kAdd:
        return NumberOrEmpty(*a + *b);
      case ExprOp::kSubtract:
        return NumberOrEmpty(*a - *b);
      case ExprOp::kMultiply:
        return NumberOrEmpty(*a * *b);
      case ExprOp::kDivide:
        return *b == 0 ? ExprValue::Empty() : NumberOrEmpty(*a / *b);
      default:
        return ExprValue::Empty();
    }
  }
  const bool add = op == ExprOp::kAdd, subtract = op == ExprOp::kSubtract;
  const auto* text_a = std::get_if<std::string>(&left);
  const auto* text_b = std::get_if<std::string>(&right);
  if (add && text_a && text_b) return ExprValue::Of(*text_a + *text_b);
  const Date* date_a = std::get_if<Date>(&left);
  const Date* date_b = std::get_if<Date>(&right);
  const Duration* duration_a = std::get_if<Duration>(&left);
  const Duration* duration_b = std::get_if<Duration>(&right);
  if ((add || subtract) && date_a && duration_b) return ShiftDate(*date_a, *duration_b, add);
  if (add && duration_a && date_b) return ShiftDate(*date_b, *duration_a, true);
  if (subtract && date_a && date_b) {
    if (!IsSaneDate(*date_a) || !IsSaneDate(*date_b)) return ExprValue::Empty();
    return ExprValue::Of(static_cast<double>(date_b->DaysUntil(*date_a)));
  }
  if (add && duration_a && duration_b) {
    long parts[4] = {
        long{duration_a->years()} + duration_b->years(), long{duration_a->months()} + duration_b->months(),
        long{duration_a->weeks()} + duration_b->weeks(), long{duration_a->days()} + duration_b->days()};
    for (long part : parts) {
      if (std::abs(part) > kMaxDurationComponent) return ExprValue::Empty();
    }
    return ExprValue::Of(Duration(static_cast<int>(parts[0]), static_cast<int>(parts[1]),
                                  static_cast<int>(parts[2]), static_cast<int>(parts[3])));
  }
  return ExprValue::Empty();
}

template <typename T>
bool Ordered(ExprOp op, const T& a, const T& b) {
  switch (op) {
    case ExprOp::kEqual:
      return a == b;
    case ExprOp::kNotEqual:
      return !(a == b);
    case ExprOp::kLess:
      return a < b;
    case ExprOp::kLessEqual:
      return a <= b;
    case ExprOp::kGreater:
      return a > b;
    case ExprOp::kGreaterEqual:
      return a >= b;
    default:
      return false;
  }
}

bool Compare(ExprOp op, const Scalar& left, const Scalar& right) {
  const bool left_empty = IsEmptyScalar(left), right_empty = IsEmptyScalar(right);
  if (left_empty || right_empty) {
    if (op == ExprOp::kEqual) return left_empty && right_empty;
    if (op == ExprOp::kNotEqual) return left_empty != right_empty;
    return false;
  }
  if (left.index() != right.index()) return op == ExprOp::kNotEqual;
  return std::visit(
      [&](const auto& a) -> bool {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(right);
        if constexpr (std::is_same_v<T, std::monostate>) {
          return false;
        } else if constexpr (std::is_same_v<T, Duration>) {
          // Equality is exact; ordering needs a common unit, and months vary in length.
          if (op == ExprOp::kEqual) return a == b;
          if (op == ExprOp::kNotEqual) return !(a == b);
          return Ordered(op, a.ApproximateDays(), b.ApproximateDays());
        } else {
          return Ordered(op, a, b);
        }
      },
      left);
}

double CountCodePoints(const std::string& text) {
  double count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// Elements of a list value, or the scalar itself, so that filled()/empty() treat both alike.
std::span<const Scalar> Elements(const ExprValue& value) {
  if (value.is_list) return value.list;
  return std::span<const Scalar>(&value.scalar, 1);
}

class Evaluator {
 public:
  explicit Evaluator(const ExprContext& context) : context_(context) {}

  ExprValue Eval(const Node& node) const {
    switch (node.op) {
      case ExprOp::kLiteral:
        return ExprValue::Of(node.literal);
      case ExprOp::kReference:
        return Read(node);
      case ExprOp::kCall:
        return Call(node);
      case ExprOp::kAnd:
        return ExprValue::Of(Eval(*node.operands[0]).IsTrue() && Eval(*node.operands[1]).IsTrue());
      case ExprOp::kOr:
        return ExprValue::Of(Eval(*node.operands[0]).IsTrue() || Eval(*node.operands[1]).IsTrue());
      case ExprOp::kNot:
        return ExprValue::Of(!Eval(*node.operands[0]).IsTrue());
      case ExprOp::kNegate: {
        ExprValue operand = Eval(*node.operands[0]);
        const double* number = std::get_if<double>(&operand.scalar);
        return number ? ExprValue::Of(-*number) : ExprValue::Empty();
      }
      case ExprOp::kEqual:
      case ExprOp::kNotEqual:
      case ExprOp::kLess:
      case ExprOp::kLessEqual:
      case ExprOp::kGreater:
      case ExprOp::kGreaterEqual:
        return ExprValue::Of(
            Compare(node.op, Eval(*node.operands[0]).scalar, Eval(*node.operands[1]).scalar));
      case ExprOp::kAdd:
      case ExprOp::kSubtract:
      case ExprOp::kMultiply:
      case ExprOp::kDivide:
        return Arithmetic(node.op, Eval(*node.operands[0]).scalar, Eval(*node.operands[1]).scalar);
    }
    return ExprValue::Empty();
  }

 private:
  ExprValue Read(const Node& node) const {
    ExprValue value = context_.ValueOf(node.name);
    if (!node.type.list) {
      return value.is_list ? ExprValue::Empty() : ExprValue::Of(Normalize(value.scalar, node.type.scalar));
    }
    if (!value.is_list) return ExprValue::List({});
    for (Scalar& item : value.list) item = Normalize(item, node.type.scalar);
    return value;
  }

  ExprValue Call(const Node& node) const {
    switch (node.function) {
      case ExprFunction::kAssigned:
        return ExprValue::Of(static_cast<double>(context_.AssignedCount(node.name)));
      case ExprFunction::kStarted: {
        std::optional<Date> day = context_.Started(node.name);
        return day ? ExprValue::Of(*day) : ExprValue::Empty();
      }
      case ExprFunction::kToday:
        return ExprValue::Of(context_.Today());
      case ExprFunction::kDate:
      case ExprFunction::kDuration:
        return ExprValue::Empty();  // compiled to literals
      default:
        break;
    }
    ExprValue first = Eval(*node.operands[0]);
    switch (node.function) {
      case ExprFunction::kCount:
        return ExprValue::Of(static_cast<double>(std::count_if(
            first.list.begin(), first.list.end(), [](const Scalar& s) { return !IsEmptyScalar(s); })));
      case ExprFunction::kSum: {
        double total = 0;
        for (const Scalar& item : first.list) {
          if (const double* number = std::get_if<double>(&item)) total += *number;
        }
        return NumberOrEmpty(total);
      }
      case ExprFunction::kMin:
      case ExprFunction::kMax: {
        const ExprOp better = node.function == ExprFunction::kMin ? ExprOp::kLess : ExprOp::kGreater;
        Scalar best;
        for (const Scalar& item : first.list) {
          if (!IsEmptyScalar(item) && (IsEmptyScalar(best) || Compare(better, item, best))) best = item;
        }
        return ExprValue::Of(best);
      }
      case ExprFunction::kFilled:
      case ExprFunction::kEmpty: {
        std::span<const Scalar> items = Elements(first);
        bool filled =
            std::any_of(items.begin(), items.end(), [](const Scalar& s) { return !IsEmptyScalar(s); });
        return ExprValue::Of(node.function == ExprFunction::kFilled ? filled : !filled);
      }
      case ExprFunction::kDaysBetween: {
        ExprValue second = Eval(*node.operands[1]);
        const Date* from = std::get_if<Date>(&first.scalar);
        const Date* to = std::get_if<Date>(&second.scalar);
        if (!from || !to || !IsSaneDate(*from) || !IsSaneDate(*to)) return ExprValue::Empty();
        return ExprValue::Of(static_cast<double>(from->DaysUntil(*to)));
      }
      case ExprFunction::kContains: {
        ExprValue second = Eval(*node.operands[1]);
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
      case ExprFunction::kLength: {
        // An unfilled text has no characters, like an empty list has count 0.
        const std::string* text = std::get_if<std::string>(&first.scalar);
        return ExprValue::Of(text ? CountCodePoints(*text) : 0.0);
      }
      default:
        return ExprValue::Empty();
    }
  }

  const ExprContext& context_;
};

// Stands in for a context when evaluating an expression that reads none.
class NoContext final : public ExprContext {
 public:
  ExprValue ValueOf(std::string_view) const override { return ExprValue::Empty(); }
  int AssignedCount(std::string_view) const override { return 0; }
  std::optional<Date> Started(std::string_view) const override { return std::nullopt; }
  Date Today() const override { return Date{}; }
};

}  // namespace

std::string ExprType::ToString() const {
  static constexpr std::string_view kNames[] = {"yes/no", "number", "text", "date", "duration"};
  std::string name(kNames[static_cast<size_t>(scalar)]);
  return list ? "list of " + name : name;
}

bool ExprValue::IsTrue() const {
  if (is_list) return false;
  const bool* value = std::get_if<bool>(&scalar);
  return value != nullptr && *value;
}

std::variant<Expression, std::vector<ExprError>> Expression::Compile(std::string_view source,
                                                                     const ExprScope& scope) {
  std::vector<ExprError> errors;
  if (source.size() > kMaxSourceBytes) {
    errors.push_back({kMaxSourceBytes, "expression too long: " + std::to_string(source.size()) +
                                           " bytes, at most " + std::to_string(kMaxSourceBytes) +
                                           " allowed"});
    return errors;
  }
  std::vector<Token> tokens = Tokenize(source, &errors);
  if (errors.empty() && tokens.front().kind == TokenKind::kEnd) {
    errors.push_back({0, "empty expression"});
    return errors;
  }
  Parser parser(std::move(tokens), scope, &errors);
  NodePtr root = parser.ParseAll();
  if (!root && errors.empty()) errors.push_back({0, "invalid expression"});  // defensive; parsers report
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(),
                     [](const ExprError& a, const ExprError& b) { return a.offset < b.offset; });
    return errors;
  }
  Expression expression;
  expression.source_ = std::string(source);
  expression.type_ = root->type;
  expression.references_ = parser.TakeReferences();
  expression.root_ = std::move(root);
  return expression;
}

ExprValue Expression::Evaluate(const ExprContext& context) const {
  if (!root_) return ExprValue::Empty();
  try {
    return Evaluator(context).Eval(*root_);
  } catch (...) {
    // The contract promises no exceptions; a failing context (or allocation) reads as "not filled in".
    return ExprValue::Empty();
  }
}

std::optional<ExprValue> Expression::ConstantValue() const {
  if (!root_ || root_->reads_context) return std::nullopt;
  return Evaluate(NoContext());
}

}  // namespace spegla
