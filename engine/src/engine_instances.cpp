// Instance operations: creation, participants, form writes, occurrences, sign-off, completion and the
// phase flow, send back and reopen. Each public operation is one transaction (Engine::Write).
#include <algorithm>
#include <set>

#include "engine_internal.h"
#include "instance_stream.h"
#include "text.h"
#include "text_merge.h"

namespace spegla {
namespace {

std::string RoleLabels(const WorkflowDefinition& def, const std::vector<std::string>& roles) {
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) {
    const Role* role = def.FindRole(roles[i]);
    if (i > 0) out += i + 1 == roles.size() ? " eller " : ", ";
    out += role ? role->label : roles[i];
  }
  return out;
}

bool Intersects(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string& x) { return std::count(b.begin(), b.end(), x) > 0; });
}

// The refusal for one occurrence more than a repeating step allows (a fifth observation day), in the
// definition's wording when it has one; nullopt while another occurrence fits.
std::optional<Error> OccurrencesFull(const Step& step, int count) {
  const Repeat& rule = *step.repeat;
  if (!rule.max || count < *rule.max) return std::nullopt;
  return Error::Of(ErrorCode::kRefused, rule.message.text.empty()
                                            ? "Högst " + std::to_string(*rule.max) +
                                                  " tillfällen får registreras för steget " +
                                                  Quoted(step.label) + "."
                                            : rule.message.text);
}

Database::Param OptionalTime(const std::optional<Timestamp>& t) {
  if (!t) return nullptr;
  return FormatTimestamp(*t);
}

}  // namespace

std::string FieldPath(const std::string& form, int occurrence, const std::string& field) {
  return form + "." + field + (occurrence > 0 ? "#" + std::to_string(occurrence) : "");
}

State ParseState(std::string_view text) {
  if (text == "active") return State::kActive;
  if (text == "completed") return State::kCompleted;
  return State::kPending;
}

// --- loading and saving ---------------------------------------------------------------------------

Result<Engine::Loaded> Engine::Load(std::int64_t id) {
  std::optional<Caches::LastLoad>& last = caches_->last_load;
  if (last && last->id == id && last->stamp == db_->Changes()) {
    std::shared_ptr<Loaded> cached = std::move(last->loaded);
    last.reset();
    if (cached.use_count() > 1) return *cached;  // a reader still holds it: a copy
    return std::move(*cached);
  }
  return LoadFromDatabase(id);
}

Result<std::shared_ptr<const Engine::Loaded>> Engine::LoadForReading(std::int64_t id) {
  const Database::ChangeStamp stamp = db_->Changes();
  std::optional<Caches::LastLoad>& last = caches_->last_load;
  if (last && last->id == id && last->stamp == stamp) return std::shared_ptr<const Loaded>(last->loaded);
  Result<Loaded> loaded = LoadFromDatabase(id);
  if (!loaded) return loaded.error();
  last = Caches::LastLoad{id, stamp, std::make_shared<Loaded>(std::move(loaded.value()))};
  return std::shared_ptr<const Loaded>(last->loaded);
}

Result<Engine::Loaded> Engine::LoadFromDatabase(std::int64_t id) {
  InstanceStream stream = InstanceStream::One(*db_, id, [this](const std::string& workflow, int version) {
    return LoadDefinition(workflow, version);
  });
  Loaded inst;
  Result<bool> found = stream.Next(inst);
  if (!found) return found.error();
  if (!found.value()) {
    return Error::Of(ErrorCode::kNotFound, "Det finns ingen process med id " + std::to_string(id) + ".");
  }
  return inst;
}

namespace {

void SaveStep(Database& db, const Engine::Loaded& inst, const std::string& step) {
  const Engine::Loaded::StepState& s = inst.steps.at(step);
  db.Execute(
      "UPDATE step_states SET state = ?, started_at = ?, completed_at = ?, completed_by = ? "
      "WHERE instance_id = ? AND step_id = ?",
      {std::string(ToString(s.state)), OptionalTime(s.started), OptionalTime(s.completed),
       s.completed_by.empty() ? Database::Param{nullptr} : Database::Param{s.completed_by}, inst.id, step});
}

void SavePhase(Database& db, const Engine::Loaded& inst, const std::string& phase) {
  const Engine::Loaded::PhaseState& p = inst.phases.at(phase);
  db.Execute(
      "UPDATE phase_states SET state = ?, started_at = ?, completed_at = ?, entered_seq = ? "
      "WHERE instance_id = ? AND phase_id = ?",
      {std::string(ToString(p.state)), OptionalTime(p.started), OptionalTime(p.completed), p.entered_seq,
       inst.id, phase});
}

void ClearSignoffs(Database& db, Engine::Loaded& inst, const std::string& step) {
  if (inst.signoffs.erase(step) == 0) return;
  db.Execute("DELETE FROM signoffs WHERE instance_id = ? AND step_id = ?", {inst.id, step});
}

}  // namespace

void Engine::Touch(Loaded& inst) {
  inst.summary.updated_at = clock_.Now();
  db_->Execute(
      "UPDATE instances SET updated_at = ?, seq = ?, status = ?, current_phase = ?, completed_at = ? WHERE "
      "id = ?",
      {Now(), inst.seq, inst.summary.status,
       inst.summary.current_phase.empty() ? Database::Param{nullptr}
                                          : Database::Param{inst.summary.current_phase},
       OptionalTime(inst.completed_at), inst.id});
}

std::vector<std::string> Engine::RolesOf(const Loaded& inst, const Actor& actor) const {
  std::vector<std::string> roles;
  if (actor.is_operator) return roles;
  for (const auto& [role, people] : inst.participants) {
    for (const Loaded::Person& p : people) {
      if (p.username == actor.username) {
        roles.push_back(role);
        break;
      }
    }
  }
  return roles;
}

Rights Engine::RightsOn(const Loaded&, const std::vector<std::string>& roles, const Form& form,
                        const Field& field) const {
  Rights best = Rights::kHidden;
  for (const std::string& role : roles) best = std::max(best, form.RightsFor(role, field));
  return best;
}

bool Engine::FormLocked(const Loaded& inst, const Form& form, std::string* why) const {
  if (!inst.active()) {
    *why = "Processen är avslutad.";
    return true;
  }
  const Step* last = nullptr;
  for (const Step* step : inst.def->AllSteps()) {
    if (std::count(step->forms.begin(), step->forms.end(), form.id) == 0) continue;
    auto it = inst.steps.find(step->id);
    if (it == inst.steps.end() || it->second.state != State::kCompleted) return false;
    last = step;
  }
  if (!last) return false;
  *why = "Formuläret " + Quoted(form.label) + " är låst eftersom steget " + Quoted(last->label) +
         " är avslutat. Det kan öppnas igen med ”öppna igen” eller ”skicka tillbaka”.";
  return true;
}

// --- phase flow -----------------------------------------------------------------------------------

void Engine::EnterPhase(Loaded& inst, const Actor& actor, const Phase& phase) {
  Loaded::PhaseState& state = inst.phases[phase.id];
  state.state = State::kActive;
  state.started = clock_.Now();
  state.completed.reset();
  state.entered_seq = ++inst.seq;
  SavePhase(*db_, inst, phase.id);
  for (const Step& step : phase.steps) {
    inst.steps[step.id] = Loaded::StepState{};
    SaveStep(*db_, inst, step.id);
    ClearSignoffs(*db_, inst, step.id);
  }
  inst.summary.current_phase = phase.id;
  Audit(inst.id, actor, "phase.start", phase.id, "pending", "active", phase.label);
  ActivateReadySteps(inst, actor, phase);
}

void Engine::ActivateReadySteps(Loaded& inst, const Actor& actor, const Phase& phase) {
  auto open = [&](const Step& step) {
    Loaded::StepState& s = inst.steps[step.id];
    s.state = State::kActive;
    s.started = clock_.Now();
    SaveStep(*db_, inst, step.id);
    Audit(inst.id, actor, "step.open", step.id, "pending", "active", step.label);
  };
  if (phase.flow == PhaseFlow::kSequence) {
    for (const Step& step : phase.steps) {
      State state = inst.steps[step.id].state;
      if (state == State::kCompleted) continue;
      if (state == State::kPending) open(step);
      return;
    }
    return;
  }
  for (const Step& step : phase.steps) {
    if (inst.steps[step.id].state != State::kPending) continue;
    bool ready = std::all_of(step.after.begin(), step.after.end(),
                             [&](const std::string& a) { return inst.steps[a].state == State::kCompleted; });
    if (ready) open(step);
  }
}

void Engine::AfterStepCompleted(Loaded& inst, const Actor& actor, const Step& step) {
  ProduceDocuments(inst, actor, DocumentRule::Trigger::kStepComplete, step.id);
  const Phase& phase = *inst.def->FindPhase(step.phase);
  ActivateReadySteps(inst, actor, phase);
  bool done = std::all_of(phase.steps.begin(), phase.steps.end(),
                          [&](const Step& s) { return inst.steps[s.id].state == State::kCompleted; });
  if (!done) return;
  Loaded::PhaseState& state = inst.phases[phase.id];
  state.state = State::kCompleted;
  state.completed = clock_.Now();
  SavePhase(*db_, inst, phase.id);
  Audit(inst.id, actor, "phase.complete", phase.id, "active", "completed", phase.label);
  ProduceDocuments(inst, actor, DocumentRule::Trigger::kPhaseComplete, phase.id);

  const Phase* next = nullptr;
  bool end = phase.final;
  if (!end && phase.transitions.empty()) {
    auto it = std::find_if(inst.def->phases.begin(), inst.def->phases.end(),
                           [&](const Phase& p) { return p.id == phase.id; });
    if (++it != inst.def->phases.end()) {
      next = &*it;
    } else {
      end = true;
    }
  }
  if (!end && !next) {
    InstanceContext context(inst, clock_.Today());
    for (const Transition& t : phase.transitions) {
      if (t.when && !Holds(*t.when, context)) continue;
      if (t.to == "end") {
        end = true;
      } else {
        next = inst.def->FindPhase(t.to);
      }
      Audit(inst.id, actor, "transition", phase.id + " -> " + t.to, std::nullopt, std::nullopt,
            t.when ? "when " + t.when->source() : std::string());
      break;
    }
  }
  if (next) {
    EnterPhase(inst, actor, *next);
  } else if (end) {
    inst.summary.status = "completed";
    inst.summary.current_phase.clear();
    inst.completed_at = clock_.Now();
    Audit(inst.id, actor, "instance.complete", "instance:" + std::to_string(inst.id), "active", "completed");
  }
}

void Engine::RewindTo(Loaded& inst, const Actor& actor, const Step& target) {
  const Phase& phase = *inst.def->FindPhase(target.phase);
  Loaded::PhaseState& ps = inst.phases[phase.id];
  if (ps.state == State::kPending) {
    ps.entered_seq = ++inst.seq;
    ps.started = clock_.Now();
  }
  // Phases entered after the target's phase open again from the start when the flow reaches them.
  for (const Phase& other : inst.def->phases) {
    Loaded::PhaseState& os = inst.phases[other.id];
    if (other.id == phase.id || os.state == State::kPending || os.entered_seq <= ps.entered_seq) continue;
    os = Loaded::PhaseState{};
    SavePhase(*db_, inst, other.id);
    for (const Step& step : other.steps) {
      inst.steps[step.id] = Loaded::StepState{};
      SaveStep(*db_, inst, step.id);
      ClearSignoffs(*db_, inst, step.id);
    }
  }
  ps.state = State::kActive;
  ps.completed.reset();
  SavePhase(*db_, inst, phase.id);
  // Within the phase: the target and every step that comes after it (or waits for it) open again.
  std::set<std::string> reset = {target.id};
  bool after_target = false;
  for (const Step& step : phase.steps) {
    if (phase.flow == PhaseFlow::kSequence) {
      if (after_target) reset.insert(step.id);
      after_target = after_target || step.id == target.id;
    }
  }
  for (bool grew = phase.flow == PhaseFlow::kParallel; grew;) {
    grew = false;
    for (const Step& step : phase.steps) {
      if (!reset.count(step.id) &&
          Intersects(step.after, std::vector<std::string>(reset.begin(), reset.end()))) {
        grew = reset.insert(step.id).second;
      }
    }
  }
  for (const std::string& id : reset) {
    inst.steps[id] = Loaded::StepState{};
    SaveStep(*db_, inst, id);
    ClearSignoffs(*db_, inst, id);
  }
  Loaded::StepState& ts = inst.steps[target.id];
  ts.state = State::kActive;
  ts.started = clock_.Now();
  SaveStep(*db_, inst, target.id);
  Audit(inst.id, actor, "step.open", target.id, std::nullopt, "active", target.label);
  inst.summary.status = "active";
  inst.summary.current_phase = phase.id;
  inst.completed_at.reset();
}

// --- instances and participants -----------------------------------------------------------------

Result<std::int64_t> Engine::CreateInstance(const Actor& actor, const std::string& workflow_id,
                                            std::int64_t unit_id, const std::string& raw_title,
                                            std::optional<std::int64_t> team_id) {
  return Write<std::int64_t>([&]() -> Result<std::int64_t> {
    // Whether the actor may start processes at all comes first; where, once the unit is known.
    if (std::optional<Error> denied = MayCreateInstance(*db_, actor, std::nullopt)) return *denied;
    Result<DefinitionPtr> def = LoadDefinition(workflow_id, std::nullopt);
    if (!def) return def.error();
    std::vector<Database::Row> unit = db_->Query("SELECT municipality_id FROM units WHERE id = ?", {unit_id});
    if (unit.empty()) {
      return Error::Of(ErrorCode::kNotFound, "Det finns ingen enhet med id " + std::to_string(unit_id) + ".",
                       "unit");
    }
    if (std::optional<Error> denied = MayCreateInstance(*db_, actor, unit[0].Int(0))) return *denied;
    if (team_id &&
        db_->Query("SELECT id FROM teams WHERE id = ? AND unit_id = ?", {*team_id, unit_id}).empty()) {
      return Error::Of(ErrorCode::kNotFound, "Arbetslaget finns inte på enheten.", "team");
    }
    std::string title = Trimmed(raw_title);
    if (title.empty()) title = def.value()->title;
    std::string now = Now();
    std::int64_t id = db_->Insert(
        "INSERT INTO instances (workflow_id, workflow_version, unit_id, team_id, title, status, "
        "current_phase, "
        "created_at, created_by, updated_at, seq) VALUES (?, ?, ?, ?, ?, 'active', NULL, ?, ?, ?, 0)",
        {workflow_id, std::int64_t{def.value()->version}, unit_id,
         team_id ? Database::Param{*team_id} : Database::Param{nullptr}, title, now, actor.username, now});
    for (const Phase& phase : def.value()->phases) {
      db_->Execute("INSERT INTO phase_states (instance_id, phase_id, state) VALUES (?, ?, 'pending')",
                   {id, phase.id});
      for (const Step& step : phase.steps) {
        db_->Execute("INSERT INTO step_states (instance_id, step_id, state) VALUES (?, ?, 'pending')",
                     {id, step.id});
      }
    }
    Audit(id, actor, "instance.create", "instance:" + std::to_string(id), std::nullopt,
          workflow_id + " v" + std::to_string(def.value()->version) + ": " + title);
    Result<Loaded> inst = Load(id);
    if (!inst) return inst.error();
    EnterPhase(inst.value(), actor, def.value()->phases.front());
    Touch(inst.value());
    return id;
  });
}

namespace {

// Participants are managed by administrators, coordinators (utvecklingsledare) and holders of an
// organisation-wide role in the instance (who put observer groups together).
// Who may assign people to `role`: the operator, administrators and the utvecklingsledare of the
// instance's municipality, holders of an organisation-wide role in the instance, and participants in a
// role the definition lists in assigned-by.
bool MayManageParticipants(Database& db, const Engine::Loaded& inst, const Actor& actor, const Role& role) {
  if (actor.is_operator) return true;
  for (const std::string& manager : role.assigned_by) {
    auto it = inst.participants.find(manager);
    if (it == inst.participants.end()) continue;
    for (const Engine::Loaded::Person& p : it->second) {
      if (p.username == actor.username) return true;
    }
  }
  // An utvecklingsledare of another municipality does not see the instance, so does not staff it either.
  Standing who = StandingOf(db, actor);
  if ((who.user_id && who.global_role == "administrator") ||
      who.Reaches("utvecklingsledare", inst.municipality_id)) {
    return true;
  }
  for (const auto& [held, people] : inst.participants) {
    for (const Engine::Loaded::Person& p : people) {
      if (p.username == actor.username && p.organisation_wide) return true;
    }
  }
  return false;
}

}  // namespace

Result<Ok> Engine::AssignParticipant(const Actor& actor, std::int64_t instance, const std::string& role_id,
                                     const std::string& username) {
  return Write<Ok>([&]() -> Result<Ok> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Role* role = inst.def->FindRole(role_id);
    if (!role)
      return Error::Of(ErrorCode::kNotFound, "Processen har ingen roll " + Quoted(role_id) + ".", "role");
    if (!MayManageParticipants(*db_, inst, actor, *role)) {
      return Error::Of(ErrorCode::kForbidden, "Du får inte tilldela deltagare i rollen " +
                                                  Quoted(role->label) + " i den här processen.");
    }
    if (!inst.active()) return Error::Of(ErrorCode::kRefused, "Processen är avslutad.");
    if (role->scope == RoleScope::kOrganisation) {
      return Error::Of(
          ErrorCode::kInvalid,
          "Rollen " + Quoted(role->label) + " gäller hela kommunen och tilldelas bland kommunens roller.",
          "role");
    }
    Result<std::int64_t> user = UserId(username);
    if (!user) return Error{ErrorCode::kNotFound, {Issue{"username", user.error().issues[0].message}}};
    const std::vector<Loaded::Person>& people = inst.participants[role_id];
    for (const Loaded::Person& p : people) {
      if (p.username == username) return Ok{};
    }
    if (role->max && static_cast<int>(people.size()) >= *role->max) {
      return Error::Of(ErrorCode::kRefused,
                       "Rollen " + Quoted(role->label) + " har redan " + std::to_string(*role->max) +
                           " deltagare, vilket är högsta antalet.",
                       "role");
    }
    if (role->from_pool &&
        db_->Query("SELECT 1 FROM observer_pool WHERE user_id = ?", {user.value()}).empty()) {
      return Error::Of(ErrorCode::kRefused,
                       Quoted(username) + " finns inte i någon kommuns observatörspool; " + "rollen " +
                           Quoted(role->label) + " tas ur poolen.",
                       "username");
    }
    db_->Execute(
        "INSERT INTO participants (instance_id, role_id, user_id, assigned_at, assigned_by) VALUES (?, ?, ?, "
        "?, ?)",
        {instance, role_id, user.value(), Now(), actor.username});
    Audit(instance, actor, "participant.assign", "role:" + role_id, std::nullopt, username);
    Touch(inst);
    return Ok{};
  });
}

Result<Ok> Engine::RemoveParticipant(const Actor& actor, std::int64_t instance, const std::string& role_id,
                                     const std::string& username) {
  return Write<Ok>([&]() -> Result<Ok> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Role* role = inst.def->FindRole(role_id);
    if (!role)
      return Error::Of(ErrorCode::kNotFound, "Processen har ingen roll " + Quoted(role_id) + ".", "role");
    if (!MayManageParticipants(*db_, inst, actor, *role)) {
      return Error::Of(ErrorCode::kForbidden, "Du får inte ändra deltagare i rollen " + Quoted(role->label) +
                                                  " i den här processen.");
    }
    Result<std::int64_t> user = UserId(username);
    if (!user) return user.error();
    if (db_->Query("SELECT 1 FROM participants WHERE instance_id = ? AND role_id = ? AND user_id = ?",
                   {instance, role_id, user.value()})
            .empty()) {
      return Error::Of(ErrorCode::kNotFound,
                       Quoted(username) + " har inte rollen " + Quoted(role_id) + " här.");
    }
    db_->Execute("DELETE FROM participants WHERE instance_id = ? AND role_id = ? AND user_id = ?",
                 {instance, role_id, user.value()});
    Audit(instance, actor, "participant.remove", "role:" + role_id, username, std::nullopt);
    Touch(inst);
    return Ok{};
  });
}

// --- forms --------------------------------------------------------------------------------------

Result<std::vector<int>> Engine::SetFields(const Actor& actor, std::int64_t instance,
                                           const std::string& form_id, int occurrence,
                                           const std::vector<FieldChange>& requested) {
  return Write<std::vector<int>>([&]() -> Result<std::vector<int>> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Result<std::vector<int>> versions =
        ApplyFieldChanges(loaded.value(), actor, form_id, occurrence, requested);
    if (versions) KeepLoaded(std::move(loaded.value()));
    return versions;
  });
}

Result<FormView> Engine::WriteForm(const Actor& actor, std::int64_t instance, const std::string& form_id,
                                   int occurrence, std::vector<FieldChange> changes,
                                   const std::optional<std::string>& expected_etag,
                                   std::vector<std::string>* merged) {
  return Write<FormView>([&]() -> Result<FormView> {
    if (merged) merged->clear();
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    if (expected_etag) {
      // The precondition is checked inside the write's transaction: nobody can change the form between.
      Result<FormView> seen = BuildFormView(inst, actor, form_id, occurrence);
      if (!seen) return seen.error();
      if (seen.value().etag != *expected_etag) {
        return Error::Of(ErrorCode::kConflict,
                         "Formuläret har ändrats sedan du hämtade det. Hämta det igen och gör om ändringen.",
                         "etag");
      }
      for (FieldChange& change : changes) {
        for (const FieldView& f : seen.value().fields) {
          if (f.field->id == change.field && !change.expected_version) change.expected_version = f.version;
        }
      }
    }
    Result<std::vector<int>> versions =
        ApplyFieldChanges(inst, actor, form_id, occurrence, std::move(changes), merged);
    if (!versions) return versions.error();
    Result<FormView> after = BuildFormView(inst, actor, form_id, occurrence);
    KeepLoaded(std::move(inst));
    return after;
  });
}

void Engine::KeepLoaded(Loaded&& inst) {
  const std::int64_t id = inst.id;
  caches_->last_load = Caches::LastLoad{id, db_->Changes(), std::make_shared<Loaded>(std::move(inst))};
}

Result<std::vector<int>> Engine::ApplyFieldChanges(Loaded& inst, const Actor& actor,
                                                   const std::string& form_id, int occurrence,
                                                   std::vector<FieldChange> changes,
                                                   std::vector<std::string>* merged) {
  const std::int64_t instance = inst.id;
  const Form* form = inst.def->FindForm(form_id);
  if (!form) return Error::Of(ErrorCode::kNotFound, "Processen har inget formulär " + Quoted(form_id) + ".");
  if (changes.empty()) return std::vector<int>{};
  std::string why;
  if (FormLocked(inst, *form, &why)) return Error::Of(ErrorCode::kRefused, why);
  std::vector<std::string> roles = RolesOf(inst, actor);

  // Occurrences: a repeating form is written per occurrence; writing the next one adds it.
  const Step* repeating = inst.def->RepeatingStepOf(form->id);
  bool add_occurrence = false;
  if (repeating) {
    int count = inst.OccurrenceCount(repeating->id);
    if (occurrence == count + 1) {
      if (std::optional<Error> full = OccurrencesFull(*repeating, count)) return *full;
      if (inst.steps[repeating->id].state != State::kActive) {
        return Error::Of(ErrorCode::kRefused, "Ett nytt tillfälle kan bara läggas till medan steget " +
                                                  Quoted(repeating->label) + " är öppet.");
      }
      add_occurrence = true;
    } else if (occurrence < 1 || occurrence > count) {
      return Error::Of(ErrorCode::kInvalid, "Tillfälle " + std::to_string(occurrence) +
                                                " finns inte; steget " + Quoted(repeating->label) + " har " +
                                                std::to_string(count) + " tillfällen.");
    }
  } else if (occurrence != 0) {
    return Error::Of(ErrorCode::kInvalid, "Formuläret " + Quoted(form->label) + " upprepas inte.");
  }

  std::vector<Issue> forbidden, conflicts, invalid;
  std::set<std::string> seen;
  for (FieldChange& change : changes) {
    const std::string path = FieldPath(form->id, occurrence, change.field);
    const Field* field = form->FindField(change.field);
    if (!field) {
      invalid.push_back(
          {path, "Formuläret " + Quoted(form->label) + " har inget fält " + Quoted(change.field) + "."});
      continue;
    }
    if (!seen.insert(field->id).second) {
      invalid.push_back({path, "Fältet " + Quoted(field->label) + " förekommer två gånger i samma ändring."});
      continue;
    }
    if (RightsOn(inst, roles, *form, *field) != Rights::kEdit) {
      forbidden.push_back({path, "Du har inte rätt att ändra " + Quoted(field->label) + "."});
      continue;
    }
    auto current = inst.values.find(ValueKey{form->id, occurrence, field->id});
    int current_version = current == inst.values.end() ? 0 : current->second.version;
    if (change.expected_version && *change.expected_version != current_version &&
        field->type == FieldType::kLongText && !change.restored_from && current != inst.values.end()) {
      // Someone else wrote this long text meanwhile: keep both edits when they touch different words.
      std::string merge_error;
      std::optional<Value> yours =
          DecodeValue(*field, change.json ? *change.json : EncodeValue(change.value), &merge_error);
      std::optional<std::string> base_json =
          StoredVersion(instance, form->id, occurrence, field->id, *change.expected_version);
      std::optional<Value> base =
          base_json ? DecodeValue(*field, *base_json, &merge_error) : std::nullopt;
      auto text_of = [](const Value& v) {
        const std::string* s = std::get_if<std::string>(&v.data);
        return s ? *s : std::string();
      };
      if (yours && base) {
        TextMerge merge = MergeText(text_of(*base), text_of(current->second.value), text_of(*yours));
        if (merge.clean) {
          change.json.reset();
          change.value = Value{std::move(merge.merged)};
          change.expected_version = current_version;
          if (merged) merged->push_back(field->id);
        }
      }
    }
    if (change.expected_version && *change.expected_version != current_version) {
      std::string by = current == inst.values.end() ? "någon" : current->second.author;
      conflicts.push_back(
          {path, Quoted(field->label) + " har ändrats av " + by + " sedan du började (version " +
                     std::to_string(current_version) + ", du utgick från version " +
                     std::to_string(*change.expected_version) + "). Nuvarande värde: " +
                     Quoted(current == inst.values.end() ? "" : DisplayValue(current->second.value)) + "."});
      continue;
    }
    // Whatever a client sent, store a value of the field's type with its text cleaned as from any other
    // source: what is stored must decode again when the instance is next loaded.
    std::string type_error;
    std::optional<Value> typed =
        DecodeValue(*field, change.json ? *change.json : EncodeValue(change.value), &type_error);
    if (!typed) {
      invalid.push_back({path, type_error});
      continue;
    }
    change.value = std::move(*typed);
    for (std::string& message : CheckConstraints(*field, change.value))
      invalid.push_back({path, std::move(message)});
    // A person is a user, and a participant in the field's role when it names one.
    auto check_person = [&](const Field& person_field, const Value& value, const std::string& where) {
      const std::string* who = std::get_if<std::string>(&value.data);
      if (!who || who->empty()) return;
      if (db_->Query("SELECT 1 FROM users WHERE username = ?", {*who}).empty()) {
        invalid.push_back({where, "Det finns ingen användare " + Quoted(*who) + "."});
      } else if (!person_field.person_role.empty()) {
        const auto& people = inst.participants[person_field.person_role];
        if (std::none_of(people.begin(), people.end(),
                         [&](const Loaded::Person& p) { return p.username == *who; })) {
          const Role* role = inst.def->FindRole(person_field.person_role);
          invalid.push_back({where, Quoted(*who) + " har inte rollen " +
                                        Quoted(role ? role->label : person_field.person_role) +
                                        " i processen."});
        }
      }
    };
    if (field->type == FieldType::kPerson) check_person(*field, change.value, path);
    if (auto* rows = std::get_if<std::vector<Row>>(&change.value.data)) {
      for (size_t i = 0; i < rows->size(); ++i) {
        for (const auto& [column_id, cell] : (*rows)[i]) {
          const Field* column = field->Column(column_id);
          if (column && column->type == FieldType::kPerson) {
            check_person(*column, cell, path + "[" + std::to_string(i + 1) + "]." + column_id);
          }
        }
      }
    }
  }
  if (!forbidden.empty()) return Error{ErrorCode::kForbidden, forbidden};
  if (!conflicts.empty()) return Error{ErrorCode::kConflict, conflicts};
  if (!invalid.empty()) return Error{ErrorCode::kInvalid, invalid};

  // Rules that depend on the form as a whole are checked on the values as they would be after the write.
  Date today = clock_.Today();
  std::vector<std::vector<BudgetUse>> budgets_before;
  for (const Budget& b : inst.def->budgets) budgets_before.push_back(BudgetUses(b, inst, today));
  std::map<ValueKey, StoredValue> before = inst.values;
  if (add_occurrence) inst.occurrences[repeating->id].push_back(clock_.Now());
  for (const FieldChange& change : changes) {
    inst.values[ValueKey{form->id, occurrence, change.field}].value = change.value;
  }
  for (const FieldChange& change : changes) {
    const Field* field = form->FindField(change.field);
    if (!change.value.IsEmpty() && !FieldVisible(inst, *form, *field, occurrence, today)) {
      invalid.push_back(
          {FieldPath(form->id, occurrence, field->id),
           Quoted(field->label) + " visas inte med de svar som har getts och kan inte fyllas i."});
    }
  }
  if (!invalid.empty()) return Error{ErrorCode::kInvalid, invalid};
  std::vector<Issue> over;
  for (size_t i = 0; i < inst.def->budgets.size(); ++i) {
    const Budget& b = inst.def->budgets[i];
    for (const BudgetUse& use : BudgetUses(b, inst, today)) {
      double before_use = 0;
      for (const BudgetUse& earlier : budgets_before[i]) {
        if (earlier.key == use.key) before_use = earlier.used;
      }
      // A write that lowers an overspent budget is allowed: only growth past the limit is refused.
      if (use.used <= b.max || use.used <= before_use) continue;
      std::string message = b.message.text.empty() ? Quoted(b.label) + " får vara högst " +
                                                         DisplayValue(Value{b.max}) + " " + b.unit + "."
                                                   : b.message.text;
      std::string whose = use.key.empty() ? std::string() : DisplayNameOf(inst, use.key) + ": ";
      message.append(" (").append(whose).append("med ändringen ").append(DisplayValue(Value{use.used}));
      message.append(" ").append(b.unit).append(")");
      over.push_back({"budget:" + b.id, message});
    }
  }
  if (!over.empty()) return Error{ErrorCode::kRefused, over};

  std::string now = Now();
  if (add_occurrence) {
    db_->Execute(
        "INSERT INTO occurrences (instance_id, step_id, occurrence, started_at, created_by) VALUES (?, ?, "
        "?, ?, ?)",
        {instance, repeating->id, std::int64_t{occurrence}, now, actor.username});
    Audit(instance, actor, "occurrence.add", repeating->id + "#" + std::to_string(occurrence));
  }
  std::vector<int> versions;
  for (const FieldChange& change : changes) {
    ValueKey key{form->id, occurrence, change.field};
    auto old = before.find(key);
    bool existed = old != before.end();
    if (existed ? old->second.value == change.value : change.value.IsEmpty()) {
      versions.push_back(existed ? old->second.version : 0);
      if (!existed) inst.values.erase(key);  // as stored: no row for a field never written
      continue;
    }
    int version = (existed ? old->second.version : 0) + 1;
    StoredValue& stored = inst.values[key];  // the loaded state follows what is written
    stored.version = version;
    stored.author = actor.username;
    stored.updated = clock_.Now();
    const std::string encoded = EncodeValue(change.value);
    db_->Execute(
        "INSERT INTO field_values (instance_id, form_id, occurrence, field_id, value, version, author, "
        "updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id, form_id, occurrence, field_id) DO "
        "UPDATE SET "
        "value = excluded.value, version = excluded.version, author = excluded.author, "
        "updated_at = excluded.updated_at",
        {instance, form->id, std::int64_t{occurrence}, change.field, encoded, std::int64_t{version},
         actor.username, now});
    db_->Execute(
        "INSERT INTO field_history (instance_id, form_id, occurrence, field_id, version, value, author, at, "
        "restored_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {instance, form->id, std::int64_t{occurrence}, change.field, std::int64_t{version}, encoded,
         actor.username, now,
         change.restored_from ? Database::Param{std::int64_t{*change.restored_from}}
                              : Database::Param{nullptr}});
    InstanceEvent* event =
        Audit(instance, actor, "field.set", FieldPath(form->id, occurrence, change.field),
              existed ? std::optional<std::string>(DisplayValue(old->second.value)) : std::nullopt,
              DisplayValue(change.value),
              change.restored_from ? "återställd från version " + std::to_string(*change.restored_from)
                                   : std::string());
    if (event) event->field = InstanceEvent::FieldState{form->id, occurrence, change.field, version, encoded};
    versions.push_back(version);
  }
  Touch(inst);
  return versions;
}

Result<int> Engine::AddOccurrence(const Actor& actor, std::int64_t instance, const std::string& step_id) {
  return Write<int>([&]() -> Result<int> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Step* step = inst.def->FindStep(step_id);
    if (!step) return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(step_id) + ".");
    if (!step->repeat)
      return Error::Of(ErrorCode::kInvalid, "Steget " + Quoted(step->label) + " upprepas inte.");
    if (!Intersects(RolesOf(inst, actor), step->performers)) {
      return Error::Of(ErrorCode::kForbidden, "Steget " + Quoted(step->label) + " utförs av " +
                                                  RoleLabels(*inst.def, step->performers) + ".");
    }
    if (!inst.active() || inst.steps[step_id].state != State::kActive) {
      return Error::Of(ErrorCode::kRefused, "Steget " + Quoted(step->label) + " är inte öppet just nu.");
    }
    int count = inst.OccurrenceCount(step_id);
    if (std::optional<Error> full = OccurrencesFull(*step, count)) return *full;
    int number = count + 1;
    db_->Execute(
        "INSERT INTO occurrences (instance_id, step_id, occurrence, started_at, created_by) VALUES (?, ?, ?, "
        "?, ?)",
        {instance, step_id, std::int64_t{number}, Now(), actor.username});
    Audit(instance, actor, "occurrence.add", step_id + "#" + std::to_string(number));
    Touch(inst);
    return number;
  });
}

Result<Ok> Engine::SignOff(const Actor& actor, std::int64_t instance, const std::string& step_id) {
  return Write<Ok>([&]() -> Result<Ok> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Step* step = inst.def->FindStep(step_id);
    if (!step) return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(step_id) + ".");
    if (step->signoffs.empty()) {
      return Error::Of(ErrorCode::kInvalid, "Steget " + Quoted(step->label) + " kräver ingen underskrift.");
    }
    std::vector<std::string> roles = RolesOf(inst, actor);
    const spegla::SignOff* signoff = nullptr;
    for (const spegla::SignOff& s : step->signoffs) {
      if (std::count(roles.begin(), roles.end(), s.role)) signoff = &s;
    }
    if (!signoff) {
      std::vector<std::string> needed;
      for (const spegla::SignOff& s : step->signoffs) needed.push_back(s.role);
      return Error::Of(ErrorCode::kForbidden, "Steget skrivs under av " + RoleLabels(*inst.def, needed) +
                                                  "; du har inte den rollen i processen.");
    }
    if (!inst.active() || inst.steps[step_id].state != State::kActive) {
      return Error::Of(ErrorCode::kRefused, "Steget " + Quoted(step->label) + " är inte öppet just nu.");
    }
    Result<std::int64_t> user = UserId(actor.username);
    if (!user) return user.error();
    db_->Execute("DELETE FROM signoffs WHERE instance_id = ? AND step_id = ? AND role_id = ?",
                 {instance, step_id, signoff->role});
    db_->Execute(
        "INSERT INTO signoffs (instance_id, step_id, role_id, user_id, signed_at) VALUES (?, ?, ?, ?, ?)",
        {instance, step_id, signoff->role, user.value(), Now()});
    Audit(instance, actor, "step.signoff", step_id, std::nullopt, signoff->role);
    Touch(inst);
    return Ok{};
  });
}

// --- completing steps -----------------------------------------------------------------------------

std::vector<Issue> Engine::CompletionProblems(const Loaded& inst, const Step& step) const {
  std::vector<Issue> issues;
  const WorkflowDefinition& def = *inst.def;
  Date today = clock_.Today();
  // The performers' roles must be staffed as the definition says (the actor holds one of them already).
  for (const std::string& role_id : step.performers) {
    const Role* role = def.FindRole(role_id);
    auto it = inst.participants.find(role_id);
    int assigned = it == inst.participants.end() ? 0 : static_cast<int>(it->second.size());
    if (role && assigned < role->min) {
      issues.push_back({"role:" + role_id, "Minst " + std::to_string(role->min) + " i rollen " +
                                               Quoted(role->label) + " behövs för steget; nu är " +
                                               std::to_string(assigned) + " tilldelade."});
    }
  }
  std::vector<int> occurrences = {0};
  if (step.repeat) {
    int count = inst.OccurrenceCount(step.id);
    if (count < step.repeat->min) {
      std::string what =
          step.repeat->occurrence_label.empty() ? "tillfällen" : Quoted(step.repeat->occurrence_label);
      issues.push_back({"step:" + step.id, "Steget behöver minst " + std::to_string(step.repeat->min) + " " +
                                               what + "; nu finns " + std::to_string(count) + "."});
    }
    occurrences.clear();
    for (int i = 1; i <= count; ++i) occurrences.push_back(i);
  }
  for (const std::string& form_id : step.forms) {
    const Form* form = def.FindForm(form_id);
    if (!form) continue;
    bool repeats = def.RepeatingStepOf(form_id) != nullptr;
    for (int occurrence : repeats ? occurrences : std::vector<int>{0}) {
      for (const Field& field : form->fields) {
        if (!FieldVisible(inst, *form, field, occurrence, today)) continue;
        const Value* value = inst.Find(form_id, occurrence, field.id);
        std::string path = FieldPath(form_id, occurrence, field.id);
        if (!value || value->IsEmpty()) {
          if (field.required()) {
            issues.push_back({path, RequiredMessage(field)});
          } else if (std::optional<std::string> too_few = EmptyBelowMinimum(field)) {
            issues.push_back({path, *too_few});
          }
          continue;
        }
        for (std::string& m : CheckConstraints(field, *value)) issues.push_back({path, std::move(m)});
        // Rows may be saved half-filled; to complete, each row needs its required columns.
        if (auto* rows = std::get_if<std::vector<Row>>(&value->data)) {
          for (size_t i = 0; i < rows->size(); ++i) {
            for (const Field& column : field.columns) {
              auto cell = (*rows)[i].find(column.id);
              if (column.required() && (cell == (*rows)[i].end() || cell->second.IsEmpty())) {
                issues.push_back({path, Quoted(field.label) + " rad " + std::to_string(i + 1) + ": " +
                                            RequiredMessage(column)});
              }
            }
          }
        }
      }
    }
  }
  InstanceContext context(inst, today);
  for (const Requirement& r : step.requirements) {
    if (!Holds(r.condition, context)) {
      issues.push_back(
          {"step:" + step.id, r.message.text.empty()
                                  ? "Villkoret " + Quoted(r.condition.source()) + " är inte uppfyllt."
                                  : r.message.text});
    }
  }
  auto signed_roles = inst.signoffs.find(step.id);
  for (const spegla::SignOff& s : step.signoffs) {
    if (signed_roles == inst.signoffs.end() || !signed_roles->second.count(s.role)) {
      const Role* role = def.FindRole(s.role);
      issues.push_back(
          {"signoff:" + s.role, "Steget behöver underskrift av " +
                                    Quoted(s.label.empty() ? (role ? role->label : s.role) : s.label) + "."});
    }
  }
  return issues;
}

Result<Ok> Engine::CompleteStep(const Actor& actor, std::int64_t instance, const std::string& step_id) {
  return Write<Ok>([&]() -> Result<Ok> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Step* step = inst.def->FindStep(step_id);
    if (!step) return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(step_id) + ".");
    if (!Intersects(RolesOf(inst, actor), step->performers)) {
      return Error::Of(ErrorCode::kForbidden, "Steget " + Quoted(step->label) + " avslutas av " +
                                                  RoleLabels(*inst.def, step->performers) +
                                                  "; du har inte den rollen i processen.");
    }
    if (!inst.active()) return Error::Of(ErrorCode::kRefused, "Processen är avslutad.");
    State state = inst.steps[step_id].state;
    if (state == State::kCompleted) {
      return Error::Of(ErrorCode::kRefused, "Steget " + Quoted(step->label) + " är redan avslutat.");
    }
    if (state == State::kPending) {
      return Error::Of(
          ErrorCode::kRefused,
          "Steget " + Quoted(step->label) + " är inte öppet än; tidigare steg " + "måste avslutas först.");
    }
    std::vector<Issue> problems = CompletionProblems(inst, *step);
    if (!problems.empty()) return Error{ErrorCode::kRefused, problems};
    Loaded::StepState& s = inst.steps[step_id];
    s.state = State::kCompleted;
    s.completed = clock_.Now();
    s.completed_by = actor.username;
    SaveStep(*db_, inst, step_id);
    Audit(instance, actor, "step.complete", step_id, "active", "completed");
    AfterStepCompleted(inst, actor, *step);
    Touch(inst);
    return Ok{};
  });
}

Result<Ok> Engine::SendBack(const Actor& actor, std::int64_t instance, const std::string& from_step,
                            const std::string& to_step, const std::string& raw_reason) {
  return Write<Ok>([&]() -> Result<Ok> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Step* from = inst.def->FindStep(from_step);
    const Step* to = inst.def->FindStep(to_step);
    if (!from) return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(from_step) + ".");
    if (!to) return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(to_step) + ".");
    std::string reason = Trimmed(raw_reason);
    if (reason.empty())
      return Error::Of(ErrorCode::kInvalid, "Ange varför steget skickas tillbaka.", "reason");
    const spegla::SendBack* rule = nullptr;
    for (const spegla::SendBack& s : from->send_backs) {
      if (s.to_step == to_step) rule = &s;
    }
    if (!rule) {
      return Error::Of(ErrorCode::kRefused, "Steget " + Quoted(from->label) +
                                                " kan inte skickas tillbaka till " + Quoted(to->label) + ".");
    }
    const std::vector<std::string>& allowed = rule->roles.empty() ? from->performers : rule->roles;
    if (!Intersects(RolesOf(inst, actor), allowed)) {
      return Error::Of(ErrorCode::kForbidden,
                       "Bara " + RoleLabels(*inst.def, allowed) + " får skicka tillbaka.");
    }
    if (!inst.active() || inst.steps[from_step].state != State::kActive) {
      return Error::Of(ErrorCode::kRefused, "Steget " + Quoted(from->label) + " är inte öppet just nu.");
    }
    RewindTo(inst, actor, *to);
    Audit(instance, actor, "step.send_back", from_step + " -> " + to_step, std::nullopt, std::nullopt,
          reason);
    Touch(inst);
    return Ok{};
  });
}

Result<Ok> Engine::Reopen(const Actor& actor, std::int64_t instance, const std::string& step_id,
                          const std::string& raw_reason) {
  return Write<Ok>([&]() -> Result<Ok> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const Step* step = inst.def->FindStep(step_id);
    if (!step) return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(step_id) + ".");
    if (!step->reopenable) {
      return Error::Of(
          ErrorCode::kRefused,
          "Steget " + Quoted(step->label) + " kan inte öppnas igen; processbeskrivningen tillåter det inte.");
    }
    std::string reason = Trimmed(raw_reason);
    if (reason.empty()) return Error::Of(ErrorCode::kInvalid, "Ange varför steget öppnas igen.", "reason");
    const std::vector<std::string>& allowed =
        step->reopen_roles.empty() ? step->performers : step->reopen_roles;
    if (!Intersects(RolesOf(inst, actor), allowed)) {
      return Error::Of(ErrorCode::kForbidden,
                       "Bara " + RoleLabels(*inst.def, allowed) + " får öppna steget igen.");
    }
    if (inst.steps[step_id].state != State::kCompleted) {
      return Error::Of(ErrorCode::kRefused, "Steget " + Quoted(step->label) + " är inte avslutat.");
    }
    bool was_completed = !inst.active();
    RewindTo(inst, actor, *step);
    Audit(instance, actor, "step.reopen", step_id, "completed", "active", reason);
    if (was_completed) {
      Audit(instance, actor, "instance.reopen", "instance:" + std::to_string(instance), "completed", "active",
            reason);
    }
    Touch(inst);
    return Ok{};
  });
}

}  // namespace spegla
