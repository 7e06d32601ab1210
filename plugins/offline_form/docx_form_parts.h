// What the Word form writer and reader share (docx_form_writer.cpp, docx_form_reader.cpp): the names of
// the parts, the tags of the content controls, the marker property and the placeholder texts. Private to
// the offline forms library.
#pragma once

#include <string_view>

namespace spegla::offline::docx_form {

// The content controls' tags: "spegla:<field>" (a scalar field, or the repeating section of a group),
// "spegla:<field>:<option value>" (a check box of a multiple choice), "spegla:<group>.<column>" (a cell).
inline constexpr std::string_view kTagPrefix = "spegla:";

// The custom document property (docProps/custom.xml) holding the marker. Word keeps only 255 characters
// of a text property in some versions, so a longer marker is also written in pieces of at most
// kMarkerPieceLength characters, as SpeglaFormMarker1, SpeglaFormMarker2, ...; the reader joins them when
// the whole property was cut.
inline constexpr std::string_view kMarkerProperty = "SpeglaFormMarker";
inline constexpr std::size_t kMarkerPieceLength = 250;
inline constexpr std::string_view kUserPropertiesFmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}";

// The texts an empty control shows, as Word's own Swedish placeholders do.
inline constexpr std::string_view kTextPlaceholder = "Klicka eller tryck här för att skriva.";
inline constexpr std::string_view kListPlaceholder = "Välj ett objekt.";
inline constexpr std::string_view kDatePlaceholder = "Ange ett datum.";

// The marks of a check box content control (w14:checkedState / w14:uncheckedState), UTF-8.
inline constexpr std::string_view kChecked = "\u2612";    // ☒
inline constexpr std::string_view kUnchecked = "\u2610";  // ☐

// Namespaces.
inline constexpr std::string_view kWordNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
inline constexpr std::string_view kWordStrictNs = "http://purl.oclc.org/ooxml/wordprocessingml/main";
inline constexpr std::string_view kWord2010Ns = "http://schemas.microsoft.com/office/word/2010/wordml";
inline constexpr std::string_view kWord2012Ns = "http://schemas.microsoft.com/office/word/2012/wordml";

// Parts.
inline constexpr std::string_view kDocumentPart = "word/document.xml";
inline constexpr std::string_view kCustomPropertiesPart = "docProps/custom.xml";
inline constexpr std::string_view kPackageRelsPart = "_rels/.rels";
inline constexpr std::string_view kOfficeDocumentRel =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
inline constexpr std::string_view kCustomPropertiesRel =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties";

// The largest main document part the reader parses (a filled-in form is a few hundred kilobytes).
inline constexpr std::size_t kMaxDocumentPartSize = 64u << 20;
// The deepest element nesting the reader accepts in a part (Word's own documents stay below 100).
inline constexpr std::size_t kMaxElementDepth = 2000;

}  // namespace spegla::offline::docx_form
