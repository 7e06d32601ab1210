#include "docx_test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <pugixml.hpp>
#include <sstream>

#include "docx_plugin.h"
#include "json_input.h"
#include "zip_reader.h"
#include "zip_writer.h"

namespace spegla::test {
namespace {

constexpr std::string_view kW =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

void Add(docx::ZipWriter& zip, std::string name, std::string_view content) {
  docx::ZipEntry like;
  like.name = std::move(name);
  like.mod_date = (46 << 9) | (11 << 5) | 23;  // 2026-11-23
  zip.AddDeflated(like, content);
}

struct Registrar : PluginRegistrar {
  std::unique_ptr<DocumentPlugin> plugin;
  void Add(std::unique_ptr<DocumentPlugin> p) override { plugin = std::move(p); }
  void AddExport(std::unique_ptr<ExportPlugin>) override {}
};

}  // namespace

std::string Para(std::string_view text) {
  return "<w:p><w:r><w:t xml:space=\"preserve\">" + std::string(text) + "</w:t></w:r></w:p>";
}

std::string MakeDocx(const DocxParts& parts) {
  std::string types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/word/document.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>";
  std::string rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  std::string references;
  auto part = [&](std::string_view kind, std::string_view id, std::string_view rel_type) {
    types += "<Override PartName=\"/word/" + std::string(kind) +
             ".xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml." +
             std::string(kind.substr(0, kind.find_first_of("0123456789"))) + "+xml\"/>";
    rels += "<Relationship Id=\"" + std::string(id) +
            "\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
            "2006/relationships/" +
            std::string(rel_type) + "\" Target=\"" + std::string(kind) + ".xml\"/>";
  };
  if (!parts.header.empty()) {
    part("header1", "rIdH", "header");
    references += "<w:headerReference w:type=\"default\" r:id=\"rIdH\"/>";
  }
  if (!parts.footer.empty()) {
    part("footer1", "rIdF", "footer");
    references += "<w:footerReference w:type=\"default\" r:id=\"rIdF\"/>";
  }
  if (!parts.footnotes.empty()) part("footnotes", "rIdN", "footnotes");
  types += "</Types>";
  rels += "</Relationships>";

  docx::ZipWriter zip(4096);
  Add(zip, "[Content_Types].xml", types);
  Add(zip, "_rels/.rels",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
      "officeDocument\" Target=\"word/document.xml\"/></Relationships>");
  Add(zip, "word/document.xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document " + std::string(kW) +
          "><w:body>" + parts.body + "<w:sectPr>" + references + "</w:sectPr></w:body></w:document>");
  Add(zip, "word/_rels/document.xml.rels", rels);
  const std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
  if (!parts.header.empty())
    Add(zip, "word/header1.xml", head + "<w:hdr " + std::string(kW) + ">" + parts.header + "</w:hdr>");
  if (!parts.footer.empty())
    Add(zip, "word/footer1.xml", head + "<w:ftr " + std::string(kW) + ">" + parts.footer + "</w:ftr>");
  if (!parts.footnotes.empty()) {
    Add(zip, "word/footnotes.xml",
        head + "<w:footnotes " + std::string(kW) + ">" + parts.footnotes + "</w:footnotes>");
  }
  return zip.Finish();
}

TemplateData DataFromJson(std::string_view json) {
  TemplateData data;
  Problems problems = cli::ParseTemplateData(json, "test.json", &data);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : problems.front().Format());
  return data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string EntryOf(std::string_view zip, std::string_view name) {
  std::string error;
  std::optional<docx::ZipArchive> archive = docx::ZipArchive::Open(zip, {}, error);
  if (!archive) {
    ADD_FAILURE() << "not a ZIP: " << error;
    return "";
  }
  const docx::ZipEntry* entry = archive->Find(name);
  std::string out;
  if (entry != nullptr && !docx::ZipArchive::Extract(*entry, out, error))
    ADD_FAILURE() << name << ": " << error;
  return out;
}

std::vector<std::string> ParagraphTexts(std::string_view part_xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_buffer(part_xml.data(), part_xml.size(), pugi::parse_default | pugi::parse_ws_pcdata))
      << "not well-formed XML: " << part_xml.substr(0, 300);
  std::vector<std::string> texts;
  for (const pugi::xpath_node& p : doc.select_nodes("//w:p")) {
    std::string text;
    pugi::xpath_node_set pieces = p.node().select_nodes(".//w:t | .//w:br");
    pieces.sort();  // a union comes in no particular order
    for (const pugi::xpath_node& piece : pieces) {
      pugi::xml_node owner = piece.node().parent();
      while (owner && std::string_view(owner.name()) != "w:p") owner = owner.parent();
      if (owner != p.node()) continue;  // a nested paragraph (a text box) is a paragraph of its own
      text += std::string_view(piece.node().name()) == "w:br" ? "\n" : piece.node().text().get();
    }
    texts.push_back(text);
  }
  return texts;
}

std::string BodyText(std::string_view docx) {
  std::string joined;
  for (const std::string& text : ParagraphTexts(EntryOf(docx, "word/document.xml"))) {
    if (!joined.empty()) joined += "|";
    joined += text;
  }
  return joined;
}

std::map<std::string, std::vector<std::string>> PythonDocxText(const std::string& path) {
  std::string out;
  const int status = RunCommand(
      std::string(kPython) + " " + kTestTools + "/docx_text.py " + ShellQuoted(path) + " 2>&1", out);
  EXPECT_EQ(status, 0) << "python-docx cannot open " << path << ":\n" << out;
  std::map<std::string, std::vector<std::string>> parts;
  std::vector<std::string>* current = nullptr;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("== ", 0) == 0) {
      current = &parts[line.substr(3)];
    } else if (current != nullptr) {
      current->push_back(line);
    }
  }
  return parts;
}

std::string Describe(const std::vector<TemplateProblem>& problems) {
  std::string out;
  for (const TemplateProblem& p : problems) out += p.Format() + "\n";
  return out;
}

const DocumentPlugin& Docx() {
  static const std::unique_ptr<DocumentPlugin> plugin = [] {
    Registrar registrar;
    RegisterDocxPlugin(registrar);
    return std::move(registrar.plugin);
  }();
  return *plugin;
}

}  // namespace spegla::test
