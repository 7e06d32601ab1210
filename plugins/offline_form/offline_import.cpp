#include "offline_import.h"

#include <set>

#include "form_marker.h"
#include "offline_answers.h"

namespace spegla::offline {
namespace {

std::string Quoted(const std::string& s) { return "«" + s + "»"; }

std::string Path(const std::string& form, int occurrence, const std::string& field) {
  return form + "." + field + (occurrence > 0 ? "#" + std::to_string(occurrence) : "");
}

Error FileRefused(std::string message) { return Error::Of(ErrorCode::kInvalid, std::move(message), "file"); }

// Who a person field (or the person columns of a group) may name: the instance's participants in the
// field's role, or all of them when it names none.
std::vector<PersonChoice> PeopleFor(const Field& field, const InstanceView& instance) {
  std::set<std::string> roles;
  bool anyone = false;
  auto add = [&](const Field& f) {
    if (f.type != FieldType::kPerson) return;
    if (f.person_role.empty()) anyone = true;
    roles.insert(f.person_role);
  };
  add(field);
  for (const Field& column : field.columns) add(column);
  std::vector<PersonChoice> out;
  std::set<std::string> seen;
  for (const ParticipantView& p : instance.participants) {
    if (!anyone && !roles.count(p.role)) continue;
    if (seen.insert(p.username).second) out.push_back({p.username, PersonLabel(p.display_name, p.username)});
  }
  return out;
}

std::string Suffix(FileKind kind) { return kind == FileKind::kDocx ? ".docx" : ".xlsx"; }

}  // namespace

Result<OfflineFile> MakeOfflineForm(Engine& engine, const Actor& actor, std::int64_t instance,
                                    const std::string& form_id, int occurrence, FileKind kind) {
  Result<FormView> view = engine.GetForm(actor, instance, form_id, occurrence, /*next_occurrence=*/true);
  if (!view) return view.error();
  Result<InstanceView> inst = engine.GetInstance(actor, instance);
  if (!inst) return inst.error();
  const FormView& form = view.value();
  const InstanceSummary& summary = inst.value().summary;

  OfflineForm out;
  out.form = form.form;
  out.title = form.form->label;
  if (occurrence > 0) {
    const Step* step = inst.value().definition->RepeatingStepOf(form_id);
    std::string label = step && step->repeat && !step->repeat->occurrence_label.empty()
                            ? step->repeat->occurrence_label
                            : std::string("Tillfälle");
    out.title += " – " + label + " " + std::to_string(occurrence);
  }
  out.about.push_back("Process: " + summary.workflow_title);
  out.about.push_back("Ärende: " + summary.title + " (nr " + std::to_string(summary.id) + ")");
  out.about.push_back("Enhet: " + summary.unit + ", " + summary.municipality);
  const Timestamp now = engine.clock().Now();
  out.about.push_back("Hämtad " + DateOf(now).ToString() + " av " + actor.username +
                      (form.locked ? ". Formuläret är låst: svaren kan inte längre ändras." : "."));

  FormMarker marker;
  marker.instance = instance;
  marker.form = form_id;
  marker.occurrence = occurrence;
  marker.workflow = summary.workflow_id;
  marker.workflow_version = summary.workflow_version;
  marker.made_at = FormatTimestamp(now);
  marker.made_by = actor.username;
  for (const FieldView& f : form.fields) {
    if (f.rights == Rights::kHidden) continue;
    OfflineField field;
    field.field = f.field;
    field.value = f.value;
    field.editable = f.rights == Rights::kEdit && !form.locked;
    if (f.field->visible_if) field.condition = f.field->visible_if->source();
    field.people = PeopleFor(*f.field, inst.value());
    out.fields.push_back(std::move(field));
    marker.fields.push_back({f.field->id, f.version, ValueHash(f.value)});
  }
  Result<std::string> signed_marker = engine.SignMarker(EncodeMarker(marker));
  if (!signed_marker) return signed_marker.error();
  out.marker = signed_marker.value();

  OfflineFile file;
  file.bytes = kind == FileKind::kDocx ? WriteDocxForm(out) : WriteXlsxForm(out);
  file.file_name = form_id + "-" + std::to_string(instance) +
                   (occurrence > 0 ? "-" + std::to_string(occurrence) : std::string()) + Suffix(kind);
  file.media_type = std::string(kind == FileKind::kDocx ? kDocxMediaType : kXlsxMediaType);
  return file;
}

Result<ImportOutcome> ImportOfflineForm(Engine& engine, const Actor& actor, std::string_view bytes,
                                        const ImportTarget& target) {
  FileKind kind;
  std::string marker_text, error;
  if (!ReadMarker(bytes, &kind, &marker_text, &error)) return FileRefused(error);
  Result<std::string> payload = engine.VerifyMarker(marker_text);
  if (!payload) return payload.error();
  std::optional<FormMarker> marker = DecodeMarker(payload.value());
  if (!marker) return FileRefused("Filens märkning från Spegla går inte att läsa. Hämta formuläret på nytt.");

  if (target.instance && *target.instance != marker->instance) {
    return FileRefused("Filen är ett formulär för ärende nr " + std::to_string(marker->instance) +
                       ", inte för ärende nr " + std::to_string(*target.instance) + ".");
  }
  if (target.form && *target.form != marker->form) {
    return FileRefused("Filen är formuläret " + Quoted(marker->form) + ", inte " + Quoted(*target.form) + ".");
  }
  if (target.occurrence && *target.occurrence != marker->occurrence) {
    return FileRefused("Filen är för tillfälle " + std::to_string(marker->occurrence) + ", inte " +
                       std::to_string(*target.occurrence) + ".");
  }

  // The uploader's view: whether they may see the instance at all, and what they may change now.
  Result<FormView> now =
      engine.GetForm(actor, marker->instance, marker->form, marker->occurrence, /*next_occurrence=*/true);
  if (!now) return now.error();
  Result<DefinitionPtr> definition = engine.Definition(marker->workflow, marker->workflow_version);
  if (!definition) return definition.error();
  const Form* form = definition.value()->FindForm(marker->form);
  if (!form) return FileRefused("Processen har inget formulär " + Quoted(marker->form) + ".");

  std::vector<const Field*> fields;
  for (const FormMarker::FieldState& state : marker->fields) {
    const Field* field = form->FindField(state.id);
    if (!field) return FileRefused("Formuläret har inget fält " + Quoted(state.id) + ".");
    fields.push_back(field);
  }
  FilledFile filled;
  if (!ReadAnswers(bytes, fields, &filled, &error)) return FileRefused(error);

  ImportOutcome outcome;
  outcome.instance = marker->instance;
  outcome.form = marker->form;
  outcome.occurrence = marker->occurrence;
  std::vector<Issue> forbidden, invalid, conflicts;
  std::vector<FieldChange> changes;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& field = *fields[i];
    const FormMarker::FieldState& state = marker->fields[i];
    const std::string path = Path(marker->form, marker->occurrence, field.id);
    auto answer = filled.answers.find(field.id);
    if (answer == filled.answers.end()) {
      outcome.missing.push_back(field.id);
      continue;
    }
    std::string problem;
    std::optional<Value> value = AnswerValue(field, answer->second, &problem);
    if (!value) {
      invalid.push_back({path, problem});
      continue;
    }
    if (ValueHash(*value) == state.hash) continue;  // as it was when the file was made

    const FieldView* current = nullptr;
    for (const FieldView& f : now.value().fields) {
      if (f.field->id == field.id) current = &f;
    }
    // Already what is stored (the same file uploaded twice, or the same edit made on both sides).
    if (current && ValueHash(current->value) == ValueHash(*value)) continue;
    // A locked form shows every field read-only; the write below refuses it with the reason.
    const bool locked = now.value().locked && current;
    if (!current || (current->rights != Rights::kEdit && !locked)) {
      forbidden.push_back({path, "Du har inte rätt att ändra " + Quoted(field.label) + "."});
      continue;
    }
    for (std::string& message : CheckConstraints(field, *value)) invalid.push_back({path, std::move(message)});
    // A long text changed meanwhile may still merge (WriteForm decides); any other field is a conflict.
    if (current->version != state.version && field.type != FieldType::kLongText) {
      conflicts.push_back({path, Quoted(field.label) + " har ändrats av " +
                                     (current->author.empty() ? std::string("någon") : current->author) +
                                     " sedan filen hämtades (version " + std::to_string(current->version) +
                                     ", filen utgick från version " + std::to_string(state.version) +
                                     "). Nuvarande värde: " + Quoted(DisplayValue(current->value)) +
                                     ". Filens värde: " + Quoted(DisplayText(field, *value, {})) + "."});
      continue;
    }
    FieldChange change;
    change.field = field.id;
    change.value = std::move(*value);
    change.expected_version = state.version;
    changes.push_back(std::move(change));
  }
  // Every problem at once; the code is the one a save in the web form would give first.
  if (!forbidden.empty() || !conflicts.empty() || !invalid.empty()) {
    const ErrorCode code = !forbidden.empty()   ? ErrorCode::kForbidden
                           : !conflicts.empty() ? ErrorCode::kConflict
                                                : ErrorCode::kInvalid;
    std::vector<Issue> all = std::move(forbidden);
    for (Issue& issue : conflicts) all.push_back(std::move(issue));
    for (Issue& issue : invalid) all.push_back(std::move(issue));
    return Error{code, std::move(all)};
  }
  if (changes.empty()) {
    outcome.view = std::move(now.value());
    return outcome;
  }
  for (const FieldChange& change : changes) outcome.changed.push_back(change.field);
  Result<FormView> written = engine.WriteForm(actor, marker->instance, marker->form, marker->occurrence,
                                              std::move(changes), std::nullopt, &outcome.merged);
  if (!written) return written.error();
  outcome.view = std::move(written.value());
  return outcome;
}

}  // namespace spegla::offline
