#include "docx_renderer.h"

#include <set>
#include <string>
#include <utility>

#include "xml_text.h"

namespace spegla::docx {
namespace {

using Kind = ProgramNode::Kind;

constexpr std::string_view kPageBreakRun = "<w:r><w:br w:type=\"page\"/></w:r>";
constexpr std::string_view kPageBreakParagraph = "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";
constexpr std::string_view kEmptyParagraph = "<w:p/>";

// Sections nested over lists multiply: two rows nested thirty deep ask for a billion copies, with or
// without any text in them. Rendering a part stops with a problem past either bound, far above any real
// document (found by fuzz/docx_template_fuzz.cpp).
constexpr std::size_t kMaxIterations = 200'000;   // section iterations in one part
constexpr std::size_t kMaxPartBytes = 64u << 20;  // XML of one rendered part

bool IsFalse(const TemplateData* v) {
  if (v == nullptr || v->IsEmpty()) return true;
  if (const bool* b = v->AsBool()) return !*b;
  if (const std::string* s = v->AsText()) return s->empty();
  if (const TemplateData::List* list = v->AsList()) return list->empty();
  return false;
}

// JavaScript's String(value) for what JSON can hold.
void AppendPrinted(const TemplateData& v, std::string& out) {
  if (const std::string* s = v.AsText()) {
    out += *s;
  } else if (const bool* b = v.AsBool()) {
    out += *b ? "true" : "false";
  } else if (const TemplateData::List* list = v.AsList()) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (i > 0) out += ',';
      AppendPrinted((*list)[i], out);
    }
  } else if (v.AsObject() != nullptr) {
    out += "[object Object]";
  }
}

// "<w:p", "<w:tr": an element start, not "<w:pPr" or "<w:trPr".
bool HasElement(std::string_view xml, std::string_view open) {
  for (std::size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const std::size_t next = at + open.size();
    if (next < xml.size() && (xml[next] == '>' || xml[next] == ' ' || xml[next] == '/')) return true;
  }
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class Renderer {
 public:
  Renderer(const PartProgram& program, const TemplateData& data, const RenderOptions& options,
           std::string& out, std::vector<TemplateProblem>& problems)
      : program_(program), options_(options), out_(out), problems_(problems) {
    scopes_.reserve(8);
    scopes_.push_back(&data);
  }

  void Run() { Render(program_.nodes); }

 private:
  const TemplateData* Lookup(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      const TemplateData* scope = *it;
      const TemplateData* found = name == "." ? scope : scope->Find(name);
      if (found != nullptr && !found->IsEmpty()) return found;
    }
    return nullptr;
  }

  void Render(const std::vector<ProgramNode>& nodes) {
    for (const ProgramNode& node : nodes) {
      if (too_large_) return;
      switch (node.kind) {
        case Kind::kLiteral:
          out_.append(node.text);
          break;
        case Kind::kValue:
          RenderValue(node);
          break;
        case Kind::kSection:
          RenderSection(node);
          break;
        case Kind::kCell:
        case Kind::kBlock:
        case Kind::kTable:
          RenderGuard(node);
          break;
      }
    }
  }

  void RenderValue(const ProgramNode& node) {
    const TemplateData* value = Lookup(node.text);
    if (value == nullptr) {
      if (options_.missing_is_error) Missing(node);
      return;
    }
    if (const std::string* text = value->AsText()) {
      AppendWordText(*text, out_);
    } else {
      std::string printed;
      AppendPrinted(*value, printed);
      AppendWordText(printed, out_);
    }
  }

  void Missing(const ProgramNode& node) {
    if (!reported_.emplace(node.context, node.text).second) return;  // once per paragraph and name
    problems_.push_back({program_.part, program_.contexts[node.context], "no value for {" + node.text + "}"});
  }

  void RenderSection(const ProgramNode& node) {
    const TemplateData* value = Lookup(node.text);
    if (IsFalse(value)) {
      if (node.inverted) {
        Iteration(node, scopes_.back(), true);
      } else if (node.page_break_after) {
        out_.append(kPageBreakParagraph);  // the closing paragraph's page break survives an empty section
      }
      return;
    }
    if (node.inverted) return;
    if (const TemplateData::List* list = value->AsList()) {
      for (std::size_t i = 0; i < list->size(); ++i) Iteration(node, &(*list)[i], i + 1 == list->size());
    } else if (value->AsObject() != nullptr) {
      Iteration(node, value, true);
    } else {
      Iteration(node, scopes_.back(), true);
    }
  }

  void Iteration(const ProgramNode& node, const TemplateData* scope, bool last) {
    if (TooLarge()) return;
    if (node.page_break_before) out_.append(kPageBreakParagraph);
    scopes_.push_back(scope);
    Render(node.children);
    scopes_.pop_back();
    if (node.page_break_after && last) {
      if (EndsWith(out_, "</w:p>")) {
        out_.insert(out_.size() - 6, kPageBreakRun);
      } else {
        out_.append(kPageBreakParagraph);
      }
    }
  }

  // Counts an iteration; past the bounds, adds the problem once and is true from then on.
  bool TooLarge() {
    if (too_large_) return true;
    if (++iterations_ <= kMaxIterations && out_.size() <= kMaxPartBytes) return false;
    too_large_ = true;
    problems_.push_back({program_.part, "",
                         "the document would be too large: its sections repeat more than " +
                             std::to_string(kMaxIterations) + " times or make more than " +
                             std::to_string(kMaxPartBytes >> 20) + " MB (sections nested over lists?)"});
    return true;
  }

  void RenderGuard(const ProgramNode& node) {
    const std::size_t mark = out_.size();
    Render(node.children);
    const std::string_view made = std::string_view(out_).substr(mark);
    switch (node.kind) {
      case Kind::kTable:
        if (!HasElement(made, "<w:tr")) out_.resize(mark);  // a table without rows is corrupt: drop it
        break;
      case Kind::kCell:
        // A cell must end with a paragraph.
        if (!HasElement(made, "<w:p") || EndsWith(made, "</w:tbl>")) out_.append(kEmptyParagraph);
        break;
      case Kind::kBlock:
        if (!HasElement(made, "<w:p") && !HasElement(made, "<w:tbl")) out_.append(kEmptyParagraph);
        break;
      default:
        break;
    }
  }

  const PartProgram& program_;
  const RenderOptions& options_;
  std::string& out_;
  std::vector<TemplateProblem>& problems_;
  std::vector<const TemplateData*> scopes_;
  std::set<std::pair<int, std::string>> reported_;
  std::size_t iterations_ = 0;
  bool too_large_ = false;
};

}  // namespace

void RenderPart(const PartProgram& program, const TemplateData& data, const RenderOptions& options,
                std::string& out, std::vector<TemplateProblem>& problems) {
  Renderer(program, data, options, out, problems).Run();
}

}  // namespace spegla::docx
