#include "live_hub.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api.h"
#include "api_support.h"

namespace spegla::server {

namespace json = boost::json;

namespace {

constexpr size_t kMaxClientMessage = 4096;  // a focus message is far smaller

// "/api/instances/42/live" -> 42.
std::optional<std::int64_t> LiveInstance(const std::string& path) {
  constexpr std::string_view kPrefix = "/api/instances/";
  constexpr std::string_view kSuffix = "/live";
  if (path.size() <= kPrefix.size() + kSuffix.size() || path.compare(0, kPrefix.size(), kPrefix) != 0 ||
      path.compare(path.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return std::nullopt;
  }
  std::string digits = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(digits);
}

// The session token of an upgrade request: the cookie a page sends, or a bearer token.
std::string TokenOf(const HttpRequest& request) {
  const std::string& authorization = request.Header("authorization");
  if (authorization.rfind("Bearer ", 0) == 0) return authorization.substr(7);
  const std::string& cookies = request.Header("cookie");
  constexpr std::string_view kName = "spegla_session=";
  for (size_t at = 0; at < cookies.size();) {
    while (at < cookies.size() && (cookies[at] == ' ' || cookies[at] == ';')) ++at;
    size_t end = cookies.find(';', at);
    if (end == std::string::npos) end = cookies.size();
    if (cookies.compare(at, kName.size(), kName) == 0) {
      return cookies.substr(at + kName.size(), end - at - kName.size());
    }
    at = end;
  }
  return {};
}

// A browser sends the page's origin with every WebSocket handshake; a page of another site must not open
// a channel with the user's cookie (cross-site WebSocket hijacking). Clients that are not browsers send
// none.
bool SameOrigin(const HttpRequest& request) {
  const std::string& origin = request.Header("origin");
  if (origin.empty()) return true;
  const std::string& host = request.Header("host");
  return origin == "http://" + host || origin == "https://" + host;
}

WebSocketAcceptance Refuse(HttpResponse response) { return WebSocketAcceptance{nullptr, std::move(response)}; }

json::object EventJson(const InstanceEvent& e, const std::string& actor_name) {
  json::object out{{"type", "event"},          {"seq", e.entry.id},       {"action", e.entry.action},
                   {"at", FormatTimestamp(e.entry.at)}, {"actor", e.entry.actor}, {"actor_name", actor_name},
                   {"target", e.entry.target}};
  if (e.field) {
    out["form"] = e.field->form;
    out["occurrence"] = e.field->occurrence;
    out["field"] = e.field->field;
    if (e.entry.action == "field.set") {
      out["version"] = e.field->version;
      out["value"] = json::parse(e.field->value_json);
    }
  }
  if (e.comment_id) out["comment"] = *e.comment_id;
  return out;
}

}  // namespace

// One connection: who is watching which instance, through which filter, and where they are writing.
struct LiveHub::Subscriber final : WebSocketHandler, std::enable_shared_from_this<Subscriber> {
  LiveHub* hub = nullptr;
  std::int64_t instance = 0;
  std::string connection_id;
  std::string token;
  SessionInfo session;
  std::string display_name;
  std::int64_t hello_seq = 0;
  std::optional<std::int64_t> after;
  // Guarded by the hub's mutex:
  EventFilter filter;
  std::shared_ptr<WebSocketConnection> connection;
  std::string form, field;
  int occurrence = 0;

  void OnOpen(std::shared_ptr<WebSocketConnection> c) override {
    {
      std::lock_guard lock(hub->mutex_);
      connection = std::move(c);
    }
    hub->Open(shared_from_this(), hello_seq, after);
  }

  void OnMessage(const std::string& text) override {
    if (text.size() > kMaxClientMessage) return;
    boost::system::error_code ec;
    json::value message = json::parse(text, ec);
    const json::object* o = ec ? nullptr : message.if_object();
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (!type || !type->is_string() || type->as_string() != "focus") {
      std::lock_guard lock(hub->mutex_);
      if (connection) {
        connection->Send(json::serialize(
            json::object{{"type", "error"}, {"message", "Okänt meddelande: skicka {\"type\": \"focus\", …}."}}));
      }
      return;
    }
    auto text_of = [&](const char* key) {
      const json::value* v = o->if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const json::value* occ = o->if_contains("occurrence");
    int occurrence_number = occ && occ->is_int64() && occ->as_int64() >= 0 && occ->as_int64() < 10'000
                                ? static_cast<int>(occ->as_int64())
                                : 0;
    std::string field_id = text_of("field");
    std::string form_id = text_of("form");
    if (field_id.size() > 200 || form_id.size() > 200) return;
    hub->Focus(this, std::move(form_id), occurrence_number, std::move(field_id));
  }

  void OnClose() override { hub->Close(this); }
};

LiveHub::LiveHub(Api& api, LiveHubOptions options)
    : api_(api), options_(options), started_after_(api.engine().LatestEventSeq(0)) {
  thread_ = std::thread([this] { Run(); });
}

LiveHub::~LiveHub() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  thread_.join();
}

EventListener LiveHub::Listener() {
  return [this](std::vector<InstanceEvent> events) {
    {
      std::lock_guard lock(queue_mutex_);
      queue_.push_back(std::move(events));
      ++queued_;
    }
    queue_changed_.notify_all();
  };
}

void LiveHub::Run() {
  auto next_check = std::chrono::steady_clock::now() + options_.session_check;
  std::unique_lock lock(queue_mutex_);
  while (true) {
    queue_changed_.wait_until(lock, next_check, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    if (!queue_.empty()) {
      std::vector<InstanceEvent> batch = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      Deliver(std::move(batch));
      lock.lock();
      ++delivered_;
      queue_changed_.notify_all();
    }
    if (std::chrono::steady_clock::now() >= next_check) {
      lock.unlock();
      RevalidateSessions();
      lock.lock();
      next_check = std::chrono::steady_clock::now() + options_.session_check;
    }
  }
}

void LiveHub::Flush() {
  std::unique_lock lock(queue_mutex_);
  const std::uint64_t target = queued_;
  queue_changed_.wait(lock, [&] { return delivered_ >= target || stopping_; });
}

size_t LiveHub::connections() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [id, channel] : channels_) n += channel.subscribers.size();
  return n;
}

std::string LiveHub::DisplayName(const std::string& username) {
  {
    std::lock_guard lock(names_mutex_);
    if (auto it = names_.find(username); it != names_.end()) return it->second;
  }
  std::optional<User> user = api_.engine().FindUser(username);
  std::string name = user ? user->display_name : username;
  std::lock_guard lock(names_mutex_);
  if (names_.size() > 10'000) names_.clear();
  names_[username] = name;
  return name;
}

LiveHub::Channel& LiveHub::ChannelOf(std::int64_t instance) {
  auto [it, made] = channels_.try_emplace(instance);
  if (made) {
    // Nothing of this instance has passed through the hub yet: everything after its start is "kept".
    it->second.complete_after = started_after_;
    if (channels_.size() > options_.kept_instances) {
      // Forget the least recently used instance nobody is watching; a client resuming on it is reset.
      auto oldest = channels_.end();
      for (auto c = channels_.begin(); c != channels_.end(); ++c) {
        if (c->first != instance && c->second.subscribers.empty() &&
            (oldest == channels_.end() || c->second.last_used < oldest->second.last_used)) {
          oldest = c;
        }
      }
      if (oldest != channels_.end()) channels_.erase(oldest);
    }
  }
  it->second.last_used = ++use_counter_;
  return it->second;
}

void LiveHub::Deliver(std::vector<InstanceEvent> events) {
  std::vector<std::int64_t> changed_participants;
  for (InstanceEvent& event : events) {
    if (!event.entry.instance_id) continue;
    const std::int64_t instance = *event.entry.instance_id;
    std::string text = json::serialize(EventJson(event, DisplayName(event.entry.actor)));
    std::lock_guard lock(mutex_);
    Channel& channel = ChannelOf(instance);
    for (const auto& s : channel.subscribers) {
      if (s->connection && s->filter.Shows(event)) s->connection->Send(text);
    }
    channel.kept.emplace_back(event.entry.id, std::move(text));
    channel.kept_events.push_back(std::move(event));
    while (channel.kept.size() > options_.kept_events) {
      channel.complete_after = channel.kept.front().first;
      channel.kept.pop_front();
      channel.kept_events.pop_front();
    }
    const std::string& action = channel.kept_events.back().entry.action;
    if (action.rfind("participant.", 0) == 0 &&
        std::find(changed_participants.begin(), changed_participants.end(), instance) ==
            changed_participants.end()) {
      changed_participants.push_back(instance);
    }
  }
  for (std::int64_t instance : changed_participants) RefreshFilters(instance);
}

// Rights follow roles: after a participant change each subscriber's filter is made again, and one who
// may no longer read the instance is disconnected.
void LiveHub::RefreshFilters(std::int64_t instance) {
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(instance);
    if (it == channels_.end()) return;
    subscribers = it->second.subscribers;
  }
  for (const auto& s : subscribers) {
    Result<EventFilter> filter =
        api_.engine().EventFilterFor(Actor::User(s->session.user.username), instance);
    std::lock_guard lock(mutex_);
    if (filter) {
      s->filter = std::move(filter).value();
    } else if (s->connection) {
      s->connection->Close("Du har inte längre tillgång till processen.");
    }
  }
}

WebSocketAcceptance LiveHub::Accept(const HttpRequest& request) {
  std::optional<std::int64_t> instance = LiveInstance(request.path);
  if (!instance) return Refuse(ProblemResponse(404, "Finns inte", "Ingen livekanal på den adressen."));
  if (!SameOrigin(request)) {
    return Refuse(ProblemResponse(403, "Fel ursprung", "Livekanalen öppnas bara från Speglas egna sidor."));
  }
  std::string token = TokenOf(request);
  std::optional<SessionInfo> session = token.empty() ? std::nullopt : api_.ResolveSession(token);
  if (!session) return Refuse(ProblemResponse(401, "Inte inloggad", "Logga in för att öppna livekanalen."));
  std::optional<std::int64_t> after;
  if (const std::string* text = request.Query("after")) {
    char* end = nullptr;
    long long value = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || value < 0) {
      return Refuse(ProblemResponse(400, "Ogiltig fråga", "after ska vara ett heltal ≥ 0."));
    }
    after = value;
  }
  Result<EventFilter> filter = api_.engine().EventFilterFor(Actor::User(session->user.username), *instance);
  if (!filter) {
    HttpResponse refusal = ErrorResponse(filter.error());
    refusal.user = session->user.username;
    return Refuse(std::move(refusal));
  }
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->hub = this;
  subscriber->instance = *instance;
  subscriber->token = std::move(token);
  subscriber->display_name = session->user.display_name;
  subscriber->session = std::move(*session);
  subscriber->filter = std::move(filter).value();
  subscriber->after = after;
  // Read before the subscriber is registered: what is committed later reaches it through the queue, or
  // from what is kept when it was delivered meanwhile (Open replays after this seq).
  subscriber->hello_seq = api_.engine().LatestEventSeq(*instance);
  {
    std::lock_guard lock(mutex_);
    subscriber->connection_id = "c" + std::to_string(++next_connection_);
  }
  return WebSocketAcceptance{subscriber, {}};
}

void LiveHub::Open(const std::shared_ptr<Subscriber>& s, std::int64_t hello_seq,
                   std::optional<std::int64_t> after) {
  std::lock_guard lock(mutex_);
  Channel& channel = ChannelOf(s->instance);
  channel.subscribers.push_back(s);
  s->connection->Send(json::serialize(json::object{
      {"type", "hello"},
      {"seq", hello_seq},
      {"connection", s->connection_id},
      {"user", json::object{{"username", s->session.user.username}, {"display_name", s->display_name}}}}));
  const std::int64_t from = after.value_or(hello_seq);
  if (from < channel.complete_after) {
    s->connection->Send(R"({"type":"reset"})");
  } else {
    for (size_t i = 0; i < channel.kept.size(); ++i) {
      if (channel.kept[i].first > from && s->filter.Shows(channel.kept_events[i])) {
        s->connection->Send(channel.kept[i].second);
      }
    }
  }
  SendPresenceList(channel, *s);
  SendPresenceUpdate(channel, *s);
}

void LiveHub::Close(Subscriber* s) {
  std::lock_guard lock(mutex_);
  // The connection holds its handler and the handler its connection: break the cycle.
  s->connection.reset();
  auto it = channels_.find(s->instance);
  if (it == channels_.end()) return;
  auto& list = it->second.subscribers;
  list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& p) { return p.get() == s; }), list.end());
  std::string leave =
      json::serialize(json::object{{"type", "presence.leave"}, {"connection", s->connection_id}});
  for (const auto& to : list) {
    if (to->connection) to->connection->Send(leave);
  }
}

void LiveHub::Focus(Subscriber* s, std::string form, int occurrence, std::string field) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(s->instance);
  if (it == channels_.end() || !s->connection) return;
  if (s->form == form && s->field == field && s->occurrence == occurrence) return;
  s->form = std::move(form);
  s->field = std::move(field);
  s->occurrence = occurrence;
  SendPresenceUpdate(it->second, *s);
}

// Each person sees where the others write only in fields they may see themselves.
static json::object PresenceJson(const LiveHub::Subscriber& s, const EventFilter& seen_by) {
  bool shown = !s.field.empty() && seen_by.ShowsField(s.form, s.field);
  return json::object{{"connection", s.connection_id},
                      {"username", s.session.user.username},
                      {"display_name", s.display_name},
                      {"form", shown ? json::value(s.form) : json::value(nullptr)},
                      {"occurrence", shown ? json::value(s.occurrence) : json::value(nullptr)},
                      {"field", shown ? json::value(s.field) : json::value(nullptr)}};
}

void LiveHub::SendPresenceList(Channel& channel, Subscriber& to) {
  json::array people;
  for (const auto& s : channel.subscribers) people.push_back(PresenceJson(*s, to.filter));
  to.connection->Send(json::serialize(json::object{{"type", "presence"}, {"people", std::move(people)}}));
}

// One person joined or moved: a small message to everyone, not the whole list (which would make a
// channel's cost grow with the square of its size).
void LiveHub::SendPresenceUpdate(Channel& channel, const Subscriber& about) {
  std::string shown, hidden;
  for (const auto& to : channel.subscribers) {
    if (!to->connection) continue;
    bool sees = about.field.empty() || to->filter.ShowsField(about.form, about.field);
    std::string& text = sees ? shown : hidden;
    if (text.empty()) {
      text = json::serialize(json::object{{"type", "presence.update"}, {"person", PresenceJson(about, to->filter)}});
    }
    to->connection->Send(text);
  }
}

void LiveHub::RevalidateSessions() {
  std::vector<std::shared_ptr<Subscriber>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, channel] : channels_) {
      all.insert(all.end(), channel.subscribers.begin(), channel.subscribers.end());
    }
  }
  for (const auto& s : all) {
    if (api_.ResolveSession(s->token)) continue;
    std::lock_guard lock(mutex_);
    if (s->connection) s->connection->Close("Sessionen har upphört: logga in igen.");
  }
}

}  // namespace spegla::server
