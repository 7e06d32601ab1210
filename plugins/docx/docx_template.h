// A .docx template read and compiled once: its ZIP directory, and a program for every part that holds tags
// (the main document, headers, footers, footnotes, endnotes, comments). Rendering runs those programs and
// writes a new ZIP in which every other entry is copied compressed, as it was.
//
// Threads: immutable after Compile; Render may run on any number of threads at once.
// Ownership: the template keeps its own copy of the bytes; entries refer into it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "part_program.h"
#include "spegla/plugin.h"
#include "spegla/template_data.h"
#include "zip_reader.h"

namespace spegla::docx {

class DocxTemplate {
 public:
  // Never fails: a template that cannot be used carries its problems, and Render returns them.
  static std::shared_ptr<const DocxTemplate> Compile(std::string bytes, const ZipLimits& limits = {});

  const std::string& bytes() const { return bytes_; }
  const std::vector<TemplateProblem>& problems() const { return problems_; }

  RenderOutcome Render(const TemplateData& data, const RenderOptions& options) const;

 private:
  struct Part {
    const ZipEntry* entry = nullptr;
    const PartProgram* program = nullptr;  // nullptr: copied as it is
  };

  DocxTemplate() = default;
  void Load(const ZipLimits& limits);

  std::string bytes_;
  std::optional<ZipArchive> zip_;
  std::vector<PartProgram> programs_;
  std::vector<Part> parts_;  // every entry, in archive order
  std::vector<TemplateProblem> problems_;
};

}  // namespace spegla::docx
