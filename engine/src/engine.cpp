// The engine's façade: opening the database, organisations and workflow definitions.
// Instance operations are in engine_instances.cpp, read models in engine_views.cpp.
#include "spegla/engine.h"

#include <set>

#include "engine_internal.h"
#include "event_codec.h"
#include "event_feed.h"
#include "spegla/schema.h"
#include "text.h"

namespace spegla {
namespace {

const std::set<std::string> kGlobalRoles = {"administrator", "utvecklingsledare", "forvaltning", "personal"};

bool IsUsername(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<Engine> Engine::Open(const std::string& path, const Clock& clock) {
  InitCrypto();
  std::unique_ptr<Database> db = Database::Open(path);
  Migrate(*db);
  std::unique_ptr<Engine> engine(new Engine(std::move(db), clock));
  engine->target_ = path;
  return engine;
}

Engine::Engine(std::unique_ptr<Database> db, const Clock& clock)
    : db_(std::move(db)), clock_(clock), caches_(std::make_unique<Caches>()) {}
Engine::~Engine() {
  feed_.reset();  // its thread hands events to the listener until it stops
  std::unique_lock lock = Lock();  // commits writes still waiting in a group (none should be)
}

std::unique_lock<std::mutex> Engine::Lock() {
  std::unique_lock lock(mutex_);
  if (open_group_) CommitOpenGroup();
  return lock;
}

void Engine::CommitOpenGroup() {
  std::shared_ptr<CommitGroup> group = std::move(open_group_);
  open_group_.reset();
  try {
    db_->CommitGroupNow();
    PublishEvents();
  } catch (const DatabaseError& e) {
    caches_->last_load.reset();  // it may hold what was not committed
    pending_events_.clear();
    group->failure = e.what();
  }
  group->done = true;
  group_committed_.notify_all();
}

// Enough operations per group that committing costs little per operation; few enough that a group's
// transaction, and the WAL, stay small.
constexpr size_t kBulkOperationsPerGroup = 200;

Result<Ok> Engine::BeginBulkLoad() {
  std::unique_lock lock = Lock();
  try {
    db_->BeginBulk(kBulkOperationsPerGroup);
  } catch (const DatabaseError& e) {
    return Error::Of(ErrorCode::kInternal, std::string("Databasfel: ") + e.what());
  }
  return Ok{};
}

Result<Ok> Engine::EndBulkLoad() {
  std::unique_lock lock = Lock();
  caches_->last_load.reset();
  try {
    db_->EndBulk();
  } catch (const DatabaseError& e) {
    return Error::Of(ErrorCode::kInternal, std::string("Databasfel: ") + e.what());
  }
  return Ok{};
}

std::string Engine::Now() const { return FormatTimestamp(clock_.Now()); }

InstanceEvent* Engine::Audit(std::optional<std::int64_t> instance, const Actor& actor,
                             const std::string& action, const std::string& target,
                             std::optional<std::string> old_value, std::optional<std::string> new_value,
                             const std::string& detail) {
  auto optional_param = [](const std::optional<std::string>& s) -> Database::Param {
    if (!s) return nullptr;
    return *s;
  };
  const std::string now = Now();
  std::int64_t id = db_->Insert(
      "INSERT INTO audit_log (instance_id, at, actor, action, target, old_value, new_value, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {instance ? Database::Param{*instance} : Database::Param{nullptr}, now, actor.username, action, target,
       optional_param(old_value), optional_param(new_value), detail});
  if (!instance || !event_listener_ || db_->bulk()) return nullptr;
  InstanceEvent& event = pending_events_.emplace_back();
  event.entry = AuditEntry{id,     instance,  clock_.Now(),         actor.username, action, target,
                           std::move(old_value), std::move(new_value), detail};
  return &event;
}

void Engine::StoreEvents(size_t from) {
  if (pending_events_.size() <= from) return;
  for (size_t i = from; i < pending_events_.size(); ++i) {
    const InstanceEvent& e = pending_events_[i];
    db_->Execute("INSERT INTO live_events (id, instance_id, body) VALUES (?, ?, ?)",
                 {e.entry.id, *e.entry.instance_id, EncodeEvent(e)});
  }
  // Delivered to every listening connection when (and only if) the transaction commits.
  db_->Execute(std::string("SELECT pg_notify('") + EventFeed::kChannel + "', '')");
}

void Engine::PublishEvents() {
  if (feed_) {
    pending_events_.clear();  // the feed hands them on, in the order of every process's commits
    return;
  }
  if (pending_events_.empty()) return;
  std::vector<InstanceEvent> events = std::move(pending_events_);
  pending_events_.clear();
  if (event_listener_) event_listener_(std::move(events));
}

void Engine::SetEventListener(EventListener listener) {
  feed_.reset();
  if (listener && db_->dialect().name == "postgresql") {
    // Several processes may serve this database: clients of each must receive every process's events.
    feed_ = std::make_unique<EventFeed>(target_, listener, LatestEventSeq(0));
  }
  event_listener_ = std::move(listener);
}

Result<std::int64_t> Engine::UserId(const std::string& username) {
  std::vector<Database::Row> rows = db_->Query("SELECT id FROM users WHERE username = ?", {username});
  if (rows.empty()) return Error::Of(ErrorCode::kNotFound, "Det finns ingen användare ”" + username + "”.");
  return rows[0].Int(0);
}

// --- organisations ----------------------------------------------------------------------------------

namespace {

// Organisation management belongs to administrators (and the operator at the server's console).
std::optional<Error> RequireAdministrator(Database& db, const Actor& actor, bool allow_coordinator = false) {
  if (actor.is_operator) return std::nullopt;
  std::vector<Database::Row> rows =
      db.Query("SELECT global_role FROM users WHERE username = ?", {actor.username});
  if (!rows.empty()) {
    std::string role = rows[0].Text(0);
    if (role == "administrator" || (allow_coordinator && role == "utvecklingsledare")) return std::nullopt;
  }
  return Error::Of(ErrorCode::kForbidden, "Bara en administratör får göra detta.");
}

bool MunicipalityExists(Database& db, std::int64_t id) {
  return !db.Query("SELECT id FROM municipalities WHERE id = ?", {id}).empty();
}

Error NoMunicipality(std::int64_t id) {
  return Error::Of(ErrorCode::kNotFound, "Det finns ingen kommun med id " + std::to_string(id) + ".");
}

Error NoUnit(std::int64_t id) {
  return Error::Of(ErrorCode::kNotFound, "Det finns ingen enhet med id " + std::to_string(id) + ".");
}

const char* const kUnknownGlobalRole = " (administrator, utvecklingsledare, forvaltning eller personal).";

// The fields an update changed, as they were and as they become, for its audit entry:
// "name: Byskolan; kind: skola" -> "name: Bygdeskolan; kind: skola".
class Changes {
 public:
  void Add(const std::string& field, const std::string& before, const std::string& after) {
    if (before == after) return;
    const char* separator = count_++ == 0 ? "" : "; ";
    before_ += separator + field + ": " + before;
    after_ += separator + field + ": " + after;
  }
  bool empty() const { return count_ == 0; }
  const std::string& before() const { return before_; }
  const std::string& after() const { return after_; }

 private:
  size_t count_ = 0;
  std::string before_, after_;
};

}  // namespace

Result<std::int64_t> Engine::CreateMunicipality(const Actor& actor, const std::string& raw_name,
                                                const std::string& network) {
  return Write<std::int64_t>([&]() -> Result<std::int64_t> {
    if (auto denied = RequireAdministrator(*db_, actor)) return *denied;
    std::string name = Trimmed(raw_name);
    if (name.empty()) return Error::Of(ErrorCode::kInvalid, "Kommunen behöver ett namn.", "name");
    if (!db_->Query("SELECT id FROM municipalities WHERE name = ?", {name}).empty()) {
      return Error::Of(ErrorCode::kConflict, "Kommunen ”" + name + "” finns redan.", "name");
    }
    std::int64_t id = db_->Insert("INSERT INTO municipalities (name, network, created_at) VALUES (?, ?, ?)",
                                  {name, Trimmed(network), Now()});
    Audit(std::nullopt, actor, "municipality.create", "municipality:" + std::to_string(id), std::nullopt,
          name);
    return id;
  });
}

Result<std::int64_t> Engine::CreateUnit(const Actor& actor, std::int64_t municipality_id,
                                        const std::string& raw_name, const std::string& kind) {
  return Write<std::int64_t>([&]() -> Result<std::int64_t> {
    if (auto denied = RequireAdministrator(*db_, actor, true)) return *denied;
    std::string name = Trimmed(raw_name);
    std::vector<Issue> issues;
    if (name.empty()) issues.push_back({"name", "Enheten behöver ett namn."});
    if (kind != "skola" && kind != "forskola")
      issues.push_back({"kind", "Typ ska vara ”skola” eller ”forskola”."});
    if (!issues.empty()) return Error{ErrorCode::kInvalid, issues};
    if (db_->Query("SELECT id FROM municipalities WHERE id = ?", {municipality_id}).empty()) {
      return Error::Of(ErrorCode::kNotFound,
                       "Det finns ingen kommun med id " + std::to_string(municipality_id) + ".");
    }
    if (auto denied = RequireCoordinatorOf(*db_, actor, municipality_id)) return *denied;
    if (!db_->Query("SELECT id FROM units WHERE municipality_id = ? AND name = ?", {municipality_id, name})
             .empty()) {
      return Error::Of(ErrorCode::kConflict, "Enheten ”" + name + "” finns redan i kommunen.", "name");
    }
    std::int64_t id = db_->Insert("INSERT INTO units (municipality_id, name, kind) VALUES (?, ?, ?)",
                                  {municipality_id, name, kind});
    Audit(std::nullopt, actor, "unit.create", "unit:" + std::to_string(id), std::nullopt, name);
    return id;
  });
}

Result<std::int64_t> Engine::CreateTeam(const Actor& actor, std::int64_t unit_id,
                                        const std::string& raw_name) {
  return Write<std::int64_t>([&]() -> Result<std::int64_t> {
    if (auto denied = RequireAdministrator(*db_, actor, true)) return *denied;
    std::string name = Trimmed(raw_name);
    if (name.empty()) return Error::Of(ErrorCode::kInvalid, "Arbetslaget behöver ett namn.", "name");
    std::vector<Database::Row> unit = db_->Query("SELECT municipality_id FROM units WHERE id = ?", {unit_id});
    if (unit.empty()) return NoUnit(unit_id);
    if (auto denied = RequireCoordinatorOf(*db_, actor, unit[0].Int(0))) return *denied;
    if (!db_->Query("SELECT id FROM teams WHERE unit_id = ? AND name = ?", {unit_id, name}).empty()) {
      return Error::Of(ErrorCode::kConflict, "Arbetslaget ”" + name + "” finns redan.", "name");
    }
    std::int64_t id = db_->Insert("INSERT INTO teams (unit_id, name) VALUES (?, ?)", {unit_id, name});
    Audit(std::nullopt, actor, "team.create", "team:" + std::to_string(id), std::nullopt, name);
    return id;
  });
}

Result<std::int64_t> Engine::CreateUser(const Actor& actor, const User& user) {
  return Write<std::int64_t>([&]() -> Result<std::int64_t> {
    if (auto denied = RequireAdministrator(*db_, actor)) return *denied;
    std::vector<Issue> issues;
    if (!IsUsername(user.username)) {
      issues.push_back(
          {"username", "Användarnamnet får bara innehålla a–z, 0–9, punkt, bindestreck och understreck."});
    }
    if (Trimmed(user.display_name).empty()) issues.push_back({"display_name", "Namn saknas."});
    std::string role = user.global_role.empty() ? "personal" : user.global_role;
    if (!kGlobalRoles.count(role)) {
      issues.push_back({"global_role", "Okänd roll ”" + role + "”" + kUnknownGlobalRole});
    }
    if (!issues.empty()) return Error{ErrorCode::kInvalid, issues};
    if (!db_->Query("SELECT id FROM users WHERE username = ?", {user.username}).empty()) {
      return Error::Of(ErrorCode::kConflict, "Användarnamnet ”" + user.username + "” är upptaget.",
                       "username");
    }
    if (user.municipality_id &&
        db_->Query("SELECT id FROM municipalities WHERE id = ?", {*user.municipality_id}).empty()) {
      return Error::Of(ErrorCode::kNotFound,
                       "Det finns ingen kommun med id " + std::to_string(*user.municipality_id) + ".");
    }
    std::int64_t id = db_->Insert(
        "INSERT INTO users (username, display_name, email, municipality_id, global_role, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {user.username, Trimmed(user.display_name), Trimmed(user.email),
         user.municipality_id ? Database::Param{*user.municipality_id} : Database::Param{nullptr}, role,
         Now()});
    Audit(std::nullopt, actor, "user.create", "user:" + user.username, std::nullopt, user.display_name);
    return id;
  });
}

Result<Ok> Engine::AddToObserverPool(const Actor& actor, std::int64_t municipality_id,
                                     const std::string& username) {
  return Write<Ok>([&]() -> Result<Ok> {
    if (auto denied = RequireAdministrator(*db_, actor, true)) return *denied;
    Result<std::int64_t> user = UserId(username);
    if (!user) return user.error();
    if (!MunicipalityExists(*db_, municipality_id)) return NoMunicipality(municipality_id);
    if (auto denied = RequireCoordinatorOf(*db_, actor, municipality_id)) return *denied;
    if (!db_->Query("SELECT 1 FROM observer_pool WHERE municipality_id = ? AND user_id = ?",
                    {municipality_id, user.value()})
             .empty()) {
      return Ok{};
    }
    db_->Execute("INSERT INTO observer_pool (municipality_id, user_id) VALUES (?, ?)",
                 {municipality_id, user.value()});
    Audit(std::nullopt, actor, "pool.add", "municipality:" + std::to_string(municipality_id), std::nullopt,
          username);
    return Ok{};
  });
}

Result<Ok> Engine::AssignOrganisationRole(const Actor& actor, std::int64_t municipality_id,
                                          const std::string& role, const std::string& username) {
  return Write<Ok>([&]() -> Result<Ok> {
    if (auto denied = RequireAdministrator(*db_, actor, true)) return *denied;
    Result<std::int64_t> user = UserId(username);
    if (!user) return user.error();
    if (db_->Query("SELECT id FROM municipalities WHERE id = ?", {municipality_id}).empty()) {
      return Error::Of(ErrorCode::kNotFound,
                       "Det finns ingen kommun med id " + std::to_string(municipality_id) + ".");
    }
    if (auto denied = RequireCoordinatorOf(*db_, actor, municipality_id)) return *denied;
    if (role.empty()) return Error::Of(ErrorCode::kInvalid, "Roll saknas.", "role");
    if (!db_->Query(
                "SELECT 1 FROM organisation_roles WHERE municipality_id = ? AND role_id = ? AND user_id = ?",
                {municipality_id, role, user.value()})
             .empty()) {
      return Ok{};
    }
    db_->Execute("INSERT INTO organisation_roles (municipality_id, role_id, user_id) VALUES (?, ?, ?)",
                 {municipality_id, role, user.value()});
    Audit(std::nullopt, actor, "organisation_role.assign", "municipality:" + std::to_string(municipality_id),
          std::nullopt, role + ": " + username);
    return Ok{};
  });
}

Result<Ok> Engine::UpdateMunicipality(const Actor& actor, std::int64_t id, const MunicipalityUpdate& update) {
  return Write<Ok>([&]() -> Result<Ok> {
    if (auto denied = RequireAdministrator(*db_, actor)) return *denied;
    std::vector<Database::Row> rows =
        db_->Query("SELECT name, network FROM municipalities WHERE id = ?", {id});
    if (rows.empty()) return NoMunicipality(id);
    const std::string old_name = rows[0].Text(0), old_network = rows[0].Text(1);
    const std::string name = update.name ? Trimmed(*update.name) : old_name;
    const std::string network = update.network ? Trimmed(*update.network) : old_network;
    if (name.empty()) return Error::Of(ErrorCode::kInvalid, "Kommunen behöver ett namn.", "name");
    if (!db_->Query("SELECT id FROM municipalities WHERE name = ? AND id <> ?", {name, id}).empty()) {
      return Error::Of(ErrorCode::kConflict, "Kommunen ”" + name + "” finns redan.", "name");
    }
    Changes changes;
    changes.Add("name", old_name, name);
    changes.Add("network", old_network, network);
    if (changes.empty()) return Ok{};
    db_->Execute("UPDATE municipalities SET name = ?, network = ? WHERE id = ?", {name, network, id});
    Audit(std::nullopt, actor, "municipality.update", "municipality:" + std::to_string(id), changes.before(),
          changes.after());
    return Ok{};
  });
}

Result<Ok> Engine::UpdateUnit(const Actor& actor, std::int64_t id, const UnitUpdate& update) {
  return Write<Ok>([&]() -> Result<Ok> {
    // Whether the actor may change units at all comes first; whose units, once the unit is known.
    if (auto denied = RequireAdministrator(*db_, actor, true)) return *denied;
    std::vector<Database::Row> rows =
        db_->Query("SELECT municipality_id, name, kind FROM units WHERE id = ?", {id});
    if (rows.empty()) return NoUnit(id);
    const std::int64_t municipality = rows[0].Int(0);
    if (auto denied = RequireCoordinatorOf(*db_, actor, municipality)) return *denied;
    const std::string old_name = rows[0].Text(1), old_kind = rows[0].Text(2);
    const std::string name = update.name ? Trimmed(*update.name) : old_name;
    const std::string kind = update.kind ? *update.kind : old_kind;
    std::vector<Issue> issues;
    if (name.empty()) issues.push_back({"name", "Enheten behöver ett namn."});
    if (kind != "skola" && kind != "forskola")
      issues.push_back({"kind", "Typ ska vara ”skola” eller ”forskola”."});
    if (!issues.empty()) return Error{ErrorCode::kInvalid, issues};
    if (!db_->Query("SELECT id FROM units WHERE municipality_id = ? AND name = ? AND id <> ?",
                    {municipality, name, id})
             .empty()) {
      return Error::Of(ErrorCode::kConflict, "Enheten ”" + name + "” finns redan i kommunen.", "name");
    }
    Changes changes;
    changes.Add("name", old_name, name);
    changes.Add("kind", old_kind, kind);
    if (changes.empty()) return Ok{};
    db_->Execute("UPDATE units SET name = ?, kind = ? WHERE id = ?", {name, kind, id});
    Audit(std::nullopt, actor, "unit.update", "unit:" + std::to_string(id), changes.before(),
          changes.after());
    return Ok{};
  });
}

Result<Ok> Engine::UpdateUser(const Actor& actor, const std::string& username, const UserUpdate& update) {
  return Write<Ok>([&]() -> Result<Ok> {
    if (auto denied = RequireAdministrator(*db_, actor)) return *denied;
    std::vector<Database::Row> rows =
        db_->Query(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.username = ?", {username});
    if (rows.empty()) {
      return Error::Of(ErrorCode::kNotFound, "Det finns ingen användare ”" + username + "”.", "username");
    }
    const User old = UserFromRow(rows[0]);
    User now = old;
    if (update.display_name) now.display_name = Trimmed(*update.display_name);
    if (update.email) now.email = Trimmed(*update.email);
    if (update.global_role) now.global_role = *update.global_role;
    if (update.municipality_id) now.municipality_id = *update.municipality_id;
    std::vector<Issue> issues;
    if (now.display_name.empty()) issues.push_back({"display_name", "Namn saknas."});
    if (!kGlobalRoles.count(now.global_role)) {
      issues.push_back({"global_role", "Okänd roll ”" + now.global_role + "”" + kUnknownGlobalRole});
    }
    if (!issues.empty()) return Error{ErrorCode::kInvalid, issues};
    if (now.municipality_id && now.municipality_id != old.municipality_id &&
        !MunicipalityExists(*db_, *now.municipality_id)) {
      Error error = NoMunicipality(*now.municipality_id);
      error.issues[0].field = "municipality_id";
      return error;
    }
    auto municipality_text = [](const std::optional<std::int64_t>& id) {
      return id ? std::to_string(*id) : std::string();
    };
    Changes changes;
    changes.Add("display_name", old.display_name, now.display_name);
    changes.Add("email", old.email, now.email);
    changes.Add("global_role", old.global_role, now.global_role);
    changes.Add("municipality_id", municipality_text(old.municipality_id),
                municipality_text(now.municipality_id));
    if (changes.empty()) return Ok{};
    db_->Execute(
        "UPDATE users SET display_name = ?, email = ?, global_role = ?, municipality_id = ? WHERE id = ?",
        {now.display_name, now.email, now.global_role,
         now.municipality_id ? Database::Param{*now.municipality_id} : Database::Param{nullptr}, old.id});
    // What a session may see follows from the role and municipality: a changed one signs the user out.
    if (now.global_role != old.global_role || now.municipality_id != old.municipality_id) {
      EndSessions(*db_, old.id, Now());
    }
    Audit(std::nullopt, actor, "user.update", "user:" + username, changes.before(), changes.after());
    return Ok{};
  });
}

Result<Ok> Engine::RemoveFromObserverPool(const Actor& actor, std::int64_t municipality_id,
                                          const std::string& username) {
  return Write<Ok>([&]() -> Result<Ok> {
    if (auto denied = RequireAdministrator(*db_, actor, true)) return *denied;
    Result<std::int64_t> user = UserId(username);
    if (!user) return user.error();
    if (!MunicipalityExists(*db_, municipality_id)) return NoMunicipality(municipality_id);
    if (auto denied = RequireCoordinatorOf(*db_, actor, municipality_id)) return *denied;
    if (db_->Query("SELECT 1 FROM observer_pool WHERE municipality_id = ? AND user_id = ?",
                   {municipality_id, user.value()})
            .empty()) {
      return Ok{};
    }
    db_->Execute("DELETE FROM observer_pool WHERE municipality_id = ? AND user_id = ?",
                 {municipality_id, user.value()});
    Audit(std::nullopt, actor, "pool.remove", "municipality:" + std::to_string(municipality_id), username);
    return Ok{};
  });
}

std::vector<Municipality> Engine::Municipalities() {
  std::unique_lock lock = Lock();
  std::vector<Municipality> out;
  for (const Database::Row& r : db_->Query("SELECT id, name, network FROM municipalities ORDER BY name")) {
    out.push_back(Municipality{r.Int(0), r.Text(1), r.Text(2)});
  }
  return out;
}

std::vector<Unit> Engine::Units(std::optional<std::int64_t> municipality_id) {
  std::unique_lock lock = Lock();
  std::vector<Unit> out;
  std::vector<Database::Row> rows =
      municipality_id
          ? db_->Query(
                "SELECT id, municipality_id, name, kind FROM units WHERE municipality_id = ? "
                "ORDER BY name",
                {*municipality_id})
          : db_->Query("SELECT id, municipality_id, name, kind FROM units ORDER BY municipality_id, name");
  for (const Database::Row& r : rows) out.push_back(Unit{r.Int(0), r.Int(1), r.Text(2), r.Text(3)});
  return out;
}

std::vector<Team> Engine::Teams(std::int64_t unit_id) {
  std::unique_lock lock = Lock();
  std::vector<Team> out;
  for (const Database::Row& r :
       db_->Query("SELECT id, unit_id, name FROM teams WHERE unit_id = ? ORDER BY name", {unit_id})) {
    out.push_back(Team{r.Int(0), r.Int(1), r.Text(2)});
  }
  return out;
}

std::vector<User> Engine::Users() {
  std::unique_lock lock = Lock();
  std::vector<User> out;
  for (const Database::Row& r :
       db_->Query(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.username")) {
    out.push_back(UserFromRow(r));
  }
  return out;
}

std::vector<User> Engine::ObserverPool(std::int64_t municipality_id) {
  std::unique_lock lock = Lock();
  std::vector<User> out;
  for (const Database::Row& r :
       db_->Query(std::string("SELECT ") + kUserColumns +
                      " FROM users u JOIN observer_pool p ON p.user_id = u.id WHERE p.municipality_id = ? "
                      "ORDER BY u.username",
                  {municipality_id})) {
    out.push_back(UserFromRow(r));
  }
  return out;
}

std::optional<User> Engine::FindUser(const std::string& username) {
  std::unique_lock lock = Lock();
  std::vector<Database::Row> rows =
      db_->Query(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.username = ?", {username});
  if (rows.empty()) return std::nullopt;
  return UserFromRow(rows[0]);
}

std::optional<User> Engine::FindUser(std::int64_t id) {
  std::unique_lock lock = Lock();
  std::vector<Database::Row> rows =
      db_->Query(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return UserFromRow(rows[0]);
}

// --- definitions ------------------------------------------------------------------------------------

InstallOutcome Engine::InstallDefinitionFile(const Actor& actor, const std::string& path,
                                             const LoadOptions& options) {
  LoadResult loaded = LoadWorkflowFromFile(path, options);
  if (!loaded.ok()) return InstallOutcome{loaded.problems, {}, 0, false};
  return InstallDefinition(actor, loaded.definition->xml, path, options);
}

InstallOutcome Engine::InstallDefinition(const Actor& actor, const std::string& xml, const std::string& file,
                                         const LoadOptions& options) {
  InstallOutcome outcome;
  LoadResult loaded = LoadWorkflowFromText(xml, file, options);
  if (!loaded.ok()) {
    outcome.problems = std::move(loaded.problems);
    return outcome;
  }
  const WorkflowDefinition& def = *loaded.definition;
  outcome.id = def.id;
  outcome.version = def.version;
  // Templates are read and checked before anything is written: a broken tag refuses the installation.
  std::map<std::string, std::string> templates;
  if (options.check_templates) {
    outcome.problems = ReadTemplates(def, &templates);
    if (!outcome.problems.empty()) return outcome;
  }
  Result<Ok> written = Write<Ok>([&]() -> Result<Ok> {
    if (auto denied = RequireAdministrator(*db_, actor)) return *denied;
    std::vector<Database::Row> latest =
        db_->Query("SELECT MAX(version) FROM workflow_definitions WHERE workflow_id = ?", {def.id});
    std::vector<Database::Row> same =
        db_->Query("SELECT xml FROM workflow_definitions WHERE workflow_id = ? AND version = ?",
                   {def.id, std::int64_t{def.version}});
    if (!same.empty()) {
      if (same[0].Text(0) == xml) {
        outcome.already_installed = true;
        SaveTemplates(actor, def, templates);  // a template edited in Word replaces the stored one
        return Ok{};
      }
      return Error::Of(ErrorCode::kConflict,
                       "version " + std::to_string(def.version) + " of '" + def.id +
                           "' is already installed with other content; raise the version");
    }
    if (!latest.empty() && !latest[0].IsNull(0) && latest[0].Int(0) > def.version) {
      return Error::Of(ErrorCode::kConflict, "'" + def.id + "' already has version " + latest[0].Text(0) +
                                                 "; a new upload needs a higher version than that");
    }
    db_->Execute(
        "INSERT INTO workflow_definitions (workflow_id, version, title, xml, installed_at, installed_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {def.id, std::int64_t{def.version}, def.title, xml, Now(), actor.username});
    Audit(std::nullopt, actor, "definition.install", def.id, std::nullopt,
          "version " + std::to_string(def.version));
    SaveTemplates(actor, def, templates);
    return Ok{};
  });
  if (!written) {
    for (const Issue& issue : written.error().issues) {
      outcome.problems.push_back(Problem{SourceLocation{file, 0, 0}, issue.message});
    }
    return outcome;
  }
  std::unique_lock lock = Lock();
  definitions_[{def.id, def.version}] = loaded.definition;
  return outcome;
}

std::vector<DefinitionSummary> Engine::Definitions() {
  std::unique_lock lock = Lock();
  std::vector<DefinitionSummary> out;
  std::map<std::string, int> latest;
  std::vector<Database::Row> rows = db_->Query(
      "SELECT workflow_id, version, title, installed_at, installed_by FROM workflow_definitions "
      "ORDER BY workflow_id, version");
  for (const Database::Row& r : rows) latest[r.Text(0)] = static_cast<int>(r.Int(1));
  for (const Database::Row& r : rows) {
    DefinitionSummary s;
    s.id = r.Text(0);
    s.version = static_cast<int>(r.Int(1));
    s.title = r.Text(2);
    s.installed_at = ParseTimestamp(r.Text(3)).value_or(Timestamp{});
    s.installed_by = r.Text(4);
    s.latest = latest[s.id] == s.version;
    out.push_back(std::move(s));
  }
  return out;
}

Result<DefinitionPtr> Engine::Definition(const std::string& id, std::optional<int> version) {
  return Read<DefinitionPtr>([&] { return LoadDefinition(id, version); });
}

Result<DefinitionPtr> Engine::LoadDefinition(const std::string& id, std::optional<int> version) {
  {
    // An installed version never changes, so a cached one is used without asking the database; the latest
    // version is looked up first, and the XML text is read only for a version not parsed yet.
    if (version) {
      auto cached = definitions_.find({id, *version});
      if (cached != definitions_.end()) return cached->second;
    }
    std::vector<Database::Row> rows =
        version ? db_->Query("SELECT version FROM workflow_definitions WHERE workflow_id = ? AND version = ?",
                             {id, std::int64_t{*version}})
                : db_->Query(
                      "SELECT version FROM workflow_definitions WHERE workflow_id = ? "
                      "ORDER BY version DESC LIMIT 1",
                      {id});
    if (rows.empty()) {
      return Error::Of(ErrorCode::kNotFound, "Det finns ingen processdefinition ”" + id + "”" +
                                                 (version ? " version " + std::to_string(*version) : "") +
                                                 ".");
    }
    int found = static_cast<int>(rows[0].Int(0));
    auto cached = definitions_.find({id, found});
    if (cached != definitions_.end()) return cached->second;
    std::vector<Database::Row> xml =
        db_->Query("SELECT xml FROM workflow_definitions WHERE workflow_id = ? AND version = ?",
                   {id, std::int64_t{found}});
    if (xml.empty()) return Error::Of(ErrorCode::kInternal, "the stored definition " + id + " disappeared");
    // Stored definitions were fully checked when installed; templates are checked by the plugins.
    LoadOptions options;
    options.check_templates = false;
    options.stored = true;
    LoadResult loaded = LoadWorkflowFromText(xml[0].Text(0), id + ".xml", options);
    if (!loaded.ok()) {
      return Error::Of(ErrorCode::kInternal, "the stored definition " + id + " v" + std::to_string(found) +
                                                 " no longer loads: " + loaded.problems.front().Format());
    }
    definitions_[{id, found}] = loaded.definition;
    return loaded.definition;
  }
}

}  // namespace spegla
