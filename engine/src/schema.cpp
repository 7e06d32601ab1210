#include "spegla/schema.h"

#include <string>
#include <vector>

#include "spegla/clock.h"

namespace spegla {
namespace {

struct Migration {
  int version;
  std::string description;
  std::vector<std::string> statements;  // "{id}" stands for the dialect's auto-numbered key column
};

std::vector<Migration> Migrations(const Dialect& dialect) {
  std::vector<Migration> out;
  out.push_back(Migration{
      1,
      "organisations, users, definitions, instances, form values, audit log",
      {
          "CREATE TABLE municipalities (id {id}, name TEXT NOT NULL UNIQUE, network TEXT NOT NULL DEFAULT "
          "'', "
          "created_at TEXT NOT NULL)",
          "CREATE TABLE units (id {id}, municipality_id BIGINT NOT NULL REFERENCES municipalities(id), "
          "name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('skola', 'forskola')), "
          "UNIQUE (municipality_id, name))",
          "CREATE TABLE teams (id {id}, unit_id BIGINT NOT NULL REFERENCES units(id), name TEXT NOT NULL, "
          "UNIQUE (unit_id, name))",
          "CREATE TABLE users (id {id}, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, "
          "email TEXT NOT NULL DEFAULT '', municipality_id BIGINT REFERENCES municipalities(id), "
          "global_role TEXT NOT NULL DEFAULT 'personal', password_hash TEXT, created_at TEXT NOT NULL)",
          "CREATE TABLE observer_pool (municipality_id BIGINT NOT NULL REFERENCES municipalities(id), "
          "user_id BIGINT NOT NULL REFERENCES users(id), PRIMARY KEY (municipality_id, user_id))",
          "CREATE TABLE organisation_roles (municipality_id BIGINT NOT NULL REFERENCES municipalities(id), "
          "role_id TEXT NOT NULL, user_id BIGINT NOT NULL REFERENCES users(id), "
          "PRIMARY KEY (municipality_id, role_id, user_id))",
          "CREATE TABLE workflow_definitions (workflow_id TEXT NOT NULL, version INTEGER NOT NULL, "
          "title TEXT NOT NULL, xml TEXT NOT NULL, installed_at TEXT NOT NULL, installed_by TEXT NOT NULL, "
          "PRIMARY KEY (workflow_id, version))",
          "CREATE TABLE instances (id {id}, workflow_id TEXT NOT NULL, workflow_version INTEGER NOT NULL, "
          "unit_id BIGINT NOT NULL REFERENCES units(id), team_id BIGINT REFERENCES teams(id), "
          "title TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('active', 'completed')), "
          "current_phase TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL, "
          "completed_at TEXT, seq INTEGER NOT NULL DEFAULT 0, "
          "FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_definitions (workflow_id, "
          "version))",
          "CREATE TABLE participants (instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "role_id TEXT NOT NULL, user_id BIGINT NOT NULL REFERENCES users(id), assigned_at TEXT NOT NULL, "
          "assigned_by TEXT NOT NULL, PRIMARY KEY (instance_id, role_id, user_id))",
          "CREATE TABLE phase_states (instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "phase_id TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'completed')), "
          "started_at TEXT, completed_at TEXT, entered_seq INTEGER NOT NULL DEFAULT 0, "
          "PRIMARY KEY (instance_id, phase_id))",
          "CREATE TABLE step_states (instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "step_id TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'completed')), "
          "started_at TEXT, completed_at TEXT, completed_by TEXT, PRIMARY KEY (instance_id, step_id))",
          "CREATE TABLE occurrences (instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "step_id TEXT NOT NULL, occurrence INTEGER NOT NULL, started_at TEXT NOT NULL, "
          "created_by TEXT NOT NULL, PRIMARY KEY (instance_id, step_id, occurrence))",
          "CREATE TABLE signoffs (instance_id BIGINT NOT NULL REFERENCES instances(id), step_id TEXT NOT "
          "NULL, "
          "role_id TEXT NOT NULL, user_id BIGINT NOT NULL REFERENCES users(id), signed_at TEXT NOT NULL, "
          "PRIMARY KEY (instance_id, step_id, role_id))",
          "CREATE TABLE field_values (instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "form_id TEXT NOT NULL, occurrence INTEGER NOT NULL DEFAULT 0, field_id TEXT NOT NULL, "
          "value TEXT NOT NULL, version INTEGER NOT NULL, author TEXT NOT NULL, updated_at TEXT NOT NULL, "
          "PRIMARY KEY (instance_id, form_id, occurrence, field_id))",
          "CREATE TABLE audit_log (id {id}, instance_id BIGINT, at TEXT NOT NULL, actor TEXT NOT NULL, "
          "action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '', old_value TEXT, new_value TEXT, "
          "detail TEXT NOT NULL DEFAULT '')",
      }});
  Migration second{2,
                   "indexes for listings, and an append-only audit log",
                   {
                       "CREATE INDEX instances_by_unit ON instances (unit_id, status)",
                       "CREATE INDEX instances_by_workflow ON instances (workflow_id, status)",
                       "CREATE INDEX audit_by_instance ON audit_log (instance_id, id)",
                       "CREATE INDEX participants_by_user ON participants (user_id)",
                   }};
  for (const std::string& trigger : dialect.append_only_triggers) second.statements.push_back(trigger);
  out.push_back(std::move(second));
  // Contents are base64 text, which both dialects store the same way.
  out.push_back(Migration{
      3,
      "document templates per definition version, and the documents of instances",
      {
          "CREATE TABLE document_templates (workflow_id TEXT NOT NULL, version INTEGER NOT NULL, "
          "document_id TEXT NOT NULL, content TEXT NOT NULL, sha256 TEXT NOT NULL, installed_at TEXT NOT "
          "NULL, "
          "PRIMARY KEY (workflow_id, version, document_id))",
          "CREATE TABLE documents (id {id}, instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "document_id TEXT NOT NULL, version INTEGER NOT NULL, data_version INTEGER NOT NULL, "
          "template_sha256 TEXT NOT NULL, file_name TEXT NOT NULL, media_type TEXT NOT NULL, "
          "content TEXT NOT NULL, size INTEGER NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, "
          "UNIQUE (instance_id, document_id, version))",
      }});
  // Only a token's SHA-256 is kept: a copy of the database does not let anyone act as a signed-in user.
  out.push_back(Migration{
      4,
      "sessions of signed-in users",
      {
          "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), "
          "csrf_token TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, ended_at TEXT)",
          "CREATE INDEX sessions_by_user ON sessions (user_id)",
      }});
  out.push_back(Migration{
      5,
      "history per field, comments and mentions",
      {
          // Every version of every field, with its value as stored: what a restore writes back and what a
          // long-text merge starts from. Fields written before this migration begin with their current
          // version.
          "CREATE TABLE field_history (instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "form_id TEXT NOT NULL, occurrence INTEGER NOT NULL, field_id TEXT NOT NULL, version INTEGER NOT "
          "NULL, value TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL, restored_from INTEGER, "
          "PRIMARY KEY (instance_id, form_id, occurrence, field_id, version))",
          "INSERT INTO field_history (instance_id, form_id, occurrence, field_id, version, value, author, at) "
          "SELECT instance_id, form_id, occurrence, field_id, version, value, author, updated_at FROM "
          "field_values",
          // A comment is about a field (form, occurrence, field) or a step (step_id).
          "CREATE TABLE comments (id {id}, instance_id BIGINT NOT NULL REFERENCES instances(id), "
          "form_id TEXT, occurrence INTEGER, field_id TEXT, step_id TEXT, body TEXT NOT NULL, "
          "author TEXT NOT NULL, created_at TEXT NOT NULL, resolved_by TEXT, resolved_at TEXT)",
          "CREATE INDEX comments_by_instance ON comments (instance_id, id)",
          "CREATE TABLE comment_mentions (comment_id BIGINT NOT NULL REFERENCES comments(id), "
          "username TEXT NOT NULL, PRIMARY KEY (comment_id, username))",
          "CREATE INDEX mentions_by_user ON comment_mentions (username)",
      }});
  // Several server processes on one PostgreSQL database pass their live events through it
  // (engine/src/event_feed.h); kept for a while, then deleted. Unused on SQLite, which has one process.
  out.push_back(Migration{
      6,
      "live events shared between server processes",
      {
          "CREATE TABLE live_events (id BIGINT PRIMARY KEY, instance_id BIGINT NOT NULL, body TEXT NOT NULL)",
      }});
  // The secret that signs the markers of fillable files (engine_offline.cpp): per database, so a file
  // made by another installation is refused.
  out.push_back(Migration{
      7,
      "secrets",
      {
          "CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
      }});
  return out;
}

std::string Expand(std::string sql, const Dialect& dialect) {
  for (size_t at = sql.find("{id}"); at != std::string::npos; at = sql.find("{id}", at)) {
    sql.replace(at, 4, dialect.id_column);
  }
  return sql;
}

void EnsureVersionTable(Database& db) {
  db.Execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
      "applied_at TEXT NOT NULL)");
}

}  // namespace

int LatestSchemaVersion() { return 7; }

int SchemaVersion(Database& db) {
  EnsureVersionTable(db);
  std::vector<Database::Row> rows = db.Query("SELECT MAX(version) FROM schema_migrations");
  return rows.empty() || rows[0].IsNull(0) ? 0 : static_cast<int>(rows[0].Int(0));
}

void Migrate(Database& db, int target) {
  if (target < 0) target = LatestSchemaVersion();
  int current = 0;
  db.InTransaction([&] { current = SchemaVersion(db); });  // one process at a time creates the table
  if (current > LatestSchemaVersion()) {
    throw DatabaseError("the database has schema version " + std::to_string(current) +
                        ", newer than this Spegla understands (" + std::to_string(LatestSchemaVersion()) +
                        "); upgrade Spegla");
  }
  for (const Migration& m : Migrations(db.dialect())) {
    if (m.version <= current || m.version > target) continue;
    db.InTransaction([&] {
      // Another process starting on the same database (PostgreSQL) may have applied it meanwhile: the
      // write transaction excludes it from here on, so look again.
      if (SchemaVersion(db) >= m.version) return;
      for (const std::string& statement : m.statements) db.Execute(Expand(statement, db.dialect()));
      db.Execute("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                 {std::int64_t{m.version}, m.description, FormatTimestamp(SystemClock().Now())});
    });
  }
}

}  // namespace spegla
