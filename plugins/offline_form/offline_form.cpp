// Which kind of file was uploaded, by what its ZIP holds rather than by its name: a person may rename it.
#include "offline_form.h"

#include "zip_reader.h"

namespace spegla::offline {
namespace {

constexpr const char* kNotAnOfficeFile = "Filen är inte ett Word- eller Excel-dokument.";

bool Kind(std::string_view bytes, FileKind* kind, std::string* error) {
  std::string zip_error;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(bytes, docx::ZipLimits{}, zip_error);
  if (!archive) {
    *error = zip_error.find("not a ZIP") != std::string::npos || bytes.size() < 22
                 ? std::string(kNotAnOfficeFile)
                 : std::string(kNotAnOfficeFile) + " (" + zip_error + ")";
    return false;
  }
  if (archive->Find("word/document.xml")) {
    *kind = FileKind::kDocx;
    return true;
  }
  if (archive->Find("xl/workbook.xml")) {
    *kind = FileKind::kXlsx;
    return true;
  }
  *error = kNotAnOfficeFile;
  return false;
}

}  // namespace

bool ReadMarker(std::string_view bytes, FileKind* kind, std::string* marker, std::string* error) {
  if (!Kind(bytes, kind, error)) return false;
  return *kind == FileKind::kDocx ? ReadDocxMarker(bytes, marker, error) : ReadXlsxMarker(bytes, marker, error);
}

bool ReadAnswers(std::string_view bytes, const std::vector<const Field*>& fields, FilledFile* out,
                 std::string* error) {
  FileKind kind;
  if (!Kind(bytes, &kind, error)) return false;
  out->kind = kind;
  return kind == FileKind::kDocx ? ReadDocxAnswers(bytes, fields, out, error)
                                 : ReadXlsxAnswers(bytes, fields, out, error);
}

}  // namespace spegla::offline
