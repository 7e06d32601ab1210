// WriteDocxForm: a form as a fillable Word document, built from scratch in memory. Every field becomes a
// Word content control (w:sdt) of its kind: plain text, rich text (several paragraphs), date picker,
// drop-down list, check boxes, and a table in a repeating section for a group. docx_form_reader.cpp reads
// the controls back by their tags; docx_form_parts.h has what the two share.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "docx_form_parts.h"
#include "offline_answers.h"
#include "offline_form.h"
#include "zip_writer.h"

namespace spegla::offline {
namespace {

namespace df = docx_form;

// ---------------------------------------------------------------------------------------------- XML text

// The code point starting at s[i] and its length in bytes; length 0 when s[i] does not start well-formed
// UTF-8 (an overlong form, a surrogate, a truncated sequence).
std::pair<char32_t, std::size_t> DecodeUtf8(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {0, 0};
  }
  if (i + n > s.size()) return {0, 0};
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, n};
}

bool AllowedInXml(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Appends `text` escaped for XML character data or (with `attribute`) a double-quoted attribute value.
// Bytes that are not well-formed UTF-8 and characters XML 1.0 does not allow are left out.
void AppendEscaped(std::string& out, std::string_view text, bool attribute) {
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, length] = DecodeUtf8(text, i);
    if (length == 0) {
      ++i;
      continue;
    }
    const std::string_view bytes = text.substr(i, length);
    i += length;
    if (!AllowedInXml(cp)) continue;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\'':
        out += attribute ? "&apos;" : "'";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += attribute ? "&#13;" : "\r";
        break;
      default:
        out += bytes;
    }
  }
}

std::string Escaped(std::string_view text, bool attribute = false) {
  std::string out;
  out.reserve(text.size() + 8);
  AppendEscaped(out, text, attribute);
  return out;
}

// `text` cut into pieces of at most `max_chars` code points, never inside a character.
std::vector<std::string> SplitByCodePoints(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> pieces;
  std::string piece;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto length = DecodeUtf8(text, i).second;
    if (length == 0) length = 1;
    if (chars == max_chars) {
      pieces.push_back(std::move(piece));
      piece.clear();
      chars = 0;
    }
    piece.append(text.substr(i, length));
    i += length;
    ++chars;
  }
  if (!piece.empty()) pieces.push_back(std::move(piece));
  return pieces;
}

// -------------------------------------------------------------------------------------------- the parts

constexpr std::string_view kXmlDeclaration =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

// Run properties of what a person fills in: a light grey background, as the instruction says.
constexpr std::string_view kFieldShading = "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E7E6E6\"/>";
constexpr std::string_view kCheckBoxFont =
    "<w:rFonts w:ascii=\"MS Gothic\" w:eastAsia=\"MS Gothic\" w:hAnsi=\"MS Gothic\" w:hint=\"eastAsia\"/>";

// The width of the text on an A4 page with 2.5 cm margins, in twentieths of a point.
constexpr int kTextWidth = 11906 - 2 * 1417;

std::string ContentTypes() {
  std::string x(kXmlDeclaration);
  x +=
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
      "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
      "<Override PartName=\"/word/settings.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
      "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/"
      "vnd.openxmlformats-package.core-properties+xml\"/>"
      "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
      "<Override PartName=\"/docProps/custom.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.custom-properties+xml\"/>"
      "</Types>";
  return x;
}

std::string PackageRelationships() {
  std::string x(kXmlDeclaration);
  x += "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"";
  x += df::kOfficeDocumentRel;
  x += "\" Target=\"word/document.xml\"/>"
       "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/"
       "metadata/core-properties\" Target=\"docProps/core.xml\"/>"
       "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/extended-properties\" Target=\"docProps/app.xml\"/>"
       "<Relationship Id=\"rId4\" Type=\"";
  x += df::kCustomPropertiesRel;
  x += "\" Target=\"docProps/custom.xml\"/></Relationships>";
  return x;
}

std::string DocumentRelationships() {
  std::string x(kXmlDeclaration);
  x += "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/styles\" Target=\"styles.xml\"/>"
       "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/settings\" Target=\"settings.xml\"/>"
       "</Relationships>";
  return x;
}

std::string Styles() {
  std::string x(kXmlDeclaration);
  x += "<w:styles xmlns:w=\"";
  x += df::kWordNs;
  x += "\">"
       "<w:docDefaults><w:rPrDefault><w:rPr>"
       "<w:rFonts w:ascii=\"Calibri\" w:eastAsia=\"Calibri\" w:hAnsi=\"Calibri\" w:cs=\"Calibri\"/>"
       "<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"sv-SE\" w:eastAsia=\"sv-SE\" "
       "w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>"
       "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr>"
       "</w:pPrDefault></w:docDefaults>"
       // Paragraph styles.
       "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
       "<w:qFormat/></w:style>"
       "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
       "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"10\"/><w:qFormat/>"
       "<w:pPr><w:spacing w:after=\"200\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
       "<w:rPr><w:rFonts w:ascii=\"Calibri Light\" w:hAnsi=\"Calibri Light\" w:cs=\"Calibri Light\"/>"
       "<w:kern w:val=\"28\"/><w:sz w:val=\"48\"/><w:szCs w:val=\"48\"/></w:rPr></w:style>"
       "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
       "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>"
       "<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"280\" w:after=\"60\"/>"
       "<w:outlineLvl w:val=\"0\"/></w:pPr>"
       "<w:rPr><w:b/><w:bCs/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>"
       "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"SpeglaHelp\">"
       "<w:name w:val=\"Spegla hjälptext\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>"
       "<w:pPr><w:keepNext/><w:spacing w:after=\"60\"/></w:pPr>"
       "<w:rPr><w:color w:val=\"595959\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>"
       // Character styles.
       "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">"
       "<w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/>"
       "<w:unhideWhenUsed/></w:style>"
       "<w:style w:type=\"character\" w:styleId=\"PlaceholderText\"><w:name w:val=\"Placeholder Text\"/>"
       "<w:basedOn w:val=\"DefaultParagraphFont\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/>"
       "<w:rPr><w:color w:val=\"808080\"/></w:rPr></w:style>"
       // Table styles.
       "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>"
       "<w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr>"
       "<w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>"
       "<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/>"
       "<w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
       "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>"
       "<w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/>"
       "<w:pPr><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
       "<w:tblPr><w:tblBorders>"
       "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
       "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
       "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
       "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
       "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
       "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
       "</w:tblBorders></w:tblPr></w:style>"
       "</w:styles>";
  return x;
}

std::string Settings() {
  std::string x(kXmlDeclaration);
  // Compatibility mode 15 (Word 2013 and later): check boxes and repeating sections need it.
  x += "<w:settings xmlns:w=\"";
  x += df::kWordNs;
  x += "\"><w:defaultTabStop w:val=\"1304\"/><w:hyphenationZone w:val=\"425\"/>"
       "<w:characterSpacingControl w:val=\"doNotCompress\"/>"
       "<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/"
       "word\" w:val=\"15\"/></w:compat>"
       "<w:themeFontLang w:val=\"sv-SE\"/><w:decimalSymbol w:val=\",\"/><w:listSeparator w:val=\";\"/>"
       "</w:settings>";
  return x;
}

struct Timestamp {
  std::string w3c;  // 2026-03-01T12:00:00Z
  std::uint16_t dos_time = 0, dos_date = 0;
};

Timestamp Now() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto days = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss time{now - days};
  const int year = static_cast<int>(ymd.year());
  const auto month = static_cast<unsigned>(ymd.month());
  const auto day = static_cast<unsigned>(ymd.day());
  const auto hours = static_cast<unsigned>(time.hours().count());
  const auto minutes = static_cast<unsigned>(time.minutes().count());
  const auto seconds = static_cast<unsigned>(time.seconds().count());
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02u:%02u:%02uZ", year, month, day, hours, minutes,
                seconds);
  Timestamp t;
  t.w3c = text;
  t.dos_time = static_cast<std::uint16_t>((hours << 11) | (minutes << 5) | (seconds / 2));
  t.dos_date = static_cast<std::uint16_t>((static_cast<unsigned>(year < 1980 ? 0 : year - 1980) << 9) |
                                          (month << 5) | day);
  return t;
}

std::string CoreProperties(const OfflineForm& form, const Timestamp& now) {
  std::string x(kXmlDeclaration);
  x += "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/"
       "core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/"
       "terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/"
       "XMLSchema-instance\"><dc:title>";
  AppendEscaped(x, form.title, false);
  x += "</dc:title><dc:creator>Spegla</dc:creator><cp:lastModifiedBy>Spegla</cp:lastModifiedBy>"
       "<dc:language>sv-SE</dc:language><dcterms:created xsi:type=\"dcterms:W3CDTF\">";
  x += now.w3c;
  x += "</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">";
  x += now.w3c;
  x += "</dcterms:modified></cp:coreProperties>";
  return x;
}

std::string AppProperties() {
  std::string x(kXmlDeclaration);
  x += "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" "
       "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
       "<Application>Spegla</Application><DocSecurity>0</DocSecurity></Properties>";
  return x;
}

std::string CustomProperties(const std::string& marker) {
  std::string x(kXmlDeclaration);
  x += "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" "
       "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">";
  int pid = 2;
  auto property = [&](std::string_view name, std::string_view value) {
    x += "<property fmtid=\"";
    x += df::kUserPropertiesFmtid;
    x += "\" pid=\"" + std::to_string(pid++) + "\" name=\"";
    AppendEscaped(x, name, true);
    x += "\"><vt:lpwstr>";
    AppendEscaped(x, value, false);
    x += "</vt:lpwstr></property>";
  };
  property(df::kMarkerProperty, marker);
  const std::vector<std::string> pieces = SplitByCodePoints(marker, df::kMarkerPieceLength);
  if (pieces.size() > 1) {
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      property(std::string(df::kMarkerProperty) + std::to_string(i + 1), pieces[i]);
    }
  }
  x += "</Properties>";
  return x;
}

// --------------------------------------------------------------------------------------- word/document

enum class ControlKind { kText, kDate, kDropDown };

struct ListItem {
  std::string display;
  std::string value;
};

class DocumentBuilder {
 public:
  std::string Build(const OfflineForm& form) {
    x_ = kXmlDeclaration;
    x_ += "<w:document xmlns:w=\"";
    x_ += df::kWordNs;
    x_ +=
        "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
        "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" xmlns:w14=\"";
    x_ += df::kWord2010Ns;
    x_ += "\" xmlns:w15=\"";
    x_ += df::kWord2012Ns;
    x_ += "\" mc:Ignorable=\"w14 w15\"><w:body>";

    Paragraph("Title", form.title);
    for (const std::string& line : form.about) Paragraph("", line);
    Paragraph("",
              "Fyll i svaren i de grå fälten och ladda upp filen i Spegla under formuläret. "
              "Ändra inte dokumentets struktur.",
              "<w:i/><w:iCs/>");

    for (const OfflineField& field : form.fields) {
      if (field.field != nullptr) Field(field);
    }

    x_ +=
        "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1417\" w:right=\"1417\" "
        "w:bottom=\"1417\" w:left=\"1417\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>"
        "<w:cols w:space=\"708\"/></w:sectPr></w:body></w:document>";
    return std::move(x_);
  }

 private:
  // A run of `text`: tabs as w:tab, line breaks as w:br.
  void Run(std::string_view text, std::string_view rpr) {
    x_ += "<w:r>";
    if (!rpr.empty()) {
      x_ += "<w:rPr>";
      x_ += rpr;
      x_ += "</w:rPr>";
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') continue;
      if (i > start) {
        x_ += "<w:t xml:space=\"preserve\">";
        AppendEscaped(x_, text.substr(start, i - start), false);
        x_ += "</w:t>";
      }
      if (i < text.size()) {
        if (text[i] == '\t') x_ += "<w:tab/>";
        if (text[i] == '\n') x_ += "<w:br/>";
      }
      start = i + 1;
    }
    x_ += "</w:r>";
  }

  void Paragraph(std::string_view style, std::string_view text, std::string_view rpr = {}) {
    x_ += "<w:p>";
    if (!style.empty()) {
      x_ += "<w:pPr><w:pStyle w:val=\"";
      x_ += style;
      x_ += "\"/></w:pPr>";
    }
    if (!text.empty()) Run(text, rpr);
    x_ += "</w:p>";
  }

  // The opening of a content control up to its w:sdtContent: alias, tag, a new id, the lock of a field the
  // person may not change, the placeholder flag and `type` (the control's kind, e.g. "<w:text/>").
  void OpenControl(std::string_view alias, std::string_view tag, bool locked, bool placeholder,
                   std::string_view rpr, std::string_view type) {
    x_ += "<w:sdt><w:sdtPr>";
    if (!rpr.empty()) {
      x_ += "<w:rPr>";
      x_ += rpr;
      x_ += "</w:rPr>";
    }
    if (!alias.empty()) {
      x_ += "<w:alias w:val=\"";
      AppendEscaped(x_, alias, true);
      x_ += "\"/>";
    }
    if (!tag.empty()) {
      x_ += "<w:tag w:val=\"";
      AppendEscaped(x_, tag, true);
      x_ += "\"/>";
    }
    x_ += "<w:id w:val=\"" + std::to_string(next_id_++) + "\"/>";
    if (locked) x_ += "<w:lock w:val=\"sdtContentLocked\"/>";
    if (placeholder) x_ += "<w:showingPlcHdr/>";
    x_ += type;
    x_ += "</w:sdtPr><w:sdtContent>";
  }

  void CloseControl() { x_ += "</w:sdtContent></w:sdt>"; }

  // A run-level control (inside a paragraph the caller opened) showing `text`, or its placeholder.
  void InlineControl(std::string_view alias, std::string_view tag, bool locked, ControlKind kind,
                     const std::string& text, const Value& value, const std::vector<ListItem>& items) {
    const bool empty = text.empty();
    std::string type;
    std::string_view placeholder = df::kTextPlaceholder;
    switch (kind) {
      case ControlKind::kText:
        type = text.find('\n') == std::string::npos ? "<w:text/>" : "<w:text w:multiLine=\"1\"/>";
        break;
      case ControlKind::kDate: {
        placeholder = df::kDatePlaceholder;
        type = "<w:date";
        if (const auto* date = std::get_if<Date>(&value.data)) {
          type += " w:fullDate=\"" + date->ToString() + "T00:00:00Z\"";
        }
        type +=
            "><w:dateFormat w:val=\"yyyy-MM-dd\"/><w:lid w:val=\"sv-SE\"/>"
            "<w:storeMappedDataAs w:val=\"dateTime\"/><w:calendar w:val=\"gregorian\"/></w:date>";
        break;
      }
      case ControlKind::kDropDown: {
        placeholder = df::kListPlaceholder;
        type = empty ? "<w:dropDownList>"
                     : "<w:dropDownList w:lastValue=\"" + Escaped(ItemValue(items, text), true) + "\">";
        // The first item puts the placeholder back, as in Word's own lists; items repeating a shown text or
        // a value are left out (Word refuses a list with two equal items).
        std::set<std::string> displays{std::string(df::kListPlaceholder)}, values{""};
        type += "<w:listItem w:displayText=\"" + Escaped(df::kListPlaceholder, true) + "\" w:value=\"\"/>";
        for (const ListItem& item : items) {
          if (!displays.insert(item.display).second || !values.insert(item.value).second) continue;
          type += "<w:listItem w:displayText=\"" + Escaped(item.display, true) + "\" w:value=\"" +
                  Escaped(item.value, true) + "\"/>";
        }
        type += "</w:dropDownList>";
        break;
      }
    }
    std::string rpr(kFieldShading);
    OpenControl(alias, tag, locked, empty, rpr, type);
    if (empty) {
      Run(placeholder, "<w:rStyle w:val=\"PlaceholderText\"/>" + rpr);
    } else {
      Run(text, rpr);
    }
    CloseControl();
  }

  static std::string ItemValue(const std::vector<ListItem>& items, const std::string& display) {
    for (const ListItem& item : items) {
      if (item.display == display) return item.value;
    }
    return display;
  }

  static ControlKind KindOf(const spegla::Field& field) {
    switch (field.type) {
      case FieldType::kDate:
        return ControlKind::kDate;
      case FieldType::kChoice:
      case FieldType::kYesNo:
      case FieldType::kPerson:
        return ControlKind::kDropDown;
      default:
        return ControlKind::kText;
    }
  }

  static std::vector<ListItem> ItemsOf(const spegla::Field& field, const std::vector<PersonChoice>& people) {
    std::vector<ListItem> items;
    switch (field.type) {
      case FieldType::kChoice:
        for (const Option& option : field.options) items.push_back({option.label, option.value});
        break;
      case FieldType::kYesNo:
        items.push_back({"Ja", "ja"});
        items.push_back({"Nej", "nej"});
        break;
      case FieldType::kPerson:
        for (const PersonChoice& person : people) items.push_back({person.label, person.username});
        break;
      default:
        break;
    }
    return items;
  }

  void Field(const OfflineField& offline) {
    const spegla::Field& field = *offline.field;
    const bool locked = !offline.editable;
    const std::string tag = std::string(df::kTagPrefix) + field.id;

    // The label, what helps to answer, and when the field applies.
    x_ += "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>";
    Run(field.label, {});
    if (locked) Run(" (kan inte ändras av dig)", "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/><w:i/><w:iCs/>");
    x_ += "</w:p>";
    if (!field.help.empty()) Paragraph("SpeglaHelp", field.help);
    if (!offline.condition.empty()) {
      Paragraph("SpeglaHelp", "Besvaras bara om: " + offline.condition, "<w:i/><w:iCs/>");
    }

    switch (field.type) {
      case FieldType::kLongText:
        LongText(offline, tag, locked);
        break;
      case FieldType::kMultiChoice:
        CheckBoxes(offline, tag, locked);
        break;
      case FieldType::kGroup:
        Group(offline, tag, locked);
        break;
      default: {
        const std::string text = DisplayText(field, offline.value, offline.people);
        x_ += "<w:p>";
        InlineControl(field.label, tag, locked, KindOf(field), text, offline.value,
                      ItemsOf(field, offline.people));
        x_ += "</w:p>";
      }
    }
  }

  // A block-level rich text control: one paragraph per line.
  void LongText(const OfflineField& offline, const std::string& tag, bool locked) {
    const std::string text = DisplayText(*offline.field, offline.value, offline.people);
    const bool empty = text.empty();
    OpenControl(offline.field->label, tag, locked, empty, {}, {});
    const std::string_view ppr = "<w:pPr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E7E6E6\"/></w:pPr>";
    if (empty) {
      x_ += "<w:p>";
      x_ += ppr;
      Run(df::kTextPlaceholder, "<w:rStyle w:val=\"PlaceholderText\"/>");
      x_ += "</w:p>";
    } else {
      std::size_t start = 0;
      while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line = std::string_view(text).substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        x_ += "<w:p>";
        x_ += ppr;
        if (!line.empty()) Run(line, {});
        x_ += "</w:p>";
        start = end + 1;
      }
    }
    CloseControl();
  }

  // One check box control per option, its label beside it.
  void CheckBoxes(const OfflineField& offline, const std::string& tag, bool locked) {
    const spegla::Field& field = *offline.field;
    const auto* chosen = std::get_if<std::vector<std::string>>(&offline.value.data);
    for (const Option& option : field.options) {
      bool ticked = false;
      if (chosen != nullptr) {
        for (const std::string& value : *chosen) ticked = ticked || value == option.value;
      }
      std::string type = "<w14:checkbox><w14:checked w14:val=\"";
      type += ticked ? "1" : "0";
      type +=
          "\"/><w14:checkedState w14:val=\"2612\" w14:font=\"MS Gothic\"/>"
          "<w14:uncheckedState w14:val=\"2610\" w14:font=\"MS Gothic\"/></w14:checkbox>";
      x_ += "<w:p><w:pPr><w:spacing w:after=\"40\"/></w:pPr>";
      OpenControl(field.label + ": " + option.label, tag + ":" + option.value, locked, false, {}, type);
      Run(ticked ? df::kChecked : df::kUnchecked, kCheckBoxFont);
      CloseControl();
      Run(" " + option.label, {});
      x_ += "</w:p>";
    }
  }

  // A table: a header row with the columns' labels, then the rows in a repeating section, one item per row.
  void Group(const OfflineField& offline, const std::string& tag, bool locked) {
    const spegla::Field& field = *offline.field;
    if (field.columns.empty()) return;
    if (!locked) {
      Paragraph("SpeglaHelp",
                "Fler rader: klicka i tabellens sista rad och välj plustecknet under den till höger, eller "
                "tryck Tabb i den sista cellen. Tomma rader räknas inte.");
    }
    const int width = kTextWidth / static_cast<int>(field.columns.size());
    const std::string cell_width = "<w:tcW w:w=\"" + std::to_string(width) + "\" w:type=\"dxa\"/>";
    x_ +=
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>"
        "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" w:lastColumn=\"0\" "
        "w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>";
    for (std::size_t i = 0; i < field.columns.size(); ++i) {
      x_ += "<w:gridCol w:w=\"" + std::to_string(width) + "\"/>";
    }
    x_ += "</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>";
    for (const spegla::Field& column : field.columns) {
      x_ += "<w:tc><w:tcPr>" + cell_width +
            "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"D9D9D9\"/></w:tcPr><w:p>";
      Run(column.label, "<w:b/><w:bCs/>");
      x_ += "</w:p></w:tc>";
    }
    x_ += "</w:tr>";

    OpenControl(field.label, tag, locked, false, {}, "<w15:repeatingSection/>");
    static const std::vector<Row> kNoRows(1);
    const auto* rows = std::get_if<std::vector<Row>>(&offline.value.data);
    if (rows == nullptr || rows->empty()) rows = &kNoRows;
    for (const Row& row : *rows) {
      OpenControl({}, {}, locked, false, {}, "<w15:repeatingSectionItem/>");
      x_ += "<w:tr><w:trPr><w:cantSplit/></w:trPr>";
      for (const spegla::Field& column : field.columns) {
        static const Value kEmpty;
        const auto cell = row.find(column.id);
        const Value& value = cell == row.end() ? kEmpty : cell->second;
        x_ += "<w:tc><w:tcPr>" + cell_width + "</w:tcPr><w:p>";
        InlineControl(column.label, tag + "." + column.id, locked, KindOf(column),
                      DisplayText(column, value, offline.people), value, ItemsOf(column, offline.people));
        x_ += "</w:p></w:tc>";
      }
      x_ += "</w:tr>";
      CloseControl();
    }
    CloseControl();
    x_ += "</w:tbl>";
    // Word needs a paragraph between a table and what follows it.
    x_ += "<w:p/>";
  }

  std::string x_;
  int next_id_ = 1;
};

}  // namespace

std::string WriteDocxForm(const OfflineForm& form) {
  const Timestamp now = Now();
  const std::string document = DocumentBuilder().Build(form);
  const std::pair<std::string_view, std::string> parts[] = {
      {"[Content_Types].xml", ContentTypes()},
      {df::kPackageRelsPart, PackageRelationships()},
      {df::kDocumentPart, document},
      {"word/_rels/document.xml.rels", DocumentRelationships()},
      {"word/styles.xml", Styles()},
      {"word/settings.xml", Settings()},
      {"docProps/core.xml", CoreProperties(form, now)},
      {"docProps/app.xml", AppProperties()},
      {df::kCustomPropertiesPart, CustomProperties(form.marker)},
  };
  docx::ZipWriter zip(document.size() / 4 + 16384);
  for (const auto& [name, content] : parts) {
    docx::ZipEntry entry;
    entry.name = std::string(name);
    entry.mod_time = now.dos_time;
    entry.mod_date = now.dos_date;
    zip.AddDeflated(entry, content);
  }
  return zip.Finish();
}

}  // namespace spegla::offline
