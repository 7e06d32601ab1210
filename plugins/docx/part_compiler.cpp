#include "part_compiler.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <pugixml.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "tag_scanner.h"

namespace spegla::docx {
namespace {

// Markers are processing instructions put into the DOM where rendering must do something; the part is
// then serialised once and cut at them. A template that already holds this text is refused, so a marker
// can only be one of ours.
constexpr std::string_view kMarkerTarget = "spegla-marker";
constexpr std::string_view kMarkerOpen = "<?spegla-marker ";
constexpr std::size_t kContextChars = 200;
constexpr std::size_t kMaxDepth = 100;  // sections inside sections: rendering recurses this deep

using Kind = ProgramNode::Kind;

enum class TagKind { kValue, kOpen, kClose };

struct Tag {
  TagKind kind = TagKind::kValue;
  std::string name;
  std::string raw;  // as written, with its braces, for messages
  bool inverted = false;
  std::string expand_to;  // {-w:p name}: the element to repeat
  int paragraph = 0;
  std::size_t begin = 0, end = 0;  // in the paragraph's text
  int run = 0;                     // the paragraph's run (w:t) where the tag starts
  int section = -1;
};

struct TextRun {
  pugi::xml_node t;
  std::size_t begin = 0, end = 0;  // in the paragraph's text
};

struct Paragraph {
  pugi::xml_node node;
  std::string text;
  std::vector<TextRun> runs;
  std::vector<int> tags;
};

struct Section {
  int open = -1, close = -1;  // tags
  int parent = -1;            // the section whose tags enclose this one's; -1 at top level
  bool ranged = false;        // repeats elements [left, right] rather than the text between its tags
  pugi::xml_node left, right;
  bool drop_left = false, drop_right = false;  // paragraph loops drop the paragraphs of their tags
  bool page_break_before = false, page_break_after = false;
};

enum class MarkerKind { kValue, kOpen, kClose, kGuardOpen, kGuardClose };
struct Marker {
  MarkerKind kind;
  int index;  // tag for kValue, section for kOpen/kClose, ProgramNode::Kind for guards
};

class StringWriter : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string& out) : out_(out) {}
  void write(const void* data, std::size_t size) override {
    out_.append(static_cast<const char*>(data), size);
  }

 private:
  std::string& out_;
};

std::string Shorten(std::string_view text) {
  if (text.size() <= kContextChars) return std::string(text);
  std::size_t cut = kContextChars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\u2026";
}

bool Named(pugi::xml_node node, std::string_view name) { return node && name == node.name(); }

pugi::xml_node NearestAncestor(pugi::xml_node node, std::string_view name) {
  for (node = node.parent(); node; node = node.parent()) {
    if (Named(node, name)) return node;
  }
  return {};
}

std::vector<pugi::xml_node> PathToRoot(pugi::xml_node node) {
  std::vector<pugi::xml_node> path;
  for (; node; node = node.parent()) path.push_back(node);
  return path;
}

// The ancestors of `from` (itself first) up to, not including, the lowest common ancestor with `other`.
std::vector<pugi::xml_node> PathBelowCommonAncestor(pugi::xml_node from, pugi::xml_node other) {
  std::vector<pugi::xml_node> a = PathToRoot(from), b = PathToRoot(other);
  std::size_t shared = 0;
  while (shared < a.size() && shared < b.size() && a[a.size() - 1 - shared] == b[b.size() - 1 - shared])
    ++shared;
  a.resize(a.size() - shared);
  return a;
}

bool HasElement(const std::vector<pugi::xml_node>& path, std::string_view name) {
  return std::any_of(path.begin(), path.end(), [&](pugi::xml_node n) { return Named(n, name); });
}

// Whether a tag's paragraph holds more than its text, and so must stay: a drawing, or paragraphs of its own
// (a VML text box's), which may hold other sections' tags (dropping it with them freed their nodes twice;
// found by fuzz/docx_template_fuzz.cpp).
bool HoldsMoreThanText(pugi::xml_node paragraph) {
  return paragraph.find_node([](pugi::xml_node n) { return Named(n, "w:drawing") || Named(n, "w:p"); });
}

bool ContainsPageBreak(pugi::xml_node paragraph) {
  return paragraph.find_node([](pugi::xml_node n) {
    return Named(n, "w:br") && std::string_view(n.attribute("w:type").value()) == "page";
  });
}

std::string TextOf(pugi::xml_node t) {
  std::string text;
  for (pugi::xml_node child : t.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
  }
  return text;
}

// U+00A0 counts as a space where docxtemplater reads a tag's prefix.
std::string WithPlainSpaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') {
      out += ' ';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Compiler {
 public:
  Compiler(std::string_view part, std::string_view xml) : part_(part), xml_(xml) {}

  CompiledPart Run() {
    if (xml_.find('{') == std::string_view::npos && xml_.find('}') == std::string_view::npos) return {};
    if (xml_.find(kMarkerTarget) != std::string_view::npos) {
      AddProblem(-1, "the part holds the reserved text \u201c" + std::string(kMarkerTarget) + "\u201d");
      return Finish();
    }
    const pugi::xml_parse_result parsed = doc_.load_buffer(
        xml_.data(), xml_.size(), pugi::parse_full | pugi::parse_ws_pcdata, pugi::encoding_utf8);
    if (!parsed) {
      AddProblem(-1, std::string("the XML is not well-formed: ") + parsed.description() + " at byte " +
                         std::to_string(parsed.offset));
      return Finish();
    }
    CollectParagraphs();
    FindTags();
    if (tags_.empty() && result_.problems.empty()) return {};
    result_.has_tags = true;
    PairSections();
    for (std::size_t s = 0; s < sections_.size(); ++s) PlaceSection(static_cast<int>(s));
    if (!result_.problems.empty()) return Finish();
    RewriteRuns();
    InsertRangeMarkers();
    InsertGuards();
    BuildProgram();
    return Finish();
  }

 private:
  CompiledPart Finish() {
    if (!result_.problems.empty()) result_.program = {};
    result_.program.part = std::string(part_);
    return std::move(result_);
  }

  void AddProblem(int paragraph, std::string message) {
    result_.problems.push_back(
        {std::string(part_), paragraph < 0 ? "" : Shorten(paragraphs_[paragraph].text), std::move(message)});
  }

  // Paragraphs in document order of their start, each with its own runs: the text of a text box belongs
  // to the paragraph inside the box, not to the one holding the box.
  void CollectParagraphs() {
    struct Walker : pugi::xml_tree_walker {
      Compiler* self;
      std::vector<std::pair<int, int>> open;  // paragraph, depth
      bool for_each(pugi::xml_node& node) override {
        if (node.type() != pugi::node_element) return true;
        while (!open.empty() && open.back().second >= depth()) open.pop_back();
        if (Named(node, "w:p")) {
          self->paragraphs_.push_back({node, {}, {}, {}});
          open.emplace_back(static_cast<int>(self->paragraphs_.size()) - 1, depth());
        } else if (Named(node, "w:t") && !open.empty()) {
          Paragraph& p = self->paragraphs_[open.back().first];
          const std::size_t begin = p.text.size();
          p.text += TextOf(node);
          p.runs.push_back({node, begin, p.text.size()});
          self->run_order_.push_back(node);
        }
        return true;
      }
    } walker;
    walker.self = this;
    doc_.traverse(walker);
  }

  void FindTags() {
    for (std::size_t pi = 0; pi < paragraphs_.size(); ++pi) {
      Paragraph& p = paragraphs_[pi];
      if (p.text.find_first_of("{}") == std::string::npos) continue;
      TagScan scan = ScanTags(p.text);
      for (std::string& error : scan.errors) AddProblem(static_cast<int>(pi), std::move(error));
      for (const ScannedTag& scanned : scan.tags) {
        Tag tag;
        tag.paragraph = static_cast<int>(pi);
        tag.begin = scanned.begin;
        tag.end = scanned.end;
        tag.raw = p.text.substr(scanned.begin, scanned.end - scanned.begin);
        const std::string inside = p.text.substr(scanned.begin + 1, scanned.end - scanned.begin - 2);
        if (!Classify(inside, tag, static_cast<int>(pi))) continue;
        tag.run = RunAt(p, scanned.begin);
        tags_.push_back(std::move(tag));
      }
    }
    // Document order: by the position of the run each tag starts in.
    std::unordered_map<pugi::xml_node_struct*, std::size_t> order;
    for (std::size_t i = 0; i < run_order_.size(); ++i) order[run_order_[i].internal_object()] = i;
    std::stable_sort(tags_.begin(), tags_.end(), [&](const Tag& a, const Tag& b) {
      const std::size_t ra = order[paragraphs_[a.paragraph].runs[a.run].t.internal_object()];
      const std::size_t rb = order[paragraphs_[b.paragraph].runs[b.run].t.internal_object()];
      return ra != rb ? ra < rb : a.begin < b.begin;
    });
    for (std::size_t i = 0; i < tags_.size(); ++i)
      paragraphs_[tags_[i].paragraph].tags.push_back(static_cast<int>(i));
  }

  // The first run that holds the character at `offset` (runs are in text order, some may be empty).
  static int RunAt(const Paragraph& p, std::size_t offset) {
    auto it = std::upper_bound(p.runs.begin(), p.runs.end(), offset,
                               [](std::size_t at, const TextRun& run) { return at < run.end; });
    if (it == p.runs.end()) --it;
    return static_cast<int>(it - p.runs.begin());
  }

  // docxtemplater's core prefixes; false when the tag is refused (reported).
  bool Classify(const std::string& inside, Tag& tag, int paragraph) {
    const std::string plain = WithPlainSpaces(inside);
    const char prefix = plain.empty() ? '\0' : plain[0];
    if (prefix == '#' || prefix == '^') {
      tag.kind = TagKind::kOpen;
      tag.inverted = prefix == '^';
      tag.name = plain.substr(1);
    } else if (prefix == '/') {
      tag.kind = TagKind::kClose;
      tag.name = plain.substr(1);
    } else if (prefix == '-' && plain.size() > 1 && !IsSpace(plain[1])) {
      // {-w:p name}: the element to repeat, a space, the name
      const std::size_t space = std::find_if(plain.begin() + 1, plain.end(), IsSpace) - plain.begin();
      if (space + 1 >= plain.size()) {
        tag.name = inside;  // no name after it: an ordinary value tag, as docxtemplater reads it
        return true;
      }
      tag.kind = TagKind::kOpen;
      tag.expand_to = plain.substr(1, space - 1);
      tag.name = plain.substr(space + 1);
    } else if (prefix == '@') {
      AddProblem(paragraph, "the tag " + tag.raw + " inserts raw XML, which is not supported: use text tags");
      return false;
    } else if (prefix == '=') {
      AddProblem(paragraph,
                 "the tag " + tag.raw + " changes the delimiters, which is not supported: use { and }");
      return false;
    } else {
      tag.kind = TagKind::kValue;
      tag.name = inside;
    }
    return true;
  }

  std::string Opening(const Section& s) const { return tags_[s.open].raw; }

  // Pairs {#x}/{^x} with {/x} (or {/}), innermost first; reports what is left open, closes nothing or
  // closes the wrong section.
  void PairSections() {
    std::vector<int> open;  // sections
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      Tag& tag = tags_[i];
      if (tag.kind == TagKind::kOpen) {
        if (open.size() == kMaxDepth) {
          AddProblem(tag.paragraph, "the section " + tag.raw + " is nested more than " +
                                        std::to_string(kMaxDepth) + " sections deep");
          return;
        }
        sections_.push_back({static_cast<int>(i), -1, open.empty() ? -1 : open.back()});
        tag.section = static_cast<int>(sections_.size()) - 1;
        open.push_back(tag.section);
        continue;
      }
      if (tag.kind != TagKind::kClose) continue;
      if (open.empty()) {
        AddProblem(tag.paragraph, "the section end " + tag.raw + " closes no open section");
        continue;
      }
      auto matches = [&](int s) { return tag.name.empty() || tags_[sections_[s].open].name == tag.name; };
      auto found = std::find_if(open.rbegin(), open.rend(), matches);
      if (found == open.rend()) {
        const Section& top = sections_[open.back()];
        AddProblem(tag.paragraph,
                   "the section end " + tag.raw + " does not match the open section " + Opening(top));
        open.pop_back();
        continue;
      }
      while (open.back() != *found) {
        AddProblem(tags_[sections_[open.back()].open].paragraph,
                   "the section " + Opening(sections_[open.back()]) + " is not closed before " + tag.raw);
        open.pop_back();
      }
      sections_[open.back()].close = static_cast<int>(i);
      tag.section = open.back();
      open.pop_back();
    }
    for (int s : open) {
      AddProblem(tags_[sections_[s].open].paragraph,
                 "the section " + Opening(sections_[s]) + " is never closed");
    }
  }

  pugi::xml_node RunNode(const Tag& tag) const { return paragraphs_[tag.paragraph].runs[tag.run].t; }

  // Decides what a section repeats, as docxtemplater does with paragraphLoop.
  void PlaceSection(int index) {
    Section& s = sections_[index];
    if (s.close < 0) return;
    const Tag& open = tags_[s.open];
    const Tag& close = tags_[s.close];
    const pugi::xml_node start = RunNode(open), end = RunNode(close);
    const std::string what = "the section " + open.raw + "\u2026" + close.raw;

    if (!open.expand_to.empty()) {
      s.left = NearestAncestor(start, open.expand_to);
      s.right = NearestAncestor(end, open.expand_to);
      if (!s.left || !s.right) {
        AddProblem(open.paragraph, what + " is not inside a <" + open.expand_to + "> element at both ends");
      } else if (s.left.parent() != s.right.parent()) {
        AddProblem(open.paragraph,
                   what + " starts and ends in <" + open.expand_to + "> elements of different parents");
      }
      s.ranged = true;
      return;
    }

    const std::vector<pugi::xml_node> end_side = PathBelowCommonAncestor(end, start);
    if (HasElement(end_side, "w:tc")) {  // the tags are in different cells: repeat the rows
      s.ranged = true;
      s.left = NearestAncestor(start, "w:tr");
      s.right = NearestAncestor(end, "w:tr");
      if (!s.left || !s.right || s.left.parent() != s.right.parent()) {
        AddProblem(open.paragraph,
                   what + " spans table cells, but its two ends are not in rows of the same table");
      }
      return;
    }
    const Paragraph& first = paragraphs_[open.paragraph];
    const Paragraph& last = paragraphs_[close.paragraph];
    if (HasElement(end_side, "w:p") && open.begin == 0 && open.end == first.text.size() && close.begin == 0 &&
        close.end == last.text.size()) {  // each tag alone in its paragraph: repeat the paragraphs between
      s.ranged = true;
      s.left = first.node;
      s.right = last.node;
      if (s.left.parent() != s.right.parent()) {
        AddProblem(open.paragraph,
                   what +
                       " stands in paragraphs at different levels (one in a table or text box, "
                       "the other not), so the paragraphs between them cannot be repeated");
        return;
      }
      s.drop_left = !HoldsMoreThanText(s.left);
      s.drop_right = !HoldsMoreThanText(s.right);
      s.page_break_before = ContainsPageBreak(s.left);
      s.page_break_after = ContainsPageBreak(s.right);
      return;
    }
    // Repeat the XML between the two tags: it must close exactly what it opens.
    const std::vector<pugi::xml_node> start_side = PathBelowCommonAncestor(start, end);
    bool balanced = start_side.size() == end_side.size();
    for (std::size_t i = 0; balanced && i < start_side.size(); ++i) {
      balanced = std::strcmp(start_side[i].name(), end_side[i].name()) == 0;
    }
    if (!balanced) {
      AddProblem(open.paragraph,
                 what +
                     " starts and ends inside different structures (paragraphs, links, fields "
                     "or tables), so repeating it would break the document; put both tags in "
                     "one paragraph, in cells of one table row, or alone in paragraphs");
    }
  }

  bool NeedsTextMarker(const Tag& tag) const {
    return tag.kind == TagKind::kValue || !sections_[tag.section].ranged;
  }

  int AddMarker(MarkerKind kind, int index) {
    markers_.push_back({kind, index});
    return static_cast<int>(markers_.size()) - 1;
  }

  static void SetMarker(pugi::xml_node pi, int marker) {
    pi.set_name(std::string(kMarkerTarget).c_str());
    pi.set_value(std::to_string(marker).c_str());
  }

  // Rewrites the runs a tag touches: the tag leaves the text, its marker stays where it started.
  void RewriteRuns() {
    for (Paragraph& p : paragraphs_) {
      if (p.tags.empty()) continue;
      std::size_t first = 0;  // the first tag that does not end before the run: tags and runs are in order
      for (const TextRun& run : p.runs) {
        struct Piece {
          std::string text;
          int marker = -1;
        };
        std::vector<Piece> pieces;
        bool touched = false;
        std::size_t at = run.begin;
        while (first < p.tags.size() && tags_[p.tags[first]].end <= run.begin) ++first;
        for (std::size_t k = first; k < p.tags.size() && tags_[p.tags[k]].begin < run.end; ++k) {
          const int ti = p.tags[k];
          const Tag& tag = tags_[ti];
          touched = true;
          if (tag.begin > at) pieces.push_back({p.text.substr(at, tag.begin - at)});
          if (tag.begin >= run.begin && NeedsTextMarker(tag)) {
            const MarkerKind kind = tag.kind == TagKind::kValue  ? MarkerKind::kValue
                                    : tag.kind == TagKind::kOpen ? MarkerKind::kOpen
                                                                 : MarkerKind::kClose;
            pieces.push_back({{}, AddMarker(kind, kind == MarkerKind::kValue ? ti : tag.section)});
          }
          at = std::max(at, std::min(tag.end, run.end));
        }
        if (!touched) continue;
        if (at < run.end) pieces.push_back({p.text.substr(at, run.end - at)});
        pugi::xml_node t = run.t;
        while (t.first_child()) t.remove_child(t.first_child());
        for (const Piece& piece : pieces) {
          if (piece.marker >= 0) {
            SetMarker(t.append_child(pugi::node_pi), piece.marker);
          } else {
            t.append_child(pugi::node_pcdata).set_value(piece.text.c_str());
          }
        }
        pugi::xml_attribute space = t.attribute("xml:space");
        (space ? space : t.append_attribute("xml:space")).set_value("preserve");
      }
    }
  }

  // Sections that repeat elements get their markers beside those elements, outer sections first, so that
  // two sections starting at the same row nest the way their tags do.
  void InsertRangeMarkers() {
    std::vector<pugi::xml_node> dropped;
    for (std::size_t si = 0; si < sections_.size(); ++si) {
      Section& s = sections_[si];
      if (!s.ranged) continue;
      const int index = static_cast<int>(si);
      SetMarker(s.left.parent().insert_child_before(pugi::node_pi, s.left),
                AddMarker(MarkerKind::kOpen, index));
      SetMarker(s.right.parent().insert_child_after(pugi::node_pi, s.right),
                AddMarker(MarkerKind::kClose, index));
      marker_parents_.push_back(s.left.parent());
      if (s.drop_left) dropped.push_back(s.left);
      if (s.drop_right && s.right != s.left) dropped.push_back(s.right);
    }
    for (pugi::xml_node node : dropped) node.parent().remove_child(node);
  }

  // Where a section may leave an element without the content Word requires, a guard restores it.
  void InsertGuards() {
    std::unordered_set<pugi::xml_node_struct*> done;
    for (pugi::xml_node parent : marker_parents_) {
      if (!done.insert(parent.internal_object()).second) continue;
      if (Named(parent, "w:tc") || Named(parent, "w:sdtContent")) {
        const int kind = static_cast<int>(Named(parent, "w:tc") ? Kind::kCell : Kind::kBlock);
        SetMarker(parent.prepend_child(pugi::node_pi), AddMarker(MarkerKind::kGuardOpen, kind));
        SetMarker(parent.append_child(pugi::node_pi), AddMarker(MarkerKind::kGuardClose, kind));
      } else if (Named(parent, "w:tbl")) {
        const int kind = static_cast<int>(Kind::kTable);
        SetMarker(parent.parent().insert_child_before(pugi::node_pi, parent),
                  AddMarker(MarkerKind::kGuardOpen, kind));
        SetMarker(parent.parent().insert_child_after(pugi::node_pi, parent),
                  AddMarker(MarkerKind::kGuardClose, kind));
      }
    }
  }

  int ContextOf(int paragraph) {
    auto [it, added] =
        context_index_.try_emplace(paragraph, static_cast<int>(result_.program.contexts.size()));
    if (added) result_.program.contexts.push_back(Shorten(paragraphs_[paragraph].text));
    return it->second;
  }

  // Serialises the part once and cuts it at the markers into the program tree.
  void BuildProgram() {
    std::string xml;
    xml.reserve(xml_.size() + xml_.size() / 8);
    StringWriter writer(xml);
    doc_.save(writer, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);

    struct Open {
      std::vector<ProgramNode>* nodes;
      int section;  // -1 for guards
      Kind kind;
    };
    std::vector<Open> stack{{&result_.program.nodes, -1, Kind::kLiteral}};
    auto enclosing_section = [&]() {
      for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if (it->section >= 0) return it->section;
      }
      return -1;
    };
    auto literal = [&](std::string_view text) {
      if (text.empty()) return;
      result_.program.literal_size += text.size();
      std::vector<ProgramNode>& nodes = *stack.back().nodes;
      if (!nodes.empty() && nodes.back().kind == Kind::kLiteral) {
        nodes.back().text.append(text);
      } else {
        nodes.push_back({Kind::kLiteral, std::string(text)});
      }
    };
    auto overlap = [&](int section) {
      AddProblem(
          tags_[sections_[section].open].paragraph,
          "the section " + Opening(sections_[section]) +
              " overlaps another section: with the rows or paragraphs they repeat, neither lies inside "
              "the other");
    };

    std::size_t at = 0;
    while (true) {
      const std::size_t found = xml.find(kMarkerOpen, at);
      if (found == std::string::npos) break;
      literal(std::string_view(xml).substr(at, found - at));
      const std::size_t number = found + kMarkerOpen.size();
      const std::size_t close = xml.find("?>", number);
      std::size_t index = markers_.size();
      std::from_chars(xml.data() + number, xml.data() + std::min(close, xml.size()), index);
      if (close == std::string::npos || index >= markers_.size()) {
        AddProblem(-1, "internal error: an unexpected marker in the compiled part");
        return;
      }
      const Marker marker = markers_[index];
      at = close + 2;
      switch (marker.kind) {
        case MarkerKind::kValue: {
          const Tag& tag = tags_[marker.index];
          ProgramNode node{Kind::kValue, tag.name};
          node.context = ContextOf(tag.paragraph);
          stack.back().nodes->push_back(std::move(node));
          break;
        }
        case MarkerKind::kOpen: {
          const Section& s = sections_[marker.index];
          if (enclosing_section() != s.parent) {
            overlap(marker.index);
            return;
          }
          const Tag& tag = tags_[s.open];
          ProgramNode node{Kind::kSection, tag.name};
          node.inverted = tag.inverted;
          node.page_break_before = s.page_break_before;
          node.page_break_after = s.page_break_after;
          stack.back().nodes->push_back(std::move(node));
          stack.push_back({&stack.back().nodes->back().children, marker.index, Kind::kSection});
          break;
        }
        case MarkerKind::kClose:
          if (stack.back().section != marker.index) {
            overlap(marker.index);
            return;
          }
          stack.pop_back();
          break;
        case MarkerKind::kGuardOpen: {
          stack.back().nodes->push_back({static_cast<Kind>(marker.index), {}});
          stack.push_back({&stack.back().nodes->back().children, -1, static_cast<Kind>(marker.index)});
          break;
        }
        case MarkerKind::kGuardClose:
          if (stack.back().section != -1 || stack.back().kind != static_cast<Kind>(marker.index)) {
            overlap(enclosing_section() >= 0 ? enclosing_section() : 0);
            return;
          }
          stack.pop_back();
          break;
      }
    }
    literal(std::string_view(xml).substr(at));
  }

  std::string_view part_;
  std::string_view xml_;
  pugi::xml_document doc_;
  std::vector<Paragraph> paragraphs_;
  std::vector<pugi::xml_node> run_order_;
  std::vector<Tag> tags_;
  std::vector<Section> sections_;
  std::vector<Marker> markers_;
  std::vector<pugi::xml_node> marker_parents_;
  std::unordered_map<int, int> context_index_;
  CompiledPart result_;
};

}  // namespace

CompiledPart CompilePart(std::string_view part_name, std::string_view xml) {
  return Compiler(part_name, xml).Run();
}

}  // namespace spegla::docx
