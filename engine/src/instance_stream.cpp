#include "instance_stream.h"

#include <algorithm>
#include <tuple>

#include "spegla/value.h"

namespace spegla {
namespace {

std::optional<Timestamp> TimeAt(const Database::Cursor& c, size_t column) {
  if (c.IsNull(column)) return std::nullopt;
  return ParseTimestamp(c.Text(column));
}

// The rows of a table (aliased `alias` in `from`) for the selected instances, ordered by its primary key
// (instance id first), so that SQLite walks the key's index and sorts nothing. `id_condition` is on the
// table's instance_id ("instance_id = ?"); empty for every instance.
Database::Cursor Children(Database& db, const std::string& columns, const std::string& from, const char* alias,
                          const std::string& id_condition, const std::string& order,
                          const std::vector<Database::Param>& params, bool large) {
  const std::string where = id_condition.empty() ? "1 = 1" : std::string(alias) + "." + id_condition;
  const std::string sql = "SELECT " + columns + " FROM " + from + " WHERE " + where + " ORDER BY " + order;
  return large ? db.Stream(sql, params) : db.Select(sql, params);
}

}  // namespace

InstanceStream InstanceStream::One(Database& db, std::int64_t id, Definitions definitions) {
  return InstanceStream(db, "i.id = ?", "instance_id = ?", {id}, std::move(definitions), nullptr, false);
}

InstanceStream InstanceStream::Matching(Database& db, const InstanceSelection& selection,
                                        Definitions definitions, ValueFilter wanted) {
  if (selection.where.empty()) {
    // Every instance: each table read straight along its key, without the set of ids to look up.
    return InstanceStream(db, "1 = 1", "", {}, std::move(definitions), std::move(wanted), true);
  }
  const std::string where = "(" + selection.where + ")";
  return InstanceStream(db, where,
                        std::string("instance_id IN (SELECT i.id ") + kSummaryTables + " WHERE " + where + ")",
                        selection.params, std::move(definitions), std::move(wanted), true);
}

InstanceStream::InstanceStream(Database& db, const std::string& instances_where,
                               const std::string& id_condition, const std::vector<Database::Param>& params,
                               Definitions definitions, ValueFilter wanted, bool large)
    : db_(db),
      definitions_(std::move(definitions)),
      wanted_(std::move(wanted)),
      instances_([&] {
        const std::string sql = std::string("SELECT ") + kSummaryColumns +
                                ", i.created_by, i.completed_at, i.seq, m.id " + kSummaryTables + " WHERE " +
                                instances_where + " ORDER BY i.id";
        return large ? db.Stream(sql, params) : db.Select(sql, params);
      }()),
      participants_(Children(db, "p.instance_id, p.role_id, u.id, u.username, u.display_name, p.assigned_at",
                             "participants p JOIN users u ON u.id = p.user_id",
                             "p", id_condition, "p.instance_id, p.role_id, p.user_id", params, large)),
      phases_(Children(db, "instance_id, phase_id, state, started_at, completed_at, entered_seq", "phase_states s",
                       "s", id_condition, "instance_id, phase_id", params, large)),
      steps_(Children(db, "instance_id, step_id, state, started_at, completed_at, completed_by", "step_states s",
                      "s", id_condition, "instance_id, step_id", params, large)),
      occurrences_(Children(db, "instance_id, step_id, started_at", "occurrences o",
                            "o", id_condition, "instance_id, step_id, occurrence", params, large)),
      signoffs_(Children(db, "s.instance_id, s.step_id, s.role_id, u.username",
                         "signoffs s JOIN users u ON u.id = s.user_id", "s", id_condition,
                         "s.instance_id, s.step_id, s.role_id", params, large)),
      values_(Children(db, "instance_id, form_id, occurrence, field_id, value, version, author, updated_at",
                       "field_values v", "v", id_condition,
                       "instance_id, form_id, occurrence, field_id", params, large)) {}

const std::vector<std::pair<std::string, Engine::Loaded::Person>>& InstanceStream::OrganisationRoles(
    std::int64_t municipality) {
  auto found = organisation_roles_.find(municipality);
  if (found != organisation_roles_.end()) return found->second;
  std::vector<std::pair<std::string, Engine::Loaded::Person>> roles;
  for (const Database::Row& p :
       db_.Query("SELECT o.role_id, u.id, u.username, u.display_name FROM organisation_roles o "
                 "JOIN users u ON u.id = o.user_id WHERE o.municipality_id = ? ORDER BY u.username",
                 {municipality})) {
    roles.emplace_back(p.Text(0), Engine::Loaded::Person{p.Int(1), p.Text(2), p.Text(3), true});
  }
  return organisation_roles_.emplace(municipality, std::move(roles)).first->second;
}

Result<bool> InstanceStream::Next(Engine::Loaded& inst) {
  if (!instances_.Next()) return false;
  const Database::Cursor& r = instances_;
  inst = Engine::Loaded{};
  inst.id = r.Int(0);
  inst.summary = SummaryFromRow(r);
  Result<DefinitionPtr> def = definitions_(inst.summary.workflow_id, inst.summary.workflow_version);
  if (!def) return def.error();
  inst.def = def.value();
  inst.created_by = std::string(r.Text(kSummaryColumnCount));
  inst.completed_at = TimeAt(r, kSummaryColumnCount + 1);
  inst.seq = r.Int(kSummaryColumnCount + 2);
  inst.municipality_id = r.Int(kSummaryColumnCount + 3);

  // Participants in the order they were assigned (then by username), as people see them listed.
  std::vector<std::tuple<std::string, std::string, Engine::Loaded::Person>> assigned;
  participants_.Take(inst.id, [&](const Database::Cursor& p) {
    assigned.emplace_back(std::string(p.Text(5)), std::string(p.Text(1)),
                          Engine::Loaded::Person{p.Int(2), std::string(p.Text(3)), std::string(p.Text(4)), false});
  });
  std::stable_sort(assigned.begin(), assigned.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<2>(a).username) < std::tie(std::get<0>(b), std::get<2>(b).username);
  });
  for (auto& [at, role, person] : assigned) inst.participants[role].push_back(std::move(person));
  for (const auto& [role_id, person] : OrganisationRoles(inst.municipality_id)) {
    const Role* role = inst.def->FindRole(role_id);
    if (role && role->scope == RoleScope::kOrganisation) inst.participants[role_id].push_back(person);
  }

  phases_.Take(inst.id, [&](const Database::Cursor& p) {
    inst.phases[std::string(p.Text(1))] = Engine::Loaded::PhaseState{ParseState(p.Text(2)),
                                                                     TimeAt(p, 3), TimeAt(p, 4), p.Int(5)};
  });
  steps_.Take(inst.id, [&](const Database::Cursor& p) {
    inst.steps[std::string(p.Text(1))] = Engine::Loaded::StepState{
        ParseState(p.Text(2)), TimeAt(p, 3), TimeAt(p, 4), std::string(p.Text(5))};
  });
  occurrences_.Take(inst.id, [&](const Database::Cursor& p) {
    inst.occurrences[std::string(p.Text(1))].push_back(ParseTimestamp(p.Text(2)).value_or(Timestamp{}));
  });
  signoffs_.Take(inst.id, [&](const Database::Cursor& p) {
    inst.signoffs[std::string(p.Text(1))][std::string(p.Text(2))] = std::string(p.Text(3));
  });
  values_.Take(inst.id, [&](const Database::Cursor& p) {
    const std::string_view form_id = p.Text(1), field_id = p.Text(3);
    if (wanted_ && !wanted_(form_id, field_id)) return;
    const Form* form = inst.def->FindForm(form_id);
    const Field* field = form ? form->FindField(field_id) : nullptr;
    if (!field) return;  // a field the definition no longer has cannot be shown or edited
    std::string error;
    std::optional<Value> value = DecodeValue(*field, p.Text(4), &error);
    if (!value) return;
    inst.values[ValueKey{std::string(form_id), static_cast<int>(p.Int(2)), std::string(field_id)}] =
        StoredValue{std::move(*value), static_cast<int>(p.Int(5)), std::string(p.Text(6)),
                    ParseTimestamp(p.Text(7)).value_or(Timestamp{})};
  });
  return true;
}

}  // namespace spegla
