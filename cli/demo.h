// `spegla demo`: fills a database with realistic synthetic data so that the product can be shown and
// load-tested without real personal data. Municipalities of the KU8 network (and Örebro), schools and
// preschools, arbetslag, staff with Swedish names, observer pools, and instances of every bundled workflow
// spread over all their phases, with plausible Swedish form values.
//
// Everything is drawn from one random generator seeded by DemoOptions::seed, so the same seed on an empty
// database gives the same data (apart from timestamps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "spegla/clock.h"
#include "spegla/engine.h"
#include "spegla/outcome.h"

namespace spegla::cli {

struct DemoOptions {
  size_t instances = 50;
  unsigned seed = 1;  // deterministic output for a given seed
  std::string
      workflows_dir;  // directory with the bundled *.xml workflows (templates dir = its sibling "templates")
  // The engine's clock, when the demo may move it: a walk then lets time pass where a rule asks for it
  // ("the mapping takes at least four weeks") and sets the clock back afterwards, so that the other
  // instances start at the same time. Without it such a walk stops there, with a warning.
  ManualClock* clock = nullptr;
  // Word documents for every instance, as the engine makes them when steps complete. False: only for the
  // instances walked to completion; the others are filled as by an engine without document plugins, which
  // makes none (a database under a quarter the size, filled 15–25% faster; docs/performance.md).
  bool documents = true;
};

struct DemoReport {
  std::vector<std::string> installed;  // "id vN" per definition installed (or already there)
  size_t municipalities = 0, units = 0, users = 0, instances = 0;
  std::map<std::string, size_t> instances_per_phase;  // phase id (or "completed") -> count, across workflows
  // Per workflow id, the instance walked from creation to completion; a workflow the filler could not walk
  // is missing here and has a warning.
  std::map<std::string, std::int64_t> walked_instances;
  std::int64_t walked_instance = 0;  // the first instance walked to completion (0 if none)
  // Instances that stopped before completion (walked ones) or before the step count drawn for them, with the
  // engine's reasons: a workflow with a rule the generic filler cannot satisfy. Empty for the bundled
  // workflows.
  std::vector<std::string> warnings;
};

// Fills `engine` with every bundled workflow, municipalities, units (skola/förskola), arbetslag, users with
// Swedish names, observer pools, organisation-wide roles, and `instances` instances spread over every phase
// of every workflow (some completed). The first instance of each workflow (the first ones created) is walked
// from creation to completion. `progress(done, total)` is called as instances are created (may be empty).
// Returns problems as an Error. Running it again on the same database reuses the organisations and users it
// finds and adds more instances. The database is filled in bulk (Engine::BeginBulkLoad): operations are
// committed in groups without waiting for the disk, and everything is durable when FillDemo returns; a
// crash meanwhile loses the group in progress (a power failure may damage the file: a demo database is one
// that can be made again).
Result<DemoReport> FillDemo(Engine& engine, const DemoOptions& options,
                            const std::function<void(size_t, size_t)>& progress);

enum class Advance {
  kCompleted,  // the open step completed
  kWaiting,    // a rule waits for a day to come ("at least four weeks after ...") and no clock was given
  kRefused,    // the step cannot be completed generically, or the instance is already completed
};

// Drives one instance forward by one step: fills the open step's forms with plausible values (acting as
// users with edit rights), adds occurrences up to the repeat minimum, changes what the step may write until
// its <require> conditions hold (and, when the step ends its phase, steers the transition), signs off, and
// completes it as a performer. With a `clock`, lets time pass where a condition waits for a day. Other
// outcomes come with the engine's reasons in *why.
Advance AdvanceOneStep(Engine& engine, std::int64_t instance, std::mt19937& rng, std::string* why,
                       ManualClock* clock = nullptr);

}  // namespace spegla::cli
