// The `spegla` command line: exit codes, validation output, and a whole KU8 lärande besök walked from a
// shell, in-process (with an injected clock) and through the real binary.
#include "cli.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "spegla/clock.h"

namespace fs = std::filesystem;
using spegla::cli::kExitFailure;
using spegla::cli::kExitOk;
using spegla::cli::kExitUsage;

namespace {

struct Output {
  int status = -1;
  std::string out, err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spegla-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "test.db").string();
    env_.clock = &clock_;
    env_.share_dir = SPEGLA_SOURCE_DIR;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `spegla ARGS --db <test db>` in-process.
  Output Run(std::vector<std::string> args, const std::string& as = "") {
    args.push_back("--db");
    args.push_back(db_);
    if (!as.empty()) {
      args.push_back("--as");
      args.push_back(as);
    }
    std::ostringstream out, err;
    Output o;
    o.status = spegla::cli::Run(args, out, err, env_);
    o.out = out.str();
    o.err = err.str();
    return o;
  }

  // Runs a command that must succeed; returns its output.
  std::string Ok(std::vector<std::string> args, const std::string& as = "") {
    Output o = Run(args, as);
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    EXPECT_EQ(o.status, kExitOk) << joined << "\n" << o.out << o.err;
    return o.out;
  }

  static std::string Source(const std::string& relative) {
    return std::string(SPEGLA_SOURCE_DIR) + "/" + relative;
  }

  fs::path dir_;
  std::string db_;
  spegla::ManualClock clock_{spegla::ParseTimestamp("2026-09-01T08:00:00Z").value()};
  spegla::cli::Environment env_;
};

TEST_F(CliTest, ValidatePrintsEveryProblemWithLineAndColumn) {
  std::string file = Source("tests/fixtures/loader/several-mistakes.xml");
  Output o = Run({"validate", file});
  EXPECT_EQ(o.status, kExitFailure);
  std::vector<std::string> expected = {
      file + ":6:5: duplicate role id 'rektor' (first defined at line 5)",
      file + ":10:21: undefined role 'arbetslag'",
      file + ":12:31: unknown field type 'nummer'",
      file + ":17:7: step 'skriv' can never complete: required field 'plan.mal' is editable by no role",
      file + ":18:21: invalid duration 'P2H': unknown unit 'H'; use Y, M, W or D",
      file + ":20:7: transition to undefined phase 'slut'",
  };
  std::istringstream lines(o.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), expected.size()) << o.out;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(got[i].substr(0, expected[i].size()), expected[i]) << "line " << i;
  }
}

TEST_F(CliTest, ValidateShippedWorkflowsPrintsNothing) {
  std::vector<std::string> args = {"validate"};
  for (const auto& entry : fs::directory_iterator(Source("workflows"))) {
    if (entry.path().extension() == ".xml") args.push_back(entry.path().string());
  }
  ASSERT_GT(args.size(), 1u);
  Output o = Run(args);
  EXPECT_EQ(o.status, kExitOk) << o.out << o.err;
  EXPECT_EQ(o.out, "");
}

TEST_F(CliTest, ValidateJsonListsProblemsWithPositions) {
  Output o = Run({"validate", Source("tests/fixtures/loader/several-mistakes.xml"), "--json"});
  EXPECT_EQ(o.status, kExitFailure);
  boost::json::value v = boost::json::parse(o.out);
  const auto& problems = v.at("files").at(0).at("problems").as_array();
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_EQ(problems[0].at("line").as_int64(), 6);
  EXPECT_EQ(problems[0].at("column").as_int64(), 5);
  EXPECT_FALSE(v.at("ok").as_bool());
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(Run({"no-such-command"}).status, kExitUsage);
  EXPECT_EQ(Run({"validate"}).status, kExitUsage);                                 // missing FILE
  EXPECT_EQ(Run({"instance", "show"}).status, kExitUsage);                         // missing INSTANCE
  EXPECT_EQ(Run({"instance", "show", "abc"}).status, kExitUsage);                  // not a number
  EXPECT_EQ(Run({"workflows", "--bogus"}).status, kExitUsage);                     // unknown option
  EXPECT_EQ(Run({"instance", "create", "ku8-larande-besok"}).status, kExitUsage);  // no --unit
  EXPECT_EQ(Run({"instance"}).status, kExitUsage);  // a group without a command
  Output help = Run({"instance", "complete", "--help"});
  EXPECT_EQ(help.status, kExitOk);
  EXPECT_NE(help.out.find("Usage: spegla instance complete INSTANCE STEP"), std::string::npos);
}

TEST_F(CliTest, FailuresExitWithOne) {
  Output missing = Run({"instance", "show", "999"});
  EXPECT_EQ(missing.status, kExitFailure);
  EXPECT_NE(missing.err.find("Det finns ingen process med id 999."), std::string::npos);
  // An unusable database path is a failure, not a crash.
  std::FILE* f = std::fopen((dir_ / "blocker").c_str(), "w");
  std::fclose(f);
  std::vector<std::string> args = {"workflows", "--db", (dir_ / "blocker" / "x.db").string()};
  std::ostringstream out, err;
  EXPECT_EQ(spegla::cli::Run(args, out, err, env_), kExitFailure);
  EXPECT_NE(err.str().find("cannot open database"), std::string::npos) << err.str();
}

// The whole of a KU8 lärande besök from the shell, including the rules that refuse.
TEST_F(CliTest, WalksKu8FromCreationToCompletion) {
  Ok({"workflows", "install", Source("workflows/ku8-larande-besok.xml")});
  EXPECT_NE(Ok({"workflows"}).find("ku8-larande-besok v2"), std::string::npos);
  Ok({"org", "municipality", "add", "Alingsås", "--network", "KU8"});  // id 1
  Ok({"org", "municipality", "add", "Lerum", "--network", "KU8"});     // id 2
  Ok({"org", "unit", "add", "1", "Nolhagaskolan", "--kind", "skola"});
  struct Person {
    const char* username;
    const char* name;
    const char* municipality;
  };
  for (Person p : {Person{"eva.berg", "Eva Berg", "1"}, Person{"karin.holm", "Karin Holm", "1"},
                   Person{"lars.ek", "Lars Ek", "2"}, Person{"sara.lind", "Sara Lind", "2"},
                   Person{"ulla.dahl", "Ulla Dahl", "1"}}) {
    Ok({"org", "user", "add", p.username, p.name, "--municipality", p.municipality});
  }
  Ok({"org", "pool", "add", "2", "lars.ek"});
  Ok({"org", "pool", "add", "2", "sara.lind"});
  Ok({"org", "role", "add", "1", "utvecklingsledare", "ulla.dahl"});
  EXPECT_EQ(Ok({"instance", "create", "ku8-larande-besok", "--unit", "1", "--title", "Lärande besök 4–6"}),
            "instance 1\n");
  Ok({"instance", "assign", "1", "arbetslag", "eva.berg"});
  Ok({"instance", "assign", "1", "rektor", "karin.holm"});

  // Completing with nothing filled in is refused with every missing field at once.
  Output refused = Run({"instance", "complete", "1", "ansokan"}, "eva.berg");
  EXPECT_EQ(refused.status, kExitFailure);
  EXPECT_NE(refused.err.find("ansokan.problemformulering"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("ansokan.enhet"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("Välj minst en verksamhetsform."), std::string::npos) << refused.err;
  // Only a participant with rights may write; the operator may not.
  EXPECT_EQ(Run({"instance", "set", "1", "ansokan.enhet", "Nolhagaskolan"}).status, kExitFailure);
  // A wrong type is refused before anything is written.
  Output wrong = Run({"instance", "set", "1", "ansokan.antal_barn", "tjugo"}, "eva.berg");
  EXPECT_EQ(wrong.status, kExitFailure);
  EXPECT_NE(wrong.err.find("ska vara ett tal"), std::string::npos) << wrong.err;

  Ok({"instance", "set", "1", "ansokan.enhet", "Nolhagaskolan", "ansokan.arbetslag_namn", "Arbetslag 4–6",
      "ansokan.verksamhetsformer", "grundskola_46", "ansokan.kontaktperson", "Eva Berg",
      "ansokan.kontakt_epost", "eva.berg@alingsas.se", "ansokan.problemformulering",
      "Hur kan vi skapa fler tillfällen där eleverna själva formulerar frågor och får syn på sitt lärande "
      "i matematik och svenska?",
      "ansokan.antal_barn", "24", "ansokan.informerat_foraldrar", "Ja"},
     "eva.berg");
  Output submitted = Run({"instance", "complete", "1", "ansokan"}, "eva.berg");
  ASSERT_EQ(submitted.status, kExitOk) << submitted.err;

  // The utvecklingsledare puts the observer group together: a lone observer is refused.
  Ok({"instance", "assign", "1", "observator", "lars.ek"}, "ulla.dahl");
  Output lone = Run({"instance", "complete", "1", "observatorsgrupp"}, "ulla.dahl");
  EXPECT_EQ(lone.status, kExitFailure);
  EXPECT_NE(lone.err.find("minst två observatörer"), std::string::npos) << lone.err;
  // Observers come from a pool.
  EXPECT_EQ(Run({"instance", "assign", "1", "observator", "eva.berg"}, "ulla.dahl").status, kExitFailure);
  Ok({"instance", "assign", "1", "observator", "sara.lind"}, "ulla.dahl");
  Ok({"instance", "set", "1", "besked.datum", "2026-09-01"}, "ulla.dahl");
  Ok({"instance", "complete", "1", "observatorsgrupp"}, "ulla.dahl");

  // Planning needs the rektor's sign-off.
  Ok({"instance", "set", "1", "planering.problemformulering_preciserad",
      "Hur ger vi eleverna fler tillfällen att formulera egna frågor i helklass?",
      "planering.observationsomrade", "pedagog_barn", "planering.planeringsmoten",
      R"([{"datum": "2026-09-10", "deltagare": "Eva, Karin, Lars, Sara", "anteckningar": "Fokus bestämt."}])",
      "planering.tid_avsatt", "ja"},
     "lars.ek");
  // An observer who drops out while planning sends the visit back to the observer group; nothing is lost.
  Ok({"instance", "send-back", "1", "planeringsmoten", "observatorsgrupp", "--reason",
      "Sara Lind kan inte delta; en ny observatör behövs."},
     "lars.ek");
  EXPECT_NE(Ok({"instance", "show", "1"}).find("phase tilldelning"), std::string::npos);
  Ok({"instance", "complete", "1", "observatorsgrupp"}, "ulla.dahl");
  EXPECT_NE(Ok({"instance", "show", "1", "--form", "planering"}, "lars.ek").find("Hur ger vi eleverna fler"),
            std::string::npos);
  Output unsigned_plan = Run({"instance", "complete", "1", "planeringsmoten"}, "lars.ek");
  EXPECT_EQ(unsigned_plan.status, kExitFailure);
  EXPECT_NE(unsigned_plan.err.find("underskrift"), std::string::npos) << unsigned_plan.err;
  EXPECT_EQ(Run({"instance", "sign", "1", "planeringsmoten"}, "eva.berg").status, kExitFailure);
  Ok({"instance", "sign", "1", "planeringsmoten"}, "karin.holm");
  // Observation days can only be added once observation has begun.
  Output early =
      Run({"instance", "set", "1", "observation.datum", "2026-10-01", "--occurrence", "1"}, "lars.ek");
  EXPECT_EQ(early.status, kExitFailure);
  EXPECT_NE(early.err.find("medan steget ”Observation” är öppet"), std::string::npos) << early.err;
  Ok({"instance", "complete", "1", "planeringsmoten"}, "lars.ek");

  // At most four observation days: the fifth is refused with the definition's message.
  for (int day = 1; day <= 4; ++day) {
    Ok({"instance", "set", "1", "observation.datum", "2026-10-0" + std::to_string(day),
        "observation.anteckningar", "Eleverna arbetade i par och ställde frågor till varandra.",
        "--occurrence", std::to_string(day)},
       day % 2 ? "lars.ek" : "sara.lind");
  }
  Output fifth = Run({"instance", "occurrence", "1", "observation"}, "lars.ek");
  EXPECT_EQ(fifth.status, kExitFailure);
  EXPECT_NE(fifth.err.find("fyra"), std::string::npos) << fifth.err;
  Ok({"instance", "complete", "1", "observation"}, "lars.ek");

  // Återkoppling is a parallel phase: the three parts.
  std::string show = Ok({"instance", "show", "1"});
  EXPECT_NE(show.find("[>] Återkoppling till rektor och arbetslag"), std::string::npos) << show;
  Ok({"instance", "set", "1", "aterkoppling.datum", "2026-10-20", "aterkoppling.skolutvecklare_inbjuden",
      "ja", "aterkoppling.iakttagelser", "Eleverna formulerar frågor när läraren väntar in dem."},
     "lars.ek");
  Ok({"instance", "complete", "1", "aterkoppling_mote"}, "lars.ek");
  Ok({"instance", "set", "1", "utvardering.nya_tankar", "Vi behöver vänta in elevernas frågor längre.",
      "utvardering.lardomar", "Tystnad i klassrummet är tankearbete, inte ett problem."},
     "eva.berg");
  Ok({"instance", "complete", "1", "utvardering"}, "eva.berg");
  Ok({"instance", "set", "1", "utvecklingsplan.var_ar_vi", "Eleverna ställer få egna frågor.",
      "utvecklingsplan.vart_ska_vi", "Alla elever formulerar minst en egen fråga per lektion.",
      "utvecklingsplan.hur_gor_vi", "Vi inför frågeväggar och längre betänketid.", "utvecklingsplan.atgarder",
      R"([{"vad": "Frågevägg i varje klassrum", "vem": "Eva", "nar": "2026-11-01"}])"},
     "eva.berg");
  Ok({"instance", "sign", "1", "utvecklingsplan"}, "karin.holm");
  Ok({"instance", "complete", "1", "utvecklingsplan"}, "eva.berg");

  // Follow-up: the observer days budget (at most ten per observer) refuses an eleventh day.
  Ok({"instance", "set", "1", "uppfoljning.overenskommet_datum", "2027-01-15"}, "lars.ek");
  EXPECT_NE(Ok({"instance", "show", "1"}).find("due 2027-01-22"), std::string::npos);
  Output not_observer = Run({"instance", "set", "1", "tidsredovisning.rader",
                             R"([{"observator": "eva.berg", "aktivitet": "observation", "dagar": 1}])"},
                            "lars.ek");
  EXPECT_EQ(not_observer.status, kExitFailure);
  EXPECT_NE(
      not_observer.err.find("tidsredovisning.rader[1].observator: ”eva.berg” har inte rollen ”Observatör”"),
      std::string::npos)
      << not_observer.err;
  Output over = Run({"instance", "set", "1", "tidsredovisning.rader",
                     R"([{"observator": "lars.ek", "aktivitet": "observation", "dagar": 6},
                         {"observator": "lars.ek", "aktivitet": "forarbete", "dagar": 5},
                         {"observator": "sara.lind", "aktivitet": "observation", "dagar": 5}])"},
                    "lars.ek");
  EXPECT_EQ(over.status, kExitFailure);
  EXPECT_NE(over.err.find("tio"), std::string::npos) << over.err;
  Ok({"instance", "set", "1", "tidsredovisning.rader",
      R"([{"observator": "lars.ek", "aktivitet": "observation", "dagar": 5},
          {"observator": "sara.lind", "aktivitet": "observation", "dagar": 4}])"},
     "lars.ek");
  Ok({"instance", "set", "1", "uppfoljning.motesdatum", "2027-01-15", "uppfoljning.anteckningar",
      "Frågeväggarna används i alla klasser."},
     "lars.ek");
  Ok({"instance", "complete", "1", "uppfoljningsmote"}, "lars.ek");
  Ok({"instance", "set", "1", "lardomar.rubrik", "Betänketid ger fler elevfrågor", "lardomar.sammanfattning",
      "När lärarna väntade in eleverna ställde fler elever egna frågor.", "lardomar.publicera", "ja"},
     "sara.lind");
  Ok({"instance", "complete", "1", "sammanfattning"}, "sara.lind");
  Ok({"instance", "sign", "1", "tidsredovisning"}, "ulla.dahl");
  Ok({"instance", "complete", "1", "tidsredovisning"}, "sara.lind");

  std::string done = Ok({"instance", "show", "1", "--json"});
  boost::json::value view = boost::json::parse(done);
  EXPECT_EQ(view.at("status").as_string(), "completed");
  EXPECT_EQ(view.at("budgets").at(0).at("used").as_double(), 5.0);  // the most any one observer used

  // The audit log shows every change: who, what, old -> new.
  std::string log = Ok({"instance", "log", "1"});
  EXPECT_NE(log.find("eva.berg  field.set  ansokan.antal_barn: (none) -> '24'"), std::string::npos) << log;
  EXPECT_NE(log.find("karin.holm  step.signoff  planeringsmoten"), std::string::npos);
  EXPECT_NE(log.find("ulla.dahl  participant.assign  role:observator"), std::string::npos);
  EXPECT_NE(log.find("instance.complete"), std::string::npos);
  // The rektor sees that observation notes changed, but not what they say: the field is hidden from rektor.
  std::string rektor_log = Ok({"instance", "log", "1"}, "karin.holm");
  EXPECT_NE(rektor_log.find("field.set  observation.anteckningar#1  (värdet visas inte för din roll)"),
            std::string::npos)
      << rektor_log;
  EXPECT_EQ(rektor_log.find("Eleverna arbetade i par"), std::string::npos);
  EXPECT_NE(log.find("Eleverna arbetade i par"), std::string::npos);
  boost::json::value entries = boost::json::parse(Ok({"instance", "log", "1", "--json"}));
  EXPECT_GT(entries.as_array().size(), 40u);
}

TEST_F(CliTest, SendBackAndReopenFromTheShell) {
  Ok({"workflows", "install", Source("workflows/ku8-larande-besok.xml")});
  Ok({"org", "municipality", "add", "Ale"});
  Ok({"org", "unit", "add", "1", "Alboskolan"});
  for (const char* u : {"anna", "bo", "cia"}) Ok({"org", "user", "add", u, u, "--municipality", "1"});
  Ok({"org", "role", "add", "1", "utvecklingsledare", "cia"});
  Ok({"instance", "create", "ku8-larande-besok", "--unit", "1"});
  Ok({"instance", "assign", "1", "arbetslag", "anna"});
  Ok({"instance", "assign", "1", "rektor", "bo"});
  Ok({"instance", "set", "1", "ansokan.enhet", "Alboskolan", "ansokan.arbetslag_namn", "F–3",
      "ansokan.verksamhetsformer", "grundskola_46", "ansokan.kontaktperson", "Anna", "ansokan.kontakt_epost",
      "anna@ale.se", "ansokan.problemformulering",
      "Hur blir vår återkoppling till eleverna mer framåtsyftande i alla ämnen under hösten?",
      "ansokan.antal_barn", "20", "ansokan.informerat_foraldrar", "ja"},
     "anna");
  Ok({"instance", "complete", "1", "ansokan"}, "anna");
  // Locked once its step is completed.
  EXPECT_EQ(Run({"instance", "set", "1", "ansokan.antal_barn", "21"}, "anna").status, kExitFailure);
  EXPECT_EQ(Run({"instance", "send-back", "1", "observatorsgrupp", "ansokan"}, "cia").status, kExitUsage);
  Ok({"instance", "send-back", "1", "observatorsgrupp", "ansokan", "--reason",
      "Förtydliga problemformuleringen."},
     "cia");
  std::string show = Ok({"instance", "show", "1"});
  EXPECT_NE(show.find("phase ansokan"), std::string::npos) << show;
  Ok({"instance", "set", "1", "ansokan.antal_barn", "21"}, "anna");
  EXPECT_NE(Ok({"instance", "log", "1"}).find("Förtydliga problemformuleringen."), std::string::npos);
}

TEST_F(CliTest, TasksShowOverdueStepsWithTheInjectedClock) {
  Ok({"workflows", "install", Source("workflows/ku8-larande-besok.xml")});
  Ok({"org", "municipality", "add", "Tjörn"});
  Ok({"org", "unit", "add", "1", "Myrebergsskolan"});
  Ok({"org", "user", "add", "dan", "Dan Ström", "--municipality", "1"});
  Ok({"instance", "create", "ku8-larande-besok", "--unit", "1"});
  Ok({"instance", "assign", "1", "arbetslag", "dan"});
  std::string before = Ok({"tasks"}, "dan");
  EXPECT_NE(before.find("2026-09-29"), std::string::npos) << before;  // P4W after the instance started
  EXPECT_EQ(before.find("OVERDUE"), std::string::npos);
  clock_.Advance(std::chrono::hours(24 * 30));
  EXPECT_NE(Ok({"tasks"}, "dan").find("OVERDUE"), std::string::npos);
}

// The installed binary itself: exit codes as a shell sees them.
TEST(CliBinaryTest, ExitCodesFromTheRealBinary) {
  auto status = [](const std::string& args) {
    std::string command = std::string(SPEGLA_BINARY) + " " + args + " >/dev/null 2>&1";
    int raw = std::system(command.c_str());
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  };
  EXPECT_EQ(status("--help"), 0);
  EXPECT_EQ(status("validate " + std::string(SPEGLA_SOURCE_DIR) + "/workflows/ku8-larande-besok.xml"), 0);
  EXPECT_EQ(
      status("validate " + std::string(SPEGLA_SOURCE_DIR) + "/tests/fixtures/loader/several-mistakes.xml"),
      1);
  EXPECT_EQ(status("no-such-command"), 2);
  EXPECT_EQ(status("validate"), 2);
}

}  // namespace
