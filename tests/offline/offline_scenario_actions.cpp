#include "offline_scenario_actions.h"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "../support/external_programs.h"
#include "offline_answers.h"
#include "form_marker.h"
#include "offline_import.h"

namespace spegla::test {
namespace {

namespace json = boost::json;

std::string Quoted(const std::string& s) { return "«" + s + "»"; }

// What a person types or picks for `value`, in the filler's terms (tests/tools/fill_*_form.py).
json::value Answer(const Field& field, const Value& value) {
  if (field.type == FieldType::kGroup) {
    json::array rows;
    if (const auto* list = std::get_if<std::vector<Row>>(&value.data)) {
      for (const Row& row : *list) {
        json::object cells;
        for (const auto& [column_id, cell] : row) {
          if (const Field* column = field.Column(column_id)) {
            cells[column_id] = offline::DisplayText(*column, cell, {});
          }
        }
        rows.push_back(std::move(cells));
      }
    }
    return rows;
  }
  if (field.type == FieldType::kMultiChoice) {
    json::array labels;
    if (const auto* list = std::get_if<std::vector<std::string>>(&value.data)) {
      for (const std::string& v : *list) {
        for (const Option& option : field.options) {
          if (option.value == v) labels.emplace_back(json::string(option.label.empty() ? v : option.label));
        }
      }
    }
    return labels;
  }
  return json::string(offline::DisplayText(field, value, {}));
}

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

OfflineScenarioActions::OfflineScenarioActions(Engine& engine, offline::FileKind kind,
                                               std::filesystem::path work_dir)
    : engine_(engine), direct_(engine), kind_(kind), work_dir_(std::move(work_dir)) {}

Result<Ok> OfflineScenarioActions::SetFields(const Actor& actor, std::int64_t instance, const std::string& form_id,
                                             int occurrence, const std::vector<FieldChange>& changes) {
  Result<InstanceView> inst = engine_.GetInstance(actor, instance);
  if (!inst) return direct_.SetFields(actor, instance, form_id, occurrence, changes);
  const Form* form = inst.value().definition->FindForm(form_id);
  if (!form) return direct_.SetFields(actor, instance, form_id, occurrence, changes);
  // A new occurrence is downloaded as the next one, empty; its first import adds it, as a first save does.
  Result<offline::OfflineFile> file =
      offline::MakeOfflineForm(engine_, actor, instance, form_id, occurrence, kind_);
  if (!file) return file.error();
  ++files_;
  const std::string stem = "form-" + std::to_string(files_);
  const std::filesystem::path blank = work_dir_ / (stem + file.value().file_name.substr(file.value().file_name.rfind('.')));
  const std::filesystem::path filled = work_dir_ / (stem + "-filled" + blank.extension().string());
  const std::filesystem::path answers = work_dir_ / (stem + ".json");
  {
    std::ofstream out(blank, std::ios::binary);
    out << file.value().bytes;
  }

  // The person sees the fields of the form they may see; one they may not see has no control to fill.
  Result<FormView> seen = engine_.GetForm(actor, instance, form_id, occurrence, /*next_occurrence=*/true);
  if (!seen) return seen.error();
  json::object to_fill;
  std::map<std::string, Value> expected;
  for (const FieldChange& change : changes) {
    const Field* field = form->FindField(change.field);
    if (!field) return direct_.SetFields(actor, instance, form_id, occurrence, changes);
    bool shown = false;
    for (const FieldView& f : seen.value().fields) shown = shown || f.field->id == field->id;
    if (!shown) return Error::Of(ErrorCode::kForbidden, "Du har inte rätt att ändra " + Quoted(field->label) + ".");
    Value value = change.value;
    if (change.json) {
      std::string error;
      std::optional<Value> decoded = DecodeValue(*field, *change.json, &error);
      if (!decoded) return Error::Of(ErrorCode::kInvalid, error);
      value = std::move(*decoded);
    }
    // Writing what is already there is no change a file can carry (the import rightly does nothing);
    // the scenario asks what a save of it says, so it is made as one.
    for (const FieldView& f : seen.value().fields) {
      if (f.field->id == field->id && f.version > 0 && f.value == value) {
        return direct_.SetFields(actor, instance, form_id, occurrence, changes);
      }
    }
    to_fill[field->id] = Answer(*field, value);
    expected[field->id] = value;
  }
  {
    std::ofstream out(answers);
    out << json::serialize(to_fill);
  }
  const char* filler = kind_ == offline::FileKind::kDocx ? "fill_docx_form.py" : "fill_xlsx_form.py";
  std::string output;
  const std::string command = std::string(kPython) + " " + ShellQuoted(std::string(kTestTools) + "/" + filler) + " " +
                              ShellQuoted(blank.string()) + " " + ShellQuoted(filled.string()) + " " +
                              ShellQuoted(answers.string()) + " 2>&1";
  if (RunCommand(command, output) != 0) {
    return Error::Of(ErrorCode::kInternal, "the filler failed on " + blank.string() + ": " + output);
  }

  Result<offline::ImportOutcome> imported = offline::ImportOfflineForm(
      engine_, actor, ReadBytes(filled), offline::ImportTarget{instance, form_id, occurrence});
  if (!imported) return imported.error();
  ++imported_;
  forms_.insert(inst.value().summary.workflow_id + "/" + form_id);

  // Nothing lost: every value the scenario wrote is stored as it was written.
  Result<FormView> after = engine_.GetForm(actor, instance, form_id, occurrence);
  if (!after) return after.error();
  for (const auto& [id, want] : expected) {
    for (const FieldView& f : after.value().fields) {
      if (f.field->id != id) continue;
      std::string ignored;
      std::optional<Value> normalised = DecodeValue(*f.field, EncodeValue(want), &ignored);
      if (offline::ValueHash(f.value) != offline::ValueHash(normalised ? *normalised : want)) {
        return Error::Of(ErrorCode::kInternal, "the round trip through " + filled.filename().string() + " changed " +
                                                   Quoted(id) + ": wrote " + EncodeValue(want) + ", stored " +
                                                   EncodeValue(f.value));
      }
    }
  }
  return Ok{};
}

}  // namespace spegla::test
