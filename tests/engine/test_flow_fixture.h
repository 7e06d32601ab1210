// The fixture of the form tests and the collaboration tests: tests/fixtures/loader/test-flow.xml installed
// on a real SQLite file, one instance with teachers, a rektor, observers and an organisation-wide samordnare.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine_test_support.h"
#include "spegla/clock.h"
#include "spegla/engine.h"
#include "../support/test_database.h"

namespace spegla::test {

using namespace std::chrono_literals;

// "field: message" for each issue, in order.
inline std::vector<std::string> Issues(const Error& error) {
  std::vector<std::string> out;
  for (const Issue& issue : error.issues) out.push_back(issue.field + ": " + issue.message);
  return out;
}

inline std::vector<std::string> FieldIds(const FormView& form) {
  std::vector<std::string> ids;
  for (const FieldView& f : form.fields) ids.push_back(f.field->id);
  return ids;
}

inline const FieldView* FindField(const FormView& form, std::string_view id) {
  for (const FieldView& f : form.fields) {
    if (f.field->id == id) return &f;
  }
  return nullptr;
}

class TestFlowFixture : public ::testing::Test {
 protected:
  TestFlowFixture() : clock_(At("2026-03-02")) {}

  void SetUp() override {
    database_ = TestDatabase((dir_.path() / "spegla.db").string());
    engine_ = Engine::Open(database_, clock_);
    municipality_ = Must(engine_->CreateMunicipality(Actor::Operator(), "Testkommun"));
    unit_ = Must(engine_->CreateUnit(Actor::Operator(), municipality_, "Byskolan", "skola"));
    for (const char* name : {"lars", "lena", "rut", "olle", "ola", "sam", "eva"}) {
      User user;
      user.username = name;
      user.display_name = std::string("Person ") + name;
      user.global_role = std::string(name) == "sam" ? "utvecklingsledare" : "personal";
      Must(engine_->CreateUser(Actor::Operator(), user));
    }
    for (const char* observer : {"olle", "ola"}) {
      ASSERT_TRUE(Succeeds(engine_->AddToObserverPool(Actor::Operator(), municipality_, observer)));
    }
    ASSERT_TRUE(
        Succeeds(engine_->AssignOrganisationRole(Actor::Operator(), municipality_, "samordnare", "sam")));
    InstallOutcome installed = engine_->InstallDefinitionFile(Actor::Operator(), kFlowFile);
    ASSERT_TRUE(installed.problems.empty()) << installed.problems.front().Format();
    id_ = Must(engine_->CreateInstance(Actor::Operator(), "test-flow", unit_, "Formulärtest"));
    for (auto [role, who] : {std::pair{"larare", "lars"},
                             {"larare", "lena"},
                             {"rektor", "rut"},
                             {"observator", "olle"},
                             {"observator", "ola"}}) {
      ASSERT_TRUE(Succeeds(engine_->AssignParticipant(Actor::Operator(), id_, role, who)));
    }
  }

  void TearDown() override { engine_.reset(); }

  Result<std::vector<int>> Set(const std::string& who, const std::string& form,
                               std::vector<FieldChange> changes, int occurrence = 0) {
    return engine_->SetFields(U(who), id_, form, occurrence, changes);
  }

  void FillApplication() {
    ASSERT_TRUE(Succeeds(Set("lars", "ansokan",
                             {{"beskrivning", Text("Vi vill utveckla läsundervisningen.")},
                              {"antal", Num(24)},
                              {"vag", Text("grundlig")},
                              {"informerat", Yes(true)}})));
  }

  void ReachVisits() {
    FillApplication();
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("lars"), id_, "ansokan")));
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("rut"), id_, "granskning")));
    ASSERT_TRUE(Succeeds(engine_->CompleteStep(U("sam"), id_, "grupp")));
  }

  size_t AuditSize() { return Must(engine_->AuditLog(Actor::Operator(), id_)).size(); }

  std::vector<AuditEntry> FieldAudit(std::string_view target) {
    std::vector<AuditEntry> out;
    for (const AuditEntry& e : Must(engine_->AuditLog(Actor::Operator(), id_))) {
      if (e.action == "field.set" && e.target == target) out.push_back(e);
    }
    return out;
  }

  ManualClock clock_;
  ScratchDir dir_{"spegla-forms"};
  std::string database_;  // an SQLite file, or a PostgreSQL database (tests/support/test_database.h)
  std::unique_ptr<Engine> engine_;
  std::int64_t municipality_ = 0, unit_ = 0, id_ = 0;
};

}  // namespace spegla::test
