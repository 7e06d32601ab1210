// An instance event as text and back, for the events that travel between server processes through the
// database (PostgreSQL: the live_events table and LISTEN/NOTIFY, engine/src/event_feed.h).
#pragma once

#include <optional>
#include <string>

#include "spegla/collaboration.h"

namespace spegla {

std::string EncodeEvent(const InstanceEvent& event);
// Empty for text that is not an encoded event.
std::optional<InstanceEvent> DecodeEvent(const std::string& text);

}  // namespace spegla
