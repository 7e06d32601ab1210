// Who may see what, beyond the definitions' own rights: the rules that depend on a user's global role and
// municipality (administrators, utvecklingsledare, förvaltning) and on taking part in an instance.
#include "engine_internal.h"
#include "text.h"

namespace spegla {
namespace {

bool Participates(const Engine::Loaded& inst, const std::string& username) {
  for (const auto& [role, people] : inst.participants) {
    for (const Engine::Loaded::Person& p : people) {
      if (p.username == username) return true;
    }
  }
  return false;
}

}  // namespace

Standing StandingOf(Database& db, const Actor& actor) {
  Standing out;
  if (actor.is_operator) return out;
  std::vector<Database::Row> rows =
      db.Query("SELECT id, global_role, municipality_id FROM users WHERE username = ?", {actor.username});
  if (rows.empty()) return out;
  out.user_id = rows[0].Int(0);
  out.global_role = rows[0].Text(1);
  if (!rows[0].IsNull(2)) out.municipality_id = rows[0].Int(2);
  return out;
}

std::optional<Error> RequireCoordinatorOf(Database& db, const Actor& actor, std::int64_t municipality) {
  if (actor.is_operator) return std::nullopt;
  Standing who = StandingOf(db, actor);
  if ((who.user_id && who.global_role == "administrator") || who.Reaches("utvecklingsledare", municipality)) {
    return std::nullopt;
  }
  return Error::Of(ErrorCode::kForbidden,
                   "Bara en administratör eller kommunens utvecklingsledare får göra detta.");
}

Result<Ok> MayViewInstance(Database& db, const Engine::Loaded& inst, const Actor& actor,
                           bool* hide_participants) {
  if (hide_participants) *hide_participants = false;
  // A participant who is also förvaltning sees who they work with: taking part comes first.
  if (actor.is_operator || Participates(inst, actor.username)) return Ok{};
  Standing who = StandingOf(db, actor);
  if ((who.user_id && who.global_role == "administrator") ||
      who.Reaches("utvecklingsledare", inst.municipality_id)) {
    return Ok{};
  }
  if (who.Reaches("forvaltning", inst.municipality_id)) {
    if (hide_participants) *hide_participants = true;
    return Ok{};
  }
  return Error::Of(ErrorCode::kForbidden,
                   "Du har inte tillgång till processen " + Quoted(inst.summary.title) + ".");
}

Result<Ok> MayReadAuditLog(Database& db, const Engine::Loaded& inst, const Actor& actor) {
  if (actor.is_operator || Participates(inst, actor.username)) return Ok{};
  Standing who = StandingOf(db, actor);
  if ((who.user_id && who.global_role == "administrator") ||
      who.Reaches("utvecklingsledare", inst.municipality_id)) {
    return Ok{};
  }
  return Error::Of(ErrorCode::kForbidden,
                   "Du får inte läsa loggen för processen " + Quoted(inst.summary.title) + ".");
}

std::optional<Error> MayCreateInstance(Database& db, const Actor& actor,
                                       std::optional<std::int64_t> municipality) {
  if (actor.is_operator) return std::nullopt;
  Standing who = StandingOf(db, actor);
  if (!who.user_id)
    return Error::Of(ErrorCode::kForbidden, "Okänd användare " + Quoted(actor.username) + ".");
  if (who.global_role == "administrator") return std::nullopt;
  if (municipality ? who.Reaches("utvecklingsledare", *municipality)
                   : who.global_role == "utvecklingsledare") {
    return std::nullopt;
  }
  return Error::Of(ErrorCode::kForbidden,
                   "Bara en administratör eller kommunens utvecklingsledare får starta en process här.");
}

VisibleCondition VisibleInstances(
    Database& db, const Actor& viewer,
    const std::function<Result<DefinitionPtr>(const std::string& id, int version)>& definitions) {
  if (viewer.is_operator) return {};
  Standing who = StandingOf(db, viewer);
  if (!who.user_id) return {"1 = 0", {}};
  if (who.global_role == "administrator") return {};
  const bool sees_municipality = who.global_role == "utvecklingsledare" || who.global_role == "forvaltning";
  if (sees_municipality && !who.municipality_id) return {};

  VisibleCondition out;
  std::vector<std::string> alternatives;
  if (sees_municipality) {
    alternatives.push_back("u.municipality_id = ?");
    out.params.emplace_back(*who.municipality_id);
  }
  alternatives.push_back(
      "EXISTS (SELECT 1 FROM participants p WHERE p.instance_id = i.id AND p.user_id = ?)");
  out.params.emplace_back(*who.user_id);
  // An organisation-wide role makes its holder a participant of the municipality's instances whose
  // definition declares that role with scope="organisation" (as Load sees it): which versions those are
  // is known from the definitions, not the tables, so they are spelt out.
  std::vector<Database::Row> held =
      db.Query("SELECT municipality_id, role_id FROM organisation_roles WHERE user_id = ?", {*who.user_id});
  if (!held.empty()) {
    std::vector<Database::Row> versions = db.Query("SELECT workflow_id, version FROM workflow_definitions");
    for (const Database::Row& h : held) {
      for (const Database::Row& v : versions) {
        Result<DefinitionPtr> def = definitions(v.Text(0), static_cast<int>(v.Int(1)));
        if (!def) continue;
        const Role* role = def.value()->FindRole(h.Text(1));
        if (!role || role->scope != RoleScope::kOrganisation) continue;
        alternatives.push_back("(u.municipality_id = ? AND i.workflow_id = ? AND i.workflow_version = ?)");
        out.params.emplace_back(h.Int(0));
        out.params.emplace_back(v.Text(0));
        out.params.emplace_back(v.Int(1));
      }
    }
  }
  out.where = "(" + Join(alternatives, " OR ") + ")";
  return out;
}

}  // namespace spegla
