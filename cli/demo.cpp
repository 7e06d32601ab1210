// Synthetic data for `spegla demo`. The generator talks to the engine only through its public API, acting as
// the operator for set-up and as the instance's own participants for form work, so every rule of the
// definitions (rights, constraints, budgets, sign-offs) is enforced exactly as for real users. The parts
// are in demo/: the organisation (world), values (values), forms (forms), conditions (rules, snapshot,
// solver) and one step of an instance (step).
#include "demo.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "bundled_workflows.h"
#include "demo/history.h"
#include "demo/step.h"
#include "demo/text.h"
#include "demo/world.h"

namespace spegla::cli {
namespace demo {
namespace {

namespace fs = std::filesystem;

// --- instances ----------------------------------------------------------------------------------------

enum class RoleKind { kPool, kLeader, kTeam, kCoordinator, kOther };

RoleKind KindOf(const Role& role) {
  if (role.from_pool) return RoleKind::kPool;
  std::string k = Transliterate(role.id) + " " + Transliterate(role.label);
  if (HasAny(k, {"rektor", "chef", "skolledare"})) return RoleKind::kLeader;
  if (HasAny(k, {"arbetslag", "pedagog", "larare", "personal"})) return RoleKind::kTeam;
  if (HasAny(k, {"utveckl", "samordn", "processled"})) return RoleKind::kCoordinator;
  return RoleKind::kOther;
}

std::vector<std::string> Shuffled(std::vector<std::string> items, std::mt19937& rng) {
  std::shuffle(items.begin(), items.end(), rng);
  return items;
}

// Assigns `max(min, 1)` people (up to max) to every instance-scope role: observers from the pools of the
// other municipalities of the network (KU8 shares its observers), else the own pool; the rektor for leaders;
// the arbetslag for team roles; other staff of the unit and municipality for the rest.
Result<Ok> AssignParticipants(Engine& engine, const DemoWorld& world, const WorkflowDefinition& definition,
                              const DemoUnit& unit, const DemoTeam& team, std::int64_t instance,
                              std::mt19937& rng) {
  const DemoMunicipality& own = world.municipalities[unit.municipality];
  std::set<std::string> taken;
  for (const Role& role : definition.roles) {
    if (role.scope != RoleScope::kInstance) continue;
    RoleKind kind = KindOf(role);
    int count = std::max(role.min, 1);
    if (kind == RoleKind::kTeam && Chance(0.5, rng)) ++count;  // a team is rarely a single person
    if (role.max) count = std::min(count, *role.max);

    std::vector<std::string> candidates;
    auto append = [&](const std::vector<std::string>& more) {
      candidates.insert(candidates.end(), more.begin(), more.end());
    };
    std::vector<std::string> unit_staff;
    for (const DemoTeam& t : unit.teams) {
      if (t.id != team.id) unit_staff.insert(unit_staff.end(), t.members.begin(), t.members.end());
    }
    switch (kind) {
      case RoleKind::kPool: {
        for (const DemoMunicipality& m : world.municipalities) {
          if (&m != &own && !own.network.empty() && m.network == own.network) append(m.pool);
        }
        candidates = Shuffled(candidates, rng);
        append(Shuffled(own.pool, rng));
        break;
      }
      case RoleKind::kLeader:
        candidates.push_back(unit.rektor);
        append(Shuffled(unit_staff, rng));
        break;
      case RoleKind::kTeam:
        append(Shuffled(team.members, rng));
        append(Shuffled(unit_staff, rng));
        break;
      case RoleKind::kCoordinator:
        candidates.push_back(own.lead);
        append(Shuffled(own.staff, rng));
        break;
      case RoleKind::kOther:
        append(Shuffled(unit_staff, rng));
        append(Shuffled(own.staff, rng));
        break;
    }
    // People already in another role come last: one person, one role, as long as there are enough people.
    std::stable_partition(candidates.begin(), candidates.end(),
                          [&](const std::string& u) { return !taken.count(u); });
    std::set<std::string> chosen;
    for (const std::string& username : candidates) {
      if (static_cast<int>(chosen.size()) >= count) break;
      if (!chosen.insert(username).second) continue;
      Result<Ok> assigned = engine.AssignParticipant(Actor::Operator(), instance, role.id, username);
      if (!assigned) {
        return WithContext(assigned.error(), "role " + role.id + " in instance " + std::to_string(instance));
      }
      taken.insert(username);
    }
  }
  return Ok{};
}

// Units a workflow belongs to: a workflow named after a network or municipality ("ku8-...", "orebro-...")
// runs there; any other runs everywhere.
std::vector<size_t> UnitsFor(const WorkflowDefinition& definition, const DemoWorld& world) {
  std::vector<std::string> words = Words(definition.id + " " + definition.title);
  auto named = [&](const std::string& name) {
    return !name.empty() && std::find(words.begin(), words.end(), Transliterate(name)) != words.end();
  };
  std::vector<size_t> out;
  for (const DemoMunicipality& m : world.municipalities) {
    if (named(m.network) || named(m.name)) out.insert(out.end(), m.units.begin(), m.units.end());
  }
  if (out.empty()) {
    for (size_t i = 0; i < world.units.size(); ++i) out.push_back(i);
  }
  return out;
}

std::string Term(Date today, std::mt19937& rng) {
  std::chrono::year_month_day ymd = today.ymd();
  int year = static_cast<int>(ymd.year());
  bool autumn = static_cast<unsigned>(ymd.month()) >= 7;
  if (Chance(0.3, rng)) {  // planned for next term
    if (autumn) ++year;
    autumn = !autumn;
  }
  return std::string(autumn ? "ht " : "vt ") + std::to_string(year);
}

// Moves a new instance `steps` steps on. An instance that stops early because a rule waits for time to
// pass is just in the middle of that step; one that the filler cannot move on gets a warning.
Result<InstanceSummary> MoveOn(Engine& engine, std::int64_t id, size_t steps, History history,
                               std::mt19937& rng, DemoReport* report) {
  std::string why;
  for (size_t s = 0; s < steps; ++s) {
    const cli::Advance outcome = AdvanceWith(engine, id, rng, &why, nullptr, history);
    if (outcome == cli::Advance::kCompleted) continue;
    Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
    if (!state) return state.error();
    if (outcome == cli::Advance::kRefused && state.value().summary.status != "completed") {
      report->warnings.push_back("instance " + std::to_string(id) + " (" + state.value().summary.workflow_id +
                                 "): " + why);
    }
    break;
  }
  Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
  if (!state) return state.error();
  return state.value().summary;
}

// Walks an instance to completion, letting time pass on `clock` (when given) where a rule asks for it; the
// clock is set back afterwards, so that the next instances start when this one did.
Result<InstanceSummary> Walk(Engine& engine, std::int64_t id, size_t steps, History history,
                             ManualClock* clock, std::mt19937& rng, DemoReport* report) {
  const std::optional<Timestamp> started = clock ? std::optional(clock->Now()) : std::nullopt;
  std::string why = "it did not complete within " + std::to_string(steps) + " steps";
  for (size_t s = 0; s < steps; ++s) {
    if (AdvanceWith(engine, id, rng, &why, clock, history) != cli::Advance::kCompleted) break;
  }
  if (clock) clock->Set(*started);
  Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
  if (!state) return state.error();
  const InstanceSummary& summary = state.value().summary;
  if (summary.status == "completed") {
    report->walked_instances[summary.workflow_id] = id;
    if (report->walked_instance == 0) report->walked_instance = id;
  } else {
    report->warnings.push_back("instance " + std::to_string(id) + " (" + summary.workflow_id +
                               ") could not be walked to completion: " + why);
  }
  return summary;
}

Result<DemoReport> Fill(Engine& engine, const DemoOptions& options,
                        const std::function<void(size_t, size_t)>& progress) {
  DemoReport report;
  // Instances continue from what the database already holds, so that a second run adds new ones rather than
  // copies; an empty database always starts the same way.
  std::vector<AuditEntry> history = engine.GlobalAuditLog(1);
  std::uint64_t history_mark = history.empty() ? 0 : static_cast<std::uint64_t>(history.front().id);

  Result<std::vector<DefinitionPtr>> definitions =
      InstallBundled(engine, options.workflows_dir, &report.installed);
  if (!definitions) return definitions.error();

  // The organisation depends on the seed only, not on the number of instances.
  std::mt19937 organisation_rng(options.seed);
  PeopleFactory people(engine, organisation_rng);
  Result<DemoWorld> built = BuildWorld(engine, definitions.value(), organisation_rng, people);
  if (!built) return built.error();
  const DemoWorld& world = built.value();
  report.municipalities = world.municipalities.size();
  report.units = world.units.size();
  report.users = people.used();

  std::seed_seq instance_seed{options.seed, static_cast<unsigned>(history_mark & 0xFFFFFFFFu),
                              static_cast<unsigned>(history_mark >> 32)};
  std::mt19937 rng(instance_seed);
  const Date today = engine.clock().Today();
  std::vector<std::vector<size_t>> units_for;
  std::vector<size_t> total_steps;
  for (const DefinitionPtr& definition : definitions.value()) {
    units_for.push_back(UnitsFor(*definition, world));
    total_steps.push_back(definition->AllSteps().size());
  }

  for (size_t i = 0; i < options.instances; ++i) {
    const size_t w = i % definitions.value().size();
    const WorkflowDefinition& definition = *definitions.value()[w];
    const DemoUnit& unit = world.units[Pick(units_for[w], rng)];
    const DemoTeam& team = Pick(unit.teams, rng);
    std::string title =
        definition.title + " – " + unit.name + ", " + LowerFirst(team.name) + ", " + Term(today, rng);
    Result<std::int64_t> created =
        engine.CreateInstance(Actor::Operator(), definition.id, unit.id, title, team.id);
    if (!created) return WithContext(created.error(), "instance " + title);
    const std::int64_t id = created.value();
    Result<Ok> cast = AssignParticipants(engine, world, definition, unit, team, id, rng);
    if (!cast) return cast.error();

    // The first instance of each workflow is walked to the end (transitions may loop back, hence the
    // generous bound); the others stop after a random number of steps, so that every phase has instances.
    const bool walk = i < definitions.value().size();
    if (!walk && !options.documents) engine.SetPlugins(nullptr);
    const size_t steps = walk ? 4 * total_steps[w] + 8
                              : static_cast<size_t>(Uniform(0, static_cast<int>(total_steps[w]), rng));
    Result<InstanceSummary> summary =
        walk ? Walk(engine, id, steps, NewHistory(definition), options.clock, rng, &report)
             : MoveOn(engine, id, steps, NewHistory(definition), rng, &report);
    if (!summary) return summary.error();
    ++report.instances_per_phase[summary.value().status == "completed" ? "completed"
                                                                       : summary.value().current_phase];
    ++report.instances;
    if (progress) progress(i + 1, options.instances);
  }
  return report;
}

}  // namespace
}  // namespace demo

Result<DemoReport> FillDemo(Engine& engine, const DemoOptions& options,
                            const std::function<void(size_t, size_t)>& progress) {
  // A demo database is one that can be made again, so it is filled in bulk (Engine::BeginBulkLoad):
  // without waiting for the disk at every operation, and durable once filled.
  if (Result<Ok> bulk = engine.BeginBulkLoad(); !bulk) return bulk.error();
  const PluginHost* plugins = engine.plugins();  // set aside while instances are filled without documents
  Result<DemoReport> report = demo::Fill(engine, options, progress);
  engine.SetPlugins(plugins);
  Result<Ok> durable = engine.EndBulkLoad();
  if (report && !durable) return durable.error();
  return report;
}

Advance AdvanceOneStep(Engine& engine, std::int64_t instance, std::mt19937& rng, std::string* why,
                       ManualClock* clock) {
  demo::History history = demo::ReadHistory(engine, instance);
  return demo::AdvanceWith(engine, instance, rng, why, clock, history);
}

}  // namespace spegla::cli
