// Offline forms: a form of an instance as a fillable Word (.docx) or Excel (.xlsx) file, and the answers
// read back from such a file once a person has filled it in (docs/offline-forms.md).
//
// The engine decides what goes into a file (the fields the person may see, their values, who can be
// chosen for a person field) and signs a marker naming the instance, form and field versions it was made
// from (Engine::PrepareOfflineForm). This library only writes and reads the files; checking the answers
// and applying them is offline_import.h's.
//
// Threads: every function is reentrant; nothing is shared.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "spegla/value.h"
#include "spegla/workflow_definition.h"

namespace spegla::offline {

// Someone a person field may name: the value stored is the username, the file shows the label.
struct PersonChoice {
  std::string username;
  std::string label;  // "Anna Andersson (anna)"
};

struct OfflineField {
  const Field* field = nullptr;  // in the definition the form belongs to
  Value value;                   // the current value (a group: its rows)
  bool editable = false;         // false: shown, but locked in the file
  std::string condition;         // non-empty: the field applies only when this holds (Swedish text)
  std::vector<PersonChoice> people;  // person fields (and person columns of a group): who may be named
};

// What a fillable file is made from. Texts are Swedish, for the person filling the form in.
struct OfflineForm {
  const Form* form = nullptr;
  std::string title;                // the form's label, e.g. "Utvärdering"
  std::vector<std::string> about;   // lines under the title: process, instance, unit, occurrence, date
  std::vector<OfflineField> fields; // in definition order
  std::string marker;               // signed text identifying the file (opaque here), stored in the file
};

// The fillable files. Throw std::runtime_error only when the writer itself fails (out of memory, disk).
std::string WriteDocxForm(const OfflineForm& form);
std::string WriteXlsxForm(const OfflineForm& form);

enum class FileKind { kDocx, kXlsx };

// What a person typed, per field, before it is checked against the field (offline_answers.h does that).
// Choices are given as shown in the file (an option's label, "ja"/"nej", a person's label); dates and
// numbers as text ("2026-03-01", "3,5"; a date cell of a workbook as ISO text).
struct RawAnswer {
  std::string text;                                      // scalar fields
  std::vector<std::string> ticked;                       // multichoice: the option values ticked
  std::vector<std::map<std::string, std::string>> rows;  // group: column id -> text, per non-empty row
                                                         // (a multichoice column: labels joined by ", ")
};

struct FilledFile {
  FileKind kind = FileKind::kDocx;
  std::string marker;                        // as found in the file
  std::map<std::string, RawAnswer> answers;  // by field id: the fields found in the file
};

// Reads the marker of a file Spegla made. Returns false with `error` (Swedish, for the person who
// uploaded it) when the bytes are not a .docx or .xlsx, are hostile (ZIP bomb, broken XML) or carry no
// marker.
bool ReadMarker(std::string_view bytes, FileKind* kind, std::string* marker, std::string* error);

// Reads the answers to `fields` (the fields the marker lists, in its order: a workbook's layout follows
// from them) from a file ReadMarker accepted. Fields not found in the file are left out of the result.
bool ReadAnswers(std::string_view bytes, const std::vector<const Field*>& fields, FilledFile* out,
                 std::string* error);

// The per-format halves of ReadMarker/ReadAnswers (offline_form.cpp picks by content).
bool ReadDocxMarker(std::string_view bytes, std::string* marker, std::string* error);
bool ReadDocxAnswers(std::string_view bytes, const std::vector<const Field*>& fields, FilledFile* out,
                     std::string* error);
bool ReadXlsxMarker(std::string_view bytes, std::string* marker, std::string* error);
bool ReadXlsxAnswers(std::string_view bytes, const std::vector<const Field*>& fields, FilledFile* out,
                     std::string* error);

// Media types and file name suffixes.
inline constexpr std::string_view kDocxMediaType =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
inline constexpr std::string_view kXlsxMediaType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace spegla::offline
