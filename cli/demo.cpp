// Synthetic data for `spegla demo`. The generator talks to the engine only through its public API, acting as
// the operator for set-up and as the instance's own participants for form work, so every rule of the
// definitions (rights, constraints, budgets, sign-offs) is enforced exactly as for real users.
#include "demo.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <utility>

#include "spegla/utf8.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

// --- name and phrase banks ---------------------------------------------------------------------------

struct MunicipalitySeed {
  const char* name;
  const char* network;
  int min_units, max_units;
};

constexpr MunicipalitySeed kMunicipalities[] = {
    {"Ale", "KU8", 4, 5},         {"Alingsås", "KU8", 4, 6},   {"Kungälv", "KU8", 4, 6},
    {"Lerum", "KU8", 4, 6},       {"Lilla Edet", "KU8", 3, 4}, {"Orust", "KU8", 3, 4},
    {"Stenungsund", "KU8", 4, 5}, {"Tjörn", "KU8", 3, 4},      {"Örebro", "", 6, 8},
};

constexpr const char* kFirstNames[] = {
    "Anna",    "Maria",   "Karin",  "Sara",   "Emma",      "Lena",   "Kristina", "Elin",
    "Johanna", "Malin",   "Ida",    "Sofia",  "Linnéa",    "Helena", "Eva",      "Ingrid",
    "Åsa",     "Cecilia", "Frida",  "Louise", "Hanna",     "Amira",  "Fatima",   "Erik",
    "Lars",    "Karl",    "Anders", "Johan",  "Per",       "Nils",   "Mikael",   "Jonas",
    "Fredrik", "Daniel",  "Magnus", "Oskar",  "Gustav",    "Björn",  "Henrik",   "Mattias",
    "Patrik",  "Jörgen",  "Ahmed",  "André",  "Sven-Erik", "Ulrika", "Åke",      "Märta",
};

constexpr const char* kLastNames[] = {
    "Andersson", "Johansson",  "Karlsson",   "Nilsson",   "Eriksson", "Larsson",   "Olsson",    "Persson",
    "Svensson",  "Gustafsson", "Pettersson", "Jonsson",   "Hansson",  "Bengtsson", "Lindqvist", "Lindberg",
    "Lindström", "Lundgren",   "Berg",       "Bergström", "Sjöberg",  "Holm",      "Åberg",     "Söderberg",
    "Engström",  "Ekström",    "Hedlund",    "Wallin",    "Forsberg", "Sandberg",  "Nyström",   "Björk",
    "Strand",    "Falk",       "Hermansson", "Sjögren",   "Öberg",    "Ström",     "Axelsson",  "Håkansson",
    "Åkesson",   "Hussein",    "Mohammadi",  "Kovačević",
};

// Place names that school and preschool names are built from ("Nolhaga" -> "Nolhagaskolan").
constexpr const char* kPlaceStems[] = {
    "Nolhaga",   "Kullingsberg", "Öjersjö",   "Ekhaga",    "Solhem", "Stenhage", "Hagaberg",  "Ängslycke",
    "Kyrkbacke", "Furulund",     "Tallbacka", "Skogslund", "Ekdal",  "Sjövik",   "Nordby",    "Ljungvik",
    "Västerby",  "Östergård",    "Björkhaga", "Hällebäck", "Kärra",  "Bohus",    "Strandhag", "Brattås",
    "Rönnbacka", "Lövåsen",      "Sörbo",     "Granlund",  "Backa",  "Ängåsen",  "Myrås",     "Almedal",
};

constexpr const char* kSchoolTeams[] = {"Arbetslag F–3", "Arbetslag 4–6", "Arbetslag 7–9",       "Spår Röd",
                                        "Spår Blå",      "Spår Grön",     "Arbetslag fritidshem"};
constexpr const char* kPreschoolTeams[] = {"Avdelning Humlan",  "Avdelning Myran",    "Avdelning Solrosen",
                                           "Avdelning Ekorren", "Avdelning Blåbäret", "Avdelning Lönnen"};

// A bank of phrases to draw from; banks are arrays so that they need no construction at start-up.
using Bank = std::span<const std::string_view>;

constexpr std::string_view kProblemSentences[] = {
    "Vi vill utveckla hur vi ger eleverna återkoppling under lektionerna så att alla vet vad nästa steg i "
    "lärandet är.",
    "Många elever kommer igång sent med arbetet och vi vill förstå vad i lektionsstarten som hjälper eller "
    "hindrar dem.",
    "Vi upplever att samma elever tar ordet i helklass och vill se hur vi kan öka alla elevers delaktighet i "
    "samtalen.",
    "Barnen leker ofta i samma konstellationer och vi vill se hur vår organisation av leken påverkar vilka "
    "barn "
    "som får vara med.",
    "Vi vill bli bättre på att synliggöra målen för undervisningen så att eleverna kan beskriva vad de lär "
    "sig "
    "och varför.",
    "Övergångarna mellan aktiviteter tar lång tid och skapar oro i gruppen; vi vill se vad som händer i dem "
    "och "
    "hur vi kan förändra dem.",
    "Vi vill undersöka om de digitala verktygen i undervisningen stödjer elevernas lärande eller mest tar "
    "tid.",
    "Vi vill utveckla det kollegiala lärandet så att vi oftare planerar, genomför och utvärderar "
    "undervisning "
    "tillsammans.",
    "Språkutvecklande arbetssätt är prioriterat och vi vill veta i vilken grad eleverna får tala, läsa och "
    "skriva i alla ämnen.",
    "Vi vill se hur vi bemöter barn i behov av särskilt stöd i vardagliga situationer och om anpassningarna "
    "fungerar som vi tror.",
};

constexpr std::string_view kObservationSentences[] = {
    "Lektionsstarterna var tydliga och målen fanns uppskrivna, men de användes sällan i slutet av lektionen.",
    "Eleverna arbetade fokuserat i par, och samtalen visade att de kunde förklara sina strategier för "
    "varandra.",
    "Pedagogerna ställde många frågor med givna svar; öppna frågor gav märkbart längre och rikare elevsvar.",
    "I den fria leken tog några barn stort utrymme medan andra stod utanför; när en pedagog fanns nära "
    "breddades deltagandet.",
    "Övergången från samling till lunch tog över tio minuter och mycket uppmärksamhet gick åt till att vänta "
    "in "
    "gruppen.",
    "Arbetslaget har ett gemensamt språk för undervisningen, vilket är en styrka att bygga vidare på.",
    "Återkopplingen till eleverna var ofta uppmuntrande men sällan framåtsyftande.",
    "I de lektioner där eleverna skapade något eget med digitala verktyg ökade engagemanget tydligt.",
};

constexpr std::string_view kNoteSentences[] = {
    "Vi gick igenom schemat för observationsdagarna och kom överens om vilka lektioner som ska observeras.",
    "Arbetslaget beskrev bakgrunden till problemformuleringen och vi preciserade vad observatörerna ska "
    "titta "
    "efter.",
    "Rektor bekräftade att tid är avsatt för planering och återkoppling.",
    "Observatörerna antecknade lektionsstart, arbetsformer och elevernas frågor; inga namn skrevs ner.",
    "Nästa möte ägnas åt observationsschemat och informationen till vårdnadshavare.",
    "Samtalet efter lektionen handlade om vad vi såg, inte om att värdera det.",
};

constexpr std::string_view kLessonSentences[] = {
    "Besöket har gett oss syn på hur mycket tid som går åt i övergångarna, och vi prövar redan nya rutiner.",
    "Att bli observerade av kollegor från en annan kommun gav oss ett nytt perspektiv på vår egen praktik.",
    "Tydliga mål behöver följas upp i slutet av varje lektion för att eleverna ska kunna reflektera över "
    "sitt "
    "lärande.",
    "Speglingen utan värderingar gjorde det lättare att tillsammans se vad vi vill förändra.",
    "Små förändringar i hur vi organiserar gruppen kan få stor betydelse för barnens delaktighet.",
    "Kollegialt lärande kräver avsatt tid och en tydlig struktur för våra samtal.",
    "Observatörerna tar med sig idéer om lektionsupplägg och återkoppling till sina egna arbetslag.",
};

constexpr std::string_view kWhereAreWeSentences[] = {
    "Eleverna är engagerade, men delaktigheten i helklass är ojämnt fördelad.",
    "I dag planerar vi mest var för sig och har få tillfällen att följa upp undervisningen tillsammans.",
    "De flesta elever når målen i matematik, men många har svårt att förklara hur de tänker.",
    "Barngruppen är stor och övergångarna under dagen tar mycket tid från leken och lärandet.",
};

constexpr std::string_view kGoalSentences[] = {
    "Alla elever ska kunna beskriva vad de ska lära sig under lektionen och hur de vet att de har lärt sig "
    "det.",
    "Alla barn ska ha tillgång till leken, och pedagogerna ska aktivt stödja barnens samspel.",
    "Arbetslaget planerar och utvärderar minst en undervisningssekvens tillsammans varje månad.",
    "Eleverna får framåtsyftande återkoppling i varje arbetsområde.",
};

constexpr std::string_view kMethodSentences[] = {
    "Vi inför en gemensam struktur för lektionsstart och lektionsavslut och följer upp den på "
    "arbetslagsmötena.",
    "Varannan vecka observerar vi varandras undervisning och samtalar om vad vi såg utifrån "
    "problemformuleringen.",
    "Vi delar barngruppen i mindre grupper vid samling och övergångar och utvärderar förändringen efter sex "
    "veckor.",
    "Vi använder exit tickets för att samla in elevernas egna bilder av vad de har lärt sig.",
};

constexpr std::string_view kResultSentences[] = {
    "Övergångarna har blivit lugnare och tar nu ungefär hälften så lång tid som vid besöket.",
    "Fler elever tar ordet i helklass sedan vi började arbeta med tänkpauser och EPA.",
    "Den gemensamma planeringen har kommit igång men behöver mer tid i schemat nästa termin.",
    "Eleverna kan oftare beskriva målen för lektionen, men uppföljningen i slutet glöms ibland.",
};

constexpr std::string_view kActions[] = {
    "Införa en gemensam struktur för lektionsstart.",
    "Kollegiala auskultationer varannan vecka.",
    "Se över rutinerna vid övergångar och samling.",
    "Pröva exit tickets i alla ämnen.",
    "Läsa och diskutera Skolverkets modul om språk- och kunskapsutvecklande arbetssätt.",
    "Utvärdera förändringarna på arbetslagsmötet.",
};

constexpr std::string_view kGeneralSentences[] = {
    "Arbetet utgår från skollagens krav på vetenskaplig grund och beprövad erfarenhet.",
    "Rektor leder processen och arbetslaget äger utvecklingsarbetet.",
    "Vi följer upp arbetet på arbetsplatsträffar och i det systematiska kvalitetsarbetet.",
    "Elevhälsan deltar när frågor om stöd och anpassningar berörs.",
    "Dokumentationen sparas så att vi kan följa utvecklingen över tid.",
};

constexpr std::string_view kHeadlines[] = {
    "Tydliga lektionsstarter gav fler elever fokus",
    "Mindre grupper i övergångarna skapade lugn",
    "Öppna frågor öppnade för elevernas tänkande",
    "Kollegial observation som motor för utveckling",
    "Leken som arena för delaktighet",
    "Framåtsyftande återkoppling i vardagen",
};

constexpr std::string_view kTopics[] = {
    "Lektionsstart och lektionsavslut",  "Elevernas delaktighet i helklass", "Övergångar mellan aktiviteter",
    "Återkoppling under lektionen",      "Samspel i den fria leken",         "Språkutvecklande arbetssätt",
    "Digitala verktyg i undervisningen", "Kollegialt lärande i arbetslaget", "Tydliga mål för undervisningen",
    "Extra anpassningar i klassrummet",
};

constexpr std::string_view kWhenTexts[] = {
    "Vecka 12 och 14",
    "Veckorna 38–40",
    "Tisdagar och torsdagar i oktober",
    "Två dagar i v. 46 och två i v. 48",
    "Helst före jullovet",
};

constexpr std::string_view kInformTexts[] = {
    "På föräldramötet i augusti och i veckobrevet",
    "Genom brev till vårdnadshavare och samtal i klassen veckan innan",
    "I lärplattformen och vid hämtning och lämning",
};

constexpr std::string_view kClasses[] = {"Förskoleklass", "Klass 2A", "Klass 3B", "Klass 4A", "Klass 5C",
                                         "Klass 6B",      "Klass 7A", "Klass 8C", "Klass 9B"};

constexpr std::string_view kWorkingGroups[] = {"Språkgruppen", "Lärmiljögruppen", "Matematikgruppen",
                                               "Studiegrupp SKUA", "Utvecklingsgruppen"};

constexpr std::string_view kFrequencies[] = {"Varje vecka", "Varannan vecka", "En gång i månaden",
                                             "Två gånger per termin"};

constexpr std::string_view kPlaces[] = {"Biblioteket", "Personalrummet", "Klassrum 12", "Aulan",
                                        "Konferensrummet"};

// --- small helpers ------------------------------------------------------------------------------------

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

// What keyword matching looks at: id and label as folded words between spaces (" var ar vi var ar vi "), so
// that " mal " matches the word "mål" and not "normal".
std::string Keywords(const Field& field) {
  std::string out = " ";
  for (const std::string& word : Words(field.id + " " + field.label)) out += word + " ";
  return out;
}

bool HasAny(const std::string& text, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return text.find(w) != std::string::npos; });
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

// --- who takes part in an instance --------------------------------------------------------------------

// The participants of an instance, sorted by username within each role so that random choices do not depend
// on the order (or second) in which they were assigned.
struct Cast {
  std::map<std::string, std::vector<std::string>> by_role;   // role -> usernames
  std::map<std::string, std::vector<std::string>> roles_of;  // username -> roles
  std::map<std::string, std::string> display_names;
  std::vector<std::string> usernames;  // everyone, sorted

  explicit Cast(const InstanceView& view) {
    for (const ParticipantView& p : view.participants) {
      by_role[p.role].push_back(p.username);
      roles_of[p.username].push_back(p.role);
      display_names[p.username] = p.display_name;
    }
    for (auto& [role, people] : by_role) std::sort(people.begin(), people.end());
    for (const auto& [username, roles] : roles_of) usernames.push_back(username);
  }

  std::vector<std::string> InRoles(const std::vector<std::string>& roles) const {
    std::set<std::string> out;
    for (const std::string& role : roles) {
      auto it = by_role.find(role);
      if (it != by_role.end()) out.insert(it->second.begin(), it->second.end());
    }
    return {out.begin(), out.end()};
  }

  bool CanEdit(const std::string& username, const Form& form, const Field& field) const {
    auto it = roles_of.find(username);
    if (it == roles_of.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const std::string& role) { return form.RightsFor(role, field) == Rights::kEdit; });
  }
};

// What the values of one instance are about: its school, team and people.
struct FillContext {
  Engine& engine;
  std::int64_t instance;
  const Step& step;
  const Cast& cast;
  std::mt19937& rng;
  std::string unit;
  std::string team;
  std::string mail_domain;
  std::string contact;  // username of the person an application names as contact
  // "form.field" and "form.group.column" summed by a budget -> the budget's limit
  std::map<std::string, double> budgeted;
  bool preschool = false;      // the unit is a förskola: choices about school years do not apply
  Date base;                   // the step's day on the instance's timeline: its dates start here
  bool rewrite = false;        // a loop brought the step back: its forms are written afresh
  const Form* form = nullptr;  // the form being filled
  int occurrence = 0;          // the occurrence being filled: the next visit day comes later
  size_t first_person = 0;     // the person the current table's first row names
};

std::string DisplayNameOf(const FillContext& ctx, const std::string& username) {
  auto it = ctx.cast.display_names.find(username);
  return it == ctx.cast.display_names.end() ? username : it->second;
}

std::string PeopleNames(FillContext& ctx, int count) {
  std::vector<std::string> people = ctx.cast.usernames;
  std::shuffle(people.begin(), people.end(), ctx.rng);
  std::string out;
  for (int i = 0; i < count && i < static_cast<int>(people.size()); ++i) {
    out += (out.empty() ? "" : ", ") + DisplayNameOf(ctx, people[i]);
  }
  return out;
}

// --- plausible values ---------------------------------------------------------------------------------

std::string TwoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// A term as Swedish schools write it, for the term `day` falls in: "HT 2026", "Ht-26", "ht 2026", ...
std::vector<std::string> TermSpellings(Date day) {
  const int year = static_cast<int>(day.ymd().year());
  const bool autumn = static_cast<unsigned>(day.ymd().month()) >= 7;
  const std::string upper = autumn ? "HT" : "VT", title = autumn ? "Ht" : "Vt", lower = autumn ? "ht" : "vt";
  const std::string full = std::to_string(year), yy = TwoDigits(year % 100);
  return {upper + " " + full, title + "-" + yy, lower + " " + full, upper + full,
          title + " " + full, upper + "-" + yy, upper + yy};
}

// The school year `day` falls in, which starts with the autumn term: "2026/27", "2026/2027", "2026-2027".
std::vector<std::string> SchoolYearSpellings(Date day) {
  const int year = static_cast<int>(day.ymd().year());
  const int start = static_cast<unsigned>(day.ymd().month()) >= 7 ? year : year - 1;
  const std::string first = std::to_string(start), second = std::to_string(start + 1);
  return {first + "/" + TwoDigits((start + 1) % 100), first + "/" + second, first + "-" + second,
          first + "–" + second};
}

// A time slot for a meeting or a lesson, "13.00–16.00", spelled the ways people write it.
std::vector<std::string> TimeSpellings(std::mt19937& rng) {
  static constexpr int kSlots[][4] = {{8, 20, 9, 40}, {9, 0, 11, 30},  {10, 15, 11, 45},
                                      {13, 0, 16, 0}, {14, 30, 16, 0}, {15, 0, 16, 30}};
  const int* slot = kSlots[std::uniform_int_distribution<size_t>(0, std::size(kSlots) - 1)(rng)];
  auto time = [&](int h, int m, char separator) { return TwoDigits(h) + separator + TwoDigits(m); };
  std::vector<std::string> out;
  for (char separator : {'.', ':'}) {
    for (std::string_view dash : {"–", "-", " – ", " - "}) {
      out.push_back(time(slot[0], slot[1], separator) + std::string(dash) +
                    time(slot[2], slot[3], separator));
    }
  }
  out.push_back(time(slot[0], slot[1], '.'));
  out.push_back(time(slot[0], slot[1], ':'));
  return out;
}

// A short text chosen from what the field's id and label say it is about; nullopt when they say nothing
// the generator knows.
std::optional<std::string> KeywordText(const Field& field, FillContext& ctx) {
  const std::string k = Keywords(field);
  // "Tid" and "Tid och plats" are times of day; "Hur tiden frigörs" is not: the label decides.
  std::string label = " ";
  for (const std::string& word : Words(field.label)) label += word + " ";
  const bool names = !HasAny(k, {" utan namn "});  // "Vad, var och med vilka (utan namn)"
  if (HasAny(k, {" e post", "epost", "email", "mejl"})) return ctx.contact + "@" + ctx.mail_domain;
  if (names && HasAny(k, {"kontaktperson", " ansvarig"})) return DisplayNameOf(ctx, ctx.contact);
  if (names && HasAny(k, {" vem "})) return Chance(0.7, ctx.rng) ? PeopleNames(ctx, 1) : "Hela arbetslaget";
  if (names && HasAny(k, {"deltagare", "narvarande"})) return PeopleNames(ctx, Uniform(2, 4, ctx.rng));
  if (HasAny(k, {" enhet ", " skola ", " forskola "})) return ctx.unit;
  if (HasAny(k, {"arbetslag", "avdelning"})) return ctx.team.empty() ? "Arbetslag 4–6" : ctx.team;
  if (HasAny(k, {"arbetsgrupp"})) return std::string(Pick(kWorkingGroups, ctx.rng));
  if (HasAny(k, {" klass", "barngrupp", " elevgrupp"})) {
    if (ctx.preschool) return ctx.team.empty() ? "Avdelning Humlan" : ctx.team;
    return std::string(Pick(kClasses, ctx.rng));
  }
  if (HasAny(k, {"informera"})) return std::string(Pick(kInformTexts, ctx.rng));
  if (HasAny(k, {" termin "})) return TermSpellings(ctx.base).front();
  if (HasAny(k, {" lasar "})) return SchoolYearSpellings(ctx.base).front();
  if (HasAny(label, {" tid ", " tider ", " klockslag "})) {
    std::string time = TimeSpellings(ctx.rng).front();
    return HasAny(k, {" plats", " lokal"}) ? time + ", " + std::string(Pick(kPlaces, ctx.rng)) : time;
  }
  if (HasAny(k, {" hur ofta ", "frekvens"})) return std::string(Pick(kFrequencies, ctx.rng));
  if (HasAny(k, {"datum", " vecka", " veckor", " nar "})) return std::string(Pick(kWhenTexts, ctx.rng));
  if (HasAny(k, {"rubrik", " titel"})) return std::string(Pick(kHeadlines, ctx.rng));
  if (HasAny(k, {" plats", " lokal"})) return std::string(Pick(kPlaces, ctx.rng));
  if (names && HasAny(k, {"namn"})) return PeopleNames(ctx, 1);
  return std::nullopt;
}

// A value for a text field that passes its rules. Without a <pattern>, the keyword guess, else the
// definition's example, else a topic. With one, the first that matches among the guess, the formats school
// documents use for terms, school years, times, e-mail and dates, and the example; empty when none does
// (the engine then says what is missing).
std::string ShortText(const Field& field, FillContext& ctx) {
  std::optional<std::string> guess = KeywordText(field, ctx);
  if (!field.Find(Constraint::Kind::kPattern)) {
    if (!guess && !field.example.empty()) return field.example;
    return FitLength(guess ? *guess : std::string(Pick(kTopics, ctx.rng)), field, kTopics, ctx.rng);
  }
  std::vector<std::string> candidates;
  if (guess) candidates.push_back(*guess);
  const std::vector<std::vector<std::string>> families = {
      TermSpellings(ctx.base),
      SchoolYearSpellings(ctx.base),
      TimeSpellings(ctx.rng),
      {ctx.contact + "@" + ctx.mail_domain, ctx.base.ToString()}};
  for (const std::vector<std::string>& family : families) {
    candidates.insert(candidates.end(), family.begin(), family.end());
  }
  if (!field.example.empty()) candidates.push_back(field.example);
  for (const std::string& candidate : candidates) {
    if (CheckConstraints(field, Value{candidate}).empty()) return candidate;
  }
  return {};
}

std::string LongText(const Field& field, FillContext& ctx) {
  const std::string k = Keywords(field);
  Bank bank = kGeneralSentences;
  int count = Uniform(1, 3, ctx.rng);
  if (HasAny(k, {"narvarande", "deltagare"}) && !HasAny(k, {" utan namn "})) {
    return FitLength(PeopleNames(ctx, Uniform(2, 4, ctx.rng)), field, kGeneralSentences, ctx.rng);
  }
  if (HasAny(k, {"problem"})) {
    bank = kProblemSentences;
  } else if (HasAny(k, {" var ar vi "})) {
    bank = kWhereAreWeSentences;
  } else if (HasAny(k, {" vart ska vi ", " mal ", " malet ", "syfte", "effekt"})) {
    bank = kGoalSentences;
  } else if (HasAny(k, {" hur gor vi ", "arbetssatt", "metod"})) {
    bank = kMethodSentences;
  } else if (HasAny(k, {" hur blev det ", "resultat"})) {
    bank = kResultSentences;
  } else if (field.id == "vad" || HasAny(k, {"atgard"})) {
    bank = kActions;
    count = 1;
  } else if (HasAny(k, {"omrade", " fokus"})) {
    std::string wish =
        "Vi vill särskilt fokusera på " + LowerFirst(std::string(Pick(kTopics, ctx.rng))) + ".";
    return FitLength(wish, field, kGeneralSentences, ctx.rng);
  } else if (HasAny(k, {"iakttagelse", "analys", "observation"})) {
    bank = kObservationSentences;
  } else if (HasAny(k, {"anteckning"})) {
    bank = kNoteSentences;
  } else if (HasAny(k, {"lardom", "tankar", " ta med ", "sammanfattning", "utvarder"})) {
    bank = kLessonSentences;
  }
  return FitLength(Sentences(bank, count, ctx.rng), field, kGeneralSentences, ctx.rng);
}

// Whole numbers inside the field's range: the occurrence for "number ..." in a repeating form, else the
// definition's example, else a plausible count. Numbers that a budget adds up are kept to a small share of
// the budget so that sums like "observer days <= 10" stay within their limit; a `minimal` value is the
// smallest sensible one, used when a budget refused the first.
double Number(const Field& field, std::optional<double> budget, bool minimal, int occurrence,
              std::mt19937& rng) {
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  std::optional<double> min = range ? range->min_number : std::nullopt;
  std::optional<double> max = range ? range->max_number : std::nullopt;
  double low = min ? std::ceil(*min) : 1;
  double high = max ? std::floor(*max) : low + 29;
  if (high < low) return min ? *min : *max;  // a range without a whole number in it
  if (minimal) return std::max(low, std::min(1.0, high));
  if (budget) {
    // About an eighth of the budget per value, in round figures: 1 day of 10, 7 000 kr of 58 000.
    const double share = *budget / 8;
    const double unit = share >= 1000 ? 100 : 1;
    high = std::max(low, std::min(high, std::floor(share / unit) * unit));
    if (unit == 1) return std::max(low, std::min(1.0, high));
    return std::max(
        low, unit * std::uniform_int_distribution<long long>(static_cast<long long>(std::ceil(low / unit)),
                                                             static_cast<long long>(high / unit))(rng));
  }
  if (occurrence > 0 && HasAny(Keywords(field), {" nummer ", " nr "}) && occurrence >= low &&
      occurrence <= high) {
    return occurrence;  // "the work period after central meeting number ..." of the n-th occurrence
  }
  if (!field.example.empty()) {
    char* end = nullptr;
    double example = std::strtod(field.example.c_str(), &end);
    if (end && *end == '\0' && example >= low && example <= high) return example;
  }
  high = std::min(high, low + 29);  // plausible counts, not anything up to the maximum
  if (HasAny(Keywords(field), {"antal"}) && std::max(low, 12.0) <= std::min(high, 28.0)) {
    low = std::max(low, 12.0);  // the number of children or pupils in a group
    high = std::min(high, 28.0);
  }
  return static_cast<double>(std::uniform_int_distribution<long long>(static_cast<long long>(low),
                                                                      static_cast<long long>(high))(rng));
}

// How many date fields (and date columns) come before `field` in the form: a form's dates follow each
// other in field order ("first visit day" before "last visit day" before "documentation meeting").
int DateIndex(const Form* form, const Field& field) {
  if (!form) return 0;
  int index = 0;
  for (const Field& f : form->fields) {
    if (&f == &field) return index;
    for (const Field& column : f.columns) {
      if (&column == &field) return index;
      if (column.type == FieldType::kDate) ++index;
    }
    if (f.type == FieldType::kDate) ++index;
  }
  return index;
}

// Dates follow the instance's timeline: from the step's day, a week per date field in the form, per row of
// a table and per occurrence (or the step's `every`), on a weekday, and inside the field's range. The steps
// of a walk move forward, so dates entered later are later.
Date DateValue(const Field& field, size_t row, FillContext& ctx) {
  long interval = ctx.step.repeat && ctx.step.repeat->every ? ctx.step.repeat->every->ApproximateDays() : 7;
  long days = 7 * (DateIndex(ctx.form, field) + static_cast<long>(row)) +
              interval * std::max(ctx.occurrence - 1, 0) + Uniform(0, 4, ctx.rng);
  Date date = AddDays(ctx.base, static_cast<int>(days));
  const std::chrono::weekday weekday{date.days()};
  if (weekday == std::chrono::Saturday) date = AddDays(date, 2);
  if (weekday == std::chrono::Sunday) date = AddDays(date, 1);
  if (const Constraint* range = field.Find(Constraint::Kind::kRange)) {
    if (range->min_date && date < *range->min_date) date = *range->min_date;
    if (range->max_date && date > *range->max_date) date = *range->max_date;
  }
  return date;
}

// The options that fit the unit: a förskola picks "Förskola", a school the school forms.
std::vector<size_t> FittingOptions(const Field& field, bool preschool) {
  std::vector<size_t> preschool_options, school_options;
  for (size_t i = 0; i < field.options.size(); ++i) {
    std::vector<std::string> words = Words(field.options[i].value + " " + field.options[i].label);
    bool about_preschool = std::any_of(
        words.begin(), words.end(), [](const std::string& w) { return w == "forskola" || w == "forskolan"; });
    (about_preschool ? preschool_options : school_options).push_back(i);
  }
  if (preschool_options.empty() || school_options.empty()) {
    preschool_options.insert(preschool_options.end(), school_options.begin(), school_options.end());
    std::sort(preschool_options.begin(), preschool_options.end());
    return preschool_options;
  }
  return preschool ? preschool_options : school_options;
}

std::vector<std::string> Choices(const Field& field, FillContext& ctx) {
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  int low = std::max(1, range && range->min_number ? static_cast<int>(std::ceil(*range->min_number)) : 1);
  int high = range && range->max_number ? static_cast<int>(std::floor(*range->max_number)) : low + 1;
  std::vector<size_t> candidates = FittingOptions(field, ctx.preschool);
  if (static_cast<int>(candidates.size()) < low) candidates = FittingOptions(field, !ctx.preschool);
  if (static_cast<int>(candidates.size()) < low) {
    candidates.resize(field.options.size());
    for (size_t i = 0; i < candidates.size(); ++i) candidates[i] = i;
  }
  high = std::min(high, static_cast<int>(candidates.size()));
  low = std::min(low, high);
  int count = Uniform(std::max(low, 0), std::max(low, high), ctx.rng);
  std::shuffle(candidates.begin(), candidates.end(), ctx.rng);
  candidates.resize(static_cast<size_t>(count));
  std::sort(candidates.begin(), candidates.end());  // in the order the form lists them
  std::vector<std::string> out;
  for (size_t i : candidates) out.push_back(field.options[i].value);
  return out;
}

std::string Person(const Field& field, size_t row, FillContext& ctx) {
  std::vector<std::string> people =
      field.person_role.empty() ? ctx.cast.usernames : ctx.cast.InRoles({field.person_role});
  if (people.empty()) return {};
  // Rows of a table name different people in turn, from where the first row started: one row per
  // observer, not the same one twice.
  if (row == 0 || ctx.first_person >= people.size()) {
    ctx.first_person = std::uniform_int_distribution<size_t>(0, people.size() - 1)(ctx.rng);
  }
  return people[(ctx.first_person + row) % people.size()];
}

// A table with a required person column from a role has a row per participant in that role ("one row per
// observer"), so rows name different people.
int PeopleRows(const Field& group, const FillContext& ctx) {
  for (const Field& column : group.columns) {
    if (column.type == FieldType::kPerson && column.required() && !column.person_role.empty()) {
      return std::max(1, static_cast<int>(ctx.cast.InRoles({column.person_role}).size()));
    }
  }
  return std::numeric_limits<int>::max();
}

Row GenerateRow(const Field& group, const std::string& path, int row, bool minimal, FillContext& ctx);

// A plausible value for `field`. `path` is "form.field" (or "form.group.column" for a cell); `minimal` asks
// for the smallest sensible value, used when a budget refused the first one.
Value Generate(const Field& field, const std::string& path, size_t row, bool minimal, FillContext& ctx) {
  switch (field.type) {
    case FieldType::kText:
      return Value{ShortText(field, ctx)};
    case FieldType::kLongText:
      return Value{LongText(field, ctx)};
    case FieldType::kNumber: {
      auto budget = ctx.budgeted.find(path);
      return Value{Number(field, budget == ctx.budgeted.end() ? std::nullopt : std::optional(budget->second),
                          minimal, ctx.occurrence, ctx.rng)};
    }
    case FieldType::kDate:
      return Value{DateValue(field, row, ctx)};
    case FieldType::kYesNo:
      return Value{true};  // visible-if conditions mostly open on "ja"
    case FieldType::kChoice: {
      if (field.options.empty()) return Value{};
      return Value{field.options[Pick(FittingOptions(field, ctx.preschool), ctx.rng)].value};
    }
    case FieldType::kMultiChoice:
      return Value{Choices(field, ctx)};
    case FieldType::kPerson: {
      std::string who = Person(field, row, ctx);
      return who.empty() ? Value{} : Value{who};
    }
    case FieldType::kGroup: {
      const Constraint* range = field.Find(Constraint::Kind::kRange);
      int low = std::max(1, range && range->min_number ? static_cast<int>(std::ceil(*range->min_number)) : 1);
      int rows = minimal ? low : std::max(low, std::min(Uniform(1, 3, ctx.rng), PeopleRows(field, ctx)));
      if (range && range->max_number) rows = std::min(rows, static_cast<int>(std::floor(*range->max_number)));
      std::vector<Row> table;
      for (int r = 0; r < std::max(rows, 1); ++r) table.push_back(GenerateRow(field, path, r, minimal, ctx));
      return Value{std::move(table)};
    }
  }
  return Value{};
}

Row GenerateRow(const Field& group, const std::string& path, int row, bool minimal, FillContext& ctx) {
  Row cells;
  for (const Field& column : group.columns) {
    Value cell = Generate(column, path + "." + column.id, static_cast<size_t>(row), minimal, ctx);
    if (!cell.IsEmpty()) cells[column.id] = std::move(cell);
  }
  return cells;
}

// --- filling forms ------------------------------------------------------------------------------------

// The field id an engine issue names: "form.field" or "form.field#2"; empty for issues about other things.
std::string FieldOfIssue(const std::string& issue_field, const std::string& form) {
  if (issue_field.rfind(form + ".", 0) != 0) return {};
  std::string rest = issue_field.substr(form.size() + 1);
  return rest.substr(0, rest.find('#'));
}

// Writes `changes` as `user`. Fields the engine refuses (a pattern, a value that would hide itself) are left
// out and the rest written again; a refusal about the form as a whole (a budget) makes it try the fields one
// at a time, numbers and tables once more with their smallest value. Returns how many fields were written.
size_t WriteFields(FillContext& ctx, const std::string& user, const Form& form, int occurrence,
                   std::vector<FieldChange> changes, std::map<std::string, int>& refusals) {
  const Actor actor = Actor::User(user);
  while (!changes.empty()) {
    Result<std::vector<int>> result = ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, changes);
    if (result) return changes.size();
    std::set<std::string> refused;
    for (const Issue& issue : result.error().issues) {
      std::string field = FieldOfIssue(issue.field, form.id);
      bool in_batch =
          std::any_of(changes.begin(), changes.end(), [&](const FieldChange& c) { return c.field == field; });
      if (in_batch) refused.insert(field);
    }
    if (refused.empty()) break;
    for (const std::string& field : refused) ++refusals[field];
    std::erase_if(changes, [&](const FieldChange& c) { return refused.count(c.field) > 0; });
  }
  size_t written = 0;
  for (FieldChange& change : changes) {
    if (ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, {change})) {
      ++written;
      continue;
    }
    const Field* field = form.FindField(change.field);
    if (field && (field->type == FieldType::kNumber || field->type == FieldType::kGroup)) {
      change.value = Generate(*field, form.id + "." + field->id, 0, true, ctx);
      if (ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, {change})) {
        ++written;
        continue;
      }
    }
    ++refusals[change.field];
  }
  return written;
}

// Who writes which of `fields` of `form`, in writing order: each field by the first participant who may
// edit it, the step's performers first, then whoever may edit the most of them, so that a form is written
// in few batches.
std::vector<std::pair<std::string, std::vector<const Field*>>> Writers(
    FillContext& ctx, const Form& form, const std::vector<const Field*>& fields) {
  std::vector<std::string> performers = ctx.cast.InRoles(ctx.step.performers);
  struct Writer {
    std::string username;
    bool performer;
    size_t editable;
    unsigned tiebreak;
  };
  std::vector<Writer> writers;
  for (const std::string& user : ctx.cast.usernames) {
    size_t editable = static_cast<size_t>(std::count_if(
        fields.begin(), fields.end(), [&](const Field* f) { return ctx.cast.CanEdit(user, form, *f); }));
    if (editable == 0) continue;
    bool performer = std::binary_search(performers.begin(), performers.end(), user);
    writers.push_back(Writer{user, performer, editable, static_cast<unsigned>(ctx.rng())});
  }
  std::sort(writers.begin(), writers.end(), [](const Writer& a, const Writer& b) {
    return std::tie(b.performer, b.editable, b.tiebreak) < std::tie(a.performer, a.editable, a.tiebreak);
  });
  std::vector<std::pair<std::string, std::vector<const Field*>>> out;
  for (const Writer& writer : writers) out.emplace_back(writer.username, std::vector<const Field*>{});
  for (const Field* field : fields) {
    for (auto& [user, mine] : out) {
      if (!ctx.cast.CanEdit(user, form, *field)) continue;
      mine.push_back(field);
      break;
    }
  }
  std::erase_if(out, [](const auto& writer) { return writer.second.empty(); });
  return out;
}

// Fills the empty, visible fields of one form (one occurrence of it) that some participant may edit, as
// Writers() says. Filling repeats while fields appear that a visible-if opened, or a value was refused.
void FillForm(FillContext& ctx, const Form& form, int occurrence) {
  std::map<std::string, int> refusals;
  constexpr int kMaxPasses = 4;
  constexpr int kMaxRefusals = 2;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    ctx.occurrence = occurrence;
    ctx.form = &form;
    Result<FormView> view = ctx.engine.GetForm(Actor::Operator(), ctx.instance, form.id, occurrence);
    if (!view || view.value().locked) return;
    std::vector<const Field*> open;
    bool hidden = false;  // a field a visible-if hides now, which a write may open
    for (const FieldView& fv : view.value().fields) {
      hidden = hidden || !fv.visible;
      if (fv.visible && fv.value.IsEmpty() && refusals[fv.field->id] < kMaxRefusals) open.push_back(fv.field);
    }
    if (open.empty()) return;
    size_t planned = 0, written = 0;
    for (const auto& [writer, fields] : Writers(ctx, form, open)) {
      std::vector<FieldChange> batch;
      for (const Field* field : fields) {
        Value value = Generate(*field, form.id + "." + field->id, 0, false, ctx);
        if (!value.IsEmpty()) batch.push_back(FieldChange{field->id, std::move(value), std::nullopt});
      }
      if (batch.empty()) continue;
      planned += batch.size();
      written += WriteFields(ctx, writer, form, occurrence, std::move(batch), refusals);
    }
    if (written == 0) return;
    // Another pass is needed only when a write may have opened a hidden field or left one out.
    if (!hidden && written == planned) return;
  }
}

// The demo writes titles as "<workflow> – <unit>, <team>, <term>"; the team is read back from there. Titles
// of instances made otherwise give no team.
std::string TeamFromTitle(const std::string& title, const std::string& unit) {
  std::string marker = " – " + unit + ", ";
  size_t start = title.find(marker);
  if (start == std::string::npos) return {};
  start += marker.size();
  size_t end = title.find(", ", start);
  if (end == std::string::npos) return {};
  return UpperFirst(title.substr(start, end - start));
}

bool IsPreschool(const std::string& unit) {
  std::vector<std::string> words = Words(unit);
  return std::any_of(words.begin(), words.end(),
                     [](const std::string& w) { return w == "forskola" || w == "forskolan"; });
}

std::map<std::string, double> BudgetedFields(const WorkflowDefinition& definition) {
  std::map<std::string, double> out;
  for (const Budget& budget : definition.budgets) {
    for (const std::string& reference : budget.sum.references()) out[reference] = budget.max;
  }
  return out;
}

// --- an instance's history ----------------------------------------------------------------------------

// Where an instance stands, read from its audit log: how many steps it has completed, the latest date
// entered in a form, and how often each step completed and each phase started (a loop runs them again).
struct History {
  int completed_steps = 0;
  std::optional<Date> latest;
  std::map<std::string, int> step_completions, phase_starts;
};

History ReadHistory(Engine& engine, std::int64_t instance) {
  History history;
  Result<std::vector<AuditEntry>> log = engine.AuditLog(Actor::Operator(), instance);
  if (!log) return history;
  for (const AuditEntry& entry : log.value()) {
    if (entry.action == "step.complete") {
      ++history.completed_steps;
      ++history.step_completions[entry.target];
    } else if (entry.action == "phase.start") {
      ++history.phase_starts[entry.target];
    } else if (entry.action == "field.set" && entry.new_value) {
      std::optional<Date> date = Date::Parse(*entry.new_value);
      if (date && (!history.latest || *date > *history.latest)) history.latest = date;
    }
  }
  return history;
}

// The day a step's dates start from: a week after the latest date the instance holds, and a week per step
// completed, so that each step's dates come after the previous step's, also around a loop.
Date StepDay(const History& history, Date today) {
  Date day = AddDays(today, 7 * history.completed_steps);
  if (history.latest && AddDays(*history.latest, 7) > day) day = AddDays(*history.latest, 7);
  return day;
}

// --- rules --------------------------------------------------------------------------------------------
//
// The engine compiles a definition's <require> and <transition when> conditions and can only say whether
// they hold. To write values that satisfy them ("the next meeting after the start meeting", "an interview
// with the skolledare", "the visits within the visit days") the filler reads the condition's source again
// into a small tree (the grammar of docs/workflow-format.md), evaluates it on the instance's values as the
// engine does, and where it does not hold changes the fields it reads that the step may write.

struct Rule {
  enum class Kind { kOr, kAnd, kNot, kCompare, kArithmetic, kNegate, kLiteral, kReference, kCall };
  Kind kind = Kind::kLiteral;
  std::string name;           // the operator ("<=", "+"), function, or canonical reference "form.field"
  ExprValue::Scalar literal;  // kLiteral
  std::vector<Rule> operands;
};

class RuleParser {
 public:
  explicit RuleParser(std::string_view source) : source_(source) {}

  // nullopt for anything it does not understand: the filler then leaves that rule to the engine.
  std::optional<Rule> Parse() {
    std::optional<Rule> rule = Or();
    Skip();
    if (!rule || pos_ != source_.size()) return std::nullopt;
    return rule;
  }

 private:
  static bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

  void Skip() {
    while (pos_ < source_.size() && std::isspace(static_cast<unsigned char>(source_[pos_]))) ++pos_;
  }

  bool Eat(std::string_view token) {
    Skip();
    if (source_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  bool EatWord(std::string_view word) {
    Skip();
    size_t end = pos_ + word.size();
    if (source_.substr(pos_, word.size()) != word || (end < source_.size() && IsNameChar(source_[end]))) {
      return false;
    }
    pos_ = end;
    return true;
  }

  static Rule Node(Rule::Kind kind, std::string name, std::vector<Rule> operands) {
    Rule rule;
    rule.kind = kind;
    rule.name = std::move(name);
    rule.operands = std::move(operands);
    return rule;
  }

  static Rule Literal(ExprValue::Scalar value) {
    Rule rule;
    rule.literal = std::move(value);
    return rule;
  }

  std::optional<Rule> Or() { return Chain(Rule::Kind::kOr, "or", &RuleParser::And); }
  std::optional<Rule> And() { return Chain(Rule::Kind::kAnd, "and", &RuleParser::Not); }

  std::optional<Rule> Chain(Rule::Kind kind, std::string_view word,
                            std::optional<Rule> (RuleParser::*next)()) {
    std::optional<Rule> left = (this->*next)();
    while (left && EatWord(word)) {
      std::optional<Rule> right = (this->*next)();
      if (!right) return std::nullopt;
      left = Node(kind, std::string(word), {std::move(*left), std::move(*right)});
    }
    return left;
  }

  std::optional<Rule> Not() {
    if (!EatWord("not")) return Compare();
    std::optional<Rule> operand = Not();
    if (!operand) return std::nullopt;
    return Node(Rule::Kind::kNot, "not", {std::move(*operand)});
  }

  std::optional<Rule> Compare() {
    std::optional<Rule> left = Sum();
    if (!left) return std::nullopt;
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (!Eat(op)) continue;
      std::optional<Rule> right = Sum();
      if (!right) return std::nullopt;
      return Node(Rule::Kind::kCompare, std::string(op), {std::move(*left), std::move(*right)});
    }
    return left;
  }

  std::optional<Rule> Sum() { return Operators({"+", "-"}, &RuleParser::Product); }
  std::optional<Rule> Product() { return Operators({"*", "/"}, &RuleParser::Unary); }

  std::optional<Rule> Operators(std::initializer_list<std::string_view> ops,
                                std::optional<Rule> (RuleParser::*next)()) {
    std::optional<Rule> left = (this->*next)();
    for (bool more = true; left && more;) {
      more = false;
      for (std::string_view op : ops) {
        if (!Eat(op)) continue;
        std::optional<Rule> right = (this->*next)();
        if (!right) return std::nullopt;
        left = Node(Rule::Kind::kArithmetic, std::string(op), {std::move(*left), std::move(*right)});
        more = true;
        break;
      }
    }
    return left;
  }

  std::optional<Rule> Unary() {
    if (!Eat("-")) return Primary();
    std::optional<Rule> operand = Unary();
    if (!operand) return std::nullopt;
    return Node(Rule::Kind::kNegate, "-", {std::move(*operand)});
  }

  std::optional<std::string> Text() {
    Skip();
    if (pos_ >= source_.size() || (source_[pos_] != '\'' && source_[pos_] != '"')) return std::nullopt;
    const char quote = source_[pos_];
    size_t end = source_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return std::nullopt;
    std::string text(source_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return text;
  }

  std::optional<Rule> Primary() {
    Skip();
    if (pos_ >= source_.size()) return std::nullopt;
    const char c = source_[pos_];
    if (Eat("(")) {
      std::optional<Rule> inner = Or();
      if (!inner || !Eat(")")) return std::nullopt;
      return inner;
    }
    if (c == '\'' || c == '"') {
      std::optional<std::string> text = Text();
      if (!text) return std::nullopt;
      return Literal(*text);
    }
    if ((c >= '0' && c <= '9') || c == '.') {
      size_t end = pos_;
      while (end < source_.size() && ((source_[end] >= '0' && source_[end] <= '9') || source_[end] == '.'))
        ++end;
      double number = std::strtod(std::string(source_.substr(pos_, end - pos_)).c_str(), nullptr);
      pos_ = end;
      return Literal(number);
    }
    size_t end = pos_;
    while (end < source_.size() && (IsNameChar(source_[end]) || source_[end] == '.')) ++end;
    if (end == pos_) return std::nullopt;
    std::string name(source_.substr(pos_, end - pos_));
    pos_ = end;
    if (name == "true" || name == "false") return Literal(name == "true");
    if (!Eat("(")) return Node(Rule::Kind::kReference, name, {});
    return Call(name);
  }

  std::optional<Rule> Call(const std::string& name) {
    if (name == "date" || name == "duration") {
      std::optional<std::string> text = Text();
      if (!text || !Eat(")")) return std::nullopt;
      if (name == "date") {
        std::optional<Date> date = Date::Parse(*text);
        return date ? std::optional(Literal(*date)) : std::nullopt;
      }
      std::optional<Duration> duration = Duration::Parse(*text);
      return duration ? std::optional(Literal(*duration)) : std::nullopt;
    }
    if (name == "assigned" || name == "started") {
      std::optional<std::string> text = Text();
      if (!text || !Eat(")")) return std::nullopt;
      return Node(Rule::Kind::kCall, name, {Literal(*text)});
    }
    std::vector<Rule> arguments;
    if (!Eat(")")) {
      do {
        std::optional<Rule> argument = Or();
        if (!argument) return std::nullopt;
        arguments.push_back(std::move(*argument));
      } while (Eat(","));
      if (!Eat(")")) return std::nullopt;
    }
    return Node(Rule::Kind::kCall, name, std::move(arguments));
  }

  std::string_view source_;
  size_t pos_ = 0;
};

std::optional<Rule> ParseRule(const Expression& expression) {
  return RuleParser(expression.source()).Parse();
}

// --- the values rules read ----------------------------------------------------------------------------

// Where one element of a list a rule reads is kept: a field of an occurrence, or a cell of a table row.
struct Slot {
  std::string form, field, column;
  int occurrence = 0;
  int row = -1;  // a cell: the row of the group `field`, column `column`
};

// The values, participants and start days an instance's rules read, loaded from the engine form by form as
// the rules ask for them. The solver changes them here first and writes them afterwards.
class Snapshot {
 public:
  Snapshot(Engine& engine, std::int64_t instance, const InstanceView& view)
      : engine_(engine), instance_(instance), view_(view) {
    for (const PhaseView& phase : view.phases) {
      for (const StepView& step : phase.steps) occurrences_[step.step->id] = step.occurrences;
    }
  }

  const WorkflowDefinition& definition() const { return *view_.definition; }
  Date Today() const { return engine_.clock().Today(); }

  // 1..n for a form that repeats with a step, {0} for one that does not.
  std::vector<int> OccurrencesOf(const std::string& form) const {
    const Step* repeating = definition().RepeatingStepOf(form);
    if (!repeating) return {0};
    std::vector<int> out;
    for (int i = 1; i <= Occurrences(repeating->id); ++i) out.push_back(i);
    return out;
  }

  int Occurrences(const std::string& step) const {
    auto it = occurrences_.find(step);
    return it == occurrences_.end() ? 0 : it->second;
  }

  void Added(const std::string& step) { ++occurrences_[step]; }

  const Value* Find(const std::string& form, int occurrence, const std::string& field) const {
    const std::map<std::string, Value>& values = Load(form, occurrence);
    auto it = values.find(field);
    return it == values.end() || it->second.IsEmpty() ? nullptr : &it->second;
  }

  void Set(const std::string& form, int occurrence, const std::string& field, Value value) {
    Load(form, occurrence);
    loaded_[{form, occurrence}][field] = value;
    changes_[{form, occurrence}][field] = std::move(value);
  }

  // The changes made since the last call, per form and occurrence.
  std::map<std::pair<std::string, int>, std::map<std::string, Value>> TakeChanges() {
    return std::exchange(changes_, {});
  }

  // Takes the values of one occurrence of a form from a view already read.
  void Seed(const FormView& view) {
    std::map<std::string, Value>& values = loaded_[{view.form->id, view.occurrence}];
    values.clear();
    for (const FieldView& field : view.fields) values[field.field->id] = field.value;
  }

  // Forgets what was loaded of one occurrence of a form, after the engine wrote it.
  void Forget(const std::string& form, int occurrence) { loaded_.erase({form, occurrence}); }

  // What the engine's expression context gives for `canonical`: a scalar, a multiple choice or a group
  // column as a list, and a repeating form's field as the list over its occurrences.
  ExprValue ValueOf(const std::string& canonical) const {
    std::vector<std::string> parts = Split(canonical);
    if (parts.size() < 2) return ExprValue::Empty();
    const std::string column = parts.size() > 2 ? parts[2] : std::string();
    if (!definition().RepeatingStepOf(parts[0])) return ToExpr(Find(parts[0], 0, parts[1]), column);
    std::vector<ExprValue::Scalar> items;
    for (int occurrence : OccurrencesOf(parts[0])) {
      ExprValue v = ToExpr(Find(parts[0], occurrence, parts[1]), column);
      if (v.is_list) {
        items.insert(items.end(), v.list.begin(), v.list.end());
      } else {
        items.push_back(v.scalar);
      }
    }
    return ExprValue::List(std::move(items));
  }

  // Where each element of ValueOf(canonical) is kept, when it is a list of scalars; empty otherwise.
  std::vector<Slot> SlotsOf(const std::string& canonical) const {
    std::vector<std::string> parts = Split(canonical);
    if (parts.size() < 2) return {};
    const bool repeats = definition().RepeatingStepOf(parts[0]) != nullptr;
    std::vector<Slot> out;
    for (int occurrence : OccurrencesOf(parts[0])) {
      const Value* value = Find(parts[0], occurrence, parts[1]);
      if (parts.size() > 2) {
        const auto* rows = value ? std::get_if<std::vector<Row>>(&value->data) : nullptr;
        for (int row = 0; rows && row < static_cast<int>(rows->size()); ++row) {
          auto cell = (*rows)[static_cast<size_t>(row)].find(parts[2]);
          if (cell != (*rows)[static_cast<size_t>(row)].end() &&
              std::holds_alternative<std::vector<std::string>>(cell->second.data)) {
            return {};  // a multiple-choice column spreads over several elements
          }
          out.push_back(Slot{parts[0], parts[1], parts[2], occurrence, row});
        }
      } else if (repeats && !(value && std::holds_alternative<std::vector<std::string>>(value->data))) {
        out.push_back(Slot{parts[0], parts[1], "", occurrence, -1});
      } else {
        return {};
      }
    }
    return out;
  }

  int Assigned(const std::string& role) const {
    return static_cast<int>(std::count_if(view_.participants.begin(), view_.participants.end(),
                                          [&](const ParticipantView& p) { return p.role == role; }));
  }

  std::optional<Date> Started(const std::string& id) const {
    for (const PhaseView& phase : view_.phases) {
      if (phase.phase->id == id) return phase.started ? std::optional(DateOf(*phase.started)) : std::nullopt;
    }
    for (const PhaseView& phase : view_.phases) {
      for (const StepView& step : phase.steps) {
        if (step.step->id == id) return step.started ? std::optional(DateOf(*step.started)) : std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  static std::vector<std::string> Split(const std::string& canonical) {
    std::vector<std::string> parts(1);
    for (char c : canonical) {
      if (c == '.') {
        parts.emplace_back();
      } else {
        parts.back() += c;
      }
    }
    return parts;
  }

  static ExprValue::Scalar ScalarOf(const Value& v) {
    if (auto* b = std::get_if<bool>(&v.data)) return *b;
    if (auto* d = std::get_if<double>(&v.data)) return *d;
    if (auto* s = std::get_if<std::string>(&v.data)) return *s;
    if (auto* d = std::get_if<Date>(&v.data)) return *d;
    return std::monostate{};
  }

  static ExprValue ToExpr(const Value* v, const std::string& column) {
    if (!v) return column.empty() ? ExprValue::Empty() : ExprValue::List({});
    if (auto* items = std::get_if<std::vector<std::string>>(&v->data)) {
      return ExprValue::List(std::vector<ExprValue::Scalar>(items->begin(), items->end()));
    }
    if (auto* rows = std::get_if<std::vector<Row>>(&v->data)) {
      std::vector<ExprValue::Scalar> out;
      for (const Row& row : *rows) {
        if (column.empty()) {
          out.emplace_back(std::string("rad"));
          continue;
        }
        auto cell = row.find(column);
        if (cell == row.end()) {
          out.emplace_back(std::monostate{});
        } else if (auto* many = std::get_if<std::vector<std::string>>(&cell->second.data)) {
          out.insert(out.end(), many->begin(), many->end());
        } else {
          out.push_back(ScalarOf(cell->second));
        }
      }
      return ExprValue::List(std::move(out));
    }
    if (!column.empty()) return ExprValue::List({});
    return ExprValue::Of(ScalarOf(*v));
  }

  const std::map<std::string, Value>& Load(const std::string& form, int occurrence) const {
    auto key = std::make_pair(form, occurrence);
    auto it = loaded_.find(key);
    if (it != loaded_.end()) return it->second;
    std::map<std::string, Value>& values = loaded_[key];
    Result<FormView> view = engine_.GetForm(Actor::Operator(), instance_, form, occurrence);
    if (view) {
      for (const FieldView& field : view.value().fields) values[field.field->id] = field.value;
    }
    return values;
  }

  Engine& engine_;
  std::int64_t instance_;
  const InstanceView& view_;
  std::map<std::string, int> occurrences_;  // step id -> occurrences, including those added since loading
  mutable std::map<std::pair<std::string, int>, std::map<std::string, Value>> loaded_;
  std::map<std::pair<std::string, int>, std::map<std::string, Value>> changes_;
};

// --- evaluating rules as the engine does ----------------------------------------------------------------

bool IsEmptyScalar(const ExprValue::Scalar& s) {
  if (std::holds_alternative<std::monostate>(s)) return true;
  const std::string* text = std::get_if<std::string>(&s);
  return text && text->empty();
}

template <typename T>
bool Ordered(const std::string& op, const T& a, const T& b) {
  if (op == "==") return a == b;
  if (op == "!=") return !(a == b);
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  return false;
}

bool CompareScalars(const std::string& op, const ExprValue::Scalar& left, const ExprValue::Scalar& right) {
  const bool left_empty = IsEmptyScalar(left), right_empty = IsEmptyScalar(right);
  if (left_empty || right_empty) {
    if (op == "==") return left_empty && right_empty;
    if (op == "!=") return left_empty != right_empty;
    return false;
  }
  if (left.index() != right.index()) return op == "!=";
  return std::visit(
      [&](const auto& a) -> bool {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(right);
        if constexpr (std::is_same_v<T, std::monostate>) {
          return false;
        } else if constexpr (std::is_same_v<T, Duration>) {
          if (op == "==" || op == "!=") return (a == b) == (op == "==");
          return Ordered(op, a.ApproximateDays(), b.ApproximateDays());
        } else {
          return Ordered(op, a, b);
        }
      },
      left);
}

// Arithmetic as the engine does it, and also a date plus or minus a number of days, which the solver
// needs to move a bound across ("last - first <= 305" asks for last <= first + 305).
ExprValue::Scalar Arithmetic(const std::string& op, const ExprValue::Scalar& left,
                             const ExprValue::Scalar& right) {
  const double* a = std::get_if<double>(&left);
  const double* b = std::get_if<double>(&right);
  if (a && b) {
    if (op == "+") return *a + *b;
    if (op == "-") return *a - *b;
    if (op == "*") return *a * *b;
    if (op == "/" && *b != 0) return *a / *b;
    return std::monostate{};
  }
  const Date* date_a = std::get_if<Date>(&left);
  const Date* date_b = std::get_if<Date>(&right);
  const Duration* duration_b = std::get_if<Duration>(&right);
  const Duration* duration_a = std::get_if<Duration>(&left);
  if (date_a && duration_b && (op == "+" || op == "-")) {
    return op == "+" ? date_a->Plus(*duration_b) : date_a->Minus(*duration_b);
  }
  if (duration_a && date_b && op == "+") return date_b->Plus(*duration_a);
  if (date_a && date_b && op == "-") return static_cast<double>(date_b->DaysUntil(*date_a));
  if (date_a && b && (op == "+" || op == "-"))
    return AddDays(*date_a, static_cast<int>(op == "+" ? *b : -*b));
  if (a && date_b && op == "+") return AddDays(*date_b, static_cast<int>(*a));
  const std::string* text_a = std::get_if<std::string>(&left);
  const std::string* text_b = std::get_if<std::string>(&right);
  if (text_a && text_b && op == "+") return *text_a + *text_b;
  return std::monostate{};
}

ExprValue Evaluate(const Rule& rule, const Snapshot& values);

ExprValue EvaluateCall(const Rule& rule, const Snapshot& values) {
  using Scalar = ExprValue::Scalar;
  const std::string& f = rule.name;
  if (f == "today") return ExprValue::Of(values.Today());
  if (rule.operands.empty()) return ExprValue::Empty();
  if (f == "assigned" || f == "started") {
    const std::string* id = std::get_if<std::string>(&rule.operands[0].literal);
    if (!id) return ExprValue::Empty();
    if (f == "assigned") return ExprValue::Of(static_cast<double>(values.Assigned(*id)));
    std::optional<Date> day = values.Started(*id);
    return day ? ExprValue::Of(*day) : ExprValue::Empty();
  }
  const ExprValue first = Evaluate(rule.operands[0], values);
  if (f == "count") {
    return ExprValue::Of(static_cast<double>(std::count_if(
        first.list.begin(), first.list.end(), [](const Scalar& s) { return !IsEmptyScalar(s); })));
  }
  if (f == "sum") {
    double total = 0;
    for (const Scalar& item : first.list) {
      if (const double* number = std::get_if<double>(&item)) total += *number;
    }
    return ExprValue::Of(total);
  }
  if (f == "min" || f == "max") {
    Scalar best;
    for (const Scalar& item : first.list) {
      if (!IsEmptyScalar(item) &&
          (IsEmptyScalar(best) || CompareScalars(f == "min" ? "<" : ">", item, best))) {
        best = item;
      }
    }
    return ExprValue::Of(best);
  }
  if (f == "filled" || f == "empty") {
    bool filled = first.is_list ? std::any_of(first.list.begin(), first.list.end(),
                                              [](const Scalar& s) { return !IsEmptyScalar(s); })
                                : !IsEmptyScalar(first.scalar);
    return ExprValue::Of(f == "filled" ? filled : !filled);
  }
  if (f == "length") {
    const std::string* text = std::get_if<std::string>(&first.scalar);
    return ExprValue::Of(text ? static_cast<double>(CountCodePoints(*text)) : 0.0);
  }
  if (rule.operands.size() < 2) return ExprValue::Empty();
  const ExprValue second = Evaluate(rule.operands[1], values);
  if (f == "days_between") {
    const Date* from = std::get_if<Date>(&first.scalar);
    const Date* to = std::get_if<Date>(&second.scalar);
    return from && to ? ExprValue::Of(static_cast<double>(from->DaysUntil(*to))) : ExprValue::Empty();
  }
  if (f == "contains") {
    const std::string* needle = std::get_if<std::string>(&second.scalar);
    if (!needle) return ExprValue::Of(false);
    if (first.is_list) {
      return ExprValue::Of(std::any_of(first.list.begin(), first.list.end(), [&](const Scalar& item) {
        const std::string* text = std::get_if<std::string>(&item);
        return text && *text == *needle;
      }));
    }
    const std::string* haystack = std::get_if<std::string>(&first.scalar);
    return ExprValue::Of(haystack != nullptr && haystack->find(*needle) != std::string::npos);
  }
  return ExprValue::Empty();
}

ExprValue Evaluate(const Rule& rule, const Snapshot& values) {
  switch (rule.kind) {
    case Rule::Kind::kLiteral:
      return ExprValue::Of(rule.literal);
    case Rule::Kind::kReference:
      return values.ValueOf(rule.name);
    case Rule::Kind::kNot:
      return ExprValue::Of(!Evaluate(rule.operands[0], values).IsTrue());
    case Rule::Kind::kAnd:
      return ExprValue::Of(Evaluate(rule.operands[0], values).IsTrue() &&
                           Evaluate(rule.operands[1], values).IsTrue());
    case Rule::Kind::kOr:
      return ExprValue::Of(Evaluate(rule.operands[0], values).IsTrue() ||
                           Evaluate(rule.operands[1], values).IsTrue());
    case Rule::Kind::kNegate: {
      ExprValue operand = Evaluate(rule.operands[0], values);
      const double* number = std::get_if<double>(&operand.scalar);
      return number ? ExprValue::Of(-*number) : ExprValue::Empty();
    }
    case Rule::Kind::kCompare:
      return ExprValue::Of(CompareScalars(rule.name, Evaluate(rule.operands[0], values).scalar,
                                          Evaluate(rule.operands[1], values).scalar));
    case Rule::Kind::kArithmetic:
      return ExprValue::Of(Arithmetic(rule.name, Evaluate(rule.operands[0], values).scalar,
                                      Evaluate(rule.operands[1], values).scalar));
    case Rule::Kind::kCall:
      return EvaluateCall(rule, values);
  }
  return ExprValue::Empty();
}

// --- satisfying rules ---------------------------------------------------------------------------------

std::string Flipped(const std::string& op) {  // a op b  <=>  b Flipped(op) a
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  if (op == ">=") return "<=";
  return op;
}

std::string Negated(const std::string& op) {  // not (a op b)  <=>  a Negated(op) b
  if (op == "<") return ">=";
  if (op == ">=") return "<";
  if (op == ">") return "<=";
  if (op == "<=") return ">";
  if (op == "==") return "!=";
  return "==";
}

// The value of a field's type that holds `value`, when the field can take it.
std::optional<Value> ValueFor(const Field& field, const ExprValue::Scalar& value) {
  switch (field.type) {
    case FieldType::kDate:
      if (auto* d = std::get_if<Date>(&value)) return Value{*d};
      break;
    case FieldType::kNumber:
      if (auto* n = std::get_if<double>(&value)) return Value{*n};
      break;
    case FieldType::kYesNo:
      if (auto* b = std::get_if<bool>(&value)) return Value{*b};
      break;
    case FieldType::kChoice:
      if (auto* s = std::get_if<std::string>(&value); s && field.HasOption(*s)) return Value{*s};
      break;
    case FieldType::kText:
    case FieldType::kLongText:
    case FieldType::kPerson:
      if (auto* s = std::get_if<std::string>(&value)) return Value{*s};
      break;
    default:
      break;
  }
  return std::nullopt;
}

void PlanForm(FillContext& ctx, Snapshot& values, const Form& form, int occurrence);

// Changes what the open step may write so that rules come to hold: fields of the step's forms that a
// participant may edit, rows of their tables, occurrences of the step; and, when the demo may move its
// clock, the day ("at least four weeks after the mapping started"). Changes go into the snapshot first and
// are written afterwards by WriteChanges().
class Solver {
 public:
  Solver(FillContext& ctx, Snapshot& values, ManualClock* clock)
      : ctx_(ctx), values_(values), clock_(clock) {}

  bool changed() const { return changed_; }
  bool needs_time() const { return needs_time_; }  // a rule waits for a day the solver could not bring

  // Tries to make `rule` evaluate to `want`; false when it sees no way.
  bool Make(const Rule& rule, bool want) {
    if (Evaluate(rule, values_).IsTrue() == want) return true;
    const std::vector<Rule>& ops = rule.operands;
    switch (rule.kind) {
      case Rule::Kind::kNot:
        return Make(ops[0], !want);
      case Rule::Kind::kAnd:
      case Rule::Kind::kOr: {
        // "a and b" needs both, "a or b" either (the first that can be made to hold); negated, the other way.
        if ((rule.kind == Rule::Kind::kAnd) == want) {
          bool first = Make(ops[0], want);
          return Make(ops[1], want) && first;
        }
        return Make(ops[0], want) || Make(ops[1], want);
      }
      case Rule::Kind::kReference:
        return AssignReference(rule, "==", want);
      case Rule::Kind::kCompare:
        return MakeCompare(want ? rule.name : Negated(rule.name), ops[0], ops[1]);
      case Rule::Kind::kCall:
        if (rule.name == "contains" && ops.size() == 2) return MakeContains(ops[0], ops[1], want);
        if ((rule.name == "filled" && want) || (rule.name == "empty" && !want)) return MakeFilled(ops[0]);
        return false;
      default:
        return false;
    }
  }

 private:
  static std::vector<std::string> Parts(const std::string& canonical) {
    std::vector<std::string> parts(1);
    for (char c : canonical) {
      if (c == '.') {
        parts.emplace_back();
      } else {
        parts.back() += c;
      }
    }
    return parts;
  }

  const WorkflowDefinition& definition() const { return values_.definition(); }

  const Field* FieldOf(const std::string& form, const std::string& field) const {
    const Form* f = definition().FindForm(form);
    return f ? f->FindField(field) : nullptr;
  }

  // A field of one of the step's forms that some participant may edit.
  bool Writable(const std::string& form, const std::string& field) const {
    if (std::find(ctx_.step.forms.begin(), ctx_.step.forms.end(), form) == ctx_.step.forms.end())
      return false;
    const Form* f = definition().FindForm(form);
    const Field* fd = f ? f->FindField(field) : nullptr;
    if (!fd) return false;
    return std::any_of(ctx_.cast.usernames.begin(), ctx_.cast.usernames.end(),
                       [&](const std::string& user) { return ctx_.cast.CanEdit(user, *f, *fd); });
  }

  bool Set(const std::string& form, int occurrence, const Field& field, Value value) {
    if (!CheckConstraints(field, value).empty()) return false;
    values_.Set(form, occurrence, field.id, std::move(value));
    changed_ = true;
    return true;
  }

  // A value that stands in relation `op` to `bound`, of the field's type: the bound itself, a day or one
  // more or less, or for "!=" another option.
  std::optional<Value> Satisfying(const Field& field, const std::string& op, const ExprValue::Scalar& bound) {
    const int step = op == ">" || op == "!=" ? 1 : op == "<" ? -1 : 0;
    if (auto* date = std::get_if<Date>(&bound)) return ValueFor(field, AddDays(*date, step));
    if (auto* number = std::get_if<double>(&bound)) return ValueFor(field, *number + step);
    if (auto* flag = std::get_if<bool>(&bound)) return ValueFor(field, op == "!=" ? !*flag : *flag);
    if (auto* text = std::get_if<std::string>(&bound)) {
      if (op == "==") return ValueFor(field, *text);
      if (op == "!=") return OtherThan(field, *text);
    }
    return std::nullopt;
  }

  // Another value than `avoid`: another option of a choice, another person of the role.
  std::optional<Value> OtherThan(const Field& field, const std::string& avoid) {
    std::vector<std::string> candidates;
    if (field.type == FieldType::kChoice) {
      for (size_t i : FittingOptions(field, ctx_.preschool)) candidates.push_back(field.options[i].value);
    } else if (field.type == FieldType::kPerson) {
      candidates = field.person_role.empty() ? ctx_.cast.usernames : ctx_.cast.InRoles({field.person_role});
    }
    std::erase(candidates, avoid);
    if (candidates.empty()) return std::nullopt;
    return Value{Pick(candidates, ctx_.rng)};
  }

  bool SetSlot(const Slot& slot, const std::optional<Value>& value) {
    const Field* field = FieldOf(slot.form, slot.field);
    if (!value || !field || !Writable(slot.form, slot.field)) return false;
    if (slot.row < 0) return Set(slot.form, slot.occurrence, *field, *value);
    const Field* column = field->Column(slot.column);
    const Value* current = values_.Find(slot.form, slot.occurrence, slot.field);
    const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
    if (!column || !rows || slot.row >= static_cast<int>(rows->size()) ||
        !CheckConstraints(*column, *value).empty()) {
      return false;
    }
    std::vector<Row> changed = *rows;
    changed[static_cast<size_t>(slot.row)][column->id] = *value;
    return Set(slot.form, slot.occurrence, *field, Value{std::move(changed)});
  }

  // `op` with the value of the other side as bound: the side that can be written is changed.
  bool MakeCompare(const std::string& op, const Rule& left, const Rule& right) {
    ExprValue bound = Evaluate(right, values_);
    if (!bound.is_list && !IsEmptyScalar(bound.scalar) && Assign(left, op, bound.scalar)) return true;
    bound = Evaluate(left, values_);
    return !bound.is_list && !IsEmptyScalar(bound.scalar) && Assign(right, Flipped(op), bound.scalar);
  }

  // Makes `target op bound` hold by writing what `target` reads.
  bool Assign(const Rule& target, const std::string& op, const ExprValue::Scalar& bound) {
    switch (target.kind) {
      case Rule::Kind::kReference:
        return AssignReference(target, op, bound);
      case Rule::Kind::kNegate: {
        const double* number = std::get_if<double>(&bound);
        return number && Assign(target.operands[0], Flipped(op), -*number);
      }
      case Rule::Kind::kArithmetic: {
        // a + b op c: a op c - b, or b op c - a; a - b op c: a op c + b, or b (flipped op) a - c.
        const Rule& a = target.operands[0];
        const Rule& b = target.operands[1];
        const ExprValue::Scalar va = Evaluate(a, values_).scalar, vb = Evaluate(b, values_).scalar;
        if (target.name == "+")
          return Assign(a, op, Arithmetic("-", bound, vb)) || Assign(b, op, Arithmetic("-", bound, va));
        if (target.name == "-")
          return Assign(a, op, Arithmetic("+", bound, vb)) ||
                 Assign(b, Flipped(op), Arithmetic("-", va, bound));
        return false;
      }
      case Rule::Kind::kCall:
        if (target.name == "today") return Wait(op, bound);
        if (target.operands.size() != 1 || target.operands[0].kind != Rule::Kind::kReference) return false;
        if (target.name == "min" || target.name == "max") return AssignExtreme(target, op, bound);
        if (target.name == "count") return AssignCount(target.operands[0].name, op, bound);
        return false;
      default:
        return false;
    }
  }

  bool AssignReference(const Rule& target, const std::string& op, const ExprValue::Scalar& bound) {
    std::vector<std::string> parts = Parts(target.name);
    if (parts.size() != 2 || definition().RepeatingStepOf(parts[0]) || !Writable(parts[0], parts[1]))
      return false;
    const Field* field = FieldOf(parts[0], parts[1]);
    std::optional<Value> value = Satisfying(*field, op, bound);
    return value && Set(parts[0], 0, *field, *value);
  }

  // min(list) or max(list) op bound. The elements on the wrong side of the bound are moved to it ("every
  // visit within the visit days"); when one element must reach it ("a meeting after the last one"), the
  // newest does, or a new one is added.
  bool AssignExtreme(const Rule& target, const std::string& op, const ExprValue::Scalar& bound) {
    const std::string& list = target.operands[0].name;
    const bool is_max = target.name == "max";
    std::vector<Slot> slots = values_.SlotsOf(list);
    ExprValue items = values_.ValueOf(list);
    if (slots.size() != items.list.size()) return false;
    // Every element must be on the right side for max <= b and min >= b (and both ways for ==).
    const std::string every = op == "==" ? (is_max ? "<=" : ">=") : op;
    const bool all = op == "==" || (is_max ? op[0] == '<' : op[0] == '>');
    bool done = false;
    if (all) {
      // Dates moved inside a bound keep their order a day apart, the farthest at the bound: visits on
      // consecutive visit days rather than all on the last one.
      std::vector<size_t> wrong;
      for (size_t i = 0; i < slots.size(); ++i) {
        if (!IsEmptyScalar(items.list[i]) && !CompareScalars(every, items.list[i], bound)) wrong.push_back(i);
      }
      const std::string farther = every[0] == '<' ? ">" : "<";
      std::stable_sort(wrong.begin(), wrong.end(), [&](size_t a, size_t b) {
        return CompareScalars(farther, items.list[a], items.list[b]);  // the farthest from the bound first
      });
      for (size_t k = 0; k < wrong.size(); ++k) {
        const Slot& slot = slots[wrong[k]];
        const Field* field = FieldOf(slot.form, slot.field);
        const Field* cell = field && slot.row >= 0 ? field->Column(slot.column) : field;
        ExprValue::Scalar moved = bound;
        if (const Date* day = std::get_if<Date>(&bound)) {
          const int offset = static_cast<int>(k);
          moved = AddDays(*day, every[0] == '<' ? -offset : offset);
        }
        if (!cell || !SetSlot(slot, Satisfying(*cell, every, moved))) return false;
        done = true;
      }
    }
    // One element reaches the bound (also when the list holds nothing yet): the newest, or a new one.
    if ((done && op != "==") || CompareScalars(op, Evaluate(target, values_).scalar, bound)) return true;
    for (size_t i = slots.size(); i-- > 0;) {
      const Field* field = FieldOf(slots[i].form, slots[i].field);
      const Field* cell = field && slots[i].row >= 0 ? field->Column(slots[i].column) : field;
      if (cell && SetSlot(slots[i], Satisfying(*cell, op, bound))) return true;
    }
    return Append(list, op, bound);
  }

  // Adds an element to a list: a row to a table, or an occurrence to the step, holding `op bound`.
  bool Append(const std::string& list, const std::string& op, const ExprValue::Scalar& bound) {
    std::vector<std::string> parts = Parts(list);
    const Field* field = FieldOf(parts[0], parts.size() > 1 ? parts[1] : "");
    if (!field || !Writable(parts[0], field->id)) return false;
    if (parts.size() == 3) {
      const Field* column = field->Column(parts[2]);
      std::optional<Value> value = column ? Satisfying(*column, op, bound) : std::nullopt;
      return value && AddRow(parts[0], *field, column->id, *value);
    }
    if (definition().RepeatingStepOf(parts[0]) != &ctx_.step) return false;
    std::optional<int> occurrence = AddOccurrence();
    std::optional<Value> value = occurrence ? Satisfying(*field, op, bound) : std::nullopt;
    return value && Set(parts[0], *occurrence, *field, *value);
  }

  // The newest occurrence of a form (0 for a form that does not repeat); -1 before the first.
  int LastOccurrence(const std::string& form) const {
    std::vector<int> occurrences = values_.OccurrencesOf(form);
    return occurrences.empty() ? -1 : occurrences.back();
  }

  // Adds a generated row to a table (in the newest occurrence), with `column` set to `value`.
  bool AddRow(const std::string& form, const Field& group, const std::string& column, const Value& value) {
    const int occurrence = LastOccurrence(form);
    if (occurrence < 0) return false;
    const Value* current = values_.Find(form, occurrence, group.id);
    std::vector<Row> rows;
    if (current) {
      if (auto* existing = std::get_if<std::vector<Row>>(&current->data)) rows = *existing;
    }
    ctx_.form = definition().FindForm(form);
    ctx_.occurrence = occurrence;
    Row row = GenerateRow(group, form + "." + group.id, static_cast<int>(rows.size()), false, ctx_);
    if (!column.empty()) row[column] = value;
    rows.push_back(std::move(row));
    return Set(form, occurrence, group, Value{std::move(rows)});
  }

  // Adds an occurrence of the open step, its forms planned like the others'; its number, or nullopt at the
  // step's maximum.
  std::optional<int> AddOccurrence() {
    const Step& step = ctx_.step;
    if (!step.repeat || (step.repeat->max && values_.Occurrences(step.id) >= *step.repeat->max))
      return std::nullopt;
    std::vector<std::string> performers = ctx_.cast.InRoles(step.performers);
    if (performers.empty()) return std::nullopt;
    Result<int> added =
        ctx_.engine.AddOccurrence(Actor::User(Pick(performers, ctx_.rng)), ctx_.instance, step.id);
    if (!added) return std::nullopt;
    values_.Added(step.id);
    for (const std::string& form_id : step.forms) {
      const Form* form = definition().FindForm(form_id);
      if (form && definition().RepeatingStepOf(form_id) == &step)
        PlanForm(ctx_, values_, *form, added.value());
    }
    changed_ = true;
    return added.value();
  }

  // count(list) op n: rows added to a table (or removed, for == and <=), occurrences added to the step.
  bool AssignCount(const std::string& list, const std::string& op, const ExprValue::Scalar& bound) {
    const double* n = std::get_if<double>(&bound);
    if (!n) return false;
    const int wanted = op == ">"   ? static_cast<int>(std::floor(*n)) + 1
                       : op == "<" ? static_cast<int>(std::ceil(*n)) - 1
                                   : static_cast<int>(op[0] == '<' ? std::floor(*n) : std::ceil(*n));
    std::vector<std::string> parts = Parts(list);
    const Field* field = parts.size() > 1 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], field->id)) return false;
    for (int last = -1;;) {
      ExprValue items = values_.ValueOf(list);
      const int count =
          static_cast<int>(std::count_if(items.list.begin(), items.list.end(),
                                         [](const ExprValue::Scalar& s) { return !IsEmptyScalar(s); }));
      if (CompareScalars(op, static_cast<double>(count), *n)) return true;
      if (count == last) return false;  // no progress: the rows or occurrences added stay empty
      last = count;
      if (count < wanted ? !Grow(parts, *field) : !Shrink(parts, *field)) return false;
    }
  }

  // One more element in a list: an empty cell filled, a row, an option, or an occurrence.
  bool Grow(const std::vector<std::string>& parts, const Field& field) {
    const int occurrence = LastOccurrence(parts[0]);
    if (field.type == FieldType::kGroup && occurrence >= 0) {
      const Field* column = parts.size() > 2 ? field.Column(parts[2]) : nullptr;
      const Value* current = values_.Find(parts[0], occurrence, field.id);
      const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
      for (int row = 0; column && rows && row < static_cast<int>(rows->size()); ++row) {
        auto cell = (*rows)[static_cast<size_t>(row)].find(column->id);
        if (cell != (*rows)[static_cast<size_t>(row)].end() && !cell->second.IsEmpty()) continue;
        ctx_.form = definition().FindForm(parts[0]);
        return SetSlot(Slot{parts[0], field.id, column->id, occurrence, row},
                       Generate(*column, parts[0] + "." + field.id + "." + column->id,
                                static_cast<size_t>(row), false, ctx_));
      }
      return AddRow(parts[0], field, "", Value{});
    }
    if (field.type == FieldType::kMultiChoice && parts.size() == 2 && occurrence >= 0) {
      const Value* current = values_.Find(parts[0], occurrence, field.id);
      std::vector<std::string> chosen;
      if (current) {
        if (auto* items = std::get_if<std::vector<std::string>>(&current->data)) chosen = *items;
      }
      for (const Option& option : field.options) {
        if (std::find(chosen.begin(), chosen.end(), option.value) != chosen.end()) continue;
        chosen.push_back(option.value);
        return Set(parts[0], occurrence, field, Value{chosen});
      }
      return false;
    }
    return parts.size() == 2 && definition().RepeatingStepOf(parts[0]) == &ctx_.step && AddOccurrence();
  }

  // One row fewer in a table (the last), as long as its range allows.
  bool Shrink(const std::vector<std::string>& parts, const Field& field) {
    const int occurrence = LastOccurrence(parts[0]);
    if (field.type != FieldType::kGroup || occurrence < 0) return false;
    const Value* current = values_.Find(parts[0], occurrence, field.id);
    const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
    if (!rows || rows->empty()) return false;
    std::vector<Row> fewer(rows->begin(), rows->end() - 1);
    return Set(parts[0], occurrence, field, Value{std::move(fewer)});
  }

  // contains(list, needle): the needle added to the list (an option chosen, a row or occurrence holding
  // it) or every copy of it replaced; else the needle set to (or away from) what the list holds.
  bool MakeContains(const Rule& list, const Rule& needle, bool want) {
    ExprValue n = Evaluate(needle, values_);
    const std::string* text = std::get_if<std::string>(&n.scalar);
    if (!text || text->empty()) return false;
    if (list.kind == Rule::Kind::kReference &&
        (want ? AddItem(list.name, *text) : RemoveItem(list.name, *text))) {
      return true;
    }
    if (needle.kind != Rule::Kind::kReference) return false;
    ExprValue items = Evaluate(list, values_);
    if (want) {
      for (const ExprValue::Scalar& item : items.list) {
        if (!IsEmptyScalar(item) && AssignReference(needle, "==", item)) return true;
      }
      return false;
    }
    std::vector<std::string> parts = Parts(needle.name);
    const Field* field = parts.size() == 2 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || field->type != FieldType::kChoice || !Writable(parts[0], parts[1])) return false;
    std::vector<std::string> free;
    for (size_t i : FittingOptions(*field, ctx_.preschool)) {
      const std::string& value = field->options[i].value;
      bool listed = std::any_of(items.list.begin(), items.list.end(), [&](const ExprValue::Scalar& item) {
        const std::string* s = std::get_if<std::string>(&item);
        return s && *s == value;
      });
      if (!listed) free.push_back(value);
    }
    return !free.empty() && Set(parts[0], 0, *field, Value{Pick(free, ctx_.rng)});
  }

  bool AddItem(const std::string& list, const std::string& text) {
    std::vector<std::string> parts = Parts(list);
    const Field* field = parts.size() > 1 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], field->id)) return false;
    if (definition().RepeatingStepOf(parts[0]) && values_.OccurrencesOf(parts[0]).empty() &&
        !AddOccurrence()) {
      return false;
    }
    const int occurrence = LastOccurrence(parts[0]);
    if (occurrence < 0) return false;
    const Value* current = values_.Find(parts[0], occurrence, field->id);
    if (parts.size() == 3 && field->type == FieldType::kGroup) {
      const Field* column = field->Column(parts[2]);
      std::optional<Value> value = column ? ValueFor(*column, text) : std::nullopt;
      if (!value) return false;
      const auto* rows = current ? std::get_if<std::vector<Row>>(&current->data) : nullptr;
      for (int row = 0; rows && row < static_cast<int>(rows->size()); ++row) {
        auto cell = (*rows)[static_cast<size_t>(row)].find(column->id);
        if (cell == (*rows)[static_cast<size_t>(row)].end() || cell->second.IsEmpty()) {
          return SetSlot(Slot{parts[0], field->id, column->id, occurrence, row}, value);
        }
      }
      if (AddRow(parts[0], *field, column->id, *value)) return true;
      // The table is full: the last row is about the needle instead.
      return rows && !rows->empty() &&
             SetSlot(Slot{parts[0], field->id, column->id, occurrence, static_cast<int>(rows->size()) - 1},
                     value);
    }
    if (parts.size() != 2) return false;
    if (field->type == FieldType::kMultiChoice) {
      std::vector<std::string> chosen;
      if (current) {
        if (auto* items = std::get_if<std::vector<std::string>>(&current->data)) chosen = *items;
      }
      if (!field->HasOption(text)) return false;
      chosen.push_back(text);
      return Set(parts[0], occurrence, *field, Value{chosen});
    }
    if (definition().RepeatingStepOf(parts[0])) {  // a field over occurrences: the newest holds it
      std::optional<Value> value = ValueFor(*field, text);
      return value && Set(parts[0], occurrence, *field, *value);
    }
    const std::string* existing = current ? std::get_if<std::string>(&current->data) : nullptr;
    std::optional<Value> value = ValueFor(*field, existing ? *existing + " " + text : text);
    return value && Set(parts[0], 0, *field, *value);
  }

  bool RemoveItem(const std::string& list, const std::string& text) {
    std::vector<std::string> parts = Parts(list);
    const Field* field = parts.size() > 1 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], field->id)) return false;
    if (parts.size() == 2 && field->type == FieldType::kMultiChoice) {
      bool done = false;
      for (int occurrence : values_.OccurrencesOf(parts[0])) {
        const Value* current = values_.Find(parts[0], occurrence, field->id);
        const auto* items = current ? std::get_if<std::vector<std::string>>(&current->data) : nullptr;
        if (!items || std::find(items->begin(), items->end(), text) == items->end()) continue;
        std::vector<std::string> fewer = *items;
        std::erase(fewer, text);
        if (fewer.empty()) {
          for (const Option& option : field->options) {
            if (option.value != text) {
              fewer.push_back(option.value);
              break;
            }
          }
        }
        if (!Set(parts[0], occurrence, *field, Value{fewer})) return false;
        done = true;
      }
      return done;
    }
    std::vector<Slot> slots = values_.SlotsOf(list);
    ExprValue items = values_.ValueOf(list);
    if (slots.empty() || slots.size() != items.list.size()) return false;
    for (size_t i = 0; i < slots.size(); ++i) {
      const std::string* item = std::get_if<std::string>(&items.list[i]);
      if (!item || *item != text) continue;
      const Field* cell = slots[i].row >= 0 ? field->Column(slots[i].column) : field;
      if (!cell || !SetSlot(slots[i], OtherThan(*cell, text))) return false;
    }
    return true;
  }

  bool MakeFilled(const Rule& target) {
    if (target.kind != Rule::Kind::kReference) return false;
    std::vector<std::string> parts = Parts(target.name);
    const Field* field = parts.size() == 2 ? FieldOf(parts[0], parts[1]) : nullptr;
    if (!field || !Writable(parts[0], parts[1])) return false;
    const int occurrence = LastOccurrence(parts[0]);
    if (occurrence < 0 || values_.Find(parts[0], occurrence, field->id)) return false;
    ctx_.form = definition().FindForm(parts[0]);
    ctx_.occurrence = occurrence;
    Value value = Generate(*field, target.name, 0, false, ctx_);
    return !value.IsEmpty() && Set(parts[0], occurrence, *field, std::move(value));
  }

  // today() op day: time passes on the demo's clock until the rule holds, when the demo may move it.
  bool Wait(const std::string& op, const ExprValue::Scalar& bound) {
    const Date* day = std::get_if<Date>(&bound);
    if (!day || (op != ">=" && op != ">")) return false;
    const Date until = AddDays(*day, op == ">" ? 1 : 0);
    if (!clock_) {
      needs_time_ = true;
      return false;
    }
    const Timestamp now = clock_->Now();
    const auto time_of_day = now - std::chrono::floor<std::chrono::days>(now);
    clock_->Set(std::chrono::time_point_cast<std::chrono::seconds>(until.days()) + time_of_day);
    changed_ = true;
    return true;
  }

  FillContext& ctx_;
  Snapshot& values_;
  ManualClock* clock_;
  bool changed_ = false;
  bool needs_time_ = false;
};

// Writes the planned values and the solver's changes, each field as Writers() says. Returns the forms (and
// occurrences) to fill once more: where a write may have opened a field (visible-if) or a value was refused.
std::set<std::pair<std::string, int>> WriteChanges(FillContext& ctx, Snapshot& values) {
  std::set<std::pair<std::string, int>> refill;
  for (auto& [key, changes] : values.TakeChanges()) {
    const Form* form = values.definition().FindForm(key.first);
    if (!form) continue;
    std::vector<const Field*> fields;
    for (const auto& [field_id, value] : changes) {
      if (const Field* field = form->FindField(field_id)) fields.push_back(field);
    }
    std::map<std::string, int> refusals;
    ctx.form = form;
    ctx.occurrence = key.second;
    size_t planned = 0, written = 0;
    for (const auto& [writer, mine] : Writers(ctx, *form, fields)) {
      std::vector<FieldChange> batch;
      for (const Field* field : mine)
        batch.push_back(FieldChange{field->id, changes.at(field->id), std::nullopt});
      planned += batch.size();
      written += WriteFields(ctx, writer, *form, key.second, std::move(batch), refusals);
    }
    values.Forget(key.first, key.second);
    bool opens = std::any_of(form->fields.begin(), form->fields.end(),
                             [](const Field& f) { return f.visible_if.has_value(); });
    if (opens || written < planned) refill.insert(key);
  }
  return refill;
}

// --- one step forward ---------------------------------------------------------------------------------

const StepView* FirstOpenStep(const InstanceView& view) {
  for (const PhaseView& phase : view.phases) {
    if (phase.state != State::kActive) continue;
    for (const StepView& step : phase.steps) {
      if (step.state == State::kActive) return &step;
    }
  }
  return nullptr;
}

// Generates values for the visible, empty fields of one occurrence of a form that someone may edit (every
// such field when a loop brought the step back), into `values`: planned, not written yet, so that the
// solver can adjust them before anyone writes.
void PlanForm(FillContext& ctx, Snapshot& values, const Form& form, int occurrence) {
  Result<FormView> view = ctx.engine.GetForm(Actor::Operator(), ctx.instance, form.id, occurrence);
  if (!view || view.value().locked) return;
  values.Seed(view.value());
  ctx.form = &form;
  ctx.occurrence = occurrence;
  const bool rewrite = ctx.rewrite && occurrence == 0;  // a new term's plan, written afresh
  for (const FieldView& fv : view.value().fields) {
    if (!fv.visible || !(rewrite || fv.value.IsEmpty())) continue;
    const Field& field = *fv.field;
    if (std::none_of(ctx.cast.usernames.begin(), ctx.cast.usernames.end(),
                     [&](const std::string& user) { return ctx.cast.CanEdit(user, form, field); })) {
      continue;
    }
    Value value = Generate(field, form.id + "." + field.id, 0, false, ctx);
    if (!value.IsEmpty()) values.Set(form.id, occurrence, field.id, std::move(value));
  }
}

// Plans the step's forms: each occurrence of a form that repeats (with this step, or with another whose
// occurrences it has), else the form itself.
void PlanStepForms(FillContext& ctx, Snapshot& values) {
  const WorkflowDefinition& definition = values.definition();
  for (const std::string& form_id : ctx.step.forms) {
    if (const Form* form = definition.FindForm(form_id)) {
      for (int occurrence : values.OccurrencesOf(form_id)) PlanForm(ctx, values, *form, occurrence);
    }
  }
}

// Completing `step` completes its phase when every other step of the phase has completed.
bool EndsPhase(const InstanceView& view, const Step& step) {
  for (const PhaseView& phase : view.phases) {
    if (phase.phase->id != step.phase) continue;
    return std::all_of(phase.steps.begin(), phase.steps.end(),
                       [&](const StepView& s) { return s.step == &step || s.state == State::kCompleted; });
  }
  return false;
}

// What must hold when `step` completes: its <require> conditions and, when completing it ends its phase,
// the conditions that pick the transition the walk takes: once in a while a loop back (another term, a new
// school year), else the way forward, so that a walk ends.
std::vector<std::pair<Rule, bool>> Goals(const InstanceView& view, const Step& step, const History& history,
                                         std::mt19937& rng) {
  std::vector<std::pair<Rule, bool>> goals;
  for (const Requirement& requirement : step.requirements) {
    if (std::optional<Rule> rule = ParseRule(requirement.condition))
      goals.emplace_back(std::move(*rule), true);
  }
  const WorkflowDefinition& definition = *view.definition;
  const Phase* phase = definition.FindPhase(step.phase);
  if (!phase || phase->transitions.empty() || !EndsPhase(view, step)) return goals;
  auto index = [&](const std::string& id) {
    for (size_t i = 0; i < definition.phases.size(); ++i) {
      if (definition.phases[i].id == id) return static_cast<long>(i);
    }
    return static_cast<long>(definition.phases.size());  // "end"
  };
  const long here = index(phase->id);
  auto it = history.phase_starts.find(phase->id);
  const bool loop = (it == history.phase_starts.end() || it->second < 2) && Chance(0.4, rng);
  auto chosen = std::find_if(phase->transitions.begin(), phase->transitions.end(),
                             [&](const Transition& t) { return (index(t.to) <= here) == loop; });
  if (chosen == phase->transitions.end()) return goals;
  for (auto t = phase->transitions.begin(); t != chosen; ++t) {
    if (!t->when) continue;
    if (std::optional<Rule> rule = ParseRule(*t->when)) goals.emplace_back(std::move(*rule), false);
  }
  if (chosen->when) {
    if (std::optional<Rule> rule = ParseRule(*chosen->when)) goals.emplace_back(std::move(*rule), true);
  }
  return goals;
}

// Writes the planned values, changed until the goals hold or no more can be done: each round evaluates the
// goals, changes what the step may write, writes, and fills the fields the writes made visible. Returns
// whether a goal waits for time to pass that the clock could not give.
bool Satisfy(FillContext& ctx, Snapshot& values, const std::vector<std::pair<Rule, bool>>& goals,
             ManualClock* clock) {
  constexpr int kRounds = 4;
  bool needs_time = false;
  for (int round = 0; round < kRounds; ++round) {
    Solver solver(ctx, values, clock);
    for (const auto& [rule, want] : goals) solver.Make(rule, want);
    needs_time = solver.needs_time();
    for (const auto& [form_id, occurrence] : WriteChanges(ctx, values)) {
      if (const Form* form = values.definition().FindForm(form_id)) FillForm(ctx, *form, occurrence);
      values.Forget(form_id, occurrence);
    }
    if (!solver.changed()) break;
  }
  return needs_time;
}

}  // namespace

Advance AdvanceOneStep(Engine& engine, std::int64_t instance, std::mt19937& rng, std::string* why,
                       ManualClock* clock) {
  auto fail = [&](Advance outcome, const std::string& reason) {
    if (why) *why = reason;
    return outcome;
  };
  Result<InstanceView> loaded = engine.GetInstance(Actor::Operator(), instance);
  if (!loaded) return fail(Advance::kRefused, loaded.error().Summary());
  const InstanceView& view = loaded.value();
  if (view.summary.status == "completed") return fail(Advance::kRefused, "Processen är redan avslutad.");
  const StepView* open = FirstOpenStep(view);
  if (!open) return fail(Advance::kRefused, "Processen har inget öppet steg.");
  const Step& step = *open->step;
  const WorkflowDefinition& definition = *view.definition;
  const Cast cast(view);

  std::vector<std::string> performers = cast.InRoles(step.performers);
  if (performers.empty()) {
    return fail(Advance::kRefused, "Steget ”" + step.label + "” har ingen deltagare som kan utföra det.");
  }
  const History history = ReadHistory(engine, instance);
  // A step that a loop brought back is done again: its forms written afresh, new occurrences added.
  const bool again = history.step_completions.count(step.id) > 0;
  int wanted = 0;
  if (step.repeat) {
    wanted = again ? open->occurrences + step.repeat->min : step.repeat->min;
    if (step.repeat->max) wanted = std::min(wanted, *step.repeat->max);
    for (int occurrences = open->occurrences; occurrences < wanted; ++occurrences) {
      Result<int> added = engine.AddOccurrence(Actor::User(Pick(performers, rng)), instance, step.id);
      if (!added) return fail(Advance::kRefused, added.error().Summary());
    }
  }

  std::string contact;
  for (const auto& [role, people] : cast.by_role) {
    if (contact.empty() && role.find("arbetslag") != std::string::npos) contact = people.front();
  }
  if (contact.empty()) contact = cast.usernames.front();
  FillContext ctx{engine,
                  instance,
                  step,
                  cast,
                  rng,
                  view.summary.unit,
                  TeamFromTitle(view.summary.title, view.summary.unit),
                  Transliterate(view.summary.municipality) + ".se",
                  contact,
                  BudgetedFields(definition),
                  IsPreschool(view.summary.unit),
                  StepDay(history, engine.clock().Today()),
                  again};
  // The view again only when occurrences were added: their forms are filled too.
  Result<InstanceView> current = wanted > open->occurrences ? engine.GetInstance(Actor::Operator(), instance)
                                                            : Result<InstanceView>(view);
  if (!current) return fail(Advance::kRefused, current.error().Summary());
  Snapshot values(engine, instance, current.value());
  PlanStepForms(ctx, values);
  ctx.rewrite = false;
  const bool needs_time = Satisfy(ctx, values, Goals(view, step, history, rng), clock);

  for (const SignOff& signoff : step.signoffs) {
    if (std::count(open->signed_by_roles.begin(), open->signed_by_roles.end(), signoff.role)) continue;
    std::vector<std::string> signers = cast.InRoles({signoff.role});
    if (signers.empty()) {
      return fail(Advance::kRefused,
                  "Ingen deltagare har rollen ”" + signoff.role + "” som skriver under steget.");
    }
    Result<Ok> signed_off = engine.SignOff(Actor::User(Pick(signers, rng)), instance, step.id);
    if (!signed_off) return fail(Advance::kRefused, signed_off.error().Summary());
  }

  Result<Ok> completed = engine.CompleteStep(Actor::User(Pick(performers, rng)), instance, step.id);
  if (!completed) {
    return fail(needs_time ? Advance::kWaiting : Advance::kRefused,
                "Steget ”" + step.label + "”: " + completed.error().Summary());
  }
  return Advance::kCompleted;
}

// --- the demo world -----------------------------------------------------------------------------------

namespace {

struct DemoTeam {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> members;
};

struct DemoUnit {
  std::int64_t id = 0;
  size_t municipality = 0;  // index into DemoWorld::municipalities
  std::string name;
  std::string rektor;
  std::vector<DemoTeam> teams;
};

struct DemoMunicipality {
  std::int64_t id = 0;
  std::string name;
  std::string network;
  std::string mail_domain;
  std::string lead;  // utvecklingsledare: holds the organisation-wide roles
  std::vector<size_t> units;
  std::vector<std::string> staff;  // teachers and preschool teachers of its units
  std::vector<std::string> pool;
};

struct DemoWorld {
  std::vector<DemoMunicipality> municipalities;
  std::vector<DemoUnit> units;
};

// Creates users with Swedish names and unique usernames. A username already in the database with the same
// display name is reused (a second run with the same seed finds the people of the first); a username taken
// by someone else, or already used in this run, gets a digit: anna.lindqvist, anna.lindqvist2, ...
class PeopleFactory {
 public:
  PeopleFactory(Engine& engine, std::mt19937& rng) : engine_(engine), rng_(rng) {
    for (const User& user : engine.Users()) {
      existing_[user.username] = user.display_name;
      if (user.global_role == "administrator") administrator_exists_ = true;
    }
  }

  Result<std::string> Create(const DemoMunicipality* municipality, std::string global_role) {
    std::string first = Pick(kFirstNames, rng_);
    std::string last = Pick(kLastNames, rng_);
    std::string display_name = first + " " + last;
    std::string base = Transliterate(first) + "." + Transliterate(last);
    if (global_role == "administrator") {
      if (administrator_exists_) global_role = "personal";  // one administrator, also over several runs
      administrator_exists_ = true;
    }
    for (int n = 1;; ++n) {
      std::string username = n == 1 ? base : base + std::to_string(n);
      if (used_.count(username)) continue;
      auto existing = existing_.find(username);
      if (existing != existing_.end()) {
        if (existing->second != display_name) continue;
        used_.insert(username);
        return username;
      }
      User user;
      user.username = username;
      user.display_name = display_name;
      user.email = username + "@" + (municipality ? municipality->mail_domain : std::string("ku8.se"));
      if (municipality) user.municipality_id = municipality->id;
      user.global_role = global_role;
      Result<std::int64_t> created = engine_.CreateUser(Actor::Operator(), user);
      if (!created) {
        if (created.error().code == ErrorCode::kConflict) continue;  // taken since we listed the users
        return WithContext(created.error(), "user " + username);
      }
      used_.insert(username);
      existing_[username] = display_name;
      return username;
    }
  }

  size_t used() const { return used_.size(); }

 private:
  Engine& engine_;
  std::mt19937& rng_;
  std::map<std::string, std::string> existing_;  // username -> display name
  std::set<std::string> used_;
  bool administrator_exists_ = false;
};

std::string SchoolName(const std::string& stem) {
  // Nolhaga -> Nolhagaskolan, Bohus -> Bohusskolan, Lövåsen -> Lövåsenskolan, Kullingsberg ->
  // Kullingsbergsskolan.
  for (std::string_view ending : {"a", "e", "i", "o", "u", "y", "å", "ä", "ö", "s", "en"}) {
    if (EndsWith(stem, ending)) return stem + "skolan";
  }
  return stem + "sskolan";
}

// Finds or creates the organisation: the same seed gives the same names, and names already in the
// database are reused, so running the demo again adds instances to the same schools.
Result<DemoWorld> BuildWorld(Engine& engine, const std::vector<DefinitionPtr>& definitions, std::mt19937& rng,
                             PeopleFactory& people) {
  DemoWorld world;
  const Actor op = Actor::Operator();
  std::map<std::string, std::int64_t> existing_municipalities;
  for (const Municipality& m : engine.Municipalities()) existing_municipalities[m.name] = m.id;

  Result<std::string> administrator = people.Create(nullptr, "administrator");
  if (!administrator) return administrator.error();

  for (const MunicipalitySeed& seed : kMunicipalities) {
    DemoMunicipality m;
    m.name = seed.name;
    m.network = seed.network;
    m.mail_domain = Transliterate(m.name) + ".se";
    if (auto it = existing_municipalities.find(m.name); it != existing_municipalities.end()) {
      m.id = it->second;
    } else {
      Result<std::int64_t> created = engine.CreateMunicipality(op, m.name, m.network);
      if (!created) return WithContext(created.error(), "municipality " + m.name);
      m.id = created.value();
    }
    world.municipalities.push_back(m);
    const size_t m_index = world.municipalities.size() - 1;

    Result<std::string> lead = people.Create(&world.municipalities[m_index], "utvecklingsledare");
    if (!lead) return lead.error();
    world.municipalities[m_index].lead = lead.value();
    Result<std::string> administration = people.Create(&world.municipalities[m_index], "forvaltning");
    if (!administration) return administration.error();

    std::map<std::string, std::int64_t> existing_units;
    for (const Unit& u : engine.Units(m.id)) existing_units[u.name] = u.id;
    std::vector<std::string> stems(std::begin(kPlaceStems), std::end(kPlaceStems));
    std::shuffle(stems.begin(), stems.end(), rng);
    int unit_count = Uniform(seed.min_units, seed.max_units, rng);
    for (int i = 0; i < unit_count; ++i) {
      DemoUnit unit;
      unit.municipality = m_index;
      bool preschool = Chance(0.4, rng);
      const std::string& stem = stems[static_cast<size_t>(i)];
      unit.name = !preschool ? SchoolName(stem) : Chance(0.5, rng) ? stem + " förskola" : "Förskolan " + stem;
      const std::string kind = preschool ? "forskola" : "skola";
      if (auto it = existing_units.find(unit.name); it != existing_units.end()) {
        unit.id = it->second;
      } else {
        Result<std::int64_t> created = engine.CreateUnit(op, m.id, unit.name, kind);
        if (!created) return WithContext(created.error(), "unit " + unit.name);
        unit.id = created.value();
      }
      Result<std::string> rektor = people.Create(&world.municipalities[m_index], "personal");
      if (!rektor) return rektor.error();
      unit.rektor = rektor.value();

      std::map<std::string, std::int64_t> existing_teams;
      for (const Team& t : engine.Teams(unit.id)) existing_teams[t.name] = t.id;
      std::vector<std::string> team_names =
          preschool ? std::vector<std::string>(std::begin(kPreschoolTeams), std::end(kPreschoolTeams))
                    : std::vector<std::string>(std::begin(kSchoolTeams), std::end(kSchoolTeams));
      std::shuffle(team_names.begin(), team_names.end(), rng);
      team_names.resize(static_cast<size_t>(Uniform(2, 3, rng)));
      std::sort(team_names.begin(), team_names.end());
      for (const std::string& name : team_names) {
        DemoTeam team;
        team.name = name;
        if (auto it = existing_teams.find(name); it != existing_teams.end()) {
          team.id = it->second;
        } else {
          Result<std::int64_t> created = engine.CreateTeam(op, unit.id, name);
          if (!created) return WithContext(created.error(), "arbetslag " + name + " at " + unit.name);
          team.id = created.value();
        }
        int members = Uniform(2, 4, rng);
        for (int k = 0; k < members; ++k) {
          Result<std::string> member = people.Create(&world.municipalities[m_index], "personal");
          if (!member) return member.error();
          team.members.push_back(member.value());
          world.municipalities[m_index].staff.push_back(member.value());
        }
        unit.teams.push_back(std::move(team));
      }
      world.units.push_back(std::move(unit));
      world.municipalities[m_index].units.push_back(world.units.size() - 1);
    }

    // The observer pool: experienced teachers of the municipality's own schools.
    DemoMunicipality& mm = world.municipalities[m_index];
    std::vector<std::string> candidates = mm.staff;
    std::shuffle(candidates.begin(), candidates.end(), rng);
    candidates.resize(std::min<size_t>(candidates.size(), 6));
    std::sort(candidates.begin(), candidates.end());
    for (const std::string& observer : candidates) {
      Result<Ok> added = engine.AddToObserverPool(op, mm.id, observer);
      if (!added) return WithContext(added.error(), "observer pool of " + mm.name);
    }
    mm.pool = candidates;
  }

  std::set<std::string> organisation_roles;
  for (const DefinitionPtr& definition : definitions) {
    for (const Role& role : definition->roles) {
      if (role.scope == RoleScope::kOrganisation) organisation_roles.insert(role.id);
    }
  }
  for (const DemoMunicipality& m : world.municipalities) {
    for (const std::string& role : organisation_roles) {
      Result<Ok> assigned = engine.AssignOrganisationRole(op, m.id, role, m.lead);
      if (!assigned) return WithContext(assigned.error(), "role " + role + " in " + m.name);
    }
  }
  return world;
}

// --- instances ----------------------------------------------------------------------------------------

enum class RoleKind { kPool, kLeader, kTeam, kCoordinator, kOther };

RoleKind KindOf(const Role& role) {
  if (role.from_pool) return RoleKind::kPool;
  std::string k = Transliterate(role.id) + " " + Transliterate(role.label);
  if (HasAny(k, {"rektor", "chef", "skolledare"})) return RoleKind::kLeader;
  if (HasAny(k, {"arbetslag", "pedagog", "larare", "personal"})) return RoleKind::kTeam;
  if (HasAny(k, {"utveckl", "samordn", "processled"})) return RoleKind::kCoordinator;
  return RoleKind::kOther;
}

std::vector<std::string> Shuffled(std::vector<std::string> items, std::mt19937& rng) {
  std::shuffle(items.begin(), items.end(), rng);
  return items;
}

// Assigns `max(min, 1)` people (up to max) to every instance-scope role: observers from the pools of the
// other municipalities of the network (KU8 shares its observers), else the own pool; the rektor for leaders;
// the arbetslag for team roles; other staff of the unit and municipality for the rest.
Result<Ok> AssignParticipants(Engine& engine, const DemoWorld& world, const WorkflowDefinition& definition,
                              const DemoUnit& unit, const DemoTeam& team, std::int64_t instance,
                              std::mt19937& rng) {
  const DemoMunicipality& own = world.municipalities[unit.municipality];
  std::set<std::string> taken;
  for (const Role& role : definition.roles) {
    if (role.scope != RoleScope::kInstance) continue;
    RoleKind kind = KindOf(role);
    int count = std::max(role.min, 1);
    if (kind == RoleKind::kTeam && Chance(0.5, rng)) ++count;  // a team is rarely a single person
    if (role.max) count = std::min(count, *role.max);

    std::vector<std::string> candidates;
    auto append = [&](const std::vector<std::string>& more) {
      candidates.insert(candidates.end(), more.begin(), more.end());
    };
    std::vector<std::string> unit_staff;
    for (const DemoTeam& t : unit.teams) {
      if (t.id != team.id) unit_staff.insert(unit_staff.end(), t.members.begin(), t.members.end());
    }
    switch (kind) {
      case RoleKind::kPool: {
        for (const DemoMunicipality& m : world.municipalities) {
          if (&m != &own && !own.network.empty() && m.network == own.network) append(m.pool);
        }
        candidates = Shuffled(candidates, rng);
        append(Shuffled(own.pool, rng));
        break;
      }
      case RoleKind::kLeader:
        candidates.push_back(unit.rektor);
        append(Shuffled(unit_staff, rng));
        break;
      case RoleKind::kTeam:
        append(Shuffled(team.members, rng));
        append(Shuffled(unit_staff, rng));
        break;
      case RoleKind::kCoordinator:
        candidates.push_back(own.lead);
        append(Shuffled(own.staff, rng));
        break;
      case RoleKind::kOther:
        append(Shuffled(unit_staff, rng));
        append(Shuffled(own.staff, rng));
        break;
    }
    // People already in another role come last: one person, one role, as long as there are enough people.
    std::stable_partition(candidates.begin(), candidates.end(),
                          [&](const std::string& u) { return !taken.count(u); });
    std::set<std::string> chosen;
    for (const std::string& username : candidates) {
      if (static_cast<int>(chosen.size()) >= count) break;
      if (!chosen.insert(username).second) continue;
      Result<Ok> assigned = engine.AssignParticipant(Actor::Operator(), instance, role.id, username);
      if (!assigned) {
        return WithContext(assigned.error(), "role " + role.id + " in instance " + std::to_string(instance));
      }
      taken.insert(username);
    }
  }
  return Ok{};
}

// Units a workflow belongs to: a workflow named after a network or municipality ("ku8-...", "orebro-...")
// runs there; any other runs everywhere.
std::vector<size_t> UnitsFor(const WorkflowDefinition& definition, const DemoWorld& world) {
  std::vector<std::string> words = Words(definition.id + " " + definition.title);
  auto named = [&](const std::string& name) {
    return !name.empty() && std::find(words.begin(), words.end(), Transliterate(name)) != words.end();
  };
  std::vector<size_t> out;
  for (const DemoMunicipality& m : world.municipalities) {
    if (named(m.network) || named(m.name)) out.insert(out.end(), m.units.begin(), m.units.end());
  }
  if (out.empty()) {
    for (size_t i = 0; i < world.units.size(); ++i) out.push_back(i);
  }
  return out;
}

std::string Term(Date today, std::mt19937& rng) {
  std::chrono::year_month_day ymd = today.ymd();
  int year = static_cast<int>(ymd.year());
  bool autumn = static_cast<unsigned>(ymd.month()) >= 7;
  if (Chance(0.3, rng)) {  // planned for next term
    if (autumn) ++year;
    autumn = !autumn;
  }
  return std::string(autumn ? "ht " : "vt ") + std::to_string(year);
}

Result<std::vector<DefinitionPtr>> InstallBundled(Engine& engine, const std::string& workflows_dir,
                                                  std::vector<std::string>* installed) {
  fs::path dir = fs::path(workflows_dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  std::error_code ec;
  if (workflows_dir.empty() || !fs::is_directory(dir, ec)) {
    return Error::Of(ErrorCode::kNotFound, "no workflow directory '" + workflows_dir + "'");
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return Error::Of(ErrorCode::kNotFound, "no *.xml workflows in '" + dir.string() + "'");

  LoadOptions options;
  options.template_dir = (dir.parent_path() / "templates").string();
  std::vector<Issue> problems;
  std::vector<std::string> ids;
  for (const fs::path& file : files) {
    InstallOutcome outcome = engine.InstallDefinitionFile(Actor::Operator(), file.string(), options);
    for (const Problem& problem : outcome.problems) problems.push_back({"", problem.Format()});
    if (!outcome.problems.empty()) continue;
    installed->push_back(outcome.id + " v" + std::to_string(outcome.version));
    if (std::find(ids.begin(), ids.end(), outcome.id) == ids.end()) ids.push_back(outcome.id);
  }
  if (!problems.empty()) return Error{ErrorCode::kInvalid, problems};
  std::vector<DefinitionPtr> definitions;
  for (const std::string& id : ids) {
    Result<DefinitionPtr> definition = engine.Definition(id);
    if (!definition) return definition.error();
    definitions.push_back(definition.value());
  }
  return definitions;
}

// Moves a new instance `steps` steps on. An instance that stops early because a rule waits for time to
// pass is just in the middle of that step; one that the filler cannot move on gets a warning.
Result<InstanceSummary> MoveOn(Engine& engine, std::int64_t id, size_t steps, std::mt19937& rng,
                               DemoReport* report) {
  std::string why;
  for (size_t s = 0; s < steps; ++s) {
    const cli::Advance outcome = AdvanceOneStep(engine, id, rng, &why);
    if (outcome == cli::Advance::kCompleted) continue;
    Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
    if (!state) return state.error();
    if (outcome == cli::Advance::kRefused && state.value().summary.status != "completed") {
      report->warnings.push_back("instance " + std::to_string(id) + " (" + state.value().summary.workflow_id +
                                 "): " + why);
    }
    break;
  }
  Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
  if (!state) return state.error();
  return state.value().summary;
}

// Walks an instance to completion, letting time pass on `clock` (when given) where a rule asks for it; the
// clock is set back afterwards, so that the next instances start when this one did.
Result<InstanceSummary> Walk(Engine& engine, std::int64_t id, size_t steps, ManualClock* clock,
                             std::mt19937& rng, DemoReport* report) {
  const std::optional<Timestamp> started = clock ? std::optional(clock->Now()) : std::nullopt;
  std::string why = "it did not complete within " + std::to_string(steps) + " steps";
  for (size_t s = 0; s < steps; ++s) {
    if (AdvanceOneStep(engine, id, rng, &why, clock) != cli::Advance::kCompleted) break;
  }
  if (clock) clock->Set(*started);
  Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
  if (!state) return state.error();
  const InstanceSummary& summary = state.value().summary;
  if (summary.status == "completed") {
    report->walked_instances[summary.workflow_id] = id;
    if (report->walked_instance == 0) report->walked_instance = id;
  } else {
    report->warnings.push_back("instance " + std::to_string(id) + " (" + summary.workflow_id +
                               ") could not be walked to completion: " + why);
  }
  return summary;
}

}  // namespace

Result<DemoReport> FillDemo(Engine& engine, const DemoOptions& options,
                            const std::function<void(size_t, size_t)>& progress) {
  DemoReport report;
  // Instances continue from what the database already holds, so that a second run adds new ones rather than
  // copies; an empty database always starts the same way.
  std::vector<AuditEntry> history = engine.GlobalAuditLog(1);
  std::uint64_t history_mark = history.empty() ? 0 : static_cast<std::uint64_t>(history.front().id);

  Result<std::vector<DefinitionPtr>> definitions =
      InstallBundled(engine, options.workflows_dir, &report.installed);
  if (!definitions) return definitions.error();

  // The organisation depends on the seed only, not on the number of instances.
  std::mt19937 organisation_rng(options.seed);
  PeopleFactory people(engine, organisation_rng);
  Result<DemoWorld> built = BuildWorld(engine, definitions.value(), organisation_rng, people);
  if (!built) return built.error();
  const DemoWorld& world = built.value();
  report.municipalities = world.municipalities.size();
  report.units = world.units.size();
  report.users = people.used();

  std::seed_seq instance_seed{options.seed, static_cast<unsigned>(history_mark & 0xFFFFFFFFu),
                              static_cast<unsigned>(history_mark >> 32)};
  std::mt19937 rng(instance_seed);
  const Date today = engine.clock().Today();
  std::vector<std::vector<size_t>> units_for;
  std::vector<size_t> total_steps;
  for (const DefinitionPtr& definition : definitions.value()) {
    units_for.push_back(UnitsFor(*definition, world));
    total_steps.push_back(definition->AllSteps().size());
  }

  for (size_t i = 0; i < options.instances; ++i) {
    const size_t w = i % definitions.value().size();
    const WorkflowDefinition& definition = *definitions.value()[w];
    const DemoUnit& unit = world.units[Pick(units_for[w], rng)];
    const DemoTeam& team = Pick(unit.teams, rng);
    std::string title =
        definition.title + " – " + unit.name + ", " + LowerFirst(team.name) + ", " + Term(today, rng);
    Result<std::int64_t> created =
        engine.CreateInstance(Actor::Operator(), definition.id, unit.id, title, team.id);
    if (!created) return WithContext(created.error(), "instance " + title);
    const std::int64_t id = created.value();
    Result<Ok> cast = AssignParticipants(engine, world, definition, unit, team, id, rng);
    if (!cast) return cast.error();

    // The first instance of each workflow is walked to the end (transitions may loop back, hence the
    // generous bound); the others stop after a random number of steps, so that every phase has instances.
    const bool walk = i < definitions.value().size();
    const size_t steps = walk ? 4 * total_steps[w] + 8
                              : static_cast<size_t>(Uniform(0, static_cast<int>(total_steps[w]), rng));
    Result<InstanceSummary> summary =
        walk ? Walk(engine, id, steps, options.clock, rng, &report) : MoveOn(engine, id, steps, rng, &report);
    if (!summary) return summary.error();
    ++report.instances_per_phase[summary.value().status == "completed" ? "completed"
                                                                       : summary.value().current_phase];
    ++report.instances;
    if (progress) progress(i + 1, options.instances);
  }
  return report;
}

}  // namespace spegla::cli
