#include "scenario_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "../plugins/docx/docx_test_support.h"
#include "scenario_actions_engine.h"
#include "spegla/builtin_plugins.h"
#include "spegla/value.h"
#include "../support/test_database.h"

namespace spegla::test {
namespace {

struct ScenarioFailure {
  std::string message;
};

[[noreturn]] void Fail(std::string message) { throw ScenarioFailure{std::move(message)}; }

void Arity(const std::vector<std::string>& words, size_t min, size_t max, const char* usage) {
  if (words.size() < min || words.size() > max) Fail(std::string("usage: ") + usage);
}

Timestamp MorningOf(Date date) { return Timestamp{date.days()} + std::chrono::hours(8); }

Date ParseDate(const std::string& text) {
  std::optional<Date> date = Date::Parse(text);
  if (!date) Fail("not a date (YYYY-MM-DD): " + text);
  return *date;
}

double ParseNumber(const std::string& text) {
  std::string dotted = text;
  for (char& c : dotted) {
    if (c == ',') c = '.';
  }
  char* end = nullptr;
  double value = std::strtod(dotted.c_str(), &end);
  if (dotted.empty() || *end != '\0') Fail("not a number: " + text);
  return value;
}

// "key=value" options after the positional words of a setup command.
std::map<std::string, std::string> Options(const std::vector<std::string>& words, size_t from) {
  std::map<std::string, std::string> options;
  for (size_t i = from; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    if (eq == std::string::npos) Fail("expected key=value, got " + words[i]);
    options[words[i].substr(0, eq)] = words[i].substr(eq + 1);
  }
  return options;
}

// "form#2" -> {"form", 2}; "form" -> {"form", 0}.
std::pair<std::string, int> FormAndOccurrence(const std::string& text) {
  size_t hash = text.find('#');
  if (hash == std::string::npos) return {text, 0};
  return {text.substr(0, hash), static_cast<int>(ParseNumber(text.substr(hash + 1)))};
}

template <typename T>
std::optional<Error> OutcomeOf(const Result<T>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

std::optional<ErrorCode> CodeNamed(const std::string& name) {
  static const std::pair<const char*, ErrorCode> kCodes[] = {
      {"not-found", ErrorCode::kNotFound}, {"forbidden", ErrorCode::kForbidden},
      {"invalid", ErrorCode::kInvalid},    {"refused", ErrorCode::kRefused},
      {"conflict", ErrorCode::kConflict},
  };
  for (const auto& [text, code] : kCodes) {
    if (name == text) return code;
  }
  return std::nullopt;
}

}  // namespace

ScenarioRunner::ScenarioRunner(std::string workflows_dir, const std::string& database,
                               const ActionsFactory& actions)
    : workflows_dir_(std::move(workflows_dir)),
      scratch_(database + ".documents"),
      clock_(MorningOf(*Date::Parse("2026-08-17"))),
      engine_(Engine::Open(TestDatabase(database), clock_)) {
  AddBuiltinPlugins(plugins_);
  engine_->SetPlugins(&plugins_);
  actions_ = actions ? actions(*engine_) : std::make_unique<EngineScenarioActions>(*engine_);
}

ScenarioRunner::~ScenarioRunner() {
  actions_.reset();  // they may serve the engine: they go first
  engine_.reset();   // before the plugins it uses
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

std::string ScenarioRunner::Run(const ScenarioScript& script, const std::string& file) {
  if (!script.error.empty()) return file + ": " + script.error;
  const std::vector<ScenarioLine>& lines = script.lines;
  for (size_t i = 0; i < lines.size(); ++i) {
    const ScenarioLine& line = lines[i];
    try {
      if (line.words.front() == "=>") Fail("\"=>\" must follow an action");
      Outcome outcome = Execute(line.words);
      bool expects_failure = i + 1 < lines.size() && lines[i + 1].words.front() == "=>";
      if (expects_failure && line.words.front() == "expect") {
        return file + ":" + std::to_string(lines[i + 1].line) + ": \"=>\" must follow an action";
      }
      if (expects_failure) {
        ++i;
        try {
          CheckFailure(outcome, lines[i].words);
        } catch (const ScenarioFailure& failure) {
          return file + ":" + std::to_string(lines[i].line) + ": " + failure.message;
        }
      } else if (outcome) {
        Fail("failed: " + std::string(ToString(outcome->code)) + ": " + outcome->Summary());
      }
    } catch (const ScenarioFailure& failure) {
      return file + ":" + std::to_string(line.line) + ": " + failure.message;
    }
  }
  return {};
}

void ScenarioRunner::CheckFailure(const Outcome& outcome, const Words& words) {
  if (!outcome) Fail("the action succeeded, but the scenario expects it to fail");
  if (words.size() < 2 || words[1] != "fails") Fail("usage: => fails [kind] [\"text\" ...]");
  std::string summary = outcome->Summary();
  size_t first_text = 2;
  if (words.size() > 2) {
    if (std::optional<ErrorCode> code = CodeNamed(words[2])) {
      first_text = 3;
      if (*code != outcome->code) {
        Fail(std::string("failed as ") + ToString(outcome->code) + " instead of " + words[2] + ": " +
             summary);
      }
    }
  }
  for (size_t i = first_text; i < words.size(); ++i) {
    if (summary.find(words[i]) == std::string::npos) {
      Fail("the error does not say \"" + words[i] + "\"; it says: " + summary);
    }
  }
}

ScenarioRunner::Outcome ScenarioRunner::Execute(const Words& words) {
  const std::string& verb = words.front();
  if (verb == "expect") {
    Expect(words);
    return std::nullopt;
  }
  if (verb == "as") {
    Arity(words, 3, SIZE_MAX, "as USER ACTION ...");
    Actor actor = words[1] == "operator" ? Actor::Operator() : Actor::User(words[1]);
    return Act(actor, Words(words.begin() + 2, words.end()));
  }
  if (verb == "instance" || verb == "assign" || verb == "unassign") return Act(Actor::Operator(), words);
  return Setup(words);
}

ScenarioRunner::Outcome ScenarioRunner::Setup(const Words& w) {
  const Actor op = Actor::Operator();
  const std::string& verb = w.front();
  if (verb == "clock") {
    Arity(w, 2, 2, "clock YYYY-MM-DD | clock +DURATION");
    if (w[1].starts_with('+')) {
      std::string error;
      std::optional<Duration> step = Duration::Parse(w[1].substr(1), &error);
      if (!step) Fail(error);
      clock_.Set(MorningOf(clock_.Today().Plus(*step)));
    } else {
      clock_.Set(MorningOf(ParseDate(w[1])));
    }
    return std::nullopt;
  }
  if (verb == "workflow") {
    Arity(w, 2, 2, "workflow FILE.xml");
    InstallOutcome installed = engine_->InstallDefinitionFile(op, workflows_dir_ + "/" + w[1]);
    if (!installed.problems.empty()) {
      std::string all;
      for (const Problem& problem : installed.problems) all += "\n  " + problem.Format();
      Fail("the workflow does not load:" + all);
    }
    return std::nullopt;
  }
  if (verb == "municipality") {
    Arity(w, 3, 4, "municipality KEY \"Name\" [network=NET]");
    Result<std::int64_t> id = engine_->CreateMunicipality(op, w[2], Options(w, 3)["network"]);
    if (id) municipalities_[w[1]] = id.value();
    return OutcomeOf(id);
  }
  if (verb == "unit") {
    Arity(w, 5, 5, "unit KEY MUNICIPALITY \"Name\" skola|forskola");
    Result<std::int64_t> id = engine_->CreateUnit(op, Key(municipalities_, w[2], "municipality"), w[3], w[4]);
    if (id) units_[w[1]] = id.value();
    return OutcomeOf(id);
  }
  if (verb == "team") {
    Arity(w, 4, 4, "team KEY UNIT \"Name\"");
    Result<std::int64_t> id = engine_->CreateTeam(op, Key(units_, w[2], "unit"), w[3]);
    if (id) teams_[w[1]] = id.value();
    return OutcomeOf(id);
  }
  if (verb == "user") {
    Arity(w, 4, 5, "user USERNAME \"Full Name\" MUNICIPALITY [role=ROLE]");
    std::map<std::string, std::string> options = Options(w, 4);
    User user;
    user.username = w[1];
    user.display_name = w[2];
    user.email = w[1] + "@example.se";
    user.municipality_id = Key(municipalities_, w[3], "municipality");
    user.global_role = options.count("role") ? options["role"] : "personal";
    Result<std::int64_t> id = engine_->CreateUser(op, user);
    if (id) actions_->UserCreated(user.username);
    return OutcomeOf(id);
  }
  if (verb == "pool") {
    Arity(w, 3, 3, "pool MUNICIPALITY USERNAME");
    return OutcomeOf(engine_->AddToObserverPool(op, Key(municipalities_, w[1], "municipality"), w[2]));
  }
  if (verb == "orgrole") {
    Arity(w, 4, 4, "orgrole MUNICIPALITY ROLE USERNAME");
    return OutcomeOf(
        engine_->AssignOrganisationRole(op, Key(municipalities_, w[1], "municipality"), w[2], w[3]));
  }
  Fail("unknown command \"" + verb + "\"");
}

ScenarioRunner::Outcome ScenarioRunner::Act(const Actor& actor, const Words& w) {
  const std::string& verb = w.front();
  if (verb == "instance") {
    Arity(w, 4, 5, "instance WORKFLOW-ID UNIT \"Title\" [team=TEAM]");
    std::map<std::string, std::string> options = Options(w, 4);
    std::optional<std::int64_t> team;
    if (options.count("team")) team = Key(teams_, options["team"], "team");
    Result<std::int64_t> id = actions_->CreateInstance(actor, w[1], Key(units_, w[2], "unit"), w[3], team);
    if (id) instance_ = id.value();
    return OutcomeOf(id);
  }
  if (verb == "assign") {
    Arity(w, 3, 3, "assign ROLE USERNAME");
    return OutcomeOf(actions_->AssignParticipant(actor, Instance(), w[1], w[2]));
  }
  if (verb == "unassign") {
    Arity(w, 3, 3, "unassign ROLE USERNAME");
    return OutcomeOf(actions_->RemoveParticipant(actor, Instance(), w[1], w[2]));
  }
  if (verb == "set") return Set(actor, w);
  if (verb == "add") {
    Arity(w, 2, 2, "add STEP");
    return OutcomeOf(actions_->AddOccurrence(actor, Instance(), w[1]));
  }
  if (verb == "signoff") {
    Arity(w, 2, 2, "signoff STEP");
    return OutcomeOf(actions_->SignOff(actor, Instance(), w[1]));
  }
  if (verb == "complete") {
    Arity(w, 2, 2, "complete STEP");
    return OutcomeOf(actions_->CompleteStep(actor, Instance(), w[1]));
  }
  if (verb == "sendback") {
    Arity(w, 4, 4, "sendback FROM TO \"reason\"");
    return OutcomeOf(actions_->SendBack(actor, Instance(), w[1], w[2], w[3]));
  }
  if (verb == "reopen") {
    Arity(w, 3, 3, "reopen STEP \"reason\"");
    return OutcomeOf(actions_->Reopen(actor, Instance(), w[1], w[2]));
  }
  Fail("unknown action \"" + verb + "\"");
}

ScenarioRunner::Outcome ScenarioRunner::Set(const Actor& actor, const Words& w) {
  Arity(w, 3, SIZE_MAX, "set FORM[#N] FIELD=VALUE ...");
  auto [form_id, occurrence] = FormAndOccurrence(w[1]);
  DefinitionPtr def = View().definition;
  const Form* form = def->FindForm(form_id);
  if (!form) return Error::Of(ErrorCode::kNotFound, "unknown form " + form_id);
  std::vector<FieldChange> changes;
  for (size_t i = 2; i < w.size(); ++i) {
    size_t eq = w[i].find('=');
    if (eq == std::string::npos) Fail("expected FIELD=VALUE, got " + w[i]);
    std::string field_id = w[i].substr(0, eq);
    const Field* field = form->FindField(field_id);
    if (!field) return Error::Of(ErrorCode::kNotFound, "unknown field " + form_id + "." + field_id);
    std::string error;
    std::optional<Value> value = ParseValueText(*field, w[i].substr(eq + 1), &error);
    if (!value) return Error::Of(ErrorCode::kInvalid, error, form_id + "." + field_id);
    changes.push_back(FieldChange{field_id, std::move(*value), std::nullopt});
  }
  return OutcomeOf(actions_->SetFields(actor, Instance(), form_id, occurrence, changes));
}

void ScenarioRunner::Expect(const Words& w) {
  Arity(w, 2, SIZE_MAX, "expect WHAT ...");
  const std::string& what = w[1];
  if (what == "as") {
    Arity(w, 4, SIZE_MAX, "expect as USER CHECK ...");
    return ExpectAs(w[2], Words(w.begin() + 3, w.end()));
  }
  if (what == "document") return ExpectDocument("operator", Words(w.begin() + 2, w.end()));
  if (what == "task" || what == "no-task") {
    Arity(w, 4, 4, "expect task|no-task USER STEP");
    bool found = false;
    for (const Task& task : engine_->Tasks(w[2])) {
      found = found || (task.instance_id == Instance() && task.step_id == w[3]);
    }
    if (found != (what == "task")) {
      Fail(w[3] + (found ? " is" : " is not") + " in the task list of " + w[2]);
    }
    return;
  }
  InstanceView view = View();
  if (what == "status") {
    Arity(w, 3, 3, "expect status active|completed");
    if (view.summary.status != w[2]) Fail("status is " + view.summary.status + ", not " + w[2]);
  } else if (what == "phase") {
    Arity(w, 3, 3, "expect phase PHASE");
    if (view.summary.current_phase != w[2]) {
      Fail("the current phase is \"" + view.summary.current_phase + "\", not " + w[2]);
    }
  } else if (what == "step") {
    Arity(w, 4, 4, "expect step STEP pending|active|completed");
    const char* state = ToString(FindStep(view, w[2]).state);
    if (w[3] != state) Fail("step " + w[2] + " is " + state + ", not " + w[3]);
  } else if (what == "occurrences") {
    Arity(w, 4, 4, "expect occurrences STEP N");
    int count = FindStep(view, w[2]).occurrences;
    if (count != ParseNumber(w[3]))
      Fail(w[2] + " has " + std::to_string(count) + " occurrences, not " + w[3]);
  } else if (what == "due" || what == "overdue" || what == "not-overdue") {
    Arity(w, what == "due" ? 4 : 3, what == "due" ? 4 : 3,
          "expect due STEP DATE | expect [not-]overdue STEP");
    std::optional<Date> due;
    bool overdue = false;
    if (w[2].starts_with("phase:")) {
      std::string id = w[2].substr(6);
      const PhaseView* found = nullptr;
      for (const PhaseView& phase : view.phases) {
        if (phase.phase->id == id) found = &phase;
      }
      if (!found) Fail("no phase " + id);
      due = found->due;
      overdue = found->overdue;
    } else {
      const StepView& step = FindStep(view, w[2]);
      due = step.next_due ? step.next_due : step.due;
      overdue = step.overdue;
    }
    if (what == "due") {
      std::string actual = due ? due->ToString() : "none";
      if (actual != w[3]) Fail(w[2] + " is due " + actual + ", not " + w[3]);
    } else if (overdue != (what == "overdue")) {
      Fail(w[2] + (overdue ? " is overdue" : " is not overdue"));
    }
  } else if (what == "budget") {
    Arity(w, 4, 4, "expect budget BUDGET N");
    for (const BudgetView& budget : view.budgets) {
      if (budget.budget->id != w[2]) continue;
      if (std::abs(budget.used - ParseNumber(w[3])) > 1e-9) {
        Fail("budget " + w[2] + " has used " + DisplayValue(Value{budget.used}) + ", not " + w[3]);
      }
      return;
    }
    Fail("no budget " + w[2]);
  } else {
    Fail("unknown check \"" + what + "\"");
  }
}

// document DOC version N | document DOC contains "text"... | document DOC forbidden
void ScenarioRunner::ExpectDocument(const std::string& viewer, const Words& w) {
  if (w.size() < 2) Fail("usage: expect [as USER] document DOC version N | contains \"text\"... | forbidden");
  Actor actor = viewer == "operator" ? Actor::Operator() : Actor::User(viewer);
  const std::string& doc = w[0];
  const std::string& check = w[1];
  if (check == "forbidden") {
    Result<Document> got = engine_->GetDocument(actor, Instance(), doc);
    if (got || got.error().code != ErrorCode::kForbidden)
      Fail(viewer + " is not refused the document " + doc);
    return;
  }
  if (check == "version") {
    Arity(w, 3, 3, "expect document DOC version N");
    Result<std::vector<DocumentInfo>> all = engine_->Documents(actor, Instance());
    if (!all) Fail("cannot list documents: " + all.error().Summary());
    int latest = 0;
    for (const DocumentInfo& d : all.value()) {
      if (d.document_id == doc) latest = std::max(latest, d.version);
    }
    if (latest != ParseNumber(w[2])) Fail(doc + " is at version " + std::to_string(latest) + ", not " + w[2]);
    return;
  }
  if (check != "contains") Fail("unknown document check \"" + check + "\"");
  Result<Document> got = engine_->GetDocument(actor, Instance(), doc);
  if (!got) Fail("cannot read the document " + doc + ": " + got.error().Summary());
  // Read back by python-docx, a program we did not write: every part's text, one line per paragraph.
  std::filesystem::create_directories(scratch_);
  std::string file = scratch_ + "/" + got.value().info.file_name;
  WriteFile(file, got.value().bytes);
  std::string text;
  for (const auto& [part, lines] : PythonDocxText(file)) {
    for (const std::string& line : lines) text += line + "\n";
  }
  if (text.find('{') != std::string::npos) Fail(doc + " still holds a tag: " + text);
  for (size_t i = 2; i < w.size(); ++i) {
    if (text.find(w[i]) == std::string::npos) Fail(doc + " does not say \"" + w[i] + "\"; it says:\n" + text);
  }
}

void ScenarioRunner::ExpectAs(const std::string& user, const Words& w) {
  const std::string& check = w.front();
  if (check == "document") return ExpectDocument(user, Words(w.begin() + 1, w.end()));
  size_t dot = w.size() > 1 ? w[1].find('.') : std::string::npos;
  if (dot == std::string::npos) Fail("usage: expect as USER " + check + " FORM[#N].FIELD ...");
  auto [form_id, occurrence] = FormAndOccurrence(w[1].substr(0, dot));
  std::string field_id = w[1].substr(dot + 1);
  Actor viewer = user == "operator" ? Actor::Operator() : Actor::User(user);
  Result<FormView> form = engine_->GetForm(viewer, Instance(), form_id, occurrence);
  const FieldView* field = nullptr;
  if (form) {
    for (const FieldView& candidate : form.value().fields) {
      if (candidate.field->id == field_id) field = &candidate;
    }
  } else if (form.error().code != ErrorCode::kForbidden) {
    Fail("cannot read form " + w[1] + ": " + form.error().Summary());
  }
  bool hidden = field == nullptr || field->rights == Rights::kHidden;
  if (check == "hidden") {
    Arity(w, 2, 2, "expect as USER hidden FORM.FIELD");
    if (!hidden) Fail(user + " can see " + w[1] + " (" + ToString(field->rights) + ")");
  } else if (check == "rights") {
    Arity(w, 3, 3, "expect as USER rights FORM.FIELD edit|view|hidden");
    std::string rights = hidden ? "hidden" : ToString(field->rights);
    if (rights != w[2]) Fail(user + " has " + rights + " rights on " + w[1] + ", not " + w[2]);
  } else if (check == "value") {
    Arity(w, 3, 3, "expect as USER value FORM.FIELD \"text\"");
    if (hidden) Fail(user + " cannot see " + w[1]);
    std::string shown = DisplayValue(field->value);
    if (shown != w[2]) Fail(w[1] + " shows \"" + shown + "\" to " + user + ", not \"" + w[2] + "\"");
  } else {
    Fail("unknown check \"" + check + "\"");
  }
}

std::int64_t ScenarioRunner::Key(const std::map<std::string, std::int64_t>& keys, const std::string& key,
                                 const char* what) const {
  auto it = keys.find(key);
  if (it == keys.end()) Fail(std::string("no ") + what + " with key " + key + " was set up");
  return it->second;
}

std::int64_t ScenarioRunner::Instance() const {
  if (!instance_) Fail("no instance has been started");
  return *instance_;
}

InstanceView ScenarioRunner::View() {
  Result<InstanceView> view = engine_->GetInstance(Actor::Operator(), Instance());
  if (!view) Fail("cannot read the instance: " + view.error().Summary());
  return std::move(view).value();
}

const StepView& ScenarioRunner::FindStep(const InstanceView& view, const std::string& step) const {
  for (const PhaseView& phase : view.phases) {
    for (const StepView& candidate : phase.steps) {
      if (candidate.step->id == step) return candidate;
    }
  }
  Fail("no step " + step);
}

}  // namespace spegla::test
