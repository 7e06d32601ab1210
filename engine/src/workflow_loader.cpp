// Loading happens in two passes. The first walks the XML and builds the model, checking shape (known
// elements and attributes, value syntax, duplicate ids) and keeping expressions as text. The second runs
// once every id is known: it resolves references, compiles expressions against the forms, and checks the
// phase graph (reachability, cycles without exit) and whether each step can ever complete.
#include "spegla/workflow_loader.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <pugixml.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "spegla/export.h"
#include "spegla/utf8.h"
#include "spegla/value.h"
#include "text.h"

namespace spegla {
namespace {

namespace fs = std::filesystem;

bool IsId(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool IsWorkflowId(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string item; in >> item;) out.push_back(item);
  return out;
}

ExprType TypeOfField(FieldType type) {
  switch (type) {
    case FieldType::kNumber:
      return {ScalarType::kNumber, false};
    case FieldType::kDate:
      return {ScalarType::kDate, false};
    case FieldType::kYesNo:
      return {ScalarType::kBool, false};
    case FieldType::kMultiChoice:
      return {ScalarType::kText, true};
    case FieldType::kGroup:
      return {ScalarType::kText, true};  // one element per row
    default:
      return {ScalarType::kText, false};
  }
}

// Resolves references in expressions against the definition's forms. Inside a form (visible-if), a bare
// field name means a field of that form, and the form's own fields are read from the same occurrence.
class DefinitionScope final : public ExprScope {
 public:
  DefinitionScope(const WorkflowDefinition& def, const Form* current) : def_(def), current_(current) {}

  std::optional<ResolvedReference> Resolve(std::string_view dotted, std::string* error) const override {
    std::vector<std::string> parts = SplitDots(dotted);
    const Form* form = nullptr;
    size_t next = 0;
    if (current_ && current_->FindField(parts[0])) {
      form = current_;
    } else if (const Form* named = def_.FindForm(parts[0]); named && parts.size() > 1) {
      form = named;
      next = 1;
    }
    if (!form) {
      *error = parts.size() == 1 ? "unknown field '" + parts[0] + "' (write form.field)"
                                 : "unknown form '" + parts[0] + "'";
      return std::nullopt;
    }
    const Field* field = form->FindField(parts[next]);
    if (!field) {
      *error = "form '" + form->id + "' has no field '" + parts[next] + "'";
      return std::nullopt;
    }
    std::string canonical = form->id + "." + field->id;
    ExprType type = TypeOfField(field->type);
    if (parts.size() == next + 2) {
      if (field->type != FieldType::kGroup) {
        *error = "'" + canonical + "' is not a group, so it has no column '" + parts[next + 1] + "'";
        return std::nullopt;
      }
      const Field* column = field->Column(parts[next + 1]);
      if (!column) {
        *error = "group '" + canonical + "' has no column '" + parts[next + 1] + "'";
        return std::nullopt;
      }
      canonical += "." + column->id;
      type = {TypeOfField(column->type).scalar, true};
    } else if (parts.size() > next + 2) {
      *error = "reference '" + std::string(dotted) + "' has too many parts";
      return std::nullopt;
    }
    if (form != current_ && def_.RepeatingStepOf(form->id)) type.list = true;
    return ResolvedReference{type, canonical};
  }

  bool HasRole(std::string_view role) const override { return def_.FindRole(role) != nullptr; }
  bool HasPhaseOrStep(std::string_view id) const override {
    return def_.FindPhase(id) != nullptr || def_.FindStep(id) != nullptr;
  }

 private:
  const WorkflowDefinition& def_;
  const Form* current_;
};

struct PendingExpression {
  std::function<void(Expression)> store;
  std::string source;
  SourceLocation where;              // where the expression text starts
  const Form* form = nullptr;        // scope for bare names
  std::optional<ScalarType> expect;  // nullopt: any type
  bool allow_list = false;
  std::string what;                           // "visible-if of field 'x'", for messages
  size_t raw_start = std::string_view::npos;  // byte offset in the file where the expression text starts
  bool raw_is_cdata = false;                  // written in <![CDATA[...]]>, where '&' is itself
};

class Loader {
 public:
  Loader(std::string_view xml, std::string file, LoadOptions options)
      : xml_(xml), file_(std::move(file)), options_(std::move(options)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < xml_.size(); ++i) {
      if (xml_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  LoadResult Run() {
    auto def = std::make_shared<WorkflowDefinition>();
    def_ = def.get();
    def_->file = file_;
    def_->xml = std::string(xml_);
    if (xml_.size() > kMaxWorkflowBytes) {
      Error(At(0), "the file is larger than " + std::to_string(kMaxWorkflowBytes / (1024 * 1024)) +
                       " MiB; a workflow definition is never that large");
      return Finish(nullptr);
    }
    // Labels and messages go into documents and web pages as they are; they must be well-formed text.
    if (size_t bad = FirstInvalidUtf8(xml_); bad != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(xml_[bad]));
      Error(At(bad), std::string("the file is not valid UTF-8 (byte ") + byte +
                         "); save it as UTF-8, which is what Spegla reads");
      return Finish(nullptr);
    }
    pugi::xml_parse_result parsed =
        doc_.load_buffer(xml_.data(), xml_.size(), pugi::parse_default | pugi::parse_doctype);
    if (!parsed) {
      Error(At(static_cast<size_t>(parsed.offset)), std::string("malformed XML: ") + parsed.description());
      return Finish(nullptr);
    }
    for (pugi::xml_node node : doc_.children()) {
      if (node.type() == pugi::node_doctype) {
        // pugixml places the node at its content; report where "<!DOCTYPE" starts.
        size_t start =
            xml_.rfind("<!DOCTYPE", static_cast<size_t>(std::max<ptrdiff_t>(node.offset_debug(), 0)));
        Error(start == std::string_view::npos ? AtNode(node) : At(start),
              "a DOCTYPE is not allowed in a workflow definition");
      }
    }
    pugi::xml_node root = doc_.document_element();
    if (std::string_view(root.name()) != "workflow") {
      Error(AtNode(root), "the root element must be <workflow>, found <" + std::string(root.name()) + ">");
      return Finish(nullptr);
    }
    ParseWorkflow(root);
    if (!structure_broken_) {
      CompileExpressions();
      CheckReferences();
      CheckExportRows();
      CheckPhaseGraph();
      CheckCompletable();
    }
    return Finish(std::move(def));
  }

 private:
  // ---- locations and problems -------------------------------------------------------------------

  SourceLocation At(size_t offset) const {
    offset = std::min(offset, xml_.size());
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line_index = static_cast<size_t>(it - line_starts_.begin()) - 1;
    size_t line_start = line_starts_[line_index];
    int column = 1;
    for (size_t i = line_start; i < offset; ++i) {
      if ((static_cast<unsigned char>(xml_[i]) & 0xC0) != 0x80) ++column;  // count code points
    }
    return SourceLocation{file_, static_cast<int>(line_index) + 1, column};
  }

  // pugixml reports an element's offset at its name; the tag starts one character earlier.
  SourceLocation AtNode(pugi::xml_node node) const {
    ptrdiff_t offset = node.offset_debug();
    if (offset < 0) return SourceLocation{file_, 0, 0};
    if (node.type() == pugi::node_element && offset > 0) --offset;
    return At(static_cast<size_t>(offset));
  }

  // Finds an attribute in the element's start tag. Returns the offset of its name and of its value.
  bool FindAttribute(pugi::xml_node node, std::string_view name, size_t* name_at, size_t* value_at) const {
    ptrdiff_t start = node.offset_debug();
    if (start < 0) return false;
    size_t i = static_cast<size_t>(start);
    while (i < xml_.size() && !IsSpace(xml_[i]) && xml_[i] != '>' && xml_[i] != '/') ++i;
    while (i < xml_.size()) {
      while (i < xml_.size() && IsSpace(xml_[i])) ++i;
      if (i >= xml_.size() || xml_[i] == '>' || xml_[i] == '/') return false;
      size_t n = i;
      while (i < xml_.size() && !IsSpace(xml_[i]) && xml_[i] != '=') ++i;
      std::string_view found = xml_.substr(n, i - n);
      while (i < xml_.size() && (IsSpace(xml_[i]) || xml_[i] == '=')) ++i;
      if (i >= xml_.size()) return false;
      char quote = xml_[i];
      size_t v = i + 1;
      size_t end = xml_.find(quote, v);
      if (end == std::string_view::npos) return false;
      if (found == name) {
        *name_at = n;
        *value_at = v;
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  SourceLocation AtAttribute(pugi::xml_node node, std::string_view name) const {
    size_t name_at, value_at;
    if (FindAttribute(node, name, &name_at, &value_at)) return At(name_at);
    return AtNode(node);
  }

  SourceLocation AtAttributeValue(pugi::xml_node node, std::string_view name) const {
    size_t name_at, value_at;
    if (FindAttribute(node, name, &name_at, &value_at)) return At(value_at);
    return AtNode(node);
  }

  // The byte offset of the first non-blank character of an element's text (expressions often start on
  // their own line), or npos when it has none.
  size_t TextOffset(pugi::xml_node node, bool* cdata = nullptr) const {
    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        ptrdiff_t offset = child.offset_debug();
        if (offset >= 0) {
          size_t i = static_cast<size_t>(offset);
          while (i < xml_.size() && IsSpace(xml_[i])) ++i;
          if (cdata) *cdata = child.type() == pugi::node_cdata;
          return i;
        }
      }
    }
    return std::string_view::npos;
  }

  SourceLocation AtText(pugi::xml_node node) const {
    size_t offset = TextOffset(node);
    return offset == std::string_view::npos ? AtNode(node) : At(offset);
  }

  void Error(SourceLocation where, std::string message) {
    problems_.push_back(Problem{std::move(where), std::move(message)});
  }

  LoadResult Finish(std::shared_ptr<WorkflowDefinition> def) {
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    problems_.erase(std::unique(problems_.begin(), problems_.end(),
                                [](const Problem& a, const Problem& b) {
                                  return a.where.line == b.where.line && a.where.column == b.where.column &&
                                         a.message == b.message;
                                }),
                    problems_.end());
    LoadResult result;
    result.problems = std::move(problems_);
    if (result.problems.empty()) result.definition = std::move(def);
    return result;
  }

  // ---- shape ------------------------------------------------------------------------------------

  // Reports attributes and child elements the format does not have, and text where none belongs.
  void CheckShape(pugi::xml_node node, std::initializer_list<std::string_view> attributes,
                  std::initializer_list<std::string_view> children, bool text_allowed = false) {
    for (pugi::xml_attribute a : node.attributes()) {
      std::string_view name = a.name();
      if (name == "xmlns" && std::string_view(node.name()) == "workflow") continue;
      if (std::find(attributes.begin(), attributes.end(), name) == attributes.end()) {
        Error(AtAttribute(node, name),
              "unknown attribute '" + std::string(name) + "' on <" + node.name() + ">" + Allowed(attributes));
      }
    }
    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_element) {
        std::string_view name = child.name();
        if (std::find(children.begin(), children.end(), name) == children.end()) {
          Error(AtNode(child),
                "unknown element <" + std::string(name) + "> in <" + node.name() + ">" + Allowed(children));
        }
      } else if ((child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) && !text_allowed) {
        Error(AtText(node), std::string("<") + node.name() + "> does not take text");
      }
    }
  }

  static std::string Allowed(std::initializer_list<std::string_view> names) {
    if (names.size() == 0) return " (it takes none)";
    std::string out = " (expected ";
    bool first = true;
    for (std::string_view n : names) {
      out += first ? "" : ", ";
      out += std::string(n);
      first = false;
    }
    return out + ")";
  }

  std::string Attr(pugi::xml_node node, const char* name) { return node.attribute(name).value(); }

  std::string RequiredAttr(pugi::xml_node node, const char* name) {
    pugi::xml_attribute a = node.attribute(name);
    if (!a) {
      Error(AtNode(node), std::string("<") + node.name() + "> needs the attribute '" + name + "'");
      return {};
    }
    if (std::string_view(a.value()).empty()) {
      Error(AtAttribute(node, name), std::string("attribute '") + name + "' must not be empty");
    }
    return a.value();
  }

  std::string RequiredId(pugi::xml_node node, const char* name = "id") {
    std::string id = RequiredAttr(node, name);
    if (!id.empty() && !IsId(id)) {
      Error(AtAttributeValue(node, name),
            "invalid id '" + id + "': use lower-case letters, digits and '_', starting with a letter");
    }
    return id;
  }

  std::string Text(pugi::xml_node node) {
    std::string text = node.child_value();
    size_t b = text.find_first_not_of(" \t\r\n");
    size_t e = text.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
  }

  std::optional<int> IntAttr(pugi::xml_node node, const char* name, int min_value) {
    pugi::xml_attribute a = node.attribute(name);
    if (!a) return std::nullopt;
    std::string_view text = a.value();
    int value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < min_value) {
      Error(AtAttributeValue(node, name), "'" + std::string(name) + "' must be a whole number of at least " +
                                              std::to_string(min_value) + ", got '" + std::string(text) +
                                              "'");
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> NumberAttr(pugi::xml_node node, const char* name) {
    pugi::xml_attribute a = node.attribute(name);
    if (!a) return std::nullopt;
    std::string_view text = a.value();
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      Error(AtAttributeValue(node, name),
            "'" + std::string(name) + "' must be a number, got '" + std::string(text) + "'");
      return std::nullopt;
    }
    return value;
  }

  bool BoolAttr(pugi::xml_node node, const char* name, bool fallback) {
    pugi::xml_attribute a = node.attribute(name);
    if (!a) return fallback;
    std::string_view v = a.value();
    if (v == "true") return true;
    if (v == "false") return false;
    Error(AtAttributeValue(node, name),
          "'" + std::string(name) + "' must be true or false, got '" + std::string(v) + "'");
    return fallback;
  }

  std::optional<Duration> DurationAttr(pugi::xml_node node, const char* name) {
    pugi::xml_attribute a = node.attribute(name);
    if (!a) return std::nullopt;
    std::string why;
    std::optional<Duration> d = Duration::Parse(a.value(), &why);
    if (!d) Error(AtAttributeValue(node, name), why);
    return d;
  }

  // Reports a second use of an id within one kind; `kind` names it in the message ("role", "step").
  void Unique(std::map<std::string, SourceLocation>& seen, const std::string& id, const SourceLocation& where,
              const std::string& kind) {
    if (id.empty()) return;
    auto [it, inserted] = seen.emplace(id, where);
    if (!inserted) {
      Error(where, "duplicate " + kind + " id '" + id + "' (first defined at line " +
                       std::to_string(it->second.line) + ")");
    }
  }

  void Defer(std::function<void(Expression)> store, pugi::xml_node node, const char* attribute,
             const Form* form, std::optional<ScalarType> expect, bool allow_list, std::string what) {
    PendingExpression p;
    p.store = std::move(store);
    p.form = form;
    p.expect = expect;
    p.allow_list = allow_list;
    p.what = std::move(what);
    if (attribute) {
      p.source = node.attribute(attribute).value();
      p.where = AtAttributeValue(node, attribute);
      size_t name_at;
      if (!FindAttribute(node, attribute, &name_at, &p.raw_start)) p.raw_start = std::string_view::npos;
    } else {
      p.source = node.child_value();
      p.where = AtText(node);
      p.raw_start = TextOffset(node, &p.raw_is_cdata);
      size_t b = p.source.find_first_not_of(" \t\r\n");
      p.source = b == std::string::npos ? std::string() : p.source.substr(b);
    }
    pending_.push_back(std::move(p));
  }

  // ---- first pass: the model --------------------------------------------------------------------

  void ParseWorkflow(pugi::xml_node root) {
    CheckShape(
        root, {"id", "version", "lang"},
        {"title", "description", "source", "roles", "forms", "phases", "budgets", "documents", "exports"});
    std::string ns = Attr(root, "xmlns");
    if (ns != kWorkflowNamespace) {
      Error(AtNode(root), "the root element must declare xmlns=\"" + std::string(kWorkflowNamespace) + "\"" +
                              (ns.empty() ? "" : ", found \"" + ns + "\""));
    }
    def_->id = RequiredAttr(root, "id");
    if (!def_->id.empty() && !IsWorkflowId(def_->id)) {
      Error(AtAttributeValue(root, "id"),
            "invalid workflow id '" + def_->id +
                "': use lower-case letters, digits and '-', starting with a letter");
    }
    RequiredAttr(root, "version");
    def_->version = IntAttr(root, "version", 1).value_or(1);
    if (root.attribute("lang")) {
      def_->lang = Attr(root, "lang");
      if (def_->lang != "sv" && def_->lang != "en") {
        Error(AtAttributeValue(root, "lang"), "lang must be 'sv' or 'en', got '" + def_->lang + "'");
      }
    }
    CheckOrder(root, {"title", "description", "source", "roles", "forms", "phases", "budgets", "documents",
                      "exports"});
    pugi::xml_node title = root.child("title");
    if (!title) Error(AtNode(root), "<workflow> needs a <title>");
    def_->title = Text(title);
    def_->description = Text(root.child("description"));
    if (pugi::xml_node source = root.child("source")) {
      CheckShape(source, {"href"}, {}, true);
      def_->source = Text(source);
      def_->source_href = Attr(source, "href");
    }
    for (const char* simple : {"title", "description"}) {
      if (pugi::xml_node n = root.child(simple)) CheckShape(n, {}, {}, true);
    }
    ParseRoles(root.child("roles"));
    ParseForms(root.child("forms"));
    pugi::xml_node phases = root.child("phases");
    if (!phases) {
      Error(AtNode(root), "<workflow> needs <phases> with at least one <phase>");
      structure_broken_ = true;
    }
    ParsePhases(phases);
    ParseBudgets(root.child("budgets"));
    ParseDocuments(root.child("documents"));
    ParseExports(root.child("exports"));
  }

  // Reports children that appear out of the documented order, or more than once where only one is allowed.
  void CheckOrder(pugi::xml_node node, std::initializer_list<std::string_view> order,
                  std::initializer_list<std::string_view> repeatable = {}) {
    size_t last_rank = 0;
    std::string last_name;  // the element that set last_rank, named in the message
    std::set<std::string> seen;
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      std::string_view name = child.name();
      auto it = std::find_if(order.begin(), order.end(), [&](std::string_view entry) {
        return entry == name ||
               (entry.find('|') != std::string_view::npos &&
                ("|" + std::string(entry) + "|").find("|" + std::string(name) + "|") != std::string::npos);
      });
      if (it == order.end()) continue;  // reported by CheckShape
      size_t rank = static_cast<size_t>(it - order.begin());
      bool may_repeat = std::find(repeatable.begin(), repeatable.end(), name) != repeatable.end();
      if (!may_repeat && !seen.insert(std::string(name)).second) {
        Error(AtNode(child), "<" + std::string(name) + "> may appear only once in <" + node.name() + ">");
      } else if (rank < last_rank) {
        Error(AtNode(child),
              "<" + std::string(name) + "> must come before <" + last_name + "> in <" + node.name() + ">");
      }
      if (rank >= last_rank) {
        last_rank = rank;
        last_name = name;
      }
    }
  }

  void ParseRoles(pugi::xml_node roles) {
    if (!roles) return;
    CheckShape(roles, {}, {"role"});
    std::map<std::string, SourceLocation> seen;
    for (pugi::xml_node node : roles.children("role")) {
      CheckShape(node, {"id", "label", "label-en", "min", "max", "scope", "pool", "assigned-by"}, {"help"});
      Role role;
      role.where = AtNode(node);
      role.id = RequiredId(node);
      role.label = RequiredAttr(node, "label");
      role.label_en = Attr(node, "label-en");
      role.min = IntAttr(node, "min", 0).value_or(0);
      role.max = IntAttr(node, "max", 0);
      if (role.max && *role.max < role.min) {
        Error(AtAttributeValue(node, "max"), "role '" + role.id + "': max " + std::to_string(*role.max) +
                                                 " is less than min " + std::to_string(role.min));
      }
      std::string scope = Attr(node, "scope");
      if (scope == "organisation") {
        role.scope = RoleScope::kOrganisation;
      } else if (!scope.empty() && scope != "instance") {
        Error(AtAttributeValue(node, "scope"),
              "scope must be 'instance' or 'organisation', got '" + scope + "'");
      }
      role.from_pool = BoolAttr(node, "pool", false);
      role.assigned_by = SplitList(Attr(node, "assigned-by"));
      role.help = ParseHelp(node, nullptr);
      Unique(seen, role.id, role.where, "role");
      def_->roles.push_back(std::move(role));
    }
    // assigned-by may name a role declared further down, so it is checked once all are known.
    for (pugi::xml_node node : roles.children("role")) {
      for (const std::string& role : SplitList(Attr(node, "assigned-by"))) {
        RoleRef(role, AtAttributeValue(node, "assigned-by"));
      }
    }
  }

  // Reads <help> (Swedish) and <help lang="en">; at most one of each.
  std::string ParseHelp(pugi::xml_node parent, std::string* help_en) {
    std::string sv;
    bool have_sv = false, have_en = false;
    for (pugi::xml_node help : parent.children("help")) {
      CheckShape(help, {"lang"}, {}, true);
      std::string lang = Attr(help, "lang");
      if (lang == "en" && help_en) {
        if (have_en) Error(AtNode(help), "only one <help lang=\"en\"> per element");
        *help_en = Text(help);
        have_en = true;
      } else if (lang.empty() || lang == "sv") {
        if (have_sv) Error(AtNode(help), "only one <help> per element and language");
        sv = Text(help);
        have_sv = true;
      } else {
        Error(AtAttributeValue(help, "lang"), "help lang must be 'sv' or 'en', got '" + lang + "'");
      }
    }
    return sv;
  }

  std::optional<Rights> ParseRights(pugi::xml_node node) {
    std::string rights = RequiredAttr(node, "rights");
    if (rights == "edit") return Rights::kEdit;
    if (rights == "view") return Rights::kView;
    if (rights == "hidden") return Rights::kHidden;
    if (!rights.empty()) {
      Error(AtAttributeValue(node, "rights"), "rights must be edit, view or hidden, got '" + rights + "'");
    }
    return std::nullopt;
  }

  std::vector<Access> ParseAccess(pugi::xml_node parent) {
    std::vector<Access> out;
    std::map<std::string, SourceLocation> seen;
    for (pugi::xml_node node : parent.children("access")) {
      CheckShape(node, {"role", "rights"}, {});
      Access access;
      access.role = RequiredAttr(node, "role");
      std::optional<Rights> rights = ParseRights(node);
      access.rights = rights.value_or(Rights::kHidden);
      Unique(seen, access.role, AtNode(node), "access entry for role");
      RoleRef(access.role, AtAttributeValue(node, "role"));
      out.push_back(access);
    }
    return out;
  }

  void ParseForms(pugi::xml_node forms) {
    if (!forms) return;
    CheckShape(forms, {}, {"form"});
    std::map<std::string, SourceLocation> seen;
    for (pugi::xml_node node : forms.children("form")) {
      CheckShape(node, {"id", "label", "label-en"}, {"help", "access", "field"});
      CheckOrder(node, {"help", "access", "field"}, {"access", "field"});
      Form form;
      form.where = AtNode(node);
      form.id = RequiredId(node);
      form.label = RequiredAttr(node, "label");
      form.label_en = Attr(node, "label-en");
      form.help = ParseHelp(node, nullptr);
      form.access = ParseAccess(node);
      std::map<std::string, SourceLocation> field_ids;
      for (pugi::xml_node field_node : node.children("field")) {
        Field field = ParseField(field_node, false);
        Unique(field_ids, field.id, field.where, "field");
        form.fields.push_back(std::move(field));
      }
      if (form.fields.empty()) Error(form.where, "form '" + form.id + "' has no fields");
      Unique(seen, form.id, form.where, "form");
      def_->forms.push_back(std::move(form));
    }
    // Expressions in fields are deferred until all forms exist; bind them to the final addresses now.
    for (Form& form : def_->forms) {
      for (auto& [field_id, node] : visible_if_nodes_[form.id]) {
        Field* field = const_cast<Field*>(form.FindField(field_id));
        if (!field) continue;
        Defer([field](Expression e) { field->visible_if = std::move(e); }, node, "visible-if", &form,
              ScalarType::kBool, false, "visible-if of field '" + form.id + "." + field_id + "'");
      }
    }
  }

  Field ParseField(pugi::xml_node node, bool is_column) {
    CheckShape(node, {"id", "type", "label", "label-en", "role", "visible-if", "example"},
               {"help", "option", "column", "required", "range", "length", "pattern", "access"});
    CheckOrder(node, {"help", "option", "column", "required|range|length|pattern", "access"},
               {"help", "option", "column", "access"});
    Field field;
    field.where = AtNode(node);
    field.id = RequiredId(node);
    field.label = RequiredAttr(node, "label");
    field.label_en = Attr(node, "label-en");
    field.help = ParseHelp(node, &field.help_en);
    std::string type = RequiredAttr(node, "type");
    static const std::map<std::string, FieldType> kTypes = {{"text", FieldType::kText},
                                                            {"longtext", FieldType::kLongText},
                                                            {"number", FieldType::kNumber},
                                                            {"date", FieldType::kDate},
                                                            {"yesno", FieldType::kYesNo},
                                                            {"choice", FieldType::kChoice},
                                                            {"multichoice", FieldType::kMultiChoice},
                                                            {"person", FieldType::kPerson},
                                                            {"group", FieldType::kGroup}};
    auto found = kTypes.find(type);
    if (found == kTypes.end()) {
      if (!type.empty()) {
        Error(AtAttributeValue(node, "type"),
              "unknown field type '" + type +
                  "' (expected text, longtext, number, date, yesno, choice, multichoice, person or group)");
      }
    } else {
      field.type = found->second;
    }
    if (is_column && field.type == FieldType::kGroup) {
      Error(AtAttributeValue(node, "type"), "a column cannot be a group");
    }
    field.person_role = Attr(node, "role");
    if (!field.person_role.empty()) {
      if (field.type != FieldType::kPerson) {
        Error(AtAttribute(node, "role"), "'role' applies only to fields of type person");
      }
      RoleRef(field.person_role, AtAttributeValue(node, "role"));
    }
    if (node.attribute("visible-if")) {
      if (is_column) {
        Error(AtAttribute(node, "visible-if"), "visible-if is not supported on columns");
      } else {
        visible_if_nodes_[current_form_id(node)].emplace_back(field.id, node);
      }
    }
    std::map<std::string, SourceLocation> option_values;
    for (pugi::xml_node option : node.children("option")) {
      CheckShape(option, {"value", "label"}, {});
      Option o{RequiredAttr(option, "value"), RequiredAttr(option, "label")};
      Unique(option_values, o.value, AtNode(option), "option");
      field.options.push_back(std::move(o));
    }
    bool is_choice = field.type == FieldType::kChoice || field.type == FieldType::kMultiChoice;
    if (is_choice && field.options.empty()) {
      Error(field.where, "field '" + field.id + "' of type " + type + " needs at least one <option>");
    } else if (!is_choice && !field.options.empty()) {
      Error(AtNode(node.child("option")), "<option> applies only to choice and multichoice fields");
    }
    std::map<std::string, SourceLocation> column_ids;
    for (pugi::xml_node column : node.children("column")) {
      Field c = ParseField(column, true);
      Unique(column_ids, c.id, c.where, "column");
      field.columns.push_back(std::move(c));
    }
    if (field.type == FieldType::kGroup && field.columns.empty()) {
      Error(field.where, "group '" + field.id + "' needs at least one <column>");
    } else if (field.type != FieldType::kGroup && !field.columns.empty()) {
      Error(AtNode(node.child("column")), "<column> applies only to fields of type group");
    }
    ParseConstraints(node, field);
    ParseExample(node, field);
    field.access = ParseAccess(node);
    if (is_column && !field.access.empty()) {
      Error(AtNode(node.child("access")),
            "columns take the rights of their group; <access> is not allowed here");
    }
    return field;
  }

  // An example must be a value the field accepts, or it would teach people a wrong format.
  void ParseExample(pugi::xml_node node, Field& field) {
    pugi::xml_attribute attr = node.attribute("example");
    if (!attr) return;
    field.example = attr.value();
    bool typed = field.type == FieldType::kText || field.type == FieldType::kLongText ||
                 field.type == FieldType::kNumber || field.type == FieldType::kDate;
    if (!typed) {
      Error(AtAttribute(node, "example"), "'example' applies only to text, longtext, number and date fields");
      return;
    }
    std::string error;
    std::optional<Value> value = ParseValueText(field, field.example, &error);
    std::vector<std::string> broken =
        value ? CheckConstraints(field, *value) : std::vector<std::string>{error};
    if (value && value->IsEmpty()) broken.push_back("it is empty");
    for (const std::string& why : broken) {
      Error(AtAttributeValue(node, "example"),
            "example '" + field.example + "' is not a valid value: " + why);
    }
  }

  // The form id of the <form> enclosing a field node.
  static std::string current_form_id(pugi::xml_node node) {
    for (pugi::xml_node p = node.parent(); p; p = p.parent()) {
      if (std::string_view(p.name()) == "form") return p.attribute("id").value();
    }
    return {};
  }

  void ParseConstraints(pugi::xml_node node, Field& field) {
    for (pugi::xml_node c : node.children()) {
      std::string_view name = c.name();
      Constraint constraint;
      constraint.where = AtNode(c);
      if (name == "required") {
        CheckShape(c, {"message"}, {});
        constraint.kind = Constraint::Kind::kRequired;
      } else if (name == "range") {
        CheckShape(c, {"min", "max", "message"}, {});
        constraint.kind = Constraint::Kind::kRange;
        if (field.type == FieldType::kDate) {
          for (const char* bound : {"min", "max"}) {
            if (!c.attribute(bound)) continue;
            std::optional<Date> d = Date::Parse(c.attribute(bound).value());
            if (!d) {
              Error(AtAttributeValue(c, bound), std::string("'") + bound +
                                                    "' of a date range must be a date " +
                                                    "YYYY-MM-DD, got '" + c.attribute(bound).value() + "'");
            }
            (std::string_view(bound) == "min" ? constraint.min_date : constraint.max_date) = d;
          }
          if (constraint.min_date && constraint.max_date && *constraint.max_date < *constraint.min_date) {
            Error(constraint.where, "range: max is before min");
          }
        } else if (field.type == FieldType::kNumber || field.type == FieldType::kGroup ||
                   field.type == FieldType::kMultiChoice) {
          constraint.min_number = NumberAttr(c, "min");
          constraint.max_number = NumberAttr(c, "max");
          if (constraint.min_number && constraint.max_number &&
              *constraint.max_number < *constraint.min_number) {
            Error(constraint.where, "range: max is less than min");
          }
        } else {
          Error(constraint.where, std::string("<range> does not apply to a field of type ") +
                                      ToString(field.type) + " (only number, date, group and multichoice)");
        }
        if (!c.attribute("min") && !c.attribute("max"))
          Error(constraint.where, "<range> needs min, max or both");
      } else if (name == "length") {
        CheckShape(c, {"min", "max", "message"}, {});
        constraint.kind = Constraint::Kind::kLength;
        if (field.type != FieldType::kText && field.type != FieldType::kLongText) {
          Error(constraint.where,
                std::string("<length> applies only to text and longtext, not ") + ToString(field.type));
        }
        if (auto v = IntAttr(c, "min", 0)) constraint.min_number = *v;
        if (auto v = IntAttr(c, "max", 0)) constraint.max_number = *v;
        if (!c.attribute("min") && !c.attribute("max"))
          Error(constraint.where, "<length> needs min, max or both");
        if (constraint.min_number && constraint.max_number &&
            *constraint.max_number < *constraint.min_number) {
          Error(constraint.where, "length: max is less than min");
        }
      } else if (name == "pattern") {
        CheckShape(c, {"regex", "message"}, {});
        constraint.kind = Constraint::Kind::kPattern;
        constraint.pattern = RequiredAttr(c, "regex");
        if (field.type != FieldType::kText) {
          Error(constraint.where,
                std::string("<pattern> applies only to text fields, not ") + ToString(field.type));
        }
        try {
          std::regex compiled(constraint.pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          Error(AtAttributeValue(c, "regex"),
                "invalid regular expression '" + constraint.pattern + "': " + e.what());
        }
      } else {
        continue;
      }
      constraint.message.text = Attr(c, "message");
      field.constraints.push_back(std::move(constraint));
    }
  }

  void ParsePhases(pugi::xml_node phases) {
    if (!phases) return;
    CheckShape(phases, {}, {"phase"});
    std::map<std::string, SourceLocation> phase_ids;
    for (pugi::xml_node node : phases.children("phase")) {
      CheckShape(node, {"id", "label", "flow", "final"}, {"help", "duration", "step", "transition"});
      CheckOrder(node, {"help", "duration", "step", "transition"}, {"step", "transition"});
      Phase phase;
      phase.where = AtNode(node);
      phase.id = RequiredId(node);
      phase.label = RequiredAttr(node, "label");
      phase.help = ParseHelp(node, nullptr);
      std::string flow = Attr(node, "flow");
      if (flow == "parallel") {
        phase.flow = PhaseFlow::kParallel;
      } else if (!flow.empty() && flow != "sequence") {
        Error(AtAttributeValue(node, "flow"), "flow must be 'sequence' or 'parallel', got '" + flow + "'");
      }
      phase.final = BoolAttr(node, "final", false);
      if (pugi::xml_node duration = node.child("duration")) {
        CheckShape(duration, {"min", "max"}, {});
        phase.min_duration = DurationAttr(duration, "min");
        phase.max_duration = DurationAttr(duration, "max");
        if (!duration.attribute("min") && !duration.attribute("max")) {
          Error(AtNode(duration), "<duration> needs min, max or both");
        }
        if (phase.min_duration && phase.max_duration &&
            phase.max_duration->ApproximateDays() < phase.min_duration->ApproximateDays()) {
          Error(AtNode(duration), "duration: max " + phase.max_duration->ToString() +
                                      " is shorter than min " + phase.min_duration->ToString());
        }
      }
      for (pugi::xml_node step_node : node.children("step")) {
        Step step = ParseStep(step_node, phase.id);
        Unique(step_ids_, step.id, step.where, "step");
        phase.steps.push_back(std::move(step));
      }
      if (phase.steps.empty()) Error(phase.where, "phase '" + phase.id + "' has no steps");
      for (pugi::xml_node t : node.children("transition")) {
        CheckShape(t, {"to", "when"}, {});
        Transition transition;
        transition.where = AtNode(t);
        transition.to = RequiredAttr(t, "to");
        phase.transitions.push_back(std::move(transition));
        transition_nodes_.push_back(t);
      }
      Unique(phase_ids, phase.id, phase.where, "phase");
      def_->phases.push_back(std::move(phase));
    }
    if (def_->phases.empty()) {
      Error(AtNode(phases), "<phases> needs at least one <phase>");
      structure_broken_ = true;
    }
    // Bind deferred expressions now that the phase vector no longer moves.
    size_t t_index = 0;
    for (Phase& phase : def_->phases) {
      for (Transition& transition : phase.transitions) {
        pugi::xml_node node = transition_nodes_[t_index++];
        if (node.attribute("when")) {
          Defer([&transition](Expression e) { transition.when = std::move(e); }, node, "when", nullptr,
                ScalarType::kBool, false, "condition of the transition to '" + transition.to + "'");
        }
      }
      for (Step& step : phase.steps) {
        auto& nodes = requirement_nodes_[step.id];
        for (size_t i = 0; i < nodes.size() && i < step.requirements.size(); ++i) {
          Requirement* r = &step.requirements[i];
          Defer([r](Expression e) { r->condition = std::move(e); }, nodes[i], nullptr, nullptr,
                ScalarType::kBool, false, "requirement of step '" + step.id + "'");
        }
      }
    }
  }

  Step ParseStep(pugi::xml_node node, const std::string& phase_id) {
    CheckShape(node, {"id", "label", "performers", "forms", "after"},
               {"help", "require", "signoff", "repeat", "due", "send-back", "reopen"});
    CheckOrder(node, {"help", "require", "signoff", "repeat", "due", "send-back", "reopen"},
               {"require", "signoff", "send-back"});
    Step step;
    step.where = AtNode(node);
    step.phase = phase_id;
    step.id = RequiredId(node);
    step.label = RequiredAttr(node, "label");
    step.help = ParseHelp(node, nullptr);
    step.performers = SplitList(RequiredAttr(node, "performers"));
    for (const std::string& role : step.performers) RoleRef(role, AtAttributeValue(node, "performers"));
    step.forms = SplitList(Attr(node, "forms"));
    step.after = SplitList(Attr(node, "after"));
    step_nodes_[step.id] = node;
    for (pugi::xml_node r : node.children("require")) {
      CheckShape(r, {"message"}, {}, true);
      Requirement requirement;
      requirement.where = AtNode(r);
      requirement.message.text = Attr(r, "message");
      if (Text(r).empty()) Error(requirement.where, "<require> needs a condition as its text");
      step.requirements.push_back(std::move(requirement));
      requirement_nodes_[step.id].push_back(r);
    }
    std::map<std::string, SourceLocation> signoff_roles;
    for (pugi::xml_node s : node.children("signoff")) {
      CheckShape(s, {"role", "label"}, {});
      SignOff signoff{RequiredAttr(s, "role"), Attr(s, "label"), AtNode(s)};
      RoleRef(signoff.role, AtAttributeValue(s, "role"));
      Unique(signoff_roles, signoff.role, signoff.where, "sign-off for role");
      step.signoffs.push_back(std::move(signoff));
    }
    if (pugi::xml_node r = node.child("repeat")) {
      CheckShape(r, {"min", "max", "every", "label", "message"}, {});
      Repeat repeat;
      repeat.where = AtNode(r);
      repeat.min = IntAttr(r, "min", 0).value_or(1);
      repeat.max = IntAttr(r, "max", 1);
      repeat.every = DurationAttr(r, "every");
      repeat.occurrence_label = Attr(r, "label");
      repeat.message.text = Attr(r, "message");
      if (repeat.max && *repeat.max < repeat.min) {
        Error(repeat.where, "step '" + step.id + "' can never complete: it needs at least " +
                                std::to_string(repeat.min) + " occurrences but allows at most " +
                                std::to_string(*repeat.max));
      }
      step.repeat = std::move(repeat);
    }
    if (pugi::xml_node d = node.child("due")) {
      CheckShape(d, {"after", "from"}, {});
      DueRule due;
      due.where = AtNode(d);
      due.after = DurationAttr(d, "after").value_or(Duration{});
      std::string from = RequiredAttr(d, "from");
      ParseAnchor(d, from, due);
      step.due = std::move(due);
    }
    for (pugi::xml_node s : node.children("send-back")) {
      CheckShape(s, {"to", "roles"}, {});
      SendBack send_back{RequiredAttr(s, "to"), SplitList(Attr(s, "roles")), AtNode(s)};
      for (const std::string& role : send_back.roles) RoleRef(role, AtAttributeValue(s, "roles"));
      step.send_backs.push_back(std::move(send_back));
    }
    if (pugi::xml_node r = node.child("reopen")) {
      CheckShape(r, {"roles"}, {});
      step.reopenable = true;
      step.reopen_roles = SplitList(Attr(r, "roles"));
      for (const std::string& role : step.reopen_roles) RoleRef(role, AtAttributeValue(r, "roles"));
    }
    return step;
  }

  void ParseAnchor(pugi::xml_node node, const std::string& from, DueRule& due) {
    SourceLocation where = AtAttributeValue(node, "from");
    size_t colon = from.find(':');
    std::string kind = from.substr(0, colon);
    std::string target = colon == std::string::npos ? std::string() : from.substr(colon + 1);
    static const std::map<std::string, DueRule::Anchor> kAnchors = {
        {"instance-start", DueRule::Anchor::kInstanceStart},
        {"phase-start", DueRule::Anchor::kPhaseStart},
        {"phase-complete", DueRule::Anchor::kPhaseComplete},
        {"step-complete", DueRule::Anchor::kStepComplete},
        {"field", DueRule::Anchor::kField}};
    auto it = kAnchors.find(kind);
    if (from.empty()) return;
    if (it == kAnchors.end()) {
      Error(where, "unknown anchor '" + from +
                       "' (expected instance-start, phase-start, phase-start:PHASE, phase-complete:PHASE, "
                       "step-complete:STEP or field:FORM.FIELD)");
      return;
    }
    due.anchor = it->second;
    due.target = target;
    bool needs_target = due.anchor == DueRule::Anchor::kPhaseComplete ||
                        due.anchor == DueRule::Anchor::kStepComplete || due.anchor == DueRule::Anchor::kField;
    if (needs_target && target.empty()) Error(where, "'" + kind + "' needs a target, e.g. " + kind + ":ID");
    if (due.anchor == DueRule::Anchor::kInstanceStart && !target.empty()) {
      Error(where, "'instance-start' takes no target");
    }
  }

  void ParseBudgets(pugi::xml_node budgets) {
    if (!budgets) return;
    CheckShape(budgets, {}, {"budget"});
    std::map<std::string, SourceLocation> seen;
    std::vector<pugi::xml_node> nodes;
    for (pugi::xml_node node : budgets.children("budget")) {
      CheckShape(node, {"id", "label", "unit", "max", "message", "per"}, {}, true);
      Budget budget;
      budget.where = AtNode(node);
      budget.id = RequiredId(node);
      budget.label = RequiredAttr(node, "label");
      budget.unit = Attr(node, "unit");
      RequiredAttr(node, "max");
      budget.max = NumberAttr(node, "max").value_or(0);
      budget.message.text = Attr(node, "message");
      budget.per = Attr(node, "per");
      if (!budget.per.empty()) CheckBudgetPer(node, budget.per);
      Unique(seen, budget.id, budget.where, "budget");
      def_->budgets.push_back(std::move(budget));
      nodes.push_back(node);
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      Budget* b = &def_->budgets[i];
      SourceLocation where = AtNode(nodes[i]);
      Defer(
          [this, b, where](Expression e) {
            // Per value of a column, the sum may read only that group's columns: other values have no rows.
            std::string group = b->per.substr(0, b->per.rfind('.') + 1);
            for (const std::string& ref : e.references()) {
              if (!b->per.empty() && ref.rfind(group, 0) != 0) {
                Error(where, "budget '" + b->id + "' is per '" + b->per +
                                 "', so it may read only columns of '" + group.substr(0, group.size() - 1) +
                                 "', not '" + ref + "'");
              }
            }
            b->sum = std::move(e);
          },
          nodes[i], nullptr, nullptr, ScalarType::kNumber, false, "budget '" + b->id + "'");
    }
  }

  // `per` names a person, text or choice column of a group in a form that does not repeat, so that the
  // group's columns are lists over the same rows.
  void CheckBudgetPer(pugi::xml_node node, const std::string& per) {
    SourceLocation where = AtAttributeValue(node, "per");
    std::vector<std::string> parts = SplitDots(per);
    const Form* form = parts.size() == 3 ? def_->FindForm(parts[0]) : nullptr;
    const Field* group = form ? form->FindField(parts[1]) : nullptr;
    const Field* column = group ? group->Column(parts[2]) : nullptr;
    if (!column) {
      Error(where, "'per' must name a column of a group as form.group.column, got '" + per + "'");
    } else if (column->type != FieldType::kPerson && column->type != FieldType::kText &&
               column->type != FieldType::kChoice) {
      Error(where,
            "'per' must name a person, text or choice column, got a " + std::string(ToString(column->type)));
    } else if (def_->RepeatingStepOf(form->id)) {
      Error(where, "'per' cannot name a form collected by a repeating step ('" + form->id + "')");
    }
  }

  void ParseDocuments(pugi::xml_node documents) {
    if (!documents) return;
    CheckShape(documents, {}, {"document"});
    std::map<std::string, SourceLocation> seen;
    for (pugi::xml_node node : documents.children("document")) {
      CheckShape(node, {"id", "label", "plugin", "template", "forms", "for", "on"}, {});
      DocumentRule doc;
      doc.where = AtNode(node);
      doc.id = RequiredId(node);
      doc.label = RequiredAttr(node, "label");
      doc.plugin = RequiredAttr(node, "plugin");
      // Which plugins exist is known when the definition is installed (`spegla plugins`); here, the name.
      static const std::regex kPluginName("[a-z0-9._-]{1,64}");
      if (!doc.plugin.empty() && !std::regex_match(doc.plugin, kPluginName)) {
        Error(AtAttributeValue(node, "plugin"),
              "a plugin name is 1 to 64 of a-z, 0-9, '.', '_' and '-', got '" + doc.plugin + "'");
      }
      doc.template_path = RequiredAttr(node, "template");
      doc.forms = SplitList(Attr(node, "forms"));
      for (const std::string& form : doc.forms) FormRef(form, AtAttributeValue(node, "forms"));
      doc.audience = SplitList(Attr(node, "for"));
      for (const std::string& role : doc.audience) {
        RoleRef(role, AtAttributeValue(node, "for"));
        for (const std::string& form_id : doc.forms) {
          const Form* form = def_->FindForm(form_id);
          std::vector<std::string> readers = form ? form->Readers() : std::vector<std::string>{};
          if (form && def_->FindRole(role) &&
              std::find(readers.begin(), readers.end(), role) == readers.end()) {
            Error(AtAttributeValue(node, "for"), "document '" + doc.id + "' is for '" + role +
                                                     "', who may not read the form '" + form_id + "'");
          }
        }
      }
      std::string on = RequiredAttr(node, "on");
      if (on == "manual") {
        doc.trigger = DocumentRule::Trigger::kManual;
      } else if (on.rfind("step-complete:", 0) == 0) {
        doc.trigger = DocumentRule::Trigger::kStepComplete;
        doc.trigger_target = on.substr(14);
      } else if (on.rfind("phase-complete:", 0) == 0) {
        doc.trigger = DocumentRule::Trigger::kPhaseComplete;
        doc.trigger_target = on.substr(15);
      } else if (!on.empty()) {
        Error(AtAttributeValue(node, "on"),
              "'on' must be step-complete:STEP, phase-complete:PHASE or manual, got '" + on + "'");
      }
      if (!doc.template_path.empty()) CheckTemplate(node, doc);
      document_nodes_.push_back(node);
      Unique(seen, doc.id, doc.where, "document");
      def_->documents.push_back(std::move(doc));
    }
  }

  void CheckTemplate(pugi::xml_node node, DocumentRule& doc) {
    SourceLocation where = AtAttributeValue(node, "template");
    fs::path relative(doc.template_path);
    bool escapes = relative.is_absolute();
    for (const fs::path& part : relative) escapes = escapes || part == "..";
    if (escapes) {
      Error(where, "template path '" + doc.template_path +
                       "' must be relative to the template directory, without '..'");
      return;
    }
    fs::path dir = options_.template_dir.empty() ? fs::path(file_).parent_path().parent_path() / "templates"
                                                 : fs::path(options_.template_dir);
    fs::path full = dir / relative;
    doc.resolved_template = full.lexically_normal().string();
    if (!options_.check_templates) return;
    std::error_code ec;
    if (!fs::is_regular_file(full, ec)) {
      Error(where, "template file '" + doc.template_path + "' not found (looked for " + full.string() + ")");
    }
  }

  void ParseExports(pugi::xml_node exports) {
    if (!exports) return;
    CheckShape(exports, {}, {"export"});
    std::map<std::string, SourceLocation> seen, sheets;
    std::vector<std::vector<pugi::xml_node>> column_nodes;
    for (pugi::xml_node node : exports.children("export")) {
      // `plugin` (xlsx|csv) is from definitions written before the format was chosen at export time;
      // accepted and ignored, so that they still load.
      CheckShape(node, {"id", "label", "sheet", "rows", "plugin"}, {"column"});
      ExportRule rule;
      rule.where = AtNode(node);
      rule.id = RequiredId(node);
      rule.label = RequiredAttr(node, "label");
      rule.sheet = node.attribute("sheet") ? Attr(node, "sheet") : rule.label;
      const SourceLocation sheet_at = node.attribute("sheet") ? AtAttributeValue(node, "sheet") : rule.where;
      if (options_.stored && !node.attribute("sheet") && !SheetNameProblem(rule.sheet).empty()) {
        rule.sheet = FittingSheetName(rule.sheet);
      }
      if (std::string why = SheetNameProblem(rule.sheet); !why.empty()) {
        Error(sheet_at, "export '" + rule.id + "': the sheet name '" + rule.sheet + "' " + why);
      } else {
        Unique(sheets, rule.sheet, sheet_at, "export sheet");
      }
      const std::string rows = node.attribute("rows") ? Attr(node, "rows") : "instances";
      if (rows == "items") {
        rule.rows = ExportRule::Rows::kItems;
      } else if (rows != "instances") {
        Error(AtAttributeValue(node, "rows"), "rows must be 'instances' or 'items', not '" + rows + "'");
      }
      column_nodes.emplace_back();
      for (pugi::xml_node c : node.children("column")) {
        CheckShape(c, {"label", "value"}, {});
        ExportColumn column;
        column.where = AtNode(c);
        column.label = RequiredAttr(c, "label");
        RequiredAttr(c, "value");
        rule.columns.push_back(std::move(column));
        column_nodes.back().push_back(c);
      }
      if (rule.columns.empty()) Error(rule.where, "export '" + rule.id + "' has no columns");
      Unique(seen, rule.id, rule.where, "export");
      def_->exports.push_back(std::move(rule));
    }
    for (size_t i = 0; i < def_->exports.size(); ++i) {
      for (size_t j = 0; j < def_->exports[i].columns.size(); ++j) {
        ExportColumn* column = &def_->exports[i].columns[j];
        if (!column_nodes[i][j].attribute("value").value()[0]) continue;
        const SourceLocation at = AtAttributeValue(column_nodes[i][j], "value");
        Defer(
            [this, column, at](Expression e) {
              CheckExportReads(e, at, column->label);
              column->value = std::move(e);
            },
            column_nodes[i][j], "value", nullptr, std::nullopt, true, "export column '" + column->label + "'");
      }
    }
  }

  // Why Excel would refuse `name` as a sheet name; empty when it is fine. The fixed sheets' names are
  // taken, so that a workflow cannot hide the overview.
  static std::string SheetNameProblem(const std::string& name) {
    if (name.empty()) return "is empty";
    if (CountCodePoints(name) > 31) return "is longer than 31 characters (Excel's limit); set a shorter sheet=\"…\"";
    if (name.find_first_of("[]:*?/\\") != std::string::npos) return "holds one of [ ] : * ? / \\";
    if (name.front() == '\'' || name.back() == '\'') return "begins or ends with an apostrophe";
    for (const char* fixed : {kOverviewSheet, kSummarySheet}) {
      if (FoldCase(name) == FoldCase(fixed)) return "is the name of a sheet every export has";
    }
    return {};
  }

  // `label` made a sheet name: the characters Excel refuses become '-', at most 31 characters, and a name
  // of the fixed sheets gets " (process)" so that it stays apart.
  static std::string FittingSheetName(const std::string& label) {
    std::string name;
    size_t characters = 0;
    for (size_t i = 0; i < label.size() && characters < 31; ++characters) {
      size_t length = 1;
      const unsigned char lead = static_cast<unsigned char>(label[i]);
      if (lead >= 0xF0) {
        length = 4;
      } else if (lead >= 0xE0) {
        length = 3;
      } else if (lead >= 0xC0) {
        length = 2;
      }
      std::string character = label.substr(i, length);
      if (character.size() == 1 && std::string_view("[]:*?/\\").find(character[0]) != std::string_view::npos) {
        character = "-";
      }
      name += character;
      i += length;
    }
    while (!name.empty() && (name.back() == ' ' || name.back() == '\'')) name.pop_back();
    while (!name.empty() && name.front() == '\'') name.erase(0, 1);
    if (name.empty()) name = "Process";
    if (!SheetNameProblem(name).empty()) name = "Process - " + name.substr(0, 20);
    return name;
  }

  // Exports go to the administration, who are not participants: a column may read only fields that every
  // role reading their form sees, never one kept from some role (notes about children, personal data).
  void CheckExportReads(const Expression& e, const SourceLocation& at, const std::string& label) {
    for (const std::string& canonical : e.references()) {
      std::vector<std::string> parts = SplitDots(canonical);
      const Form* form = parts.empty() ? nullptr : def_->FindForm(parts[0]);
      const Field* field = form && parts.size() > 1 ? form->FindField(parts[1]) : nullptr;
      if (!field || form->SharedWithAllReaders(*field)) continue;
      Error(at, "export column '" + label + "' reads " + canonical +
                    ", which is kept from some of the roles that read its form; exports may only show what "
                    "every reader of a form sees");
    }
  }

  // rows="items" spreads list columns over rows; without a list there is nothing to spread.
  void CheckExportRows() {
    for (const ExportRule& rule : def_->exports) {
      if (rule.rows != ExportRule::Rows::kItems) continue;
      bool any_list = std::any_of(rule.columns.begin(), rule.columns.end(),
                                  [](const ExportColumn& c) { return c.value.type().list; });
      if (!any_list) {
        Error(rule.where, "export '" + rule.id +
                              "' has rows=\"items\" but no column is a list (a group's column or a field of a "
                              "repeating step)");
      }
    }
  }

  // ---- second pass: references, expressions, graph -----------------------------------------------

  void RoleRef(const std::string& role, const SourceLocation& where) { role_refs_.push_back({role, where}); }
  void FormRef(const std::string& form, const SourceLocation& where) { form_refs_.push_back({form, where}); }

  void CompileExpressions() {
    for (PendingExpression& p : pending_) {
      if (p.source.empty()) {
        Error(p.where, p.what + ": empty expression");
        continue;
      }
      DefinitionScope scope(*def_, p.form);
      auto compiled = Expression::Compile(p.source, scope);
      if (auto* errors = std::get_if<std::vector<ExprError>>(&compiled)) {
        for (const ExprError& e : *errors) Error(Shift(p, e.offset), p.what + ": " + e.message);
        continue;
      }
      Expression& e = std::get<Expression>(compiled);
      if (!p.allow_list && e.type().list) {
        Error(p.where, p.what + " must be a single value, but '" + p.source + "' is a " +
                           e.type().ToString() + " (use count, sum, min or max)");
        continue;
      }
      if (p.expect && e.type().scalar != *p.expect) {
        ExprType want{*p.expect, false};
        Error(p.where,
              p.what + " must be " + want.ToString() + ", but '" + p.source + "' is " + e.type().ToString());
        continue;
      }
      p.store(std::move(e));
    }
  }

  // The location of a byte offset into an expression's text. The file may spell the text longer than it
  // reads (an entity such as &lt; is one character, CR LF one line break), so walk the file's bytes.
  SourceLocation Shift(const PendingExpression& p, size_t offset) const {
    if (p.raw_start == std::string_view::npos) return p.where;
    offset = std::min(offset, p.source.size());
    size_t raw = p.raw_start;
    for (size_t decoded = 0; decoded < offset && raw < xml_.size(); ++decoded) {
      if (xml_[raw] == '\r' && raw + 1 < xml_.size() && xml_[raw + 1] == '\n') ++raw;
      if (!p.raw_is_cdata && xml_[raw] == '&') {
        size_t semicolon = xml_.find(';', raw);
        if (semicolon != std::string_view::npos) {
          decoded += EntityBytes(xml_.substr(raw, semicolon - raw + 1)) - 1;
          raw = semicolon + 1;
          continue;
        }
      }
      ++raw;
    }
    return At(raw);
  }

  // How many bytes of text an entity reference such as "&lt;" or "&#xE5;" stands for.
  static size_t EntityBytes(std::string_view entity) {
    if (entity.size() < 4 || entity[1] != '#') return 1;
    bool hex = entity[2] == 'x';
    unsigned long code = 0;
    std::from_chars(entity.data() + (hex ? 3 : 2), entity.data() + entity.size() - 1, code, hex ? 16 : 10);
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }

  void CheckReferences() {
    for (auto& [role, where] : role_refs_) {
      if (!role.empty() && !def_->FindRole(role)) Error(where, "undefined role '" + role + "'");
    }
    for (auto& [form, where] : form_refs_) {
      if (!def_->FindForm(form)) Error(where, "undefined form '" + form + "'");
    }
    for (const Phase& phase : def_->phases) {
      for (const Step& step : phase.steps) {
        pugi::xml_node node = step_nodes_[step.id];
        for (const std::string& form : step.forms) {
          if (!def_->FindForm(form)) Error(AtAttributeValue(node, "forms"), "undefined form '" + form + "'");
        }
        for (const std::string& after : step.after) {
          const Step* other = def_->FindStep(after);
          if (!other) {
            Error(AtAttributeValue(node, "after"), "undefined step '" + after + "'");
          } else if (other->phase != phase.id) {
            Error(AtAttributeValue(node, "after"),
                  "step '" + step.id + "' can only wait for steps of its own phase '" + phase.id +
                      "', not '" + after + "' of phase '" + other->phase + "'");
          }
        }
        if (!step.after.empty() && phase.flow != PhaseFlow::kParallel) {
          Error(AtAttribute(node, "after"), "'after' applies only in a parallel phase; steps of phase '" +
                                                phase.id + "' already run in file order");
        }
        for (const SendBack& s : step.send_backs) {
          const Step* target = def_->FindStep(s.to_step);
          if (!target) {
            Error(s.where, "send-back to undefined step '" + s.to_step + "'");
          } else if (!ComesBefore(*target, step)) {
            Error(s.where, "send-back from '" + step.id + "' must go to an earlier step, and '" + s.to_step +
                               "' is not earlier");
          }
        }
      }
      for (const Transition& t : phase.transitions) {
        if (t.to != "end" && !def_->FindPhase(t.to))
          Error(t.where, "transition to undefined phase '" + t.to + "'");
      }
    }
    for (const Step* step : def_->AllSteps()) {
      if (!step->due) continue;
      const DueRule* due = &*step->due;
      SourceLocation where = AtAttributeValue(step_nodes_[step->id].child("due"), "from");
      switch (due->anchor) {
        case DueRule::Anchor::kPhaseStart:
        case DueRule::Anchor::kPhaseComplete:
          if (!due->target.empty() && !def_->FindPhase(due->target)) {
            Error(where, "undefined phase '" + due->target + "'");
          }
          break;
        case DueRule::Anchor::kStepComplete:
          if (!due->target.empty() && !def_->FindStep(due->target))
            Error(where, "undefined step '" + due->target + "'");
          break;
        case DueRule::Anchor::kField: {
          std::vector<std::string> parts = SplitDots(due->target);
          const Form* form = parts.size() == 2 ? def_->FindForm(parts[0]) : nullptr;
          const Field* field = form ? form->FindField(parts[1]) : nullptr;
          if (due->target.empty()) break;
          if (!field) {
            Error(where, "undefined field '" + due->target + "' (write field:FORM.FIELD)");
          } else if (field->type != FieldType::kDate) {
            Error(where, "field '" + due->target + "' is a " + ToString(field->type) + ", not a date");
          }
          break;
        }
        case DueRule::Anchor::kInstanceStart:
          break;
      }
    }
    for (size_t i = 0; i < def_->documents.size(); ++i) {
      const DocumentRule& doc = def_->documents[i];
      SourceLocation where = AtAttributeValue(document_nodes_[i], "on");
      if (doc.trigger == DocumentRule::Trigger::kStepComplete && !def_->FindStep(doc.trigger_target)) {
        Error(where, "undefined step '" + doc.trigger_target + "'");
      } else if (doc.trigger == DocumentRule::Trigger::kPhaseComplete &&
                 !def_->FindPhase(doc.trigger_target)) {
        Error(where, "undefined phase '" + doc.trigger_target + "'");
      }
    }
  }

  // Flow order: earlier phase in the file, or earlier in the same phase.
  bool ComesBefore(const Step& a, const Step& b) const {
    std::vector<const Step*> order = def_->AllSteps();
    auto pos = [&](const Step& s) { return std::find(order.begin(), order.end(), &s) - order.begin(); };
    return pos(a) < pos(b);
  }

  // Successors of each phase: its transitions, or the next phase in the file, or the end (-1).
  std::vector<std::vector<int>> PhaseEdges() const {
    std::vector<std::vector<int>> edges(def_->phases.size());
    for (size_t i = 0; i < def_->phases.size(); ++i) {
      const Phase& phase = def_->phases[i];
      if (phase.final) {
        edges[i].push_back(-1);
      } else if (phase.transitions.empty()) {
        edges[i].push_back(i + 1 < def_->phases.size() ? static_cast<int>(i + 1) : -1);
      }
      for (const Transition& t : phase.transitions) {
        if (t.to == "end") {
          edges[i].push_back(-1);
          continue;
        }
        bool known = false;
        for (size_t j = 0; j < def_->phases.size(); ++j) {
          if (def_->phases[j].id == t.to) {
            edges[i].push_back(static_cast<int>(j));
            known = true;
          }
        }
        // An undefined target is reported on its own; don't also call the phase a dead end.
        if (!known) edges[i].push_back(-1);
      }
    }
    return edges;
  }

  void CheckPhaseGraph() {
    const size_t n = def_->phases.size();
    if (n == 0) return;
    std::vector<std::vector<int>> edges = PhaseEdges();
    std::vector<bool> reachable(n, false);
    std::vector<size_t> stack = {0};
    reachable[0] = true;
    while (!stack.empty()) {
      size_t p = stack.back();
      stack.pop_back();
      for (int q : edges[p]) {
        if (q >= 0 && !reachable[q]) {
          reachable[q] = true;
          stack.push_back(static_cast<size_t>(q));
        }
      }
    }
    // Phases that can reach the end, found by iterating to a fixed point (definitions are small).
    std::vector<bool> finishes(n, false);
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t p = 0; p < n; ++p) {
        if (finishes[p]) continue;
        for (int q : edges[p]) {
          if (q < 0 || finishes[q]) {
            finishes[p] = changed = true;
            break;
          }
        }
      }
    }
    std::vector<bool> reported(n, false);
    for (size_t p = 0; p < n; ++p) {
      const Phase& phase = def_->phases[p];
      if (!reachable[p]) {
        for (const Step& step : phase.steps) {
          Error(step.where,
                "step '" + step.id + "' is unreachable: no transition leads to its phase '" + phase.id + "'");
        }
        continue;
      }
      if (!phase.transitions.empty() && !phase.final &&
          std::all_of(phase.transitions.begin(), phase.transitions.end(),
                      [](const Transition& t) { return t.when.has_value(); })) {
        Error(phase.transitions.back().where,
              "phase '" + phase.id + "' has no transition without a condition: when none holds the process " +
                  "stops here; add a last <transition> without 'when'");
      }
      if (finishes[p] || reported[p]) continue;
      // Collect the phases trapped together with p (reachable from p, none of which finishes).
      std::vector<std::string> trapped;
      std::vector<bool> seen(n, false);
      std::vector<size_t> todo = {p};
      seen[p] = true;
      while (!todo.empty()) {
        size_t x = todo.back();
        todo.pop_back();
        trapped.push_back("'" + def_->phases[x].id + "'");
        reported[x] = true;
        for (int q : edges[x]) {
          if (q >= 0 && !seen[q]) {
            seen[q] = true;
            todo.push_back(static_cast<size_t>(q));
          }
        }
      }
      Error(phase.where,
            (trapped.size() == 1 ? "phase " : "phases ") + Join(trapped, ", ") +
                " form a cycle with no way out: no transition from them leads to the end of the process");
    }
    CheckAfterCycles();
  }

  void CheckAfterCycles() {
    for (const Phase& phase : def_->phases) {
      if (phase.flow != PhaseFlow::kParallel) continue;
      std::map<std::string, int> state;  // 0 unvisited, 1 on stack, 2 done
      std::function<bool(const Step&, std::vector<std::string>&)> visit =
          [&](const Step& s, std::vector<std::string>& path) {
            int& st = state[s.id];
            if (st == 2) return false;
            if (st == 1) {
              path.push_back(s.id);
              return true;
            }
            st = 1;
            path.push_back(s.id);
            for (const std::string& a : s.after) {
              const Step* other = def_->FindStep(a);
              if (other && other->phase == phase.id && visit(*other, path)) return true;
            }
            path.pop_back();
            st = 2;
            return false;
          };
      for (const Step& step : phase.steps) {
        std::vector<std::string> path;
        if (state[step.id] == 0 && visit(step, path)) {
          Error(step.where, "step '" + step.id + "' can never start: its 'after' steps wait on each other (" +
                                Join(path, " -> ") + ")");
        }
      }
    }
  }

  void CheckCompletable() {
    for (const Phase& phase : def_->phases) {
      for (const Step& step : phase.steps) {
        for (const std::string& form_id : step.forms) {
          const Form* form = def_->FindForm(form_id);
          if (!form) continue;
          for (const Field& field : form->fields) {
            if (!field.required() || field.visible_if) continue;
            bool editable = std::any_of(def_->roles.begin(), def_->roles.end(), [&](const Role& role) {
              return form->RightsFor(role.id, field) == Rights::kEdit;
            });
            if (!editable) {
              Error(step.where, "step '" + step.id + "' can never complete: required field '" + form_id +
                                    "." + field.id + "' is editable by no role");
            }
          }
        }
        for (const Requirement& r : step.requirements) {
          if (r.condition.source().empty()) continue;  // failed to compile: already reported
          std::optional<ExprValue> constant = r.condition.ConstantValue();
          if (constant && !constant->IsTrue()) {
            Error(r.where, "step '" + step.id + "' can never complete: its condition '" +
                               r.condition.source() + "' is always false");
          }
        }
        for (const SignOff& s : step.signoffs) {
          const Role* role = def_->FindRole(s.role);
          if (role && role->max && *role->max == 0) {
            Error(s.where, "step '" + step.id + "' can never complete: it needs a sign-off by role '" +
                               s.role + "', which allows no participants");
          }
        }
      }
    }
  }

  std::string_view xml_;
  std::string file_;
  LoadOptions options_;
  std::vector<size_t> line_starts_;
  pugi::xml_document doc_;
  WorkflowDefinition* def_ = nullptr;
  Problems problems_;
  bool structure_broken_ = false;

  std::vector<PendingExpression> pending_;
  std::vector<std::pair<std::string, SourceLocation>> role_refs_;
  std::vector<std::pair<std::string, SourceLocation>> form_refs_;
  std::map<std::string, std::vector<std::pair<std::string, pugi::xml_node>>> visible_if_nodes_;
  std::map<std::string, std::vector<pugi::xml_node>> requirement_nodes_;
  std::map<std::string, pugi::xml_node> step_nodes_;
  std::map<std::string, SourceLocation> step_ids_;
  std::vector<pugi::xml_node> transition_nodes_;
  std::vector<pugi::xml_node> document_nodes_;
};

}  // namespace

LoadResult LoadWorkflowFromText(std::string_view xml, const std::string& file, const LoadOptions& options) {
  return Loader(xml, file, options).Run();
}

LoadResult LoadWorkflowFromFile(const std::string& file, const LoadOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.problems.push_back(Problem{SourceLocation{file, 0, 0}, "cannot read the file"});
    return result;
  }
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > kMaxWorkflowBytes) {
    LoadResult result;
    result.problems.push_back(Problem{SourceLocation{file, 1, 1},
                                      "the file is larger than 4 MiB; a workflow "
                                      "definition is never that large"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadWorkflowFromText(text.str(), file, options);
}

}  // namespace spegla
