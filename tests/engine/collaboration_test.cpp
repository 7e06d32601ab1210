// Working together (docs/collaboration.md) against a real SQLite file: long texts merged when edits do not
// overlap, the history of each field with restore, comments with mentions, Mina uppgifter's mentions and
// assignments, and the events committed writes hand to the live channel, filtered by each viewer's rights.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "test_flow_fixture.h"

namespace spegla {
namespace {

using namespace spegla::test;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CollaborationTest : public TestFlowFixture {
 protected:
  void SetUp() override {
    TestFlowFixture::SetUp();
    ReachVisits();  // the plan form is open to teachers and observers
  }

  Result<FormView> Save(const std::string& who, const std::string& field, const std::string& text,
                        int from_version, std::vector<std::string>* merged = nullptr) {
    return engine_->WriteForm(U(who), id_, "plan", 0, {{field, Text(text), from_version}}, std::nullopt,
                              merged);
  }
  int VersionOf(const std::string& field) {
    return FindField(Must(engine_->GetForm(U("lars"), id_, "plan")), field)->version;
  }
  Value ValueOf(const std::string& field) {
    return FindField(Must(engine_->GetForm(U("lars"), id_, "plan")), field)->value;
  }
};

// Before the application is sent: its form is still open.
class ApplicationTest : public TestFlowFixture {};

// ---- long texts --------------------------------------------------------------------------------------

TEST_F(CollaborationTest, LongTextEditsToDifferentParagraphsMerge) {
  ASSERT_TRUE(Succeeds(Save("lars", "mal", "Läsning i alla ämnen.\n\nUppföljning varje månad.", 0)));
  // Both start from version 1: Lars rewrites the first paragraph, Olle the second.
  ASSERT_TRUE(Succeeds(Save("lars", "mal", "Läsning och skrivning i alla ämnen.\n\nUppföljning varje månad.", 1)));
  std::vector<std::string> merged;
  Result<FormView> olle = Save("olle", "mal", "Läsning i alla ämnen.\n\nUppföljning varannan vecka.", 1, &merged);
  ASSERT_TRUE(Succeeds(olle));
  EXPECT_THAT(merged, ElementsAre("mal"));
  EXPECT_EQ(FindField(olle.value(), "mal")->value,
            Text("Läsning och skrivning i alla ämnen.\n\nUppföljning varannan vecka."));
  EXPECT_EQ(FindField(olle.value(), "mal")->version, 3);
  EXPECT_EQ(ValueOf("mal"), Text("Läsning och skrivning i alla ämnen.\n\nUppföljning varannan vecka."));
}

TEST_F(CollaborationTest, LongTextEditsToTheSameWordsAreAConflictWithNothingWritten) {
  ASSERT_TRUE(Succeeds(Save("lars", "mal", "Läsning i alla ämnen.", 0)));
  ASSERT_TRUE(Succeeds(Save("lars", "mal", "Skrivning i alla ämnen.", 1)));
  std::vector<std::string> merged;
  Result<FormView> olle = Save("olle", "mal", "Räkning i alla ämnen.", 1, &merged);
  EXPECT_TRUE(Fails(olle, ErrorCode::kConflict, {"”Mål” har ändrats av lars"}));
  EXPECT_TRUE(merged.empty());
  EXPECT_EQ(ValueOf("mal"), Text("Skrivning i alla ämnen."));
  EXPECT_EQ(VersionOf("mal"), 2);
}

TEST_F(ApplicationTest, ShortTextsAreNeverMerged) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"intern", Text("a b c")}})));
  ASSERT_TRUE(Succeeds(Set("lena", "ansokan", {{"intern", Text("x b c"), 1}})));
  EXPECT_TRUE(Fails(Set("lars", "ansokan", {{"intern", Text("a b z"), 1}}), ErrorCode::kConflict));
}

// ---- history and restore ---------------------------------------------------------------------------

TEST_F(CollaborationTest, HistoryListsEveryVersionAndRestoreWritesAnOldOneAgain) {
  ASSERT_TRUE(Succeeds(Save("lars", "mal", "Första", 0)));
  clock_.Advance(1h);
  ASSERT_TRUE(Succeeds(Save("olle", "mal", "Andra", 1)));
  std::vector<FieldVersion> history = Must(engine_->FieldHistory(U("rut"), id_, "plan", 0, "mal"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version, 2);
  EXPECT_EQ(history[0].display, "Andra");
  EXPECT_EQ(history[0].author, "olle");
  EXPECT_EQ(history[0].author_name, "Person olle");
  EXPECT_EQ(history[1].value_json, "\"Första\"");
  EXPECT_EQ(history[1].at, At("2026-03-02", 8h));

  // A restore from a stale version is a conflict; from the current one it writes version 3.
  EXPECT_TRUE(Fails(engine_->RestoreField(U("lars"), id_, "plan", 0, "mal", 1, 1), ErrorCode::kConflict));
  FormView restored = Must(engine_->RestoreField(U("lars"), id_, "plan", 0, "mal", 1, 2));
  EXPECT_EQ(FindField(restored, "mal")->value, Text("Första"));
  EXPECT_EQ(FindField(restored, "mal")->version, 3);
  history = Must(engine_->FieldHistory(U("lars"), id_, "plan", 0, "mal"));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].restored_from, 1);
  EXPECT_EQ(history[0].author, "lars");
  // A restore is a write like any other: the rektor may only view the plan.
  EXPECT_TRUE(Fails(engine_->RestoreField(U("rut"), id_, "plan", 0, "mal", 2, 3), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RestoreField(U("lars"), id_, "plan", 0, "mal", 9, 3), ErrorCode::kNotFound));
  EXPECT_EQ(VersionOf("mal"), 3);
}

TEST_F(ApplicationTest, HistoryOfAHiddenFieldIsRefused) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"intern", Text("Hemligt")}})));
  EXPECT_EQ(Must(engine_->FieldHistory(U("lena"), id_, "ansokan", 0, "intern")).size(), 1u);
  EXPECT_TRUE(Fails(engine_->FieldHistory(U("rut"), id_, "ansokan", 0, "intern"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->FieldHistory(U("eva"), id_, "ansokan", 0, "intern"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->RestoreField(U("rut"), id_, "ansokan", 0, "intern", 1, 1), ErrorCode::kForbidden));
}

// ---- comments and mentions ---------------------------------------------------------------------------

TEST_F(CollaborationTest, CommentsWithMentionsReachMinaUppgifterUntilResolved) {
  CommentTarget on_goal{"plan", 0, "mal", ""};
  Comment c = Must(engine_->AddComment(U("lars"), id_, on_goal, "  @olle kan du läsa målet? Se även @rut.  "));
  EXPECT_EQ(c.body, "@olle kan du läsa målet? Se även @rut.");
  EXPECT_THAT(c.mentions, ElementsAre("olle", "rut"));
  EXPECT_EQ(c.author_name, "Person lars");
  Must(engine_->AddComment(U("olle"), id_, CommentTarget{"", 0, "", "besok"}, "Första besöket är bokat."));

  std::vector<Mention> mentions = engine_->Mentions("olle");
  ASSERT_EQ(mentions.size(), 1u);
  EXPECT_EQ(mentions[0].comment.id, c.id);
  EXPECT_EQ(mentions[0].instance_title, "Formulärtest");
  EXPECT_THAT(mentions[0].comment.mentions, ElementsAre("olle", "rut"));
  EXPECT_EQ(engine_->Mentions("lars").size(), 0u);

  std::vector<Comment> all = Must(engine_->Comments(U("rut"), id_));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].target.step, "besok");

  Comment resolved = Must(engine_->ResolveComment(U("olle"), id_, c.id, true));
  EXPECT_EQ(resolved.resolved_by, "olle");
  EXPECT_TRUE(engine_->Mentions("olle").empty());
  EXPECT_FALSE(Must(engine_->ResolveComment(U("lars"), id_, c.id, false)).resolved_by.has_value());
  EXPECT_EQ(engine_->Mentions("olle").size(), 1u);
}

TEST_F(CollaborationTest, CommentsOnHiddenFieldsStayWithThoseWhoSeeThem) {
  CommentTarget on_note{"ansokan", 0, "intern", ""};
  // Mentioning someone who cannot see the field would tell them about it: refused, naming them.
  EXPECT_TRUE(Fails(engine_->AddComment(U("lars"), id_, on_note, "Fråga @rut och @nobody"), ErrorCode::kInvalid,
                    {"”rut” kan inte se", "ingen användare ”nobody”"}));
  Comment c = Must(engine_->AddComment(U("lars"), id_, on_note, "Fråga @lena"));
  EXPECT_EQ(Must(engine_->Comments(U("lena"), id_)).size(), 1u);
  EXPECT_TRUE(Must(engine_->Comments(U("rut"), id_)).empty());
  EXPECT_TRUE(Fails(engine_->ResolveComment(U("rut"), id_, c.id, true), ErrorCode::kNotFound));
  EXPECT_TRUE(Fails(engine_->AddComment(U("rut"), id_, on_note, "x"), ErrorCode::kForbidden));
  EXPECT_TRUE(Fails(engine_->Comments(U("eva"), id_), ErrorCode::kForbidden));
  // The history shows the rektor that a comment was made, not what it says.
  for (const AuditEntry& e : Must(engine_->AuditLog(U("rut"), id_))) {
    if (e.action == "comment.add") {
      EXPECT_FALSE(e.new_value.has_value());
    }
  }
  EXPECT_TRUE(Fails(engine_->AddComment(U("lars"), id_, CommentTarget{"", 0, "", "besok"}, " \n "),
                    ErrorCode::kInvalid, {"Kommentaren är tom."}));
  EXPECT_TRUE(Fails(engine_->AddComment(U("lars"), id_, CommentTarget{"", 0, "", "besok"}, "a\x01"),
                    ErrorCode::kInvalid, {"styrtecken"}));
  EXPECT_TRUE(Fails(engine_->AddComment(U("lars"), id_, CommentTarget{"", 0, "", "nosuch"}, "x"),
                    ErrorCode::kNotFound));
  // An address is not a mention.
  EXPECT_TRUE(Must(engine_->AddComment(U("lars"), id_, on_note, "Mejla eva@skolan.se")).mentions.empty());
}

TEST_F(CollaborationTest, AssignmentsListTheRolesHeldInActiveProcesses) {
  std::vector<Assignment> olle = engine_->Assignments("olle");
  ASSERT_EQ(olle.size(), 1u);
  EXPECT_EQ(olle[0].instance_id, id_);
  EXPECT_EQ(olle[0].role, "observator");
  EXPECT_EQ(olle[0].role_label, "Observatör");
  std::vector<Assignment> sam = engine_->Assignments("sam");
  ASSERT_EQ(sam.size(), 1u);
  EXPECT_TRUE(sam[0].organisation_wide);
  EXPECT_EQ(sam[0].role_label, "Samordnare");
  EXPECT_EQ(sam[0].unit, "Testkommun");
  EXPECT_TRUE(engine_->Assignments("eva").empty());
}

// ---- events ------------------------------------------------------------------------------------------

class EventsTest : public TestFlowFixture {
 protected:
  void SetUp() override {
    TestFlowFixture::SetUp();
    engine_->SetEventListener([this](std::vector<InstanceEvent> events) {
      std::lock_guard lock(mutex_);
      for (InstanceEvent& e : events) events_.push_back(std::move(e));
      arrived_.notify_all();
    });
  }
  // The events published so far, once there are at least `at_least`: on PostgreSQL they come from the
  // event feed's thread a moment after the commit (src/event_feed.h); on SQLite with the commit.
  std::vector<InstanceEvent> Take(size_t at_least) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, std::chrono::seconds(10), [&] { return events_.size() >= at_least; });
    return std::exchange(events_, {});
  }

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<InstanceEvent> events_;
};

TEST_F(EventsTest, CommittedWritesPublishTheirEventsInOrderAndRefusedOnesNothing) {
  FillApplication();
  std::vector<InstanceEvent> events = Take(4);
  ASSERT_EQ(events.size(), 4u);
  for (size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i].entry.id, events[i - 1].entry.id);
  EXPECT_EQ(events[0].entry.action, "field.set");
  ASSERT_TRUE(events[1].field.has_value());
  EXPECT_EQ(events[1].field->field, "antal");
  EXPECT_EQ(events[1].field->version, 1);
  EXPECT_EQ(events[1].field->value_json, "24");
  EXPECT_EQ(events.back().entry.id, engine_->LatestEventSeq(id_));

  // A refused write publishes nothing: the next event is the next successful write's.
  EXPECT_FALSE(Set("rut", "ansokan", {{"antal", Num(3)}}).ok());
  EXPECT_FALSE(Set("lars", "ansokan", {{"antal", Num(3), 7}}).ok());

  ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
  events = Take(1);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].entry.action, "step.complete");
  EXPECT_EQ(events[0].entry.target, "ansokan");
}

TEST_F(EventsTest, FiltersFollowEachViewersRights) {
  ASSERT_TRUE(Succeeds(Set("lars", "ansokan", {{"intern", Text("Hemligt")}, {"antal", Num(3)}})));
  std::vector<InstanceEvent> events = Take(2);
  ASSERT_EQ(events.size(), 2u);
  EventFilter teacher = Must(engine_->EventFilterFor(U("lena"), id_));
  EventFilter principal = Must(engine_->EventFilterFor(U("rut"), id_));
  const InstanceEvent& intern = events[0].field->field == "intern" ? events[0] : events[1];
  const InstanceEvent& antal = events[0].field->field == "antal" ? events[0] : events[1];
  EXPECT_TRUE(teacher.Shows(intern));
  EXPECT_FALSE(principal.Shows(intern));
  EXPECT_TRUE(principal.Shows(antal));
  // Those who may not read the history get no channel at all.
  EXPECT_TRUE(Fails(engine_->EventFilterFor(U("eva"), id_), ErrorCode::kForbidden));
}

}  // namespace
}  // namespace spegla
