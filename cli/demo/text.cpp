#include "demo/text.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "spegla/utf8.h"
#include "spegla/value.h"

namespace spegla::cli::demo {

int Uniform(int low, int high, std::mt19937& rng) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

bool Chance(double p, std::mt19937& rng) { return std::bernoulli_distribution(p)(rng); }

// Lower-case ASCII with Swedish (and a few other) letters folded: "Lilla Edet" -> "lilla edet", "Linnéa" ->
// "linnea". Other characters are kept.
std::string Fold(std::string_view text) {
  static const std::pair<std::string_view, char> kFolded[] = {
      {"å", 'a'}, {"ä", 'a'}, {"ö", 'o'}, {"é", 'e'}, {"è", 'e'}, {"ü", 'u'}, {"č", 'c'}, {"ć", 'c'},
      {"Å", 'a'}, {"Ä", 'a'}, {"Ö", 'o'}, {"É", 'e'}, {"Ü", 'u'}, {"Č", 'c'}, {"Ć", 'c'},
  };
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool folded = false;
    for (const auto& [from, to] : kFolded) {
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (folded) continue;
    char c = text[i++];
    out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool IsUsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// What a username may hold (a–z 0–9 . _ -): "Sven-Erik" -> "sven-erik", "Lilla Edet" -> "lillaedet".
std::string Transliterate(std::string_view text) {
  std::string out;
  for (char c : Fold(text)) {
    if (IsUsernameChar(c)) out += c;
  }
  return out;
}

// Folded words of a text, split at anything but a–z and 0–9: "ku8-larande-besok" -> {ku8, larande, besok}.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words(1);
  for (char c : Fold(text)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      words.back() += c;
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

// " word word " of a text's folded words, remembered per text: every value generated asks for its field's.
const std::string& SpacedWords(const std::string& text) {
  thread_local std::unordered_map<std::string, std::string> memo;
  auto it = memo.find(text);
  if (it != memo.end()) return it->second;
  std::string out = " ";
  for (const std::string& word : Words(text)) out += word + " ";
  return memo.emplace(text, std::move(out)).first->second;
}

// What keyword matching looks at: id and label as folded words between spaces (" var ar vi var ar vi "), so
// that " mal " matches the word "mål" and not "normal".
const std::string& Keywords(const Field& field) { return SpacedWords(field.id + " " + field.label); }

bool HasAny(const std::string& text, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return text.find(w) != std::string::npos; });
}

std::vector<std::string> SplitDots(std::string_view text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The first `max_chars` characters (code points) of UTF-8 text.
std::string TruncateChars(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return text.substr(0, i);
    }
  }
  return text;
}

// Fits text to a field's <length>: longer by adding `filler` sentences, shorter by cutting.
std::string FitLength(std::string text, const Field& field, Bank filler, std::mt19937& rng) {
  const Constraint* length = field.Find(Constraint::Kind::kLength);
  size_t min = length && length->min_number ? static_cast<size_t>(std::ceil(*length->min_number)) : 0;
  size_t max =
      length && length->max_number ? static_cast<size_t>(std::floor(*length->max_number)) : kMaxTextLength;
  while (CountCodePoints(text) < min) text += (text.empty() ? "" : " ") + std::string(Pick(filler, rng));
  if (CountCodePoints(text) > max) {
    text = TruncateChars(text, max);
    while (!text.empty() && text.back() == ' ') text.pop_back();
  }
  return text;
}

std::string Sentences(Bank bank, int count, std::mt19937& rng) {
  std::vector<size_t> order(bank.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::string out;
  for (int i = 0; i < count && i < static_cast<int>(order.size()); ++i) {
    if (!out.empty()) out += " ";
    out += bank[order[i]];
  }
  return out;
}

Date AddDays(Date date, int days) { return Date(date.days() + std::chrono::days{days}); }

// "Arbetslag 4–6" -> "arbetslag 4–6" inside a title; "Övergångar" -> "övergångar" inside a sentence.
std::string LowerFirst(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  } else if (text.rfind("Å", 0) == 0 || text.rfind("Ä", 0) == 0 || text.rfind("Ö", 0) == 0) {
    text[1] = static_cast<char>(text[1] + 0x20);  // the lower-case letter is 0x20 further in the same block
  }
  return text;
}

std::string UpperFirst(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

Error WithContext(Error error, const std::string& context) {
  for (Issue& issue : error.issues) issue.message = context + ": " + issue.message;
  return error;
}

}  // namespace spegla::cli::demo
