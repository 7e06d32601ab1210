// Compiles one WordprocessingML part (word/document.xml, a header, footer, footnotes, ...) with
// docxtemplater's core tag syntax into a PartProgram, or reports every problem in it.
//
// Tags are found in the text of each paragraph, across runs: Word splits "{enhet}" into several <w:r>s
// with proofErr and bookmark elements between them. The tag's text moves into the run where it starts,
// which keeps that run's formatting; the other runs lose their part of it.
//
// A section {#x}…{/x} (or {^x}…{/x}) repeats, like docxtemplater with paragraphLoop:
//   - the whole table rows, when its tags are in different cells;
//   - the whole paragraphs between them, when each tag stands alone in its paragraph (those two
//     paragraphs are dropped);
//   - otherwise exactly the content between the two tags, when that is balanced XML;
//   - with {-w:p x}…{/x}, the named element around each tag.
// Threads: pure function.
#pragma once

#include <string_view>
#include <vector>

#include "part_program.h"
#include "spegla/plugin.h"

namespace spegla::docx {

struct CompiledPart {
  bool has_tags = false;  // false: the part renders as it is, and is copied without inflating
  PartProgram program;
  std::vector<TemplateProblem> problems;  // every problem; when any, `program` is empty
};

CompiledPart CompilePart(std::string_view part_name, std::string_view xml);

}  // namespace spegla::docx
