#include "demo/world.h"

#include <algorithm>

#include "demo/text.h"

namespace spegla::cli::demo {
namespace {

std::string SchoolName(const std::string& stem) {
  // Nolhaga -> Nolhagaskolan, Bohus -> Bohusskolan, Lövåsen -> Lövåsenskolan, Kullingsberg ->
  // Kullingsbergsskolan.
  for (std::string_view ending : {"a", "e", "i", "o", "u", "y", "å", "ä", "ö", "s", "en"}) {
    if (EndsWith(stem, ending)) return stem + "skolan";
  }
  return stem + "sskolan";
}

}  // namespace

Result<std::string> PeopleFactory::Create(const DemoMunicipality* municipality, std::string global_role) {
  std::string first = Pick(kFirstNames, rng_);
  std::string last = Pick(kLastNames, rng_);
  std::string display_name = first + " " + last;
  std::string base = Transliterate(first) + "." + Transliterate(last);
  if (global_role == "administrator") {
    if (administrator_exists_) global_role = "personal";  // one administrator, also over several runs
    administrator_exists_ = true;
  }
  for (int n = 1;; ++n) {
    std::string username = n == 1 ? base : base + std::to_string(n);
    if (used_.count(username)) continue;
    auto existing = existing_.find(username);
    if (existing != existing_.end()) {
      if (existing->second != display_name) continue;
      used_.insert(username);
      return username;
    }
    User user;
    user.username = username;
    user.display_name = display_name;
    user.email = username + "@" + (municipality ? municipality->mail_domain : std::string("ku8.se"));
    if (municipality) user.municipality_id = municipality->id;
    user.global_role = global_role;
    Result<std::int64_t> created = engine_.CreateUser(Actor::Operator(), user);
    if (!created) {
      if (created.error().code == ErrorCode::kConflict) continue;  // taken since we listed the users
      return WithContext(created.error(), "user " + username);
    }
    used_.insert(username);
    existing_[username] = display_name;
    return username;
  }
}

Result<DemoWorld> BuildWorld(Engine& engine, const std::vector<DefinitionPtr>& definitions, std::mt19937& rng,
                             PeopleFactory& people) {
  DemoWorld world;
  const Actor op = Actor::Operator();
  std::map<std::string, std::int64_t> existing_municipalities;
  for (const Municipality& m : engine.Municipalities()) existing_municipalities[m.name] = m.id;

  Result<std::string> administrator = people.Create(nullptr, "administrator");
  if (!administrator) return administrator.error();

  for (const MunicipalitySeed& seed : kMunicipalities) {
    DemoMunicipality m;
    m.name = seed.name;
    m.network = seed.network;
    m.mail_domain = Transliterate(m.name) + ".se";
    if (auto it = existing_municipalities.find(m.name); it != existing_municipalities.end()) {
      m.id = it->second;
    } else {
      Result<std::int64_t> created = engine.CreateMunicipality(op, m.name, m.network);
      if (!created) return WithContext(created.error(), "municipality " + m.name);
      m.id = created.value();
    }
    world.municipalities.push_back(m);
    const size_t m_index = world.municipalities.size() - 1;

    Result<std::string> lead = people.Create(&world.municipalities[m_index], "utvecklingsledare");
    if (!lead) return lead.error();
    world.municipalities[m_index].lead = lead.value();
    Result<std::string> administration = people.Create(&world.municipalities[m_index], "forvaltning");
    if (!administration) return administration.error();

    std::map<std::string, std::int64_t> existing_units;
    for (const Unit& u : engine.Units(m.id)) existing_units[u.name] = u.id;
    std::vector<std::string> stems(std::begin(kPlaceStems), std::end(kPlaceStems));
    std::shuffle(stems.begin(), stems.end(), rng);
    int unit_count = Uniform(seed.min_units, seed.max_units, rng);
    for (int i = 0; i < unit_count; ++i) {
      DemoUnit unit;
      unit.municipality = m_index;
      bool preschool = Chance(0.4, rng);
      const std::string& stem = stems[static_cast<size_t>(i)];
      unit.name = !preschool ? SchoolName(stem) : Chance(0.5, rng) ? stem + " förskola" : "Förskolan " + stem;
      const std::string kind = preschool ? "forskola" : "skola";
      if (auto it = existing_units.find(unit.name); it != existing_units.end()) {
        unit.id = it->second;
      } else {
        Result<std::int64_t> created = engine.CreateUnit(op, m.id, unit.name, kind);
        if (!created) return WithContext(created.error(), "unit " + unit.name);
        unit.id = created.value();
      }
      Result<std::string> rektor = people.Create(&world.municipalities[m_index], "personal");
      if (!rektor) return rektor.error();
      unit.rektor = rektor.value();

      std::map<std::string, std::int64_t> existing_teams;
      for (const Team& t : engine.Teams(unit.id)) existing_teams[t.name] = t.id;
      std::vector<std::string> team_names =
          preschool ? std::vector<std::string>(std::begin(kPreschoolTeams), std::end(kPreschoolTeams))
                    : std::vector<std::string>(std::begin(kSchoolTeams), std::end(kSchoolTeams));
      std::shuffle(team_names.begin(), team_names.end(), rng);
      team_names.resize(static_cast<size_t>(Uniform(2, 3, rng)));
      std::sort(team_names.begin(), team_names.end());
      for (const std::string& name : team_names) {
        DemoTeam team;
        team.name = name;
        if (auto it = existing_teams.find(name); it != existing_teams.end()) {
          team.id = it->second;
        } else {
          Result<std::int64_t> created = engine.CreateTeam(op, unit.id, name);
          if (!created) return WithContext(created.error(), "arbetslag " + name + " at " + unit.name);
          team.id = created.value();
        }
        int members = Uniform(2, 4, rng);
        for (int k = 0; k < members; ++k) {
          Result<std::string> member = people.Create(&world.municipalities[m_index], "personal");
          if (!member) return member.error();
          team.members.push_back(member.value());
          world.municipalities[m_index].staff.push_back(member.value());
        }
        unit.teams.push_back(std::move(team));
      }
      world.units.push_back(std::move(unit));
      world.municipalities[m_index].units.push_back(world.units.size() - 1);
    }

    // The observer pool: experienced teachers of the municipality's own schools.
    DemoMunicipality& mm = world.municipalities[m_index];
    std::vector<std::string> candidates = mm.staff;
    std::shuffle(candidates.begin(), candidates.end(), rng);
    candidates.resize(std::min<size_t>(candidates.size(), 6));
    std::sort(candidates.begin(), candidates.end());
    for (const std::string& observer : candidates) {
      Result<Ok> added = engine.AddToObserverPool(op, mm.id, observer);
      if (!added) return WithContext(added.error(), "observer pool of " + mm.name);
    }
    mm.pool = candidates;
  }

  std::set<std::string> organisation_roles;
  for (const DefinitionPtr& definition : definitions) {
    for (const Role& role : definition->roles) {
      if (role.scope == RoleScope::kOrganisation) organisation_roles.insert(role.id);
    }
  }
  for (const DemoMunicipality& m : world.municipalities) {
    for (const std::string& role : organisation_roles) {
      Result<Ok> assigned = engine.AssignOrganisationRole(op, m.id, role, m.lead);
      if (!assigned) return WithContext(assigned.error(), "role " + role + " in " + m.name);
    }
  }
  return world;
}

}  // namespace spegla::cli::demo
