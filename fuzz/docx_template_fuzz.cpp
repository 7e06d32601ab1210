// The DOCX template engine (plugins/docx/): compiling a template and rendering it with a small fixed data
// set, with and without RenderOptions::missing_is_error. Inputs come in two forms:
//   - bytes that start with "PK" are the .docx itself: the ZIP reader, inflating, the content types and
//     every templated part, as an uploaded template arrives;
//   - anything else is the XML of word/document.xml (and, after the first form feed "\f", of a header),
//     packed here into a valid .docx with correct CRCs, so that mutations reach the tag scanner and the
//     part compiler instead of failing the ZIP's checksums.
// The engine is called directly (DocxTemplate), not through the plugin, whose catch would turn an
// exception into a problem and hide it from the fuzzer.
//
// Invariants besides "no crash, no sanitizer report, no exception":
//   - a render returns a document or problems, never both and never neither;
//   - a rendered document is a ZIP that the plugin's own reader opens, and every entry inflates with its
//     CRC and size, except those copied unchanged from a template in which they did not;
//   - in the XML form, a part that pugixml reads as well-formed XML is still well-formed after rendering.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "docx_template.h"
#include "fuzz_check.h"
#include "zip_reader.h"
#include "zip_writer.h"

namespace {

using spegla::TemplateData;

// Texts that need escaping, newlines and tabs; a list of two objects (with a nested list) to repeat
// sections over; true, false, empty; an object.
const TemplateData& Data() {
  static const TemplateData data = [] {
    TemplateData d;
    d.Set("namn", "Åsa & Bo <Berg> \"citat\" 'apostrof'");
    d.Set("text", "rad ett\nrad två\r\nrad\ttre\x01 slut");
    d.Set("tom", "");
    d.Set("ja", true);
    d.Set("nej", false);
    TemplateData first, second;
    first.Set("a", "1");
    first.Set("b", "första");
    first.Set("c", TemplateData::List{"x", "y"});
    second.Set("a", "2");
    second.Set("b", "andra\nraden");
    second.Set("c", TemplateData::List{});
    d.Set("rader", TemplateData::List{first, second});
    d.Set("lista", TemplateData::List{"ett", "två"});
    TemplateData unit;
    unit.Set("enhet", "Byskolan");
    unit.Set("rektor", "Rut");
    d.Set("skola", unit);
    return d;
  }();
  return data;
}

constexpr std::string_view kContentTypes =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/header1.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>"
    "</Types>";
constexpr std::string_view kRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "officeDocument\" Target=\"word/document.xml\"/></Relationships>";

void Add(spegla::docx::ZipWriter& zip, std::string name, std::string_view content) {
  spegla::docx::ZipEntry like;
  like.name = std::move(name);
  zip.AddDeflated(like, content);
}

// The XML form: document.xml, and a header when the input has a form feed.
std::string Pack(std::string_view document, std::string_view header) {
  spegla::docx::ZipWriter zip(document.size() + header.size() + 1024);
  Add(zip, "[Content_Types].xml", kContentTypes);
  Add(zip, "_rels/.rels", kRels);
  Add(zip, "word/document.xml", document);
  if (!header.empty()) Add(zip, "word/header1.xml", header);
  return zip.Finish();
}

bool WellFormed(std::string_view xml) {
  pugi::xml_document doc;
  return doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
}

// Whether the entry of `zip` with that name inflates with its CRC and size (false when there is none).
bool Extracts(const spegla::docx::ZipArchive& zip, const std::string& name) {
  const spegla::docx::ZipEntry* entry = zip.Find(name);
  std::string content, error;
  return entry != nullptr && spegla::docx::ZipArchive::Extract(*entry, content, error);
}

void CheckRendered(const spegla::RenderOutcome& outcome, const std::string& template_bytes, bool xml_form,
                   bool document_ok, bool header_ok) {
  SPEGLA_FUZZ_CHECK(outcome.bytes.empty() != outcome.problems.empty(), "a document or problems");
  if (outcome.bytes.empty()) return;
  std::string error;
  // A rendered part may well be larger, and compress better, than the reader's limits for templates allow.
  spegla::docx::ZipLimits generous;
  generous.max_total_size = 1ull << 40;
  generous.max_ratio = 1ull << 40;
  std::optional<spegla::docx::ZipArchive> zip =
      spegla::docx::ZipArchive::Open(outcome.bytes, generous, error);
  SPEGLA_FUZZ_CHECK(zip.has_value(), "the rendered document is a ZIP the reader opens");
  const std::optional<spegla::docx::ZipArchive> source =
      spegla::docx::ZipArchive::Open(template_bytes, {}, error);
  SPEGLA_FUZZ_CHECK(source.has_value(), "a template that renders is a ZIP the reader opens");
  std::string content;
  for (const spegla::docx::ZipEntry& entry : zip->entries()) {
    // Entries without tags are copied compressed, as they are: one that was broken in the template (a bad
    // CRC, say) stays broken, by design. Every other one must inflate.
    if (!spegla::docx::ZipArchive::Extract(entry, content, error)) {
      SPEGLA_FUZZ_CHECK(!Extracts(*source, entry.name),
                        "every entry of the rendered document inflates when the template's did");
      continue;
    }
    if (!xml_form) continue;
    if ((entry.name == "word/document.xml" && document_ok) ||
        (entry.name == "word/header1.xml" && header_ok)) {
      SPEGLA_FUZZ_CHECK(WellFormed(content), "a well-formed part stays well-formed when rendered");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool xml_form = !input.starts_with("PK");
  bool document_ok = false, header_ok = false;
  std::string bytes;
  if (xml_form) {
    const std::size_t split = input.find('\f');
    const std::string_view document = input.substr(0, split);
    const std::string_view header = split == std::string_view::npos ? "" : input.substr(split + 1);
    document_ok = WellFormed(document);
    header_ok = !header.empty() && WellFormed(header);
    bytes = Pack(document, header);
  } else {
    bytes.assign(input);
  }

  std::shared_ptr<const spegla::docx::DocxTemplate> compiled = spegla::docx::DocxTemplate::Compile(bytes);
  spegla::RenderOptions options;
  CheckRendered(compiled->Render(Data(), options), bytes, xml_form, document_ok, header_ok);
  if (compiled->problems().empty()) {
    options.missing_is_error = true;
    CheckRendered(compiled->Render(Data(), options), bytes, xml_form, document_ok, header_ok);
  }
  return 0;
}
