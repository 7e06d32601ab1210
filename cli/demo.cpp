// Synthetic data for `spegla demo`. The generator talks to the engine only through its public API, acting as
// the operator for set-up and as the instance's own participants for form work, so every rule of the
// definitions (rights, constraints, budgets, sign-offs) is enforced exactly as for real users.
#include "demo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
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
  Date today;
  std::string unit;
  std::string team;
  std::string mail_domain;
  std::string contact;             // username of the person an application names as contact
  std::set<std::string> budgeted;  // "form.field" and "form.group.column" summed by a budget
  bool preschool = false;          // the unit is a förskola: choices about school years do not apply
  int step_position = 0;           // the step's place in the flow: later steps get later dates
  int occurrence = 0;              // the occurrence being filled: the next visit day comes later
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

std::string ShortText(const Field& field, FillContext& ctx) {
  const std::string k = Keywords(field);
  std::string text;
  if (HasAny(k, {" e post", "epost", "email", "mejl"})) {
    text = ctx.contact + "@" + ctx.mail_domain;
  } else if (HasAny(k, {"kontaktperson", " ansvarig"})) {
    text = DisplayNameOf(ctx, ctx.contact);
  } else if (HasAny(k, {" vem "})) {
    text = Chance(0.7, ctx.rng) ? PeopleNames(ctx, 1) : "Hela arbetslaget";
  } else if (HasAny(k, {"deltagare", "narvarande"})) {
    text = PeopleNames(ctx, Uniform(2, 4, ctx.rng));
  } else if (HasAny(k, {" enhet ", " skola ", " forskola "})) {
    text = ctx.unit;
  } else if (HasAny(k, {"arbetslag", "avdelning"})) {
    text = ctx.team.empty() ? "Arbetslag 4–6" : ctx.team;
  } else if (HasAny(k, {"informera"})) {
    text = Pick(kInformTexts, ctx.rng);
  } else if (HasAny(k, {"datum", " vecka", " veckor", " nar "})) {
    text = Pick(kWhenTexts, ctx.rng);
  } else if (HasAny(k, {"rubrik", " titel"})) {
    text = Pick(kHeadlines, ctx.rng);
  } else if (HasAny(k, {" plats", " lokal"})) {
    text = Pick(kPlaces, ctx.rng);
  } else if (HasAny(k, {"namn"})) {
    text = PeopleNames(ctx, 1);
  } else {
    text = Pick(kTopics, ctx.rng);
  }
  return FitLength(text, field, kTopics, ctx.rng);
}

std::string LongText(const Field& field, FillContext& ctx) {
  const std::string k = Keywords(field);
  Bank bank = kGeneralSentences;
  int count = Uniform(1, 3, ctx.rng);
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

// Whole numbers inside the field's range. Numbers that a budget adds up (and table cells, which usually
// are added up) are kept at 1 so that sums like "observer days <= 10" stay within their limit.
double Number(const Field& field, bool small, std::mt19937& rng) {
  const Constraint* range = field.Find(Constraint::Kind::kRange);
  std::optional<double> min = range ? range->min_number : std::nullopt;
  std::optional<double> max = range ? range->max_number : std::nullopt;
  if (small) {
    double value = 1;
    if (min && value < *min) value = std::ceil(*min);
    if (max && value > *max) value = min ? *min : *max;
    return value;
  }
  double low = min ? std::ceil(*min) : 1;
  double high = max ? std::floor(*max) : low + 29;
  if (high < low) return min ? *min : *max;  // a range without a whole number in it
  high = std::min(high, low + 29);           // plausible counts, not anything up to the maximum
  if (HasAny(Keywords(field), {"antal"}) && std::max(low, 12.0) <= std::min(high, 28.0)) {
    low = std::max(low, 12.0);  // the number of children or pupils in a group
    high = std::min(high, 28.0);
  }
  return static_cast<double>(std::uniform_int_distribution<long long>(static_cast<long long>(low),
                                                                      static_cast<long long>(high))(rng));
}

// Dates follow the flow: a week per step after today (the planning meeting before the visit day before
// the feedback), a week (or the step's `every`) between occurrences and between the rows of a table, and
// inside the field's range.
Date DateValue(const Field& field, size_t row, FillContext& ctx) {
  long interval = ctx.step.repeat && ctx.step.repeat->every ? ctx.step.repeat->every->ApproximateDays() : 7;
  long days = 7 * (ctx.step_position + static_cast<long>(row)) + interval * std::max(ctx.occurrence - 1, 0);
  Date date = AddDays(ctx.today, static_cast<int>(days) + Uniform(0, 6, ctx.rng));
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
  // Rows of a table name different people in turn: one row per observer, not the same one twice.
  size_t first = std::uniform_int_distribution<size_t>(0, people.size() - 1)(ctx.rng);
  return people[(first + row) % people.size()];
}

// A plausible value for `field`. `path` is "form.field" (or "form.group.column" for a cell); `minimal` asks
// for the smallest sensible value, used when a budget refused the first one.
Value Generate(const Field& field, const std::string& path, size_t row, bool in_group, bool minimal,
               FillContext& ctx) {
  switch (field.type) {
    case FieldType::kText:
      return Value{ShortText(field, ctx)};
    case FieldType::kLongText:
      return Value{LongText(field, ctx)};
    case FieldType::kNumber:
      return Value{Number(field, minimal || in_group || ctx.budgeted.count(path) > 0, ctx.rng)};
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
      int rows = minimal ? low : std::max(low, Uniform(1, 3, ctx.rng));
      if (range && range->max_number) rows = std::min(rows, static_cast<int>(std::floor(*range->max_number)));
      std::vector<Row> table;
      for (int r = 0; r < std::max(rows, 1); ++r) {
        Row cells;
        for (const Field& column : field.columns) {
          Value cell = Generate(column, path + "." + column.id, static_cast<size_t>(r), true, minimal, ctx);
          if (!cell.IsEmpty()) cells[column.id] = std::move(cell);
        }
        table.push_back(std::move(cells));
      }
      return Value{std::move(table)};
    }
  }
  return Value{};
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
      change.value = Generate(*field, form.id + "." + field->id, 0, false, true, ctx);
      if (ctx.engine.SetFields(actor, ctx.instance, form.id, occurrence, {change})) {
        ++written;
        continue;
      }
    }
    ++refusals[change.field];
  }
  return written;
}

// Fills the empty, visible fields of one form (one occurrence of it) that some participant may edit. Each
// field is written by the first participant in a preference order who may edit it: the step's performers
// first, then whoever may edit the most fields, so that a form is written in few batches. Filling repeats
// while fields appear that a visible-if opened.
void FillForm(FillContext& ctx, const Form& form, int occurrence) {
  ctx.occurrence = occurrence;
  std::map<std::string, int> refusals;
  constexpr int kMaxPasses = 4;
  constexpr int kMaxRefusals = 2;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    Result<FormView> view = ctx.engine.GetForm(Actor::Operator(), ctx.instance, form.id, occurrence);
    if (!view || view.value().locked) return;
    std::vector<const Field*> open;
    for (const FieldView& fv : view.value().fields) {
      if (fv.visible && fv.value.IsEmpty() && refusals[fv.field->id] < kMaxRefusals) open.push_back(fv.field);
    }
    if (open.empty()) return;

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
          open.begin(), open.end(), [&](const Field* f) { return ctx.cast.CanEdit(user, form, *f); }));
      if (editable == 0) continue;
      bool performer = std::binary_search(performers.begin(), performers.end(), user);
      writers.push_back(Writer{user, performer, editable, static_cast<unsigned>(ctx.rng())});
    }
    std::sort(writers.begin(), writers.end(), [](const Writer& a, const Writer& b) {
      return std::tie(b.performer, b.editable, b.tiebreak) < std::tie(a.performer, a.editable, a.tiebreak);
    });

    std::map<std::string, std::vector<FieldChange>> batches;
    for (const Field* field : open) {
      for (const Writer& writer : writers) {
        if (!ctx.cast.CanEdit(writer.username, form, *field)) continue;
        Value value = Generate(*field, form.id + "." + field->id, 0, false, false, ctx);
        if (!value.IsEmpty()) {
          batches[writer.username].push_back(FieldChange{field->id, std::move(value), std::nullopt});
        }
        break;
      }
    }
    size_t planned = 0, written = 0;
    for (const Writer& writer : writers) {
      auto batch = batches.find(writer.username);
      if (batch == batches.end()) continue;
      planned += batch->second.size();
      written += WriteFields(ctx, writer.username, form, occurrence, batch->second, refusals);
    }
    if (written == 0) return;
    // Another pass is needed only when a write may have opened a field (visible-if) or left one out.
    bool may_open = std::any_of(form.fields.begin(), form.fields.end(),
                                [](const Field& f) { return f.visible_if.has_value(); });
    if (!may_open && written == planned) return;
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

int StepPosition(const WorkflowDefinition& definition, const Step& step) {
  std::vector<const Step*> steps = definition.AllSteps();
  return static_cast<int>(std::find(steps.begin(), steps.end(), &step) - steps.begin());
}

std::set<std::string> BudgetedFields(const WorkflowDefinition& definition) {
  std::set<std::string> out;
  for (const Budget& budget : definition.budgets) {
    for (const std::string& reference : budget.sum.references()) out.insert(reference);
  }
  return out;
}

}  // namespace

// --- one step forward ---------------------------------------------------------------------------------

bool AdvanceOneStep(Engine& engine, std::int64_t instance, std::mt19937& rng, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  Result<InstanceView> loaded = engine.GetInstance(Actor::Operator(), instance);
  if (!loaded) return fail(loaded.error().Summary());
  const InstanceView& view = loaded.value();
  if (view.summary.status == "completed") return fail("Processen är redan avslutad.");
  const StepView* open = nullptr;
  for (const PhaseView& phase : view.phases) {
    for (const StepView& step : phase.steps) {
      if (!open && phase.state == State::kActive && step.state == State::kActive) open = &step;
    }
  }
  if (!open) return fail("Processen har inget öppet steg.");
  const Step& step = *open->step;
  const WorkflowDefinition& definition = *view.definition;
  const Cast cast(view);

  std::vector<std::string> performers = cast.InRoles(step.performers);
  if (performers.empty()) return fail("Steget ”" + step.label + "” har ingen deltagare som kan utföra det.");

  int occurrences = open->occurrences;
  if (step.repeat) {
    for (; occurrences < step.repeat->min; ++occurrences) {
      Result<int> added = engine.AddOccurrence(Actor::User(Pick(performers, rng)), instance, step.id);
      if (!added) return fail(added.error().Summary());
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
                  engine.clock().Today(),
                  view.summary.unit,
                  TeamFromTitle(view.summary.title, view.summary.unit),
                  Transliterate(view.summary.municipality) + ".se",
                  contact,
                  BudgetedFields(definition),
                  IsPreschool(view.summary.unit),
                  StepPosition(definition, step)};
  for (const std::string& form_id : step.forms) {
    const Form* form = definition.FindForm(form_id);
    if (!form) continue;
    const Step* repeating = definition.RepeatingStepOf(form_id);
    if (!repeating) {
      FillForm(ctx, *form, 0);
      continue;
    }
    int count = occurrences;
    if (repeating != &step) {  // a form that repeats with another step: fill the occurrences it has
      count = 0;
      for (const PhaseView& phase : view.phases) {
        for (const StepView& other : phase.steps) {
          if (other.step == repeating) count = other.occurrences;
        }
      }
    }
    for (int occurrence = 1; occurrence <= count; ++occurrence) FillForm(ctx, *form, occurrence);
  }

  for (const SignOff& signoff : step.signoffs) {
    if (std::count(open->signed_by_roles.begin(), open->signed_by_roles.end(), signoff.role)) continue;
    std::vector<std::string> signers = cast.InRoles({signoff.role});
    if (signers.empty()) {
      return fail("Ingen deltagare har rollen ”" + signoff.role + "” som skriver under steget.");
    }
    Result<Ok> signed_off = engine.SignOff(Actor::User(Pick(signers, rng)), instance, step.id);
    if (!signed_off) return fail(signed_off.error().Summary());
  }

  const Actor completer = Actor::User(Pick(performers, rng));
  Result<Ok> completed = engine.CompleteStep(completer, instance, step.id);
  // A rule may ask for more occurrences than the minimum ("about five meetings a year": count(...) >= 5):
  // add them one at a time, each with its forms filled, while the step allows more.
  constexpr int kMostOccurrences = 24;
  const int most = step.repeat ? std::min(step.repeat->max.value_or(kMostOccurrences), kMostOccurrences) : 0;
  while (!completed && occurrences < most) {
    if (!engine.AddOccurrence(completer, instance, step.id)) break;
    ++occurrences;
    for (const std::string& form_id : step.forms) {
      const Form* form = definition.FindForm(form_id);
      if (form && definition.RepeatingStepOf(form_id) == &step) FillForm(ctx, *form, occurrences);
    }
    completed = engine.CompleteStep(completer, instance, step.id);
  }
  if (!completed) return fail("Steget ”" + step.label + "”: " + completed.error().Summary());
  return true;
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

    // The first instance is walked to the end (transitions may loop back, hence the generous bound); the
    // others stop after a random number of steps, so that every phase has instances.
    const bool walk = i == 0;
    const size_t steps = walk ? 4 * total_steps[w] + 8
                              : static_cast<size_t>(Uniform(0, static_cast<int>(total_steps[w]), rng));
    std::string why;
    for (size_t s = 0; s < steps; ++s) {
      if (AdvanceOneStep(engine, id, rng, &why)) continue;
      Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
      bool finished = state && state.value().summary.status == "completed";
      if (!finished) {
        if (walk) {
          return Error::Of(ErrorCode::kRefused, "demo instance " + std::to_string(id) + " (" + definition.id +
                                                    ") could not be walked to completion: " + why);
        }
        report.warnings.push_back("instance " + std::to_string(id) + " (" + definition.id + "): " + why);
      }
      break;
    }
    Result<InstanceView> state = engine.GetInstance(Actor::Operator(), id);
    if (!state) return state.error();
    const InstanceSummary& summary = state.value().summary;
    if (walk) {
      if (summary.status != "completed") {
        return Error::Of(ErrorCode::kRefused, "demo instance " + std::to_string(id) + " (" + definition.id +
                                                  ") did not complete within " + std::to_string(steps) +
                                                  " steps");
      }
      report.walked_instance = id;
    }
    ++report.instances_per_phase[summary.status == "completed" ? "completed" : summary.current_phase];
    ++report.instances;
    if (progress) progress(i + 1, options.instances);
  }
  return report;
}

}  // namespace spegla::cli
