// Storage: what the engine writes to its database survives closing and reopening; a failed operation
// writes nothing at all; the audit log cannot be changed; migrations bring older databases up to date and
// refuse newer ones; an SQLite file is in WAL mode and intact. Run on SQLite and, as postgresql.StorageTest.*,
// on PostgreSQL (tests/support/test_database.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/database.h"
#include "spegla/engine.h"
#include "spegla/schema.h"
#include "../support/test_database.h"

namespace spegla {
namespace {

using namespace spegla::test;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Whether the database has a table or trigger of that name, in either dialect.
bool HasTable(Database& db, const std::string& name) {
  return !db.Query(OnPostgresql() ? "SELECT 1 FROM pg_tables WHERE tablename = ?"
                                  : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                   {name})
              .empty();
}
bool HasTrigger(Database& db, const std::string& name) {
  return !db.Query(OnPostgresql() ? "SELECT 1 FROM pg_trigger WHERE tgname = ?"
                                  : "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                   {name})
              .empty();
}

// The message of the DatabaseError `work` throws, or a failure when it throws none.
template <typename F>
std::string DatabaseErrorOf(F&& work) {
  try {
    work();
  } catch (const DatabaseError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DatabaseError";
  return "";
}

class StorageTest : public ::testing::Test {
 protected:
  StorageTest() : clock_(At("2026-03-02")) {}

  void SetUp() override { path_ = TestDatabase((dir_.path() / "spegla.db").string()); }

  void TearDown() override { engine_.reset(); }

  void OpenEngine() { engine_ = Engine::Open(path_, clock_); }

  // An organisation, the test workflow and one instance with some work done.
  void Populate() {
    OpenEngine();
    municipality_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Testkommun", "KU8"));
    unit_ = Must(engine_->CreateUnit(Actor::Operator(), municipality_, "Byskolan", "skola"));
    team_ = Must(engine_->CreateTeam(Actor::Operator(), unit_, "Arbetslag 4–6"));
    for (const char* name : {"lars", "rut", "olle", "ola", "sam"}) {
      User user;
      user.username = name;
      user.display_name = std::string("Namn ") + name;
      user.email = std::string(name) + "@byskolan.se";
      user.municipality_id = municipality_;
      user.global_role = std::string(name) == "sam" ? "utvecklingsledare" : "personal";
      Must(engine_->CreateUser(Actor::Operator(), user));
    }
    for (const char* observer : {"olle", "ola"}) {
      ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(Actor::Operator(), municipality_, observer)));
    }
    ASSERT_TRUE(
        Succeeds(engine_->AssignOrganisationRole(Actor::Operator(), municipality_, "samordnare", "sam")));
    InstallOutcome installed = engine_->InstallDefinitionFile(Actor::Operator(), kFlowFile);
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();
    id_ = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Lagrat besök", team_));
    for (auto [role, who] :
         {std::pair{"larare", "lars"}, {"rektor", "rut"}, {"observator", "olle"}, {"observator", "ola"}}) {
      ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id_, role, who)));
    }
    clock_.Advance(1h);
    ASSERT_TRUE(Succeeds(engine_->SetFields(U("lars"), id_, "ansokan", 0,
                                            {{"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                                             {"antal", Num(24.5)},
                                             {"vag", Text("grundlig")},
                                             {"informerat", Yes(true)},
                                             {"kontakt", Text("lars")},
                                             {"uppfoljning_datum", Day("2026-06-01")}})));
    ASSERT_TRUE(Succeeds(engine_->SetFields(U("lars"), id_, "ansokan", 0, {{"antal", Num(25)}})));
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id_, "granskning")));
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("sam"), id_, "grupp")));
    ASSERT_TRUE(Succeeds(engine_->SetFields(U("olle"), id_, "besok", 1, {{"datum", Day("2026-04-01")}})));
    ASSERT_TRUE(Succeeds(engine_->SignOff(U("rut"), id_, "besok")));
    ASSERT_TRUE(Succeeds(engine_->SetFields(
        U("olle"), id_, "tid", 0,
        {{"rader", Value{std::vector<Row>{{{"observator", Text("olle")}, {"dagar", Num(1.5)}}}}}})));
  }

  // Everything the engine can tell about the organisation and the instance, as text.
  std::string Snapshot() {
    std::ostringstream out;
    for (const Municipality& m : engine_->Municipalities())
      out << "municipality " << m.id << m.name << m.network << "\n";
    for (const Unit& u : engine_->Units())
      out << "unit " << u.id << u.municipality_id << u.name << u.kind << "\n";
    for (const Team& t : engine_->Teams(unit_)) out << "team " << t.id << t.name << "\n";
    for (const User& u : engine_->Users()) {
      out << "user " << u.id << u.username << u.display_name << u.email << u.municipality_id.value_or(-1)
          << u.global_role << "\n";
    }
    for (const User& u : engine_->ObserverPool(municipality_)) out << "pool " << u.username << "\n";
    for (const DefinitionSummary& d : engine_->Definitions()) {
      out << "definition " << d.id << d.version << d.title << FormatTimestamp(d.installed_at)
          << d.installed_by << d.latest << "\n";
    }
    InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id_));
    out << "instance " << view.summary.title << view.summary.status << view.summary.current_phase
        << FormatTimestamp(view.summary.updated_at) << view.created_by << "\n";
    for (const PhaseView& p : view.phases) {
      out << "phase " << p.phase->id << ToString(p.state) << (p.started ? FormatTimestamp(*p.started) : "-")
          << (p.due ? p.due->ToString() : "-") << "\n";
      for (const StepView& s : p.steps) {
        out << "  step " << s.step->id << ToString(s.state) << s.completed_by << s.occurrences
            << (s.due ? s.due->ToString() : "-") << (s.next_due ? s.next_due->ToString() : "-");
        for (const std::string& role : s.signed_by_roles) out << " signed:" << role;
        out << "\n";
      }
    }
    for (const ParticipantView& p : view.participants) out << "participant " << p.role << p.username << "\n";
    for (const BudgetView& b : view.budgets) out << "budget " << b.budget->id << b.used << "\n";
    for (const auto& [form, occurrence] : {std::pair{"ansokan", 0}, {"besok", 1}, {"tid", 0}, {"plan", 0}}) {
      FormView f = Must(engine_->GetForm(Actor::Operator(), id_, form, occurrence));
      for (const FieldView& v : f.fields) {
        out << "field " << form << "." << v.field->id << "=" << EncodeValue(v.value) << " v" << v.version
            << " " << v.author << (v.updated_at ? FormatTimestamp(*v.updated_at) : "-")
            << (f.locked ? " locked" : "") << "\n";
      }
    }
    for (const AuditEntry& e : Must(engine_->AuditLog(Actor::Operator(), id_))) {
      out << "audit " << e.id << FormatTimestamp(e.at) << e.actor << e.action << e.target
          << e.old_value.value_or("∅") << e.new_value.value_or("∅") << e.detail << "\n";
    }
    out << "global audit " << engine_->GlobalAuditLog().size() << "\n";
    for (const Task& t : engine_->Tasks())
      out << "task " << t.step_id << (t.due ? t.due->ToString() : "-") << "\n";
    return out.str();
  }

  // Rows in a table, read straight from the file.
  long long Rows(const std::string& table) {
    std::unique_ptr<Database> db = Database::Open(path_);
    return db->Query("SELECT COUNT(*) FROM " + table)[0].Int(0);
  }

  ManualClock clock_;
  ScratchDir dir_{"spegla-storage"};
  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::int64_t municipality_ = 0, unit_ = 0, team_ = 0, id_ = 0;
};

// ---- durability --------------------------------------------------------------------------------

TEST_F(StorageTest, EverythingIsThereAfterClosingAndReopening) {
  Populate();
  std::string before = Snapshot();
  // The snapshot really covers the work done.
  EXPECT_THAT(before, HasSubstr("field ansokan.antal=25 v2 lars2026-03-02T09:00:00Z locked"));
  EXPECT_THAT(before, HasSubstr("field besok.datum=\"2026-04-01\" v1 olle"));
  EXPECT_THAT(before, HasSubstr("step besokactive1"));
  EXPECT_THAT(before, HasSubstr("signed:rektor"));
  EXPECT_THAT(before, HasSubstr("budget dagar1.5"));
  EXPECT_THAT(before, HasSubstr("pool olle"));
  EXPECT_THAT(before, HasSubstr("team "));
  EXPECT_THAT(before, HasSubstr("participant samordnaresam"));

  engine_.reset();
  clock_.Advance(24h);  // a later day must not change anything stored
  OpenEngine();
  std::string after = Snapshot();
  EXPECT_EQ(after, before);
  // And work continues where it stopped.
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("olle"), id_, "besok", 2, {{"datum", Day("2026-04-08")}})));
  EXPECT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id_, "besok")));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).summary.current_phase, "aterkoppling");
}

// ---- atomicity -----------------------------------------------------------------------------------

TEST_F(StorageTest, FailedWriteWithOneValidAndOneInvalidChangeWritesNothing) {
  Populate();
  engine_.reset();
  OpenEngine();
  std::int64_t second = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Andra"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), second, "larare", "lars")));
  clock_.Advance(1h);
  std::vector<AuditEntry> log = Must(engine_->AuditLog(Actor::Operator(), second));
  long long values = Rows("field_values");
  long long audit = Rows("audit_log");
  Timestamp updated = Must(engine_->GetInstance(Actor::Operator(), second)).summary.updated_at;

  EXPECT_TRUE(Fails(engine_->SetFields(U("lars"), second, "ansokan", 0,
                                       {{"antal", Num(5)}, {"epost", Text("inte en adress")}}),
                    ErrorCode::kInvalid, {"ansokan.epost: Skriv en e-postadress."}));
  EXPECT_EQ(Rows("field_values"), values);
  EXPECT_EQ(Rows("audit_log"), audit);
  FormView form = Must(engine_->GetForm(U("lars"), second, "ansokan"));
  for (const FieldView& f : form.fields) EXPECT_EQ(f.version, 0) << f.field->id;
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), second));
  EXPECT_EQ(view.summary.updated_at, updated);
  EXPECT_EQ(Must(engine_->AuditLog(Actor::Operator(), second)).size(), log.size());

  // Refused completions, sign-offs and participants write nothing either.
  EXPECT_TRUE(Fails(engine_->CompleteStep(U("lars"), second, "ansokan"), ErrorCode::kRefused));
  EXPECT_TRUE(Fails(engine_->SignOff(U("lars"), second, "besok"), ErrorCode::kForbidden));
  EXPECT_TRUE(
      Fails(engine_->AssignParticipant(Actor::Operator(), second, "rektor", "nobody"), ErrorCode::kNotFound));
  EXPECT_EQ(Rows("audit_log"), audit);
  EXPECT_EQ(Rows("signoffs"), 1);  // the first instance's
}

TEST_F(StorageTest, FailedWriteThatWouldAddAnOccurrenceAddsNone) {
  Populate();
  long long occurrences = Rows("occurrences");
  long long audit = Rows("audit_log");
  // Occurrence 2 would be added by this write, but its value is not a date.
  EXPECT_TRUE(Fails(engine_->SetFields(U("olle"), id_, "besok", 2, {{"datum", Text("onsdag")}}),
                    ErrorCode::kInvalid));
  // And here the budget refuses: 1.5 + 9 days is over ten.
  EXPECT_TRUE(
      Fails(engine_->SetFields(
                U("olle"), id_, "tid", 0,
                {{"rader", Value{std::vector<Row>{{{"observator", Text("olle")}, {"dagar", Num(1.5)}},
                                                  {{"observator", Text("ola")}, {"dagar", Num(9)}}}}}}),
            ErrorCode::kRefused, {"Högst tio observatörsdagar."}));
  EXPECT_EQ(Rows("occurrences"), occurrences);
  EXPECT_EQ(Rows("audit_log"), audit);
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).budgets[0].used, 1.5);
}

TEST_F(StorageTest, DatabaseFailureHalfwayRollsBackEverything) {
  Populate();
  std::int64_t second = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Andra"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), second, "larare", "lars")));
  {
    // Make the file itself refuse one particular value, so the failure comes after other rows were written
    // in the same transaction.
    std::unique_ptr<Database> db = Database::Open(path_);
    if (OnPostgresql()) {
      db->Execute(
          "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN IF NEW.value LIKE "
          "''%BOOM%'' THEN RAISE EXCEPTION ''disk says no''; END IF; RETURN NEW; END'");
      db->Execute(
          "CREATE TRIGGER refuse_boom BEFORE INSERT ON field_values FOR EACH ROW EXECUTE FUNCTION refuse_boom()");
    } else {
      db->Execute(
          "CREATE TRIGGER refuse_boom BEFORE INSERT ON field_values WHEN NEW.value LIKE '%BOOM%' "
          "BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    }
  }
  long long values = Rows("field_values");
  long long audit = Rows("audit_log");
  Result<std::vector<int>> failed = engine_->SetFields(
      U("lars"), second, "ansokan", 0, {{"antal", Num(5)}, {"beskrivning", Text("BOOM BOOM BOOM BOOM")}});
  EXPECT_TRUE(Fails(failed, ErrorCode::kInternal, {"Databasfel, inget sparades", "disk says no"}));
  EXPECT_EQ(Rows("field_values"), values);
  EXPECT_EQ(Rows("audit_log"), audit);
  EXPECT_EQ(Must(engine_->GetForm(U("lars"), second, "ansokan")).fields[1].version, 0);
  // The engine is still usable afterwards.
  EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), second, "ansokan", 0, {{"antal", Num(5)}})));
  EXPECT_EQ(Rows("field_values"), values + 1);
}

// ---- what one engine keeps between operations ---------------------------------------------------

TEST_F(StorageTest, AnEngineSeesWhatAnotherConnectionWroteSinceItsLastRead) {
  Populate();
  // The first engine has just read the instance; a second one writes to it.
  EXPECT_EQ(Must(engine_->GetForm(U("lars"), id_, "ansokan")).fields[1].value, Num(25));
  std::unique_ptr<Engine> other = Engine::Open(path_, clock_);
  ASSERT_TRUE(Succeeds(other->SetFields(U("olle"), id_, "besok", 1, {{"datum", Day("2026-04-02")}})));
  FormView besok = Must(engine_->GetForm(U("olle"), id_, "besok", 1));
  EXPECT_EQ(besok.fields[0].value, Day("2026-04-02"));
  EXPECT_EQ(besok.fields[0].version, 2);
  // A write that starts from the version the other engine made is not a conflict.
  FieldChange change{"datum", Day("2026-04-03"), 2};
  EXPECT_TRUE(Succeeds(engine_->SetFields(U("olle"), id_, "besok", 1, {change})));
  EXPECT_EQ(Must(other->GetForm(U("olle"), id_, "besok", 1)).fields[0].version, 3);
}

TEST_F(StorageTest, ReadsAfterAWriteShowTheWrite) {
  Populate();
  (void)Must(engine_->GetInstance(Actor::Operator(), id_));
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("olle"), id_, "besok", 2, {{"datum", Day("2026-04-08")}})));
  InstanceView view = Must(engine_->GetInstance(Actor::Operator(), id_));
  EXPECT_EQ(view.phases[1].steps[1].occurrences, 2);  // besok
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id_, "besok")));
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), id_)).summary.current_phase, "aterkoppling");
  std::vector<AuditEntry> log = Must(engine_->AuditLog(Actor::Operator(), id_));
  EXPECT_EQ(log.back().action, "step.open");
}

// ---- bulk loading --------------------------------------------------------------------------------

TEST_F(StorageTest, BulkLoadingKeepsEachOperationWholeAndEndsDurable) {
  Populate();
  long long audit = Rows("audit_log");
  ASSERT_TRUE(Succeeds(engine_->BeginBulkLoad()));
  std::int64_t second = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "I bulk"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), second, "larare", "lars")));
  // A refused operation in the middle of a group takes back only its own writes.
  EXPECT_TRUE(Fails(engine_->SetFields(U("lars"), second, "ansokan", 0,
                                       {{"antal", Num(5)}, {"epost", Text("inte en adress")}}),
                    ErrorCode::kInvalid));
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("lars"), second, "ansokan", 0, {{"antal", Num(6)}})));
  EXPECT_EQ(Must(engine_->GetForm(U("lars"), second, "ansokan")).fields[1].value, Num(6));
  // Another connection sees the group once it is committed, not before.
  EXPECT_EQ(Rows("audit_log"), audit);
  ASSERT_TRUE(Succeeds(engine_->EndBulkLoad()));
  std::vector<AuditEntry> log = Must(engine_->AuditLog(Actor::Operator(), second));
  EXPECT_EQ(Rows("audit_log"), audit + static_cast<long long>(log.size()));
  EXPECT_EQ(
      std::count_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "field.set"; }), 1);
  if (!OnPostgresql()) {
    // Commits wait for the disk again, and the WAL has been checkpointed into the file.
    std::unique_ptr<Database> db = Database::Open(path_);
    EXPECT_EQ(db->Query("PRAGMA synchronous")[0].Text(0), "2");
    EXPECT_EQ(fs::file_size(path_ + "-wal"), 0u);
  }
  EXPECT_TRUE(Succeeds(engine_->EndBulkLoad()));  // ending it again changes nothing
}

TEST_F(StorageTest, BulkLoadingCommitsWhatItHasWhenTheEngineCloses) {
  Populate();
  ASSERT_TRUE(Succeeds(engine_->BeginBulkLoad()));
  std::int64_t second = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Stängd"));
  engine_.reset();
  OpenEngine();
  EXPECT_EQ(Must(engine_->GetInstance(Actor::Operator(), second)).summary.title, "Stängd");
}

// ---- the audit log -------------------------------------------------------------------------------

TEST_F(StorageTest, AuditLogRejectsUpdateAndDelete) {
  Populate();
  engine_.reset();
  std::unique_ptr<Database> db = Database::Open(path_);
  long long before = db->Query("SELECT COUNT(*) FROM audit_log")[0].Int(0);
  ASSERT_GT(before, 20);
  EXPECT_THAT(DatabaseErrorOf([&] { db->Execute("UPDATE audit_log SET actor = 'mallory'"); }),
              HasSubstr("audit_log is append-only"));
  EXPECT_THAT(DatabaseErrorOf([&] {
                db->Execute("UPDATE audit_log SET new_value = ? WHERE id = 1", {std::string("x")});
              }),
              HasSubstr("append-only"));
  EXPECT_THAT(DatabaseErrorOf([&] { db->Execute("DELETE FROM audit_log"); }),
              HasSubstr("audit_log is append-only"));
  EXPECT_THAT(DatabaseErrorOf([&] { db->Execute("DELETE FROM audit_log WHERE id = 1"); }),
              HasSubstr("append-only"));
  EXPECT_EQ(db->Query("SELECT COUNT(*) FROM audit_log")[0].Int(0), before);
  EXPECT_EQ(db->Query("SELECT COUNT(*) FROM audit_log WHERE actor = 'mallory'")[0].Int(0), 0);
  // Appending is what it is for.
  db->Execute("INSERT INTO audit_log (at, actor, action) VALUES (?, ?, ?)",
              {std::string("2026-03-02T08:00:00Z"), std::string("operator"), std::string("test.append")});
  EXPECT_EQ(db->Query("SELECT COUNT(*) FROM audit_log")[0].Int(0), before + 1);
}

// ---- migrations ----------------------------------------------------------------------------------

TEST_F(StorageTest, OlderSchemaIsMigratedWithItsDataIntact) {
  {
    std::unique_ptr<Database> db = Database::Open(path_);
    EXPECT_EQ(SchemaVersion(*db), 0);
    Migrate(*db, 1);
    EXPECT_EQ(SchemaVersion(*db), 1);
    db->Execute(
        "INSERT INTO municipalities (name, network, created_at) VALUES ('Gamla kommunen', 'KU8', "
        "'2025-01-01T00:00:00Z')");
    db->Execute(
        "INSERT INTO users (username, display_name, created_at) VALUES ('gammal', 'Gammal Användare', "
        "'2025-01-01T00:00:00Z')");
    db->Execute(
        "INSERT INTO audit_log (at, actor, action) VALUES ('2025-01-01T00:00:00Z', 'operator', 'old')");
    // Version 1 did not yet protect the audit log.
    db->Execute("UPDATE audit_log SET detail = 'changed in version 1'");
    EXPECT_FALSE(HasTrigger(*db, OnPostgresql() ? "audit_log_append_only" : "audit_log_no_update"));
  }
  OpenEngine();
  ASSERT_EQ(engine_->Municipalities().size(), 1u);
  EXPECT_EQ(engine_->Municipalities()[0].name, "Gamla kommunen");
  EXPECT_EQ(engine_->Municipalities()[0].network, "KU8");
  ASSERT_TRUE(engine_->FindUser("gammal").has_value());
  EXPECT_EQ(engine_->FindUser("gammal")->global_role, "personal");
  // The migrated file takes new work.
  EXPECT_TRUE(
      Succeeds(engine_->CreateUnit(Actor::Operator(), engine_->Municipalities()[0].id, "Ny skola", "skola")));
  engine_.reset();

  std::unique_ptr<Database> db = Database::Open(path_);
  EXPECT_EQ(SchemaVersion(*db), LatestSchemaVersion());
  std::vector<Database::Row> applied = db->Query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_EQ(applied.size(), static_cast<size_t>(LatestSchemaVersion()));
  for (size_t i = 0; i < applied.size(); ++i) EXPECT_EQ(applied[i].Int(0), static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(db->Query("SELECT detail FROM audit_log WHERE action = 'old'")[0].Text(0),
            "changed in version 1");
  EXPECT_THROW(db->Execute("UPDATE audit_log SET detail = 'again'"), DatabaseError);
  // Migrating an up-to-date file does nothing.
  Migrate(*db);
  EXPECT_EQ(db->Query("SELECT COUNT(*) FROM schema_migrations")[0].Int(0), LatestSchemaVersion());
}

TEST_F(StorageTest, DatabaseFromANewerSpeglaIsRefused) {
  {
    std::unique_ptr<Database> db = Database::Open(path_);
    Migrate(*db);
    db->Execute("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                {std::int64_t{LatestSchemaVersion() + 1}, std::string("from the future"),
                 std::string("2030-01-01T00:00:00Z")});
    EXPECT_THAT(DatabaseErrorOf([&] { Migrate(*db); }),
                HasSubstr("schema version " + std::to_string(LatestSchemaVersion() + 1) +
                          ", newer than this Spegla understands (" + std::to_string(LatestSchemaVersion()) +
                          "); upgrade Spegla"));
  }
  EXPECT_THAT(DatabaseErrorOf([&] { Engine::Open(path_, clock_); }),
              HasSubstr("newer than this Spegla understands"));
  // Nothing was changed by the attempt.
  std::unique_ptr<Database> db = Database::Open(path_);
  EXPECT_EQ(SchemaVersion(*db), LatestSchemaVersion() + 1);
}

TEST_F(StorageTest, FailedMigrationLeavesThePreviousVersion) {
  std::unique_ptr<Database> db = Database::Open(path_);
  db->Execute("CREATE TABLE units (something TEXT)");  // in the way of migration 1
  EXPECT_THAT(DatabaseErrorOf([&] { Migrate(*db); }), HasSubstr("units"));
  EXPECT_EQ(SchemaVersion(*db), 0);
  EXPECT_FALSE(db->in_transaction());
  // None of migration 1's tables stayed behind.
  EXPECT_FALSE(HasTable(*db, "municipalities"));
  db->Execute("DROP TABLE units");
  Migrate(*db);
  EXPECT_EQ(SchemaVersion(*db), LatestSchemaVersion());
}

// ---- the file ------------------------------------------------------------------------------------

TEST_F(StorageTest, FileIsInWalModeAndIntactAfterWork) {
  if (OnPostgresql()) GTEST_SKIP() << "an SQLite file";
  Populate();
  ASSERT_TRUE(Succeeds(engine_->SetFields(U("olle"), id_, "besok", 2, {{"datum", Day("2026-04-08")}})));
  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("olle"), id_, "besok")));
  std::unique_ptr<Database> db = Database::Open(path_);
  EXPECT_EQ(db->Query("PRAGMA journal_mode")[0].Text(0), "wal");
  EXPECT_EQ(db->Query("PRAGMA foreign_keys")[0].Text(0), "1");
  EXPECT_EQ(db->Query("PRAGMA synchronous")[0].Text(0), "2");  // FULL
  std::vector<Database::Row> integrity = db->Query("PRAGMA integrity_check");
  ASSERT_EQ(integrity.size(), 1u);
  EXPECT_EQ(integrity[0].Text(0), "ok");
  EXPECT_TRUE(db->Query("PRAGMA foreign_key_check").empty());
  EXPECT_TRUE(fs::exists(path_ + "-wal"));
  engine_.reset();
  db.reset();
  db = Database::Open(path_);
  EXPECT_EQ(db->Query("PRAGMA integrity_check")[0].Text(0), "ok");
}

TEST_F(StorageTest, OpeningCreatesMissingDirectoriesAndRefusesWhatIsNotAFile) {
  if (OnPostgresql()) GTEST_SKIP() << "an SQLite file";
  std::string nested = (dir_.path() / "a" / "b" / "spegla.db").string();
  EXPECT_NO_THROW(Engine::Open(nested, clock_));
  EXPECT_TRUE(fs::exists(nested));
  std::ofstream(dir_.path() / "plainfile") << "not a directory";
  EXPECT_THAT(
      DatabaseErrorOf([&] { Engine::Open((dir_.path() / "plainfile" / "spegla.db").string(), clock_); }),
      HasSubstr("cannot open database"));
  std::ofstream(dir_.path() / "garbage.db") << std::string(8192, 'x');
  EXPECT_THROW(Engine::Open((dir_.path() / "garbage.db").string(), clock_), DatabaseError);
}

// A server that does not answer is a clear error, and the message never shows the password.
TEST_F(StorageTest, AnUnreachablePostgresqlServerIsAClearErrorWithoutThePassword) {
  const std::string message =
      DatabaseErrorOf([&] { Database::Open("postgresql://spegla:hemligt@127.0.0.1:1/spegla?connect_timeout=5"); });
  EXPECT_THAT(message, HasSubstr("cannot open database 'postgresql://spegla:***@127.0.0.1:1/spegla"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("hemligt")));
}

TEST_F(StorageTest, DatabaseTransactionsCommitOrRollBack) {
  std::unique_ptr<Database> db = Database::Open(path_);
  db->Execute("CREATE TABLE t (id " + db->dialect().id_column + ", name TEXT, amount REAL, note TEXT)");
  std::int64_t first =
      db->Insert("INSERT INTO t (name, amount, note) VALUES (?, ?, ?)", {std::string("a"), 1.5, nullptr});
  std::int64_t second = db->Insert("INSERT INTO t (name, amount, note) VALUES (?, ?, ?)",
                                   {std::string("b"), std::int64_t{2}, std::string("x")});
  EXPECT_EQ(second, first + 1);
  std::vector<Database::Row> rows = db->Query("SELECT id, name, amount, note FROM t ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), first);
  EXPECT_EQ(rows[0].Text(1), "a");
  EXPECT_EQ(std::stod(rows[0].Text(2)), 1.5);
  EXPECT_TRUE(rows[0].IsNull(3));
  EXPECT_EQ(rows[0].Optional(3), std::nullopt);
  EXPECT_EQ(rows[1].Optional(3), "x");
  EXPECT_EQ(rows[1].size(), 4u);

  db->InTransaction([&] {
    EXPECT_TRUE(db->in_transaction());
    db->Execute("INSERT INTO t (name) VALUES ('committed')");
  });
  EXPECT_FALSE(db->in_transaction());
  EXPECT_THROW(db->InTransaction([&] {
    db->Execute("INSERT INTO t (name) VALUES ('rolled back')");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_FALSE(db->in_transaction());
  EXPECT_THROW(db->InTransaction([&] { db->InTransaction([] {}); }), DatabaseError);
  EXPECT_THROW(db->Execute("INSERT INTO nosuch VALUES (1)"), DatabaseError);
  std::vector<std::string> names;
  for (const Database::Row& r : db->Query("SELECT name FROM t ORDER BY id")) names.push_back(r.Text(0));
  EXPECT_THAT(names, ElementsAre("a", "b", "committed"));
}

TEST_F(StorageTest, WritesFromSeveralThreadsAreSerialised) {
  Populate();
  std::int64_t second = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Trådar"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), second, "larare", "lars")));
  constexpr int kWrites = 20;
  auto writer = [&](const std::string& field, bool number) {
    for (int i = 1; i <= kWrites; ++i) {
      Value v = number ? Num(i) : Text("skrivning " + std::to_string(i) + " i fältet");
      EXPECT_TRUE(Succeeds(engine_->SetFields(U("lars"), second, "ansokan", 0, {{field, v}})));
      (void)engine_->GetInstance(Actor::Operator(), second);
    }
  };
  std::thread a(writer, "antal", true);
  std::thread b(writer, "beskrivning", false);
  a.join();
  b.join();
  FormView form = Must(engine_->GetForm(U("lars"), second, "ansokan"));
  EXPECT_EQ(form.fields[0].version, kWrites);  // beskrivning
  EXPECT_EQ(form.fields[1].version, kWrites);  // antal
  EXPECT_EQ(form.fields[1].value, Num(kWrites));
  std::vector<AuditEntry> log = Must(engine_->AuditLog(Actor::Operator(), second));
  EXPECT_EQ(
      std::count_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "field.set"; }),
      2 * kWrites);
}

// Concurrent writes share commits (group commit): each still happens whole or not at all, a refused one
// in the middle of a group leaves the others, readers meanwhile see only committed work, and everything
// answered as done is in the file.
TEST_F(StorageTest, ConcurrentWritesAreCommittedTogetherEachWholeOrNotAtAll) {
  Populate();
  std::int64_t second = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Grupper"));
  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), second, "larare", "lars")));
  constexpr int kWrites = 40;
  std::atomic<int> succeeded{0};
  auto writer = [&](const std::string& field, std::function<Value(int)> value) {
    for (int i = 1; i <= kWrites; ++i) {
      if (engine_->SetFields(U("lars"), second, "ansokan", 0, {{field, value(i)}}).ok()) ++succeeded;
    }
  };
  auto refused = [&] {
    for (int i = 1; i <= kWrites; ++i) {
      // Two changes, one of them to a field the form does not have: neither may land.
      EXPECT_TRUE(Fails(engine_->SetFields(U("lars"), second, "ansokan", 0,
                                           {{"beskrivning", Text("ska inte synas")}, {"finns_inte", Num(1)}}),
                        ErrorCode::kInvalid));
    }
  };
  auto reader = [&] {
    for (int i = 0; i < kWrites; ++i) {
      FormView form = Must(engine_->GetForm(U("lars"), second, "ansokan"));
      EXPECT_NE(form.fields[0].value, Text("ska inte synas"));
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(writer, "beskrivning", [](int i) { return Text("skrivning " + std::to_string(i)); });
  threads.emplace_back(writer, "antal", [](int i) { return Num(i % 20 + 1); });  // within 1–30
  threads.emplace_back(writer, "epost",
                       [](int i) { return Text("lars" + std::to_string(i) + "@byskolan.se"); });
  threads.emplace_back(refused);
  threads.emplace_back(refused);
  threads.emplace_back(reader);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(succeeded.load(), 3 * kWrites);

  engine_.reset();  // nothing held back in memory: reopen from the file
  OpenEngine();
  FormView form = Must(engine_->GetForm(U("lars"), second, "ansokan"));
  for (const FieldView& f : form.fields) {
    if (f.field->id == "beskrivning" || f.field->id == "antal" || f.field->id == "epost") {
      EXPECT_EQ(f.version, kWrites) << f.field->id;
    }
  }
  EXPECT_EQ(form.fields[0].value, Text("skrivning " + std::to_string(kWrites)));
  std::vector<AuditEntry> log = Must(engine_->AuditLog(Actor::Operator(), second));
  EXPECT_EQ(
      std::count_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "field.set"; }),
      3 * kWrites);
}

// A form written and read back through the state the engine keeps after a write is the form as stored.
TEST_F(StorageTest, TheStateKeptAfterAWriteIsTheStateStored) {
  Populate();
  FormView seen = Must(engine_->GetForm(U("olle"), id_, "tid"));
  FormView written = Must(engine_->WriteForm(
      U("olle"), id_, "tid", 0,
      {FieldChange{"rader", Value{}, std::nullopt,
                   R"([{"observator": "olle", "dagar": 2}, {"observator": "ola", "dagar": 1.5}])"}},
      seen.etag));
  const std::string kept = Snapshot();
  EXPECT_NE(written.etag, seen.etag);
  engine_.reset();
  OpenEngine();
  EXPECT_EQ(Snapshot(), kept);
  FormView stored = Must(engine_->GetForm(U("olle"), id_, "tid"));
  EXPECT_EQ(stored.etag, written.etag);
  // The etag the write started from is stale now: a second write from it changes nothing.
  EXPECT_TRUE(Fails(engine_->WriteForm(U("olle"), id_, "tid", 0,
                                       {FieldChange{"rader", Value{}, std::nullopt, "[]"}}, seen.etag),
                    ErrorCode::kConflict));
  EXPECT_EQ(Must(engine_->GetForm(U("olle"), id_, "tid")).etag, written.etag);
}

}  // namespace
}  // namespace spegla
