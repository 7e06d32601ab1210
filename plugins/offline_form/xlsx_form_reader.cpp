// ReadXlsxMarker and ReadXlsxAnswers: the marker and the answers of a filled Excel form (the layout is
// xlsx_form_layout.h's), read with the docx plugin's hardened ZIP reader and pugixml. Reads what Excel,
// LibreOffice and openpyxl write: shared, inline and formula strings, numbers without a type, booleans,
// rich text, prefixed element names, cells without a reference.
#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "offline_form.h"
#include "xlsx_form_layout.h"
#include "zip_reader.h"

namespace spegla::offline {
namespace {

using namespace xlsx_form;

constexpr const char* kNotDocument = "Filen är inte ett Word- eller Excel-dokument.";
constexpr const char* kNoMarker = "Filen är inte ett formulär från Spegla: den saknar Speglas märkning.";
constexpr const char* kUnreadable = "Filen kan inte läsas som ett Excel-dokument: den är skadad eller för stor.";

std::string Quoted(std::string_view s) { return "«" + std::string(s) + "»"; }

// An element's or attribute's name without its namespace prefix ("x:sheet" -> "sheet").
std::string_view LocalName(const char* name) {
  std::string_view view(name);
  const std::size_t colon = view.find(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == name) return child;
  }
  return {};
}

// The relationship id of a <sheet>: its r:id attribute, whatever the prefix.
std::string_view RelationshipId(pugi::xml_node sheet) {
  for (pugi::xml_attribute attribute : sheet.attributes()) {
    const std::string_view name(attribute.name());
    if (name.find(':') != std::string_view::npos && LocalName(attribute.name()) == "id") return attribute.value();
  }
  return {};
}

bool IsTrue(std::string_view text) { return text == "1" || text == "true"; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return number;
}

// The directory part of a part name, with its slash: "xl/workbook.xml" -> "xl/".
std::string Directory(std::string_view part) {
  const std::size_t slash = part.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(part.substr(0, slash + 1));
}

// A relationship's target as a part name: relative to `base` (a directory) or absolute with a leading '/'.
std::string ResolveTarget(std::string_view base, std::string_view target) {
  std::string joined = !target.empty() && target.front() == '/' ? std::string(target.substr(1))
                                                                 : std::string(base) + std::string(target);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    const std::string segment = joined.substr(start, slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& segment : segments) out += (out.empty() ? "" : "/") + segment;
  return out;
}

// The text of a string item (<si>, <is>): its <t>, or its rich text runs' <t>s; phonetic runs left out.
std::string StringItemText(pugi::xml_node item) {
  std::string text;
  for (pugi::xml_node child : item.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = LocalName(child.name());
    if (name == "t") {
      text += child.child_value();
    } else if (name == "r") {
      if (pugi::xml_node t = Child(child, "t")) text += t.child_value();
    }
  }
  return DecodeCellText(text);
}

struct Cell {
  enum class Kind { kText, kNumber, kBool, kError, kDate };
  Kind kind = Kind::kText;
  std::string text;   // kText, kError, kDate (ISO text)
  double number = 0;  // kNumber; kBool: 1 or 0
};

using Cells = std::map<std::uint32_t, std::map<std::uint32_t, Cell>>;  // row -> column -> cell, from 0

// A cell's text for a field of `type`: texts as they are; numbers as decimal text, or for a date the
// day's ISO text; booleans "ja"/"nej".
std::string CellText(const Cell& cell, FieldType type, bool date1904) {
  switch (cell.kind) {
    case Cell::Kind::kText:
    case Cell::Kind::kError:
      return cell.text;
    case Cell::Kind::kBool:
      return cell.number != 0 ? "ja" : "nej";
    case Cell::Kind::kDate:
      return type == FieldType::kDate && cell.text.size() >= 10 ? cell.text.substr(0, 10) : cell.text;
    case Cell::Kind::kNumber:
      if (type == FieldType::kDate) {
        if (std::optional<Date> date = SerialDate(cell.number, date1904)) return date->ToString();
      }
      return NumberText(cell.number);
  }
  return "";
}

const Cell* CellAt(const Cells& cells, std::uint32_t row, std::uint32_t column) {
  const auto found_row = cells.find(row);
  if (found_row == cells.end()) return nullptr;
  const auto found = found_row->second.find(column);
  return found == found_row->second.end() ? nullptr : &found->second;
}

// A cell as plain text (a key or a sheet name), empty when there is none.
std::string PlainText(const Cells& cells, std::uint32_t row, std::uint32_t column) {
  const Cell* cell = CellAt(cells, row, column);
  return cell == nullptr ? "" : CellText(*cell, FieldType::kText, false);
}

// The parts of a workbook that say where everything is.
class Workbook {
 public:
  bool Open(std::string_view bytes, std::string* error) {
    std::string zip_error;
    zip_ = docx::ZipArchive::Open(bytes, docx::ZipLimits{}, zip_error);
    if (!zip_) {
      *error = zip_error.find("not a ZIP") != std::string::npos ? kNotDocument : kUnreadable;
      return false;
    }
    const std::string workbook_part = WorkbookPart();
    if (zip_->Find(workbook_part) == nullptr) {
      *error = kNotDocument;
      return false;
    }
    pugi::xml_document workbook;
    if (!Parse(workbook_part, workbook, error)) return false;
    const pugi::xml_node root = workbook.document_element();
    if (const pugi::xml_node properties = Child(root, "workbookPr")) {
      date1904_ = IsTrue(properties.attribute("date1904").value());
    }

    std::map<std::string, std::string> targets;  // relationship id -> part
    const std::string rels_part = Directory(workbook_part) + "_rels/" +
                                  workbook_part.substr(Directory(workbook_part).size()) + ".rels";
    std::string shared_strings_part;
    if (zip_->Find(rels_part) != nullptr) {
      pugi::xml_document rels;
      if (!Parse(rels_part, rels, error)) return false;
      for (pugi::xml_node relationship : rels.document_element().children()) {
        if (LocalName(relationship.name()) != "Relationship") continue;
        if (std::string_view(relationship.attribute("TargetMode").value()) == "External") continue;
        const std::string part = ResolveTarget(Directory(workbook_part), relationship.attribute("Target").value());
        targets[relationship.attribute("Id").value()] = part;
        const std::string_view type = relationship.attribute("Type").value();
        if (type.size() >= 14 && type.substr(type.size() - 14) == "/sharedStrings") shared_strings_part = part;
      }
    }
    if (const pugi::xml_node sheets = Child(root, "sheets")) {
      for (pugi::xml_node sheet : sheets.children()) {
        if (LocalName(sheet.name()) != "sheet") continue;
        const auto target = targets.find(std::string(RelationshipId(sheet)));
        if (target == targets.end()) continue;
        sheets_.emplace_back(sheet.attribute("name").value(), target->second);
      }
    }

    if (shared_strings_part.empty() && zip_->Find(Directory(workbook_part) + "sharedStrings.xml") != nullptr) {
      shared_strings_part = Directory(workbook_part) + "sharedStrings.xml";
    }
    if (!shared_strings_part.empty() && zip_->Find(shared_strings_part) != nullptr) {
      pugi::xml_document strings;
      if (!Parse(shared_strings_part, strings, error)) return false;
      for (pugi::xml_node item : strings.document_element().children()) {
        if (LocalName(item.name()) == "si") shared_strings_.push_back(StringItemText(item));
      }
    }
    return true;
  }

  bool date1904() const { return date1904_; }

  // Reads the cells of columns below `columns` of the sheet named `name` into `cells`. `found` is false
  // when the workbook has no such sheet. False with `error` when the sheet cannot be read.
  bool ReadSheet(std::string_view name, std::uint32_t columns, Cells* cells, bool* found, std::string* error) {
    *found = false;
    const std::string folded = FoldedSheetName(name);
    const auto sheet = std::find_if(sheets_.begin(), sheets_.end(),
                                    [&](const auto& s) { return FoldedSheetName(s.first) == folded; });
    if (sheet == sheets_.end() || zip_->Find(sheet->second) == nullptr) return true;
    *found = true;
    pugi::xml_document document;
    if (!Parse(sheet->second, document, error)) return false;
    const pugi::xml_node data = Child(document.document_element(), "sheetData");
    std::uint32_t next_row = 0;
    for (pugi::xml_node row : data.children()) {
      if (LocalName(row.name()) != "row") continue;
      std::uint32_t row_index = next_row;
      if (const pugi::xml_attribute r = row.attribute("r")) {
        const std::optional<double> number = ParseNumber(r.value());
        if (!number || *number < 1 || *number > kMaxRows || *number != static_cast<std::uint32_t>(*number)) {
          *error = OutsideGrid(sheet->first, std::string("rad ") + r.value());
          return false;
        }
        row_index = static_cast<std::uint32_t>(*number) - 1;
      }
      if (row_index >= kMaxRows) {
        *error = OutsideGrid(sheet->first, "rad " + std::to_string(row_index + 1));
        return false;
      }
      next_row = row_index + 1;
      std::uint32_t next_column = 0;
      for (pugi::xml_node c : row.children()) {
        if (LocalName(c.name()) != "c") continue;
        std::uint32_t cell_row = row_index, column = next_column;
        if (const pugi::xml_attribute reference = c.attribute("r")) {
          if (!ParseCellReference(reference.value(), &cell_row, &column)) {
            *error = OutsideGrid(sheet->first, std::string("cellen ") + reference.value());
            return false;
          }
        }
        if (column >= kMaxColumns) {
          *error = OutsideGrid(sheet->first, "kolumn " + std::to_string(column + 1));
          return false;
        }
        next_column = column + 1;
        if (column >= columns) continue;
        std::optional<Cell> cell;
        if (!ReadCell(c, sheet->first, &cell, error)) return false;
        if (cell) (*cells)[cell_row][column] = std::move(*cell);
      }
    }
    return true;
  }

 private:
  // The workbook part named by the package's relationships (xl/workbook.xml as Excel names it).
  std::string WorkbookPart() const {
    std::string fallback = "xl/workbook.xml";
    const docx::ZipEntry* entry = zip_->Find("_rels/.rels");
    std::string xml, ignored;
    if (entry == nullptr || !docx::ZipArchive::Extract(*entry, xml, ignored)) return fallback;
    pugi::xml_document rels;
    if (!rels.load_buffer(xml.data(), xml.size())) return fallback;
    for (pugi::xml_node relationship : rels.document_element().children()) {
      const std::string_view type = relationship.attribute("Type").value();
      if (type.size() >= 15 && type.substr(type.size() - 15) == "/officeDocument") {
        std::string part = ResolveTarget("", relationship.attribute("Target").value());
        if (zip_->Find(part) != nullptr) return part;
      }
    }
    return fallback;
  }

  bool Parse(const std::string& part, pugi::xml_document& document, std::string* error) const {
    const docx::ZipEntry* entry = zip_->Find(part);
    std::string xml, zip_error;
    if (entry == nullptr || !docx::ZipArchive::Extract(*entry, xml, zip_error)) {
      *error = "Excel-filen är skadad: delen " + Quoted(part) + " kan inte packas upp.";
      return false;
    }
    const pugi::xml_parse_result result = document.load_buffer(
        xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single, pugi::encoding_utf8);
    if (!result || !document.document_element()) {
      *error = "Excel-filen är skadad: delen " + Quoted(part) + " är inte giltig XML (vid tecken " +
               std::to_string(result.offset) + ": " + result.description() + ").";
      return false;
    }
    return true;
  }

  static std::string OutsideGrid(std::string_view sheet, const std::string& what) {
    return "Excel-filen är skadad: bladet " + Quoted(sheet) + " har " + what +
           ", utanför Excels gränser (1 048 576 rader, 16 384 kolumner).";
  }

  // The value of a <c>, or nothing when it is empty.
  bool ReadCell(pugi::xml_node c, std::string_view sheet, std::optional<Cell>* out, std::string* error) const {
    const std::string_view type = c.attribute("t").value();
    Cell cell;
    if (type == "inlineStr") {
      const pugi::xml_node is = Child(c, "is");
      cell.text = StringItemText(is);
      if (!cell.text.empty()) *out = std::move(cell);
      return true;
    }
    const pugi::xml_node v = Child(c, "v");
    if (!v) return true;
    const std::string_view value = v.child_value();
    if (type == "s") {
      const std::optional<double> index = ParseNumber(value);
      if (!index || *index < 0 || *index >= static_cast<double>(shared_strings_.size()) ||
          *index != static_cast<std::size_t>(*index)) {
        *error = "Excel-filen är skadad: en cell på bladet " + Quoted(sheet) +
                 " hänvisar till en text som inte finns.";
        return false;
      }
      cell.text = shared_strings_[static_cast<std::size_t>(*index)];
    } else if (type == "str") {
      cell.text = DecodeCellText(value);
    } else if (type == "b") {
      cell.kind = Cell::Kind::kBool;
      cell.number = IsTrue(Trim(value)) ? 1 : 0;
      *out = std::move(cell);
      return true;
    } else if (type == "e") {
      cell.kind = Cell::Kind::kError;
      cell.text = value;
    } else if (type == "d") {
      cell.kind = Cell::Kind::kDate;
      cell.text = Trim(value);
    } else {  // "n" or none: a number; anything else that claims to be one is taken as text
      if (Trim(value).empty()) return true;
      if (const std::optional<double> number = ParseNumber(value)) {
        cell.kind = Cell::Kind::kNumber;
        cell.number = *number;
        *out = std::move(cell);
        return true;
      }
      cell.text = value;
    }
    if (!cell.text.empty()) *out = std::move(cell);
    return true;
  }

  std::optional<docx::ZipArchive> zip_;
  std::vector<std::pair<std::string, std::string>> sheets_;  // name, part
  std::vector<std::string> shared_strings_;
  bool date1904_ = false;
};

bool ReadMarkerOf(Workbook& workbook, std::string* marker, std::string* error) {
  Cells cells;
  bool found = false;
  if (!workbook.ReadSheet(kMarkerSheet, 1, &cells, &found, error)) return false;
  const std::string text = found ? PlainText(cells, 0, 0) : "";
  if (text.empty()) {
    *error = kNoMarker;
    return false;
  }
  *marker = text;
  return true;
}

// The rows of a group from its sheet; false with `error` when it has too many.
bool ReadGroup(const Field& group, const Cells& cells, bool date1904, RawAnswer* answer, std::string* error) {
  std::map<std::uint32_t, const Field*> columns;  // sheet column -> group column
  if (const auto ids = cells.find(kGroupIdRow); ids != cells.end()) {
    for (const auto& [col, cell] : ids->second) {
      if (const Field* column = group.Column(CellText(cell, FieldType::kText, false))) columns[col] = column;
    }
  }
  for (auto row = cells.lower_bound(kGroupFirstRow); row != cells.end(); ++row) {
    std::map<std::string, std::string> texts;
    for (const auto& [col, column] : columns) {
      const auto cell = row->second.find(col);
      if (cell == row->second.end()) continue;
      std::string text = CellText(cell->second, column->type, date1904);
      if (Trim(text).empty()) continue;
      texts[column->id] = std::move(text);
    }
    if (texts.empty()) continue;
    if (answer->rows.size() >= kMaxGroupRows) {
      *error = "Tabellen " + Quoted(group.label) + " har fler än " + std::to_string(kMaxGroupRows) +
               " rader ifyllda; Spegla tar emot högst så många.";
      return false;
    }
    answer->rows.push_back(std::move(texts));
  }
  return true;
}

}  // namespace

bool ReadXlsxMarker(std::string_view bytes, std::string* marker, std::string* error) {
  Workbook workbook;
  if (!workbook.Open(bytes, error)) return false;
  return ReadMarkerOf(workbook, marker, error);
}

bool ReadXlsxAnswers(std::string_view bytes, const std::vector<const Field*>& fields, FilledFile* out,
                     std::string* error) {
  Workbook workbook;
  if (!workbook.Open(bytes, error)) return false;
  out->kind = FileKind::kXlsx;
  out->answers.clear();
  // The marker as found (ReadMarker refused a file without one before its answers are read).
  std::string marker_error;
  ReadMarkerOf(workbook, &out->marker, &marker_error);

  Cells form;
  bool found = false;
  if (!workbook.ReadSheet(kFormSheet, kSheetColumn + 1, &form, &found, error)) return false;
  if (!found) {
    *error = "Filen saknar bladet " + Quoted(kFormSheet) + " med formulärets frågor.";
    return false;
  }
  // The rows by key (the first row with a key wins), and the rows in order for the options.
  std::map<std::string, std::uint32_t> row_of;
  std::vector<std::pair<std::string, std::uint32_t>> keys;
  for (const auto& [row, columns] : form) {
    const auto key = columns.find(kKeyColumn);
    if (key == columns.end()) continue;
    std::string text = CellText(key->second, FieldType::kText, false);
    if (text.empty()) continue;
    row_of.emplace(text, row);
    keys.emplace_back(std::move(text), row);
  }

  for (const Field* field : fields) {
    if (field == nullptr) continue;
    const auto row = row_of.find(field->id);
    switch (field->type) {
      case FieldType::kGroup: {
        if (row == row_of.end()) break;
        const std::string sheet = PlainText(form, row->second, kSheetColumn);
        if (sheet.empty()) break;
        Cells cells;
        bool sheet_found = false;
        const auto columns = static_cast<std::uint32_t>(std::min<std::size_t>(kMaxColumns, field->columns.size() + 8));
        if (!workbook.ReadSheet(sheet, columns, &cells, &sheet_found, error)) return false;
        if (!sheet_found) break;
        RawAnswer answer;
        if (!ReadGroup(*field, cells, workbook.date1904(), &answer, error)) return false;
        out->answers[field->id] = std::move(answer);
        break;
      }
      case FieldType::kMultiChoice: {
        const std::string prefix = field->id + ":";
        RawAnswer answer;
        bool any = row != row_of.end();
        for (const auto& [key, key_row] : keys) {
          if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) continue;
          any = true;
          const Cell* cell = CellAt(form, key_row, kAnswerColumn);
          if (cell == nullptr) continue;
          if (cell->kind == Cell::Kind::kBool && cell->number == 0) continue;
          if (Trim(CellText(*cell, FieldType::kText, false)).empty()) continue;
          std::string value = key.substr(prefix.size());
          if (std::find(answer.ticked.begin(), answer.ticked.end(), value) == answer.ticked.end()) {
            answer.ticked.push_back(std::move(value));
          }
        }
        if (any) out->answers[field->id] = std::move(answer);
        break;
      }
      default: {
        if (row == row_of.end()) break;
        RawAnswer answer;
        if (const Cell* cell = CellAt(form, row->second, kAnswerColumn)) {
          answer.text = CellText(*cell, field->type, workbook.date1904());
        }
        // A text Excel could not hold whole was cut when written: it is not an answer, and is left out
        // (so left as it is) rather than read back shortened.
        if (answer.text.size() >= kTruncated.size() &&
            answer.text.compare(answer.text.size() - kTruncated.size(), kTruncated.size(), kTruncated) == 0) {
          break;
        }
        out->answers[field->id] = std::move(answer);
        break;
      }
    }
  }
  return true;
}

}  // namespace spegla::offline
