// WriteXlsxForm: a form as a fillable Excel workbook (the layout is xlsx_form_layout.h's). Labels and help
// are locked, answer cells unlocked; numbers and dates are real Excel numbers and dates; choices, yes/no
// and people are drop-down lists over a hidden sheet; every text is written as a string, never a formula.
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "offline_answers.h"
#include "offline_form.h"
#include "xlsx_form_layout.h"

namespace spegla::offline {
namespace {

using namespace xlsx_form;

constexpr double kLabelWidth = 40, kAnswerWidth = 50, kHelpWidth = 50;
constexpr double kLineHeight = 15;       // points per line of wrapped 11-point text
constexpr double kLongTextHeight = 75;   // an answer cell of a long text: five lines to write in
constexpr double kMaxRowHeight = 409;    // Excel's limit
constexpr std::size_t kMaxMessage = 255;  // a validation's title and message, in characters
constexpr std::uint32_t kLockedFill = 0xEDEDED;
constexpr std::uint32_t kHeaderFill = 0xDDEBF7;
constexpr std::uint32_t kBorderColour = 0xBFBFBF;

const std::string kInstruction =
    "Fyll i svaren i kolumnen Svar och ladda upp filen i Spegla under formuläret.";
const std::string kErrorTitle = "Ogiltigt värde";

// Deletes a file when it goes out of scope.
struct TemporaryFile {
  std::string path;
  TemporaryFile() = default;
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

// Whitespace runs (the indentation of a definition's help text) as single spaces, trimmed.
std::string CollapseSpaces(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

// A number as Swedish text, for messages: "0,5", "58000".
std::string SwedishNumber(double number) {
  std::string text = NumberText(number);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// How many lines `text` takes in a column `width` characters wide, wrapped.
double LineCount(std::string_view text, double width) {
  const double per_line = std::max(1.0, width - 2);
  double lines = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    lines += std::max(1.0, std::ceil(static_cast<double>(CharacterCount(line)) / per_line));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

constexpr double kLastDateSerial = 2958465;  // 9999-12-31

// The kind of answer cell a field (or group column) has.
enum class CellKind { kText = 0, kNumber = 1, kDate = 2 };

CellKind KindOf(const Field& field) {
  switch (field.type) {
    case FieldType::kNumber:
      return CellKind::kNumber;
    case FieldType::kDate:
      return CellKind::kDate;
    default:
      return CellKind::kText;
  }
}

class FormWorkbook {
 public:
  explicit FormWorkbook(const OfflineForm& form) : form_(form) {}
  ~FormWorkbook() {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);
  }
  FormWorkbook(const FormWorkbook&) = delete;
  FormWorkbook& operator=(const FormWorkbook&) = delete;

  std::string Write() {
    TemporaryFile file;
    file.path = TemporaryPath();
    lxw_workbook_options options{};
    workbook_ = workbook_new_opt(file.path.c_str(), &options);
    if (workbook_ == nullptr) throw std::runtime_error("libxlsxwriter cannot create a workbook");
    SetProperties();
    AddFormats();
    AddSheets();
    WriteFormSheet();
    WriteMarker();
    const lxw_error error = workbook_close(workbook_);  // frees the workbook, also on failure
    workbook_ = nullptr;
    if (error != LXW_NO_ERROR) {
      throw std::runtime_error(std::string("libxlsxwriter cannot write the form: ") + lxw_strerror(error));
    }
    std::ifstream in(file.path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) throw std::runtime_error("cannot read back the workbook written to " + file.path);
    return std::move(bytes).str();
  }

 private:
  struct Formats {
    lxw_format* cell[3][2] = {};  // by CellKind, then locked (1) or not (0)
  };

  static std::string TemporaryPath() {
    std::string path = (std::filesystem::temp_directory_path() / "spegla-form-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for an Excel form in " + path);
    ::close(fd);
    return path;
  }

  void SetProperties() {
    std::string title = CellText(form_.title), subject = "Formulär från Spegla";
    lxw_doc_properties properties{};
    properties.title = title.empty() ? nullptr : title.data();
    properties.subject = subject.data();
    workbook_set_properties(workbook_, &properties);
  }

  lxw_format* NewFormat() {
    lxw_format* format = workbook_add_format(workbook_);
    if (format == nullptr) throw std::runtime_error("libxlsxwriter ran out of memory");
    return format;
  }

  void AddFormats() {
    title_ = NewFormat();
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    plain_ = NewFormat();
    header_ = NewFormat();
    format_set_bold(header_);
    format_set_bg_color(header_, kHeaderFill);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    label_ = NewFormat();
    format_set_text_wrap(label_);
    format_set_align(label_, LXW_ALIGN_VERTICAL_TOP);
    help_ = NewFormat();
    format_set_text_wrap(help_);
    format_set_align(help_, LXW_ALIGN_VERTICAL_TOP);
    format_set_italic(help_);
    format_set_font_color(help_, 0x595959);
    for (int kind = 0; kind < 3; ++kind) {
      for (int locked = 0; locked < 2; ++locked) {
        lxw_format* format = NewFormat();
        format_set_align(format, LXW_ALIGN_VERTICAL_TOP);
        format_set_border(format, LXW_BORDER_THIN);
        format_set_border_color(format, kBorderColour);
        if (kind == static_cast<int>(CellKind::kText)) {
          format_set_num_format(format, "@");  // typed text stays text: "1/2" is no date
          format_set_text_wrap(format);
        } else if (kind == static_cast<int>(CellKind::kDate)) {
          format_set_num_format(format, "yyyy-mm-dd");
        }
        if (locked == 1) {
          format_set_bg_color(format, kLockedFill);
        } else {
          format_set_unlocked(format);
        }
        answer_.cell[kind][locked] = format;
      }
    }
  }

  lxw_format* AnswerFormat(CellKind kind, bool locked) const {
    return answer_.cell[static_cast<int>(kind)][locked ? 1 : 0];
  }

  lxw_worksheet* AddSheet(const std::string& name) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name.c_str());
    if (sheet == nullptr) throw std::runtime_error("libxlsxwriter cannot add the sheet '" + name + "'");
    return sheet;
  }

  // The sheets, in their order: the form, a sheet per group, the lists and the marker (hidden).
  void AddSheets() {
    std::vector<std::string> taken = {std::string(kFormSheet), std::string(kListSheet),
                                      std::string(kMarkerSheet)};
    form_sheet_ = AddSheet(std::string(kFormSheet));
    for (const OfflineField& field : form_.fields) {
      if (field.field == nullptr || field.field->type != FieldType::kGroup) continue;
      const std::string name = GroupSheetName(CellText(field.field->label), taken);
      group_sheets_[&field] = {AddSheet(name), name};
    }
    list_sheet_ = AddSheet(std::string(kListSheet));
    marker_sheet_ = AddSheet(std::string(kMarkerSheet));
    worksheet_activate(form_sheet_);
    worksheet_hide(list_sheet_);
    worksheet_hide(marker_sheet_);
    worksheet_protect(list_sheet_, nullptr, nullptr);
    worksheet_protect(marker_sheet_, nullptr, nullptr);
  }

  // Writes text as a string cell (never a formula), made safe for XML and Excel's limits.
  void WriteText(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, std::string_view text,
                 lxw_format* format) {
    const std::string safe = CellText(text);
    if (safe.empty()) {
      if (format != nullptr) worksheet_write_blank(sheet, row, col, format);
      return;
    }
    worksheet_write_string(sheet, row, col, safe.c_str(), format);
  }

  void WriteFormSheet() {
    lxw_worksheet* sheet = form_sheet_;
    lxw_row_col_options hidden{};
    hidden.hidden = LXW_TRUE;
    worksheet_set_column(sheet, kLabelColumn, kLabelColumn, kLabelWidth, nullptr);
    worksheet_set_column(sheet, kAnswerColumn, kAnswerColumn, kAnswerWidth, nullptr);
    worksheet_set_column(sheet, kHelpColumn, kHelpColumn, kHelpWidth, nullptr);
    worksheet_set_column_opt(sheet, kKeyColumn, kSheetColumn, 20, nullptr, &hidden);

    lxw_row_t row = 0;
    WriteText(sheet, row++, kLabelColumn, form_.title, title_);
    for (const std::string& line : form_.about) WriteText(sheet, row++, kLabelColumn, line, plain_);
    ++row;
    WriteText(sheet, row++, kLabelColumn, kInstruction, plain_);
    ++row;
    WriteText(sheet, row, kLabelColumn, "Fråga", header_);
    WriteText(sheet, row, kAnswerColumn, "Svar", header_);
    WriteText(sheet, row, kHelpColumn, "Hjälp", header_);
    ++row;
    for (const OfflineField& field : form_.fields) {
      if (field.field == nullptr) continue;
      row = WriteField(row, field);
    }

    // Printed across the page, one page wide.
    worksheet_set_landscape(sheet);
    worksheet_fit_to_pages(sheet, 1, 0);

    lxw_protection protection{};
    protection.format_columns = LXW_TRUE;
    protection.format_rows = LXW_TRUE;
    worksheet_protect(sheet, nullptr, &protection);
  }

  std::string HelpText(const OfflineField& field) const {
    std::vector<std::string> parts;
    if (const std::string help = CollapseSpaces(field.field->help); !help.empty()) parts.push_back(help);
    if (!field.condition.empty()) parts.push_back("Besvaras bara om: " + field.condition);
    if (!field.editable) parts.emplace_back("(kan inte ändras av dig)");
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : "\n") + part;
    return text;
  }

  // Sets the height of a form row from the texts in it.
  void FitRow(lxw_row_t row, std::string_view label, std::string_view answer, std::string_view help,
              double minimum = kLineHeight) {
    const double lines = std::max({LineCount(label, kLabelWidth), LineCount(answer, kAnswerWidth),
                                   LineCount(help, kHelpWidth)});
    const double height = std::clamp(lines * kLineHeight, minimum, kMaxRowHeight);
    if (height > kLineHeight) worksheet_set_row(form_sheet_, row, height, nullptr);
  }

  // Writes the rows of one field from `row` on; returns the row after them.
  lxw_row_t WriteField(lxw_row_t row, const OfflineField& offline) {
    const Field& field = *offline.field;
    const std::string help = HelpText(offline);
    const bool locked = !offline.editable;
    WriteText(form_sheet_, row, kLabelColumn, field.label, label_);
    WriteText(form_sheet_, row, kHelpColumn, help, help_);
    WriteText(form_sheet_, row, kKeyColumn, field.id, plain_);

    if (field.type == FieldType::kGroup) {
      const auto& [sheet, name] = group_sheets_.at(&offline);
      const std::string note = (locked ? "Se tabellen på bladet «" : "Fyll i tabellen på bladet «") + name + "».";
      WriteText(form_sheet_, row, kAnswerColumn, note, AnswerFormat(CellKind::kText, true));
      WriteText(form_sheet_, row, kSheetColumn, name, plain_);
      FitRow(row, field.label, note, help);
      WriteGroupSheet(sheet, offline);
      return row + 1;
    }

    if (field.type == FieldType::kMultiChoice) {
      const std::string note = "Markera med x nedan";
      WriteText(form_sheet_, row, kAnswerColumn, note, AnswerFormat(CellKind::kText, true));
      FitRow(row, field.label, note, help);
      ++row;
      const auto* ticked = std::get_if<std::vector<std::string>>(&offline.value.data);
      for (const Option& option : field.options) {
        const bool on = ticked != nullptr && std::find(ticked->begin(), ticked->end(), option.value) != ticked->end();
        const std::string label = "   " + option.label;
        WriteText(form_sheet_, row, kLabelColumn, label, label_);
        WriteText(form_sheet_, row, kAnswerColumn, on ? "x" : "", AnswerFormat(CellKind::kText, locked));
        WriteText(form_sheet_, row, kKeyColumn, OptionKey(field.id, option.value), plain_);
        if (!locked) ValidateTick(form_sheet_, row);
        FitRow(row, label, "", "");
        ++row;
      }
      return row;
    }

    const std::string shown = WriteValue(form_sheet_, row, kAnswerColumn, field, offline.value, offline.people, locked);
    if (!locked) Validate(form_sheet_, row, row, kAnswerColumn, field, offline.people);
    FitRow(row, field.label, shown, help, field.type == FieldType::kLongText ? kLongTextHeight : kLineHeight);
    return row + 1;
  }

  // Writes a value of `field` in its cell: a number as a number, a date as an Excel date, anything else as
  // DisplayText shows it. Returns the text shown (for the row height).
  std::string WriteValue(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const Field& field,
                         const Value& value, const std::vector<PersonChoice>& people, bool locked) {
    const CellKind kind = KindOf(field);
    lxw_format* format = AnswerFormat(kind, locked);
    if (value.IsEmpty()) {
      worksheet_write_blank(sheet, row, col, format);
      return "";
    }
    if (const auto* number = std::get_if<double>(&value.data); number != nullptr && kind == CellKind::kNumber) {
      if (std::isfinite(*number)) {
        worksheet_write_number(sheet, row, col, *number, format);
        return SwedishNumber(*number);
      }
    }
    if (const auto* date = std::get_if<Date>(&value.data); date != nullptr && kind == CellKind::kDate) {
      if (const std::optional<double> serial = DateSerial(*date)) {
        worksheet_write_number(sheet, row, col, *serial, format);
        return date->ToString();
      }
    }
    // Text, or a number or date Excel cannot hold as one: the text DisplayText gives, in a text cell.
    const std::string text = DisplayText(field, value, people);
    WriteText(sheet, row, col, text, AnswerFormat(CellKind::kText, locked));
    return text;
  }

  // The absolute range on the list sheet holding `items`, written there the first time it is asked for.
  std::string ListRange(const std::vector<std::string>& items) {
    auto found = lists_.find(items);
    if (found != lists_.end()) return found->second;
    const auto col = static_cast<lxw_col_t>(lists_.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      WriteText(list_sheet_, static_cast<lxw_row_t>(i), col, items[i], nullptr);
    }
    const std::string letters = ColumnLetters(col);
    const std::string range = "=" + std::string(kListSheet) + "!$" + letters + "$1:$" + letters + "$" +
                              std::to_string(items.size());
    lists_.emplace(items, range);
    return range;
  }

  // The texts a person may choose for a list field, as DisplayText shows them.
  static std::vector<std::string> Choices(const Field& field, const std::vector<PersonChoice>& people) {
    std::vector<std::string> items;
    switch (field.type) {
      case FieldType::kYesNo:
        items = {DisplayText(field, Value{true}, people), DisplayText(field, Value{false}, people)};
        break;
      case FieldType::kChoice:
        for (const Option& option : field.options) items.push_back(DisplayText(field, Value{option.value}, people));
        break;
      case FieldType::kPerson:
        for (const PersonChoice& person : people) {
          items.push_back(DisplayText(field, Value{person.username}, people));
        }
        break;
      default:
        break;
    }
    for (std::string& item : items) item = CellText(item);
    items.erase(std::remove(items.begin(), items.end(), std::string()), items.end());
    return items;
  }

  static bool Fits(std::string_view text) { return CharacterCount(text) <= kMaxMessage; }

  // Adds the data validation of `field` to rows first..last of column `col`.
  void Validate(lxw_worksheet* sheet, lxw_row_t first, lxw_row_t last, lxw_col_t col, const Field& field,
                const std::vector<PersonChoice>& people) {
    lxw_data_validation validation{};
    std::string message, input_title, input_message, formula;
    const Constraint* range = field.Find(Constraint::Kind::kRange);
    const std::string own_message = range != nullptr ? CollapseSpaces(range->message.text) : "";
    switch (field.type) {
      case FieldType::kNumber: {
        validation.validate = LXW_VALIDATION_TYPE_DECIMAL;
        const std::optional<double> min = range != nullptr ? range->min_number : std::nullopt;
        const std::optional<double> max = range != nullptr ? range->max_number : std::nullopt;
        if (min && max) {
          validation.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
          validation.minimum_number = *min;
          validation.maximum_number = *max;
          message = "Skriv ett tal mellan " + SwedishNumber(*min) + " och " + SwedishNumber(*max) + ".";
        } else if (min) {
          validation.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
          validation.value_number = *min;
          message = "Skriv ett tal som är minst " + SwedishNumber(*min) + ".";
        } else if (max) {
          validation.criteria = LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
          validation.value_number = *max;
          message = "Skriv ett tal som är högst " + SwedishNumber(*max) + ".";
        } else {
          validation.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
          validation.minimum_number = -1e15;
          validation.maximum_number = 1e15;
          message = "Skriv ett tal, till exempel 3,5.";
        }
        if (!own_message.empty()) message = own_message;
        break;
      }
      case FieldType::kDate: {
        // As serial numbers: libxlsxwriter 1.1.4 leaks the texts it makes of lxw_datetime bounds.
        validation.validate = LXW_VALIDATION_TYPE_DATE_NUMBER;
        validation.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
        const Date min = range != nullptr && range->min_date ? *range->min_date : *Date::FromYmd(1900, 1, 1);
        const Date max = range != nullptr && range->max_date ? *range->max_date : *Date::FromYmd(9999, 12, 31);
        validation.minimum_number = DateSerial(min).value_or(1);
        validation.maximum_number = DateSerial(max).value_or(kLastDateSerial);
        message = range != nullptr && (range->min_date || range->max_date)
                      ? "Skriv ett datum mellan " + min.ToString() + " och " + max.ToString() + "."
                      : "Skriv ett datum som 2026-03-01.";
        if (!own_message.empty()) message = own_message;
        input_title = "Datum";
        input_message = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01.";
        break;
      }
      case FieldType::kYesNo:
      case FieldType::kChoice:
      case FieldType::kPerson: {
        const std::vector<std::string> items = Choices(field, people);
        if (items.empty()) return;  // nobody to choose: the cell takes any text
        validation.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        formula = ListRange(items);
        validation.value_formula = formula.data();
        message = field.type == FieldType::kPerson ? "Välj en person i listan." : "Välj ett av alternativen i listan.";
        break;
      }
      case FieldType::kMultiChoice: {  // a group column: the labels in one cell
        std::string labels;
        for (const Option& option : field.options) labels += (labels.empty() ? "" : ", ") + option.label;
        input_title = "Flera val";
        input_message = "Skriv ett eller flera av: " + labels + " (med komma emellan).";
        if (!Fits(input_message)) input_message = "Skriv ett eller flera av alternativen, med komma emellan.";
        validation.validate = LXW_VALIDATION_TYPE_ANY;
        break;
      }
      default:
        return;
    }
    std::string error_title = kErrorTitle;
    if (!Fits(message)) message = "Värdet passar inte i fältet.";
    message = CellText(message);
    input_message = CellText(input_message);
    if (!message.empty()) {
      validation.error_title = error_title.data();
      validation.error_message = message.data();
    }
    if (!input_message.empty()) {
      validation.input_title = input_title.data();
      validation.input_message = input_message.data();
    }
    // libxlsxwriter 1.1.4 (Debian 12) never frees its copy of a list validation's formula: a few bytes
    // per list, which the leak checker of sanitized builds is told to overlook.
#if defined(__SANITIZE_ADDRESS__)
    __lsan::ScopedDisabler known_leak;
#endif
    worksheet_data_validation_range(sheet, first, col, last, col, &validation);
  }

  // A tick cell of a multiple choice option: "x" or empty.
  void ValidateTick(lxw_worksheet* sheet, lxw_row_t row) {
    static const char* ticks[] = {"x", nullptr};
    std::string title = kErrorTitle, message = "Skriv x för att markera alternativet, eller lämna tomt.";
    lxw_data_validation validation{};
    validation.validate = LXW_VALIDATION_TYPE_LIST;
    validation.value_list = const_cast<char**>(ticks);
    validation.error_title = title.data();
    validation.error_message = message.data();
    worksheet_data_validation_cell(sheet, row, kAnswerColumn, &validation);
  }

  static double ColumnWidth(const Field& column) {
    switch (column.type) {
      case FieldType::kLongText:
        return 50;
      case FieldType::kNumber:
      case FieldType::kDate:
      case FieldType::kYesNo:
        return std::max(14.0, std::min(30.0, static_cast<double>(CharacterCount(column.label)) + 2));
      default:
        return 28;
    }
  }

  // The rows as an Excel table: a header of the column labels (unique, as Excel requires), banded rows
  // and a filter, so that the sheet reads as the one table it is.
  void AddTable(lxw_worksheet* sheet, const Field& group, std::size_t columns, std::size_t rows) {
    if (columns == 0 || rows == 0) return;
    std::vector<std::string> headers;
    std::vector<std::string> folded;
    for (std::size_t c = 0; c < columns; ++c) {
      std::string header = CellText(group.columns[c].label.empty() ? group.columns[c].id : group.columns[c].label);
      std::string candidate = header;
      for (int n = 2; std::find(folded.begin(), folded.end(), FoldedSheetName(candidate)) != folded.end(); ++n) {
        candidate = header + " (" + std::to_string(n) + ")";
      }
      folded.push_back(FoldedSheetName(candidate));
      headers.push_back(std::move(candidate));
    }
    std::vector<lxw_table_column> table_columns(columns);
    std::vector<lxw_table_column*> pointers;
    for (std::size_t c = 0; c < columns; ++c) {
      table_columns[c].header = headers[c].data();
      table_columns[c].header_format = header_;
      pointers.push_back(&table_columns[c]);
    }
    pointers.push_back(nullptr);
    lxw_table_options options{};
    options.style_type = LXW_TABLE_STYLE_TYPE_LIGHT;
    options.style_type_number = 9;
    options.columns = pointers.data();
    worksheet_add_table(sheet, kGroupLabelRow, 0, static_cast<lxw_row_t>(kGroupFirstRow + rows - 1),
                        static_cast<lxw_col_t>(columns - 1), &options);
  }

  void WriteGroupSheet(lxw_worksheet* sheet, const OfflineField& offline) {
    const Field& group = *offline.field;
    const bool locked = !offline.editable;
    const auto* rows = std::get_if<std::vector<Row>>(&offline.value.data);
    const std::size_t existing = rows != nullptr ? rows->size() : 0;
    const std::size_t total = std::min<std::size_t>(existing + (locked ? 0 : kGroupBlankRows),
                                                    kMaxRows - kGroupFirstRow);
    const std::size_t columns = std::min<std::size_t>(group.columns.size(), kMaxColumns);

    lxw_row_col_options hidden{};
    hidden.hidden = LXW_TRUE;
    worksheet_set_row_opt(sheet, kGroupIdRow, LXW_DEF_ROW_HEIGHT, nullptr, &hidden);
    for (std::size_t c = 0; c < columns; ++c) {
      const Field& column = group.columns[c];
      const auto col = static_cast<lxw_col_t>(c);
      worksheet_set_column(sheet, col, col, ColumnWidth(column), nullptr);
      WriteText(sheet, kGroupLabelRow, col, column.label, header_);
      WriteText(sheet, kGroupIdRow, col, column.id, plain_);
    }
    double header_lines = 1;
    for (std::size_t c = 0; c < columns; ++c) {
      header_lines = std::max(header_lines, LineCount(group.columns[c].label, ColumnWidth(group.columns[c])));
    }
    if (header_lines > 1) worksheet_set_row(sheet, kGroupLabelRow, header_lines * kLineHeight, nullptr);

    for (std::size_t r = 0; r < total; ++r) {
      const auto row = static_cast<lxw_row_t>(kGroupFirstRow + r);
      double lines = 1;
      for (std::size_t c = 0; c < columns; ++c) {
        const Field& column = group.columns[c];
        Value value;
        if (r < existing) {
          const Row& cells = (*rows)[r];
          if (auto found = cells.find(column.id); found != cells.end()) value = found->second;
        }
        const std::string shown =
            WriteValue(sheet, row, static_cast<lxw_col_t>(c), column, value, offline.people, locked);
        lines = std::max(lines, LineCount(shown, ColumnWidth(column)));
        if (column.type == FieldType::kLongText) lines = std::max(lines, 2.0);
      }
      if (lines > 1) worksheet_set_row(sheet, row, std::min(lines * kLineHeight, kMaxRowHeight), nullptr);
    }
    if (!locked && total > 0) {
      const auto first = static_cast<lxw_row_t>(kGroupFirstRow);
      const auto last = static_cast<lxw_row_t>(kGroupFirstRow + total - 1);
      for (std::size_t c = 0; c < columns; ++c) {
        Validate(sheet, first, last, static_cast<lxw_col_t>(c), group.columns[c], offline.people);
      }
    }
    AddTable(sheet, group, columns, total);
    worksheet_freeze_panes(sheet, kGroupFirstRow, 0);
    worksheet_set_landscape(sheet);
    worksheet_fit_to_pages(sheet, 1, 0);
    lxw_protection protection{};
    protection.format_columns = LXW_TRUE;
    protection.format_rows = LXW_TRUE;
    protection.insert_rows = LXW_TRUE;
    protection.autofilter = LXW_TRUE;
    worksheet_protect(sheet, nullptr, &protection);
  }

  void WriteMarker() {
    const std::string marker = CellText(form_.marker);  // "_xHHHH_" escaped, which the reader undoes
    if (DecodeCellText(marker) != form_.marker) {
      throw std::runtime_error("the marker of an Excel form does not fit in a cell as it is");
    }
    WriteText(marker_sheet_, 0, 0, marker, nullptr);
  }

  const OfflineForm& form_;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* form_sheet_ = nullptr;
  lxw_worksheet* list_sheet_ = nullptr;
  lxw_worksheet* marker_sheet_ = nullptr;
  std::map<const OfflineField*, std::pair<lxw_worksheet*, std::string>> group_sheets_;
  std::map<std::vector<std::string>, std::string> lists_;  // items -> range on the list sheet
  lxw_format* title_ = nullptr;
  lxw_format* plain_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* label_ = nullptr;
  lxw_format* help_ = nullptr;
  Formats answer_;
};

}  // namespace

std::string WriteXlsxForm(const OfflineForm& form) {
  FormWorkbook workbook(form);
  return workbook.Write();
}

}  // namespace spegla::offline
