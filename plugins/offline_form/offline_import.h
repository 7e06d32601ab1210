// The round trip of an offline form through the engine: making the fillable file of a form for a person,
// and importing a filled one, with the same rights, validation and conflict rules as a save in the web
// form (docs/offline-forms.md). Used by `spegla import` and the API alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "offline_form.h"
#include "spegla/engine.h"

namespace spegla::offline {

struct OfflineFile {
  std::string bytes;
  std::string file_name;  // "utvardering-12.docx"
  std::string media_type;
};

// The fillable file of a form as `actor` sees it: the fields they may see with their values, editable
// where they may edit. kForbidden / kNotFound as for Engine::GetForm.
Result<OfflineFile> MakeOfflineForm(Engine& engine, const Actor& actor, std::int64_t instance,
                                    const std::string& form, int occurrence, FileKind kind);

// Where an upload must belong: an API route names its instance and form, `spegla import --instance` the
// instance. A file for something else is refused.
struct ImportTarget {
  std::optional<std::int64_t> instance;
  std::optional<std::string> form;
  std::optional<int> occurrence;
};

struct ImportOutcome {
  std::int64_t instance = 0;
  std::string form;
  int occurrence = 0;
  std::vector<std::string> changed;    // ids of the fields written
  std::vector<std::string> merged;     // long texts merged with an edit made since the download
  std::vector<std::string> missing;    // fields of the file whose control or cell was removed: left as they are
  FormView view;                       // the form afterwards, as `actor` sees it
};

// Reads a filled file and writes the answers that differ from the file's starting point, all or none:
//  - a file Spegla did not make, a changed marker, or a file for another instance or form is refused
//    (kInvalid, issue "file");
//  - an answer that is not a value of its field, breaks a rule of it, or that `actor` may not change is
//    kInvalid with an issue per field, all at once;
//  - an answer to a field changed since the download is kConflict, naming each such field (a long text
//    is merged instead when the two edits touch different words);
// Nothing is written unless every changed answer can be.
Result<ImportOutcome> ImportOfflineForm(Engine& engine, const Actor& actor, std::string_view bytes,
                                        const ImportTarget& target = {});

}  // namespace spegla::offline
