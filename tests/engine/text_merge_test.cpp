// Three-way merge of long texts: two people's edits to one form text merge when they do not overlap, and
// are a conflict when they do, without ever dropping either side.
#include "../../engine/src/text_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "spegla/utf8.h"

namespace spegla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

void ExpectClean(std::string_view base, std::string_view theirs, std::string_view yours,
                 std::string_view merged) {
  TextMerge m = MergeText(base, theirs, yours);
  EXPECT_TRUE(m.clean) << "base: " << base << "\ntheirs: " << theirs << "\nyours: " << yours;
  EXPECT_EQ(m.merged, merged);
}

void ExpectConflict(std::string_view base, std::string_view theirs, std::string_view yours) {
  TextMerge m = MergeText(base, theirs, yours);
  EXPECT_FALSE(m.clean) << "merged as: " << m.merged;
  EXPECT_EQ(m.merged, "");
}

// ---- Tokens -----------------------------------------------------------------------------------------

TEST(TextMergeTest, TokensAreWordsWhitespaceRunsAndSingleOtherCharacters) {
  EXPECT_THAT(TextMergeTokens("Hej, världen!  Nr 42."),
              ElementsAre("Hej", ",", " ", "världen", "!", "  ", "Nr", " ", "42", "."));
  EXPECT_THAT(TextMergeTokens(""), ElementsAre());
  EXPECT_THAT(TextMergeTokens("a\n\n\tb"), ElementsAre("a", "\n\n\t", "b"));
}

TEST(TextMergeTest, TokensNeverSplitMultiByteCharacters) {
  // Swedish letters belong to the word; emoji, typographic dashes and quotes are characters of their own;
  // a no-break space is whitespace.
  EXPECT_THAT(TextMergeTokens("Åsa får öl – ”skål” 🎉👍🏽\u00a0ÄR"),
              ElementsAre("Åsa", " ", "får", " ", "öl", " ", "–", " ", "”", "skål", "”", " ", "🎉", "👍",
                          "🏽", "\u00a0", "ÄR"));
  // A decomposed å (a + combining ring) is one word too.
  EXPECT_THAT(TextMergeTokens("ga\u030ar"), ElementsAre("ga\u030ar"));
}

TEST(TextMergeTest, MalformedBytesAreTokensOfTheirOwnAndSurvive) {
  const std::string bad = "ab\xC3 c\xFF\xE2\x82";
  EXPECT_THAT(TextMergeTokens(bad), ElementsAre("ab", "\xC3", " ", "c", "\xFF", "\xE2", "\x82"));
  ExpectClean(bad, "X" + bad, bad + "Y", "X" + bad + "Y");
}

// ---- Trivial cases ----------------------------------------------------------------------------------

TEST(TextMergeTest, OnlyOneSideChangedTakesThatSide) {
  ExpectClean("Ett två tre", "Ett två tre", "Ett 2 tre", "Ett 2 tre");
  ExpectClean("Ett två tre", "Ett två tre fyra", "Ett två tre", "Ett två tre fyra");
  ExpectClean("", "", "Ny text", "Ny text");
  ExpectClean("", "Ny text", "", "Ny text");
  ExpectClean("Allt", "", "Allt", "");
}

TEST(TextMergeTest, BothSidesSameTextTakesIt) {
  ExpectClean("Ett två", "Ett två tre", "Ett två tre", "Ett två tre");
  ExpectClean("Ett två", "Ett två", "Ett två", "Ett två");
  ExpectClean("Ett två", "", "", "");
}

// ---- Clean merges -----------------------------------------------------------------------------------

TEST(TextMergeTest, EditsInDifferentParagraphsMerge) {
  const std::string base =
      "Styrelsen föreslår att årsmötet fastställer budgeten.\n\n"
      "Revisorerna har granskat räkenskaperna och tillstyrker ansvarsfrihet.\n\n"
      "Nästa möte hålls i mars.";
  const std::string theirs =
      "Styrelsen föreslår att årsmötet fastställer den reviderade budgeten.\n\n"
      "Revisorerna har granskat räkenskaperna och tillstyrker ansvarsfrihet.\n\n"
      "Nästa möte hålls i mars.";
  const std::string yours =
      "Styrelsen föreslår att årsmötet fastställer budgeten.\n\n"
      "Revisorerna har granskat räkenskaperna och tillstyrker ansvarsfrihet.\n\n"
      "Nästa möte hålls i april i Malmö.";
  ExpectClean(base, theirs, yours,
              "Styrelsen föreslår att årsmötet fastställer den reviderade budgeten.\n\n"
              "Revisorerna har granskat räkenskaperna och tillstyrker ansvarsfrihet.\n\n"
              "Nästa möte hålls i april i Malmö.");
  // Same result with the roles swapped.
  ExpectClean(base, yours, theirs,
              "Styrelsen föreslår att årsmötet fastställer den reviderade budgeten.\n\n"
              "Revisorerna har granskat räkenskaperna och tillstyrker ansvarsfrihet.\n\n"
              "Nästa möte hålls i april i Malmö.");
}

TEST(TextMergeTest, EditsInDifferentWordsOfOneSentenceMerge) {
  ExpectClean("Den snabba bruna räven hoppar över den lata hunden.",
              "Den långsamma bruna räven hoppar över den lata hunden.",
              "Den snabba bruna räven hoppar över den pigga hunden.",
              "Den långsamma bruna räven hoppar över den pigga hunden.");
  // Neighbouring words: the space between them is unchanged, so the edits do not touch.
  ExpectClean("Den snabba bruna räven", "Den långsamma bruna räven", "Den snabba röda räven",
              "Den långsamma röda räven");
}

TEST(TextMergeTest, SameChangeOnBothSidesIsTakenOnce) {
  // Both fixed the same typo; one also changed something else.
  ExpectClean("Mötet hölls i Göterborg den 3 mars.", "Mötet hölls i Göteborg den 3 mars.",
              "Mötet hölls i Göteborg den 4 mars.", "Mötet hölls i Göteborg den 4 mars.");
  // Both appended the same sentence.
  ExpectClean("Ett.", "Ett. Två.", "Ett. Två.", "Ett. Två.");
  ExpectClean("Ett. Tre.", "Noll. Ett. Två. Tre.", "Ett. Två. Tre.", "Noll. Ett. Två. Tre.");
}

TEST(TextMergeTest, OneChangeTheDiffsPlaceDifferentlyIsNeverTakenTwice) {
  // Both inserted "Två. ": against base, theirs reads as ". Två" after "Ett" and yours as "Två. " before
  // "Tre" (theirs' other insertion steers its diff). Equivalent placements, taken once.
  ExpectClean("Ett. Tre.", "Noll. Ett. Två. Tre.", "Ett. Två. Tre.", "Noll. Ett. Två. Tre.");
  // Both inserted "nej" before the second "ja"; yours also changed the first "ja", and its diff folds the
  // insertion into that change. Not two insertions of "nej".
  TextMerge m = MergeText("ja ja, vi ses", "ja nej ja, vi ses", "jo nej ja, vi ses");
  if (m.clean) {
    EXPECT_EQ(m.merged, "jo nej ja, vi ses");
  }
}

TEST(TextMergeTest, DeletionOnOneSideAndEditElsewhereMerge) {
  ExpectClean("Vi ses i morgon, om vädret tillåter, vid sjön klockan tio.",
              "Vi ses i morgon vid sjön klockan tio.",
              "Vi ses i morgon, om vädret tillåter, vid sjön klockan elva.",
              "Vi ses i morgon vid sjön klockan elva.");
  // The deleted paragraph could as well be read as ".\n\nMötet är inställt" right after "mars", but it shares
  // no word with the change of "mars".
  ExpectClean("Vi ses i mars.\n\nMötet är inställt.\n\nHälsningar", "Vi ses i mars.\n\nHälsningar",
              "Vi ses i april.\n\nMötet är inställt.\n\nHälsningar", "Vi ses i april.\n\nHälsningar");
  ExpectClean("Första stycket.\n\nAndra stycket.\n\nTredje stycket.", "Första stycket.\n\nTredje stycket.",
              "Första stycket, ändrat.\n\nAndra stycket.\n\nTredje stycket.",
              "Första stycket, ändrat.\n\nTredje stycket.");
}

TEST(TextMergeTest, SwedishTextAndEmojiStayIntact) {
  const std::string base =
      "Vi ses på årsmötet i Göteborg 🎉 nästa vecka. Ta med ölkorv och 👍🏽!";
  const std::string theirs =
      "Vi ses på extramötet i Göteborg 🎉 nästa vecka. Ta med ölkorv och 👍🏽!";
  const std::string yours =
      "Vi ses på årsmötet i Göteborg 🎈 nästa vecka. Ta med äppelkaka och 👍🏿!";
  const std::string want =
      "Vi ses på extramötet i Göteborg 🎈 nästa vecka. Ta med äppelkaka och 👍🏿!";
  TextMerge m = MergeText(base, theirs, yours);
  ASSERT_TRUE(m.clean);
  EXPECT_EQ(m.merged, want);
  EXPECT_TRUE(IsValidUtf8(m.merged));
  EXPECT_EQ(CountCodePoints(m.merged), CountCodePoints(want));
  // Letters that share their first byte (å is C3 A5, ä is C3 A4) are whole characters, never half-merged.
  ExpectClean("ä och ö", "å och ö", "ä och ø", "å och ø");
  ExpectConflict("ä", "å", "ö");
}

// ---- Conflicts --------------------------------------------------------------------------------------

TEST(TextMergeTest, BothAppendingAtTheEndIsAConflict) {
  ExpectConflict("Protokoll.", "Protokoll. Justerat av Anna.", "Protokoll. Justerat av Bo.");
  ExpectConflict("Protokoll.", "Protokoll.\n\nBilaga 1.", "Protokoll.\n\nBilaga 2.");
  // Both inserting at one point in the middle too.
  ExpectConflict("a b", "a x b", "a y b");
}

TEST(TextMergeTest, SameWordChangedDifferentlyIsAConflict) {
  ExpectConflict("Mötet hålls i mars.", "Mötet hålls i april.", "Mötet hålls i maj.");
}

TEST(TextMergeTest, AdjacentChangesWithNothingUnchangedBetweenAreAConflict) {
  // One changes a word, the other inserts right after it.
  ExpectConflict("Mötet hålls i mars.", "Mötet hålls i april.", "Mötet hålls i mars!.");
  // One changes a word, the other the punctuation touching it.
  ExpectConflict("Mötet hålls i mars.", "Mötet hålls i april.", "Mötet hålls i mars!");
}

TEST(TextMergeTest, DeletingARangeTheOtherEditsInsideIsAConflict) {
  const std::string base = "Vi ses i morgon, om vädret tillåter, vid sjön klockan tio.";
  ExpectConflict(base, "Vi ses i morgon vid sjön klockan tio.",
                 "Vi ses i morgon, om solen skiner, vid sjön klockan tio.");
  ExpectConflict(base, "Vi ses i morgon, om vädret tillåter, vid sjön klockan tio, kanske.",
                 "Vi ses i morgon, om vädret tillåter.");
}

TEST(TextMergeTest, EmptyBaseWithTwoDifferentTextsIsAConflict) {
  ExpectConflict("", "Anna skrev detta.", "Bo skrev detta.");
  ExpectConflict("", "Anna skrev detta.", "Anna skrev detta. Bo la till.");
}

// ---- Random texts -----------------------------------------------------------------------------------

const std::vector<std::string> kWords = {
    "ansökan", "beslut", "handläggare", "möte", "år",       "räkenskaper", "styrelse", "förslag", "och",
    "att",     "inte",   "som",         "på",   "för",      "med",         "till",     "den",     "det",
    "är",      "kommun", "3",           "2026", "Malmö",    "Göteborg",    "ärende",   "åtgärd",  "ökning",
    "café",    "naïve",  "Åsa",         "🎉",    "👍🏽", "x1",          "Östra",    "kvarter", "yttrande"};
const std::vector<std::string> kSeparators = {" ", " ", " ", " ", ", ", ". ", "\n\n", " – ", "; ", "\u00a0"};

// A text as pieces alternating word, separator, ..., word: edits work on pieces, joined to compare.
using Pieces = std::vector<std::string>;

Pieces RandomPieces(std::mt19937& rng, size_t words) {
  Pieces pieces;
  for (size_t i = 0; i < words; ++i) {
    if (i > 0) pieces.push_back(kSeparators[rng() % kSeparators.size()]);
    pieces.push_back(kWords[rng() % kWords.size()]);
  }
  return pieces;
}

std::string Join(const Pieces& pieces) {
  std::string text;
  for (const std::string& piece : pieces) text += piece;
  return text;
}

// One side's edit at word `word` (piece 2·word): replace it with `fresh`, insert `fresh` before it, or
// delete it with the separator after it (`fresh` then unused).
enum class EditKind { kReplace, kInsert, kDelete };

void ApplyEdit(Pieces* pieces, size_t word, EditKind kind, const std::string& fresh) {
  const size_t at = 2 * word;
  switch (kind) {
    case EditKind::kReplace:
      (*pieces)[at] = fresh;
      break;
    case EditKind::kInsert:
      pieces->insert(pieces->begin() + static_cast<ptrdiff_t>(at), {fresh, " "});
      break;
    case EditKind::kDelete:
      pieces->erase(pieces->begin() + static_cast<ptrdiff_t>(at),
                    pieces->begin() + static_cast<ptrdiff_t>(at + 2));
      break;
  }
}

TEST(TextMergeTest, RandomEditsInSeparateRegionsMergeAsBothApplied) {
  std::mt19937 rng(20260301);
  for (int round = 0; round < 300; ++round) {
    const size_t words = 30 + rng() % 120;
    const Pieces base = RandomPieces(rng, words);
    // One edit in the first third, the other in the last: many unchanged tokens between them.
    const size_t early = 1 + rng() % (words / 3 - 1);
    const size_t late = 2 * words / 3 + rng() % (words / 3 - 1);
    const auto early_kind = static_cast<EditKind>(rng() % 3);
    const auto late_kind = static_cast<EditKind>(rng() % 3);
    const std::string early_word = "tidigt" + std::to_string(round);
    const std::string late_word = "sent" + std::to_string(round);

    Pieces early_side = base, late_side = base, both = base;
    ApplyEdit(&early_side, early, early_kind, early_word);
    ApplyEdit(&late_side, late, late_kind, late_word);
    ApplyEdit(&both, late, late_kind, late_word);  // the later first: the earlier word keeps its index
    ApplyEdit(&both, early, early_kind, early_word);

    const bool early_is_theirs = rng() % 2 == 0;
    const std::string theirs = Join(early_is_theirs ? early_side : late_side);
    const std::string yours = Join(early_is_theirs ? late_side : early_side);
    SCOPED_TRACE("round " + std::to_string(round));
    ExpectClean(Join(base), theirs, yours, Join(both));
  }
}

TEST(TextMergeTest, RandomOverlappingEditsNeverLoseEitherChange) {
  std::mt19937 rng(4711);
  int conflicts = 0;
  for (int round = 0; round < 500; ++round) {
    const size_t words = 8 + rng() % 40;
    const Pieces base = RandomPieces(rng, words);
    // Both edit the same word or neighbouring ones; a deletion may span several words.
    const size_t center = 1 + rng() % (words - 3);
    Pieces sides[2] = {base, base};
    std::string fresh[2] = {"deras" + std::to_string(round), "dina" + std::to_string(round)};
    bool added[2] = {false, false};
    for (int s = 0; s < 2; ++s) {
      const size_t word = s == 0 ? center : center + rng() % 2;
      const auto kind = static_cast<EditKind>(rng() % 3);
      if (kind == EditKind::kDelete) {
        const size_t first = word - std::min<size_t>(word, rng() % 3);
        const size_t last = std::min(words - 2, word + rng() % 3);
        sides[s].erase(sides[s].begin() + static_cast<ptrdiff_t>(2 * first),
                       sides[s].begin() + static_cast<ptrdiff_t>(2 * last + 2));
      } else {
        ApplyEdit(&sides[s], word, kind, fresh[s]);
        added[s] = true;
      }
    }
    const std::string theirs = Join(sides[0]), yours = Join(sides[1]);
    if (theirs == yours) continue;  // the trivial case, tested above
    SCOPED_TRACE("round " + std::to_string(round) + "\nbase: " + Join(base) + "\ntheirs: " + theirs +
                 "\nyours: " + yours);
    TextMerge m = MergeText(Join(base), theirs, yours);
    if (!m.clean) {
      ++conflicts;
      continue;
    }
    EXPECT_TRUE(IsValidUtf8(m.merged));
    for (int s = 0; s < 2; ++s) {
      if (added[s]) {
        EXPECT_THAT(m.merged, HasSubstr(fresh[s]));
      }
    }
    // Each side made one edit, and the two differ: a merge equal to one side lost the other's.
    EXPECT_NE(m.merged, theirs);
    EXPECT_NE(m.merged, yours);
  }
  EXPECT_GT(conflicts, 300);
}

// ---- Long texts -------------------------------------------------------------------------------------

Pieces LongPieces(std::mt19937& rng, size_t min_bytes) {
  Pieces pieces = RandomPieces(rng, 1);
  size_t size = pieces[0].size();
  while (size < min_bytes) {
    pieces.push_back(kSeparators[rng() % kSeparators.size()]);
    pieces.push_back(kWords[rng() % kWords.size()]);
    size += pieces[pieces.size() - 2].size() + pieces.back().size();
  }
  return pieces;
}

TEST(TextMergeTest, LongTextWithOneEditOnEachSideMerges) {
  std::mt19937 rng(1);
  const Pieces base = LongPieces(rng, 100'000);
  const size_t words = (base.size() + 1) / 2;
  Pieces theirs = base, yours = base, both = base;
  ApplyEdit(&theirs, words / 4, EditKind::kReplace, "deras");
  ApplyEdit(&yours, 3 * words / 4, EditKind::kInsert, "dina");
  ApplyEdit(&both, 3 * words / 4, EditKind::kInsert, "dina");
  ApplyEdit(&both, words / 4, EditKind::kReplace, "deras");
  ExpectClean(Join(base), Join(theirs), Join(yours), Join(both));
}

TEST(TextMergeTest, LongTextWithManyScatteredEditsMerges) {
  // A hundred edits a side, interleaved through the text: the diffs' work stays within their budget.
  std::mt19937 rng(2);
  const Pieces base = LongPieces(rng, 100'000);
  const size_t words = (base.size() + 1) / 2;
  Pieces theirs = base, yours = base, both = base;
  for (size_t i = 100; i-- > 0;) {  // from the end, so the indices before stay put
    const size_t their_word = (2 * i + 1) * words / 201;
    const size_t your_word = (2 * i + 2) * words / 201;
    ApplyEdit(&yours, your_word, EditKind::kReplace, "dina" + std::to_string(i));
    ApplyEdit(&both, your_word, EditKind::kReplace, "dina" + std::to_string(i));
    ApplyEdit(&theirs, their_word, EditKind::kDelete, "");
    ApplyEdit(&both, their_word, EditKind::kDelete, "");
  }
  ExpectClean(Join(base), Join(theirs), Join(yours), Join(both));
}

TEST(TextMergeTest, RewritesTooLargeToDiffAreAConflictNotAHang) {
  std::mt19937 rng(3);
  const std::string base = Join(LongPieces(rng, 100'000));
  const std::string theirs = Join(LongPieces(rng, 100'000));
  const std::string yours = Join(LongPieces(rng, 100'000));
  ExpectConflict(base, theirs, yours);
}

}  // namespace
}  // namespace spegla
