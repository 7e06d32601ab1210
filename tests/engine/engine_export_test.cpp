// The management export at the engine's boundary: which sheets, rows and typed cells Engine::Export hands
// to a writer, for which actors and filters, against a real SQLite file. The writer here records what it
// is given; the xlsx and csv plugins turning it into files are tested on their own and end to end
// (tests/plugins, tests/cli/export_cli_test.cpp). Uses tests/fixtures/loader/test-flow.xml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "spegla/workflow_loader.h"
#include "../support/test_database.h"

namespace spegla {
namespace {

using namespace spegla::test;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct RecordedCell {
  CellType type = CellType::kEmpty;
  double number = 0;
  std::string text;
};

struct RecordedSheet {
  SheetSpec spec;
  std::vector<std::vector<RecordedCell>> rows;
  std::vector<ChartSpec> charts;

  size_t Column(std::string_view label) const {
    for (size_t i = 0; i < spec.columns.size(); ++i) {
      if (spec.columns[i].label == label) return i;
    }
    ADD_FAILURE() << "no column " << label << " in " << spec.name;
    return 0;
  }
  RecordedCell Cell(size_t row, std::string_view label) const {
    const std::vector<RecordedCell>& r = rows.at(row);
    size_t column = Column(label);
    return column < r.size() ? r[column] : RecordedCell{};
  }
};

class RecordingWriter final : public ExportWriter {
 public:
  std::size_t AddSheet(const SheetSpec& sheet) override {
    sheets.push_back(RecordedSheet{sheet, {}, {}});
    return sheets.size() - 1;
  }
  void AddRow(std::size_t sheet, std::span<const spegla::Cell> cells, RowStyle) override {
    std::vector<RecordedCell> row;
    for (const spegla::Cell& c : cells) row.push_back(RecordedCell{c.type, c.number, std::string(c.text)});
    sheets.at(sheet).rows.push_back(std::move(row));
  }
  void AddChart(std::size_t sheet, const ChartSpec& chart) override { sheets.at(sheet).charts.push_back(chart); }
  std::vector<std::string> Finish() override { return {}; }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const RecordedSheet& s : sheets) names.push_back(s.spec.name);
    return names;
  }
  const RecordedSheet& Sheet(std::string_view name) const {
    for (const RecordedSheet& s : sheets) {
      if (s.spec.name == name) return s;
    }
    throw std::runtime_error("no sheet " + std::string(name));
  }

  std::vector<RecordedSheet> sheets;
};

std::int64_t DaysOf(std::string_view date) { return D(date).days().time_since_epoch().count(); }

Row TimeRow(std::string who, double days) {
  return Row{{"observator", Text(std::move(who))}, {"dagar", Num(days)}};
}

std::string FlowWithExports(const std::string& exports);

class ExportTest : public ::testing::Test {
 protected:
  ExportTest() : clock_(At("2026-03-02")) {}

  void SetUp() override {
    engine_ = Engine::Open(TestDatabase(dir_.File("spegla.db")), clock_);
    const Actor op = Actor::Operator();
    home_ = Must(engine_->CreateMunicipality(op, "Testkommun"));
    other_ = Must(engine_->CreateMunicipality(op, "Annankommun"));
    byskolan_ = Must(engine_->CreateUnit(op, home_, "Byskolan", "skola"));
    const std::int64_t fjallet = Must(engine_->CreateUnit(op, other_, "Fjällets förskola", "forskola"));
    struct Person {
      const char* name;
      const char* role;
      std::optional<std::int64_t> municipality;
    };
    for (const Person& p : {Person{"lars", "personal", home_}, Person{"lena", "personal", home_},
                            Person{"rut", "personal", home_}, Person{"olle", "personal", home_},
                            Person{"ola", "personal", home_}, Person{"sam", "utvecklingsledare", home_},
                            Person{"ulla", "utvecklingsledare", other_}, Person{"frida", "forvaltning", {}},
                            Person{"adam", "administrator", {}}}) {
      User user;
      user.username = p.name;
      user.display_name = std::string("Person ") + p.name;
      user.global_role = p.role;
      user.municipality_id = p.municipality;
      Must(engine_->CreateUser(op, user));
    }
    for (const char* observer : {"olle", "ola"}) Must(engine_->AddToObserverPool(op, home_, observer));
    Must(engine_->AssignOrganisationRole(op, home_, "samordnare", "sam"));
    InstallOutcome installed = engine_->InstallDefinitionFile(op, kFlowFile);
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();

    walked_ = Must(engine_->CreateInstance(op, "test-flow", byskolan_, "Läsning på Byskolan"));
    for (auto [role, who] : {std::pair{"larare", "lars"},
                             {"larare", "lena"},
                             {"rektor", "rut"},
                             {"observator", "olle"},
                             {"observator", "ola"}}) {
      Must(engine_->AssignParticipant(op, walked_, role, who));
    }
    Must(engine_->SetFields(U("lars"), walked_, "ansokan", 0,
                            {{"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                             {"antal", Num(24)},
                             {"vag", Text("grundlig")},
                             {"informerat", Yes(true)},
                             {"kontakt", Text("lars")},
                             {"intern", Text("Bara för lärarna")},
                             {"uppfoljning_datum", Day("2026-06-01")}}));
    Must(engine_->CompleteStep(U("lars"), walked_, "ansokan"));
    Must(engine_->CompleteStep(U("rut"), walked_, "granskning"));
    Must(engine_->CompleteStep(U("sam"), walked_, "grupp"));
    for (int i = 1; i <= 2; ++i) {
      Must(engine_->SetFields(U("olle"), walked_, "besok", i,
                              {{"datum", Day("2026-04-0" + std::to_string(i))}, {"anteckningar", Text("Elev X")}}));
    }
    Must(engine_->SignOff(U("rut"), walked_, "besok"));
    Must(engine_->CompleteStep(U("olle"), walked_, "besok"));
    Must(engine_->CompleteStep(U("olle"), walked_, "mote"));
    Must(engine_->CompleteStep(U("lars"), walked_, "utvardering"));
    Must(engine_->SetFields(U("lars"), walked_, "plan", 0, {{"mal", Text("Mål")}}));
    Must(engine_->SignOff(U("rut"), walked_, "plan"));
    Must(engine_->CompleteStep(U("lars"), walked_, "plan"));
    Must(engine_->CompleteStep(U("lars"), walked_, "uppfoljning"));
    Must(engine_->SetFields(U("olle"), walked_, "tid", 0,
                            {{"rader", Value{std::vector<Row>{TimeRow("olle", 2), TimeRow("ola", 1.5)}}}}));

    clock_.Set(At("2026-05-04"));
    fresh_ = Must(engine_->CreateInstance(op, "test-flow", fjallet, "Fjällets start"));
  }

  void TearDown() override { engine_.reset(); }

  Result<ExportSummary> Run(const Actor& actor, RecordingWriter* writer, ExportRequest request = {}) {
    return engine_->Export(actor, request, *writer);
  }
  RecordingWriter Exported(ExportRequest request = {}) {
    RecordingWriter writer;
    Must(Run(U("frida"), &writer, std::move(request)));
    return writer;
  }

  ScratchDir dir_{"spegla-export"};
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  std::int64_t home_ = 0, other_ = 0, byskolan_ = 0, walked_ = 0, fresh_ = 0;
};

TEST_F(ExportTest, SheetsInTheOrderManagementReadsThem) {
  RecordingWriter w = Exported();
  EXPECT_THAT(w.Names(), ElementsAre("Översikt", "Testflöde", "Testflöde tid", "Sammanfattning"));
  for (const RecordedSheet& s : w.sheets) EXPECT_EQ(s.spec.autofilter, s.spec.name != "Sammanfattning");
}

TEST_F(ExportTest, OverviewHasARowPerInstanceWithTypedCells) {
  RecordingWriter w = Exported();
  const RecordedSheet& o = w.Sheet("Översikt");
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.Cell(0, "Nr").type, CellType::kNumber);
  EXPECT_EQ(o.Cell(0, "Nr").number, walked_);
  EXPECT_EQ(o.Cell(0, "Kommun").text, "Testkommun");
  EXPECT_EQ(o.Cell(0, "Enhet").text, "Byskolan");
  EXPECT_EQ(o.Cell(0, "Process").text, "Testflöde");
  EXPECT_EQ(o.Cell(0, "Version").number, 1);
  EXPECT_EQ(o.Cell(0, "Benämning").text, "Läsning på Byskolan");
  EXPECT_EQ(o.Cell(0, "Aktuell fas").text, "Uppföljning");
  EXPECT_EQ(o.Cell(0, "Status").text, "Pågående");
  EXPECT_EQ(o.Cell(0, "Startad").type, CellType::kDate);
  EXPECT_EQ(o.Cell(0, "Startad").number, DaysOf("2026-03-02"));
  EXPECT_EQ(o.Cell(0, "Avslutad").type, CellType::kEmpty);
  EXPECT_EQ(o.Cell(0, "Försenad").type, CellType::kBool);
  EXPECT_EQ(o.Cell(0, "Observatörsdagar, använt").type, CellType::kNumber);
  EXPECT_EQ(o.Cell(0, "Observatörsdagar, använt").number, 3.5);
  EXPECT_EQ(o.Cell(0, "Observatörsdagar, tak").number, 10);
  EXPECT_EQ(o.Cell(0, "Deltagare").number, 5);  // the organisation-wide samordnare is not counted
  EXPECT_EQ(o.Cell(0, "Dokument").number, 0);
  EXPECT_EQ(o.Cell(0, "Senast aktiv (UTC)").type, CellType::kDateTime);
  EXPECT_EQ(o.Cell(0, "Senast aktiv (UTC)").number, At("2026-03-02").time_since_epoch().count());

  EXPECT_EQ(o.Cell(1, "Kommun").text, "Annankommun");
  EXPECT_EQ(o.Cell(1, "Aktuell fas").text, "Ansökan");
  EXPECT_EQ(o.Cell(1, "Startad").number, DaysOf("2026-05-04"));
  EXPECT_EQ(o.Cell(1, "Deltagare").number, 0);
}

TEST_F(ExportTest, OverdueAndNextDeadlineFollowTheClock) {
  // The ansökan phase of test-flow is due some weeks after it starts; the fresh instance started on 4 May.
  clock_.Set(At("2027-01-01"));
  RecordingWriter w = Exported();
  const RecordedSheet& o = w.Sheet("Översikt");
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.Cell(1, "Nästa deadline").type, CellType::kDate);
  EXPECT_LT(o.Cell(1, "Nästa deadline").number, DaysOf("2027-01-01"));
  EXPECT_EQ(o.Cell(1, "Försenad").number, 1);
}

TEST_F(ExportTest, ProcessSheetShowsLabelsNamesAndRealTypes) {
  RecordingWriter w = Exported();
  const RecordedSheet& s = w.Sheet("Testflöde");
  EXPECT_THAT(std::vector<std::string>({s.spec.columns[0].label, s.spec.columns[1].label, s.spec.columns[2].label,
                                        s.spec.columns[3].label}),
              ElementsAre("Nr", "Kommun", "Enhet", "Process"));
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.Cell(0, "Antal").type, CellType::kNumber);
  EXPECT_EQ(s.Cell(0, "Antal").number, 24);
  EXPECT_EQ(s.Cell(0, "Besöksdagar").number, 2);
  EXPECT_EQ(s.Cell(0, "Väg").text, "Grundlig");             // the choice's label, not its code
  EXPECT_EQ(s.Cell(0, "Kontaktperson").text, "Person lars");  // the person's name, not the username
  EXPECT_EQ(s.Cell(0, "Informerat").type, CellType::kBool);
  EXPECT_EQ(s.Cell(0, "Informerat").number, 1);
  EXPECT_EQ(s.Cell(0, "Uppföljning").type, CellType::kDate);
  EXPECT_EQ(s.Cell(0, "Uppföljning").number, DaysOf("2026-06-01"));
  EXPECT_EQ(s.Cell(0, "Besöksdatum").text, "2026-04-01; 2026-04-02");  // a list, in one cell
  EXPECT_EQ(s.spec.columns[s.Column("Besöksdatum")].type, CellType::kText);
  EXPECT_EQ(s.Cell(1, "Antal").type, CellType::kEmpty);
  EXPECT_EQ(s.Cell(1, "Besöksdagar").number, 0);
}

TEST_F(ExportTest, AnInstanceWithNothingToShowHasNoRowOnAnExportSheet) {
  // The fresh instance has no answers, but a count is a number: it keeps its row on Testflöde.
  EXPECT_EQ(Exported().Sheet("Testflöde").rows.size(), 2u);
  const std::string only_answers = FlowWithExports(
      "    <export id=\"svar\" label=\"Svar\">\n"
      "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
      "      <column label=\"Väg\" value=\"ansokan.vag\"/>\n"
      "    </export>\n");
  std::string xml = only_answers;
  xml.replace(xml.find("version=\"1\""), 11, "version=\"2\"");
  InstallOutcome v2 = engine_->InstallDefinition(Actor::Operator(), xml, "flow.xml");
  ASSERT_TRUE(v2.problems.empty()) << v2.problems.front().Format();
  const std::int64_t answered = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", byskolan_, "Svarat"));
  Must(engine_->CreateInstance(Actor::Operator(), "test-flow", byskolan_, "Tomt"));
  Must(engine_->AssignParticipant(Actor::Operator(), answered, "larare", "lars"));
  Must(engine_->SetFields(U("lars"), answered, "ansokan", 0, {{"antal", Num(12)}}));
  RecordingWriter w = Exported();
  const RecordedSheet& s = w.Sheet("Svar");
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.Cell(0, "Nr").number, answered);
  EXPECT_EQ(s.Cell(0, "Antal").number, 12);
}

TEST_F(ExportTest, ItemsSheetHasARowPerGroupRowKeyedByInstance) {
  RecordingWriter w = Exported();
  const RecordedSheet& s = w.Sheet("Testflöde tid");
  ASSERT_EQ(s.rows.size(), 2u);  // the fresh instance has no rows, so no row here
  EXPECT_EQ(s.Cell(0, "Nr").number, walked_);
  EXPECT_EQ(s.Cell(0, "Rad").number, 1);
  EXPECT_EQ(s.Cell(0, "Observatör").text, "Person olle");
  EXPECT_EQ(s.Cell(0, "Dagar").number, 2);
  EXPECT_EQ(s.Cell(1, "Rad").number, 2);
  EXPECT_EQ(s.Cell(1, "Observatör").text, "Person ola");
  EXPECT_EQ(s.Cell(1, "Dagar").number, 1.5);
  EXPECT_EQ(s.Cell(1, "Antal elever").number, 24);  // a single value repeats on every item's row
}

TEST_F(ExportTest, SummaryCountsPerProcessMunicipalityAndPhaseWithCharts) {
  RecordingWriter w = Exported();
  const RecordedSheet& s = w.Sheet("Sammanfattning");
  auto text = [&](size_t row, size_t column) {
    return column < s.rows.at(row).size() ? s.rows[row][column].text : "";
  };
  auto number = [&](size_t row, size_t column) { return s.rows.at(row).at(column).number; };
  ASSERT_GE(s.rows.size(), 9u);
  EXPECT_EQ(text(0, 0), "Testflöde");
  EXPECT_EQ(number(0, 1), 2);  // active
  EXPECT_EQ(number(0, 3), 2);  // total
  EXPECT_TRUE(s.rows[1].empty());
  EXPECT_EQ(text(2, 0), "Kommun");
  EXPECT_EQ(text(3, 0), "Annankommun");
  EXPECT_EQ(text(4, 0), "Testkommun");
  EXPECT_EQ(number(4, 1), 1);
  EXPECT_TRUE(s.rows[5].empty());
  EXPECT_EQ(text(6, 1), "Fas");
  EXPECT_EQ(text(7, 1), "Ansökan");
  EXPECT_EQ(text(8, 1), "Uppföljning");
  ASSERT_EQ(s.charts.size(), 2u);
  EXPECT_EQ(s.charts[0].first_row, 1u);
  EXPECT_EQ(s.charts[0].last_row, 1u);
  // Chart rows count the sheet's header as row 0: the municipalities' heading is row 3.
  EXPECT_EQ(s.charts[1].name_row, 3u);
  EXPECT_EQ(s.charts[1].first_row, 4u);
  EXPECT_EQ(s.charts[1].last_row, 5u);
}

TEST_F(ExportTest, FiltersSelectInstances) {
  auto rows = [&](ExportFilter filter) {
    ExportRequest request;
    request.filter = filter;
    return Exported(request).Sheet("Översikt").rows.size();
  };
  EXPECT_EQ(rows({}), 2u);
  EXPECT_EQ(rows({.municipality_id = home_}), 1u);
  EXPECT_EQ(rows({.unit_id = byskolan_}), 1u);
  EXPECT_EQ(rows({.workflow_id = "test-flow"}), 2u);
  EXPECT_EQ(rows({.workflow_id = "nosuch"}), 0u);
  EXPECT_EQ(rows({.status = "completed"}), 0u);
  EXPECT_EQ(rows({.status = "active"}), 2u);
  EXPECT_EQ(rows({.to = D("2026-04-30")}), 1u);   // the second started on 4 May
  EXPECT_EQ(rows({.from = D("2026-05-01")}), 2u);  // neither has completed
  EXPECT_EQ(rows({.from = D("2026-01-01"), .to = D("2026-01-31")}), 0u);
}

TEST_F(ExportTest, WhoMayExportWhat) {
  RecordingWriter w;
  EXPECT_TRUE(Fails(Run(U("lars"), &w), ErrorCode::kForbidden, {"Bara administratörer"}));
  EXPECT_TRUE(Fails(Run(U("nobody"), &w), ErrorCode::kForbidden));
  EXPECT_TRUE(w.sheets.empty());  // nothing reached the writer

  ExportRequest other;
  other.filter.municipality_id = other_;
  EXPECT_TRUE(Fails(Run(U("sam"), &w, other), ErrorCode::kForbidden, {"egen kommun"}));
  EXPECT_TRUE(w.sheets.empty());

  RecordingWriter own;
  ASSERT_TRUE(Succeeds(Run(U("sam"), &own)));  // without a filter: their own municipality only
  ASSERT_EQ(own.Sheet("Översikt").rows.size(), 1u);
  EXPECT_EQ(own.Sheet("Översikt").Cell(0, "Kommun").text, "Testkommun");

  for (const char* everything : {"adam", "frida"}) {
    RecordingWriter all;
    ASSERT_TRUE(Succeeds(Run(U(everything), &all)));
    EXPECT_EQ(all.Sheet("Översikt").rows.size(), 2u) << everything;
  }
}

TEST_F(ExportTest, NothingKeptFromSomeRoleIsExported) {
  RecordingWriter w = Exported();
  for (const RecordedSheet& s : w.sheets) {
    for (const auto& row : s.rows) {
      for (const RecordedCell& c : row) {
        EXPECT_EQ(c.text.find("Bara för lärarna"), std::string::npos) << s.spec.name;
        EXPECT_EQ(c.text.find("Elev X"), std::string::npos) << s.spec.name;
      }
    }
  }
}

TEST_F(ExportTest, AnExportOfNothingStillHasItsSheetsAndHeaders) {
  ExportRequest request;
  request.filter.status = "completed";
  RecordingWriter w;
  Result<ExportSummary> summary = Run(U("frida"), &w, request);
  ASSERT_TRUE(Succeeds(summary));
  EXPECT_EQ(summary.value().instances, 0u);
  EXPECT_THAT(w.Names(), ElementsAre("Översikt", "Testflöde", "Testflöde tid", "Sammanfattning"));
  EXPECT_TRUE(w.Sheet("Översikt").rows.empty());
  EXPECT_FALSE(w.Sheet("Översikt").spec.columns.empty());
  EXPECT_TRUE(w.Sheet("Sammanfattning").charts.empty());  // no chart over no rows
}

TEST_F(ExportTest, OneSheetForSingleTableFormats) {
  ExportRequest request;
  request.sheet = "testflöde TID";  // as Excel compares sheet names: without regard to case
  RecordingWriter w = Exported(request);
  EXPECT_THAT(w.Names(), ElementsAre("Testflöde tid"));

  request.sheet = "Nosuch";
  RecordingWriter none;
  EXPECT_TRUE(Fails(Run(U("frida"), &none, request), ErrorCode::kNotFound, {"”Översikt”", "”Testflöde tid”"}));
  EXPECT_TRUE(none.sheets.empty());
}

TEST_F(ExportTest, ProgressIsReportedUpToTheTotal) {
  std::vector<std::pair<size_t, size_t>> calls;
  ExportRequest request;
  request.progress = [&](size_t done, size_t total) { calls.emplace_back(done, total); };
  RecordingWriter w = Exported(request);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), std::make_pair(size_t{0}, size_t{2}));
  EXPECT_EQ(calls.back(), std::make_pair(size_t{2}, size_t{2}));
}

// --- what the loader accepts in <exports> --------------------------------------------------------

std::string FlowWithExports(const std::string& exports) {
  std::ifstream in(kFlowFile);
  std::stringstream text;
  text << in.rdbuf();
  std::string xml = text.str();
  const size_t begin = xml.find("  <exports>");
  const size_t end = xml.find("</exports>") + std::string("</exports>").size();
  return xml.replace(begin, end - begin, "  <exports>\n" + exports + "  </exports>");
}

std::vector<std::string> Problems(const std::string& exports) {
  LoadResult loaded = LoadWorkflowFromText(FlowWithExports(exports), "flow.xml", {});
  std::vector<std::string> out;
  for (const Problem& p : loaded.problems) out.push_back(p.Format());
  return out;
}

TEST(ExportLoaderTest, AColumnMayNotReadAFieldKeptFromSomeReader) {
  EXPECT_THAT(Problems("    <export id=\"x\" label=\"X\">\n"
                       "      <column label=\"Intern\" value=\"ansokan.intern\"/>\n"
                       "    </export>\n"),
              ElementsAre(HasSubstr("flow.xml:157:37: export column 'Intern' reads ansokan.intern")));
  EXPECT_THAT(Problems("    <export id=\"x\" label=\"X\">\n"
                       "      <column label=\"Anteckningar\" value=\"count(besok.anteckningar)\"/>\n"
                       "    </export>\n"),
              ElementsAre(HasSubstr("reads besok.anteckningar, which is kept from some of the roles")));
}

TEST(ExportLoaderTest, SheetNamesFollowExcelsRules) {
  EXPECT_THAT(Problems("    <export id=\"a\" label=\"En alldeles för lång rubrik för ett blad i Excel\">\n"
                       "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
                       "    </export>\n"
                       "    <export id=\"b\" label=\"B\" sheet=\"Kvartal 1/2\">\n"
                       "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
                       "    </export>\n"
                       "    <export id=\"c\" label=\"C\" sheet=\"översikt\">\n"
                       "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
                       "    </export>\n"
                       "    <export id=\"d\" label=\"D\" sheet=\"Blad\">\n"
                       "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
                       "    </export>\n"
                       "    <export id=\"e\" label=\"E\" sheet=\"Blad\">\n"
                       "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
                       "    </export>\n"),
              ElementsAre(HasSubstr("is longer than 31 characters"), HasSubstr("holds one of"),
                          HasSubstr("is the name of a sheet every export has"),
                          HasSubstr("duplicate export sheet id 'Blad'")));
}

TEST(ExportLoaderTest, DefinitionsStoredBeforeSheetsExistedStillLoad) {
  // Before `sheet`, an export named its format and its label could be any text.
  const std::string old = FlowWithExports(
      "    <export id=\"oversikt\" label=\"Kvalitetsutvecklarnas samarbeten – översikt\" plugin=\"xlsx\">\n"
      "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
      "    </export>\n"
      "    <export id=\"kort\" label=\"Översikt\" plugin=\"csv\">\n"
      "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
      "    </export>\n");
  LoadOptions stored;
  stored.stored = true;
  LoadResult loaded = LoadWorkflowFromText(old, "flow.xml", stored);
  ASSERT_TRUE(loaded.ok()) << loaded.problems.front().Format();
  EXPECT_EQ(loaded.definition->exports[0].sheet, "Kvalitetsutvecklarnas samarbete");
  EXPECT_EQ(loaded.definition->exports[1].sheet, "Process - Översikt");
  // Written today, the same text is refused with the reason: only the sheet names, not `plugin`.
  LoadResult fresh = LoadWorkflowFromText(old, "flow.xml", {});
  std::vector<std::string> problems;
  for (const Problem& p : fresh.problems) problems.push_back(p.Format());
  EXPECT_THAT(problems, ElementsAre(HasSubstr("is longer than 31 characters"),
                                    HasSubstr("is the name of a sheet every export has")));
}

TEST(ExportLoaderTest, ItemRowsNeedAListColumn) {
  EXPECT_THAT(Problems("    <export id=\"x\" label=\"X\" rows=\"items\">\n"
                       "      <column label=\"Antal\" value=\"ansokan.antal\"/>\n"
                       "    </export>\n"
                       "    <export id=\"y\" label=\"Y\" rows=\"each\">\n"
                       "      <column label=\"Dagar\" value=\"tid.rader.dagar\"/>\n"
                       "    </export>\n"),
              ElementsAre(HasSubstr("export 'x' has rows=\"items\" but no column is a list"),
                          HasSubstr("rows must be 'instances' or 'items', not 'each'")));
}

}  // namespace
}  // namespace spegla
