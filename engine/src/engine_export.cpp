// The management export (export.h, docs/exports.md): the workbook's layout is planned from the
// definitions involved, then every selected instance is read once, in id order, from one snapshot, and
// its rows are streamed to the writer; only the summary's counters stay in memory.
#include <algorithm>
#include <map>
#include <set>

#include "engine_internal.h"
#include "instance_stream.h"
#include "text.h"

namespace spegla {
namespace {

constexpr const char* kStatusActive = "Pågående";
constexpr const char* kStatusCompleted = "Avslutad";

// A cell that owns its text until the row is handed to the writer (Cell only borrows).
struct OwnedCell {
  CellType type = CellType::kEmpty;
  double number = 0;
  std::string text;
};

// One row being built, reused from row to row so that a large export allocates little.
class RowBuffer {
 public:
  void Reset(size_t columns) {
    cells_.resize(columns);
    for (OwnedCell& c : cells_) {
      c.type = CellType::kEmpty;
      c.text.clear();
    }
  }
  void Text(size_t column, std::string_view text) {
    if (!text.empty()) Set(column, CellType::kText, 0).text.assign(text);
  }
  void Number(size_t column, double n) { Set(column, CellType::kNumber, n); }
  void Day(size_t column, std::optional<Date> d) {
    if (d) Set(column, CellType::kDate, static_cast<double>(d->days().time_since_epoch().count()));
  }
  void Instant(size_t column, std::optional<Timestamp> t) {
    if (t) Set(column, CellType::kDateTime, static_cast<double>(t->time_since_epoch().count()));
  }
  void Bool(size_t column, bool b) { Set(column, CellType::kBool, b ? 1.0 : 0.0); }

  void WriteTo(ExportWriter& writer, size_t sheet, RowStyle style = RowStyle::kData) {
    size_t used = cells_.size();
    while (used > 0 && cells_[used - 1].type == CellType::kEmpty) --used;
    view_.clear();
    for (size_t i = 0; i < used; ++i) view_.push_back(Cell{cells_[i].type, cells_[i].number, cells_[i].text});
    writer.AddRow(sheet, view_, style);
  }

 private:
  // Sets type and number in place, keeping the cell's text buffer for the rows to come.
  OwnedCell& Set(size_t column, CellType type, double number) {
    OwnedCell& cell = cells_.at(column);
    cell.type = type;
    cell.number = number;
    cell.text.clear();
    return cell;
  }

  std::vector<OwnedCell> cells_;
  std::vector<Cell> view_;
};

CellType CellTypeOf(ScalarType type) {
  switch (type) {
    case ScalarType::kBool:
      return CellType::kBool;
    case ScalarType::kNumber:
      return CellType::kNumber;
    case ScalarType::kDate:
      return CellType::kDate;
    case ScalarType::kText:
    case ScalarType::kDuration:
      return CellType::kText;
  }
  return CellType::kText;
}

// --- the plan: which sheets and columns, decided before the first row --------------------------------

// The columns every process sheet starts with, so that its rows can be told apart and filtered.
const std::vector<ColumnSpec> kKeyColumns = {
    {"Nr", CellType::kNumber}, {"Kommun", CellType::kText}, {"Enhet", CellType::kText}, {"Process", CellType::kText}};
constexpr size_t kItemColumn = 4;  // "Rad" on sheets with a row per item, right after the keys

struct SheetPlan {
  SheetSpec spec;
  bool items = false;
  std::map<std::string, size_t> by_label;  // an export column's label -> its column
  size_t index = 0;                        // the writer's
  size_t rows = 0;
};

// How one <export> of one definition version fills its sheet.
struct ExportPlan {
  const ExportRule* rule = nullptr;
  size_t sheet = 0;             // into Plan::sheets
  std::vector<size_t> columns;  // per rule column: the sheet column
  // Per rule column: the field whose stored values the column shows, when they are codes better shown
  // as text (a choice's label, a person's name); null otherwise.
  std::vector<const Field*> shown;
};

struct Plan {
  std::vector<DefinitionPtr> definitions;
  std::vector<SheetPlan> sheets;  // process sheets, in order of first appearance
  std::map<const WorkflowDefinition*, std::vector<ExportPlan>> exports;
  std::vector<std::string> budgets;  // distinct budget labels: a used and a limit column each
  // form -> fields the export reads; transparent, so that a stored row is looked up without copying.
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> wanted_values;
};

// The field a column shows when it is just that field (or a group column) of a kind stored as codes.
const Field* ShownField(const WorkflowDefinition& def, const Expression& e) {
  if (e.references().size() != 1 || e.type().scalar != ScalarType::kText) return nullptr;
  std::vector<std::string> parts = SplitDots(e.references()[0]);
  const Form* form = def.FindForm(parts[0]);
  const Field* field = form && parts.size() > 1 ? form->FindField(parts[1]) : nullptr;
  if (field && field->type == FieldType::kGroup && parts.size() > 2) field = field->Column(parts[2]);
  if (!field) return nullptr;
  switch (field->type) {
    case FieldType::kChoice:
    case FieldType::kMultiChoice:
    case FieldType::kPerson:
      return field;
    default:
      return nullptr;
  }
}

void WantReferences(Plan& plan, const Expression& e) {
  for (const std::string& canonical : e.references()) {
    std::vector<std::string> parts = SplitDots(canonical);
    if (parts.size() >= 2) plan.wanted_values[parts[0]].insert(parts[1]);
  }
}

Plan MakePlan(std::vector<DefinitionPtr> definitions) {
  Plan plan;
  plan.definitions = std::move(definitions);
  std::map<std::string, size_t> sheet_by_name;  // folded name -> index
  for (const DefinitionPtr& def : plan.definitions) {
    for (const Budget& budget : def->budgets) {
      if (std::find(plan.budgets.begin(), plan.budgets.end(), budget.label) == plan.budgets.end()) {
        plan.budgets.push_back(budget.label);
      }
      WantReferences(plan, budget.sum);
      std::vector<std::string> per = SplitDots(budget.per);
      if (per.size() >= 2) plan.wanted_values[per[0]].insert(per[1]);
    }
    for (const Phase& phase : def->phases) {
      for (const Step& step : phase.steps) {
        if (!step.due || step.due->anchor != DueRule::Anchor::kField) continue;
        std::vector<std::string> target = SplitDots(step.due->target);
        if (target.size() == 2) plan.wanted_values[target[0]].insert(target[1]);
      }
    }
    std::vector<ExportPlan>& exports = plan.exports[def.get()];
    for (const ExportRule& rule : def->exports) {
      auto [found, added] = sheet_by_name.emplace(FoldCase(rule.sheet), plan.sheets.size());
      if (added) {
        SheetPlan sheet;
        sheet.spec.name = rule.sheet;
        sheet.spec.columns = kKeyColumns;
        plan.sheets.push_back(std::move(sheet));
      }
      SheetPlan& sheet = plan.sheets[found->second];
      const bool items = rule.rows == ExportRule::Rows::kItems;
      if (items && !sheet.items) {
        sheet.items = true;
        sheet.spec.columns.insert(sheet.spec.columns.begin() + kItemColumn, ColumnSpec{"Rad", CellType::kNumber});
        for (auto& [label, column] : sheet.by_label) ++column;
      }
      ExportPlan ep;
      ep.rule = &rule;
      ep.sheet = found->second;
      for (const ExportColumn& column : rule.columns) {
        auto [at, fresh] = sheet.by_label.emplace(column.label, sheet.spec.columns.size());
        if (fresh) {
          // A list joined into one cell is text; spread over rows, each item keeps its type.
          CellType type = column.value.type().list && !items ? CellType::kText : CellTypeOf(column.value.type().scalar);
          sheet.spec.columns.push_back(ColumnSpec{column.label, type});
        }
        ep.columns.push_back(at->second);
        ep.shown.push_back(ShownField(*def, column.value));
        WantReferences(plan, column.value);
      }
      exports.push_back(std::move(ep));
    }
  }
  return plan;
}

// --- the overview and the summary ----------------------------------------------------------------

// Översikt's columns before the budgets; Engine::Export fills them by these positions.
const std::vector<ColumnSpec> kOverviewFixed = {
    {"Nr", CellType::kNumber},           {"Kommun", CellType::kText},       {"Enhet", CellType::kText},
    {"Process", CellType::kText},        {"Version", CellType::kNumber},    {"Benämning", CellType::kText},
    {"Aktuell fas", CellType::kText},    {"Status", CellType::kText},       {"Startad", CellType::kDate},
    {"Avslutad", CellType::kDate},       {"Nästa deadline", CellType::kDate}, {"Försenad", CellType::kBool},
};

std::vector<ColumnSpec> OverviewColumns(const Plan& plan) {
  std::vector<ColumnSpec> columns = kOverviewFixed;
  for (const std::string& budget : plan.budgets) {
    columns.push_back({budget + ", använt", CellType::kNumber});
    columns.push_back({budget + ", tak", CellType::kNumber});
  }
  columns.push_back({"Deltagare", CellType::kNumber});
  columns.push_back({"Dokument", CellType::kNumber});
  columns.push_back({"Senast aktiv (UTC)", CellType::kDateTime});
  return columns;
}

struct Counts {
  std::size_t active = 0, completed = 0, overdue = 0;
};

// The counters behind Sammanfattning: small however many instances there are.
struct Summary {
  std::map<std::string, Counts> by_process;                              // process title
  std::map<std::pair<std::string, std::string>, std::size_t> by_phase;  // (process, phase) -> active
  std::map<std::string, Counts> by_municipality;

  void Add(const std::string& process, const std::string& phase, const std::string& municipality, bool active,
           bool overdue) {
    for (Counts* c : {&by_process[process], &by_municipality[municipality]}) {
      (active ? c->active : c->completed) += 1;
      if (overdue) ++c->overdue;
    }
    if (active) ++by_phase[{process, phase}];
  }
};

const std::vector<ColumnSpec> kCountColumns = {{"Pågående", CellType::kNumber},
                                               {"Avslutade", CellType::kNumber},
                                               {"Totalt", CellType::kNumber},
                                               {"Försenade", CellType::kNumber}};

SheetSpec SummarySpec() {
  SheetSpec spec;
  spec.name = kSummarySheet;
  spec.columns = {{"Process", CellType::kText}};
  spec.columns.insert(spec.columns.end(), kCountColumns.begin(), kCountColumns.end());
  spec.autofilter = false;  // three tables on one sheet
  return spec;
}

// Writes the three tables and their charts; returns the rows written below the header.
std::size_t WriteSummary(ExportWriter& writer, size_t sheet, const Summary& summary) {
  RowBuffer row;
  std::size_t at = 0;  // the last row written, counting the header as 0
  auto counts_table = [&](const std::map<std::string, Counts>& table) {
    const std::size_t first = at + 1;
    for (const auto& [name, c] : table) {
      row.Reset(5);
      row.Text(0, name);
      row.Number(1, static_cast<double>(c.active));
      row.Number(2, static_cast<double>(c.completed));
      row.Number(3, static_cast<double>(c.active + c.completed));
      row.Number(4, static_cast<double>(c.overdue));
      row.WriteTo(writer, sheet);
      ++at;
    }
    return first;
  };
  auto heading = [&](std::vector<std::string> labels) {
    writer.AddRow(sheet, {});  // a blank row between tables
    ++at;
    row.Reset(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) row.Text(i, labels[i]);
    row.WriteTo(writer, sheet, RowStyle::kHeading);
    return ++at;
  };
  auto chart = [&](std::string title, std::string category, std::size_t header, std::size_t first) {
    if (at < first) return;  // no rows, no chart
    writer.AddChart(sheet, ChartSpec{std::move(title), std::move(category), "Antal processer", header, first,
                                     at, 0, {1, 2}, true});
  };

  const std::size_t processes = counts_table(summary.by_process);
  chart("Processer per typ", "Process", 0, processes);

  const std::size_t municipality_header = heading({"Kommun", "Pågående", "Avslutade", "Totalt", "Försenade"});
  const std::size_t municipalities = counts_table(summary.by_municipality);
  chart("Processer per kommun", "Kommun", municipality_header, municipalities);

  heading({"Process", "Fas", "Pågående"});
  for (const auto& [key, count] : summary.by_phase) {
    row.Reset(3);
    row.Text(0, key.first);
    row.Text(1, key.second);
    row.Number(2, static_cast<double>(count));
    row.WriteTo(writer, sheet);
    ++at;
  }
  return at;
}

// --- one instance ----------------------------------------------------------------------------------

// The earliest date something open is due, and whether anything open is late.
void Deadlines(const InstanceView& view, std::optional<Date>* next, bool* overdue) {
  auto consider = [&](const std::optional<Date>& d) {
    if (d && (!*next || *d < **next)) *next = d;
  };
  for (const PhaseView& phase : view.phases) {
    if (phase.state != State::kActive) continue;
    consider(phase.due);
    *overdue = *overdue || phase.overdue;
    for (const StepView& step : phase.steps) {
      if (step.state != State::kActive) continue;
      consider(step.due);
      consider(step.next_due);
      *overdue = *overdue || step.overdue;
    }
  }
}

std::string PhaseLabel(const Engine::Loaded& inst) {
  if (!inst.active()) return kStatusCompleted;
  const Phase* phase = inst.def->FindPhase(inst.summary.current_phase);
  return phase ? phase->label : inst.summary.current_phase;
}

// A stored code as people read it: a choice's label, a participant's name.
std::string Shown(const Engine::Loaded& inst, const Field* field, const std::string& text) {
  if (!field) return text;
  if (field->type == FieldType::kPerson) return DisplayNameOf(inst, text);
  for (const Option& option : field->options) {
    if (option.value == text) return option.label;
  }
  return text;
}

void PutScalar(RowBuffer& row, size_t column, const ExprValue::Scalar& value, const Engine::Loaded& inst,
               const Field* shown) {
  if (auto* b = std::get_if<bool>(&value)) {
    row.Bool(column, *b);
  } else if (auto* n = std::get_if<double>(&value)) {
    row.Number(column, *n);
  } else if (auto* s = std::get_if<std::string>(&value)) {
    row.Text(column, Shown(inst, shown, *s));
  } else if (auto* d = std::get_if<Date>(&value)) {
    row.Day(column, *d);
  } else if (auto* duration = std::get_if<Duration>(&value)) {
    row.Text(column, duration->ToString());
  }
}

std::string JoinedText(const std::vector<ExprValue::Scalar>& items, const Engine::Loaded& inst, const Field* shown) {
  std::string out;
  for (const ExprValue::Scalar& item : items) {
    std::string text;
    if (auto* b = std::get_if<bool>(&item)) {
      text = *b ? "Ja" : "Nej";
    } else if (auto* n = std::get_if<double>(&item)) {
      text = FormatNumber(*n);
    } else if (auto* s = std::get_if<std::string>(&item)) {
      text = Shown(inst, shown, *s);
    } else if (auto* d = std::get_if<Date>(&item)) {
      text = d->ToString();
    } else if (auto* duration = std::get_if<Duration>(&item)) {
      text = duration->ToString();
    }
    if (text.empty()) continue;
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

void PutKeys(RowBuffer& row, const Engine::Loaded& inst) {
  row.Number(0, static_cast<double>(inst.id));
  row.Text(1, inst.summary.municipality);
  row.Text(2, inst.summary.unit);
  row.Text(3, inst.summary.workflow_title);
}

}  // namespace

// --- the export ------------------------------------------------------------------------------------

Result<ExportSummary> Engine::Export(const Actor& actor, const ExportRequest& request, ExportWriter& writer) {
  return Read<ExportSummary>([&]() -> Result<ExportSummary> {
    // Who may export what.
    ExportFilter filter = request.filter;
    if (!actor.is_operator) {
      std::vector<Database::Row> rows =
          db_->Query("SELECT global_role, municipality_id FROM users WHERE username = ?", {actor.username});
      const std::string role = rows.empty() ? "" : rows[0].Text(0);
      if (role == "utvecklingsledare" && !rows[0].IsNull(1)) {
        const std::int64_t own = rows[0].Int(1);
        if (filter.municipality_id && *filter.municipality_id != own) {
          return Error::Of(ErrorCode::kForbidden, "Du kan bara exportera din egen kommuns processer.");
        }
        filter.municipality_id = own;
      } else if (role != "administrator" && role != "forvaltning") {
        return Error::Of(ErrorCode::kForbidden,
                         "Bara administratörer, förvaltningen och utvecklingsledare kan exportera.");
      }
    }
    if (filter.status && *filter.status != "active" && *filter.status != "completed") {
      return Error::Of(ErrorCode::kInvalid, "Status måste vara ”active” eller ”completed”.");
    }

    InstanceSelection selection;
    auto where = [&](const std::string& condition, Database::Param param) {
      selection.where += (selection.where.empty() ? "" : " AND ") + condition;
      selection.params.push_back(std::move(param));
    };
    if (filter.municipality_id) where("m.id = ?", *filter.municipality_id);
    if (filter.unit_id) where("u.id = ?", *filter.unit_id);
    if (filter.workflow_id) where("i.workflow_id = ?", *filter.workflow_id);
    if (filter.status) where("i.status = ?", *filter.status);
    // The period: instances that ran during some part of it. Timestamps are ISO text, so their first ten
    // characters compare as dates.
    if (filter.to) where("substr(i.created_at, 1, 10) <= ?", filter.to->ToString());
    if (filter.from) where("(i.completed_at IS NULL OR substr(i.completed_at, 1, 10) >= ?)", filter.from->ToString());
    const std::string where_sql = selection.where.empty() ? "1 = 1" : selection.where;

    std::optional<Result<ExportSummary>> out;
    db_->InReadTransaction([&] {
      // The definitions: the latest of each process the filter allows, and every version in use.
      std::vector<DefinitionPtr> definitions;
      std::set<std::pair<std::string, int>> versions;
      for (const Database::Row& r :
           db_->Query("SELECT workflow_id, MAX(version) FROM workflow_definitions GROUP BY workflow_id")) {
        if (!filter.workflow_id || *filter.workflow_id == r.Text(0)) {
          versions.emplace(r.Text(0), static_cast<int>(r.Int(1)));
        }
      }
      for (const Database::Row& r : db_->Query(std::string("SELECT DISTINCT i.workflow_id, i.workflow_version ") +
                                                   kSummaryTables + " WHERE " + where_sql,
                                               selection.params)) {
        versions.emplace(r.Text(0), static_cast<int>(r.Int(1)));
      }
      for (const auto& [id, version] : versions) {
        Result<DefinitionPtr> def = LoadDefinition(id, version);
        if (!def) {
          out.emplace(def.error());
          return;
        }
        definitions.push_back(def.value());
      }
      Plan plan = MakePlan(std::move(definitions));

      // The sheets, in the order management reads them.
      std::vector<SheetSpec> specs;
      SheetSpec overview{kOverviewSheet, OverviewColumns(plan), true};
      specs.push_back(overview);
      for (const SheetPlan& sheet : plan.sheets) specs.push_back(sheet.spec);
      specs.push_back(SummarySpec());
      auto chosen = [&](const std::string& name) {
        return !request.sheet || FoldCase(*request.sheet) == FoldCase(name);
      };
      if (std::none_of(specs.begin(), specs.end(), [&](const SheetSpec& s) { return chosen(s.name); })) {
        std::vector<std::string> names;
        for (const SheetSpec& s : specs) names.push_back("”" + s.name + "”");
        out.emplace(Error::Of(ErrorCode::kNotFound, "Det finns inget blad ”" + *request.sheet +
                                                        "” i exporten. Bladen är " + Join(names, ", ") + "."));
        return;
      }
      constexpr size_t kSkipped = static_cast<size_t>(-1);
      auto add = [&](const SheetSpec& spec) { return chosen(spec.name) ? writer.AddSheet(spec) : kSkipped; };
      const size_t overview_index = add(overview);
      for (SheetPlan& sheet : plan.sheets) sheet.index = add(sheet.spec);
      const SheetSpec summary_spec = SummarySpec();
      const size_t summary_index = add(summary_spec);

      const std::size_t total = static_cast<std::size_t>(
          db_->Query(std::string("SELECT COUNT(*) ") + kSummaryTables + " WHERE " + where_sql, selection.params)[0]
              .Int(0));
      if (request.progress) request.progress(0, total);

      MergedCursor documents(db_->Stream(
          std::string("SELECT instance_id, COUNT(DISTINCT document_id) FROM documents WHERE instance_id IN "
                      "(SELECT i.id ") +
              kSummaryTables + " WHERE " + where_sql + ") GROUP BY instance_id ORDER BY instance_id",
          selection.params));
      InstanceStream stream = InstanceStream::Matching(
          *db_, selection, [this](const std::string& id, int version) { return LoadDefinition(id, version); },
          [&plan](std::string_view form, std::string_view field) {
            auto fields = plan.wanted_values.find(form);
            return fields != plan.wanted_values.end() && fields->second.count(field) > 0;
          });

      const Date today = clock_.Today();
      const size_t budget_column = kOverviewFixed.size();
      Summary summary;
      ExportSummary result;
      std::size_t overview_rows = 0;
      RowBuffer row;
      Loaded inst;
      for (;;) {
        Result<bool> next = stream.Next(inst);
        if (!next) {
          out.emplace(next.error());
          return;
        }
        if (!next.value()) break;
        const InstanceView view = BuildView(inst);
        std::optional<Date> next_due;
        bool overdue = false;
        Deadlines(view, &next_due, &overdue);
        summary.Add(inst.summary.workflow_title, PhaseLabel(inst), inst.summary.municipality, inst.active(),
                    overdue);
        std::int64_t document_count = 0;
        documents.Take(inst.id, [&](const Database::Cursor& c) { document_count = c.Int(1); });

        if (overview_index != kSkipped) {
          row.Reset(overview.columns.size());
          PutKeys(row, inst);
          row.Number(4, inst.summary.workflow_version);
          row.Text(5, inst.summary.title);
          row.Text(6, inst.active() ? PhaseLabel(inst) : "");
          row.Text(7, inst.active() ? kStatusActive : kStatusCompleted);
          row.Day(8, DateOf(inst.summary.created_at));
          if (inst.completed_at) row.Day(9, DateOf(*inst.completed_at));
          row.Day(10, next_due);
          row.Bool(11, overdue);
          for (const BudgetView& budget : view.budgets) {
            auto at = std::find(plan.budgets.begin(), plan.budgets.end(), budget.budget->label);
            const size_t column = budget_column + 2 * static_cast<size_t>(at - plan.budgets.begin());
            row.Number(column, budget.used);
            row.Number(column + 1, budget.budget->max);
          }
          const size_t after_budgets = budget_column + 2 * plan.budgets.size();
          std::size_t people = 0;
          for (const ParticipantView& p : view.participants) people += p.organisation_wide ? 0 : 1;
          row.Number(after_budgets, static_cast<double>(people));
          row.Number(after_budgets + 1, static_cast<double>(document_count));
          row.Instant(after_budgets + 2, inst.summary.updated_at);
          row.WriteTo(writer, overview_index);
          ++overview_rows;
        }

        const InstanceContext context(inst, today);
        for (const ExportPlan& ep : plan.exports[inst.def.get()]) {
          SheetPlan& sheet = plan.sheets[ep.sheet];
          if (sheet.index == kSkipped) continue;
          std::vector<ExprValue> values;
          size_t items = 0;
          for (const ExportColumn& column : ep.rule->columns) {
            values.push_back(column.value.Evaluate(context));
            if (values.back().is_list) items = std::max(items, values.back().list.size());
          }
          const bool spread = ep.rule->rows == ExportRule::Rows::kItems;
          // An instance without items has no rows there; one with nothing to show (lessons not yet
          // written) none either: every column empty. Counts are numbers, never empty.
          const bool nothing = std::all_of(values.begin(), values.end(), [](const ExprValue& v) { return v.IsEmpty(); });
          const size_t rows = spread ? items : nothing ? 0 : 1;
          for (size_t item = 0; item < rows; ++item) {
            row.Reset(sheet.spec.columns.size());
            PutKeys(row, inst);
            if (sheet.items && spread) row.Number(kItemColumn, static_cast<double>(item + 1));
            for (size_t c = 0; c < values.size(); ++c) {
              const ExprValue& v = values[c];
              if (!v.is_list) {
                PutScalar(row, ep.columns[c], v.scalar, inst, ep.shown[c]);
              } else if (spread) {
                if (item < v.list.size()) PutScalar(row, ep.columns[c], v.list[item], inst, ep.shown[c]);
              } else {
                row.Text(ep.columns[c], JoinedText(v.list, inst, ep.shown[c]));
              }
            }
            row.WriteTo(writer, sheet.index);
            ++sheet.rows;
          }
        }
        ++result.instances;
        if (request.progress && result.instances % 1000 == 0) request.progress(result.instances, total);
      }
      if (request.progress) request.progress(result.instances, total);

      if (overview_index != kSkipped) result.sheets.emplace_back(kOverviewSheet, overview_rows);
      for (const SheetPlan& sheet : plan.sheets) {
        if (sheet.index != kSkipped) result.sheets.emplace_back(sheet.spec.name, sheet.rows);
      }
      if (summary_index != kSkipped) {
        result.sheets.emplace_back(kSummarySheet, WriteSummary(writer, summary_index, summary));
      }
      out.emplace(std::move(result));
    });
    return std::move(*out);
  });
}

}  // namespace spegla
