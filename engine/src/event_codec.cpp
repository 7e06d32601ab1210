#include "event_codec.h"

#include <boost/json.hpp>

namespace spegla {
namespace {

namespace json = boost::json;

json::value Optional(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

std::optional<std::string> OptionalText(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::string Text(const json::object& o, const char* key) { return OptionalText(o, key).value_or(""); }

std::int64_t Int(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->get_int64() : 0;
}

}  // namespace

std::string EncodeEvent(const InstanceEvent& event) {
  const AuditEntry& e = event.entry;
  json::object out{{"id", e.id},
                   {"instance", e.instance_id ? json::value(*e.instance_id) : json::value(nullptr)},
                   // The clock's own resolution: the same instant the writing process saw.
                   {"at", static_cast<std::int64_t>(e.at.time_since_epoch().count())},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"target", e.target},
                   {"old", Optional(e.old_value)},
                   {"new", Optional(e.new_value)},
                   {"detail", e.detail}};
  if (event.field) {
    out["field"] = json::object{{"form", event.field->form},
                                {"occurrence", event.field->occurrence},
                                {"field", event.field->field},
                                {"version", event.field->version},
                                {"value", event.field->value_json}};
  }
  if (event.comment_id) out["comment"] = *event.comment_id;
  return json::serialize(out);
}

std::optional<InstanceEvent> DecodeEvent(const std::string& text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::object& o = parsed.get_object();
  InstanceEvent event;
  AuditEntry& e = event.entry;
  e.id = Int(o, "id");
  if (const json::value* v = o.if_contains("instance"); v != nullptr && v->is_int64()) e.instance_id = v->get_int64();
  e.at = Timestamp(Timestamp::duration(Int(o, "at")));
  e.actor = Text(o, "actor");
  e.action = Text(o, "action");
  e.target = Text(o, "target");
  e.old_value = OptionalText(o, "old");
  e.new_value = OptionalText(o, "new");
  e.detail = Text(o, "detail");
  if (const json::value* f = o.if_contains("field"); f != nullptr && f->is_object()) {
    const json::object& fo = f->get_object();
    event.field = InstanceEvent::FieldState{Text(fo, "form"), static_cast<int>(Int(fo, "occurrence")),
                                            Text(fo, "field"), static_cast<int>(Int(fo, "version")),
                                            Text(fo, "value")};
  }
  if (const json::value* c = o.if_contains("comment"); c != nullptr && c->is_int64()) event.comment_id = c->get_int64();
  if (e.id <= 0 || !e.instance_id) return std::nullopt;
  return event;
}

}  // namespace spegla
