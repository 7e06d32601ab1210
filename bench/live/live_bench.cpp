// The live-collaboration benchmark (issue 8): N WebSocket clients watch one instance's live channel while a
// writer saves one form field at a steady rate; every save must reach every client, quickly.
//
//   spegla_live_bench --port P --token T --instance I [--clients 200] [--rate 50] [--seconds 20]
//                     [--form ansokan --field kontaktperson] [--threads 2]
//
// - N clients connect to ws://127.0.0.1:P/api/instances/I/live (bearer token) with Beast's asynchronous
//   WebSocket stream on one io_context run by `--threads` threads, and wait for their `hello`.
// - A writer thread sends `PATCH /api/instances/I/forms/FORM` with {"fields":{"FIELD":"<unique value>"}}
//   and `If-Match: *` on one keep-alive connection, at `rate` per second on an absolute schedule (a late
//   request does not shift the ones after it), for `seconds`. It notes the steady_clock time just before
//   each request is written, keyed by the value, and each PATCH's round trip (the ack: the peer measured in
//   the same run).
// - Each client takes the receive time of every message as its read completes; for a `field.set` event of
//   FIELD it looks up the value's send time: delivery latency = receive time - send time, one process, one
//   clock.
// - After the last edit it waits up to 5 s for stragglers, then prints the figures. Exit status 1 when a
//   delivery was lost, a PATCH failed or a client could not connect or was disconnected; 2 on bad usage.
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

struct Options {
  std::uint16_t port = 0;
  std::string token;
  std::int64_t instance = 0;
  int clients = 200;
  double rate = 50;
  double seconds = 20;
  std::string form = "ansokan";
  std::string field = "kontaktperson";
  int threads = 2;
};

[[noreturn]] void Usage(const std::string& problem) {
  std::cerr << "spegla_live_bench: " << problem << "\n"
            << "usage: spegla_live_bench --port P --token T --instance I [--clients 200] [--rate 50]\n"
            << "         [--seconds 20] [--form ansokan] [--field kontaktperson] [--threads 2]\n";
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (i + 1 >= argc) Usage(name + " needs a value");
    std::string value = argv[++i];
    try {
      if (name == "--port") {
        o.port = static_cast<std::uint16_t>(std::stoul(value));
      } else if (name == "--token") {
        o.token = value;
      } else if (name == "--instance") {
        o.instance = std::stoll(value);
      } else if (name == "--clients") {
        o.clients = std::stoi(value);
      } else if (name == "--rate") {
        o.rate = std::stod(value);
      } else if (name == "--seconds") {
        o.seconds = std::stod(value);
      } else if (name == "--form") {
        o.form = value;
      } else if (name == "--field") {
        o.field = value;
      } else if (name == "--threads") {
        o.threads = std::stoi(value);
      } else {
        Usage("unknown option " + name);
      }
    } catch (const std::exception&) {
      Usage("bad value for " + name + ": " + value);
    }
  }
  if (o.port == 0 || o.token.empty() || o.instance <= 0) Usage("--port, --token and --instance are needed");
  if (o.clients < 1 || o.rate <= 0 || o.seconds <= 0 || o.threads < 1) Usage("counts must be positive");
  return o;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Nearest rank: the smallest sample with at least p of all at or below it.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return NAN;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

// One edit: its value and when its request began to be written (ns since the clock's epoch; 0 not yet).
// The table is filled before anything runs and only read afterwards, so clients look values up without a
// lock; the send time is the one thing written, once, by the writer before its request goes out.
struct Edit {
  size_t index = 0;
  std::atomic<std::int64_t> sent_ns{0};
};

struct Run {
  Options options;
  std::vector<std::string> values;                       // by index
  std::vector<std::unique_ptr<Edit>> edits;              // by index
  std::unordered_map<std::string_view, Edit*> by_value;  // the values in `values`
  std::atomic<int> hellos{0};
  std::atomic<int> failed_connects{0};
  std::atomic<int> dropped{0};             // clients whose connection ended before the end
  std::atomic<std::uint64_t> received{0};  // unique deliveries of this run's edits, all clients
  std::atomic<std::uint64_t> messages{0};  // every message read, all clients
  std::atomic<bool> editing{
      false};  // from the first edit to the end of the straggler wait: other messages are counted
  std::atomic<bool> closing{false};
  std::atomic<int> closed{0};
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& io, Run& run) : run_(run), ws_(net::make_strand(io)) {
    got_.assign(run.values.size(), Clock::time_point{});
  }

  void Start(const tcp::endpoint& endpoint) {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(endpoint, [self = shared_from_this()](error_code ec) {
      if (ec) return self->Fail("connect", ec);
      self->Handshake();
    });
  }

  // Closes with 1000 (posted to the client's strand; a read may be pending).
  void Close() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (self->ended_) return;
      beast::get_lowest_layer(self->ws_).expires_after(std::chrono::seconds(3));
      self->ws_.async_close(websocket::close_code::normal, [self](error_code) { self->End(); });
    });
  }

  // Read after the io_context has stopped.
  const std::vector<double>& latencies() const { return latencies_; }
  const std::vector<Clock::time_point>& got() const { return got_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t foreign() const { return foreign_; }
  std::uint64_t messages() const { return messages_; }
  std::uint64_t before_send() const { return before_send_; }
  const std::map<std::string, std::uint64_t>& others() const { return others_; }
  const std::string& problem() const { return problem_; }

 private:
  void Handshake() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(
        websocket::stream_base::decorator([token = run_.options.token](websocket::request_type& req) {
          req.set(http::field::authorization, "Bearer " + token);
          req.set(http::field::user_agent, "spegla_live_bench");
        }));
    std::string host = "127.0.0.1:" + std::to_string(run_.options.port);
    std::string target = "/api/instances/" + std::to_string(run_.options.instance) + "/live";
    ws_.async_handshake(response_, host, target, [self = shared_from_this()](error_code ec) {
      if (ec) {
        self->problem_ = "handshake: " + ec.message() + " (HTTP " +
                         std::to_string(self->response_.result_int()) + ": " + self->response_.body() + ")";
        self->ended_ = true;
        self->run_.failed_connects++;
        return;
      }
      self->Read();
    });
  }

  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    const Clock::time_point now = Clock::now();
    if (ec) {
      if (!run_.closing) {
        problem_ = "connection ended: " + ec.message();
        if (ws_.reason().code != websocket::close_code::none) {
          problem_ += " (close " + std::to_string(static_cast<int>(ws_.reason().code)) + " " +
                      std::string(ws_.reason().reason.data(), ws_.reason().reason.size()) + ")";
        }
        if (hello_) run_.dropped++;
      }
      End();
      return;
    }
    ++messages_;
    run_.messages.fetch_add(1, std::memory_order_relaxed);
    const auto* data = static_cast<const char*>(buffer_.data().data());
    Handle(std::string_view(data, buffer_.size()), now);
    buffer_.consume(buffer_.size());
    Read();
  }

  void Handle(std::string_view text, Clock::time_point now) {
    // Most messages are presence; parse only what may matter.
    bool field_set = text.find("\"field.set\"") != std::string_view::npos;
    const bool editing = run_.editing.load(std::memory_order_relaxed);
    if (!field_set && !editing && (hello_ || text.find("\"hello\"") == std::string_view::npos)) return;
    error_code ec;
    json::value message = json::parse(json::string_view(text.data(), text.size()), ec);
    const json::object* o = ec ? nullptr : message.if_object();
    if (!o) return;
    const json::value* type = o->if_contains("type");
    if (!type || !type->is_string()) return;
    if (!hello_ && type->as_string() == "hello") {
      hello_ = true;
      run_.hellos++;
      return;
    }
    // Anything but this run's edits, once they have begun: counted by type (and action).
    auto other = [&] {
      if (!editing) return;
      std::string kind(type->as_string());
      if (const json::value* a = o->if_contains("action"); a && a->is_string())
        kind += " " + std::string(a->as_string());
      ++others_[kind];
    };
    if (type->as_string() != "event") return other();
    const json::value* action = o->if_contains("action");
    const json::value* form = o->if_contains("form");
    const json::value* field = o->if_contains("field");
    const json::value* value = o->if_contains("value");
    if (!action || !action->is_string() || action->as_string() != "field.set") return other();
    if (!form || !form->is_string() || form->as_string() != run_.options.form) return other();
    if (!field || !field->is_string() || field->as_string() != run_.options.field) return other();
    if (!value || !value->is_string()) return other();
    const json::string& s = value->as_string();
    auto it = run_.by_value.find(std::string_view(s.data(), s.size()));
    if (it == run_.by_value.end()) {
      ++foreign_;  // someone else's value, or one written before this run
      return;
    }
    const Edit& edit = *it->second;
    std::int64_t sent_ns = edit.sent_ns.load(std::memory_order_acquire);
    if (sent_ns == 0) {
      ++before_send_;  // cannot happen unless the clock or the table is wrong
      return;
    }
    if (got_[edit.index] != Clock::time_point{}) {
      ++duplicates_;
      return;
    }
    got_[edit.index] = now;
    latencies_.push_back(Ms(now - Clock::time_point(std::chrono::nanoseconds(sent_ns))));
    run_.received++;
  }

  void Fail(const char* what, error_code ec) {
    problem_ = std::string(what) + ": " + ec.message();
    ended_ = true;
    run_.failed_connects++;
  }

  void End() {
    if (ended_) return;
    ended_ = true;
    run_.closed++;
  }

  Run& run_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  bool hello_ = false;
  bool ended_ = false;
  std::vector<Clock::time_point> got_;  // receive time by edit index (epoch: not received)
  std::vector<double> latencies_;       // ms
  std::uint64_t duplicates_ = 0, foreign_ = 0, messages_ = 0, before_send_ = 0;
  std::map<std::string, std::uint64_t> others_;  // messages of other kinds during the edits
  std::string problem_;
};

struct WriterResult {
  std::vector<double> ack_ms;  // of the PATCHes answered 2xx
  size_t sent = 0, ok = 0, failed = 0;
  std::vector<size_t> ok_indexes;
  std::vector<Clock::time_point> answered;  // by edit index: when its 2xx answer had been read
  double max_lag_ms = 0;                    // how late a request started against its schedule, at most
  size_t late = 0;                          // requests started more than one interval late
  double elapsed_s = 0;                     // from the first request's start to the last one's
  std::string first_failure;
};

// The writer: one keep-alive connection, synchronous Beast HTTP, requests on an absolute schedule.
WriterResult Write(Run& run, const tcp::endpoint& endpoint) {
  const Options& o = run.options;
  WriterResult result;
  net::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  auto connect = [&] {
    stream.emplace(io);
    stream->connect(endpoint);
    stream->socket().set_option(tcp::no_delay(true));
  };
  connect();
  result.answered.assign(run.values.size(), Clock::time_point{});
  const std::string target = "/api/instances/" + std::to_string(o.instance) + "/forms/" + o.form;
  const auto interval = std::chrono::duration<double>(1.0 / o.rate);
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; i < run.values.size(); ++i) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
    std::this_thread::sleep_until(due);
    http::request<http::string_body> req{http::verb::patch, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(o.port));
    req.set(http::field::authorization, "Bearer " + o.token);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::if_match, "*");
    req.keep_alive(true);
    req.body() = json::serialize(json::object{{"fields", json::object{{o.field, run.values[i]}}}});
    req.prepare_payload();
    http::response<http::string_body> res;
    const Clock::time_point before = Clock::now();
    const double lag = Ms(before - due);
    result.max_lag_ms = std::max(result.max_lag_ms, lag);
    if (before - due > interval) ++result.late;
    run.edits[i]->sent_ns.store(
        std::chrono::duration_cast<std::chrono::nanoseconds>(before.time_since_epoch()).count(),
        std::memory_order_release);
    ++result.sent;
    result.elapsed_s = std::chrono::duration<double>(before - start).count();
    error_code ec;
    http::write(*stream, req, ec);
    if (!ec) http::read(*stream, buffer, res, ec);
    const Clock::time_point after = Clock::now();
    if (ec || res.result_int() < 200 || res.result_int() >= 300) {
      ++result.failed;
      if (result.first_failure.empty()) {
        result.first_failure =
            ec ? ec.message() : std::to_string(res.result_int()) + " " + res.body().substr(0, 500);
      }
      if (ec || !res.keep_alive()) {
        error_code ignored;
        stream->socket().close(ignored);
        buffer.clear();
        try {
          connect();
        } catch (const std::exception& e) {
          result.first_failure += std::string("; reconnect: ") + e.what();
          break;
        }
      }
      continue;
    }
    ++result.ok;
    result.ok_indexes.push_back(i);
    result.answered[i] = after;
    result.ack_ms.push_back(Ms(after - before));
    if (!res.keep_alive()) {
      error_code ignored;
      stream->socket().close(ignored);
      buffer.clear();
      connect();
    }
  }
  error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Run run;
  run.options = ParseOptions(argc, argv);
  const Options& o = run.options;

  // The values: unique to this run (its start time) and to each edit.
  const size_t total = static_cast<size_t>(std::llround(o.rate * o.seconds));
  const auto tag = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  run.values.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    run.values.push_back("Live " + std::to_string(tag) + "-" + std::to_string(i));
    auto edit = std::make_unique<Edit>();
    edit->index = i;
    run.edits.push_back(std::move(edit));
  }
  for (size_t i = 0; i < total; ++i) run.by_value.emplace(run.values[i], run.edits[i].get());

  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), o.port);
  net::io_context io(o.threads);
  auto guard = net::make_work_guard(io);
  std::vector<std::shared_ptr<Client>> clients;
  clients.reserve(static_cast<size_t>(o.clients));
  for (int i = 0; i < o.clients; ++i) clients.push_back(std::make_shared<Client>(io, run));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.threads; ++i) threads.emplace_back([&io] { io.run(); });
  auto stop_io = [&] {
    guard.reset();
    io.stop();
    for (auto& t : threads) t.join();
  };

  const Clock::time_point connect_start = Clock::now();
  for (auto& c : clients) c->Start(endpoint);
  const Clock::time_point connect_deadline = connect_start + std::chrono::seconds(60);
  while (run.hellos + run.failed_connects < o.clients && Clock::now() < connect_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double connect_ms = Ms(Clock::now() - connect_start);
  if (run.hellos < o.clients) {
    run.closing = true;
    stop_io();
    std::printf("only %d of %d clients connected and said hello within 60 s\n", run.hellos.load(), o.clients);
    int shown = 0;
    for (const auto& c : clients) {
      if (!c->problem().empty() && shown++ < 5) std::printf("  %s\n", c->problem().c_str());
    }
    return 1;
  }
  // Each connection sends a presence update to every other one (N^2/2 messages): let that settle before
  // the edits, until no message has come for half a second (at most 60 s).
  const Clock::time_point settle_start = Clock::now();
  {
    std::uint64_t seen = run.messages;
    Clock::time_point quiet_since = Clock::now();
    while (Clock::now() - quiet_since < std::chrono::milliseconds(500) &&
           Clock::now() - settle_start < std::chrono::seconds(60)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (std::uint64_t now_seen = run.messages; now_seen != seen) {
        seen = now_seen;
        quiet_since = Clock::now();
      }
    }
  }
  const double settle_ms = Ms(Clock::now() - settle_start);
  const std::uint64_t settle_messages = run.messages;

  run.editing = true;
  WriterResult writer;
  std::thread writer_thread([&] {
    try {
      writer = Write(run, endpoint);
    } catch (const std::exception& e) {
      writer.first_failure = std::string("writer: ") + e.what();
      writer.failed = std::max<size_t>(writer.failed, 1);
    }
  });
  writer_thread.join();

  const std::uint64_t expected =
      static_cast<std::uint64_t>(writer.ok) * static_cast<std::uint64_t>(o.clients);
  const Clock::time_point writer_done = Clock::now();
  while (run.received < expected && run.dropped == 0 &&
         Clock::now() < writer_done + std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double straggler_wait_ms = Ms(Clock::now() - writer_done);

  run.editing = false;
  run.closing = true;
  for (auto& c : clients) c->Close();
  const Clock::time_point close_deadline = Clock::now() + std::chrono::seconds(5);
  while (run.closed + run.failed_connects < o.clients && Clock::now() < close_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop_io();

  // Figures.
  std::vector<double> delivery;
  delivery.reserve(expected);
  std::uint64_t duplicates = 0, foreign = 0, before_send = 0, received = 0, messages_read = 0;
  std::map<std::string, std::uint64_t> others;
  for (const auto& c : clients) {
    delivery.insert(delivery.end(), c->latencies().begin(), c->latencies().end());
    duplicates += c->duplicates();
    foreign += c->foreign();
    before_send += c->before_send();
    messages_read += c->messages();
    for (const auto& [kind, n] : c->others()) others[kind] += n;
  }
  received = delivery.size();
  // Fan-out spread: per edit, from the first client's receipt to the last one's. And each delivery against
  // the writer's answer to the same edit (negative: the client had it first).
  std::vector<double> spread, after_ack;
  after_ack.reserve(expected);
  for (size_t index : writer.ok_indexes) {
    Clock::time_point first = Clock::time_point::max(), last = Clock::time_point::min();
    size_t n = 0;
    for (const auto& c : clients) {
      Clock::time_point t = c->got()[index];
      if (t == Clock::time_point{}) continue;
      after_ack.push_back(Ms(t - writer.answered[index]));
      first = std::min(first, t);
      last = std::max(last, t);
      ++n;
    }
    if (n == static_cast<size_t>(o.clients)) spread.push_back(Ms(last - first));
  }
  std::sort(delivery.begin(), delivery.end());
  std::sort(writer.ack_ms.begin(), writer.ack_ms.end());
  std::sort(spread.begin(), spread.end());
  std::sort(after_ack.begin(), after_ack.end());
  const std::uint64_t lost = expected > received ? expected - received : 0;
  const double d50 = Percentile(delivery, 0.50), d90 = Percentile(delivery, 0.90),
               d99 = Percentile(delivery, 0.99);
  const double dmax = delivery.empty() ? NAN : delivery.back();
  const double a50 = Percentile(writer.ack_ms, 0.50), a99 = Percentile(writer.ack_ms, 0.99);
  const double amax = writer.ack_ms.empty() ? NAN : writer.ack_ms.back();

  std::printf("clients                      %d (connected in %.0f ms; %d io threads)\n", o.clients,
              connect_ms, o.threads);
  std::printf(
      "edits sent                   %zu in %.2f s (%.2f/s; %zu answered 2xx, %zu failed; %zu started "
      "over one interval late, latest %.2f ms)\n",
      writer.sent, writer.elapsed_s,
      writer.sent > 1 ? static_cast<double>(writer.sent - 1) / writer.elapsed_s : 0.0, writer.ok,
      writer.failed, writer.late, writer.max_lag_ms);
  std::printf("deliveries expected          %llu\n", static_cast<unsigned long long>(expected));
  std::printf("deliveries received          %llu (waited %.0f ms after the last edit)\n",
              static_cast<unsigned long long>(received), straggler_wait_ms);
  std::printf("lost deliveries              %llu\n", static_cast<unsigned long long>(lost));
  if (duplicates || foreign || before_send) {
    std::printf(
        "odd                          %llu duplicates, %llu values not of this run, %llu before their send\n",
        static_cast<unsigned long long>(duplicates), static_cast<unsigned long long>(foreign),
        static_cast<unsigned long long>(before_send));
  }
  std::printf("messages read                %llu (%llu while connecting and settling, settled in %.0f ms)\n",
              static_cast<unsigned long long>(messages_read),
              static_cast<unsigned long long>(settle_messages), settle_ms);
  if (!others.empty()) {
    std::printf("other messages during edits ");
    for (const auto& [kind, n] : others)
      std::printf(" %s: %llu;", kind.c_str(), static_cast<unsigned long long>(n));
    std::printf("\n");
  }
  std::printf("delivery ms p50/p90/p99/max  %.2f / %.2f / %.2f / %.2f\n", d50, d90, d99, dmax);
  std::printf("fan-out spread ms p50/p99    %.2f / %.2f (first to last client, per edit)\n",
              Percentile(spread, 0.50), Percentile(spread, 0.99));
  std::printf("PATCH ack ms p50/p99/max     %.2f / %.2f / %.2f\n", a50, a99, amax);
  std::printf(
      "delivery - ack ms p50/p99    %.2f / %.2f (each delivery against the writer's answer to its edit)\n",
      Percentile(after_ack, 0.50), Percentile(after_ack, 0.99));
  std::printf("ratio delivery-p99/ack-p99   %.2f\n", d99 / a99);
  std::printf("target delivery p99 < 50 ms: %s\n",
              !delivery.empty() && d99 < 50 && lost == 0 ? "met" : "MISSED");

  bool bad = false;
  if (writer.failed) {
    std::printf("PATCH failures: %zu; first: %s\n", writer.failed, writer.first_failure.c_str());
    bad = true;
  }
  if (run.dropped) {
    std::printf("clients disconnected during the run: %d\n", run.dropped.load());
    int shown = 0;
    for (const auto& c : clients) {
      if (!c->problem().empty() && shown++ < 5) std::printf("  %s\n", c->problem().c_str());
    }
    bad = true;
  }
  if (lost) bad = true;
  return bad ? 1 : 0;
}
