// spegla org ...: municipalities, units, arbetslag, users, observer pools and organisation-wide roles.
#include "commands.h"
#include "json_output.h"

namespace spegla::cli {
namespace {

// Prints the id of what was created, or the error.
int Created(Context& c, const Result<std::int64_t>& result, const std::string& what) {
  if (!result) return c.Fail(result.error());
  if (c.json()) {
    c.out << OkJson({{"id", result.value()}}) << "\n";
  } else {
    c.out << what << " " << result.value() << "\n";
  }
  return kExitOk;
}

int List(Context& c) {
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  std::vector<Municipality> municipalities = engine->Municipalities();
  std::vector<Unit> units = engine->Units();
  std::vector<User> users = engine->Users();
  if (c.json()) {
    c.out << MunicipalitiesJson(municipalities, units, users) << "\n";
    return kExitOk;
  }
  for (const Municipality& m : municipalities) {
    c.out << m.id << "  " << m.name << (m.network.empty() ? "" : "  [" + m.network + "]") << "\n";
    for (const Unit& u : units) {
      if (u.municipality_id == m.id)
        c.out << "    unit " << u.id << "  " << u.name << " (" << u.kind << ")\n";
    }
  }
  c.out << users.size() << " users\n";
  for (const User& u : users)
    c.out << "  " << u.username << "  " << u.display_name << "  " << u.global_role << "\n";
  return kExitOk;
}

int AddMunicipality(Context& c) {
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return Created(c,
                 engine->CreateMunicipality(c.actor(), c.args.positional()[0], c.args.GetOr("network", "")),
                 "municipality");
}

int AddUnit(Context& c) {
  std::optional<std::int64_t> municipality = c.Id(c.args.positional()[0], "MUNICIPALITY_ID");
  if (!municipality) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return Created(
      c, engine->CreateUnit(c.actor(), *municipality, c.args.positional()[1], c.args.GetOr("kind", "skola")),
      "unit");
}

int AddTeam(Context& c) {
  std::optional<std::int64_t> unit = c.Id(c.args.positional()[0], "UNIT_ID");
  if (!unit) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return Created(c, engine->CreateTeam(c.actor(), *unit, c.args.positional()[1]), "team");
}

int AddUser(Context& c) {
  User user;
  user.username = c.args.positional()[0];
  user.display_name = c.args.positional()[1];
  user.email = c.args.GetOr("email", "");
  user.global_role = c.args.GetOr("role", "personal");
  if (auto m = c.args.Get("municipality")) {
    std::optional<std::int64_t> id = c.Id(*m, "--municipality");
    if (!id) return kExitUsage;
    user.municipality_id = *id;
  }
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return Created(c, engine->CreateUser(c.actor(), user), "user");
}

int AddToPool(Context& c) {
  std::optional<std::int64_t> municipality = c.Id(c.args.positional()[0], "MUNICIPALITY_ID");
  if (!municipality) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return c.Confirm(engine->AddToObserverPool(c.actor(), *municipality, c.args.positional()[1]),
                   c.args.positional()[1] + " is in the observer pool");
}

int ListPool(Context& c) {
  std::optional<std::int64_t> municipality = c.Id(c.args.positional()[0], "MUNICIPALITY_ID");
  if (!municipality) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  std::vector<User> pool = engine->ObserverPool(*municipality);
  if (c.json()) {
    c.out << MunicipalitiesJson({}, {}, pool) << "\n";
    return kExitOk;
  }
  for (const User& u : pool) c.out << u.username << "  " << u.display_name << "\n";
  return kExitOk;
}

int AssignRole(Context& c) {
  std::optional<std::int64_t> municipality = c.Id(c.args.positional()[0], "MUNICIPALITY_ID");
  if (!municipality) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  const std::string& role = c.args.positional()[1];
  const std::string& user = c.args.positional()[2];
  return c.Confirm(engine->AssignOrganisationRole(c.actor(), *municipality, role, user),
                   user + " holds " + role + " for the municipality");
}

}  // namespace

void AddOrganisationCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"org list", "", "list municipalities, units and users", {}, {}, 0, 0, List});
  commands.push_back(Command{"org municipality add",
                             "NAME [--network NETWORK]",
                             "add a municipality",
                             {},
                             {"network"},
                             1,
                             1,
                             AddMunicipality});
  commands.push_back(Command{"org unit add",
                             "MUNICIPALITY_ID NAME [--kind skola|forskola]",
                             "add a unit (skola or förskola)",
                             {},
                             {"kind"},
                             2,
                             2,
                             AddUnit});
  commands.push_back(
      Command{"org team add", "UNIT_ID NAME", "add an arbetslag to a unit", {}, {}, 2, 2, AddTeam});
  commands.push_back(
      Command{"org user add",
              "USERNAME \"DISPLAY NAME\" [--municipality ID] [--role administrator|utvecklingsledare|"
              "forvaltning|personal] [--email EMAIL]",
              "add a user",
              {},
              {"municipality", "role", "email"},
              2,
              2,
              AddUser});
  commands.push_back(Command{"org pool add",
                             "MUNICIPALITY_ID USERNAME",
                             "add a user to a municipality's observer pool",
                             {},
                             {},
                             2,
                             2,
                             AddToPool});
  commands.push_back(Command{
      "org pool list", "MUNICIPALITY_ID", "list a municipality's observer pool", {}, {}, 1, 1, ListPool});
  commands.push_back(
      Command{"org role add",
              "MUNICIPALITY_ID ROLE USERNAME",
              "give a user an organisation-wide role (e.g. utvecklingsledare) in a municipality",
              {},
              {},
              3,
              3,
              AssignRole});
}

}  // namespace spegla::cli
