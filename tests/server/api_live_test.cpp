// The live channel over a real WebSocket on loopback (docs/collaboration.md): committed changes reach the
// others at once and only as their rights allow, presence, resuming after a reconnect, who may not open a
// channel, and channels closed when a session ends or a participant is removed. Also the collaboration
// routes: comments with mentions, history with restore, and merged long texts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "../support/ws_client.h"
#include "api_test_support.h"

namespace spegla::test {
namespace {

using ::testing::ElementsAre;

class LiveTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    id_ = StartKu8();
    Ku8ToPlanning(id_);
  }

  std::string Live(const std::string& query = "") const {
    return "/api/instances/" + std::to_string(id_) + "/live" + query;
  }
  std::string Form(const std::string& form = "planering") const {
    return "/api/instances/" + std::to_string(id_) + "/forms/" + form;
  }
  std::string Base() const { return "/api/instances/" + std::to_string(id_); }

  // Signs `username` in and opens a channel with the session cookie from this server's own origin, as the
  // web interface does. Checks the hello.
  std::unique_ptr<WebSocketClient> Open(const std::string& username, const std::string& query = "") {
    clients_.push_back(Client(username));
    auto ws = std::make_unique<WebSocketClient>();
    int status = ws->Connect(port(), Live(query), CookieHeaders(*clients_.back()));
    EXPECT_EQ(status, 101) << ws->response().body;
    json::value hello = Next(*ws);
    EXPECT_EQ(Str(hello, "type"), "hello") << json::serialize(hello);
    return ws;
  }
  std::map<std::string, std::string> CookieHeaders(const ApiClient& client) {
    return {{"Cookie", "spegla_session=" + client.token()},
            {"Origin", "http://127.0.0.1:" + std::to_string(port())}};
  }

  // The next message (null, and a failure, when none comes).
  static json::value Next(WebSocketClient& ws) {
    std::optional<std::string> text = ws.Receive(std::chrono::seconds(10));
    if (!text) {
      ADD_FAILURE() << "no message" << (ws.closed() ? " (closed)" : "");
      return nullptr;
    }
    return json::parse(*text);
  }
  // The next message that satisfies `wanted`, skipping others (presence, say).
  static json::value Await(WebSocketClient& ws, const std::function<bool(const json::value&)>& wanted) {
    for (int i = 0; i < 100; ++i) {
      json::value m = Next(ws);
      if (m.is_null()) return m;
      if (wanted(m)) return m;
    }
    ADD_FAILURE() << "not among 100 messages";
    return nullptr;
  }
  static bool IsEvent(const json::value& m, const std::string& action) {
    return Str(m, "type") == "event" && Str(m, "action") == action;
  }

  TestResponse Patch(ApiClient& who, const std::string& field, const json::value& value, std::int64_t version,
                     const std::string& form = "planering", int occurrence = 0) {
    std::string target = Form(form) + (occurrence ? "?occurrence=" + std::to_string(occurrence) : "");
    return who.Patch(target, json::object{{"fields", json::object{{field, value}}},
                                          {"versions", json::object{{field, version}}}});
  }

  std::int64_t id_ = 0;
  std::vector<std::unique_ptr<ApiClient>> clients_;
};

TEST_F(LiveTest, SavedChangesReachEveryoneWatchingAtOnce) {
  auto anna_ws = Open("anna");
  auto olle_ws = Open("olle");
  auto anna = Client("anna");
  TestResponse saved = Patch(*anna, "vad_observeras", "Hur eleverna kommer till tals.", 0);
  ASSERT_EQ(saved.status, 200) << Describe(saved);
  for (WebSocketClient* ws : {olle_ws.get(), anna_ws.get()}) {
    json::value event = Await(*ws, [](const json::value& m) { return IsEvent(m, "field.set"); });
    EXPECT_EQ(Str(event, "form"), "planering");
    EXPECT_EQ(Str(event, "field"), "vad_observeras");
    EXPECT_EQ(event.at("version"), json::value(1));
    EXPECT_EQ(event.at("value"), json::value("Hur eleverna kommer till tals."));
    EXPECT_EQ(Str(event, "actor"), "anna");
    EXPECT_EQ(Str(event, "actor_name"), "Anna i arbetslaget");
    EXPECT_GT(event.at("seq").as_int64(), 0);
  }
  // A step change and a comment arrive the same way.
  TestResponse comment = anna->Post(Base() + "/comments",
                                    json::object{{"step", "planeringsmoten"}, {"body", "Mötet flyttas."}});
  ASSERT_EQ(comment.status, 201) << Describe(comment);
  json::value added = Await(*olle_ws, [](const json::value& m) { return IsEvent(m, "comment.add"); });
  EXPECT_EQ(added.at("comment"), Json(comment).at("id"));
}

TEST_F(LiveTest, ChangesToFieldsAViewerMayNotSeeAreNotSentToThem) {
  Ku8PlanningToObservation(id_);
  auto rut_ws = Open("rut");
  auto olle = Client("olle");
  json::value form = Json(olle->Get(Form("observation") + "?occurrence=1"));
  TestResponse secret = Patch(*olle, "anteckningar", "Elev K sade inget på hela lektionen.",
                              FindField(form, "anteckningar")->at("version").as_int64(), "observation", 1);
  ASSERT_EQ(secret.status, 200) << Describe(secret);
  TestResponse open = Patch(*olle, "fokus", "Helklass", FindField(form, "fokus")->at("version").as_int64(),
                            "observation", 1);
  ASSERT_EQ(open.status, 200) << Describe(open);
  // The rektor's next field event is the one she may see.
  json::value event = Await(*rut_ws, [](const json::value& m) { return IsEvent(m, "field.set"); });
  EXPECT_EQ(Str(event, "field"), "fokus");
}

TEST_F(LiveTest, PresenceShowsWhoIsLookingAndWhereTheyWrite) {
  auto anna_ws = Open("anna");
  json::value list = Await(*anna_ws, [](const json::value& m) { return Str(m, "type") == "presence"; });
  ASSERT_EQ(list.at("people").as_array().size(), 1u);
  auto olle_ws = Open("olle");
  json::value joined = Await(*anna_ws, [](const json::value& m) {
    return Str(m, "type") == "presence.update" && Str(m.at("person"), "username") == "olle";
  });
  EXPECT_EQ(Str(joined.at("person"), "username"), "olle");
  EXPECT_EQ(Str(joined.at("person"), "display_name"), "Olle Observatör");
  const std::string olle_connection = Str(joined.at("person"), "connection");

  ASSERT_TRUE(olle_ws->Send(R"({"type":"focus","form":"planering","occurrence":0,"field":"vad_observeras"})"));
  json::value moved = Await(*anna_ws, [&](const json::value& m) {
    return Str(m, "type") == "presence.update" && Str(m.at("person"), "field") == "vad_observeras";
  });
  EXPECT_EQ(Str(moved.at("person"), "connection"), olle_connection);
  // Nonsense is answered, not acted on.
  ASSERT_TRUE(olle_ws->Send("not json"));
  EXPECT_EQ(Str(Await(*olle_ws, [](const json::value& m) { return Str(m, "type") == "error"; }), "type"),
            "error");

  olle_ws->Close();
  json::value left = Await(*anna_ws, [](const json::value& m) { return Str(m, "type") == "presence.leave"; });
  EXPECT_EQ(Str(left, "connection"), olle_connection);
}

TEST_F(LiveTest, ResumingFromBeforeWhatTheHubHoldsIsAReset) {
  // The hub started after the seeding: it cannot replay from the first event.
  auto ws = Open("anna", "?after=1");
  EXPECT_EQ(Str(Await(*ws, [](const json::value& m) { return Str(m, "type") == "reset"; }), "type"), "reset");
  // From the hello's seq on, nothing is missing: no reset.
  auto fresh = Open("anna");
  json::value next = Await(*fresh, [](const json::value& m) { return Str(m, "type") != "presence.update"; });
  EXPECT_EQ(Str(next, "type"), "presence");
}

TEST_F(LiveTest, TheResumedEventsAreTheMissedOnesInOrder) {
  auto anna = Client("anna");
  auto first = Open("anna");
  ASSERT_EQ(Patch(*anna, "vad_observeras", "Ett", 0).status, 200);
  const std::int64_t seq =
      Await(*first, [](const json::value& m) { return IsEvent(m, "field.set"); }).at("seq").as_int64();
  first->Close();
  ASSERT_EQ(Patch(*anna, "vad_observeras", "Två", 1).status, 200);
  ASSERT_EQ(Patch(*anna, "vad_observeras", "Tre", 2).status, 200);
  live_->Flush();
  auto again = Open("anna", "?after=" + std::to_string(seq));
  json::value a = Await(*again, [](const json::value& m) { return IsEvent(m, "field.set"); });
  json::value b = Await(*again, [](const json::value& m) { return IsEvent(m, "field.set"); });
  EXPECT_EQ(a.at("value"), json::value("Två"));
  EXPECT_EQ(b.at("value"), json::value("Tre"));
  EXPECT_LT(a.at("seq").as_int64(), b.at("seq").as_int64());
}

TEST_F(LiveTest, OnlyThoseWhoMayReadTheHistoryOpenAChannel) {
  auto status_of = [&](const std::map<std::string, std::string>& headers, const std::string& target) {
    WebSocketClient ws;
    return ws.Connect(port(), target, headers);
  };
  const std::string origin = "http://127.0.0.1:" + std::to_string(port());
  EXPECT_EQ(status_of({{"Origin", origin}}, Live()), 401);
  EXPECT_EQ(status_of({{"Cookie", "spegla_session=forged"}, {"Origin", origin}}, Live()), 401);
  auto anna = Client("anna");
  // A page of another site may not use the cookie (cross-site WebSocket hijacking).
  EXPECT_EQ(status_of({{"Cookie", "spegla_session=" + anna->token()}, {"Origin", "https://evil.example"}}, Live()),
            403);
  EXPECT_EQ(status_of(CookieHeaders(*anna), Live("?after=x")), 400);
  EXPECT_EQ(status_of(CookieHeaders(*anna), "/api/instances/999999/live"), 404);
  // A bearer token from another system needs no origin.
  EXPECT_EQ(status_of({{"Authorization", "Bearer " + anna->token()}}, Live()), 101);
  for (const char* outsider : {"petra", "frida", "bo", "ubbe"}) {
    auto who = Client(outsider);
    EXPECT_EQ(status_of(CookieHeaders(*who), Live()), 403) << outsider;
  }
  for (const char* insider : {"admin", "ulla", "rut", "olle"}) {
    auto who = Client(insider);
    EXPECT_EQ(status_of(CookieHeaders(*who), Live()), 101) << insider;
  }
  // Not an upgrade: the route says what it is.
  EXPECT_EQ(anna->Get(Live()).status, 426);
}

TEST_F(LiveTest, EndingTheSessionOrTheParticipationClosesTheChannel) {
  clients_.push_back(Client("anna"));
  ApiClient& anna = *clients_.back();
  WebSocketClient anna_ws;
  ASSERT_EQ(anna_ws.Connect(port(), Live(), CookieHeaders(anna)), 101);
  // The hub registers the channel after the 101 has gone out (the handler's OnOpen sends the hello):
  // revalidating before that would not see it. The hello says that it is open.
  ASSERT_EQ(Str(Next(anna_ws), "type"), "hello");
  ASSERT_EQ(anna.Delete("/api/session").status, 204);
  live_->RevalidateSessions();
  while (anna_ws.Receive(std::chrono::seconds(5))) {
  }
  EXPECT_TRUE(anna_ws.closed());

  ASSERT_TRUE(Succeeds(engine_->AssignParticipant(U("ulla"), id_, "arbetslag", "erik")));
  auto erik_ws = Open("erik");
  ASSERT_TRUE(Succeeds(engine_->RemoveParticipant(U("ulla"), id_, "arbetslag", "erik")));
  while (erik_ws->Receive(std::chrono::seconds(5))) {
  }
  EXPECT_TRUE(erik_ws->closed());
}

// ---- the collaboration routes ----------------------------------------------------------------------

TEST_F(LiveTest, LongTextEditsOfDifferentParagraphsMergeOverTheApi) {
  auto anna = Client("anna"), olle = Client("olle");
  const std::string base = "Hur eleverna kommer till tals.\n\nHur läraren ställer frågor.";
  ASSERT_EQ(Patch(*anna, "vad_observeras", json::value(base), 0).status, 200);
  ASSERT_EQ(Patch(*anna, "vad_observeras", "Hur alla elever kommer till tals.\n\nHur läraren ställer frågor.", 1)
                .status,
            200);
  TestResponse merged =
      Patch(*olle, "vad_observeras", "Hur eleverna kommer till tals.\n\nHur läraren följer upp svaren.", 1);
  ASSERT_EQ(merged.status, 200) << Describe(merged);
  EXPECT_EQ(Json(merged).at("merged"), json::value(json::array{"vad_observeras"}));
  EXPECT_EQ(FindField(Json(merged), "vad_observeras")->at("value"),
            json::value("Hur alla elever kommer till tals.\n\nHur läraren följer upp svaren."));
  // The same words changed by both: a conflict with both values.
  TestResponse conflict =
      Patch(*anna, "vad_observeras", "Hur alla elever kommer till tals.\n\nHur läraren ställer öppna frågor.", 2);
  ASSERT_EQ(conflict.status, 409) << Describe(conflict);
  EXPECT_EQ(Json(conflict).at("errors").as_array().at(0).at("current").at("value"),
            json::value("Hur alla elever kommer till tals.\n\nHur läraren följer upp svaren."));
}

TEST_F(LiveTest, CommentsMentionsAndAssignmentsShowOnMinaUppgifter) {
  auto anna = Client("anna"), olle = Client("olle"), rut = Client("rut");
  json::object on_field{{"form", "planering"}, {"occurrence", 0}, {"field", "vad_observeras"}};
  TestResponse added = anna->Post(Base() + "/comments",
                                  json::object{{"field", on_field}, {"body", "@olle vad tycker du? <script>x</script>"}});
  ASSERT_EQ(added.status, 201) << Describe(added);
  EXPECT_EQ(Json(added).at("mentions"), json::value(json::array{"olle"}));
  EXPECT_EQ(Str(Json(added), "body"), "@olle vad tycker du? <script>x</script>");  // stored as text
  json::array mentions = Items(olle->Get("/api/me/mentions"));
  ASSERT_EQ(mentions.size(), 1u);
  EXPECT_EQ(Str(mentions[0], "instance_title"), "Lärande besök");
  json::array assignments = Items(olle->Get("/api/me/assignments"));
  ASSERT_EQ(assignments.size(), 1u);
  EXPECT_EQ(Str(assignments[0], "role_label"), "Observatör");

  // Unknown users, people who cannot see it, both targets or none: every problem at once.
  TestResponse bad = anna->Post(Base() + "/comments",
                                json::object{{"field", on_field}, {"step", "x"}, {"body", 3}, {"extra", 1}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_THAT(ErrorFields(bad), ElementsAre("body", "field", "extra"));
  TestResponse hidden = anna->Post(
      Base() + "/comments",
      json::object{{"field", json::object{{"form", "planering"}, {"field", "forberedelser"}}}, {"body", "@petra"}});
  EXPECT_EQ(hidden.status, 422) << Describe(hidden);

  const std::string id = std::to_string(Json(added).at("id").as_int64());
  EXPECT_EQ(rut->Post(Base() + "/comments/" + id + "/resolve").status, 200);
  EXPECT_TRUE(Items(olle->Get("/api/me/mentions")).empty());
  EXPECT_EQ(Items(rut->Get(Base() + "/comments")).size(), 1u);
  EXPECT_EQ(Client("petra")->Get(Base() + "/comments").status, 403);
}

TEST_F(LiveTest, FieldHistoryListsVersionsAndRestoreWritesOneAgain) {
  auto anna = Client("anna"), olle = Client("olle");
  ASSERT_EQ(Patch(*anna, "vad_observeras", "Första", 0).status, 200);
  ASSERT_EQ(Patch(*olle, "vad_observeras", "Andra", 1).status, 200);
  const std::string field = Form() + "/fields/vad_observeras";
  json::array history = Items(anna->Get(field + "/history"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].at("version"), json::value(2));
  EXPECT_EQ(Str(history[0], "author_name"), "Olle Observatör");
  EXPECT_EQ(history[1].at("value"), json::value("Första"));

  EXPECT_EQ(anna->Post(field + "/restore", json::object{{"version", 1}, {"expected_version", 1}}).status, 409);
  TestResponse restored = anna->Post(field + "/restore", json::object{{"version", 1}, {"expected_version", 2}});
  ASSERT_EQ(restored.status, 200) << Describe(restored);
  EXPECT_EQ(FindField(Json(restored), "vad_observeras")->at("value"), json::value("Första"));
  EXPECT_EQ(Items(anna->Get(field + "/history"))[0].at("restored_from"), json::value(1));
  EXPECT_EQ(anna->Post(field + "/restore", json::object{{"version", 0}}).status, 422);
  EXPECT_EQ(Client("petra")->Get(field + "/history").status, 403);
  EXPECT_EQ(Client("rut")->Post(field + "/restore", json::object{{"version", 1}, {"expected_version", 3}}).status,
            403);
}

}  // namespace
}  // namespace spegla::test
