#include "text_merge.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>

namespace spegla {
namespace {

// The work limit for one merge: both diffs, then sliding and pairing the hunks. Texts are up to 100,000
// characters (some 40,000 tokens); thousands of scattered word edits stay below it (3,000 replacements in
// 40,000 tokens take about 19 million steps), while two wholesale rewrites would take billions, and a save
// must not hold a request thread that long.
constexpr int64_t kMaxDiffSteps = 50'000'000;

enum class TokenClass { kWord, kSpace, kOther };

// Length of the well-formed UTF-8 sequence at s[i], storing its code point; 0 when s[i] does not start one
// (overlong forms, surrogates and code points above U+10FFFF included), as FirstInvalidUtf8 judges.
size_t DecodeAt(std::string_view s, size_t i, char32_t* cp) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t extra;
  char32_t value;
  if (c >= 0xC2 && c <= 0xDF) {
    extra = 1;
    value = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    extra = 2;
    value = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    extra = 3;
    value = c & 0x07;
  } else {
    return 0;
  }
  if (extra > s.size() - i - 1) return 0;
  for (size_t k = 1; k <= extra; ++k) {
    const unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if ((extra == 2 && value < 0x800) || (value >= 0xD800 && value <= 0xDFFF) ||
      (extra == 3 && (value < 0x10000 || value > 0x10FFFF))) {
    return 0;
  }
  *cp = value;
  return extra + 1;
}

bool IsSpace(char32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

// Without Unicode's tables: people's words are letters of some script, and the blocks below are where
// punctuation, symbols and emoji live. An emoji is thereby a token of its own, not glued to the word before.
bool IsWordChar(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;  // Latin-1 signs, but ª µ º are letters
  if (cp == 0xD7 || cp == 0xF7) return false;                    // × ÷
  const bool symbol = (cp >= 0x2000 && cp <= 0x2BFF) ||          // punctuation, arrows, maths, dingbats
                      (cp >= 0x3000 && cp <= 0x303F) ||          // CJK punctuation
                      (cp >= 0xE000 && cp <= 0xF8FF) ||          // private use
                      (cp >= 0xFE00 && cp <= 0xFE0F) ||          // variation selectors
                      (cp >= 0xFE30 && cp <= 0xFE6F) ||          // CJK compatibility and small forms
                      (cp >= 0xFFF0 && cp <= 0xFFFF) ||          // specials
                      (cp >= 0x1F000 && cp <= 0x1FAFF) ||        // emoji and pictographs
                      cp >= 0xE0000;                             // tags, private use planes
  return !symbol;
}

TokenClass Classify(char32_t cp) {
  if (IsSpace(cp)) return TokenClass::kSpace;
  return IsWordChar(cp) ? TokenClass::kWord : TokenClass::kOther;
}

// Tokens as small integers, equal exactly when their text is, so the diff compares integers.
class TokenTable {
 public:
  std::vector<int32_t> Intern(std::string_view text) {
    std::vector<int32_t> ids;
    for (std::string_view token : TextMergeTokens(text)) {
      auto [it, added] = ids_.try_emplace(token, static_cast<int32_t>(texts_.size()));
      if (added) {
        texts_.push_back(token);
        char32_t cp = 0;
        words_.push_back(DecodeAt(token, 0, &cp) > 0 && Classify(cp) == TokenClass::kWord);
      }
      ids.push_back(it->second);
    }
    return ids;
  }
  std::string_view Text(int32_t id) const { return texts_[static_cast<size_t>(id)]; }
  bool IsWord(int32_t id) const { return words_[static_cast<size_t>(id)]; }

 private:
  std::unordered_map<std::string_view, int32_t> ids_;
  std::vector<std::string_view> texts_;  // views into the merged texts, which outlive the table
  std::vector<bool> words_;
};

using Tokens = std::span<const int32_t>;

enum class EditKind : uint8_t { kEqual, kDelete, kInsert };

struct Edit {
  EditKind kind;
  size_t count;
};

// A shortest edit script from a to b (Myers, "An O(ND) Difference Algorithm and Its Variations", 1986):
// common prefix and suffix stripped, then split at the middle snake, found from both ends at once, and
// recursed on both halves. O((N+M)·D) time and O(N+M) space, counted against a shared budget of steps.
class Differ {
 public:
  explicit Differ(int64_t* steps_left) : steps_left_(steps_left) {}

  // False when the budget ran out; `edits` is then incomplete.
  bool Run(Tokens a, Tokens b, std::vector<Edit>* edits) {
    edits_ = edits;
    Diff(a, b);
    return *steps_left_ >= 0;
  }

 private:
  bool Spend(int64_t steps) {
    *steps_left_ -= steps;
    return *steps_left_ >= 0;
  }

  void Add(EditKind kind, size_t count) {
    if (count == 0) return;
    if (!edits_->empty() && edits_->back().kind == kind) {
      edits_->back().count += count;
    } else {
      edits_->push_back(Edit{kind, count});
    }
  }

  void Diff(Tokens a, Tokens b) {
    size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
    a = a.subspan(prefix);
    b = b.subspan(prefix);
    size_t suffix = 0;
    while (suffix < a.size() && suffix < b.size() && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
      ++suffix;
    }
    a = a.first(a.size() - suffix);
    b = b.first(b.size() - suffix);
    if (!Spend(static_cast<int64_t>(prefix + suffix) + 1)) return;

    Add(EditKind::kEqual, prefix);
    if (a.empty() || b.empty()) {
      Add(EditKind::kDelete, a.size());
      Add(EditKind::kInsert, b.size());
    } else {
      std::optional<std::pair<size_t, size_t>> split = MiddleSnake(a, b);
      if (*steps_left_ < 0) return;
      // A split at either end would recurse on the same problem; the search never gives one, but a
      // replacement of the whole range is correct all the same and certainly ends.
      if (split && !(split->first == 0 && split->second == 0) &&
          !(split->first == a.size() && split->second == b.size())) {
        Diff(a.first(split->first), b.first(split->second));
        if (*steps_left_ < 0) return;
        Diff(a.subspan(split->first), b.subspan(split->second));
        if (*steps_left_ < 0) return;
      } else {
        Add(EditKind::kDelete, a.size());
        Add(EditKind::kInsert, b.size());
      }
    }
    Add(EditKind::kEqual, suffix);
  }

  // Where a shortest path through the edit graph of a (x) and b (y) crosses between its forward and
  // reverse halves; nullopt when the two texts share no token. a and b are non-empty and differ in their
  // first and last tokens. This is the form of the search diff-match-patch uses (diff_bisect): forward
  // paths in v1 indexed by diagonal k = x - y, reverse paths in v2 measured from the ends.
  std::optional<std::pair<size_t, size_t>> MiddleSnake(Tokens a, Tokens b) {
    const int64_t n = static_cast<int64_t>(a.size());
    const int64_t m = static_cast<int64_t>(b.size());
    const int64_t max_d = (n + m + 1) / 2;
    const int64_t offset = max_d;
    // Two spare entries: diagonal d + 1 is read at the last step (and at the first when max_d is 1).
    const int64_t length = 2 * max_d + 2;
    std::vector<int64_t> v1(static_cast<size_t>(length), -1);
    std::vector<int64_t> v2(static_cast<size_t>(length), -1);
    v1[static_cast<size_t>(offset + 1)] = 0;
    v2[static_cast<size_t>(offset + 1)] = 0;
    auto at = [](std::vector<int64_t>& v, int64_t i) -> int64_t& { return v[static_cast<size_t>(i)]; };
    const int64_t delta = n - m;
    // With an odd delta the paths meet while going forward, with an even one while going back.
    const bool front = delta % 2 != 0;
    // Diagonals that left the graph (past the end of a or b) are not walked again.
    int64_t k1_start = 0, k1_end = 0, k2_start = 0, k2_end = 0;
    for (int64_t d = 0; d < max_d; ++d) {
      for (int64_t k1 = -d + k1_start; k1 <= d - k1_end; k1 += 2) {
        const int64_t k1_offset = offset + k1;
        int64_t x1 = (k1 == -d || (k1 != d && at(v1, k1_offset - 1) < at(v1, k1_offset + 1)))
                         ? at(v1, k1_offset + 1)
                         : at(v1, k1_offset - 1) + 1;
        int64_t y1 = x1 - k1;
        const int64_t snake_start = x1;
        while (x1 < n && y1 < m && a[static_cast<size_t>(x1)] == b[static_cast<size_t>(y1)]) {
          ++x1;
          ++y1;
        }
        if (!Spend(1 + x1 - snake_start)) return std::nullopt;
        at(v1, k1_offset) = x1;
        if (x1 > n) {
          k1_end += 2;
        } else if (y1 > m) {
          k1_start += 2;
        } else if (front) {
          const int64_t k2_offset = offset + delta - k1;
          if (k2_offset >= 0 && k2_offset < length && at(v2, k2_offset) != -1) {
            const int64_t x2 = n - at(v2, k2_offset);
            if (x1 >= x2) return std::pair{static_cast<size_t>(x1), static_cast<size_t>(y1)};
          }
        }
      }
      for (int64_t k2 = -d + k2_start; k2 <= d - k2_end; k2 += 2) {
        const int64_t k2_offset = offset + k2;
        int64_t x2 = (k2 == -d || (k2 != d && at(v2, k2_offset - 1) < at(v2, k2_offset + 1)))
                         ? at(v2, k2_offset + 1)
                         : at(v2, k2_offset - 1) + 1;
        int64_t y2 = x2 - k2;
        const int64_t snake_start = x2;
        while (x2 < n && y2 < m && a[static_cast<size_t>(n - x2 - 1)] == b[static_cast<size_t>(m - y2 - 1)]) {
          ++x2;
          ++y2;
        }
        if (!Spend(1 + x2 - snake_start)) return std::nullopt;
        at(v2, k2_offset) = x2;
        if (x2 > n) {
          k2_end += 2;
        } else if (y2 > m) {
          k2_start += 2;
        } else if (!front) {
          const int64_t k1_offset = offset + delta - k2;
          if (k1_offset >= 0 && k1_offset < length && at(v1, k1_offset) != -1) {
            const int64_t x1 = at(v1, k1_offset);
            const int64_t y1 = offset + x1 - k1_offset;
            if (x1 >= n - x2) return std::pair{static_cast<size_t>(x1), static_cast<size_t>(y1)};
          }
        }
      }
    }
    return std::nullopt;
  }

  int64_t* steps_left_;
  std::vector<Edit>* edits_ = nullptr;
};

// base[base_begin, base_end) replaced by side[side_begin, side_end). The reach is where else the change
// gives the same text (see MeasureReach): the hunk itself for a replacement.
struct Hunk {
  size_t base_begin, base_end;
  size_t side_begin, side_end;
  size_t reach_begin = 0, reach_end = 0;
};

// One side's change against base: its tokens and its hunks in base order.
struct Side {
  std::vector<int32_t> tokens;
  std::vector<Hunk> hunks;
};

// The edits' runs of deletions and insertions between two equal runs, each as one hunk.
std::vector<Hunk> ToHunks(const std::vector<Edit>& edits) {
  std::vector<Hunk> hunks;
  size_t i = 0, j = 0;
  bool open = false;
  for (const Edit& edit : edits) {
    if (edit.kind == EditKind::kEqual) {
      i += edit.count;
      j += edit.count;
      open = false;
      continue;
    }
    if (!open) hunks.push_back(Hunk{i, i, j, j});
    open = true;
    (edit.kind == EditKind::kDelete ? i : j) += edit.count;
    hunks.back().base_end = i;
    hunks.back().side_end = j;
  }
  return hunks;
}

// Sets each hunk's reach. A pure insertion or deletion gives the same text wherever it can slide over equal
// tokens: "x a" inserted after "a" is "a x" inserted before it. The two diffs may place one change made on
// both sides differently (each side's other edits steer its search), at places that do not touch; merged
// as two changes it would appear twice. The reach lets MergeHunks see such placements meet. A slide stays
// off the tokens of the side's own other hunks. False when the budget ran out.
bool MeasureReach(const std::vector<int32_t>& base, Side* side, int64_t* steps_left) {
  std::vector<Hunk>& hunks = side->hunks;
  for (size_t h = 0; h < hunks.size(); ++h) {
    Hunk& hunk = hunks[h];
    hunk.reach_begin = hunk.base_begin;
    hunk.reach_end = hunk.base_end;
    const bool insertion = hunk.base_begin == hunk.base_end;
    const bool deletion = hunk.side_begin == hunk.side_end;
    if (insertion == deletion) continue;  // a replacement has one place; both empty does not occur
    // The changed tokens: inserted ones in the side, deleted ones in base.
    const std::vector<int32_t>& changed = insertion ? side->tokens : base;
    const size_t first = insertion ? hunk.side_begin : hunk.base_begin;
    const size_t count = insertion ? hunk.side_end - hunk.side_begin : hunk.base_end - hunk.base_begin;
    const size_t lower = h > 0 ? hunks[h - 1].base_end : 0;
    const size_t upper = h + 1 < hunks.size() ? hunks[h + 1].base_begin : base.size();
    // Forward: the change's first token moves behind it while it equals the unchanged token that follows;
    // after r moves the change reads as its tokens rotated by r.
    for (size_t r = 0; hunk.reach_end < upper && changed[first + r % count] == base[hunk.reach_end]; ++r) {
      if (--*steps_left < 0) return false;
      ++hunk.reach_end;
    }
    // Backward likewise, its last token moving in front of it.
    for (size_t r = 0;
         hunk.reach_begin > lower && changed[first + (count - 1 - r % count)] == base[hunk.reach_begin - 1];
         ++r) {
      if (--*steps_left < 0) return false;
      --hunk.reach_begin;
    }
  }
  return true;
}

// What a hunk inserts and deletes, as sorted sets of tokens: all of them, and the telling ones: the words,
// or all tokens when there is no word (a change of punctuation or spacing only).
struct HunkContent {
  std::vector<int32_t> inserted, deleted;
  std::vector<int32_t> inserted_key, deleted_key;
};

std::vector<int32_t> SortedSet(std::span<const int32_t> tokens) {
  std::vector<int32_t> set(tokens.begin(), tokens.end());
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  return set;
}

std::vector<int32_t> KeyTokens(const std::vector<int32_t>& set, const TokenTable& table) {
  std::vector<int32_t> words;
  std::copy_if(set.begin(), set.end(), std::back_inserter(words),
               [&](int32_t id) { return table.IsWord(id); });
  return words.empty() ? set : words;
}

HunkContent ContentOf(const Hunk& hunk, const Side& side, const std::vector<int32_t>& base,
                      const TokenTable& table) {
  HunkContent content;
  content.inserted =
      SortedSet(std::span(side.tokens).subspan(hunk.side_begin, hunk.side_end - hunk.side_begin));
  content.deleted = SortedSet(std::span(base).subspan(hunk.base_begin, hunk.base_end - hunk.base_begin));
  content.inserted_key = KeyTokens(content.inserted, table);
  content.deleted_key = KeyTokens(content.deleted, table);
  return content;
}

bool Intersect(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) return true;
    (a[i] < b[j] ? i : j)++;
  }
  return false;
}

// Whether two hunks of different sides may be one change that the two diffs placed differently: one's
// telling inserted (deleted) tokens are among the other's inserted (deleted) ones.
bool MayBeOneChange(const HunkContent& a, const HunkContent& b) {
  return Intersect(a.inserted_key, b.inserted) || Intersect(b.inserted_key, a.inserted) ||
         Intersect(a.deleted_key, b.deleted) || Intersect(b.deleted_key, a.deleted);
}

// base[begin, end) as the side made it: its hunks [first, last), which lie within that range, applied.
void AppendSideVersion(const std::vector<int32_t>& base, const Side& side, size_t first, size_t last,
                       size_t begin, size_t end, std::vector<int32_t>* out) {
  size_t at = begin;
  for (size_t h = first; h < last; ++h) {
    const Hunk& hunk = side.hunks[h];
    out->insert(out->end(), base.begin() + static_cast<ptrdiff_t>(at),
                base.begin() + static_cast<ptrdiff_t>(hunk.base_begin));
    out->insert(out->end(), side.tokens.begin() + static_cast<ptrdiff_t>(hunk.side_begin),
                side.tokens.begin() + static_cast<ptrdiff_t>(hunk.side_end));
    at = hunk.base_end;
  }
  out->insert(out->end(), base.begin() + static_cast<ptrdiff_t>(at),
              base.begin() + static_cast<ptrdiff_t>(end));
}

// Hunks joined into groups (union-find over theirs' hunks, then yours').
class Groups {
 public:
  explicit Groups(size_t n) : parent_(n) {
    for (size_t i = 0; i < n; ++i) parent_[i] = i;
  }
  size_t Find(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void Join(size_t a, size_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<size_t> parent_;
};

bool Touch(size_t begin_a, size_t end_a, size_t begin_b, size_t end_b) {
  return begin_a <= end_b && begin_b <= end_a;
}

// The merged tokens; nullopt for a conflict, or when the budget ran out. Hunks of the two sides are grouped
// when they overlap or touch, or when their reaches touch and they may be one change; groups whose spans
// of base overlap form one region. A region is merged as described in the header.
std::optional<std::vector<int32_t>> MergeHunks(const std::vector<int32_t>& base, const Side& theirs,
                                               const Side& yours, const TokenTable& table,
                                               int64_t* steps_left) {
  const std::vector<Hunk>& t = theirs.hunks;
  const std::vector<Hunk>& y = yours.hunks;
  Groups groups(t.size() + y.size());
  // Each side's reaches begin and end in base order, so the pairs whose reaches touch are found in one
  // sweep. Contents are worked out only for pairs that need them.
  std::vector<std::optional<HunkContent>> their_content(t.size()), your_content(y.size());
  size_t y_from = 0;
  for (size_t ti = 0; ti < t.size(); ++ti) {
    while (y_from < y.size() && y[y_from].reach_end < t[ti].reach_begin) ++y_from;
    for (size_t yi = y_from; yi < y.size() && y[yi].reach_begin <= t[ti].reach_end; ++yi) {
      if (--*steps_left < 0) return std::nullopt;
      bool join = Touch(t[ti].base_begin, t[ti].base_end, y[yi].base_begin, y[yi].base_end);
      if (!join) {
        if (!their_content[ti]) their_content[ti] = ContentOf(t[ti], theirs, base, table);
        if (!your_content[yi]) your_content[yi] = ContentOf(y[yi], yours, base, table);
        *steps_left -=
            static_cast<int64_t>(their_content[ti]->inserted.size() + their_content[ti]->deleted.size() +
                                 your_content[yi]->inserted.size() + your_content[yi]->deleted.size());
        join = MayBeOneChange(*their_content[ti], *your_content[yi]);
      }
      if (join) groups.Join(ti, t.size() + yi);
    }
  }

  // Each group's span of base, then regions: the spans in order, overlapping or touching ones together.
  std::vector<std::pair<size_t, size_t>> spans(t.size() + y.size(), {SIZE_MAX, 0});
  for (size_t h = 0; h < t.size() + y.size(); ++h) {
    const Hunk& hunk = h < t.size() ? t[h] : y[h - t.size()];
    std::pair<size_t, size_t>& span = spans[groups.Find(h)];
    span = {std::min(span.first, hunk.base_begin), std::max(span.second, hunk.base_end)};
  }
  std::erase_if(spans, [](const std::pair<size_t, size_t>& span) { return span.first == SIZE_MAX; });
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<size_t, size_t>> regions;
  for (const auto& span : spans) {
    if (!regions.empty() && span.first <= regions.back().second) {
      regions.back().second = std::max(regions.back().second, span.second);
    } else {
      regions.push_back(span);
    }
  }

  std::vector<int32_t> merged;
  merged.reserve(base.size() + theirs.tokens.size() / 8 + yours.tokens.size() / 8);
  size_t ti = 0, yi = 0, copied = 0;
  for (const auto& [begin, end] : regions) {
    const size_t t_first = ti, y_first = yi;
    while (ti < t.size() && t[ti].base_begin <= end) ++ti;
    while (yi < y.size() && y[yi].base_begin <= end) ++yi;
    merged.insert(merged.end(), base.begin() + static_cast<ptrdiff_t>(copied),
                  base.begin() + static_cast<ptrdiff_t>(begin));
    if (yi == y_first) {
      AppendSideVersion(base, theirs, t_first, ti, begin, end, &merged);
    } else if (ti == t_first) {
      AppendSideVersion(base, yours, y_first, yi, begin, end, &merged);
    } else {
      // Both changed this stretch: fine only if they agree on what it now says.
      std::vector<int32_t> their_version, your_version;
      AppendSideVersion(base, theirs, t_first, ti, begin, end, &their_version);
      AppendSideVersion(base, yours, y_first, yi, begin, end, &your_version);
      if (their_version != your_version) return std::nullopt;
      merged.insert(merged.end(), their_version.begin(), their_version.end());
    }
    copied = end;
  }
  merged.insert(merged.end(), base.begin() + static_cast<ptrdiff_t>(copied), base.end());
  return merged;
}

}  // namespace

std::vector<std::string_view> TextMergeTokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const size_t length = DecodeAt(text, i, &cp);
    if (length == 0) {
      tokens.push_back(text.substr(i, 1));
      ++i;
      continue;
    }
    const TokenClass token_class = Classify(cp);
    size_t end = i + length;
    if (token_class != TokenClass::kOther) {
      while (end < text.size()) {
        const size_t next = DecodeAt(text, end, &cp);
        if (next == 0 || Classify(cp) != token_class) break;
        end += next;
      }
    }
    tokens.push_back(text.substr(i, end - i));
    i = end;
  }
  return tokens;
}

TextMerge MergeText(std::string_view base, std::string_view theirs, std::string_view yours) {
  if (theirs == base || theirs == yours) return TextMerge{true, std::string(yours)};
  if (yours == base) return TextMerge{true, std::string(theirs)};

  TokenTable table;
  const std::vector<int32_t> base_tokens = table.Intern(base);
  Side their_side{table.Intern(theirs), {}};
  Side your_side{table.Intern(yours), {}};

  int64_t steps_left = kMaxDiffSteps;
  for (Side* side : {&their_side, &your_side}) {
    std::vector<Edit> edits;
    if (!Differ(&steps_left).Run(base_tokens, side->tokens, &edits)) return TextMerge{};
    side->hunks = ToHunks(edits);
    if (!MeasureReach(base_tokens, side, &steps_left)) return TextMerge{};
  }

  std::optional<std::vector<int32_t>> merged =
      MergeHunks(base_tokens, their_side, your_side, table, &steps_left);
  if (!merged) return TextMerge{};
  TextMerge result{true, {}};
  size_t size = 0;
  for (int32_t id : *merged) size += table.Text(id).size();
  result.merged.reserve(size);
  for (int32_t id : *merged) result.merged += table.Text(id);
  return result;
}

}  // namespace spegla
