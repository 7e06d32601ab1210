// Three-way merge of long form texts that several people edit at once (internal; docs/collaboration.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spegla {

// The outcome of MergeText. A conflict (clean false) leaves `merged` empty: the editor resolves it by hand.
struct TextMerge {
  bool clean = false;  // both edits applied without overlap
  std::string merged;  // the merged text when clean
};

// Merges the edits `theirs` (saved meanwhile) and `yours` (being saved) both made to `base`. The rules:
//  1. Shortcuts: theirs == base gives yours; yours == base gives theirs; theirs == yours gives that text.
//  2. Texts are split into tokens (TextMergeTokens): runs of letters/digits, runs of whitespace, and single
//     other characters. A multi-byte UTF-8 character is never split, so well-formed texts merge well-formed.
//  3. Each side is diffed against base over tokens (Myers, linear space). Its changes are hunks: a range of
//     base tokens (empty for an insertion) replaced by the side's tokens; one side's hunks always have an
//     unchanged token between them.
//  4. A hunk of theirs and one of yours go together when they overlap or touch (both insert at one point,
//     or one's change is next to the other's with no unchanged token between). They also go together when
//     one is a pure insertion or deletion that could slide over equal tokens ("x a" inserted after "a" is
//     "a x" inserted before it) to touch the other, and the two insert or delete a same word (a same token
//     if one has no word): the diffs may have placed one change made on both sides differently.
//  5. Where hunks went together, both sides must have made that stretch of text the same (it is then taken
//     once); otherwise the whole merge is a conflict. All other hunks are applied to base. Neither side's
//     change is ever dropped; rule 4 keeps a change both made from being applied twice.
//  6. The work is capped at 50 million steps (the diffs take about (N+M)·D for N+M tokens and D changed);
//     past that the merge is a conflict rather than a long wait.
TextMerge MergeText(std::string_view base, std::string_view theirs, std::string_view yours);

// The tokens MergeText diffs, in order; they concatenate to `text`. Letters are ASCII letters and digits
// and the non-ASCII characters outside the punctuation, symbol and emoji blocks (so å, ä, ö, é and
// combining accents belong to words); whitespace includes no-break and typographic spaces. A byte that is
// not well-formed UTF-8 is a token of its own, so malformed text passes through unchanged.
std::vector<std::string_view> TextMergeTokens(std::string_view text);

}  // namespace spegla
