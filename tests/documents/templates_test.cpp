// The Word templates of the bundled processes (templates/<process>/<name>.docx, written by
// templates/make_templates.py) with their test data (tests/fixtures/documents/<process>-<document>.json):
//
//  - every template has a document rule below (the <documents> rules proposed for the workflows) and data;
//  - the rules load with their workflows, and the roles that may read each document are the expected ones;
//  - each data file has exactly the shape the engine builds for the rule (docs/documents.md): the facts,
//    every role, every field of the listed forms with values the field can hold;
//  - each template, rendered by the real `spegla render` with --missing-is-error, is read back by python-docx
//    and, all in one call, by LibreOffice: every value is there, no tag is left, and what a template leaves
//    out on purpose (observation notes) is not there;
//  - make_templates.py and make_fixtures.py give back the committed files byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "../cli/plugins_render_support.h"
#include "../engine/engine_test_support.h"
#include "../plugins/docx/docx_test_support.h"
#include "spegla/workflow_loader.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kSource = SPEGLA_SOURCE_DIR;
const fs::path kTemplateDir = kSource / "templates";
const fs::path kFixtureDir = kSource / "tests/fixtures/documents";

// One <document> rule of a workflow, with what the test knows about its template and data.
struct DocumentCase {
  std::string process;   // the folder under templates/ and the prefix of the data file
  std::string workflow;  // workflows/<workflow>.xml
  std::string id;        // the document id; the data file is <process>-<id>.json
  std::string label;
  std::string name;  // the template: templates/<process>/<name>.docx
  std::vector<std::string> forms;
  std::string on;
  std::vector<std::string> readers;    // the roles that may read the document (may read all of its forms)
  std::vector<std::string> not_shown;  // "form.field" the template leaves out on purpose

  std::string TemplatePath() const { return process + "/" + name + ".docx"; }
  std::string Stem() const { return process + "-" + id; }
  fs::path Fixture() const { return kFixtureDir / (Stem() + ".json"); }
};

const std::vector<DocumentCase>& Cases() {
  static const std::vector<DocumentCase> cases = {
      {"ku8",
       "ku8-larande-besok",
       "ansokan",
       "Ansökan om lärande besök",
       "ansokan",
       {"ansokan"},
       "step-complete:ansokan",
       {"rektor", "arbetslag", "observator", "utvecklingsledare"},
       {}},
      {"ku8",
       "ku8-larande-besok",
       "utvardering",
       "Utvärdering av det lärande besöket",
       "utvardering",
       {"utvardering"},
       "step-complete:utvardering",
       {"rektor", "arbetslag", "observator", "utvecklingsledare", "skolutvecklare"},
       {}},
      {"ku8",
       "ku8-larande-besok",
       "utvecklingsplan",
       "Utvecklingsplan",
       "utvecklingsplan",
       {"utvecklingsplan"},
       "step-complete:utvecklingsplan",
       {"rektor", "arbetslag", "observator", "utvecklingsledare", "skolutvecklare"},
       {}},
      // The same plan again once "Hur blev det?" is written at the follow-up meeting.
      {"ku8",
       "ku8-larande-besok",
       "utvecklingsplan_uppfoljd",
       "Utvecklingsplan efter uppföljning",
       "utvecklingsplan",
       {"utvecklingsplan"},
       "step-complete:uppfoljningsmote",
       {"rektor", "arbetslag", "observator", "utvecklingsledare", "skolutvecklare"},
       {}},
      {"ku8",
       "ku8-larande-besok",
       "lardomar",
       "Sammanfattning av lärdomar",
       "lardomar",
       {"lardomar"},
       "step-complete:sammanfattning",
       {"rektor", "arbetslag", "observator", "utvecklingsledare", "skolutvecklare"},
       {}},
      // The notes from interviews and observations are only for the quality developers: the engine leaves
      // them out of the document, which is for everyone who may read the kartläggning.
      {"orebro",
       "orebro-kvalitetsutvecklare",
       "kartlaggning",
       "Kartläggning och analys",
       "kartlaggning",
       {"kartlaggning"},
       "step-complete:kartlaggning_analys",
       {"rektor", "ledningsgrupp", "samordnare", "kvalitetsutvecklare", "skolstod", "processledning",
        "personal"},
       {"kartlaggning.anteckningar"}},
      {"orebro",
       "orebro-kvalitetsutvecklare",
       "arbetsplan",
       "Kvalitetsutvecklarnas arbetsplan",
       "arbetsplan",
       {"arbetsplan"},
       "step-complete:arbetsplan",
       {"rektor", "ledningsgrupp", "samordnare", "enhetschef", "kvalitetsutvecklare", "skolstod",
        "processledning", "personal"},
       {}},
      {"alp",
       "alp-larande-besok",
       "uppdrag",
       "Uppdrag till observatörerna",
       "uppdrag",
       {"uppdrag"},
       "step-complete:uppdragsmote",
       {"utvecklingsledare", "pedagog", "observator"},
       {}},
      {"alp",
       "alp-larande-besok",
       "observationsanteckningar",
       "Observationsanteckningar",
       "observationsanteckningar",
       {"lektionsbesok", "samtal_efter", "helhetsintryck"},
       "phase-complete:observation",
       {"observator"},
       {}},
      {"alp",
       "alp-larande-besok",
       "aterkoppling",
       "Återkoppling till arbetslaget",
       "aterkoppling",
       {"gemensam_bild", "dokumentationsmote"},
       "step-complete:dokumentationsmote",
       {"skolledare", "utvecklingsledare", "pedagog", "observator"},
       {}},
      {"alp",
       "alp-larande-besok",
       "larplan",
       "Lärplan",
       "larplan",
       {"larplan", "analys"},
       "step-complete:analys",
       {"skolledare", "utvecklingsledare", "pedagog", "observator"},
       {}},
      {"sbs",
       "sbs-processledarstod",
       "atgardsplan",
       "Åtgärdsplan",
       "atgardsplan",
       {"atgardsplan"},
       "step-complete:atgardsplan",
       {"processledare", "rektor", "handledare", "deltagare", "huvudman"},
       {}},
      // Revised every term after the B-meetings.
      {"sbs",
       "sbs-processledarstod",
       "atgardsplan_reviderad",
       "Åtgärdsplan, reviderad",
       "atgardsplan",
       {"atgardsplan"},
       "step-complete:atgardsplan_uppfoljning",
       {"processledare", "rektor", "handledare", "deltagare", "huvudman"},
       {}},
      {"sbs",
       "sbs-processledarstod",
       "traffplan",
       "Träffplan",
       "traffplan",
       {"traffplan"},
       "step-complete:terminsplanering",
       {"processledare", "rektor", "handledare", "deltagare", "huvudman"},
       {}},
      {"sbs",
       "sbs-processledarstod",
       "overenskommelse",
       "Överenskommelse",
       "overenskommelse",
       {"overenskommelse"},
       "step-complete:overenskommelse",
       {"processledare", "rektor", "handledare", "deltagare"},
       {}},
      {"pedagogcentrum",
       "pedagogcentrum-utvecklingsgrupp",
       "traffplan",
       "Bekräftelse och träffplan",
       "traffplan",
       {"bekraftelse"},
       "step-complete:bekrafta",
       {"rektor", "verksamhetsutvecklare", "samordnare"},
       {}},
      {"pedagogcentrum",
       "pedagogcentrum-utvecklingsgrupp",
       "utvecklingsplan",
       "Enhetens utvecklingsplan",
       "utvecklingsplan",
       {"anmalan", "uppdrag", "organisation"},
       "step-complete:utvecklingsorganisation",
       {"rektor", "verksamhetsutvecklare", "samordnare"},
       {}},
  };
  return cases;
}

std::string Joined(const std::vector<std::string>& items, const char* separator = " ") {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string WorkflowFile(const std::string& workflow) {
  return (kSource / "workflows" / (workflow + ".xml")).string();
}

// The <documents> element proposed for a workflow: one <document> per case.
std::string DocumentsXml(const std::string& workflow) {
  std::string xml = "  <documents>\n";
  for (const DocumentCase& c : Cases()) {
    if (c.workflow != workflow) continue;
    xml += "    <document id=\"" + c.id + "\" label=\"" + c.label + "\" plugin=\"docx\" template=\"" +
           c.TemplatePath() + "\"\n              forms=\"" + Joined(c.forms) + "\" on=\"" + c.on + "\"/>\n";
  }
  return xml + "  </documents>\n";
}

std::set<std::string> Workflows() {
  std::set<std::string> out;
  for (const DocumentCase& c : Cases()) out.insert(c.workflow);
  return out;
}

// The workflow as shipped, or with the proposed rules added when it has no <documents> yet.
DefinitionPtr LoadWithRules(const std::string& workflow) {
  const std::string file = WorkflowFile(workflow);
  std::string xml = ReadFile(file);
  if (xml.find("<documents>") == std::string::npos) {
    size_t at = xml.find("  <exports>");
    if (at == std::string::npos) at = xml.find("</workflow>");
    xml.insert(at, DocumentsXml(workflow));
  }
  LoadOptions options;
  options.template_dir = kTemplateDir.string();
  LoadResult loaded = LoadWorkflowFromText(xml, file, options);
  std::string problems;
  for (const Problem& p : loaded.problems) problems += p.Format() + "\n";
  EXPECT_TRUE(loaded.ok()) << workflow << ":\n" << problems;
  return loaded.definition;
}

const WorkflowDefinition& Definition(const std::string& workflow) {
  static std::map<std::string, DefinitionPtr> loaded;
  DefinitionPtr& def = loaded[workflow];
  if (!def) def = LoadWithRules(workflow);
  if (!def) throw std::runtime_error("cannot load " + workflow);
  return *def;
}

// ------------------------------------------------------------------------------------------ the catalog

TEST(TemplateCatalog, EveryTemplateHasARuleAndDataAndEveryDataFileATemplate) {
  std::set<std::string> templates;
  for (const auto& dir : fs::directory_iterator(kTemplateDir)) {
    if (!dir.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() == ".docx") {
        templates.insert(dir.path().filename().string() + "/" + file.path().filename().string());
      }
    }
  }
  EXPECT_EQ(templates.size(), 15u) << Joined(std::vector<std::string>(templates.begin(), templates.end()));
  std::set<std::string> processes;
  for (const std::string& t : templates) processes.insert(t.substr(0, t.find('/')));
  EXPECT_EQ(processes, (std::set<std::string>{"alp", "ku8", "orebro", "pedagogcentrum", "sbs"}));

  for (const std::string& t : templates) {
    // The template's own rule: the document named like the file.
    bool has_rule = std::any_of(Cases().begin(), Cases().end(), [&](const DocumentCase& c) {
      return c.TemplatePath() == t && c.id == c.name;
    });
    EXPECT_TRUE(has_rule) << t << " has no document rule named like it";
  }
  std::set<std::string> stems;
  for (const DocumentCase& c : Cases()) {
    EXPECT_TRUE(templates.count(c.TemplatePath())) << c.id << ": no template " << c.TemplatePath();
    EXPECT_TRUE(fs::exists(c.Fixture())) << c.id << ": no data " << c.Fixture();
    EXPECT_TRUE(stems.insert(c.Stem()).second) << c.Stem() << " twice";
  }
  for (const auto& file : fs::directory_iterator(kFixtureDir)) {
    if (file.path().extension() != ".json") continue;
    EXPECT_TRUE(stems.count(file.path().stem().string())) << file.path() << " belongs to no document rule";
  }
}

TEST(TemplateCatalog, EveryTemplateHasTheMunicipalFrame) {
  for (const DocumentCase& c : Cases()) {
    if (c.id != c.name) continue;
    const std::string docx = ReadFile((kTemplateDir / c.TemplatePath()).string());
    const std::string body = EntryOf(docx, "word/document.xml");
    const std::string header = EntryOf(docx, "word/header1.xml");
    const std::string footer = EntryOf(docx, "word/footer1.xml");
    const std::string styles = EntryOf(docx, "word/styles.xml");
    SCOPED_TRACE(c.TemplatePath());
    EXPECT_THAT(body, ::testing::HasSubstr("w:val=\"Title\""));
    EXPECT_THAT(body, ::testing::HasSubstr("w:val=\"Heading1\""));
    EXPECT_THAT(body, ::testing::HasSubstr("<w:tblHeader/>"));                       // header rows repeat
    EXPECT_THAT(body, ::testing::HasSubstr("<w:pgSz w:w=\"11906\" w:h=\"16838\""));  // A4
    EXPECT_THAT(header, ::testing::HasSubstr("{enhet} · {process}"));
    EXPECT_THAT(header, ::testing::HasSubstr("{datum}"));
    EXPECT_THAT(footer, ::testing::HasSubstr(" PAGE "));
    EXPECT_THAT(footer, ::testing::HasSubstr(" NUMPAGES "));
    EXPECT_THAT(styles, ::testing::HasSubstr("w:val=\"sv-SE\""));
    EXPECT_TRUE(Docx().Check(docx).empty()) << Describe(Docx().Check(docx));
  }
}

TEST(TemplateCatalog, TheRulesLoadWithTheirWorkflowsAndOnlyTheExpectedRolesMayRead) {
  for (const std::string& workflow : Workflows()) {
    const WorkflowDefinition& def = Definition(workflow);
    for (const DocumentCase& c : Cases()) {
      if (c.workflow != workflow) continue;
      SCOPED_TRACE(workflow + ": " + c.id);
      auto rule = std::find_if(def.documents.begin(), def.documents.end(),
                               [&](const DocumentRule& r) { return r.id == c.id; });
      ASSERT_NE(rule, def.documents.end()) << "the workflow has no document " << c.id;
      EXPECT_EQ(rule->label, c.label);
      EXPECT_EQ(rule->template_path, c.TemplatePath());
      EXPECT_EQ(rule->forms, c.forms);
      const std::string on = rule->trigger == DocumentRule::Trigger::kStepComplete    ? "step-complete:"
                             : rule->trigger == DocumentRule::Trigger::kPhaseComplete ? "phase-complete:"
                                                                                      : "manual";
      EXPECT_EQ(on + rule->trigger_target, c.on);
      // Engine::MayReadDocument: the roles the document is for (`for`, else all who may read its forms).
      std::vector<std::string> readers = def.DocumentAudience(*rule);
      EXPECT_THAT(readers, ::testing::UnorderedElementsAreArray(c.readers));
    }
    for (const DocumentRule& rule : def.documents) {
      bool known = std::any_of(Cases().begin(), Cases().end(), [&](const DocumentCase& c) {
        return c.workflow == workflow && c.id == rule.id;
      });
      EXPECT_TRUE(known) << workflow << ": the document " << rule.id << " has no test data here";
    }
  }
}

// ------------------------------------------------------------------------------------------ the data

class ShapeChecker {
 public:
  explicit ShapeChecker(const json::object& data) : data_(data) {}

  void CheckValue(const Field& field, const json::value* value, const std::string& where) {
    if (!value) {
      ADD_FAILURE() << where << ": missing";
      return;
    }
    if (field.type == FieldType::kGroup) {
      if (!value->is_array()) {
        ADD_FAILURE() << where << ": a group is a list of rows";
        return;
      }
      int n = 0;
      for (const json::value& row : value->get_array()) {
        CheckObject(field.columns, row, where + "[" + std::to_string(n++) + "]", {});
      }
      return;
    }
    if (!value->is_string()) {
      ADD_FAILURE() << where << ": not text";
      return;
    }
    const std::string text(value->get_string());
    if (text.empty()) return;
    static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})"), kNumber(R"(-?\d+(,\d+)?)");
    std::vector<std::string> labels;
    for (const Option& o : field.options) labels.push_back(o.label);
    switch (field.type) {
      case FieldType::kYesNo:
        EXPECT_TRUE(text == "Ja" || text == "Nej") << where << ": " << text;
        break;
      case FieldType::kChoice:
        EXPECT_THAT(labels, ::testing::Contains(text)) << where << ": not an option's label";
        break;
      case FieldType::kMultiChoice:
        EXPECT_TRUE(LabelsJoined(text, labels))
            << where << ": " << text << " is not labels joined with \", \"";
        break;
      case FieldType::kDate:
        EXPECT_TRUE(std::regex_match(text, kDate)) << where << ": " << text;
        break;
      case FieldType::kNumber:
        EXPECT_TRUE(std::regex_match(text, kNumber)) << where << ": " << text;
        break;
      case FieldType::kPerson:
        if (!field.person_role.empty()) {
          EXPECT_THAT(Names(field.person_role), ::testing::Contains(text))
              << where << ": not a participant in the role " << field.person_role;
        }
        break;
      default:
        break;
    }
  }

  // An object with exactly these fields (plus FIELD_ja for yes/no, plus `extra`), each a value it can hold.
  void CheckObject(const std::vector<Field>& fields, const json::value& value, const std::string& where,
                   const std::set<std::string>& extra) {
    if (!value.is_object()) {
      ADD_FAILURE() << where << ": not an object";
      return;
    }
    const json::object& object = value.get_object();
    std::set<std::string> expected = extra;
    for (const Field& field : fields) {
      expected.insert(field.id);
      CheckValue(field, object.if_contains(field.id), where + "." + field.id);
      if (field.type == FieldType::kYesNo) {
        expected.insert(field.id + "_ja");
        const json::value* yes = object.if_contains(field.id + "_ja");
        const json::value* text = object.if_contains(field.id);
        if (!yes || !yes->is_bool()) {
          ADD_FAILURE() << where << "." << field.id << "_ja: missing or not true/false";
        } else if (text && text->is_string()) {
          EXPECT_EQ(yes->get_bool(), text->get_string() == "Ja") << where << "." << field.id << "_ja";
        }
      }
    }
    std::set<std::string> actual;
    for (const auto& [key, member] : object) actual.insert(std::string(key));
    EXPECT_EQ(actual, expected) << where;
  }

  std::vector<std::string> Names(const std::string& role) const {
    std::vector<std::string> names;
    if (const json::value* list = data_.if_contains(role + "_lista"); list && list->is_array()) {
      for (const json::value& person : list->get_array()) {
        if (const json::value* name = person.is_object() ? person.get_object().if_contains("namn") : nullptr;
            name && name->is_string()) {
          names.emplace_back(name->get_string());
        }
      }
    }
    return names;
  }

 private:
  static bool LabelsJoined(std::string_view text, const std::vector<std::string>& labels) {
    for (const std::string& label : labels) {
      if (text.substr(0, label.size()) != label) continue;
      std::string_view rest = text.substr(label.size());
      if (rest.empty()) return true;
      if (rest.substr(0, 2) == ", " && LabelsJoined(rest.substr(2), labels)) return true;
    }
    return false;
  }

  const json::object& data_;
};

std::string Str(const json::object& data, const char* key) {
  const json::value* v = data.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "<not text>";
}

TEST(TemplateFixtures, EachHasExactlyTheShapeTheEngineBuildsForItsRule) {
  for (const DocumentCase& c : Cases()) {
    SCOPED_TRACE(c.Fixture().string());
    const WorkflowDefinition& def = Definition(c.workflow);
    json::value parsed = json::parse(ReadFile(c.Fixture().string()));
    ASSERT_TRUE(parsed.is_object());
    const json::object& data = parsed.get_object();
    ShapeChecker checker(data);

    std::set<std::string> expected = {"process",   "titel", "enhet",    "kommun",
                                      "arbetslag", "datum", "dokument", "version"};
    EXPECT_EQ(Str(data, "process"), def.title);
    EXPECT_EQ(Str(data, "dokument"), c.label);
    EXPECT_TRUE(std::regex_match(Str(data, "datum"), std::regex(R"(\d{4}-\d{2}-\d{2})")));
    EXPECT_TRUE(std::regex_match(Str(data, "version"), std::regex(R"([1-9]\d*)")));
    for (const char* fact : {"titel", "enhet", "kommun", "arbetslag"})
      EXPECT_NE(Str(data, fact), "<not text>");
    for (const Role& role : def.roles) {
      expected.insert(role.id);
      expected.insert(role.id + "_lista");
      const json::value* list = data.if_contains(role.id + "_lista");
      ASSERT_TRUE(list && list->is_array()) << role.id << "_lista";
      for (const json::value& person : list->get_array()) {
        EXPECT_TRUE(person.is_object() && person.get_object().size() == 1 &&
                    person.get_object().if_contains("namn") && person.get_object().at("namn").is_string())
            << role.id << "_lista: each is {\"namn\": ...}";
      }
      EXPECT_EQ(Str(data, role.id.c_str()), Joined(checker.Names(role.id), ", ")) << role.id;
    }
    for (const std::string& form_id : c.forms) {
      const Form* form = def.FindForm(form_id);
      ASSERT_NE(form, nullptr) << form_id;
      expected.insert(form_id);
      const json::value* value = data.if_contains(form_id);
      ASSERT_NE(value, nullptr) << form_id;
      if (def.RepeatingStepOf(form_id)) {
        ASSERT_TRUE(value->is_array()) << form_id << ": a form of a repeating step is a list of occurrences";
        EXPECT_FALSE(value->get_array().empty()) << form_id << ": test at least one occurrence";
        int nr = 0;
        for (const json::value& occurrence : value->get_array()) {
          const std::string where = form_id + "#" + std::to_string(++nr);
          checker.CheckObject(form->fields, occurrence, where, {"nr"});
          if (occurrence.is_object()) {
            EXPECT_EQ(Str(occurrence.get_object(), "nr"), std::to_string(nr)) << where;
          }
        }
        continue;
      }
      checker.CheckObject(form->fields, *value, form_id, {});
      if (!value->is_object()) continue;
      for (const auto& [key, member] : value->get_object()) {
        const std::string flat = form_id + "." + std::string(key);
        expected.insert(flat);
        const json::value* same = data.if_contains(flat);
        EXPECT_TRUE(same && *same == member) << flat << " differs from " << form_id << "." << key;
      }
    }
    std::set<std::string> actual;
    for (const auto& [key, member] : data) actual.insert(std::string(key));
    EXPECT_EQ(actual, expected);
  }
}

// ------------------------------------------------------------------------------------------ rendering

// The lines of every text in the data (what a reader must find), and those of the values the template
// leaves out on purpose (what must not be there). `path` is "form.field" for the fields of a form.
void CollectTexts(const json::value& v, const std::string& path, const std::set<std::string>& not_shown,
                  std::vector<std::string>& shown, std::vector<std::string>& hidden) {
  if (v.is_string()) {
    std::vector<std::string>& into = not_shown.count(path) ? hidden : shown;
    std::string line;
    for (char ch : std::string(v.get_string()) + "\n") {
      if (ch == '\n') {
        if (!line.empty()) into.push_back(line);
        line.clear();
      } else {
        line += ch;
      }
    }
  } else if (v.is_array()) {
    for (const json::value& item : v.get_array()) CollectTexts(item, path, not_shown, shown, hidden);
  } else if (v.is_object()) {
    for (const auto& [key, member] : v.get_object()) {
      std::string k(key);
      // Top level: "form" and "form.field" both name the form's fields; deeper, rows keep their group's path.
      std::string inner = path.empty() ? k : path.find('.') == std::string::npos ? path + "." + k : path;
      CollectTexts(member, inner, not_shown, shown, hidden);
    }
  }
}

struct Expected {
  std::vector<std::string> shown, hidden;
};

Expected ExpectedTexts(const DocumentCase& c) {
  Expected e;
  std::set<std::string> not_shown(c.not_shown.begin(), c.not_shown.end());
  CollectTexts(json::parse(ReadFile(c.Fixture().string())), "", not_shown, e.shown, e.hidden);
  EXPECT_TRUE(c.not_shown.empty() || !e.hidden.empty()) << c.id << ": the data has no value to leave out";
  return e;
}

void ExpectTexts(const DocumentCase& c, const std::string& text, const char* reader) {
  const Expected e = ExpectedTexts(c);
  for (const std::string& value : e.shown) {
    EXPECT_NE(text.find(value), std::string::npos)
        << c.Stem() << " (" << reader << "): no \"" << value << "\" in\n"
        << text;
  }
  for (const std::string& value : e.hidden) {
    EXPECT_EQ(text.find(value), std::string::npos)
        << c.Stem() << " (" << reader << "): \"" << value << "\" should be left out";
  }
  EXPECT_EQ(text.find('{'), std::string::npos) << c.Stem() << " (" << reader << "): a tag is left in\n"
                                               << text;
  EXPECT_EQ(text.find('}'), std::string::npos) << c.Stem() << " (" << reader << "): a tag is left in\n"
                                               << text;
}

// Renders every case's template with its data through the real binary; returns the documents' paths.
std::vector<std::string> RenderAll(const ScratchDir& dir) {
  std::vector<std::string> out;
  for (const DocumentCase& c : Cases()) {
    const std::string target = dir.File(c.Stem() + ".docx");
    Spawned s = RunSpegla({"render", (kTemplateDir / c.TemplatePath()).string(), c.Fixture().string(), "-o",
                           target, "--missing-is-error"},
                          dir.path(), dir.path() / "share");
    EXPECT_EQ(s.status, 0) << c.Stem() << ":\n" << s.err;
    out.push_back(target);
  }
  return out;
}

TEST(TemplateRendering, PythonDocxOpensEveryDocumentAndFindsEveryValueAndNoTag) {
  ScratchDir dir("spegla-templates-python");
  const std::vector<std::string> paths = RenderAll(dir);
  for (size_t i = 0; i < Cases().size(); ++i) {
    const DocumentCase& c = Cases()[i];
    const auto parts = PythonDocxText(paths[i]);
    ASSERT_TRUE(parts.count("/word/document.xml")) << c.Stem();
    std::string all;
    for (const auto& [part, lines] : parts) {
      for (const std::string& line : lines) all += line + "\n";
    }
    ExpectTexts(c, all, "python-docx");

    const json::object data = json::parse(ReadFile(c.Fixture().string())).as_object();
    const std::string head = Str(data, "enhet") + " · " + Str(data, "process") + "\\t" + Str(data, "datum");
    EXPECT_THAT(parts.at("/word/header1.xml"), ::testing::ElementsAre(head)) << c.Stem();
    // The page fields keep the result they were saved with (1) until Word or LibreOffice updates them.
    const std::string foot = Str(data, "dokument") + " · version " + Str(data, "version") + "\\tSida 1 av 1";
    EXPECT_THAT(parts.at("/word/footer1.xml"), ::testing::ElementsAre(foot)) << c.Stem();
  }
}

TEST(TemplateRendering, LibreOfficeConvertsAllDocumentsInOneCallWithEveryValueAndNoTag) {
  ScratchDir dir("spegla-templates-soffice");
  // One call for all documents (LibreOffice is slow to start).
  ASSERT_TRUE(ConvertWithLibreOffice(dir.path(), RenderAll(dir), "txt:Text", dir.File("txt")));
  for (const DocumentCase& c : Cases()) {
    const std::string text = ReadFile(dir.File("txt/" + c.Stem() + ".txt"));
    ASSERT_FALSE(text.empty()) << c.Stem() << ": LibreOffice wrote nothing";
    // The text export leaves out headers and footers; every value of the data is also in the body.
    ExpectTexts(c, text, "LibreOffice");
  }
}

// ------------------------------------------------------------------------------------------ the generators

void ExpectSameFiles(const fs::path& committed, const fs::path& generated, const std::string& extension) {
  size_t count = 0;
  for (const auto& file : fs::recursive_directory_iterator(generated)) {
    if (file.path().extension() != extension) continue;
    ++count;
    const fs::path relative = fs::relative(file.path(), generated);
    EXPECT_TRUE(ReadFile(file.path().string()) == ReadFile((committed / relative).string()))
        << relative << " differs from what the script writes: run it again and commit the result";
  }
  EXPECT_GT(count, 0u);
}

TEST(TemplateGenerator, MakeTemplatesWritesTheCommittedTemplatesByteForByte) {
  ScratchDir dir("spegla-templates-generate");
  std::string out;
  ASSERT_EQ(RunCommand("/usr/bin/python3 '" + (kTemplateDir / "make_templates.py").string() + "' '" +
                           dir.path().string() + "' 2>&1",
                       out),
            0)
      << out;
  ExpectSameFiles(kTemplateDir, dir.path(), ".docx");
}

TEST(TemplateGenerator, MakeFixturesWritesTheCommittedDataByteForByte) {
  ScratchDir dir("spegla-templates-fixtures");
  std::string out;
  ASSERT_EQ(RunCommand("/usr/bin/python3 '" + (kFixtureDir / "make_fixtures.py").string() + "' '" +
                           dir.path().string() + "' 2>&1",
                       out),
            0)
      << out;
  ExpectSameFiles(kFixtureDir, dir.path(), ".json");
}

}  // namespace
}  // namespace spegla::test
