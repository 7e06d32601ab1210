// ReadDocxMarker and ReadDocxAnswers: the marker and the answers of a Word form docx_form_writer.cpp made,
// once a person has filled it in with Word, LibreOffice or anything else that keeps content controls.
//
// The file comes from anyone: the ZIP reader refuses bombs before inflating, the main part is size-capped,
// pugixml expands no entities, and nothing here recurses over the XML (a part nested 100,000 deep is
// refused, not a stack overflow).
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "docx_form_parts.h"
#include "offline_form.h"
#include "zip_reader.h"

namespace spegla::offline {
namespace {

namespace df = docx_form;

constexpr std::string_view kNotOffice = "Filen är inte ett Word- eller Excel-dokument.";
constexpr std::string_view kNoMarker = "Filen är inte ett formulär från Spegla: den saknar Speglas märkning.";
constexpr std::string_view kTagsLost =
    "Formulärets fält saknas i filen: de har tagits bort, eller filen har sparats i ett program som tar "
    "bort dem (till exempel LibreOffice 7.4 eller äldre). Fyll i formuläret i Word eller i en nyare "
    "LibreOffice, eller direkt i Spegla.";
constexpr std::string_view kDamaged =
    "Filen är skadad eller packas upp till mer än ett formulär kan vara, och kan inte läsas.";

void SetError(std::string* error, std::string_view text) {
  if (error != nullptr) *error = std::string(text);
}

// ------------------------------------------------------------------------------------------ the package

std::optional<docx::ZipArchive> OpenPackage(std::string_view bytes, std::string* error) {
  if (bytes.size() < 4 || bytes.substr(0, 2) != "PK") {
    SetError(error, kNotOffice);
    return std::nullopt;
  }
  std::string zip_error;
  std::optional<docx::ZipArchive> zip = docx::ZipArchive::Open(bytes, docx::ZipLimits{}, zip_error);
  if (!zip) SetError(error, kDamaged);
  return zip;
}

// Walks the subtree of `root` in document order without recursion. `visit(node)` returns whether to go
// into the node's children.
template <class Visit>
void Walk(pugi::xml_node root, Visit&& visit) {
  if (!visit(root)) return;
  pugi::xml_node node = root.first_child();
  while (node && node != root) {
    if (visit(node) && node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node != root && !node.next_sibling()) node = node.parent();
    if (node == root) break;
    node = node.next_sibling();
  }
}

std::size_t Depth(const pugi::xml_document& document) {
  std::size_t depth = 0, deepest = 0;
  pugi::xml_node node = document.first_child();
  while (node) {
    deepest = std::max(deepest, depth);
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (node && !node.next_sibling()) {
      node = node.parent();
      if (depth == 0) return deepest;
      --depth;
    }
    if (node) node = node.next_sibling();
  }
  return deepest;
}

// Reads and parses the part `name`. `what` names it for the person ("dokumentets text").
enum class PartResult { kOk, kMissing, kFailed };

PartResult LoadPart(const docx::ZipArchive& zip, std::string_view name, std::string_view what,
                    std::size_t max_size, std::string& content, pugi::xml_document& document,
                    std::string* error) {
  const docx::ZipEntry* entry = zip.Find(name);
  if (entry == nullptr) return PartResult::kMissing;
  if (entry->size > max_size) {
    SetError(error, "Filen kan inte läsas: " + std::string(what) + " (" + std::string(name) +
                        ") är större än " + std::to_string(max_size >> 20) + " MB.");
    return PartResult::kFailed;
  }
  std::string extract_error;
  if (!docx::ZipArchive::Extract(*entry, content, extract_error)) {
    SetError(error, kDamaged);
    return PartResult::kFailed;
  }
  const pugi::xml_parse_result parsed = document.load_buffer_inplace(
      content.data(), content.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!parsed) {
    SetError(error, "Filen är skadad: " + std::string(what) + " (" + std::string(name) +
                        ") är inte giltig XML (" + parsed.description() + " vid tecken " +
                        std::to_string(parsed.offset) + ").");
    return PartResult::kFailed;
  }
  if (Depth(document) > df::kMaxElementDepth) {
    SetError(error, "Filen kan inte läsas: " + std::string(what) + " (" + std::string(name) +
                        ") är nästlad djupare än " + std::to_string(df::kMaxElementDepth) + " nivåer.");
    return PartResult::kFailed;
  }
  return PartResult::kOk;
}

std::string_view LocalName(const char* name) {
  std::string_view view(name);
  const std::size_t colon = view.find(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

// The part a package relationship of `type` (matched by its last segment, so that Strict OOXML's names
// match too) points at, or `fallback` when the relationships do not say.
std::string RelationshipTarget(const docx::ZipArchive& zip, std::string_view type,
                               std::string_view fallback) {
  std::string content;
  pugi::xml_document rels;
  if (LoadPart(zip, df::kPackageRelsPart, "", 4u << 20, content, rels, nullptr) != PartResult::kOk) {
    return std::string(fallback);
  }
  const std::string_view last = type.substr(type.rfind('/'));
  for (pugi::xml_node rel : rels.document_element().children()) {
    if (LocalName(rel.name()) != "Relationship") continue;
    const std::string_view rel_type = rel.attribute("Type").as_string();
    if (rel_type.size() < last.size() || rel_type.substr(rel_type.size() - last.size()) != last) continue;
    if (std::string_view(rel.attribute("TargetMode").as_string()) == "External") continue;
    std::string target = rel.attribute("Target").as_string();
    while (!target.empty() && target.front() == '/') target.erase(0, 1);
    if (!target.empty()) return target;
  }
  return std::string(fallback);
}

// The marker in the custom properties: SpeglaFormMarker, or its pieces joined when Word cut the whole.
bool FindMarker(const docx::ZipArchive& zip, std::string* marker, std::string* error) {
  const std::string name = RelationshipTarget(zip, df::kCustomPropertiesRel, df::kCustomPropertiesPart);
  std::string content;
  pugi::xml_document properties;
  switch (LoadPart(zip, name, "dokumentets egenskaper", 16u << 20, content, properties, error)) {
    case PartResult::kOk:
      break;
    case PartResult::kMissing:
      SetError(error, kNoMarker);
      return false;
    case PartResult::kFailed:
      return false;
  }
  std::optional<std::string> whole;
  std::map<int, std::string> pieces;
  for (pugi::xml_node property : properties.document_element().children()) {
    if (LocalName(property.name()) != "property") continue;
    const std::string_view property_name = property.attribute("name").as_string();
    if (property_name.substr(0, df::kMarkerProperty.size()) != df::kMarkerProperty) continue;
    const std::string_view suffix = property_name.substr(df::kMarkerProperty.size());
    std::string value;
    for (pugi::xml_node typed = property.first_child(); typed; typed = typed.next_sibling()) {
      if (typed.type() == pugi::node_element) {
        value = typed.text().as_string();
        break;
      }
    }
    if (suffix.empty()) {
      whole = std::move(value);
    } else if (suffix.size() <= 4 && suffix.find_first_not_of("0123456789") == std::string_view::npos) {
      pieces[std::stoi(std::string(suffix))] = std::move(value);
    }
  }
  if (!whole) {
    SetError(error, kNoMarker);
    return false;
  }
  std::string joined;
  for (const auto& [index, piece] : pieces) joined += piece;
  // The pieces stand for the marker only when the whole property is (a cut-off start of) them.
  const bool use_pieces = !joined.empty() && joined.size() > whole->size() && joined.starts_with(*whole);
  *marker = use_pieces ? std::move(joined) : std::move(*whole);
  if (marker->empty()) {
    SetError(error, kNoMarker);
    return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------- the main document

// The qualified names of the WordprocessingML elements and attributes read, with the prefixes the
// document binds the namespaces to (w and w14 in all known writers, but not by necessity).
struct Names {
  std::string sdt, sdtPr, sdtContent, tag, val, showingPlcHdr, p, r, t, tab, br, cr, noBreakHyphen, del, ins,
      moveFrom, moveTo, pPr, rPr, tbl, tr, tc, trPr, tcPr, gridSpan, gridBefore, date, fullDate;
  std::string checkbox, checked, w14val;

  explicit Names(pugi::xml_node root) {
    std::string w = "w", w14 = "w14";
    bool w_default = false;
    for (pugi::xml_attribute attribute : root.attributes()) {
      const std::string_view name = attribute.name();
      const std::string_view value = attribute.value();
      if (name == "xmlns" && (value == df::kWordNs || value == df::kWordStrictNs)) w_default = true;
      if (name.substr(0, 6) != "xmlns:") continue;
      if (value == df::kWordNs || value == df::kWordStrictNs) w = name.substr(6);
      if (value == df::kWord2010Ns) w14 = name.substr(6);
    }
    // A root in the default namespace binds the element names without a prefix, but attributes still need
    // one; Word and LibreOffice never do this, so attributes then keep "w:".
    const std::string e = w_default && std::string_view(root.name()).find(':') == std::string_view::npos
                              ? std::string()
                              : w + ":";
    const std::string a = w + ":";
    sdt = e + "sdt", sdtPr = e + "sdtPr", sdtContent = e + "sdtContent", tag = e + "tag", val = a + "val";
    showingPlcHdr = e + "showingPlcHdr", p = e + "p", r = e + "r", t = e + "t", tab = e + "tab";
    br = e + "br", cr = e + "cr", noBreakHyphen = e + "noBreakHyphen", del = e + "del", ins = e + "ins";
    moveFrom = e + "moveFrom", moveTo = e + "moveTo", pPr = e + "pPr", rPr = e + "rPr", tbl = e + "tbl";
    tr = e + "tr", tc = e + "tc", trPr = e + "trPr", tcPr = e + "tcPr", gridSpan = e + "gridSpan";
    gridBefore = e + "gridBefore", date = e + "date", fullDate = a + "fullDate";
    checkbox = w14 + ":checkbox", checked = w14 + ":checked", w14val = w14 + ":val";
  }
};

bool Is(pugi::xml_node node, const std::string& name) {
  return node.type() == pugi::node_element && name == node.name();
}

std::string TagOf(const Names& n, pugi::xml_node sdt) {
  return sdt.child(n.sdtPr.c_str()).child(n.tag.c_str()).attribute(n.val.c_str()).as_string();
}

bool ShowsPlaceholder(const Names& n, pugi::xml_node sdt) {
  return !sdt.child(n.sdtPr.c_str()).child(n.showingPlcHdr.c_str()).empty();
}

bool IsPlaceholderText(std::string_view text) {
  // Ours, and Word's own when a person empties a control in an English Word.
  static constexpr std::string_view kPlaceholders[] = {
      df::kTextPlaceholder,        df::kListPlaceholder,
      df::kDatePlaceholder,        "Click or tap here to enter text.",
      "Choose an item.",           "Click or tap to enter a date.",
      "Click here to enter text.", "Click here to enter a date."};
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  for (std::string_view placeholder : kPlaceholders) {
    if (text == placeholder) return true;
  }
  return false;
}

// The text under `root` as a person reads it: w:t, tabs, line breaks, paragraphs on lines of their own;
// deleted revisions left out, inserted ones in; nested controls showing their placeholder count as empty.
std::string ContentText(const Names& n, pugi::xml_node root) {
  std::string text;
  bool first_paragraph = true;
  Walk(root, [&](pugi::xml_node node) {
    if (node.type() != pugi::node_element) return false;
    const char* name = node.name();
    if (n.t == name) {
      for (pugi::xml_node data = node.first_child(); data; data = data.next_sibling()) {
        if (data.type() == pugi::node_pcdata || data.type() == pugi::node_cdata) text += data.value();
      }
      return false;
    }
    if (n.p == name) {
      if (!first_paragraph) text += '\n';
      first_paragraph = false;
      return true;
    }
    if (n.tab == name) {
      text += '\t';
      return false;
    }
    if (n.br == name || n.cr == name) {
      text += '\n';
      return false;
    }
    if (n.noBreakHyphen == name) {
      text += '-';
      return false;
    }
    if (n.sdt == name && node != root) return !ShowsPlaceholder(n, node);
    // Deleted and moved-away text, properties (tab stops are w:tab too), and what an mc:AlternateContent
    // offers besides its fallback.
    if (n.del == name || n.moveFrom == name || n.pPr == name || n.rPr == name || n.sdtPr == name ||
        n.trPr == name || n.tcPr == name || LocalName(name) == "Choice" || LocalName(name) == "delText" ||
        LocalName(name) == "instrText") {
      return false;
    }
    return true;
  });
  return text;
}

std::string TrimTrailingNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// What a content control holds: "" while it shows its placeholder. An empty date picker with a date set
// (a writer that kept the date but not the text) holds the date.
std::string ControlText(const Names& n, pugi::xml_node sdt) {
  std::string text;
  if (!ShowsPlaceholder(n, sdt)) {
    text = TrimTrailingNewlines(ContentText(n, sdt.child(n.sdtContent.c_str())));
    if (IsPlaceholderText(text)) text.clear();
  }
  if (text.empty()) {
    const std::string_view full_date =
        sdt.child(n.sdtPr.c_str()).child(n.date.c_str()).attribute(n.fullDate.c_str()).as_string();
    if (full_date.size() >= 10) text = full_date.substr(0, 10);
  }
  return text;
}

bool IsTicked(const Names& n, pugi::xml_node sdt) {
  const pugi::xml_node checked =
      sdt.child(n.sdtPr.c_str()).child(n.checkbox.c_str()).child(n.checked.c_str());
  if (checked) {
    const std::string_view value = checked.attribute(n.w14val.c_str()).as_string();
    return value == "1" || value == "true" || value == "on";
  }
  // No w14:checked (a writer that kept only the shown mark): the mark decides.
  const std::string text = ContentText(n, sdt.child(n.sdtContent.c_str()));
  return text.find("\u2612") != std::string::npos || text.find("\u2611") != std::string::npos ||
         text.find("\u2714") != std::string::npos || text.find("\u2713") != std::string::npos ||
         text == "x" || text == "X";
}

// The nearest w:tbl above `node`, stopping at the body.
pugi::xml_node EnclosingTable(const Names& n, pugi::xml_node node) {
  for (pugi::xml_node up = node.parent(); up; up = up.parent()) {
    if (Is(up, n.tbl)) return up;
  }
  return {};
}

pugi::xml_node FirstTableIn(const Names& n, pugi::xml_node root) {
  pugi::xml_node found;
  Walk(root, [&](pugi::xml_node node) {
    if (found || node.type() != pugi::node_element) return false;
    if (Is(node, n.tbl)) {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}

// The elements named `name` that belong to `root` itself: through content controls and other wrappers,
// but not inside them (a row's cells, not the cells of a table nested in one of them).
std::vector<pugi::xml_node> OwnChildren(const Names& n, pugi::xml_node root, const std::string& name) {
  std::vector<pugi::xml_node> found;
  Walk(root, [&](pugi::xml_node node) {
    if (node == root) return true;
    if (node.type() != pugi::node_element) return false;
    if (name == node.name()) {
      found.push_back(node);
      return false;
    }
    return !(Is(node, n.tbl) || Is(node, n.sdtPr) || Is(node, n.trPr) || Is(node, n.tcPr) || Is(node, n.tr) ||
             Is(node, n.tc) || Is(node, n.p) || LocalName(node.name()) == "tblPr" ||
             LocalName(node.name()) == "tblGrid" || LocalName(node.name()) == "tblPrEx");
  });
  return found;
}

int IntValue(const Names& n, pugi::xml_node properties, const std::string& name, int fallback) {
  const pugi::xml_attribute value = properties.child(name.c_str()).attribute(n.val.c_str());
  if (!value) return fallback;
  const int number = value.as_int(fallback);
  return number < 1 ? fallback : std::min(number, 64);
}

struct Cell {
  int position = 0;    // the grid column it starts in
  std::string column;  // from its control's tag; empty when it has none
  std::string text;
};

// The rows of a group's table, as column id -> text per row that is not all empty.
std::vector<std::map<std::string, std::string>> GroupRows(const Names& n, const Field& group,
                                                          pugi::xml_node table) {
  const std::string cell_prefix = std::string(df::kTagPrefix) + group.id + ".";
  std::vector<std::vector<Cell>> rows;
  for (pugi::xml_node tr : OwnChildren(n, table, n.tr)) {
    const pugi::xml_node tr_properties = tr.child(n.trPr.c_str());
    if (tr_properties.child(n.del.c_str())) continue;  // a row deleted with changes tracked
    std::vector<Cell> cells;
    int position = IntValue(n, tr_properties, n.gridBefore, 0);
    for (pugi::xml_node tc : OwnChildren(n, tr, n.tc)) {
      Cell cell;
      cell.position = position;
      position += IntValue(n, tc.child(n.tcPr.c_str()), n.gridSpan, 1);
      // A control around the cell (cell-level) or inside it.
      pugi::xml_node control;
      for (pugi::xml_node up = tc.parent(); up && up != tr && !control; up = up.parent()) {
        if (Is(up, n.sdt) && TagOf(n, up).starts_with(cell_prefix)) control = up;
      }
      if (!control) {
        Walk(tc, [&](pugi::xml_node node) {
          if (control || node.type() != pugi::node_element) return false;
          if (Is(node, n.sdt) && TagOf(n, node).starts_with(cell_prefix)) {
            control = node;
            return false;
          }
          return !Is(node, n.tbl);
        });
      }
      if (control) {
        cell.column = TagOf(n, control).substr(cell_prefix.size());
        cell.text = ControlText(n, control);
      } else {
        cell.text = TrimTrailingNewlines(ContentText(n, tc));
        if (IsPlaceholderText(cell.text)) cell.text.clear();
      }
      cells.push_back(std::move(cell));
    }
    rows.push_back(std::move(cells));
  }

  // The header: the first row, when it has no controls. Its labels give the order of the columns when they
  // all name one; otherwise the definition's order.
  std::vector<const Field*> by_position;
  for (const Field& column : group.columns) by_position.push_back(&column);
  std::size_t first = 0;
  const auto has_controls = [](const std::vector<Cell>& cells) {
    for (const Cell& cell : cells) {
      if (!cell.column.empty()) return true;
    }
    return false;
  };
  if (!rows.empty() && !has_controls(rows[0])) {
    first = 1;
    std::vector<const Field*> from_header;
    bool all_named = !rows[0].empty();
    for (const Cell& cell : rows[0]) {
      const Field* named = nullptr;
      for (const Field& column : group.columns) {
        if (column.label == cell.text) named = &column;
      }
      if (named == nullptr) all_named = false;
      if (static_cast<std::size_t>(cell.position) >= from_header.size()) {
        from_header.resize(static_cast<std::size_t>(cell.position) + 1, nullptr);
      }
      from_header[static_cast<std::size_t>(cell.position)] = named;
    }
    if (all_named) by_position = std::move(from_header);
  }

  std::vector<std::map<std::string, std::string>> result;
  for (std::size_t i = first; i < rows.size(); ++i) {
    std::map<std::string, std::string> row;
    bool any = false;
    for (const Cell& cell : rows[i]) {
      std::string column = cell.column;
      if (column.empty()) {
        const auto position = static_cast<std::size_t>(cell.position);
        if (position >= by_position.size() || by_position[position] == nullptr) continue;
        column = by_position[position]->id;
      }
      if (group.Column(column) == nullptr) continue;
      auto [at, inserted] = row.emplace(column, cell.text);
      if (!inserted && at->second.empty()) at->second = cell.text;
      any = any || !cell.text.empty();
    }
    if (any) result.push_back(std::move(row));
  }
  return result;
}

}  // namespace

bool ReadDocxMarker(std::string_view bytes, std::string* marker, std::string* error) {
  const std::optional<docx::ZipArchive> zip = OpenPackage(bytes, error);
  if (!zip) return false;
  if (zip->Find("[Content_Types].xml") == nullptr) {
    SetError(error, kNotOffice);
    return false;
  }
  return FindMarker(*zip, marker, error);
}

bool ReadDocxAnswers(std::string_view bytes, const std::vector<const Field*>& fields, FilledFile* out,
                     std::string* error) {
  const std::optional<docx::ZipArchive> zip = OpenPackage(bytes, error);
  if (!zip) return false;
  out->kind = FileKind::kDocx;
  std::string marker;
  if (FindMarker(*zip, &marker, nullptr)) out->marker = std::move(marker);

  const std::string name = RelationshipTarget(*zip, df::kOfficeDocumentRel, df::kDocumentPart);
  std::string content;
  pugi::xml_document document;
  switch (LoadPart(*zip, name, "dokumentets text", df::kMaxDocumentPartSize, content, document, error)) {
    case PartResult::kOk:
      break;
    case PartResult::kMissing:
      SetError(error, kNotOffice);
      return false;
    case PartResult::kFailed:
      return false;
  }
  const pugi::xml_node root = document.document_element();
  const Names n(root);

  std::map<std::string_view, const Field*> by_id;
  for (const Field* field : fields) {
    if (field != nullptr) by_id.emplace(field->id, field);
  }

  // Every tagged control, at any level: scalars and check boxes answered at once, groups found.
  std::map<std::string, pugi::xml_node> group_controls;  // group id -> its repeating section
  std::map<std::string, pugi::xml_node> group_cells;     // group id -> its first cell control
  bool tagged = false;
  Walk(root, [&](pugi::xml_node node) {
    if (node.type() != pugi::node_element) return false;
    if (!Is(node, n.sdt)) return !Is(node, n.sdtPr);
    const std::string tag = TagOf(n, node);
    if (!tag.starts_with(df::kTagPrefix)) return true;
    tagged = true;
    const std::string_view rest = std::string_view(tag).substr(df::kTagPrefix.size());
    const std::size_t colon = rest.find(':');
    const std::size_t dot = rest.find('.');
    if (colon != std::string_view::npos && (dot == std::string_view::npos || colon < dot)) {
      const auto field = by_id.find(rest.substr(0, colon));
      if (field == by_id.end() || field->second->type != FieldType::kMultiChoice) return false;
      RawAnswer& answer = out->answers[field->second->id];
      const std::string option(rest.substr(colon + 1));
      if (IsTicked(n, node) &&
          std::find(answer.ticked.begin(), answer.ticked.end(), option) == answer.ticked.end()) {
        answer.ticked.push_back(option);
      }
      return false;
    }
    if (dot != std::string_view::npos) {
      const auto field = by_id.find(rest.substr(0, dot));
      if (field != by_id.end() && field->second->type == FieldType::kGroup) {
        group_cells.emplace(field->second->id, node);
      }
      return false;
    }
    const auto field = by_id.find(rest);
    if (field == by_id.end()) return true;
    if (field->second->type == FieldType::kGroup) {
      group_controls.emplace(field->second->id, node);
      return true;
    }
    if (field->second->type == FieldType::kMultiChoice) return true;
    // A scalar: the first control with text answers (a copy of a control left empty does not).
    const std::string text = ControlText(n, node);
    const auto [answer, inserted] = out->answers.try_emplace(field->second->id);
    if (inserted || answer->second.text.empty()) answer->second.text = text;
    return false;
  });

  // Every field has a control, so a form without one tag went through a program that kept the controls'
  // contents but dropped their tags (LibreOffice 7.4 and older do): nothing can be told apart any more,
  // and reading no answers would look like a form left empty.
  if (!tagged && !by_id.empty()) {
    SetError(error, kTagsLost);
    return false;
  }

  for (const Field* field : fields) {
    if (field == nullptr || field->type != FieldType::kGroup) continue;
    pugi::xml_node table;
    if (const auto control = group_controls.find(field->id); control != group_controls.end()) {
      table = FirstTableIn(n, control->second.child(n.sdtContent.c_str()));
      if (!table) table = EnclosingTable(n, control->second);
    }
    if (!table) {
      if (const auto cell = group_cells.find(field->id); cell != group_cells.end()) {
        table = EnclosingTable(n, cell->second);
      }
    }
    if (!table) {
      if (group_controls.count(field->id) != 0) out->answers[field->id];
      continue;
    }
    out->answers[field->id].rows = GroupRows(n, *field, table);
  }
  return true;
}

}  // namespace spegla::offline
