// A template part compiled once into a tree that rendering walks: literal XML copied as it is, values
// looked up and escaped, sections repeated or skipped, and guards that keep the XML valid when a section
// renders nothing. Rendering never parses XML again.
// Threads: immutable once built; shared by every thread that renders the template.
#pragma once

#include <string>
#include <vector>

namespace spegla::docx {

struct ProgramNode {
  enum class Kind {
    kLiteral,  // text: XML copied as it is
    kValue,    // text: the name to look up; its escaped value goes inside a <w:t>
    kSection,  // text: the name; children repeat per item, show once, or not at all
    kCell,     // children render a <w:tc>'s content; adds <w:p/> when they end without a paragraph
    kBlock,    // children render a block content control's content; adds <w:p/> when it has none
    kTable,    // children render a whole <w:tbl>; dropped when no <w:tr> is left
  };
  Kind kind = Kind::kLiteral;
  std::string text;
  bool inverted = false;              // kSection: {^name}
  bool page_break_before = false;     // kSection over paragraphs: the opening paragraph held a page break
  bool page_break_after = false;      // kSection over paragraphs: the closing paragraph held a page break
  int context = -1;                   // kValue: index into PartProgram::contexts, for problems
  std::vector<ProgramNode> children;  // kSection and guards
};

struct PartProgram {
  std::string part;  // e.g. "word/document.xml"
  std::vector<ProgramNode> nodes;
  std::vector<std::string> contexts;  // paragraph texts quoted in problems found while rendering
  std::size_t literal_size = 0;       // bytes of literal XML, a hint for the output buffer
};

}  // namespace spegla::docx
