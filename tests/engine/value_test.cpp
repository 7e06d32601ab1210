// Form values: JSON encoding and decoding per field type, what people type on the command line,
// constraint messages, and the text hygiene every value goes through (UTF-8, control characters, length).
#include "spegla/value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spegla/utf8.h"

namespace spegla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Field MakeField(std::string id, FieldType type, std::string label) {
  Field f;
  f.id = std::move(id);
  f.type = type;
  f.label = std::move(label);
  return f;
}

Field WithOptions(Field f, std::vector<std::string> values) {
  for (std::string& v : values) f.options.push_back(Option{v, "Alternativ " + v});
  return f;
}

Constraint NumberRange(std::optional<double> min, std::optional<double> max, std::string message = "") {
  Constraint c;
  c.kind = Constraint::Kind::kRange;
  c.min_number = min;
  c.max_number = max;
  c.message.text = std::move(message);
  return c;
}

Constraint Length(std::optional<double> min, std::optional<double> max, std::string message = "") {
  Constraint c = NumberRange(min, max, std::move(message));
  c.kind = Constraint::Kind::kLength;
  return c;
}

Constraint Pattern(std::string regex, std::string message = "") {
  Constraint c;
  c.kind = Constraint::Kind::kPattern;
  c.pattern = std::move(regex);
  c.message.text = std::move(message);
  return c;
}

Constraint Required(std::string message = "") {
  Constraint c;
  c.kind = Constraint::Kind::kRequired;
  c.message.text = std::move(message);
  return c;
}

Date D(std::string_view text) { return *Date::Parse(text); }

// A group like the KU8 time sheet: who, what and how many days.
Field TimeSheet() {
  Field group = MakeField("rader", FieldType::kGroup, "Tidsredovisning");
  Field who = MakeField("observator", FieldType::kPerson, "Observatör");
  who.constraints.push_back(Required());
  Field what =
      WithOptions(MakeField("aktivitet", FieldType::kChoice, "Aktivitet"), {"forarbete", "observation"});
  Field days = MakeField("dagar", FieldType::kNumber, "Dagar");
  days.constraints.push_back(NumberRange(0.5, 10));
  Field when = MakeField("datum", FieldType::kDate, "Datum");
  Field done = MakeField("klar", FieldType::kYesNo, "Klar");
  Field tags = WithOptions(MakeField("taggar", FieldType::kMultiChoice, "Taggar"), {"a", "b"});
  group.columns = {who, what, days, when, done, tags};
  return group;
}

Value Decoded(const Field& field, std::string_view json) {
  std::string error;
  std::optional<Value> v = DecodeValue(field, json, &error);
  EXPECT_TRUE(v.has_value()) << json << ": " << error;
  return v.value_or(Value{});
}

std::string DecodeError(const Field& field, std::string_view json) {
  std::string error;
  std::optional<Value> v = DecodeValue(field, json, &error);
  EXPECT_FALSE(v.has_value()) << json << " decoded as " << (v ? EncodeValue(*v) : "");
  return error;
}

Value Parsed(const Field& field, std::string_view text) {
  std::string error;
  std::optional<Value> v = ParseValueText(field, text, &error);
  EXPECT_TRUE(v.has_value()) << "'" << text << "': " << error;
  return v.value_or(Value{});
}

std::string ParseError(const Field& field, std::string_view text) {
  std::string error;
  std::optional<Value> v = ParseValueText(field, text, &error);
  EXPECT_FALSE(v.has_value()) << "'" << text << "' parsed as " << (v ? EncodeValue(*v) : "");
  return error;
}

// ---- Value ----------------------------------------------------------------------------------------

TEST(ValueTest, EmptinessAndEquality) {
  EXPECT_TRUE(Value{}.IsEmpty());
  EXPECT_TRUE(Value{std::string()}.IsEmpty());
  EXPECT_TRUE(Value{std::vector<std::string>{}}.IsEmpty());
  EXPECT_TRUE(Value{std::vector<Row>{}}.IsEmpty());
  EXPECT_FALSE(Value{false}.IsEmpty());
  EXPECT_FALSE(Value{0.0}.IsEmpty());
  EXPECT_FALSE(Value{std::string("x")}.IsEmpty());
  EXPECT_EQ(Value{3.5}, Value{3.5});
  EXPECT_FALSE(Value{3.5} == Value{std::string("3.5")});
  EXPECT_FALSE(Value{true} == Value{1.0});
  EXPECT_EQ(Value{D("2026-03-01")}, Value{D("2026-03-01")});
}

// ---- JSON round trips -----------------------------------------------------------------------------

TEST(ValueCodecTest, EveryFieldTypeRoundTrips) {
  struct Case {
    Field field;
    Value value;
    std::string json;   // how a client writes it
    bool exact = true;  // the engine writes it the same way
  };
  Row row;
  row["observator"] = Value{std::string("anna")};
  row["aktivitet"] = Value{std::string("observation")};
  row["dagar"] = Value{1.5};
  row["datum"] = Value{D("2026-03-02")};
  row["klar"] = Value{true};
  row["taggar"] = Value{std::vector<std::string>{"b", "a"}};
  Row second;
  second["observator"] = Value{std::string("bo")};
  second["dagar"] = Value{2.0};
  std::vector<Case> cases = {
      {MakeField("t", FieldType::kText, "Text"), Value{std::string("Hej på dig \"du\"")},
       R"("Hej på dig \"du\"")"},
      {MakeField("l", FieldType::kLongText, "Lång"), Value{std::string("rad 1\nrad 2\ttab")},
       R"("rad 1\nrad 2\ttab")"},
      {MakeField("n", FieldType::kNumber, "Tal"), Value{3.5}, "3.5", false},
      {MakeField("n", FieldType::kNumber, "Tal"), Value{4.0}, "4"},
      {MakeField("n", FieldType::kNumber, "Tal"), Value{-0.25}, "-0.25", false},
      {MakeField("d", FieldType::kDate, "Datum"), Value{D("2024-02-29")}, R"("2024-02-29")"},
      {MakeField("y", FieldType::kYesNo, "Ja/nej"), Value{true}, "true"},
      {MakeField("y", FieldType::kYesNo, "Ja/nej"), Value{false}, "false"},
      {WithOptions(MakeField("c", FieldType::kChoice, "Val"), {"a", "b"}), Value{std::string("b")}, R"("b")"},
      {WithOptions(MakeField("m", FieldType::kMultiChoice, "Flera"), {"a", "b", "c"}),
       Value{std::vector<std::string>{"c", "a"}}, R"(["c","a"])"},
      {MakeField("p", FieldType::kPerson, "Person"), Value{std::string("anna.berg")}, R"("anna.berg")"},
      {TimeSheet(), Value{std::vector<Row>{row, second}},
       R"([{"aktivitet":"observation","dagar":1.5,"datum":"2026-03-02","klar":true,"observator":"anna",)"
       R"("taggar":["b","a"]},{"dagar":2,"observator":"bo"}])",
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    if (c.exact) {
      EXPECT_EQ(EncodeValue(c.value), c.json);
    }
    EXPECT_EQ(Decoded(c.field, c.json), c.value);
    EXPECT_EQ(Decoded(c.field, EncodeValue(c.value)), c.value);
    EXPECT_EQ(Decoded(c.field, "null"), Value{});
  }
  EXPECT_EQ(EncodeValue(Value{}), "null");
  // Boost.JSON writes fractions in exponent form: valid JSON that reads back as the same number.
  EXPECT_EQ(EncodeValue(Value{3.5}), "3.5E0");
  EXPECT_EQ(EncodeValue(Value{std::vector<Row>{second}}), R"([{"dagar":2,"observator":"bo"}])");
}

TEST(ValueCodecTest, EmptyInputsDecodeAsEmpty) {
  EXPECT_TRUE(Decoded(MakeField("t", FieldType::kText, "Text"), R"("")").IsEmpty());
  EXPECT_TRUE(Decoded(MakeField("d", FieldType::kDate, "Datum"), R"("")").IsEmpty());
  EXPECT_TRUE(Decoded(WithOptions(MakeField("m", FieldType::kMultiChoice, "Flera"), {"a"}), "[]").IsEmpty());
  EXPECT_TRUE(Decoded(TimeSheet(), "[]").IsEmpty());
  // Duplicate selections collapse; empty cells are dropped from a row.
  EXPECT_EQ(
      Decoded(WithOptions(MakeField("m", FieldType::kMultiChoice, "Flera"), {"a", "b"}), R"(["a","b","a"])"),
      (Value{std::vector<std::string>{"a", "b"}}));
  Value rows = Decoded(TimeSheet(), R"([{"observator":"anna","dagar":null,"datum":""}])");
  ASSERT_TRUE(std::holds_alternative<std::vector<Row>>(rows.data));
  const Row& row = std::get<std::vector<Row>>(rows.data).at(0);
  EXPECT_EQ(row.size(), 1u);
  EXPECT_EQ(row.count("observator"), 1u);
}

TEST(ValueCodecTest, WrongTypesAreRefusedWithTheFieldLabel) {
  EXPECT_EQ(DecodeError(MakeField("n", FieldType::kNumber, "Antal"), R"("3")"), "”Antal” ska vara ett tal.");
  EXPECT_EQ(DecodeError(MakeField("t", FieldType::kText, "Namn"), "3"), "”Namn” ska vara text.");
  EXPECT_EQ(DecodeError(MakeField("y", FieldType::kYesNo, "Beslut"), R"("ja")"),
            "”Beslut” ska vara ja eller nej.");
  EXPECT_EQ(DecodeError(MakeField("d", FieldType::kDate, "Datum"), "20260301"),
            "”Datum” ska vara ett datum (ÅÅÅÅ-MM-DD).");
  EXPECT_EQ(DecodeError(MakeField("d", FieldType::kDate, "Datum"), R"("2026-02-30")"),
            "”Datum” ska vara ett giltigt datum (ÅÅÅÅ-MM-DD).");
  EXPECT_EQ(DecodeError(WithOptions(MakeField("c", FieldType::kChoice, "Område"), {"a"}), R"("z")"),
            "”z” är inte ett av alternativen för ”Område”.");
  EXPECT_EQ(DecodeError(WithOptions(MakeField("c", FieldType::kChoice, "Område"), {"a"}), "1"),
            "”Område” ska vara ett av alternativen.");
  EXPECT_EQ(
      DecodeError(WithOptions(MakeField("m", FieldType::kMultiChoice, "Former"), {"a"}), R"(["a","q"])"),
      "”q” är inte ett av alternativen för ”Former”.");
  EXPECT_EQ(DecodeError(WithOptions(MakeField("m", FieldType::kMultiChoice, "Former"), {"a"}), R"("a")"),
            "”Former” ska vara en lista med alternativ.");
  EXPECT_EQ(DecodeError(TimeSheet(), R"({"dagar":1})"),
            "”Tidsredovisning” ska vara en tabell (en lista med rader).");
  EXPECT_EQ(DecodeError(TimeSheet(), R"([1])"),
            "”Tidsredovisning” ska vara en tabell där varje rad har kolumner.");
  EXPECT_EQ(DecodeError(TimeSheet(), R"([{"timmar":1}])"), "”Tidsredovisning” har ingen kolumn ”timmar”.");
  EXPECT_EQ(DecodeError(TimeSheet(), R"([{"dagar":"två"}])"), "”Dagar” ska vara ett tal.");
  EXPECT_THAT(DecodeError(MakeField("n", FieldType::kNumber, "Antal"), "{not json"),
              HasSubstr("”Antal”: ogiltig JSON"));
  EXPECT_THAT(DecodeError(MakeField("n", FieldType::kNumber, "Antal"), ""), HasSubstr("ogiltig JSON"));
}

TEST(ValueCodecTest, GroupRowLimit) {
  std::string many = "[";
  for (size_t i = 0; i <= kMaxGroupRows; ++i) many += std::string(i ? "," : "") + R"({"dagar":1})";
  many += "]";
  EXPECT_EQ(DecodeError(TimeSheet(), many), "”Tidsredovisning” har för många rader (högst 1000).");
  std::string enough = "[";
  for (size_t i = 0; i < kMaxGroupRows; ++i) enough += std::string(i ? "," : "") + R"({"dagar":1})";
  enough += "]";
  Value v = Decoded(TimeSheet(), enough);
  EXPECT_EQ(std::get<std::vector<Row>>(v.data).size(), kMaxGroupRows);
}

// ---- text hygiene ---------------------------------------------------------------------------------

TEST(ValueTextTest, InvalidUtf8IsRefused) {
  Field name = MakeField("namn", FieldType::kText, "Namn");
  for (std::string bad : {std::string("caf\xE9"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF4\x90\x80\x80"), std::string("abc\xE2\x82")}) {
    EXPECT_FALSE(IsValidUtf8(bad));
    EXPECT_EQ(ParseError(name, bad), "”Namn” innehåller ogiltiga tecken (inte UTF-8).");
  }
  // Also when it arrives as JSON.
  EXPECT_EQ(DecodeError(name, "\"caf\xE9\""), "”Namn” innehåller ogiltiga tecken (inte UTF-8).");
  EXPECT_TRUE(IsValidUtf8("Återkoppling – åäö €𝄞"));
  EXPECT_EQ(CountCodePoints("Återkoppling – åäö €𝄞"), 21u);
  EXPECT_EQ(Parsed(name, "Åsa Öberg"), Value{std::string("Åsa Öberg")});
}

TEST(ValueTextTest, ControlCharactersAreRemovedAndLineBreaksKeptOnlyInLongText) {
  Field text = MakeField("t", FieldType::kText, "Text");
  Field longtext = MakeField("l", FieldType::kLongText, "Lång text");
  EXPECT_EQ(Parsed(text, std::string("a\x01"
                                     "b\x1B[31mc\x7F"
                                     "d")),
            Value{std::string("ab[31mcd")});
  EXPECT_EQ(Parsed(text, std::string("a\0b", 3)), Value{std::string("ab")});
  EXPECT_EQ(Parsed(text, "rad 1\r\nrad 2\tslut"), Value{std::string("rad 1 rad 2\tslut")});
  EXPECT_EQ(Parsed(longtext, "rad 1\r\nrad 2\tslut"), Value{std::string("rad 1\nrad 2\tslut")});
  // The same cleaning applies to JSON input.
  EXPECT_EQ(Decoded(longtext, R"("a\u0007b\r\nc")"), Value{std::string("ab\nc")});
  // Text that is nothing but control characters is empty.
  EXPECT_TRUE(Parsed(text, "\x01\x02").IsEmpty());
}

TEST(ValueTextTest, TextLengthLimitCountsCharacters) {
  Field text = MakeField("t", FieldType::kLongText, "Text");
  std::string longest;
  for (size_t i = 0; i < kMaxTextLength; ++i) longest += "å";  // two bytes, one character
  Value v = Parsed(text, longest);
  ASSERT_TRUE(std::holds_alternative<std::string>(v.data));
  EXPECT_EQ(CountCodePoints(std::get<std::string>(v.data)), kMaxTextLength);
  EXPECT_EQ(ParseError(text, longest + "a"), "”Text” är för lång (högst 100000 tecken).");
}

// ---- ParseValueText -------------------------------------------------------------------------------

TEST(ParseValueTextTest, NumbersWithDecimalCommaOrPoint) {
  Field n = MakeField("n", FieldType::kNumber, "Dagar");
  EXPECT_EQ(Parsed(n, "3,5"), Value{3.5});
  EXPECT_EQ(Parsed(n, "3.5"), Value{3.5});
  EXPECT_EQ(Parsed(n, "10"), Value{10.0});
  EXPECT_EQ(Parsed(n, "-0,5"), Value{-0.5});
  EXPECT_EQ(Parsed(n, "0"), Value{0.0});
  for (std::string_view bad : {"tre", "3,5,1", "1 000", "3.5 ", " 3", "3x", "inf", "nan", "1e999", ","}) {
    EXPECT_EQ(ParseError(n, bad), "”Dagar” ska vara ett tal, inte ”" + std::string(bad) + "”.");
  }
}

TEST(ParseValueTextTest, YesAndNo) {
  Field y = MakeField("y", FieldType::kYesNo, "Informerat");
  for (std::string_view yes : {"ja", "j", "yes", "y", "true", "1"})
    EXPECT_EQ(Parsed(y, yes), Value{true}) << yes;
  for (std::string_view no : {"nej", "n", "no", "false", "0"}) EXPECT_EQ(Parsed(y, no), Value{false}) << no;
  EXPECT_EQ(ParseError(y, "kanske"), "”Informerat” ska vara ja eller nej, inte ”kanske”.");
}

TEST(ParseValueTextTest, MultipleChoiceSeparatedByCommas) {
  Field m = WithOptions(MakeField("m", FieldType::kMultiChoice, "Verksamhetsformer"),
                        {"forskola", "fritidshem", "grundskola_f3"});
  EXPECT_EQ(Parsed(m, "forskola, fritidshem"), (Value{std::vector<std::string>{"forskola", "fritidshem"}}));
  EXPECT_EQ(Parsed(m, "fritidshem,forskola"), (Value{std::vector<std::string>{"fritidshem", "forskola"}}));
  EXPECT_EQ(Parsed(m, " forskola ,, forskola "), (Value{std::vector<std::string>{"forskola"}}));
  EXPECT_EQ(Parsed(m, "grundskola_f3"), (Value{std::vector<std::string>{"grundskola_f3"}}));
  EXPECT_TRUE(Parsed(m, " , ").IsEmpty());
  EXPECT_EQ(ParseError(m, "forskola, gymnasium"),
            "”gymnasium” är inte ett av alternativen för ”Verksamhetsformer”.");
}

TEST(ParseValueTextTest, DatesChoicesPeopleAndText) {
  EXPECT_EQ(Parsed(MakeField("d", FieldType::kDate, "Datum"), "2026-03-01"), Value{D("2026-03-01")});
  EXPECT_EQ(ParseError(MakeField("d", FieldType::kDate, "Datum"), "1 mars"),
            "”Datum” ska vara ett giltigt datum (ÅÅÅÅ-MM-DD).");
  Field c = WithOptions(MakeField("c", FieldType::kChoice, "Område"), {"pedagog_barn", "annat"});
  EXPECT_EQ(Parsed(c, "annat"), Value{std::string("annat")});
  EXPECT_EQ(ParseError(c, "Annat"), "”Annat” är inte ett av alternativen för ”Område”.");
  EXPECT_EQ(Parsed(MakeField("p", FieldType::kPerson, "Person"), "anna"), Value{std::string("anna")});
  EXPECT_EQ(Parsed(MakeField("t", FieldType::kText, "Text"), "  mellanslag  "),
            Value{std::string("  mellanslag  ")});
}

TEST(ParseValueTextTest, EmptyTextClearsEveryType) {
  for (FieldType type :
       {FieldType::kText, FieldType::kLongText, FieldType::kNumber, FieldType::kDate, FieldType::kYesNo,
        FieldType::kChoice, FieldType::kMultiChoice, FieldType::kPerson, FieldType::kGroup}) {
    Field f = WithOptions(MakeField("f", type, "F"), {"a"});
    if (type == FieldType::kGroup) f = TimeSheet();
    EXPECT_TRUE(Parsed(f, "").IsEmpty()) << ToString(type);
  }
}

TEST(ParseValueTextTest, GroupsAreJson) {
  Value v = Parsed(TimeSheet(), R"([{"observator":"anna","aktivitet":"forarbete","dagar":0.5}])");
  ASSERT_TRUE(std::holds_alternative<std::vector<Row>>(v.data));
  const Row& row = std::get<std::vector<Row>>(v.data).at(0);
  EXPECT_EQ(row.at("dagar"), Value{0.5});
  EXPECT_EQ(row.at("aktivitet"), Value{std::string("forarbete")});
  EXPECT_THAT(ParseError(TimeSheet(), "anna, 2"), HasSubstr("ogiltig JSON"));
}

// ---- DisplayValue ---------------------------------------------------------------------------------

TEST(DisplayValueTest, ReadsLikeSwedish) {
  EXPECT_EQ(DisplayValue(Value{}), "");
  EXPECT_EQ(DisplayValue(Value{true}), "ja");
  EXPECT_EQ(DisplayValue(Value{false}), "nej");
  EXPECT_EQ(DisplayValue(Value{3.5}), "3,5");
  EXPECT_EQ(DisplayValue(Value{10.0}), "10");
  EXPECT_EQ(DisplayValue(Value{-0.25}), "-0,25");
  EXPECT_EQ(DisplayValue(Value{D("2026-03-01")}), "2026-03-01");
  EXPECT_EQ(DisplayValue(Value{std::string("text")}), "text");
  EXPECT_EQ(DisplayValue(Value{std::vector<std::string>{"a", "b"}}), "a, b");
  EXPECT_EQ(DisplayValue(Value{std::vector<Row>(1)}), "1 rad");
  EXPECT_EQ(DisplayValue(Value{std::vector<Row>(2)}), "2 rader");
}

// ---- CheckConstraints -----------------------------------------------------------------------------

TEST(CheckConstraintsTest, NumberRangeDefaultMessages) {
  Field both = MakeField("n", FieldType::kNumber, "Antal");
  both.constraints.push_back(NumberRange(1, 500));
  EXPECT_THAT(CheckConstraints(both, Value{0.0}), ElementsAre("”Antal” ska vara mellan 1 och 500."));
  EXPECT_THAT(CheckConstraints(both, Value{500.5}), ElementsAre("”Antal” ska vara mellan 1 och 500."));
  EXPECT_THAT(CheckConstraints(both, Value{1.0}), ElementsAre());
  EXPECT_THAT(CheckConstraints(both, Value{500.0}), ElementsAre());
  Field min = MakeField("n", FieldType::kNumber, "Dagar");
  min.constraints.push_back(NumberRange(0.5, std::nullopt));
  EXPECT_THAT(CheckConstraints(min, Value{0.25}), ElementsAre("”Dagar” ska vara minst 0,5."));
  Field max = MakeField("n", FieldType::kNumber, "Dagar");
  max.constraints.push_back(NumberRange(std::nullopt, 10));
  EXPECT_THAT(CheckConstraints(max, Value{10.5}), ElementsAre("”Dagar” får vara högst 10."));
}

TEST(CheckConstraintsTest, DefinitionMessagesReplaceTheDefaults) {
  Field n = MakeField("n", FieldType::kNumber, "Antal");
  n.constraints.push_back(NumberRange(1, 500, "Ange ett antal mellan 1 och 500."));
  EXPECT_THAT(CheckConstraints(n, Value{0.0}), ElementsAre("Ange ett antal mellan 1 och 500."));
  Field t = MakeField("t", FieldType::kText, "E-post");
  t.constraints.push_back(Pattern(R"([^@\s]+@[^@\s]+\.[^@\s]+)", "Skriv en e-postadress."));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("namn@kommun")}), ElementsAre("Skriv en e-postadress."));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("namn@kommun.se")}), ElementsAre());
}

TEST(CheckConstraintsTest, LengthCountsCharactersNotBytes) {
  Field t = MakeField("t", FieldType::kText, "Rubrik");
  t.constraints.push_back(Length(2, 5));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("åäöÅÄ")}), ElementsAre());  // 5 characters, 10 bytes
  EXPECT_THAT(CheckConstraints(t, Value{std::string("åäöÅÄÖ")}),
              ElementsAre("Längden på ”Rubrik” ska vara mellan 2 och 5 tecken."));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("å")}),
              ElementsAre("Längden på ”Rubrik” ska vara mellan 2 och 5 tecken."));
  Field max = MakeField("t", FieldType::kText, "Rubrik");
  max.constraints.push_back(Length(std::nullopt, 3, "Högst tre tecken."));
  EXPECT_THAT(CheckConstraints(max, Value{std::string("abcd")}), ElementsAre("Högst tre tecken."));
}

TEST(CheckConstraintsTest, PatternMustMatchTheWholeValue) {
  Field t = MakeField("t", FieldType::kText, "Kod");
  t.constraints.push_back(Pattern("[A-Z]{3}"));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("ABC")}), ElementsAre());
  EXPECT_THAT(CheckConstraints(t, Value{std::string("ABCD")}), ElementsAre("”Kod” har inte rätt form."));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("xABC")}), ElementsAre("”Kod” har inte rätt form."));
}

TEST(CheckConstraintsTest, DateRange) {
  Field d = MakeField("d", FieldType::kDate, "Datum");
  Constraint c;
  c.kind = Constraint::Kind::kRange;
  c.min_date = D("2026-01-01");
  c.max_date = D("2026-12-31");
  d.constraints.push_back(c);
  EXPECT_THAT(CheckConstraints(d, Value{D("2026-06-01")}), ElementsAre());
  EXPECT_THAT(CheckConstraints(d, Value{D("2027-01-01")}),
              ElementsAre("”Datum” ska vara mellan 2026-01-01 och 2026-12-31."));
  EXPECT_THAT(CheckConstraints(d, Value{D("2025-12-31")}),
              ElementsAre("”Datum” ska vara mellan 2026-01-01 och 2026-12-31."));
}

TEST(CheckConstraintsTest, MultipleChoiceRangeCountsSelections) {
  Field m = WithOptions(MakeField("m", FieldType::kMultiChoice, "Former"), {"a", "b", "c"});
  m.constraints.push_back(NumberRange(std::nullopt, 2));
  EXPECT_THAT(CheckConstraints(m, Value{std::vector<std::string>{"a", "b"}}), ElementsAre());
  EXPECT_THAT(CheckConstraints(m, Value{std::vector<std::string>{"a", "b", "c"}}),
              ElementsAre("”Former” får vara högst 2 val."));
}

TEST(CheckConstraintsTest, GroupRowCountAndEveryBadCellWithItsRow) {
  Field group = TimeSheet();
  group.constraints.push_back(NumberRange(1, 2));
  Value rows = Decoded(group, R"([{"dagar":1},{"dagar":11},{"dagar":0.25}])");
  EXPECT_THAT(CheckConstraints(group, rows),
              ElementsAre("”Tidsredovisning” ska vara mellan 1 och 2 rader.",
                          "”Tidsredovisning” rad 2: ”Dagar” ska vara mellan 0,5 och 10.",
                          "”Tidsredovisning” rad 3: ”Dagar” ska vara mellan 0,5 och 10."));
  EXPECT_THAT(CheckConstraints(group, Decoded(group, R"([{"dagar":10}])")), ElementsAre());
}

TEST(CheckConstraintsTest, EmptyValuesAndRequiredAreLeftToCompletion) {
  Field n = MakeField("n", FieldType::kNumber, "Antal");
  n.constraints.push_back(Required());
  n.constraints.push_back(NumberRange(1, 5));
  EXPECT_THAT(CheckConstraints(n, Value{}), ElementsAre());
  EXPECT_THAT(CheckConstraints(n, Value{3.0}), ElementsAre());
  EXPECT_EQ(RequiredMessage(n), "”Antal” måste fyllas i.");
  Field custom = MakeField("p", FieldType::kLongText, "Problemformulering");
  custom.constraints.push_back(Required("Beskriv problemformuleringen."));
  EXPECT_EQ(RequiredMessage(custom), "Beskriv problemformuleringen.");
}

TEST(CheckConstraintsTest, EveryBrokenConstraintIsReported) {
  Field t = MakeField("t", FieldType::kText, "Kod");
  t.constraints.push_back(Length(std::nullopt, 3));
  t.constraints.push_back(Pattern("[0-9]+", "Bara siffror."));
  EXPECT_THAT(CheckConstraints(t, Value{std::string("abcde")}),
              ElementsAre("Längden på ”Kod” får vara högst 3 tecken.", "Bara siffror."));
}

}  // namespace
}  // namespace spegla
