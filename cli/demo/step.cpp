#include "demo/step.h"

#include <algorithm>

#include "demo/forms.h"
#include "demo/solver.h"
#include "demo/text.h"

namespace spegla::cli::demo {
namespace {

const StepView* FirstOpenStep(const InstanceView& view) {
  for (const PhaseView& phase : view.phases) {
    if (phase.state != State::kActive) continue;
    for (const StepView& step : phase.steps) {
      if (step.state == State::kActive) return &step;
    }
  }
  return nullptr;
}

// Completing `step` completes its phase when every other step of the phase has completed.
bool EndsPhase(const InstanceView& view, const Step& step) {
  for (const PhaseView& phase : view.phases) {
    if (phase.phase->id != step.phase) continue;
    return std::all_of(phase.steps.begin(), phase.steps.end(),
                       [&](const StepView& s) { return s.step == &step || s.state == State::kCompleted; });
  }
  return false;
}

// What must hold when `step` completes: its <require> conditions and, when completing it ends its phase,
// the conditions that pick the transition the walk takes: once in a while a loop back (another term, a new
// school year), else the way forward, so that a walk ends.
std::vector<std::pair<Rule, bool>> Goals(const InstanceView& view, const Step& step, const History& history,
                                         std::mt19937& rng) {
  std::vector<std::pair<Rule, bool>> goals;
  for (const Requirement& requirement : step.requirements) {
    if (std::optional<Rule> rule = ParseRule(requirement.condition))
      goals.emplace_back(std::move(*rule), true);
  }
  const WorkflowDefinition& definition = *view.definition;
  const Phase* phase = definition.FindPhase(step.phase);
  if (!phase || phase->transitions.empty() || !EndsPhase(view, step)) return goals;
  auto index = [&](const std::string& id) {
    for (size_t i = 0; i < definition.phases.size(); ++i) {
      if (definition.phases[i].id == id) return static_cast<long>(i);
    }
    return static_cast<long>(definition.phases.size());  // "end"
  };
  const long here = index(phase->id);
  auto it = history.phase_starts.find(phase->id);
  const bool loop = (it == history.phase_starts.end() || it->second < 2) && Chance(0.4, rng);
  auto chosen = std::find_if(phase->transitions.begin(), phase->transitions.end(),
                             [&](const Transition& t) { return (index(t.to) <= here) == loop; });
  if (chosen == phase->transitions.end()) return goals;
  for (auto t = phase->transitions.begin(); t != chosen; ++t) {
    if (!t->when) continue;
    if (std::optional<Rule> rule = ParseRule(*t->when)) goals.emplace_back(std::move(*rule), false);
  }
  if (chosen->when) {
    if (std::optional<Rule> rule = ParseRule(*chosen->when)) goals.emplace_back(std::move(*rule), true);
  }
  return goals;
}

// Writes the planned values, changed until the goals hold or no more can be done: each round evaluates the
// goals, changes what the step may write, writes, and fills the fields the writes made visible. Returns
// whether a goal waits for time to pass that the clock could not give.
bool Satisfy(FillContext& ctx, Snapshot& values, const std::vector<std::pair<Rule, bool>>& goals,
             ManualClock* clock) {
  constexpr int kRounds = 4;
  bool needs_time = false;
  for (int round = 0; round < kRounds; ++round) {
    const Solved solved = Solve(ctx, values, clock, goals);
    needs_time = solved.needs_time;
    for (const auto& [form_id, occurrence] : WriteChanges(ctx, values)) {
      if (const Form* form = values.definition().FindForm(form_id)) FillForm(ctx, *form, occurrence);
      values.Forget(form_id, occurrence);
    }
    if (!solved.changed) break;
  }
  return needs_time;
}

}  // namespace

Advance AdvanceWith(Engine& engine, std::int64_t instance, std::mt19937& rng, std::string* why,
                    ManualClock* clock, History& history) {
  auto fail = [&](Advance outcome, const std::string& reason) {
    if (why) *why = reason;
    return outcome;
  };
  Result<InstanceView> loaded = engine.GetInstance(Actor::Operator(), instance);
  if (!loaded) return fail(Advance::kRefused, loaded.error().Summary());
  const InstanceView& view = loaded.value();
  history.Saw(view);
  if (view.summary.status == "completed") return fail(Advance::kRefused, "Processen är redan avslutad.");
  const StepView* open = FirstOpenStep(view);
  if (!open) return fail(Advance::kRefused, "Processen har inget öppet steg.");
  const Step& step = *open->step;
  const WorkflowDefinition& definition = *view.definition;
  const Cast cast(view);

  std::vector<std::string> performers = cast.InRoles(step.performers);
  if (performers.empty()) {
    return fail(Advance::kRefused, "Steget ”" + step.label + "” har ingen deltagare som kan utföra det.");
  }
  // A step that a loop brought back is done again: its forms written afresh, new occurrences added.
  const bool again = history.step_completions.count(step.id) > 0;
  int added_occurrences = 0;
  if (step.repeat) {
    int wanted = again ? open->occurrences + step.repeat->min : step.repeat->min;
    if (step.repeat->max) wanted = std::min(wanted, *step.repeat->max);
    for (int occurrences = open->occurrences; occurrences < wanted; ++occurrences) {
      Result<int> added = engine.AddOccurrence(Actor::User(Pick(performers, rng)), instance, step.id);
      if (!added) return fail(Advance::kRefused, added.error().Summary());
      ++added_occurrences;
    }
  }

  std::string contact;
  for (const auto& [role, people] : cast.by_role) {
    if (contact.empty() && role.find("arbetslag") != std::string::npos) contact = people.front();
  }
  if (contact.empty()) contact = cast.usernames.front();
  FillContext ctx{engine,
                  instance,
                  step,
                  cast,
                  rng,
                  view.summary.unit,
                  TeamFromTitle(view.summary.title, view.summary.unit),
                  Transliterate(view.summary.municipality) + ".se",
                  contact,
                  BudgetedFields(definition),
                  IsPreschool(view.summary.unit),
                  StepDay(history, engine.clock().Today()),
                  again};
  ctx.history = &history;
  Snapshot values(engine, instance, view);
  for (int i = 0; i < added_occurrences; ++i) values.Added(step.id);  // their forms are filled too
  PlanStepForms(ctx, values);
  ctx.rewrite = false;
  const bool needs_time = Satisfy(ctx, values, Goals(view, step, history, rng), clock);

  for (const SignOff& signoff : step.signoffs) {
    if (std::count(open->signed_by_roles.begin(), open->signed_by_roles.end(), signoff.role)) continue;
    std::vector<std::string> signers = cast.InRoles({signoff.role});
    if (signers.empty()) {
      return fail(Advance::kRefused,
                  "Ingen deltagare har rollen ”" + signoff.role + "” som skriver under steget.");
    }
    Result<Ok> signed_off = engine.SignOff(Actor::User(Pick(signers, rng)), instance, step.id);
    if (!signed_off) return fail(Advance::kRefused, signed_off.error().Summary());
  }

  Result<Ok> completed = engine.CompleteStep(Actor::User(Pick(performers, rng)), instance, step.id);
  if (!completed) {
    return fail(needs_time ? Advance::kWaiting : Advance::kRefused,
                "Steget ”" + step.label + "”: " + completed.error().Summary());
  }
  history.Completed(step.id, EndsPhase(view, step));
  return Advance::kCompleted;
}

}  // namespace spegla::cli::demo
