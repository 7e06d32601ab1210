// A whole KU8 lärande besök (workflows/ku8-larande-besok.xml) driven through the REST API by the people who
// do it, each signed in as themself: the utvecklingsledare starts it and assigns people, the arbetslag
// applies (and is sent back once), the observers plan, visit and give feedback, the rektor signs off, and
// the documents and the audit log show what happened. Along the way, the form-writing rules: If-Match
// ETags (412, 428), per-field versions (409 naming the field), typed values (422) and rights (403).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class Ku8ApiTest : public ApiTest {
 protected:
  std::string I() const { return "/api/instances/" + std::to_string(id_); }
  std::string Form(const std::string& form, int occurrence = 0) const {
    return I() + "/forms/" + form + (occurrence > 0 ? "?occurrence=" + std::to_string(occurrence) : "");
  }

  // The instance after a step action that must succeed.
  json::value Step(ApiClient& who, const std::string& step, const std::string& action,
                   const json::value& body = json::object()) {
    TestResponse r = who.Post(I() + "/steps/" + step + "/" + action, body);
    EXPECT_EQ(r.status, 200) << who.username() << " " << action << " " << step << ": " << Describe(r);
    return r.status == 200 ? Json(r) : json::value(nullptr);
  }
  json::value Complete(ApiClient& who, const std::string& step) { return Step(who, step, "complete"); }

  // A step action that must be refused (409), with its reasons.
  TestResponse Refused(ApiClient& who, const std::string& step, const std::string& action = "complete") {
    TestResponse r = who.Post(I() + "/steps/" + step + "/" + action);
    EXPECT_EQ(r.status, 409) << who.username() << " " << action << " " << step << ": " << Describe(r);
    EXPECT_EQ(Str(Json(r), "code"), "refused") << r.body;
    return r;
  }

  json::value Write(ApiClient& who, const std::string& form, const json::object& fields, int occurrence = 0) {
    TestResponse r = who.WriteForm(id_, form, fields, occurrence);
    return r.status == 200 ? Json(r) : json::value(nullptr);
  }

  json::value Instance(ApiClient& who) {
    TestResponse r = who.Get(I());
    EXPECT_EQ(r.status, 200) << Describe(r);
    return Json(r);
  }

  std::int64_t id_ = 0;
};

TEST_F(Ku8ApiTest, FromApplicationToCompletion) {
  auto ulla = Client("ulla"), anna = Client("anna"), rut = Client("rut"), olle = Client("olle"),
       ola = Client("ola"), sven = Client("sven");

  // --- The utvecklingsledare starts the visit for Byskolan and assigns the rektor and the team.
  TestResponse created = ulla->Post(
      "/api/instances",
      json::object{{"workflow", kKu8}, {"unit_id", unit_a_}, {"title", "Lärande besök på Byskolan"}});
  ASSERT_EQ(created.status, 201) << Describe(created);
  json::value instance = Json(created);
  id_ = instance.at("id").as_int64();
  EXPECT_EQ(created.Header("location"), I());
  EXPECT_EQ(Str(instance, "status"), "active");
  EXPECT_EQ(Str(instance, "current_phase"), "ansokan");
  EXPECT_EQ(Str(instance, "created_by"), "ulla");
  EXPECT_EQ(Str(instance, "unit"), "Byskolan");
  EXPECT_EQ(StepState(instance, "ansokan"), "active");
  EXPECT_EQ(StepState(instance, "observatorsgrupp"), "pending");

  for (auto [role, user] : {std::pair{"rektor", "rut"}, {"arbetslag", "anna"}}) {
    TestResponse assigned =
        ulla->Post(I() + "/participants", json::object{{"role", role}, {"username", user}});
    ASSERT_EQ(assigned.status, 200) << Describe(assigned);
  }
  // One rektor only, and observers come from the pool.
  TestResponse second_rektor =
      ulla->Post(I() + "/participants", json::object{{"role", "rektor"}, {"username", "petra"}});
  EXPECT_EQ(second_rektor.status, 409) << Describe(second_rektor);
  EXPECT_THAT(ErrorFields(second_rektor), ElementsAre("role"));
  TestResponse not_in_pool =
      ulla->Post(I() + "/participants", json::object{{"role", "observator"}, {"username", "erik"}});
  EXPECT_EQ(not_in_pool.status, 409) << Describe(not_in_pool);
  EXPECT_THAT(ErrorFields(not_in_pool), ElementsAre("username"));
  {
    TestResponse people = ulla->Get(I() + "/participants");
    ASSERT_EQ(people.status, 200) << Describe(people);
    std::set<std::string> pairs;
    for (const json::value& p : Items(people)) pairs.insert(Str(p, "role") + ":" + Str(p, "username"));
    EXPECT_THAT(pairs, IsSupersetOf({"rektor:rut", "arbetslag:anna", "utvecklingsledare:ulla",
                                     "skolutvecklare:sven"}));
  }

  // --- Ansökan: the team writes it, with the ETag of what it read.
  TestResponse read = anna->Get(Form("ansokan"));
  ASSERT_EQ(read.status, 200) << Describe(read);
  const std::string etag1 = read.Header("etag");
  ASSERT_FALSE(etag1.empty());
  EXPECT_EQ(Str(Json(read), "etag"), etag1);
  EXPECT_FALSE(Json(read).at("locked").as_bool());
  EXPECT_EQ(Str(*FindField(Json(read), "problemformulering"), "rights"), "edit");

  TestResponse written = anna->Patch(
      Form("ansokan"),
      json::object{
          {"fields",
           json::object{
               {"enhet", "Byskolan"},
               {"arbetslag_namn", "Arbetslag 4–6"},
               {"verksamhetsformer", json::array{"grundskola_46", "fritidshem"}},
               {"kontaktperson", "Anna"},
               {"kontakt_epost", "anna@byskolan.se"},
               {"problemformulering",
                "Hur kan vi göra eleverna mer delaktiga i sitt lärande under lektionerna i matematik?"},
               {"antal_barn", 24},
               {"informerat_foraldrar", false}}}},
      {{"If-Match", etag1}});
  ASSERT_EQ(written.status, 200) << Describe(written);
  const std::string etag2 = written.Header("etag");
  EXPECT_NE(etag2, etag1);
  {
    json::value form = Json(written);
    const json::object* enhet = FindField(form, "enhet");
    ASSERT_NE(enhet, nullptr);
    EXPECT_EQ(Str(*enhet, "value"), "Byskolan");
    EXPECT_EQ(enhet->at("version").as_int64(), 1);
    EXPECT_EQ(Str(*enhet, "author"), "anna");
    EXPECT_EQ(FindField(form, "antal_barn")->at("value").to_number<double>(), 24);
    EXPECT_TRUE(FindField(form, "informeras_nar")->at("visible").as_bool());  // parents not yet informed
  }

  // A write based on what was read before that: 412 with the current ETag, and nothing written.
  TestResponse stale =
      anna->Patch(Form("ansokan"), json::object{{"fields", json::object{{"kontaktperson", "Anna A"}}}},
                  {{"If-Match", etag1}});
  EXPECT_EQ(stale.status, 412) << Describe(stale);
  EXPECT_EQ(stale.Header("etag"), etag2);
  // Without If-Match or versions: 428.
  TestResponse unconditional =
      anna->Patch(Form("ansokan"), json::object{{"fields", json::object{{"kontaktperson", "Anna A"}}}});
  EXPECT_EQ(unconditional.status, 428) << Describe(unconditional);
  // Values of the wrong type, and a field the form does not have: 422 naming each, nothing written.
  TestResponse mistyped = anna->Patch(Form("ansokan"),
                                      json::object{{"fields", json::object{{"antal_barn", "tjugofyra"},
                                                                           {"informerat_foraldrar", "ja"},
                                                                           {"okant_falt", 1}}}},
                                      {{"If-Match", etag2}});
  EXPECT_EQ(mistyped.status, 422) << Describe(mistyped);
  EXPECT_THAT(
      ErrorFields(mistyped),
      UnorderedElementsAre("ansokan.antal_barn", "ansokan.informerat_foraldrar", "ansokan.okant_falt"));
  // A form the team may only read: 403 naming the field.
  TestResponse not_theirs = anna->Patch(
      Form("besked"), json::object{{"fields", json::object{{"datum", "2026-03-10"}}}}, {{"If-Match", "*"}});
  EXPECT_EQ(not_theirs.status, 403) << Describe(not_theirs);
  EXPECT_THAT(ErrorFields(not_theirs), ElementsAre(HasSubstr("datum")));
  {
    TestResponse unchanged = anna->Get(Form("ansokan"));
    EXPECT_EQ(unchanged.Header("etag"), etag2);
    EXPECT_EQ(Str(*FindField(Json(unchanged), "kontaktperson"), "value"), "Anna");
    EXPECT_EQ(FindField(Json(unchanged), "antal_barn")->at("value").to_number<double>(), 24);
  }

  // Completing needs every required visible field: the engine lists what is missing.
  TestResponse missing = Refused(*anna, "ansokan");
  EXPECT_THAT(ErrorFields(missing), Contains("ansokan.informeras_nar"));
  Write(*anna, "ansokan", {{"informeras_nar", "På föräldramötet vecka 12."}});
  instance = Complete(*anna, "ansokan");
  EXPECT_EQ(Str(instance, "current_phase"), "tilldelning");
  EXPECT_EQ(StepState(instance, "ansokan"), "completed");
  EXPECT_TRUE(Json(anna->Get(Form("ansokan"))).at("locked").as_bool());
  TestResponse locked = anna->Patch(
      Form("ansokan"), json::object{{"fields", json::object{{"antal_barn", 25}}}}, {{"If-Match", "*"}});
  EXPECT_EQ(locked.status, 409) << Describe(locked);

  // --- Tilldelning: not without two observers; the utvecklingsledare sends the application back once.
  TestResponse lonely = Refused(*ulla, "observatorsgrupp");
  EXPECT_THAT(lonely.body, HasSubstr("minst två observatörer"));
  TestResponse no_reason = ulla->Post(I() + "/steps/observatorsgrupp/send-back",
                                      json::object{{"to", "ansokan"}, {"reason", "  "}});
  EXPECT_EQ(no_reason.status, 422) << Describe(no_reason);
  instance = Step(*ulla, "observatorsgrupp", "send-back",
                  json::object{{"to", "ansokan"}, {"reason", "Ange hur många elever som berörs i dag."}});
  EXPECT_EQ(Str(instance, "current_phase"), "ansokan");
  EXPECT_EQ(StepState(instance, "ansokan"), "active");
  EXPECT_EQ(StepState(instance, "observatorsgrupp"), "pending");
  EXPECT_FALSE(Json(anna->Get(Form("ansokan"))).at("locked").as_bool());

  // Two people edit the same field: the second, who read version 1, gets 409 naming it.
  json::value rut_read = Json(rut->Get(Form("ansokan")));
  const std::int64_t read_version = FindField(rut_read, "antal_barn")->at("version").as_int64();
  EXPECT_EQ(read_version, 1);
  TestResponse anna_first =
      anna->Patch(Form("ansokan"), json::object{{"fields", json::object{{"antal_barn", 25}}},
                                                {"versions", json::object{{"antal_barn", read_version}}}});
  ASSERT_EQ(anna_first.status, 200) << Describe(anna_first);
  TestResponse rut_second =
      rut->Patch(Form("ansokan"), json::object{{"fields", json::object{{"antal_barn", 26}}},
                                               {"versions", json::object{{"antal_barn", read_version}}}});
  EXPECT_EQ(rut_second.status, 409) << Describe(rut_second);
  EXPECT_EQ(Str(Json(rut_second), "code"), "conflict");
  EXPECT_THAT(ErrorFields(rut_second), ElementsAre("ansokan.antal_barn"));
  // So does a whole-form If-Match taken before anna's write.
  TestResponse rut_etag =
      rut->Patch(Form("ansokan"), json::object{{"fields", json::object{{"antal_barn", 26}}}},
                 {{"If-Match", Str(rut_read, "etag")}});
  EXPECT_EQ(rut_etag.status, 412) << Describe(rut_etag);
  {
    json::value now = Json(rut->Get(Form("ansokan")));
    EXPECT_EQ(FindField(now, "antal_barn")->at("value").to_number<double>(), 25);
    EXPECT_EQ(FindField(now, "antal_barn")->at("version").as_int64(), 2);
    // Read again, the rektor may write other fields with their versions.
    TestResponse rut_ok = rut->Patch(
        Form("ansokan"),
        json::object{
            {"fields", json::object{{"informerat_foraldrar", true}}},
            {"versions", json::object{{"informerat_foraldrar",
                                       FindField(now, "informerat_foraldrar")->at("version").as_int64()}}}});
    EXPECT_EQ(rut_ok.status, 200) << Describe(rut_ok);
    EXPECT_FALSE(FindField(Json(rut_ok), "informeras_nar")->at("visible").as_bool());
  }
  instance = Complete(*anna, "ansokan");
  EXPECT_EQ(Str(instance, "current_phase"), "tilldelning");

  for (const char* observer : {"olle", "ola"}) {
    TestResponse assigned =
        ulla->Post(I() + "/participants", json::object{{"role", "observator"}, {"username", observer}});
    ASSERT_EQ(assigned.status, 200) << Describe(assigned);
  }
  Write(*ulla, "besked",
        {{"datum", "2026-03-10"},
         {"meddelande", "Välkomna! Olle och Ola är era observatörer."},
         {"sammankallande", "olle"}});
  instance = Complete(*ulla, "observatorsgrupp");
  EXPECT_EQ(Str(instance, "current_phase"), "planering");

  // The observers see the planning among their tasks.
  {
    TestResponse tasks = olle->Get("/api/tasks");
    ASSERT_EQ(tasks.status, 200) << Describe(tasks);
    bool found = false;
    for (const json::value& t : Items(tasks)) {
      found = found || (t.at("instance").as_int64() == id_ && Str(t, "step") == "planeringsmoten");
    }
    EXPECT_TRUE(found) << tasks.body;
  }

  // --- Planering: observers, team and rektor plan together; the rektor signs off.
  Write(*olle, "planering",
        {{"problemformulering_preciserad", "Elevernas delaktighet i genomgångarna i matematik."},
         {"observationsomrade", "pedagog_barn"},
         {"planeringsmoten", json::array{json::object{{"datum", "2026-03-20"},
                                                      {"deltagare", "Arbetslaget, rektor, observatörerna"}}}},
         {"vad_observeras", "Vem som pratar och vem som tystnar."},
         {"dagarnas_forlaggning", "utspridda"},
         {"planerade_dagar", json::array{json::object{{"datum", "2026-04-14"}, {"tid", "8.15–11.30"}},
                                         json::object{{"datum", "2026-04-15"}}}}});
  Write(*rut, "planering", {{"tid_avsatt", true}});
  Write(*anna, "planering",
        {{"forberedelser", "Vi har berättat för eleverna."}, {"information_datum", "2026-03-24"}});
  Write(*olle, "tidsredovisning",
        {{"rader",
          json::array{json::object{{"observator", "olle"}, {"aktivitet", "forarbete"}, {"dagar", 1}},
                      json::object{{"observator", "ola"}, {"aktivitet", "forarbete"}, {"dagar", 1}}}}});
  TestResponse unsigned_planning = Refused(*olle, "planeringsmoten");
  EXPECT_THAT(ErrorFields(unsigned_planning), Contains("signoff:rektor"));
  json::value signed_off = Step(*rut, "planeringsmoten", "sign-off");
  EXPECT_THAT(json::serialize(FindStep(signed_off, "planeringsmoten")->at("signed_off_by_roles")),
              HasSubstr("rektor"));
  instance = Complete(*olle, "planeringsmoten");
  EXPECT_EQ(Str(instance, "current_phase"), "genomforande");

  // --- Genomförande: a form per visit day; the notes stay with the observers.
  TestResponse day1 = olle->Post(I() + "/steps/observation/occurrences");
  ASSERT_EQ(day1.status, 201) << Describe(day1);
  EXPECT_EQ(Json(day1).at("occurrence").as_int64(), 1);
  Write(*olle, "observation",
        {{"datum", "2026-04-14"},
         {"fokus", "Genomgångar"},
         {"anteckningar", "Tre elever i främre raden svarar på allt."}},
        1);
  TestResponse day2 = ola->Post(I() + "/steps/observation/occurrences");
  ASSERT_EQ(day2.status, 201) << Describe(day2);
  EXPECT_EQ(Json(day2).at("occurrence").as_int64(), 2);
  Write(*ola, "observation", {{"datum", "2026-04-15"}, {"anteckningar", "Grupparbetet kom i gång fort."}}, 2);
  {
    TestResponse rektor_view = rut->Get(Form("observation", 2));
    ASSERT_EQ(rektor_view.status, 200) << Describe(rektor_view);
    EXPECT_THAT(FieldIds(Json(rektor_view)), ElementsAre("datum", "fokus"));
    EXPECT_THAT(rektor_view.body, Not(HasSubstr("Grupparbetet")));
    EXPECT_EQ(anna->Get(Form("observation", 3)).status, 404);
  }
  instance = Complete(*ola, "observation");
  EXPECT_EQ(Str(instance, "current_phase"), "aterkoppling");
  EXPECT_EQ(FindStep(instance, "observation")->at("occurrences").as_int64(), 2);

  // --- Återkoppling: the meeting, then evaluation and plan side by side.
  Write(*olle, "aterkoppling",
        {{"datum", "2026-04-28"},
         {"deltagare", "Arbetslaget, rektor, skolutvecklaren"},
         {"skolutvecklare_inbjuden", true},
         {"iakttagelser", "Eleverna är delaktiga när genomgångarna är korta."},
         {"aterkopplingsform", json::array{"muntligt", "skriftligt"}}});
  instance = Complete(*olle, "aterkoppling_mote");
  EXPECT_EQ(StepState(instance, "utvardering"), "active");
  EXPECT_EQ(StepState(instance, "utvecklingsplan"), "active");
  Write(*anna, "utvardering",
        {{"nya_tankar", "Vi ser fler sätt att låta alla komma till tals."},
         {"lardomar", "Korta genomgångar och mer tid för samtal i par."},
         {"lamnad_till_skolutvecklare", "2026-05-05"}});
  Complete(*anna, "utvardering");
  {
    TestResponse reader = sven->Get(Form("utvardering"));  // the skolutvecklare may read it
    ASSERT_EQ(reader.status, 200) << Describe(reader);
    EXPECT_EQ(Str(*FindField(Json(reader), "lardomar"), "rights"), "view");
  }
  Write(*anna, "utvecklingsplan",
        {{"var_ar_vi", "Genomgångarna är långa."},
         {"vart_ska_vi", "Kortare genomgångar, fler elever som pratar."},
         {"hur_gor_vi", "Vi provar tio minuter långa genomgångar."},
         {"atgarder",
          json::array{json::object{
              {"vad", "Prova korta genomgångar"}, {"vem", "Arbetslaget"}, {"nar", "2026-05-15"}}}}});
  Refused(*olle, "utvecklingsplan");
  Step(*rut, "utvecklingsplan", "sign-off");
  instance = Complete(*olle, "utvecklingsplan");
  EXPECT_EQ(Str(instance, "current_phase"), "uppfoljning");

  // --- Uppföljning: a due date from a date in the form; lessons learned; the time sheet signed off.
  EXPECT_TRUE(FindStep(instance, "uppfoljningsmote")->at("due").is_null());
  Write(*anna, "uppfoljning", {{"overenskommet_datum", "2026-09-15"}});
  EXPECT_EQ(Str(*FindStep(Instance(*anna), "uppfoljningsmote"), "due"), "2026-09-22");
  Write(*olle, "uppfoljning", {{"motesdatum", "2026-09-16"}, {"deltagare", "Alla"}});
  Write(*anna, "utvecklingsplan", {{"hur_blev_det", "Fler elever deltar nu."}});
  Complete(*anna, "uppfoljningsmote");
  Write(*olle, "lardomar",
        {{"rubrik", "Korta genomgångar"},
         {"utgangspunkt", "Få elever deltog i genomgångarna."},
         {"sammanfattning", "Korta genomgångar och samtal i par gör fler delaktiga."},
         {"publicera", true}});
  Write(*anna, "lardomar", {{"arbetslaget_godkanner", true}});
  Complete(*olle, "sammanfattning");
  Write(*ulla, "spridning",
        {{"publicerad_ku8", "2026-10-05"},
         {"kanaler", json::array{"ku8_se", "v8_utvecklingsledare"}},
         {"forvaltningsledning_informerad", "2026-10-01"}});
  // Ten days per observer at most: a write taking olle to eleven is refused and changes nothing.
  TestResponse over = olle->Patch(
      Form("tidsredovisning"),
      json::object{
          {"fields",
           json::object{
               {"rader",
                json::array{
                    json::object{{"observator", "olle"}, {"aktivitet", "observation"}, {"dagar", 6}},
                    json::object{{"observator", "olle"}, {"aktivitet", "forarbete"}, {"dagar", 5}},
                    json::object{{"observator", "ola"}, {"aktivitet", "observation"}, {"dagar", 5}}}}}}},
      {{"If-Match", "*"}});
  EXPECT_EQ(over.status, 409) << Describe(over);
  EXPECT_THAT(over.body, HasSubstr("tio dagar"));
  Write(*olle, "tidsredovisning",
        {{"rader",
          json::array{json::object{{"observator", "olle"}, {"aktivitet", "observation"}, {"dagar", 5}},
                      json::object{{"observator", "ola"}, {"aktivitet", "observation"}, {"dagar", 4.5}}}}});
  {
    json::value budgets = Instance(*ulla).at("budgets");
    ASSERT_EQ(budgets.as_array().size(), 1u);
    EXPECT_EQ(budgets.as_array()[0].at("used").to_number<double>(), 5);
    EXPECT_EQ(budgets.as_array()[0].at("max").to_number<double>(), 10);
  }
  Refused(*olle, "tidsredovisning");
  TestResponse wrong_signer = rut->Post(I() + "/steps/tidsredovisning/sign-off");
  EXPECT_EQ(wrong_signer.status, 403) << Describe(wrong_signer);
  Step(*ulla, "tidsredovisning", "sign-off");
  instance = Complete(*ola, "tidsredovisning");
  EXPECT_EQ(Str(instance, "status"), "completed");
  EXPECT_FALSE(instance.at("completed_at").is_null());
  for (const json::value& phase : instance.at("phases").as_array()) {
    EXPECT_EQ(Str(phase, "state"), "completed") << Str(phase, "id");
  }
  {
    TestResponse completed = ulla->Get("/api/instances?status=completed");
    ASSERT_EQ(completed.status, 200) << Describe(completed);
    EXPECT_EQ(Json(completed).at("total").as_int64(), 1);
  }

  // --- Documents: stored as their steps completed; the application twice (it was sent back).
  TestResponse documents = anna->Get(I() + "/documents");
  ASSERT_EQ(documents.status, 200) << Describe(documents);
  std::vector<std::string> stored;
  std::string ansokan_file;
  std::int64_t ansokan_size = 0;
  for (const json::value& d : Items(documents)) {
    stored.push_back(Str(d, "document") + " v" + std::to_string(d.at("version").as_int64()));
    if (Str(d, "document") == "ansokan" && d.at("version").as_int64() == 2) {
      ansokan_file = Str(d, "file_name");
      ansokan_size = d.at("size").as_int64();
      EXPECT_EQ(Str(d, "created_by"), "anna");
      EXPECT_EQ(Str(d, "media_type"), kDocxMedia);
    }
  }
  EXPECT_THAT(stored, UnorderedElementsAre("ansokan v1", "ansokan v2", "utvardering v1", "utvecklingsplan v1",
                                           "utvecklingsplan_uppfoljd v1", "lardomar v1"));
  TestResponse docx = anna->Get(I() + "/documents/ansokan");
  ASSERT_EQ(docx.status, 200) << Describe(docx);
  EXPECT_EQ(docx.body.substr(0, 2), "PK");
  EXPECT_EQ(docx.Header("content-type"), kDocxMedia);
  EXPECT_EQ(static_cast<std::int64_t>(docx.body.size()), ansokan_size);
  EXPECT_FALSE(ansokan_file.empty());
  EXPECT_THAT(docx.Header("content-disposition"), HasSubstr("attachment; filename=\"" + ansokan_file + "\""));
  TestResponse first = anna->Get(I() + "/documents/ansokan?version=1");
  ASSERT_EQ(first.status, 200) << Describe(first);
  EXPECT_EQ(first.body.substr(0, 2), "PK");
  EXPECT_NE(first.body, docx.body);  // other data: 24 pupils then, 25 now
  EXPECT_EQ(anna->Get(I() + "/documents/ansokan?version=9").status, 404);
  EXPECT_EQ(anna->Get(I() + "/documents/finns-inte").status, 404);

  // --- The audit log shows every action, who did it, in order.
  TestResponse events = ulla->Get(I() + "/events?limit=500");
  ASSERT_EQ(events.status, 200) << Describe(events);
  const json::array log = Items(events);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(Json(events).at("total").as_int64(), static_cast<std::int64_t>(log.size()));
  auto count = [&](std::string_view action, std::string_view actor = "") {
    return std::count_if(log.begin(), log.end(), [&](const json::value& e) {
      return Str(e, "action") == action && (actor.empty() || Str(e, "actor") == actor);
    });
  };
  EXPECT_EQ(count("participant.assign"), 4);
  EXPECT_EQ(count("participant.assign", "ulla"), 4);
  EXPECT_EQ(count("step.complete"), 11);  // ten steps, the application twice
  EXPECT_EQ(count("step.send_back", "ulla"), 1);
  EXPECT_EQ(count("step.signoff"), 3);
  EXPECT_EQ(count("step.signoff", "rut"), 2);
  EXPECT_EQ(count("step.signoff", "ulla"), 1);
  EXPECT_EQ(count("occurrence.add"), 2);
  EXPECT_GE(count("field.set", "anna"), 10);
  EXPECT_GE(count("field.set", "olle"), 10);
  EXPECT_EQ(Str(log.back(), "action"), "instance.complete");
  EXPECT_EQ(Str(log.back(), "actor"), "ola");
  {
    auto sent_back = std::find_if(log.begin(), log.end(),
                                  [](const json::value& e) { return Str(e, "action") == "step.send_back"; });
    ASSERT_NE(sent_back, log.end());
    EXPECT_EQ(Str(*sent_back, "target"), "observatorsgrupp -> ansokan");
    EXPECT_EQ(Str(*sent_back, "detail"), "Ange hur många elever som berörs i dag.");
    // The changed count shows old and new; the refused writes left nothing.
    auto changed = std::find_if(log.begin(), log.end(), [](const json::value& e) {
      return Str(e, "action") == "field.set" && Str(e, "target") == "ansokan.antal_barn" &&
             Str(e, "actor") == "anna" && Str(e, "old") == "24";
    });
    ASSERT_NE(changed, log.end());
    EXPECT_EQ(Str(*changed, "new"), "25");
    EXPECT_EQ(std::count_if(log.begin(), log.end(),
                            [](const json::value& e) {
                              return Str(e, "action") == "field.set" &&
                                     Str(e, "target") == "ansokan.antal_barn";
                            }),
              2);
    EXPECT_GT(sent_back - log.begin(), 0);
    // Oldest first: ids increase.
    for (size_t i = 1; i < log.size(); ++i)
      EXPECT_LT(log[i - 1].at("id").as_int64(), log[i].at("id").as_int64());
  }
  // The team sees that notes were written, not what they say.
  TestResponse team_log = anna->Get(I() + "/events?limit=500");
  ASSERT_EQ(team_log.status, 200) << Describe(team_log);
  EXPECT_THAT(team_log.body, HasSubstr("observation.anteckningar#1"));
  EXPECT_THAT(team_log.body, Not(HasSubstr("främre raden")));
  // Paging.
  TestResponse page = ulla->Get(I() + "/events?limit=10&offset=5");
  ASSERT_EQ(page.status, 200) << Describe(page);
  EXPECT_EQ(Json(page).at("items").as_array().size(), 10u);
  EXPECT_EQ(Json(page).at("items").as_array()[0].at("id").as_int64(), log[5].at("id").as_int64());
}

}  // namespace
}  // namespace spegla::test
