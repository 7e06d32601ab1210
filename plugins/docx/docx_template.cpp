#include "docx_template.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <pugixml.hpp>

#include "docx_renderer.h"
#include "part_compiler.h"
#include "zip_writer.h"

namespace spegla::docx {
namespace {

constexpr std::string_view kContentTypes = "[Content_Types].xml";
constexpr std::string_view kWordMl = "application/vnd.openxmlformats-officedocument.wordprocessingml.";

// The parts docxtemplater fills in a .docx, by content type.
bool IsMainDocument(std::string_view type) {
  return type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" ||
         type == "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml" ||
         type == "application/vnd.ms-word.document.macroEnabled.main+xml" ||
         type == "application/vnd.ms-word.template.macroEnabledTemplate.main+xml";
}
bool IsTemplatedPart(std::string_view type) {
  if (IsMainDocument(type)) return true;
  if (type.substr(0, kWordMl.size()) != kWordMl) return false;
  const std::string_view kind = type.substr(kWordMl.size());
  return kind == "header+xml" || kind == "footer+xml" || kind == "footnotes+xml" || kind == "endnotes+xml" ||
         kind == "comments+xml";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "/word/document.xml" (a part name, percent-encoded) -> "word/document.xml" (a ZIP entry name), lower case
// because OPC part names compare without case.
std::string EntryKey(std::string_view part_name) {
  std::string out;
  for (std::size_t i = part_name.starts_with('/') ? 1 : 0; i < part_name.size(); ++i) {
    if (part_name[i] == '%' && i + 2 < part_name.size() &&
        std::isxdigit(static_cast<unsigned char>(part_name[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(part_name[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(part_name.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += part_name[i];
    }
  }
  return Lower(out);
}

}  // namespace

std::shared_ptr<const DocxTemplate> DocxTemplate::Compile(std::string bytes, const ZipLimits& limits) {
  std::shared_ptr<DocxTemplate> compiled(new DocxTemplate());
  compiled->bytes_ = std::move(bytes);
  compiled->Load(limits);
  return compiled;
}

void DocxTemplate::Load(const ZipLimits& limits) {
  auto whole_file = [&](std::string message) { problems_.push_back({"", "", std::move(message)}); };
  std::string error;
  zip_ = ZipArchive::Open(bytes_, limits, error);
  if (!zip_) return whole_file(std::move(error));

  const ZipEntry* types_entry = zip_->Find(kContentTypes);
  std::string types_xml;
  if (types_entry == nullptr)
    return whole_file("not a Word document: the ZIP file has no [Content_Types].xml");
  if (!ZipArchive::Extract(*types_entry, types_xml, error)) {
    return whole_file("cannot read [Content_Types].xml: " + error);
  }
  pugi::xml_document types;
  if (!types.load_buffer(types_xml.data(), types_xml.size())) {
    return whole_file("not a Word document: [Content_Types].xml is not well-formed XML");
  }
  std::map<std::string, std::string> overrides, defaults;
  for (pugi::xml_node node : types.document_element().children()) {
    const std::string_view name = node.name();
    if (name == "Override") {
      overrides[EntryKey(node.attribute("PartName").value())] = node.attribute("ContentType").value();
    } else if (name == "Default") {
      defaults[Lower(node.attribute("Extension").value())] = node.attribute("ContentType").value();
    }
  }

  // Reserve first: parts_ keeps pointers into programs_.
  programs_.reserve(zip_->entries().size());
  bool has_main = false;
  std::string xml;
  for (const ZipEntry& entry : zip_->entries()) {
    Part part{&entry, nullptr};
    const std::string key = Lower(entry.name);
    std::string type;
    if (auto it = overrides.find(key); it != overrides.end()) {
      type = it->second;
    } else if (const std::size_t dot = key.rfind('.'); dot != std::string::npos) {
      if (auto d = defaults.find(key.substr(dot + 1)); d != defaults.end()) type = d->second;
    }
    if (IsTemplatedPart(type)) {
      has_main = has_main || IsMainDocument(type);
      if (!ZipArchive::Extract(entry, xml, error)) {
        problems_.push_back({entry.name, "", "cannot read the part: " + error});
        continue;
      }
      CompiledPart compiled = CompilePart(entry.name, xml);
      for (TemplateProblem& problem : compiled.problems) problems_.push_back(std::move(problem));
      if (compiled.has_tags && compiled.problems.empty()) {
        programs_.push_back(std::move(compiled.program));
        part.program = &programs_.back();
      }
    }
    parts_.push_back(part);
  }
  if (!has_main) whole_file("not a Word document: [Content_Types].xml names no main document part");
}

RenderOutcome DocxTemplate::Render(const TemplateData& data, const RenderOptions& options) const {
  RenderOutcome outcome;
  if (!problems_.empty()) {
    outcome.problems = problems_;
    return outcome;
  }
  std::size_t expected = bytes_.size();
  for (const PartProgram& program : programs_) expected += program.literal_size;
  ZipWriter writer(expected);
  std::string xml;
  for (const Part& part : parts_) {
    if (part.program == nullptr) {
      writer.AddCopy(*part.entry);
      continue;
    }
    xml.clear();
    xml.reserve(part.program->literal_size * 2);
    RenderPart(*part.program, data, options, xml, outcome.problems);
    if (outcome.problems.empty()) writer.AddDeflated(*part.entry, xml);
  }
  if (outcome.problems.empty()) outcome.bytes = writer.Finish();
  return outcome;
}

}  // namespace spegla::docx
