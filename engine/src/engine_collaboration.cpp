// Working together on an instance (docs/collaboration.md): the live channel's event filter, comments with
// mentions, Mina uppgifter's mentions and assignments, and the history of each field with restore.
#include <algorithm>
#include <cctype>
#include <set>

#include "engine_internal.h"
#include "spegla/utf8.h"
#include "text.h"

namespace spegla {

namespace {

constexpr size_t kMaxCommentLength = 10'000;  // characters

// "@eva.berg" mentions eva.berg; an address such as "eva@skola.se" mentions nobody.
std::vector<std::string> MentionsIn(std::string_view body) {
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '@' || (i > 0 && name_char(body[i - 1]))) continue;
    size_t end = i + 1;
    while (end < body.size() && name_char(body[end])) ++end;
    std::string name(body.substr(i + 1, end - i - 1));
    while (!name.empty() && name.back() == '.') name.pop_back();  // the end of a sentence
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    i = end - 1;
  }
  return out;
}

std::optional<std::string> CheckedBody(const std::string& body, std::vector<Issue>* problems) {
  std::string text = Trimmed(body);
  if (!IsValidUtf8(text)) {
    problems->push_back({"body", "Kommentaren är inte giltig UTF-8-text."});
    return std::nullopt;
  }
  if (text.empty()) problems->push_back({"body", "Kommentaren är tom."});
  if (CountCodePoints(text) > kMaxCommentLength) {
    problems->push_back(
        {"body", "Kommentaren får vara högst " + std::to_string(kMaxCommentLength) + " tecken."});
  }
  if (std::any_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\n' && c != '\t') || u == 0x7f;
      })) {
    problems->push_back({"body", "Kommentaren innehåller styrtecken."});
  }
  if (!problems->empty()) return std::nullopt;
  return text;
}

constexpr const char* kCommentColumns =
    "c.id, c.instance_id, c.form_id, c.occurrence, c.field_id, c.step_id, c.body, c.author, c.created_at, "
    "c.resolved_by, c.resolved_at, COALESCE(u.display_name, c.author)";
constexpr const char* kCommentTables = "FROM comments c LEFT JOIN users u ON u.username = c.author";

Comment CommentFromRow(const Database::Row& r) {
  Comment c;
  c.id = r.Int(0);
  c.instance_id = r.Int(1);
  if (!r.IsNull(2)) {
    c.target.form = r.Text(2);
    c.target.occurrence = static_cast<int>(r.Int(3));
    c.target.field = r.Text(4);
  }
  if (!r.IsNull(5)) c.target.step = r.Text(5);
  c.body = r.Text(6);
  c.author = r.Text(7);
  c.created_at = ParseTimestamp(r.Text(8)).value_or(Timestamp{});
  if (!r.IsNull(9)) c.resolved_by = r.Text(9);
  if (!r.IsNull(10)) c.resolved_at = ParseTimestamp(r.Text(10));
  c.author_name = r.Text(11);
  return c;
}

// Audit target of a comment: the field path (as field.set uses) or the step.
std::string CommentAuditTarget(const CommentTarget& t) {
  return t.is_step() ? t.step : FieldPath(t.form, t.occurrence, t.field);
}

}  // namespace

bool Engine::MaySeeCommentTarget(const Loaded& inst, const Actor& actor, const CommentTarget& target) {
  if (!MayReadAuditLog(*db_, inst, actor)) return false;
  if (target.is_step() || actor.is_operator) return true;
  const Form* form = inst.def->FindForm(target.form);
  const Field* field = form ? form->FindField(target.field) : nullptr;
  return field && RightsOn(inst, RolesOf(inst, actor), *form, *field) != Rights::kHidden;
}

Result<EventFilter> Engine::EventFilterFor(const Actor& viewer, std::int64_t instance) {
  return Read<EventFilter>([&]() -> Result<EventFilter> {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(instance);
    if (!loaded) return loaded.error();
    const Loaded& inst = *loaded.value();
    if (Result<Ok> may = MayReadAuditLog(*db_, inst, viewer); !may) return may.error();
    std::vector<std::string> roles = RolesOf(inst, viewer);
    std::set<std::tuple<std::string, std::string>> readable;
    for (const Form& form : inst.def->forms) {
      for (const Field& field : form.fields) {
        if (RightsOn(inst, roles, form, field) != Rights::kHidden) readable.insert({form.id, field.id});
      }
    }
    return EventFilter(viewer.is_operator, std::move(readable));
  });
}

std::int64_t Engine::LatestEventSeq(std::int64_t instance) {
  std::unique_lock lock = Lock();
  std::vector<Database::Row> rows =
      instance == 0 ? db_->Query("SELECT MAX(id) FROM audit_log")
                    : db_->Query("SELECT MAX(id) FROM audit_log WHERE instance_id = ?", {instance});
  return rows.empty() || rows[0].IsNull(0) ? 0 : rows[0].Int(0);
}

// --- comments -------------------------------------------------------------------------------------

Result<std::vector<Comment>> Engine::Comments(const Actor& viewer, std::int64_t instance) {
  return Read<std::vector<Comment>>([&]() -> Result<std::vector<Comment>> {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(instance);
    if (!loaded) return loaded.error();
    const Loaded& inst = *loaded.value();
    if (Result<Ok> may = MayReadAuditLog(*db_, inst, viewer); !may) return may.error();
    std::map<std::int64_t, Comment> by_id;
    std::vector<std::int64_t> order;
    for (const Database::Row& r : db_->Query(std::string("SELECT ") + kCommentColumns + " " +
                                                 kCommentTables + " WHERE c.instance_id = ? ORDER BY c.id",
                                             {instance})) {
      Comment c = CommentFromRow(r);
      if (!MaySeeCommentTarget(inst, viewer, c.target)) continue;
      order.push_back(c.id);
      by_id.emplace(c.id, std::move(c));
    }
    for (const Database::Row& r :
         db_->Query("SELECT m.comment_id, m.username FROM comment_mentions m JOIN comments c ON c.id = "
                    "m.comment_id WHERE c.instance_id = ? ORDER BY m.comment_id, m.username",
                    {instance})) {
      auto it = by_id.find(r.Int(0));
      if (it != by_id.end()) it->second.mentions.push_back(r.Text(1));
    }
    std::vector<Comment> out;
    for (std::int64_t id : order) out.push_back(std::move(by_id[id]));
    return out;
  });
}

Result<Comment> Engine::AddComment(const Actor& actor, std::int64_t instance, const CommentTarget& target,
                                   const std::string& body) {
  return Write<Comment>([&]() -> Result<Comment> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    if (Result<Ok> may = MayReadAuditLog(*db_, inst, actor); !may) return may.error();
    std::vector<Issue> problems;
    if (target.is_step()) {
      if (!inst.def->FindStep(target.step)) {
        return Error::Of(ErrorCode::kNotFound, "Processen har inget steg " + Quoted(target.step) + ".");
      }
    } else {
      const Form* form = inst.def->FindForm(target.form);
      if (!form) return Error::Of(ErrorCode::kNotFound, "Processen har inget formulär " + Quoted(target.form) + ".");
      if (!form->FindField(target.field)) {
        return Error::Of(ErrorCode::kNotFound,
                         "Formuläret " + Quoted(form->label) + " har inget fält " + Quoted(target.field) + ".");
      }
      if (target.occurrence < 0) problems.push_back({"occurrence", "Tillfället ska vara 0 eller mer."});
    }
    if (!MaySeeCommentTarget(inst, actor, target)) {
      return Error::Of(ErrorCode::kForbidden, "Du kan inte se det som kommentaren gäller.");
    }
    std::optional<std::string> text = CheckedBody(body, &problems);
    std::vector<std::string> mentions = text ? MentionsIn(*text) : std::vector<std::string>{};
    for (const std::string& name : mentions) {
      if (db_->Query("SELECT 1 FROM users WHERE username = ?", {name}).empty()) {
        problems.push_back({"body", "Det finns ingen användare " + Quoted(name) + " att nämna."});
      } else if (!MaySeeCommentTarget(inst, Actor::User(name), target)) {
        problems.push_back({"body", Quoted(name) + " kan inte se det som kommentaren gäller och kan inte nämnas."});
      }
    }
    if (!problems.empty()) return Error{ErrorCode::kInvalid, problems};

    const std::string now = Now();
    std::int64_t id = db_->Insert(
        "INSERT INTO comments (instance_id, form_id, occurrence, field_id, step_id, body, author, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {instance, target.is_step() ? Database::Param{nullptr} : Database::Param{target.form},
         target.is_step() ? Database::Param{nullptr} : Database::Param{std::int64_t{target.occurrence}},
         target.is_step() ? Database::Param{nullptr} : Database::Param{target.field},
         target.is_step() ? Database::Param{target.step} : Database::Param{nullptr}, *text, actor.username,
         now});
    for (const std::string& name : mentions) {
      db_->Execute("INSERT INTO comment_mentions (comment_id, username) VALUES (?, ?)", {id, name});
    }
    InstanceEvent* event = Audit(instance, actor, "comment.add", CommentAuditTarget(target), std::nullopt,
                                 *text, target.is_step() ? "step" : "field");
    if (event) {
      event->comment_id = id;
      if (!target.is_step()) event->field = InstanceEvent::FieldState{target.form, target.occurrence, target.field};
    }
    Touch(inst);
    Comment out;
    out.id = id;
    out.instance_id = instance;
    out.target = target;
    out.body = *text;
    out.author = actor.username;
    std::vector<Database::Row> author =
        db_->Query("SELECT display_name FROM users WHERE username = ?", {actor.username});
    out.author_name = author.empty() ? actor.username : author[0].Text(0);
    out.created_at = clock_.Now();
    out.mentions = mentions;
    std::sort(out.mentions.begin(), out.mentions.end());
    KeepLoaded(std::move(inst));
    return out;
  });
}

Result<Comment> Engine::ResolveComment(const Actor& actor, std::int64_t instance, std::int64_t comment,
                                       bool resolved) {
  return Write<Comment>([&]() -> Result<Comment> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    std::vector<Database::Row> rows =
        db_->Query(std::string("SELECT ") + kCommentColumns + " " + kCommentTables +
                       " WHERE c.id = ? AND c.instance_id = ?",
                   {comment, instance});
    if (rows.empty()) {
      return Error::Of(ErrorCode::kNotFound, "Processen har ingen kommentar " + std::to_string(comment) + ".");
    }
    Comment c = CommentFromRow(rows[0]);
    if (!MaySeeCommentTarget(inst, actor, c.target)) {
      // Whoever may not see it is not told it exists.
      return Error::Of(ErrorCode::kNotFound, "Processen har ingen kommentar " + std::to_string(comment) + ".");
    }
    if (c.resolved_by.has_value() != resolved) {
      const std::string now = Now();
      if (resolved) {
        db_->Execute("UPDATE comments SET resolved_by = ?, resolved_at = ? WHERE id = ?",
                     {actor.username, now, comment});
        c.resolved_by = actor.username;
        c.resolved_at = clock_.Now();
      } else {
        db_->Execute("UPDATE comments SET resolved_by = NULL, resolved_at = NULL WHERE id = ?", {comment});
        c.resolved_by.reset();
        c.resolved_at.reset();
      }
      InstanceEvent* event = Audit(instance, actor, resolved ? "comment.resolve" : "comment.reopen",
                                   CommentAuditTarget(c.target), std::nullopt, std::nullopt,
                                   c.target.is_step() ? "step" : "field");
      if (event) {
        event->comment_id = comment;
        if (!c.target.is_step()) {
          event->field = InstanceEvent::FieldState{c.target.form, c.target.occurrence, c.target.field};
        }
      }
      Touch(inst);
    }
    for (const Database::Row& r :
         db_->Query("SELECT username FROM comment_mentions WHERE comment_id = ? ORDER BY username", {comment})) {
      c.mentions.push_back(r.Text(0));
    }
    KeepLoaded(std::move(inst));
    return c;
  });
}

std::vector<Mention> Engine::Mentions(const std::string& username) {
  std::unique_lock lock = Lock();
  std::vector<Mention> out;
  const Actor viewer = Actor::User(username);
  for (const Database::Row& r :
       db_->Query(std::string("SELECT ") + kCommentColumns + " " + kCommentTables +
                      " JOIN comment_mentions m ON m.comment_id = c.id JOIN instances i ON i.id = c.instance_id "
                      "WHERE m.username = ? AND c.resolved_at IS NULL AND i.status = 'active' ORDER BY c.id DESC "
                      "LIMIT 200",
                  {username})) {
    Mention mention;
    mention.comment = CommentFromRow(r);
    // Roles change: a mention stays only while its reader may still see what it is about.
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(mention.comment.instance_id);
    if (!loaded || !MaySeeCommentTarget(*loaded.value(), viewer, mention.comment.target)) continue;
    for (const Database::Row& m : db_->Query(
             "SELECT username FROM comment_mentions WHERE comment_id = ? ORDER BY username", {mention.comment.id})) {
      mention.comment.mentions.push_back(m.Text(0));
    }
    mention.instance_title = loaded.value()->summary.title;
    mention.unit = loaded.value()->summary.unit;
    out.push_back(std::move(mention));
  }
  return out;
}

std::vector<Assignment> Engine::Assignments(const std::string& username) {
  std::unique_lock lock = Lock();
  std::vector<Assignment> out;
  for (const Database::Row& r :
       db_->Query("SELECT i.id, p.role_id FROM participants p JOIN users u ON u.id = p.user_id "
                  "JOIN instances i ON i.id = p.instance_id WHERE u.username = ? AND i.status = 'active' "
                  "ORDER BY i.id, p.role_id",
                  {username})) {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(r.Int(0));
    if (!loaded) continue;
    const Loaded& inst = *loaded.value();
    Assignment a;
    a.instance_id = inst.id;
    a.instance_title = inst.summary.title;
    a.unit = inst.summary.unit;
    a.role = r.Text(1);
    const Role* role = inst.def->FindRole(a.role);
    a.role_label = role ? role->label : a.role;
    out.push_back(std::move(a));
  }
  // Organisation-wide roles reach every instance of the municipality: one entry per role and municipality
  // would say more than a list of every instance.
  for (const Database::Row& r :
       db_->Query("SELECT o.role_id, m.name FROM organisation_roles o JOIN users u ON u.id = o.user_id JOIN "
                  "municipalities m ON m.id = o.municipality_id WHERE u.username = ? ORDER BY m.name, o.role_id",
                  {username})) {
    Assignment a;
    a.role = r.Text(0);
    a.role_label = a.role;
    // The role's label from the latest definition that has it: the same role id means the same role.
    for (const Database::Row& d :
         db_->Query("SELECT workflow_id, MAX(version) FROM workflow_definitions GROUP BY workflow_id "
                    "ORDER BY workflow_id")) {
      Result<DefinitionPtr> def = LoadDefinition(d.Text(0), static_cast<int>(d.Int(1)));
      const Role* role = def ? def.value()->FindRole(a.role) : nullptr;
      if (role) {
        a.role_label = role->label;
        break;
      }
    }
    a.unit = r.Text(1);
    a.organisation_wide = true;
    out.push_back(std::move(a));
  }
  return out;
}

// --- history per field ----------------------------------------------------------------------------

std::optional<std::string> Engine::StoredVersion(std::int64_t instance, const std::string& form,
                                                 int occurrence, const std::string& field, int version) {
  if (version == 0) return std::string("null");
  std::vector<Database::Row> rows = db_->Query(
      "SELECT value FROM field_history WHERE instance_id = ? AND form_id = ? AND occurrence = ? AND "
      "field_id = ? AND version = ?",
      {instance, form, std::int64_t{occurrence}, field, std::int64_t{version}});
  if (rows.empty()) return std::nullopt;
  return rows[0].Text(0);
}

Result<const Field*> Engine::SeenField(const Loaded& inst, const Actor& actor, const std::string& form_id,
                                       const std::string& field_id) {
  const Form* form = inst.def->FindForm(form_id);
  if (!form) return Error::Of(ErrorCode::kNotFound, "Processen har inget formulär " + Quoted(form_id) + ".");
  const Field* field = form->FindField(field_id);
  if (!field) {
    return Error::Of(ErrorCode::kNotFound,
                     "Formuläret " + Quoted(form->label) + " har inget fält " + Quoted(field_id) + ".");
  }
  if (!actor.is_operator && RightsOn(inst, RolesOf(inst, actor), *form, *field) == Rights::kHidden) {
    return Error::Of(ErrorCode::kForbidden, "Du har inte rätt att se " + Quoted(field->label) + ".");
  }
  return field;
}

Result<std::vector<FieldVersion>> Engine::FieldHistory(const Actor& viewer, std::int64_t instance,
                                                       const std::string& form_id, int occurrence,
                                                       const std::string& field_id) {
  return Read<std::vector<FieldVersion>>([&]() -> Result<std::vector<FieldVersion>> {
    Result<std::shared_ptr<const Loaded>> loaded = LoadForReading(instance);
    if (!loaded) return loaded.error();
    const Loaded& inst = *loaded.value();
    bool hide_participants = false;
    if (Result<Ok> may = MayViewInstance(*db_, inst, viewer, &hide_participants); !may) return may.error();
    Result<const Field*> field = SeenField(inst, viewer, form_id, field_id);
    if (!field) return field.error();
    std::vector<FieldVersion> out;
    for (const Database::Row& r : db_->Query(
             "SELECT h.version, h.value, h.author, h.at, h.restored_from, COALESCE(u.display_name, h.author) "
             "FROM field_history h LEFT JOIN users u ON u.username = h.author WHERE h.instance_id = ? AND "
             "h.form_id = ? AND h.occurrence = ? AND h.field_id = ? ORDER BY h.version DESC",
             {instance, form_id, std::int64_t{occurrence}, field_id})) {
      FieldVersion v;
      v.version = static_cast<int>(r.Int(0));
      v.value_json = r.Text(1);
      std::string ignored;
      std::optional<Value> value = DecodeValue(*field.value(), v.value_json, &ignored);
      v.display = value ? DisplayValue(*value) : v.value_json;
      v.author = r.Text(2);
      v.at = ParseTimestamp(r.Text(3)).value_or(Timestamp{});
      if (!r.IsNull(4)) v.restored_from = static_cast<int>(r.Int(4));
      v.author_name = r.Text(5);
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<FormView> Engine::RestoreField(const Actor& actor, std::int64_t instance, const std::string& form_id,
                                      int occurrence, const std::string& field_id, int version,
                                      int expected_version) {
  return Write<FormView>([&]() -> Result<FormView> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    Result<const Field*> field = SeenField(inst, actor, form_id, field_id);
    if (!field) return field.error();
    std::optional<std::string> value =
        version > 0 ? StoredVersion(instance, form_id, occurrence, field_id, version) : std::nullopt;
    if (!value) {
      return Error::Of(ErrorCode::kNotFound, Quoted(field.value()->label) + " har ingen version " +
                                                 std::to_string(version) + " att återställa.",
                       "version");
    }
    FieldChange change{field_id, Value{}, expected_version, *value, version};
    Result<std::vector<int>> versions = ApplyFieldChanges(inst, actor, form_id, occurrence, {std::move(change)});
    if (!versions) return versions.error();
    Result<FormView> after = BuildFormView(inst, actor, form_id, occurrence);
    KeepLoaded(std::move(inst));
    return after;
  });
}

}  // namespace spegla
