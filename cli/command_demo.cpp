// spegla demo: a database full of realistic synthetic work, and one process walked end to end.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "demo.h"
#include "json_output.h"

namespace spegla::cli {
namespace {

int Demo(Context& c) {
  DemoOptions options;
  if (auto n = c.args.Get("instances")) {
    std::optional<long long> count = ParseCount(*n);
    if (!count) return c.Usage("--instances must be a number");
    options.instances = static_cast<size_t>(*count);
  }
  if (auto s = c.args.Get("seed")) {
    std::optional<long long> seed = ParseCount(*s);
    if (!seed) return c.Usage("--seed must be a number");
    options.seed = static_cast<unsigned>(*seed);
  }
  options.documents = !c.args.Has("no-documents");
  options.workflows_dir =
      c.args.GetOr("workflows", (std::filesystem::path(c.env.share_dir) / "workflows").string());
  // The demo runs on its own clock, starting now, so that a walk may let time pass where a rule asks for
  // it (the clock is back at the start when FillDemo returns).
  ManualClock clock(c.clock.Now());
  options.clock = &clock;
  const Context on_demo_clock{c.args, c.out, c.err, c.env, clock};
  std::unique_ptr<Engine> engine = on_demo_clock.OpenEngine();
  if (!engine) return kExitFailure;

  const bool show_progress = !c.json() && isatty(STDERR_FILENO);
  auto progress = [&](size_t done, size_t total) {
    if (!show_progress || total == 0) return;
    const int width = 40;
    int filled = static_cast<int>(width * done / total);
    std::fprintf(stderr, "\r  instances [%s%s] %zu/%zu",
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), '.').c_str(), done, total);
    if (done == total) std::fprintf(stderr, "\n");
  };
  Result<DemoReport> report = FillDemo(*engine, options, progress);
  if (!report) return c.Fail(report.error());
  const DemoReport& r = report.value();
  if (c.json()) {
    c.out << DemoJson(r) << "\n";
    return kExitOk;
  }
  c.out << "Demo database: " << c.db_path() << "\n";
  for (const std::string& d : r.installed) c.out << "  workflow " << d << "\n";
  c.out << "  " << r.municipalities << " municipalities, " << r.units << " units, " << r.users << " users, "
        << r.instances << " instances\n  instances per phase:";
  for (const auto& [phase, count] : r.instances_per_phase) c.out << " " << phase << "=" << count;
  c.out << "\n";
  for (const auto& [workflow, instance] : r.walked_instances) {
    c.out << "  walked to completion: " << workflow << ", instance " << instance << "\n";
  }
  for (const std::string& w : r.warnings) c.out << "  note: " << w << "\n";
  if (r.walked_instance == 0) return kExitOk;

  c.out << "\nOne process walked from application to completion, instance " << r.walked_instance << ":\n\n";
  std::vector<std::string> show = {"instance", "show", std::to_string(r.walked_instance), "--db",
                                   c.db_path()};
  std::vector<std::string> log = {"instance", "log", std::to_string(r.walked_instance), "--db", c.db_path()};
  engine.reset();  // the commands below open the database themselves
  int status = Run(show, c.out, c.err, c.env);
  c.out << "\nAudit log:\n";
  return status == kExitOk ? Run(log, c.out, c.err, c.env) : status;
}

}  // namespace

void AddDemoCommands(std::vector<Command>& commands) {
  commands.push_back(
      Command{"demo",
              "[--instances N] [--seed S] [--workflows DIR] [--no-documents]",
              "fill the database with the bundled workflows, organisations, users and N synthetic "
              "instances, walk one process of each workflow end to end and print the first with its audit "
              "log; --no-documents makes Word documents only for the processes walked to the end",
              {"no-documents"},
              {"instances", "seed", "workflows"},
              0,
              0,
              Demo});
}

}  // namespace spegla::cli
