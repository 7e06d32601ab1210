// Routes for the management dashboard (/forvaltning) and the public lessons page (/lardomar/{network}).
#include <algorithm>
#include <chrono>
#include <set>

#include "api.h"
#include "api_support.h"

namespace spegla::server {
namespace {

// Counts for one phase of one process.
struct PhaseCount {
  std::string id, label;
  size_t instances = 0, overdue = 0;
};

struct ProcessCount {
  std::string workflow, title;
  size_t instances = 0, active = 0, completed = 0, overdue = 0;
  std::vector<PhaseCount> phases;  // in the definition's order

  PhaseCount& Phase(const spegla::Phase& phase) {
    for (PhaseCount& p : phases) {
      if (p.id == phase.id) return p;
    }
    phases.push_back(PhaseCount{phase.id, phase.label});
    return phases.back();
  }
};

struct DaysCount {
  double days = 0;
  size_t instances = 0;
};

// A budget that counts observers' days (KU8's "observatorsdagar").
bool CountsObserverDays(const Budget& budget) {
  return budget.unit == "dagar" || budget.id.find("observat") != std::string::npos;
}

// A cell as JSON: dates as "YYYY-MM-DD", instants as ISO timestamps.
json::value CellJson(const Cell& cell) {
  switch (cell.type) {
    case CellType::kEmpty:
      return nullptr;
    case CellType::kText:
      return json::string(cell.text);
    case CellType::kNumber:
      return cell.number;
    case CellType::kDate: {
      const std::chrono::year_month_day ymd{
          std::chrono::sys_days{std::chrono::days{static_cast<std::int64_t>(cell.number)}}};
      std::optional<Date> date = Date::FromYmd(
          static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      return date ? json::value(json::string(date->ToString())) : json::value(nullptr);
    }
    case CellType::kDateTime:
      return json::string(
          FormatTimestamp(Timestamp{std::chrono::seconds{static_cast<std::int64_t>(cell.number)}}));
    case CellType::kBool:
      return cell.number != 0;
  }
  return nullptr;
}

// Keeps one sheet of an export in memory, as JSON: what the operator's export writes, without a file.
class JsonTableWriter : public ExportWriter {
 public:
  std::size_t AddSheet(const SheetSpec& sheet) override {
    sheets_.push_back(Sheet{sheet, {}});
    return sheets_.size() - 1;
  }
  void AddRow(std::size_t sheet, std::span<const Cell> cells, RowStyle) override {
    json::array row;
    for (const Cell& cell : cells) row.push_back(CellJson(cell));
    while (row.size() < sheets_[sheet].spec.columns.size()) row.push_back(nullptr);
    sheets_[sheet].rows.push_back(std::move(row));
  }
  void AddChart(std::size_t, const ChartSpec&) override {}
  std::vector<std::string> Finish() override { return {}; }

  struct Sheet {
    SheetSpec spec;
    std::vector<json::array> rows;
  };
  std::vector<Sheet> sheets_;
};

constexpr const char* kLessonsSheet = "Lärdomar";

}  // namespace

void Api::AddInsightRoutes() {
  router_.Add(Route{
      "GET", "/api/insights", Gate::kManagement,
      RouteDoc{"The dashboard: instances per process and phase, overdue counts and observer days per "
               "municipality, over the instances the caller may see",
               "exports",
               {{"municipality_id", "query", "integer", "Only this municipality", false},
                {"workflow", "query", "string", "Only this workflow definition", false}},
               "",
               "",
               "",
               "application/json",
               200,
               {400}},
      [this](RequestContext& c) {
        json::array errors;
        InstanceFilter filter;
        filter.municipality_id = QueryInt(c.request, "municipality_id", &errors);
        if (const std::string* w = c.request.Query("workflow")) filter.workflow_id = *w;
        if (!errors.empty()) return QueryProblem(std::move(errors));
        filter.limit = 500;
        const Actor viewer = c.actor();

        std::vector<ProcessCount> processes;
        std::vector<std::pair<std::string, DaysCount>> days;  // municipality -> days, in order met
        size_t total = 0, active = 0, completed = 0, overdue = 0;
        for (filter.offset = 0;; filter.offset += filter.limit) {
          InstancePage page = engine_.ListInstances(viewer, filter);
          for (const InstanceSummary& s : page.items) {
            Result<InstanceView> view = engine_.GetInstance(viewer, s.id);
            if (!view) continue;  // no longer visible
            auto found = std::find_if(processes.begin(), processes.end(),
                                      [&](const ProcessCount& p) { return p.workflow == s.workflow_id; });
            if (found == processes.end()) {
              processes.push_back(ProcessCount{s.workflow_id, s.workflow_title});
              found = processes.end() - 1;
            }
            ProcessCount& process = *found;
            const bool done = s.status == "completed";
            bool late = false;
            for (const PhaseView& p : view.value().phases) {
              PhaseCount& phase = process.Phase(*p.phase);
              bool phase_late = p.overdue;
              for (const StepView& step : p.steps) phase_late = phase_late || step.overdue;
              if (done || p.state != State::kActive) continue;
              ++phase.instances;
              if (phase_late) ++phase.overdue;
              late = late || phase_late;
            }
            ++total;
            ++process.instances;
            ++(done ? completed : active);
            ++(done ? process.completed : process.active);
            if (late) {
              ++overdue;
              ++process.overdue;
            }
            for (const BudgetView& b : view.value().budgets) {
              if (!CountsObserverDays(*b.budget)) continue;
              double used = b.used;
              if (!b.per.empty()) {
                used = 0;
                for (const auto& [who, n] : b.per) used += n;  // only the sum leaves: no names
              }
              auto at = std::find_if(days.begin(), days.end(),
                                     [&](const auto& d) { return d.first == s.municipality; });
              if (at == days.end()) {
                days.emplace_back(s.municipality, DaysCount{});
                at = days.end() - 1;
              }
              at->second.days += used;
              ++at->second.instances;
            }
          }
          if (page.items.size() < filter.limit || filter.offset + filter.limit >= page.total) break;
        }

        json::array process_list;
        for (const ProcessCount& p : processes) {
          json::array phases;
          for (const PhaseCount& ph : p.phases) {
            phases.push_back(
                {{"id", ph.id}, {"label", ph.label}, {"instances", ph.instances}, {"overdue", ph.overdue}});
          }
          process_list.push_back({{"workflow", p.workflow},
                                  {"title", p.title},
                                  {"instances", p.instances},
                                  {"active", p.active},
                                  {"completed", p.completed},
                                  {"overdue", p.overdue},
                                  {"phases", std::move(phases)}});
        }
        std::sort(days.begin(), days.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        json::array day_list;
        for (const auto& [municipality, d] : days) {
          day_list.push_back({{"municipality", municipality}, {"days", d.days}, {"instances", d.instances}});
        }
        HttpResponse response = JsonResponse(200, json::object{{"instances", total},
                                                               {"active", active},
                                                               {"completed", completed},
                                                               {"overdue", overdue},
                                                               {"processes", std::move(process_list)},
                                                               {"observer_days", std::move(day_list)}});
        response.headers.emplace_back("Cache-Control", "private, no-store");
        return response;
      }});

  router_.Add(Route{
      "GET", "/api/public/lessons/{network}", Gate::kPublic,
      RouteDoc{"The lessons learnt of a network's completed instances: the columns of the export's "
               "sheet Lärdomar, as {columns, rows}",
               "exports",
               {},
               "",
               "",
               "",
               "application/json",
               200,
               {404}},
      [this](RequestContext& c) {
        const std::string& network = Param(c, "network");
        constexpr std::chrono::minutes kFresh{5};
        const auto now = std::chrono::steady_clock::now();
        {
          std::lock_guard lock(public_mutex_);
          auto cached = public_pages_.find(network);
          if (cached != public_pages_.end() && now - cached->second.made < kFresh)
            return cached->second.response;
        }
        std::set<std::string> names;  // the network's municipalities
        for (const Municipality& m : engine_.Municipalities()) {
          if (!network.empty() && m.network == network) names.insert(m.name);
        }
        if (names.empty()) {
          return ErrorResponse(Error::Of(ErrorCode::kNotFound, "Det finns inget nätverk ”" + network + "”."));
        }
        ExportRequest request;
        request.filter.status = "completed";
        request.sheet = kLessonsSheet;
        JsonTableWriter writer;
        Result<ExportSummary> exported = engine_.Export(Actor::Operator(), request, writer);
        json::array columns, rows;
        // No workflow has the sheet: no lessons. Any other failure is one.
        if (!exported && exported.error().code != ErrorCode::kNotFound)
          return ErrorResponse(exported.error());
        if (exported && !writer.sheets_.empty()) {
          const JsonTableWriter::Sheet& sheet = writer.sheets_.front();
          size_t municipality = sheet.spec.columns.size();
          std::vector<size_t> publish;  // "Får publiceras": a row marked no stays off the public page
          for (size_t i = 0; i < sheet.spec.columns.size(); ++i) {
            const std::string& label = sheet.spec.columns[i].label;
            if (label == "Kommun") municipality = i;
            if (label.rfind("Får publiceras", 0) == 0) publish.push_back(i);
            columns.emplace_back(json::string(label));
          }
          for (const json::array& row : sheet.rows) {
            if (municipality >= row.size() || !row[municipality].is_string() ||
                !names.count(std::string(row[municipality].as_string())))
              continue;
            if (std::any_of(publish.begin(), publish.end(),
                            [&](size_t i) { return row[i].is_bool() && !row[i].as_bool(); }))
              continue;
            rows.push_back(row);
          }
        }
        HttpResponse response = JsonResponse(
            200,
            json::object{{"network", network}, {"columns", std::move(columns)}, {"rows", std::move(rows)}});
        response.headers.emplace_back("Cache-Control", "public, max-age=300");
        std::lock_guard lock(public_mutex_);
        public_pages_[network] = CachedPage{now, response};  // only networks that exist get here
        return response;
      }});
}

}  // namespace spegla::server
