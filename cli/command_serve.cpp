// spegla serve: the HTTP server and REST API (docs/api.md) on one database.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <random>

#include "api.h"
#include "bundled_workflows.h"
#include "commands.h"
#include "http_server.h"
#include "live_hub.h"
#include "server_config.h"
#include "site.h"
#include "spegla/atomic_file.h"
#include "spegla/database.h"
#include "spegla/utf8.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

// 20 characters from /dev/urandom (std::random_device on Linux), unambiguous to read aloud.
std::string GeneratedPassword() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
  std::random_device device;
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  std::string out;
  for (int i = 0; i < 20; ++i) out += kAlphabet[pick(device)];
  return out;
}

// On first start: the bundled workflows (when the database has none) and the account admin (when there is
// none, also on a database `spegla demo` filled first, whose people have no passwords). The first start has
// finished when admin has its password, which is stored last: a start after one killed halfway installs the
// bundled workflows still missing and gives admin its password.
bool FirstStart(Context& c, Engine& engine, const std::map<std::string, std::string>& env) {
  const bool finished = engine.HasPassword("admin");
  const bool none = engine.Definitions().empty();
  if (none || !finished) {
    std::vector<std::string> installed;
    Result<std::vector<DefinitionPtr>> bundled = InstallBundled(
        engine, (fs::path(c.env.share_dir) / "workflows").string(), &installed, /*only_missing=*/!none);
    if (!bundled) {
      c.Fail(bundled.error());
      return false;
    }
    for (const std::string& d : installed) c.err << "spegla: installed workflow " << d << "\n";
  }
  if (finished) return true;
  auto given = env.find("SPEGLA_ADMIN_PASSWORD");
  const bool generated = given == env.end() || given->second.empty();
  const std::string password = generated ? GeneratedPassword() : given->second;
  // Checked before the account is made: an account without a usable password would lock the admin out.
  if (!IsValidUtf8(password) || CountCodePoints(password) < 10) {
    c.err << "spegla: SPEGLA_ADMIN_PASSWORD must have at least 10 characters\n";
    return false;
  }
  User admin;
  admin.username = "admin";
  admin.display_name = "Administratör";
  admin.global_role = "administrator";
  if (!engine.FindUser(admin.username)) {
    Result<std::int64_t> created = engine.CreateUser(Actor::Operator(), admin);
    if (!created) {
      c.Fail(created.error());
      return false;
    }
  }
  Result<Ok> set = engine.SetPassword(Actor::Operator(), "admin", password);
  if (!set) {
    c.Fail(set.error());
    return false;
  }
  if (generated) {
    // Printed once: it is stored only as an argon2id hash.
    c.out << "Created the account admin with the password " << password
          << "\n(shown only now; change it after logging in, or start with SPEGLA_ADMIN_PASSWORD set)\n";
  } else {
    c.out << "Created the account admin with the password from SPEGLA_ADMIN_PASSWORD\n";
  }
  c.out.flush();
  return true;
}

// The templates uploaded workflows may use live beside the database: the bundled ones are copied there
// when missing (an administrator's upload of the same name is kept), uploads are added there.
std::string CopyBundledTemplates(const fs::path& bundled, const fs::path& target) {
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) return "cannot create the template directory " + target.string() + ": " + ec.message();
  for (auto it = fs::recursive_directory_iterator(bundled, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".docx") continue;
    const fs::path copy = target / it->path().lexically_relative(bundled);
    if (fs::exists(copy)) continue;
    fs::create_directories(copy.parent_path(), ec);
    // Through a temporary: a start killed halfway must not leave a half-copied template that the next
    // start would take for a whole one.
    RemoveStaleTemporaries(copy);
    const fs::path temporary = TemporaryBeside(copy);
    fs::copy_file(it->path(), temporary, fs::copy_options::overwrite_existing, ec);
    const std::string failed = ec ? ec.message() : CommitTemporary(temporary, copy);
    if (!failed.empty()) {
      fs::remove(temporary, ec);
      return "cannot copy the template " + it->path().string() + ": " + failed;
    }
  }
  return {};
}

PasswordCost CostFrom(const std::string& name) {
  if (name == "minimum") return PasswordCost::kMinimum;
  if (name == "moderate") return PasswordCost::kModerate;
  return PasswordCost::kInteractive;
}

int Serve(Context& c) {
  const std::map<std::string, std::string> env = server::SpeglaEnvironment();
  std::vector<std::string> problems;
  server::ServerConfig config = server::LoadServerConfig(c.args.GetOr("config", ""), env, &problems);
  // Command-line options win over the environment, which wins over the file.
  if (std::optional<std::string> port = c.args.Get("port")) {
    std::optional<long long> n = ParseCount(*port);
    if (!n || *n > 65535) return c.Usage("--port takes a port number 0–65535");
    config.port = static_cast<std::uint16_t>(*n);
  }
  if (std::optional<std::string> address = c.args.Get("address")) config.address = *address;
  if (std::optional<std::string> threads = c.args.Get("threads")) {
    std::optional<long long> n = ParseCount(*threads);
    if (!n || *n > 256) return c.Usage("--threads takes a number 0–256 (0: one per core)");
    config.threads = static_cast<unsigned>(*n);
  }
  if (!problems.empty()) {
    for (const std::string& p : problems) c.err << "spegla: " << p << "\n";
    return kExitUsage;
  }
  Args args = c.args;  // the database: --db, else the configuration's
  if (!c.args.Get("db")) args.Set("db", config.db);
  Context with_db{args, c.out, c.err, c.env, c.clock};
  const bool postgresql = Database::IsPostgresqlTarget(with_db.db_path());
  if (fs::path parent = fs::path(config.db).parent_path();
      !c.args.Get("db") && !parent.empty() && !postgresql) {
    std::error_code ec;
    fs::create_directories(parent, ec);
  }
  std::unique_ptr<Engine> engine = with_db.OpenEngine();
  if (!engine) return kExitFailure;
  engine->SetPasswordCost(CostFrom(config.password_cost));
  if (!FirstStart(with_db, *engine, env)) return kExitFailure;

  server::ApiOptions api_options;
  api_options.session_lifetime = std::chrono::hours(config.session_hours);
  api_options.secure_cookies = config.secure_cookies;
  api_options.login_limits.attempts = config.login_attempts;
  api_options.login_limits.window = std::chrono::minutes(config.login_window_minutes);
  api_options.template_dir = !config.templates.empty() ? config.templates
                             : postgresql               ? std::string("data/templates")
                                                        : (fs::path(with_db.db_path()).parent_path() / "templates").string();
  if (std::string problem =
          CopyBundledTemplates(fs::path(c.env.share_dir) / "templates", api_options.template_dir);
      !problem.empty()) {
    c.err << "spegla: " << problem << "\n";
    return kExitFailure;
  }
  server::Api api(*engine, api_options);
  server::LiveHub live(api);
  engine->SetEventListener(live.Listener());

  server::HttpServerOptions options = server::ToHttpServerOptions(config);
  options.handle_signals = true;
  std::string log_problem;
  options.access_log = server::OpenAccessLog(config.access_log, &log_problem);
  if (!log_problem.empty()) {
    c.err << "spegla: " << log_problem << "\n";
    return kExitFailure;
  }
  server::Site site(api, (fs::path(c.env.share_dir) / "web").string(), config.trust_proxy);
  auto handler = [&site](const server::HttpRequest& request) { return site.Handle(request); };
  options.websocket = [&live](const server::HttpRequest& request) { return live.Accept(request); };
  std::unique_ptr<server::HttpServer> http;
  try {
    http = std::make_unique<server::HttpServer>(options, handler);
  } catch (const std::exception& e) {
    c.err << "spegla: cannot listen on " << config.address << ":" << config.port << ": " << e.what() << "\n";
    return kExitFailure;
  }
  c.out << "Spegla " SPEGLA_VERSION " listening on http://" << config.address << ":" << http->port()
        << "/ (database " << Database::Redacted(with_db.db_path()) << "; Ctrl-C stops)" << std::endl;
  http->Run();
  http.reset();
  engine->SetEventListener(nullptr);  // the hub goes before the engine
  c.out << "Spegla stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void AddServeCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"serve",
                             "[--port N] [--address A] [--db PATH] [--config FILE] [--threads N]",
                             "run the HTTP server and REST API (docs/api.md)",
                             {},
                             {"port", "address", "config", "threads"},
                             0,
                             0,
                             Serve});
}

}  // namespace spegla::cli
