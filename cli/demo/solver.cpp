#include "demo/solver.h"

#include <algorithm>

#include "demo/forms.h"
#include "demo/text.h"
#include "demo/values.h"

namespace spegla::cli::demo {
namespace {

std::string Flipped(const std::string& op) {  // a op b  <=>  b Flipped(op) a
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  if (op == ">=") return "<=";
  return op;
}

std::string Negated(const std::string& op) {  // not (a op b)  <=>  a Negated(op) b
  if (op == "<") return ">=";
  if (op == ">=") return "<";
  if (op == ">") return "<=";
  if (op == "<=") return ">";
  if (op == "==") return "!=";
  return "==";
}

// The value of a field's type that holds `value`, when the field can take it.
std::optional<Value> ValueFor(const Field& field, const ExprValue::Scalar& value) {
  switch (field.type) {
    case FieldType::kDate:
      if (auto* d = std::get_if<Date>(&value)) return Value{*d};
      break;
    case FieldType::kNumber:
      if (auto* n = std::get_if<double>(&value)) return Value{*n};
      break;
    case FieldType::kYesNo:
      if (auto* b = std::get_if<bool>(&value)) return Value{*b};
      break;
    case FieldType::kChoice:
      if (auto* s = std::get_if<std::string>(&value); s && field.HasOption(*s)) return Value{*s};
      break;
    case FieldType::kText:
    case FieldType::kLongText:
    case FieldType::kPerson:
      if (auto* s = std::get_if<std::string>(&value)) return Value{*s};
      break;
    default:
      break;
  }
  return std::nullopt;
}

// Changes what the open step may write so that rules come to hold: fields of the step's forms that a
// participant may edit, rows of their tables, occurrences of the step; and, when the demo may move its
// clock, the day ("at least four weeks after the mapping started"). Changes go into the snapshot first and
// are written afterwards by WriteChanges().
class Solver {
 public:
  Solver(FillContext& ctx, Snapshot& values, ManualClock* clock)
      : ctx_(ctx), values_(values), clock_(clock) {}

  bool changed() const { return changed_; }
  bool needs_time() const { return needs_time_; }  // a rule waits for a day the solver could not bring

  // Tries to make `rule` evaluate to `want`; false when it sees no way.
  bool Make(const Rule& rule, bool want) {
    if (Evaluate(rule, values_).IsTrue() == want) return true;
    const std::vector<Rule>& ops = rule.operands;
    switch (rule.kind) {
      case Rule::Kind::kNot:
        return Make(ops[0], !want);
      case Rule::Kind::kAnd:
      case Rule::Kind::kOr: {
        // "a and b" needs both, "a or b" either (the first that can be made to hold); negated, the other way.
        if ((rule.kind == Rule::Kind::kAnd) == want) {
          bool first = Make(ops[0], want);
          return Make(ops[1], want) && first;
        }
        return Make(ops[0], want) || Make(ops[1], want);
      }
      case Rule::Kind::kReference:
        return AssignReference(rule, "==", want);
      case Rule::Kind::kCompare:
        return MakeCompare(want ? rule.name : Negated(rule.name), ops[0], ops[1]);
      case Rule::Kind::kCall:
        if (rule.name == "contains" && ops.size() == 2) return MakeContains(ops[0], ops[1], want);
        if ((rule.name == "filled" && want) || (rule.name == "empty" && !want)) return MakeFilled(ops[0]);
        return false;
      default:
        return false;
    }
  }

 private:
  const WorkflowDefinition& definition() const { return values_.definition(); }

  const Field* FieldOf(const std::string& form, const std::string& field) const {
    const Form* f = definition().FindForm(form);
    return f ? f->FindField(field) : nullptr;
  }

  // A field of one of the step's forms that some participant may edit.
  bool Writable(const std::string& form, const std::string& field) const {
    if (std::find(ctx_.step.forms.begin(), ctx_.step.forms.end(), form) == ctx_.step.forms.end())
      return false;
    const Form* f = definition().FindForm(form);
    const Field* fd = f ? f->FindField(field) : nullptr;
    if (!fd) return false;
    return std::any_of(ctx_.cast.usernames.begin(), ctx_.cast.usernames.end(),
                       [&](const std::string& user) { return ctx_.cast.CanEdit(user, *f, *fd); });
  }

  bool Set(const std::string& form, int occurrence, const Field& field, Value value) {
    if (!CheckConstraints(field, value).empty()) return false;
    values_.Set(form, occurrence, field.id, std::move(value));
    changed_ = true;
    return true;
  }

  // A value that stands in relation `op` to `bound`, of the field's type: the bound itself, a day or one
  // more or less, or for "!=" another option.
  std::optional<Value> Satisfying(const Field& field, const std::string& op, const ExprValue::Scalar& bound) {
    const int step = op == ">" || op == "!=" ? 1 : op == "<" ? -1 : 0;
    if (auto* date = std::get_if<Date>(&bound)) return ValueFor(field, AddDays(*date, step));
    if (auto* number = std::get_if<double>(&bound)) return ValueFor(field, *number + step);
    if (auto* flag = std::get_if<bool>(&bound)) return ValueFor(field, op == "!=" ? !*flag : *flag);
    if (auto* text = std::get_if<std::string>(&bound)) {
      if (op == "==") return ValueFor(field, *text);
      if (op == "!=") return OtherThan(field, *text);
    }
    return std::nullopt;
  }

  // Another value than `avoid`: another option of a choice, another person of the role.
  std::optional<Value> OtherThan(const Field& field, const std::string& avoid) {
    std::vector<std::string> candidates;
    if (field.type == FieldType::kChoice) {
      for (size_t i : FittingOptions(field, ctx_.preschool)) candidates.push_back(field.options[i].value);
    } else if (field.type == FieldType::kPerson) {
      candidates = field.person_role.empty() ? ctx_.cast.usernames : ctx_.cast.InRoles({field.person_role});
    }
    std::erase(candidates, avoid);
    if (candidates.empty()) return std::nullopt;
    return Value{Pick(candidates, ctx_.rng)};
  }

  bool SetSlot(const Slot& slot, const std::optional<Value>& value) {
    const Field* field = FieldOf(slot.form, slot.field);
    if (!value || !field || !Writable(slot.form, slot.field)) return false;
    if (slot.row < 0) return Set(slot.form, slot.occurrence, *field, *value);
    const Field* column = field->Column(slot.column);
    const Value* current = values_.Find(slot.form, slot.occurrence, slot.field);
    const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
    if (!column || !rows || slot.row >= static_cast<int>(rows->size()) ||
        !CheckConstraints(*column, *value).empty()) {
      return false;
    }
    std::vector<Row> changed = *rows;
    changed[static_cast<size_t>(slot.row)][column->id] = *value;
    return Set(slot.form, slot.occurrence, *field, Value{std::move(changed)});
  }

  // `op` with the value of the other side as bound: the side that can be written is changed.
  bool MakeCompare(const std::string& op, const Rule& left, const Rule& right) {
    ExprValue bound = Evaluate(right, values_);
    if (!bound.is_list && !IsEmptyScalar(bound.scalar) && Assign(left, op, bound.scalar)) return true;
    bound = Evaluate(left, values_);
    return !bound.is_list && !IsEmptyScalar(bound.scalar) && Assign(right, Flipped(op), bound.scalar);
  }

  // Makes `target op bound` hold by writing what `target` reads.
  bool Assign(const Rule& target, const std::string& op, const ExprValue::Scalar& bound) {
    switch (target.kind) {
      case Rule::Kind::kReference:
        return AssignReference(target, op, bound);
      case Rule::Kind::kNegate: {
        const double* number = std::get_if<double>(&bound);
        return number && Assign(target.operands[0], Flipped(op), -*number);
      }
      case Rule::Kind::kArithmetic: {
        // a + b op c: a op c - b, or b op c - a; a - b op c: a op c + b, or b (flipped op) a - c.
        const Rule& a = target.operands[0];
        const Rule& b = target.operands[1];
        const ExprValue::Scalar va = Evaluate(a, values_).scalar, vb = Evaluate(b, values_).scalar;
        if (target.name == "+")
          return Assign(a, op, Arithmetic("-", bound, vb)) || Assign(b, op, Arithmetic("-", bound, va));
        if (target.name == "-")
          return Assign(a, op, Arithmetic("+", bound, vb)) ||
                 Assign(b, Flipped(op), Arithmetic("-", va, bound));
        return false;
      }
      case Rule::Kind::kCall:
        if (target.name == "today") return Wait(op, bound);
        if (target.operands.size() != 1 || target.operands[0].kind != Rule::Kind::kReference) return false;
        if (target.name == "min" || target.name == "max") return AssignExtreme(target, op, bound);
        if (target.name == "count") return AssignCount(target.operands[0].name, op, bound);
        return false;
      default:
        return false;
    }
  }

  bool AssignReference(const Rule& target, const std::string& op, const ExprValue::Scalar& bound) {
    std::vector<std::string> parts = SplitDots(target.name);
    if (parts.size() != 2 || definition().RepeatingStepOf(parts[0]) || !Writable(parts[0], parts[1]))
      return false;
    const Field* field = FieldOf(parts[0], parts[1]);
    std::optional<Value> value = Satisfying(*field, op, bound);
    return value && Set(parts[0], 0, *field, *value);
  }

  // min(list) or max(list) op bound. The elements on the wrong side of the bound are moved to it ("every
  // visit within the visit days"); when one element must reach it ("a meeting after the last one"), the
  // newest does, or a new one is added.
  bool AssignExtreme(const Rule& target, const std::string& op, const ExprValue::Scalar& bound) {
    const std::string& list = target.operands[0].name;
    const bool is_max = target.name == "max";
    std::vector<Slot> slots = values_.SlotsOf(list);
    ExprValue items = values_.ValueOf(list);
    if (slots.size() != items.list.size()) return false;
    // Every element must be on the right side for max <= b and min >= b (and both ways for ==).
    const std::string every = op == "==" ? (is_max ? "<=" : ">=") : op;
    const bool all = op == "==" || (is_max ? op[0] == '<' : op[0] == '>');
    bool done = false;
    if (all) {
      // Dates moved inside a bound keep their order a day apart, the farthest at the bound: visits on
      // consecutive visit days rather than all on the last one.
      std::vector<size_t> wrong;
      for (size_t i = 0; i < slots.size(); ++i) {
        if (!IsEmptyScalar(items.list[i]) && !CompareScalars(every, items.list[i], bound)) wrong.push_back(i);
      }
      const std::string farther = every[0] == '<' ? ">" : "<";
      std::stable_sort(wrong.begin(), wrong.end(), [&](size_t a, size_t b) {
        return CompareScalars(farther, items.list[a], items.list[b]);  // the farthest from the bound first
      });
      for (size_t k = 0; k < wrong.size(); ++k) {
        const Slot& slot = slots[wrong[k]];
        const Field* field = FieldOf(slot.form, slot.field);
        const Field* cell = field && slot.row >= 0 ? field->Column(slot.column) : field;
        ExprValue::Scalar moved = bound;
        if (const Date* day = std::get_if<Date>(&bound)) {
          const int offset = static_cast<int>(k);
          moved = AddDays(*day, every[0] == '<' ? -offset : offset);
        }
        if (!cell || !SetSlot(slot, Satisfying(*cell, every, moved))) return false;
        done = true;
      }
    }
    // One element reaches the bound (also when the list holds nothing yet): the newest, or a new one.
    if ((done && op != "==") || CompareScalars(op, Evaluate(target, values_).scalar, bound)) return true;
    for (size_t i = slots.size(); i-- > 0;) {
      const Field* field = FieldOf(slots[i].form, slots[i].field);
      const Field* cell = field && slots[i].row >= 0 ? field->Column(slots[i].column) : field;
      if (cell && SetSlot(slots[i], Satisfying(*cell, op, bound))) return true;
    }
    return Append(list, op, bound);
  }

  // Adds an element to a list: a row to a table, or an occurrence to the step, holding `op bound`.
  bool Append(const std::string& list, const std::string& op, const ExprValue::Scalar& bound) {
    std::vector<std::string> parts = SplitDots(list);
    const Field* field = FieldOf(parts[0], parts.size() > 1 ? parts[1] : "");
    if (!field || !Writable(parts[0], field->id)) return false;
    if (parts.size() == 3) {
      const Field* column = field->Column(parts[2]);
      std::optional<Value> value = column ? Satisfying(*column, op, bound) : std::nullopt;
      return value && AddRow(parts[0], *field, column->id, *value);
    }
    if (definition().RepeatingStepOf(parts[0]) != &ctx_.step) return false;
    std::optional<int> occurrence = AddOccurrence();
    std::optional<Value> value = occurrence ? Satisfying(*field, op, bound) : std::nullopt;
    return value && Set(parts[0], *occurrence, *field, *value);
  }

  // The newest occurrence of a form (0 for a form that does not repeat); -1 before the first.
  int LastOccurrence(const std::string& form) const {
    std::vector<int> occurrences = values_.OccurrencesOf(form);
    return occurrences.empty() ? -1 : occurrences.back();
  }

  // Adds a generated row to a table (in the newest occurrence), with `column` set to `value`.
  bool AddRow(const std::string& form, const Field& group, const std::string& column, const Value& value) {
    const int occurrence = LastOccurrence(form);
    if (occurrence < 0) return false;
    const Value* current = values_.Find(form, occurrence, group.id);
    std::vector<Row> rows;
    if (current) {
      if (auto* existing = std::get_if<std::vector<Row>>(&current->data)) rows = *existing;
    }
    ctx_.form = definition().FindForm(form);
    ctx_.occurrence = occurrence;
    Row row = GenerateRow(group, form + "." + group.id, static_cast<int>(rows.size()), false, ctx_);
    if (!column.empty()) row[column] = value;
    rows.push_back(std::move(row));
    return Set(form, occurrence, group, Value{std::move(rows)});
  }

  // Adds an occurrence of the open step, its forms planned like the others'; its number, or nullopt at the
  // step's maximum.
  std::optional<int> AddOccurrence() {
    const Step& step = ctx_.step;
    if (!step.repeat || (step.repeat->max && values_.Occurrences(step.id) >= *step.repeat->max))
      return std::nullopt;
    std::vector<std::string> performers = ctx_.cast.InRoles(step.performers);
    if (performers.empty()) return std::nullopt;
    Result<int> added =
        ctx_.engine.AddOccurrence(Actor::User(Pick(performers, ctx_.rng)), ctx_.instance, step.id);
    if (!added) return std::nullopt;
    values_.Added(step.id);
    for (const std::string& form_id : step.forms) {
      const Form* form = definition().FindForm(form_id);
      if (form && definition().RepeatingStepOf(form_id) == &step)
        PlanForm(ctx_, values_, *form, added.value());
    }
    changed_ = true;
    return added.value();
  }

  // count(list) op n: rows added to a table (or removed, for == and <=), occurrences added to the step.
  bool AssignCount(const std::string& list, const std::string& op, const ExprValue::Scalar& bound) {
    const double* n = std::get_if<double>(&bound);
    if (!n) return false;
    const int wanted = op == ">"   ? static_cast<int>(std::floor(*n)) + 1
                       : op == "<" ? static_cast<int>(std::ceil(*n)) - 1
                                   : static_cast<int>(op[0] == '<' ? std::floor(*n) : std::ceil(*n));
    std::vector<std::string> parts = SplitDots(list);
    const Field* field = parts.size() > 1 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], field->id)) return false;
    for (int last = -1;;) {
      ExprValue items = values_.ValueOf(list);
      const int count =
          static_cast<int>(std::count_if(items.list.begin(), items.list.end(),
                                         [](const ExprValue::Scalar& s) { return !IsEmptyScalar(s); }));
      if (CompareScalars(op, static_cast<double>(count), *n)) return true;
      if (count == last) return false;  // no progress: the rows or occurrences added stay empty
      last = count;
      if (count < wanted ? !Grow(parts, *field) : !Shrink(parts, *field)) return false;
    }
  }

  // One more element in a list: an empty cell filled, a row, an option, or an occurrence.
  bool Grow(const std::vector<std::string>& parts, const Field& field) {
    const int occurrence = LastOccurrence(parts[0]);
    if (field.type == FieldType::kGroup && occurrence >= 0) {
      const Field* column = parts.size() > 2 ? field.Column(parts[2]) : nullptr;
      const Value* current = values_.Find(parts[0], occurrence, field.id);
      const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
      for (int row = 0; column && rows && row < static_cast<int>(rows->size()); ++row) {
        auto cell = (*rows)[static_cast<size_t>(row)].find(column->id);
        if (cell != (*rows)[static_cast<size_t>(row)].end() && !cell->second.IsEmpty()) continue;
        ctx_.form = definition().FindForm(parts[0]);
        return SetSlot(Slot{parts[0], field.id, column->id, occurrence, row},
                       Generate(*column, parts[0] + "." + field.id + "." + column->id,
                                static_cast<size_t>(row), false, ctx_));
      }
      return AddRow(parts[0], field, "", Value{});
    }
    if (field.type == FieldType::kMultiChoice && parts.size() == 2 && occurrence >= 0) {
      const Value* current = values_.Find(parts[0], occurrence, field.id);
      std::vector<std::string> chosen;
      if (current) {
        if (auto* items = std::get_if<std::vector<std::string>>(&current->data)) chosen = *items;
      }
      for (const Option& option : field.options) {
        if (std::find(chosen.begin(), chosen.end(), option.value) != chosen.end()) continue;
        chosen.push_back(option.value);
        return Set(parts[0], occurrence, field, Value{chosen});
      }
      return false;
    }
    return parts.size() == 2 && definition().RepeatingStepOf(parts[0]) == &ctx_.step && AddOccurrence();
  }

  // One row fewer in a table (the last), as long as its range allows.
  bool Shrink(const std::vector<std::string>& parts, const Field& field) {
    const int occurrence = LastOccurrence(parts[0]);
    if (field.type != FieldType::kGroup || occurrence < 0) return false;
    const Value* current = values_.Find(parts[0], occurrence, field.id);
    const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
    if (!rows || rows->empty()) return false;
    std::vector<Row> fewer(rows->begin(), rows->end() - 1);
    return Set(parts[0], occurrence, field, Value{std::move(fewer)});
  }

  // contains(list, needle): the needle added to the list (an option chosen, a row or occurrence holding
  // it) or every copy of it replaced; else the needle set to (or away from) what the list holds.
  bool MakeContains(const Rule& list, const Rule& needle, bool want) {
    ExprValue n = Evaluate(needle, values_);
    const std::string* text = std::get_if<std::string>(&n.scalar);
    if (!text || text->empty()) return false;
    if (list.kind == Rule::Kind::kReference &&
        (want ? AddItem(list.name, *text) : RemoveItem(list.name, *text))) {
      return true;
    }
    if (needle.kind != Rule::Kind::kReference) return false;
    ExprValue items = Evaluate(list, values_);
    if (want) {
      for (const ExprValue::Scalar& item : items.list) {
        if (!IsEmptyScalar(item) && AssignReference(needle, "==", item)) return true;
      }
      return false;
    }
    std::vector<std::string> parts = SplitDots(needle.name);
    const Field* field = parts.size() == 2 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || field->type != FieldType::kChoice || !Writable(parts[0], parts[1])) return false;
    std::vector<std::string> free;
    for (size_t i : FittingOptions(*field, ctx_.preschool)) {
      const std::string& value = field->options[i].value;
      bool listed = std::any_of(items.list.begin(), items.list.end(), [&](const ExprValue::Scalar& item) {
        const std::string* s = std::get_if<std::string>(&item);
        return s && *s == value;
      });
      if (!listed) free.push_back(value);
    }
    return !free.empty() && Set(parts[0], 0, *field, Value{Pick(free, ctx_.rng)});
  }

  bool AddItem(const std::string& list, const std::string& text) {
    std::vector<std::string> parts = SplitDots(list);
    const Field* field = parts.size() > 1 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], field->id)) return false;
    if (definition().RepeatingStepOf(parts[0]) && values_.OccurrencesOf(parts[0]).empty() &&
        !AddOccurrence()) {
      return false;
    }
    const int occurrence = LastOccurrence(parts[0]);
    if (occurrence < 0) return false;
    const Value* current = values_.Find(parts[0], occurrence, field->id);
    if (parts.size() == 3 && field->type == FieldType::kGroup) {
      const Field* column = field->Column(parts[2]);
      std::optional<Value> value = column ? ValueFor(*column, text) : std::nullopt;
      if (!value) return false;
      const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
      for (int row = 0; rows && row < static_cast<int>(rows->size()); ++row) {
        auto cell = (*rows)[static_cast<size_t>(row)].find(column->id);
        if (cell == (*rows)[static_cast<size_t>(row)].end() || cell->second.IsEmpty()) {
          return SetSlot(Slot{parts[0], field->id, column->id, occurrence, row}, value);
        }
      }
      if (AddRow(parts[0], *field, column->id, *value)) return true;
      // The table is full: the last row is about the needle instead.
      return rows && !rows->empty() &&
             SetSlot(Slot{parts[0], field->id, column->id, occurrence, static_cast<int>(rows->size()) - 1},
                     value);
    }
    if (parts.size() != 2) return false;
    if (field->type == FieldType::kMultiChoice) {
      std::vector<std::string> chosen;
      if (current) {
        if (auto* items = std::get_if<std::vector<std::string>>(&current->data)) chosen = *items;
      }
      if (!field->HasOption(text)) return false;
      chosen.push_back(text);
      return Set(parts[0], occurrence, *field, Value{chosen});
    }
    if (definition().RepeatingStepOf(parts[0])) {  // a field over occurrences: the newest holds it
      std::optional<Value> value = ValueFor(*field, text);
      return value && Set(parts[0], occurrence, *field, *value);
    }
    const std::string* existing = current ? std::get_if<std::string>(&current->data) : nullptr;
    std::optional<Value> value = ValueFor(*field, existing ? *existing + " " + text : text);
    return value && Set(parts[0], 0, *field, *value);
  }

  bool RemoveItem(const std::string& list, const std::string& text) {
    std::vector<std::string> parts = SplitDots(list);
    const Field* field = parts.size() > 1 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], field->id)) return false;
    if (parts.size() == 2 && field->type == FieldType::kMultiChoice) {
      bool done = false;
      for (int occurrence : values_.OccurrencesOf(parts[0])) {
        const Value* current = values_.Find(parts[0], occurrence, field->id);
        const auto* items = current ? std::get_if<std::vector<std::string>>(&current->data) : nullptr;
        if (!items || std::find(items->begin(), items->end(), text) == items->end()) continue;
        std::vector<std::string> fewer = *items;
        std::erase(fewer, text);
        if (fewer.empty()) {
          for (const Option& option : field->options) {
            if (option.value != text) {
              fewer.push_back(option.value);
              break;
            }
          }
        }
        if (!Set(parts[0], occurrence, *field, Value{fewer})) return false;
        done = true;
      }
      return done;
    }
    std::vector<Slot> slots = values_.SlotsOf(list);
    ExprValue items = values_.ValueOf(list);
    if (slots.empty() || slots.size() != items.list.size()) return false;
    for (size_t i = 0; i < slots.size(); ++i) {
      const std::string* item = std::get_if<std::string>(&items.list[i]);
      if (!item || *item != text) continue;
      const Field* cell = slots[i].row >= 0 ? field->Column(slots[i].column) : field;
      if (!cell || !SetSlot(slots[i], OtherThan(*cell, text))) return false;
    }
    return true;
  }

  bool MakeFilled(const Rule& target) {
    if (target.kind != Rule::Kind::kReference) return false;
    std::vector<std::string> parts = SplitDots(target.name);
    const Field* field = parts.size() == 2 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], parts[1])) return false;
    const int occurrence = LastOccurrence(parts[0]);
    if (occurrence < 0 || values_.Find(parts[0], occurrence, field->id)) return false;
    ctx_.form = definition().FindForm(parts[0]);
    ctx_.occurrence = occurrence;
    Value value = Generate(*field, target.name, 0, false, ctx_);
    return !value.IsEmpty() && Set(parts[0], occurrence, *field, std::move(value));
  }

  // today() op day: time passes on the demo's clock until the rule holds, when the demo may move it.
  bool Wait(const std::string& op, const ExprValue::Scalar& bound) {
    const Date* day = std::get_if<Date>(&bound);
    if (!day || (op != ">=" && op != ">")) return false;
    const Date until = AddDays(*day, op == ">" ? 1 : 0);
    if (!clock_) {
      needs_time_ = true;
      return false;
    }
    const Timestamp now = clock_->Now();
    const auto time_of_day = now - std::chrono::floor<std::chrono::days>(now);
    clock_->Set(std::chrono::time_point_cast<std::chrono::seconds>(until.days()) + time_of_day);
    changed_ = true;
    return true;
  }

  FillContext& ctx_;
  Snapshot& values_;
  ManualClock* clock_;
  bool changed_ = false;
  bool needs_time_ = false;
};

}  // namespace

Solved Solve(FillContext& ctx, Snapshot& values, ManualClock* clock,
             const std::vector<std::pair<Rule, bool>>& goals) {
  Solver solver(ctx, values, clock);
  for (const auto& [rule, want] : goals) solver.Make(rule, want);
  return Solved{solver.changed(), solver.needs_time()};
}

}  // namespace spegla::cli::demo
