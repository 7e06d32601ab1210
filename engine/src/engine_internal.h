// Internals shared by the engine's translation units: the loaded state of one instance and the
// transaction wrappers. Not part of the public API.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "spegla/database.h"
#include "spegla/engine.h"
#include "spegla/expression.h"

namespace spegla {

struct StoredValue {
  Value value;
  int version = 0;
  std::string author;
  Timestamp updated{};
};

using ValueKey = std::tuple<std::string, int, std::string>;  // form, occurrence, field

struct Engine::Loaded {
  struct Person {
    std::int64_t user_id = 0;
    std::string username;
    std::string display_name;
    bool organisation_wide = false;
  };
  struct PhaseState {
    State state = State::kPending;
    std::optional<Timestamp> started, completed;
    std::int64_t entered_seq = 0;
  };
  struct StepState {
    State state = State::kPending;
    std::optional<Timestamp> started, completed;
    std::string completed_by;
  };

  std::int64_t id = 0;
  std::int64_t municipality_id = 0;
  std::int64_t seq = 0;
  DefinitionPtr def;
  InstanceSummary summary;
  std::string created_by;
  std::optional<Timestamp> completed_at;
  std::map<std::string, std::vector<Person>> participants;  // role -> people, instance and organisation-wide
  std::map<std::string, PhaseState> phases;
  std::map<std::string, StepState> steps;
  std::map<std::string, std::vector<Timestamp>> occurrences;  // step -> start of occurrence 1, 2, ...
  std::map<std::string, std::map<std::string, std::string>> signoffs;  // step -> role -> username
  std::map<ValueKey, StoredValue> values;

  bool active() const { return summary.status == "active"; }
  const Value* Find(const std::string& form, int occurrence, const std::string& field) const {
    auto it = values.find(ValueKey{form, occurrence, field});
    return it == values.end() ? nullptr : &it->second.value;
  }
  int OccurrenceCount(const std::string& step) const {
    auto it = occurrences.find(step);
    return it == occurrences.end() ? 0 : static_cast<int>(it->second.size());
  }
};

// Reads an instance's values for expressions. Bound to a form and occurrence, the form's own fields
// are read from that occurrence (visible-if); otherwise fields of repeating forms are lists over occurrences.
class InstanceContext final : public ExprContext {
 public:
  InstanceContext(const Engine::Loaded& inst, Date today, std::string bound_form = {},
                  int bound_occurrence = 0)
      : inst_(inst), today_(today), bound_form_(std::move(bound_form)), bound_occurrence_(bound_occurrence) {}

  ExprValue ValueOf(std::string_view canonical) const override;
  int AssignedCount(std::string_view role) const override;
  std::optional<Date> Started(std::string_view phase_or_step) const override;
  Date Today() const override { return today_; }

 private:
  const Engine::Loaded& inst_;
  Date today_;
  std::string bound_form_;
  int bound_occurrence_;
};

// What a budget has used: one entry with an empty key, or for a budget `per` a column, one entry per value
// of that column (the username for a person column), in the order the values first appear.
struct BudgetUse {
  std::string key;
  double used = 0;
};
std::vector<BudgetUse> BudgetUses(const Budget& budget, const Engine::Loaded& inst, Date today);

// The display name of a participant by username; the text itself when it names no participant.
std::string DisplayNameOf(const Engine::Loaded& inst, const std::string& username_or_text);

// Thrown inside a transaction to roll it back when an operation refuses; never escapes the engine.
struct RollbackSignal {};

// Decoded document templates by the SHA-256 of their bytes: templates are stored as base64 text, and
// decoding one for every document would cost more than rendering it. A hash names its bytes, so an entry
// never goes stale; a template edited in Word comes with another hash.
class TemplateCache {
 public:
  std::shared_ptr<const std::string> Find(const std::string& sha256) const {
    auto it = by_sha256_.find(sha256);
    return it == by_sha256_.end() ? nullptr : it->second;
  }
  std::shared_ptr<const std::string> Add(const std::string& sha256, std::string bytes) {
    constexpr size_t kMaxTemplates = 64;  // a few per definition version
    if (by_sha256_.size() >= kMaxTemplates) by_sha256_.clear();
    auto shared = std::make_shared<const std::string>(std::move(bytes));
    by_sha256_[sha256] = shared;
    return shared;
  }

 private:
  std::map<std::string, std::shared_ptr<const std::string>> by_sha256_;
};

// What the engine keeps between operations, under its lock.
struct Engine::Caches {
  // The instance loaded last, as it was read when the database had `stamp`: a client usually reads an
  // instance several times (the instance, a form, its log) before it writes, and a write usually follows a
  // read. Readers share it; a write takes it over (it changes it, and its writes change the stamp). Used
  // while the stamp is the same, so never after any write; dropped when an operation fails.
  struct LastLoad {
    std::int64_t id = 0;
    Database::ChangeStamp stamp;
    std::shared_ptr<Engine::Loaded> loaded;
  };
  std::optional<LastLoad> last_load;
  TemplateCache templates;
};

// The columns of an InstanceSummary, in the order SummaryFromRow reads them, and the tables they come from.
inline constexpr const char* kSummaryColumns =
    "i.id, i.workflow_id, i.workflow_version, d.title, i.title, i.unit_id, u.name, m.name, i.status, "
    "i.current_phase, i.created_at, i.updated_at";
inline constexpr size_t kSummaryColumnCount = 12;
inline constexpr const char* kSummaryTables =
    "FROM instances i JOIN units u ON u.id = i.unit_id JOIN municipalities m ON m.id = u.municipality_id "
    "JOIN workflow_definitions d ON d.workflow_id = i.workflow_id AND d.version = i.workflow_version";
// From a Database::Row or a Database::Cursor positioned on a row of kSummaryColumns.
template <typename Row>
InstanceSummary SummaryFromRow(const Row& r) {
  InstanceSummary s;
  s.id = r.Int(0);
  s.workflow_id = std::string(r.Text(1));
  s.workflow_version = static_cast<int>(r.Int(2));
  s.workflow_title = std::string(r.Text(3));
  s.title = std::string(r.Text(4));
  s.unit_id = r.Int(5);
  s.unit = std::string(r.Text(6));
  s.municipality = std::string(r.Text(7));
  s.status = std::string(r.Text(8));
  s.current_phase = std::string(r.Text(9));
  s.created_at = ParseTimestamp(r.Text(10)).value_or(Timestamp{});
  s.updated_at = ParseTimestamp(r.Text(11)).value_or(Timestamp{});
  return s;
}

// The columns of a User, in the order UserFromRow reads them (table alias u).
inline constexpr const char* kUserColumns =
    "u.id, u.username, u.display_name, u.email, u.municipality_id, u.global_role";
inline constexpr size_t kUserColumnCount = 6;
inline User UserFromRow(const Database::Row& r) {
  User u;
  u.id = r.Int(0);
  u.username = r.Text(1);
  u.display_name = r.Text(2);
  u.email = r.Text(3);
  if (!r.IsNull(4)) u.municipality_id = r.Int(4);
  u.global_role = r.Text(5);
  return u;
}
State ParseState(std::string_view text);
bool Holds(const Expression& e, const ExprContext& context);
bool FieldVisible(const Engine::Loaded& inst, const Form& form, const Field& field, int occurrence,
                  Date today);
std::string FieldPath(const std::string& form, int occurrence, const std::string& field);

// --- access (engine_access.cpp) -------------------------------------------------------------------

// The acting user as the users table knows them. Empty for the operator and for a name no user has.
struct Standing {
  std::optional<std::int64_t> user_id;
  std::string global_role;
  std::optional<std::int64_t> municipality_id;

  // Holds global `role` for `municipality`: as one of its own, or for every municipality when the user
  // belongs to none.
  bool Reaches(std::string_view role, std::int64_t municipality) const {
    return user_id && global_role == role && (!municipality_id || *municipality_id == municipality);
  }
};
Standing StandingOf(Database& db, const Actor& actor);

// Administrators (and the operator), or an utvecklingsledare of `municipality`: who manages its units
// and observer pool.
std::optional<Error> RequireCoordinatorOf(Database& db, const Actor& actor, std::int64_t municipality);

// Who may see an instance at all (engine.h, above GetInstance). `hide_participants` is set for those
// who see its course but not who takes part (förvaltning).
Result<Ok> MayViewInstance(Database& db, const Engine::Loaded& inst, const Actor& actor,
                           bool* hide_participants);
// Who may read an instance's audit log: its participants, administrators and utvecklingsledare.
Result<Ok> MayReadAuditLog(Database& db, const Engine::Loaded& inst, const Actor& actor);
// Who may start an instance on a unit of `municipality`; without one, whether the actor may start one
// anywhere.
std::optional<Error> MayCreateInstance(Database& db, const Actor& actor,
                                       std::optional<std::int64_t> municipality);

// The SQL condition (on kSummaryTables' aliases) that keeps the instances `viewer` may see, with its
// parameters; empty when they see every instance. `definitions` tells which roles of each installed
// definition version are organisation-wide.
struct VisibleCondition {
  std::string where;
  std::vector<Database::Param> params;
};
VisibleCondition VisibleInstances(
    Database& db, const Actor& viewer,
    const std::function<Result<DefinitionPtr>(const std::string& id, int version)>& definitions);

// --- accounts (engine_accounts.cpp) ---------------------------------------------------------------

// Prepares libsodium; throws std::runtime_error when it cannot be used. Safe to call more than once.
void InitCrypto();
// Ends every open session of a user (their role or password changed).
void EndSessions(Database& db, std::int64_t user_id, const std::string& now);

}  // namespace spegla

namespace spegla {

struct Engine::CommitGroup {
  size_t members = 0;   // writes that succeeded in it, waiting for its commit
  bool done = false;    // committed, or failed
  std::string failure;  // why it failed: none of its writes happened
};

// Writes in one group at most: bounds how long the first of them waits for its commit.
inline constexpr size_t kMaxCommitGroup = 64;

// Runs `work` as one transaction under the engine's lock. A failed Result rolls back everything the work
// did; a database failure is reported as an internal error with nothing written.
//
// Group commit: the work runs in a savepoint of a group transaction. When another writer is already
// queueing for the lock, the group is left open for it and this writer waits until the group is
// committed; the last writer of a run of them (or the next reader) commits. So concurrent writes share one
// wait for the disk, and each returns only once it is durable.
template <typename T, typename F>
Result<T> Engine::Write(F&& work) {
  ++writers_waiting_;
  std::unique_lock lock(mutex_);
  --writers_waiting_;
  std::optional<Result<T>> out;
  if (db_->bulk()) {  // bulk loading groups transactions its own way
    try {
      db_->InTransaction([&] {
        out.emplace(work());
        if (!out->ok()) throw RollbackSignal{};
      });
    } catch (const RollbackSignal&) {
      caches_->last_load.reset();  // it may hold what the rollback undid
    } catch (const DatabaseError& e) {
      caches_->last_load.reset();
      return Error::Of(ErrorCode::kInternal, std::string("Databasfel, inget sparades: ") + e.what());
    }
    return std::move(*out);
  }

  std::shared_ptr<CommitGroup> group;
  bool succeeded = false;
  std::string failure;
  const size_t events_before = pending_events_.size();  // the events of this write follow
  try {
    if (!open_group_) {
      db_->BeginGroup();
      open_group_ = std::make_shared<CommitGroup>();
    }
    group = open_group_;
    db_->InGroupSavepoint([&] {
      out.emplace(work());
      if (!out->ok()) throw RollbackSignal{};
      if (feed_) StoreEvents(events_before);
    });
    succeeded = true;
    ++group->members;
  } catch (const RollbackSignal&) {
    caches_->last_load.reset();  // it may hold what the rollback undid
    pending_events_.resize(events_before);
  } catch (const DatabaseError& e) {
    caches_->last_load.reset();
    pending_events_.resize(events_before);
    failure = e.what();
  }
  if (group && !db_->group_open() && !group->done) {
    // SQLite ended the whole transaction: the group's earlier writes are gone too.
    pending_events_.clear();
    group->failure = failure.empty() ? "the transaction was rolled back" : failure;
    group->done = true;
    open_group_.reset();
    group_committed_.notify_all();
  }
  if (open_group_ && (writers_waiting_.load() == 0 || open_group_->members >= kMaxCommitGroup)) {
    CommitOpenGroup();
  }
  if (!failure.empty()) {
    return Error::Of(ErrorCode::kInternal, std::string("Databasfel, inget sparades: ") + failure);
  }
  if (!succeeded) return std::move(*out);
  group_committed_.wait(lock, [&] { return group->done; });
  if (!group->failure.empty()) {
    return Error::Of(ErrorCode::kInternal, std::string("Databasfel, inget sparades: ") + group->failure);
  }
  return std::move(*out);
}

template <typename T, typename F>
Result<T> Engine::Read(F&& work) {
  std::unique_lock lock = Lock();
  try {
    return work();
  } catch (const DatabaseError& e) {
    caches_->last_load.reset();
    return Error::Of(ErrorCode::kInternal, std::string("Databasfel: ") + e.what());
  }
}

}  // namespace spegla
