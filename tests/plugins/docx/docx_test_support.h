// Helpers for the docx plugin's tests: templates built from XML strings, JSON data, reading a part of a
// rendered document, and python-docx's view of a document (the other programs: support/external_programs.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../../support/external_programs.h"
#include "spegla/plugin.h"
#include "spegla/template_data.h"

namespace spegla::test {

inline constexpr const char* kDocxFixtures = SPEGLA_SOURCE_DIR "/tests/fixtures/docx";

// A minimal .docx: the body XML (paragraphs, tables) inside <w:body>, and optionally a header and a
// footer (their inner XML) and extra parts by entry name with their content types.
struct DocxParts {
  std::string body;
  std::string header;     // inner XML of <w:hdr>; no header when empty
  std::string footer;     // inner XML of <w:ftr>; no footer when empty
  std::string footnotes;  // inner XML of <w:footnotes>; none when empty
};
std::string MakeDocx(const DocxParts& parts);
inline std::string MakeDocx(std::string body) { return MakeDocx(DocxParts{std::move(body)}); }

// "<w:p><w:r><w:t xml:space="preserve">text</w:t></w:r></w:p>"
std::string Para(std::string_view text);

TemplateData DataFromJson(std::string_view json);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view bytes);

// The uncompressed content of one entry of a ZIP (read with the plugin's own reader); "" when missing.
std::string EntryOf(std::string_view zip, std::string_view name);
// The text of each paragraph of a WordprocessingML part, <w:br/> as "\n", read with pugixml.
std::vector<std::string> ParagraphTexts(std::string_view part_xml);
// All paragraph texts of the main document joined with "|".
std::string BodyText(std::string_view docx);

// python-docx's view of a document: part name -> its paragraph lines (tests/tools/docx_text.py).
// Records a test failure when python-docx cannot open the file.
std::map<std::string, std::vector<std::string>> PythonDocxText(const std::string& path);

// Every problem, one per line, for failure messages.
std::string Describe(const std::vector<TemplateProblem>& problems);

// The docx plugin through its registration function, as the host gets it.
const DocumentPlugin& Docx();

}  // namespace spegla::test
