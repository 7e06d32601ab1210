// The banks the demo draws names and phrases from: municipalities of the KU8 network and Örebro, Swedish
// first and last names, place names for schools, teams, and sentences of the kind school development
// documents are written in. Arrays, so that they need no construction at start-up.
#pragma once

#include <span>
#include <string_view>

namespace spegla::cli::demo {

struct MunicipalitySeed {
  const char* name;
  const char* network;
  int min_units, max_units;
};

inline constexpr MunicipalitySeed kMunicipalities[] = {
    {"Ale", "KU8", 4, 5},         {"Alingsås", "KU8", 4, 6},   {"Kungälv", "KU8", 4, 6},
    {"Lerum", "KU8", 4, 6},       {"Lilla Edet", "KU8", 3, 4}, {"Orust", "KU8", 3, 4},
    {"Stenungsund", "KU8", 4, 5}, {"Tjörn", "KU8", 3, 4},      {"Örebro", "", 6, 8},
};

inline constexpr const char* kFirstNames[] = {
    "Anna",    "Maria",   "Karin",  "Sara",   "Emma",      "Lena",   "Kristina", "Elin",
    "Johanna", "Malin",   "Ida",    "Sofia",  "Linnéa",    "Helena", "Eva",      "Ingrid",
    "Åsa",     "Cecilia", "Frida",  "Louise", "Hanna",     "Amira",  "Fatima",   "Erik",
    "Lars",    "Karl",    "Anders", "Johan",  "Per",       "Nils",   "Mikael",   "Jonas",
    "Fredrik", "Daniel",  "Magnus", "Oskar",  "Gustav",    "Björn",  "Henrik",   "Mattias",
    "Patrik",  "Jörgen",  "Ahmed",  "André",  "Sven-Erik", "Ulrika", "Åke",      "Märta",
};

inline constexpr const char* kLastNames[] = {
    "Andersson", "Johansson",  "Karlsson",   "Nilsson",   "Eriksson", "Larsson",   "Olsson",    "Persson",
    "Svensson",  "Gustafsson", "Pettersson", "Jonsson",   "Hansson",  "Bengtsson", "Lindqvist", "Lindberg",
    "Lindström", "Lundgren",   "Berg",       "Bergström", "Sjöberg",  "Holm",      "Åberg",     "Söderberg",
    "Engström",  "Ekström",    "Hedlund",    "Wallin",    "Forsberg", "Sandberg",  "Nyström",   "Björk",
    "Strand",    "Falk",       "Hermansson", "Sjögren",   "Öberg",    "Ström",     "Axelsson",  "Håkansson",
    "Åkesson",   "Hussein",    "Mohammadi",  "Kovačević",
};

// Place names that school and preschool names are built from ("Nolhaga" -> "Nolhagaskolan").
inline constexpr const char* kPlaceStems[] = {
    "Nolhaga",   "Kullingsberg", "Öjersjö",   "Ekhaga",    "Solhem", "Stenhage", "Hagaberg",  "Ängslycke",
    "Kyrkbacke", "Furulund",     "Tallbacka", "Skogslund", "Ekdal",  "Sjövik",   "Nordby",    "Ljungvik",
    "Västerby",  "Östergård",    "Björkhaga", "Hällebäck", "Kärra",  "Bohus",    "Strandhag", "Brattås",
    "Rönnbacka", "Lövåsen",      "Sörbo",     "Granlund",  "Backa",  "Ängåsen",  "Myrås",     "Almedal",
};

inline constexpr const char* kSchoolTeams[] = {
    "Arbetslag F–3", "Arbetslag 4–6", "Arbetslag 7–9",       "Spår Röd",
    "Spår Blå",      "Spår Grön",     "Arbetslag fritidshem"};
inline constexpr const char* kPreschoolTeams[] = {"Avdelning Humlan",   "Avdelning Myran",
                                                  "Avdelning Solrosen", "Avdelning Ekorren",
                                                  "Avdelning Blåbäret", "Avdelning Lönnen"};

// A bank of phrases to draw from; banks are arrays so that they need no construction at start-up.
using Bank = std::span<const std::string_view>;

inline constexpr std::string_view kProblemSentences[] = {
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

inline constexpr std::string_view kObservationSentences[] = {
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

inline constexpr std::string_view kNoteSentences[] = {
    "Vi gick igenom schemat för observationsdagarna och kom överens om vilka lektioner som ska observeras.",
    "Arbetslaget beskrev bakgrunden till problemformuleringen och vi preciserade vad observatörerna ska "
    "titta "
    "efter.",
    "Rektor bekräftade att tid är avsatt för planering och återkoppling.",
    "Observatörerna antecknade lektionsstart, arbetsformer och elevernas frågor; inga namn skrevs ner.",
    "Nästa möte ägnas åt observationsschemat och informationen till vårdnadshavare.",
    "Samtalet efter lektionen handlade om vad vi såg, inte om att värdera det.",
};

inline constexpr std::string_view kLessonSentences[] = {
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

inline constexpr std::string_view kWhereAreWeSentences[] = {
    "Eleverna är engagerade, men delaktigheten i helklass är ojämnt fördelad.",
    "I dag planerar vi mest var för sig och har få tillfällen att följa upp undervisningen tillsammans.",
    "De flesta elever når målen i matematik, men många har svårt att förklara hur de tänker.",
    "Barngruppen är stor och övergångarna under dagen tar mycket tid från leken och lärandet.",
};

inline constexpr std::string_view kGoalSentences[] = {
    "Alla elever ska kunna beskriva vad de ska lära sig under lektionen och hur de vet att de har lärt sig "
    "det.",
    "Alla barn ska ha tillgång till leken, och pedagogerna ska aktivt stödja barnens samspel.",
    "Arbetslaget planerar och utvärderar minst en undervisningssekvens tillsammans varje månad.",
    "Eleverna får framåtsyftande återkoppling i varje arbetsområde.",
};

inline constexpr std::string_view kMethodSentences[] = {
    "Vi inför en gemensam struktur för lektionsstart och lektionsavslut och följer upp den på "
    "arbetslagsmötena.",
    "Varannan vecka observerar vi varandras undervisning och samtalar om vad vi såg utifrån "
    "problemformuleringen.",
    "Vi delar barngruppen i mindre grupper vid samling och övergångar och utvärderar förändringen efter sex "
    "veckor.",
    "Vi använder exit tickets för att samla in elevernas egna bilder av vad de har lärt sig.",
};

inline constexpr std::string_view kResultSentences[] = {
    "Övergångarna har blivit lugnare och tar nu ungefär hälften så lång tid som vid besöket.",
    "Fler elever tar ordet i helklass sedan vi började arbeta med tänkpauser och EPA.",
    "Den gemensamma planeringen har kommit igång men behöver mer tid i schemat nästa termin.",
    "Eleverna kan oftare beskriva målen för lektionen, men uppföljningen i slutet glöms ibland.",
};

inline constexpr std::string_view kActions[] = {
    "Införa en gemensam struktur för lektionsstart.",
    "Kollegiala auskultationer varannan vecka.",
    "Se över rutinerna vid övergångar och samling.",
    "Pröva exit tickets i alla ämnen.",
    "Läsa och diskutera Skolverkets modul om språk- och kunskapsutvecklande arbetssätt.",
    "Utvärdera förändringarna på arbetslagsmötet.",
};

inline constexpr std::string_view kGeneralSentences[] = {
    "Arbetet utgår från skollagens krav på vetenskaplig grund och beprövad erfarenhet.",
    "Rektor leder processen och arbetslaget äger utvecklingsarbetet.",
    "Vi följer upp arbetet på arbetsplatsträffar och i det systematiska kvalitetsarbetet.",
    "Elevhälsan deltar när frågor om stöd och anpassningar berörs.",
    "Dokumentationen sparas så att vi kan följa utvecklingen över tid.",
};

inline constexpr std::string_view kHeadlines[] = {
    "Tydliga lektionsstarter gav fler elever fokus",
    "Mindre grupper i övergångarna skapade lugn",
    "Öppna frågor öppnade för elevernas tänkande",
    "Kollegial observation som motor för utveckling",
    "Leken som arena för delaktighet",
    "Framåtsyftande återkoppling i vardagen",
};

inline constexpr std::string_view kTopics[] = {
    "Lektionsstart och lektionsavslut",  "Elevernas delaktighet i helklass", "Övergångar mellan aktiviteter",
    "Återkoppling under lektionen",      "Samspel i den fria leken",         "Språkutvecklande arbetssätt",
    "Digitala verktyg i undervisningen", "Kollegialt lärande i arbetslaget", "Tydliga mål för undervisningen",
    "Extra anpassningar i klassrummet",
};

inline constexpr std::string_view kWhenTexts[] = {
    "Vecka 12 och 14",
    "Veckorna 38–40",
    "Tisdagar och torsdagar i oktober",
    "Två dagar i v. 46 och två i v. 48",
    "Helst före jullovet",
};

inline constexpr std::string_view kInformTexts[] = {
    "På föräldramötet i augusti och i veckobrevet",
    "Genom brev till vårdnadshavare och samtal i klassen veckan innan",
    "I lärplattformen och vid hämtning och lämning",
};

inline constexpr std::string_view kClasses[] = {"Förskoleklass", "Klass 2A", "Klass 3B",
                                                "Klass 4A",      "Klass 5C", "Klass 6B",
                                                "Klass 7A",      "Klass 8C", "Klass 9B"};

inline constexpr std::string_view kWorkingGroups[] = {"Språkgruppen", "Lärmiljögruppen", "Matematikgruppen",
                                                      "Studiegrupp SKUA", "Utvecklingsgruppen"};

inline constexpr std::string_view kFrequencies[] = {"Varje vecka", "Varannan vecka", "En gång i månaden",
                                                    "Två gånger per termin"};

inline constexpr std::string_view kPlaces[] = {"Biblioteket", "Personalrummet", "Klassrum 12", "Aulan",
                                               "Konferensrummet"};

}  // namespace spegla::cli::demo
