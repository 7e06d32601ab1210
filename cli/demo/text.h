// Small helpers of the demo generator: random picks, and text as Swedish school documents and usernames
// need it (folded letters, words, lengths, sentences).
#pragma once

#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "demo/banks.h"
#include "spegla/date.h"
#include "spegla/outcome.h"
#include "spegla/workflow_definition.h"

namespace spegla::cli::demo {

template <typename T>
const T& Pick(const std::vector<T>& items, std::mt19937& rng) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

template <typename T>
const T& Pick(std::span<const T> items, std::mt19937& rng) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

template <typename T, size_t N>
const T& Pick(const T (&items)[N], std::mt19937& rng) {
  return items[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

int Uniform(int low, int high, std::mt19937& rng);
bool Chance(double p, std::mt19937& rng);

// Lower-case ASCII with Swedish (and a few other) letters folded: "Lilla Edet" -> "lilla edet", "Linnéa" ->
// "linnea". Other characters are kept.
std::string Fold(std::string_view text);
// What a username may hold (a–z 0–9 . _ -): "Sven-Erik" -> "sven-erik", "Lilla Edet" -> "lillaedet".
std::string Transliterate(std::string_view text);
// Folded words of a text, split at anything but a–z and 0–9: "ku8-larande-besok" -> {ku8, larande, besok}.
std::vector<std::string> Words(std::string_view text);
// " word word " of a text's folded words, remembered per text.
const std::string& SpacedWords(const std::string& text);
// What keyword matching looks at: id and label as folded words between spaces (" var ar vi var ar vi "), so
// that " mal " matches the word "mål" and not "normal".
const std::string& Keywords(const Field& field);
bool HasAny(const std::string& text, std::initializer_list<std::string_view> words);
// "form.group.column" -> {"form", "group", "column"}.
std::vector<std::string> SplitDots(std::string_view text);
bool EndsWith(std::string_view text, std::string_view suffix);
// Fits text to a field's <length>: longer by adding `filler` sentences, shorter by cutting.
std::string FitLength(std::string text, const Field& field, Bank filler, std::mt19937& rng);
// `count` different sentences of a bank, in random order.
std::string Sentences(Bank bank, int count, std::mt19937& rng);
Date AddDays(Date date, int days);
// "Arbetslag 4–6" -> "arbetslag 4–6" inside a title; "Övergångar" -> "övergångar" inside a sentence.
std::string LowerFirst(std::string text);
std::string UpperFirst(std::string text);
// The error with `context` before each of its messages.
Error WithContext(Error error, const std::string& context);

}  // namespace spegla::cli::demo
