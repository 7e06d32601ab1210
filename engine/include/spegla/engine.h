// The engine: organisations, workflow definitions and running instances over one database.
//
// Every operation that writes runs in one transaction and appends to the audit log in the same
// transaction: it either happens completely, with its audit entries, or not at all. Operations check
// the actor's rights from the definition (per role, form and field) before touching anything.
//
// Thread-safety: all methods may be called from any thread; they are serialised internally.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "spegla/clock.h"
#include "spegla/collaboration.h"
#include "spegla/export.h"
#include "spegla/export_plugin.h"
#include "spegla/instance.h"
#include "spegla/outcome.h"
#include "spegla/value.h"
#include "spegla/workflow_definition.h"
#include "spegla/workflow_loader.h"

namespace spegla {

class Database;
class EventFeed;
class PluginHost;

// Who acts. An operator is the person running the CLI on the server's own database file: they may
// manage organisations and definitions, but form work and steps always need a named participant.
struct Actor {
  std::string username;
  bool is_operator = false;

  static Actor Operator() { return Actor{"operator", true}; }
  static Actor User(std::string name) { return Actor{std::move(name), false}; }
};

struct Municipality {
  std::int64_t id = 0;
  std::string name;
  std::string network;  // e.g. "KU8": municipalities that share observers and lärdomar
};

struct Unit {
  std::int64_t id = 0;
  std::int64_t municipality_id = 0;
  std::string name;
  std::string kind;  // "skola" or "forskola"
};

struct Team {
  std::int64_t id = 0;
  std::int64_t unit_id = 0;
  std::string name;
};

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  std::optional<std::int64_t> municipality_id;
  std::string global_role;  // "administrator", "utvecklingsledare", "forvaltning", "personal"
};

// Changes to an organisation record; what is absent stays as it is.
struct MunicipalityUpdate {
  std::optional<std::string> name;
  std::optional<std::string> network;
};

struct UnitUpdate {
  std::optional<std::string> name;
  std::optional<std::string> kind;
};

struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> email;
  std::optional<std::string> global_role;
  std::optional<std::optional<std::int64_t>> municipality_id;  // a value holding nullopt clears it
};

// A signed-in user's session. `token` is only ever known to the client (and set by Login): the database
// keeps its SHA-256. `csrf_token` must accompany every state-changing request made with the cookie.
struct SessionInfo {
  std::string token;  // empty except in what Login returns
  std::string csrf_token;
  User user;
  Timestamp created_at{};
  Timestamp expires_at{};
};

// How much work an argon2id password hash costs. kInteractive (libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE,
// 64 MiB) in production; kMinimum only for tests, where hundreds of accounts are made.
enum class PasswordCost { kInteractive, kModerate, kMinimum };

// The page of instances a viewer may see, and how many there are in all.
struct InstancePage {
  std::vector<InstanceSummary> items;
  size_t total = 0;
};

struct DefinitionSummary {
  std::string id;
  int version = 0;
  std::string title;
  Timestamp installed_at{};
  std::string installed_by;
  bool latest = false;
};

struct InstallOutcome {
  Problems problems;  // non-empty: nothing was installed
  std::string id;
  int version = 0;
  bool already_installed = false;  // the same id, version and text were there already
};

struct FieldChange {
  std::string field;
  Value value;
  std::optional<int> expected_version;  // the version the editor started from; a mismatch is a conflict
  // The value as JSON, typed by the field's definition when it is written (an API client's input);
  // when set, `value` is ignored. A value of the wrong type is reported as invalid for its field.
  std::optional<std::string> json;
  std::optional<int> restored_from;  // the write restores this earlier version (RestoreField)
};

// A stored document of an instance: one version of one <document> of its definition.
struct DocumentInfo {
  std::string document_id;
  std::string label;
  int version = 0;
  std::int64_t data_version = 0;  // the instance's latest audit entry when it was made: the data it shows
  std::string template_sha256;    // the template it was filled from
  std::string file_name;          // e.g. "utvecklingsplan-v2.docx"
  std::string media_type;
  size_t size = 0;
  Timestamp created_at{};
  std::string created_by;
};

struct Document {
  DocumentInfo info;
  std::string bytes;
};

struct InstanceFilter {
  std::optional<std::int64_t> municipality_id;
  std::optional<std::int64_t> unit_id;
  std::optional<std::string> workflow_id;
  std::optional<std::string> status;
  size_t limit = 1000;
  size_t offset = 0;
};

class Engine {
 public:
  // Opens or creates the database at `path` and brings its schema up to date. `clock` must outlive the
  // engine. Throws DatabaseError when the database cannot be used.
  static std::unique_ptr<Engine> Open(const std::string& path, const Clock& clock);
  ~Engine();

  // --- organisations -------------------------------------------------------------------------------
  Result<std::int64_t> CreateMunicipality(const Actor& actor, const std::string& name,
                                          const std::string& network = "");
  Result<std::int64_t> CreateUnit(const Actor& actor, std::int64_t municipality_id, const std::string& name,
                                  const std::string& kind);
  Result<std::int64_t> CreateTeam(const Actor& actor, std::int64_t unit_id, const std::string& name);
  Result<std::int64_t> CreateUser(const Actor& actor, const User& user);
  Result<Ok> AddToObserverPool(const Actor& actor, std::int64_t municipality_id, const std::string& username);
  // Gives a user an organisation-wide role (scope="organisation") in every instance of the municipality.
  Result<Ok> AssignOrganisationRole(const Actor& actor, std::int64_t municipality_id, const std::string& role,
                                    const std::string& username);
  std::vector<Municipality> Municipalities();
  std::vector<Unit> Units(std::optional<std::int64_t> municipality_id = std::nullopt);
  std::vector<Team> Teams(std::int64_t unit_id);
  std::vector<User> Users();
  std::vector<User> ObserverPool(std::int64_t municipality_id);
  std::optional<User> FindUser(const std::string& username);
  std::optional<User> FindUser(std::int64_t id);
  // Administrators (and the operator) change organisation records; an utvecklingsledare may change the
  // units of their own municipality. Names stay unique; a user's global role must be a known one.
  Result<Ok> UpdateMunicipality(const Actor& actor, std::int64_t id, const MunicipalityUpdate& update);
  Result<Ok> UpdateUnit(const Actor& actor, std::int64_t id, const UnitUpdate& update);
  Result<Ok> UpdateUser(const Actor& actor, const std::string& username, const UserUpdate& update);
  Result<Ok> RemoveFromObserverPool(const Actor& actor, std::int64_t municipality_id,
                                    const std::string& username);

  // --- accounts and sessions (engine_accounts.cpp) -------------------------------------------------
  // Sets a password (argon2id via libsodium). Allowed to the operator, administrators, and the user
  // themself; at least 10 characters. Ends the user's other sessions.
  Result<Ok> SetPassword(const Actor& actor, const std::string& username, const std::string& password);
  void SetPasswordCost(PasswordCost cost);  // REQUIRES: before other threads use the engine
  // Whether the user has a password (false for an unknown user).
  bool HasPassword(const std::string& username);
  // Checks the password and stores a new session (the token hashed) valid for `lifetime`. A wrong user
  // name or password is kUnauthenticated with the same message and about the same time either way.
  Result<SessionInfo> Login(const std::string& username, const std::string& password,
                            std::chrono::seconds lifetime);
  // The session a token belongs to; kUnauthenticated when unknown, ended or expired.
  Result<SessionInfo> Session(const std::string& token);
  // Ends the session (idempotent).
  Result<Ok> Logout(const std::string& token);

  // --- definitions ---------------------------------------------------------------------------------
  // Validates and stores a definition. A new id or a higher version is installed; the same version with
  // the same text is accepted as already installed; the same version with other text is refused.
  InstallOutcome InstallDefinition(const Actor& actor, const std::string& xml, const std::string& file,
                                   const LoadOptions& options = {});
  InstallOutcome InstallDefinitionFile(const Actor& actor, const std::string& path,
                                       const LoadOptions& options = {});
  std::vector<DefinitionSummary> Definitions();
  // The given version, or the latest when none is given.
  Result<DefinitionPtr> Definition(const std::string& id, std::optional<int> version = std::nullopt);

  // --- instances -----------------------------------------------------------------------------------
  // Starts an instance of the latest version of `workflow_id` for a unit; its first phase opens. Allowed
  // to the operator, administrators and the utvecklingsledare of the unit's municipality.
  Result<std::int64_t> CreateInstance(const Actor& actor, const std::string& workflow_id,
                                      std::int64_t unit_id, const std::string& title,
                                      std::optional<std::int64_t> team_id = {});
  Result<Ok> AssignParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                               const std::string& username);
  Result<Ok> RemoveParticipant(const Actor& actor, std::int64_t instance, const std::string& role,
                               const std::string& username);
  // Writes several fields of one form (occurrence 0 unless the form repeats with its step) at once:
  // all are written, or none. Returns the new version of each field changed.
  Result<std::vector<int>> SetFields(const Actor& actor, std::int64_t instance, const std::string& form,
                                     int occurrence, const std::vector<FieldChange>& changes);
  // Writes fields of one form as SetFields does and returns the form as the actor sees it afterwards, in
  // one operation. With `expected_etag` (the form's etag as the actor last saw it) nothing is written
  // unless the form still has that etag (kConflict, issue "etag", otherwise), and each field written must
  // still have the version the actor saw.
  // A long text changed by someone else since `expected_version` is merged with the change when their
  // edits do not overlap (docs/collaboration.md); such fields are added to `merged` when given.
  Result<FormView> WriteForm(const Actor& actor, std::int64_t instance, const std::string& form,
                             int occurrence, std::vector<FieldChange> changes,
                             const std::optional<std::string>& expected_etag = std::nullopt,
                             std::vector<std::string>* merged = nullptr);
  // Adds the next occurrence of a repeating step (a visit day, a meeting); returns its number.
  Result<int> AddOccurrence(const Actor& actor, std::int64_t instance, const std::string& step);
  Result<Ok> SignOff(const Actor& actor, std::int64_t instance, const std::string& step);
  // Completes an open step when every rule holds; otherwise refuses with every reason.
  Result<Ok> CompleteStep(const Actor& actor, std::int64_t instance, const std::string& step);
  // Sends an open step back to an earlier step the definition allows, with a reason.
  Result<Ok> SendBack(const Actor& actor, std::int64_t instance, const std::string& from_step,
                      const std::string& to_step, const std::string& reason);
  // Opens a completed step again (and the steps after it), with a reason.
  Result<Ok> Reopen(const Actor& actor, std::int64_t instance, const std::string& step,
                    const std::string& reason);

  // Who may see an instance (MayViewInstance): the operator; its participants (including holders of an
  // organisation-wide role); administrators; utvecklingsledare and förvaltning of its municipality (or of
  // every municipality when they belong to none). Others get kForbidden. Förvaltning sees the process's
  // course, deadlines and budgets but not who takes part (participants are left out of its view).
  // Form values are shown only per the definition's rights, whatever the global role.
  Result<InstanceView> GetInstance(const Actor& viewer, std::int64_t instance);
  // With `next_occurrence`, a repeating form may also be asked for at the occurrence after its last: it
  // is shown empty, as the form whose first write adds that occurrence (an offline form to fill in).
  Result<FormView> GetForm(const Actor& viewer, std::int64_t instance, const std::string& form,
                           int occurrence = 0, bool next_occurrence = false);
  std::vector<InstanceSummary> ListInstances(const InstanceFilter& filter = {});
  // The instances `viewer` may see (see MayViewInstance), filtered and paged, with the total count.
  InstancePage ListInstances(const Actor& viewer, const InstanceFilter& filter);
  // Open steps across active instances; for a user, only those they can perform.
  std::vector<Task> Tasks(std::optional<std::string> username = std::nullopt);
  // The audit log of an instance: for its participants, administrators and the utvecklingsledare of its
  // municipality (not förvaltning); values of fields the viewer may not see are left out.
  Result<std::vector<AuditEntry>> AuditLog(const Actor& viewer, std::int64_t instance);
  std::vector<AuditEntry> GlobalAuditLog(size_t limit = 1000);

  // --- documents (docs/documents.md) ---------------------------------------------------------------
  // The plugins that render documents. REQUIRES: called before other threads use the engine; `plugins`
  // outlives the engine. Without plugins, templates are not checked and no document is produced.
  void SetPlugins(const PluginHost* plugins);
  const PluginHost* plugins() const { return plugins_; }  // as set, or null
  // Every stored version of the documents the viewer may read, oldest first.
  Result<std::vector<DocumentInfo>> Documents(const Actor& viewer, std::int64_t instance);
  // A stored version (the latest when none is given).
  Result<Document> GetDocument(const Actor& viewer, std::int64_t instance, const std::string& document,
                               std::optional<int> version = std::nullopt);
  // Renders a document from the current data without storing it (a preview).
  Result<Document> RenderDocument(const Actor& viewer, std::int64_t instance, const std::string& document);
  // Renders and stores the next version now, whatever its trigger (for on="manual").
  Result<DocumentInfo> GenerateDocument(const Actor& actor, std::int64_t instance,
                                        const std::string& document);

  // --- exports (export.h, docs/exports.md) ---------------------------------------------------------
  // Streams the management workbook for `request` into `writer`, instance by instance in id order, in
  // constant memory, from one snapshot of the database. Refuses (forbidden) actors who may not export, or
  // a filter outside what they may see; nothing is written to `writer` then. The caller opens the writer
  // and calls Finish. Holds the engine's lock while it runs.
  Result<ExportSummary> Export(const Actor& actor, const ExportRequest& request, ExportWriter& writer);

  // --- working together (engine_collaboration.cpp, docs/collaboration.md) ----------------------------
  // Receives the events of every commit that changes an instance. REQUIRES: set before other threads use
  // the engine. Bulk loading produces no events.
  void SetEventListener(EventListener listener);
  // What `viewer` may receive of the instance's events: kForbidden unless they may read its history.
  Result<EventFilter> EventFilterFor(const Actor& viewer, std::int64_t instance);
  // The latest event of an instance, or of any when `instance` is 0 (0 when there is none).
  std::int64_t LatestEventSeq(std::int64_t instance);
  // The comments the viewer may see (those on fields they may see, and on steps), oldest first.
  Result<std::vector<Comment>> Comments(const Actor& viewer, std::int64_t instance);
  // Comments on a field or a step, by whoever may see it. @username mentions a user, who must be able to
  // see the comment (otherwise kInvalid, naming them).
  Result<Comment> AddComment(const Actor& actor, std::int64_t instance, const CommentTarget& target,
                             const std::string& body);
  Result<Comment> ResolveComment(const Actor& actor, std::int64_t instance, std::int64_t comment,
                                 bool resolved);
  // The open comments mentioning the user that they may still see, newest first.
  std::vector<Mention> Mentions(const std::string& username);
  // The roles the user holds in active instances.
  std::vector<Assignment> Assignments(const std::string& username);
  // Every version of a field, newest first, for whoever may see the field.
  Result<std::vector<FieldVersion>> FieldHistory(const Actor& viewer, std::int64_t instance,
                                                 const std::string& form, int occurrence,
                                                 const std::string& field);
  // Writes an earlier version's value again as a new version, as any write (rights, lock, validation),
  // and a conflict when the field is no longer at `expected_version`.
  Result<FormView> RestoreField(const Actor& actor, std::int64_t instance, const std::string& form,
                                int occurrence, const std::string& field, int version,
                                int expected_version);

  // --- offline forms (engine_offline.cpp, docs/offline-forms.md) -----------------------------------
  // The marker of a fillable file: `payload` with its HMAC-SHA-256 under this database's own secret
  // (made on first use). A file can so be imported only into the database that made it, as it was made.
  Result<std::string> SignMarker(const std::string& payload);
  // The payload of a marker SignMarker made here; kInvalid when it was changed or made elsewhere.
  Result<std::string> VerifyMarker(const std::string& marker);

  // --- bulk loading --------------------------------------------------------------------------------
  // For seeding a new database with many operations (`spegla demo`). Between BeginBulkLoad and
  // EndBulkLoad commits do not wait for the disk and operations are committed in groups; each operation
  // still checks every rule and happens completely, with its audit entries, or not at all. A crash of the
  // process loses the operations of the group not yet committed, and a power failure meanwhile may damage
  // the file: use it only on a database that can be made again. EndBulkLoad commits, makes commits fully
  // synchronous again and checkpoints the WAL into the database file; it reports a group that was lost.
  // While a group is open, other connections can read the last committed state, and their writes wait.
  Result<Ok> BeginBulkLoad();
  Result<Ok> EndBulkLoad();

  const Clock& clock() const { return clock_; }

  struct Loaded;  // the stored state of one instance (internal, defined in src/engine_internal.h)

 private:
  struct Caches;  // what the engine keeps between operations (src/engine_internal.h)

  Engine(std::unique_ptr<Database> db, const Clock& clock);

  struct CommitGroup;  // writes committed together (src/engine_internal.h)

  template <typename T, typename F>
  Result<T> Write(F&& work);
  // Takes the engine's lock, committing writes still waiting in an open group first, so that what the
  // caller reads has been committed.
  std::unique_lock<std::mutex> Lock();
  void CommitOpenGroup();  // REQUIRES: mutex_ held
  template <typename T, typename F>
  Result<T> Read(F&& work);

  Result<DefinitionPtr> LoadDefinition(const std::string& id, std::optional<int> version);  // lock held
  // The stored state of an instance, for an operation that changes it; LoadForReading for one that does
  // not. Both take it from the cache while the database has not changed (Caches::LastLoad).
  Result<Loaded> Load(std::int64_t instance);
  Result<std::shared_ptr<const Loaded>> LoadForReading(std::int64_t instance);
  Result<Loaded> LoadFromDatabase(std::int64_t instance);
  std::vector<std::string> RolesOf(const Loaded& inst, const Actor& actor) const;
  Rights RightsOn(const Loaded& inst, const std::vector<std::string>& roles, const Form& form,
                  const Field& field) const;
  bool FormLocked(const Loaded& inst, const Form& form, std::string* why) const;
  // Appends to the audit log; for an instance, also queues the event for the listener (published when
  // the write commits) and returns it, so that the caller can add what the event carries beyond the log.
  InstanceEvent* Audit(std::optional<std::int64_t> instance, const Actor& actor, const std::string& action,
                       const std::string& target, std::optional<std::string> old_value = {},
                       std::optional<std::string> new_value = {}, const std::string& detail = {});
  void PublishEvents();  // REQUIRES: mutex_ held, just after a commit
  void EnterPhase(Loaded& inst, const Actor& actor, const Phase& phase);
  void ActivateReadySteps(Loaded& inst, const Actor& actor, const Phase& phase);
  void AfterStepCompleted(Loaded& inst, const Actor& actor, const Step& step);
  void RewindTo(Loaded& inst, const Actor& actor, const Step& target);
  std::vector<Issue> CompletionProblems(const Loaded& inst, const Step& step) const;
  InstanceView BuildView(const Loaded& inst) const;
  Result<FormView> BuildFormView(const Loaded& inst, const Actor& viewer, const std::string& form_id,
                                 int occurrence, bool next_occurrence = false);
  // SetFields on a loaded instance, which it updates to the state written (lock and transaction held).
  Result<std::vector<int>> ApplyFieldChanges(Loaded& inst, const Actor& actor, const std::string& form_id,
                                             int occurrence, std::vector<FieldChange> changes,
                                             std::vector<std::string>* merged = nullptr);
  // The value a field had at `version` ("" for version 0 or one not kept), as JSON (EncodeValue).
  std::optional<std::string> StoredVersion(std::int64_t instance, const std::string& form, int occurrence,
                                           const std::string& field, int version);
  // The field of a form, when `actor` may see it (kNotFound for no such field, kForbidden when hidden).
  Result<const Field*> SeenField(const Loaded& inst, const Actor& actor, const std::string& form_id,
                                 const std::string& field_id);
  // May `actor` see what a comment on `target` is about (lock held).
  bool MaySeeCommentTarget(const Loaded& inst, const Actor& actor, const CommentTarget& target);
  // Keeps `inst` as the last instance loaded: the state just written, so the next operation on it need
  // not read it again.
  void KeepLoaded(Loaded&& inst);
  Result<std::int64_t> UserId(const std::string& username);
  // Documents: templates stored at install; produced when their trigger happens (engine_documents.cpp).
  Problems ReadTemplates(const WorkflowDefinition& def,
                         std::map<std::string, std::string>* by_document) const;
  void SaveTemplates(const Actor& actor, const WorkflowDefinition& def,
                     const std::map<std::string, std::string>& by_document);
  void ProduceDocuments(Loaded& inst, const Actor& actor, DocumentRule::Trigger trigger,
                        const std::string& target);
  Result<Document> Render(const Loaded& inst, const DocumentRule& rule, int version);
  Result<DocumentInfo> Store(Loaded& inst, const Actor& actor, const DocumentRule& rule);
  bool MayReadDocument(const Loaded& inst, const Actor& actor, const DocumentRule& rule) const;
  Result<const DocumentRule*> ReadableRule(const Loaded& inst, const Actor& viewer,
                                           const std::string& document) const;
  void Touch(Loaded& inst);
  std::string Now() const;

  std::unique_ptr<Database> db_;
  const Clock& clock_;
  std::mutex mutex_;
  // Group commit (Write): writers queueing for the lock, the group a writer may still join, and where
  // writers whose work is done wait for the group's commit.
  std::atomic<int> writers_waiting_{0};
  std::shared_ptr<CommitGroup> open_group_;
  std::condition_variable group_committed_;
  std::map<std::pair<std::string, int>, DefinitionPtr> definitions_;  // cache of parsed versions
  std::unique_ptr<Caches> caches_;  // the last instance loaded, decoded templates
  const PluginHost* plugins_ = nullptr;
  EventListener event_listener_;
  std::vector<InstanceEvent> pending_events_;  // audited by writes not yet committed
  // On PostgreSQL, with a listener: events travel through the database to every process's feed, this
  // one's included (src/event_feed.h); writes store them (StoreEvents).
  std::string target_;  // what Open opened
  std::unique_ptr<EventFeed> feed_;
  void StoreEvents(size_t from);  // pending_events_ from `from` on, in the write's transaction
  PasswordCost password_cost_ = PasswordCost::kInteractive;
  std::string marker_key_;    // the secret SignMarker uses, once read (guarded by mutex_)
  Result<std::string> MarkerKey();  // REQUIRES: mutex_ not held
};

}  // namespace spegla
