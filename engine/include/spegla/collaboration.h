// Working together on one instance (docs/collaboration.md): the events committed writes produce for the
// live channel, comments with mentions, and the history of each field.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "spegla/date.h"
#include "spegla/instance.h"

namespace spegla {

// One committed change to an instance, as its history records it (`entry.id` orders them: the channel's
// `seq`). A field write also carries the field's new state, so that open forms can show it.
struct InstanceEvent {
  AuditEntry entry;
  struct FieldState {
    std::string form;
    int occurrence = 0;
    std::string field;
    int version = 0;
    std::string value_json;  // EncodeValue of the new value
  };
  std::optional<FieldState> field;  // field.set; for a comment on a field, its form, occurrence and field
  std::optional<std::int64_t> comment_id;  // comment.add, comment.resolve, comment.reopen
};

// Called with the events of each commit, in order, once they are durable. Runs under the engine's lock:
// it must only hand them on (queue them), never call back into the engine.
using EventListener = std::function<void(std::vector<InstanceEvent>)>;

// What one viewer may receive of an instance's events. Made by Engine::EventFilterFor from the viewer's
// roles at that moment; the roles change only with a participant event, after which it is made again.
class EventFilter {
 public:
  EventFilter() = default;
  EventFilter(bool everything, std::set<std::tuple<std::string, std::string>> readable_fields)
      : everything_(everything), readable_(std::move(readable_fields)) {}

  // False for a write to a field the viewer may not see, or a comment about one.
  bool Shows(const InstanceEvent& event) const {
    return !event.field || ShowsField(event.field->form, event.field->field);
  }
  bool ShowsField(const std::string& form, const std::string& field) const {
    return everything_ || readable_.count({form, field}) > 0;
  }

 private:
  bool everything_ = false;                                   // the operator
  std::set<std::tuple<std::string, std::string>> readable_;  // (form, field) the viewer may see
};

// Where a comment belongs: a field of a form (and occurrence), or a step.
struct CommentTarget {
  std::string form;
  int occurrence = 0;
  std::string field;
  std::string step;  // set instead of form/field for a comment on a step

  bool is_step() const { return !step.empty(); }
};

struct Comment {
  std::int64_t id = 0;
  std::int64_t instance_id = 0;
  CommentTarget target;
  std::string body;
  std::string author;
  std::string author_name;
  Timestamp created_at{};
  std::vector<std::string> mentions;  // usernames
  std::optional<std::string> resolved_by;
  std::optional<Timestamp> resolved_at;
};

// An open comment that mentions someone: Mina uppgifter.
struct Mention {
  Comment comment;
  std::string instance_title;
  std::string unit;
};

// A role someone holds in an active process: Mina uppgifter.
struct Assignment {
  std::int64_t instance_id = 0;
  std::string instance_title;
  std::string unit;
  std::string role;
  std::string role_label;
  bool organisation_wide = false;
};

// One version of a field.
struct FieldVersion {
  int version = 0;
  std::string value_json;
  std::string display;  // the value as the history shows it
  std::string author;
  std::string author_name;
  Timestamp at{};
  std::optional<int> restored_from;
};

}  // namespace spegla
