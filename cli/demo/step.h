// One step of an instance forward, as its participants would take it.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "demo.h"
#include "demo/history.h"

namespace spegla::cli::demo {

// AdvanceOneStep (demo.h) with the instance's history at hand, which it brings up to date.
Advance AdvanceWith(Engine& engine, std::int64_t instance, std::mt19937& rng, std::string* why,
                    ManualClock* clock, History& history);

}  // namespace spegla::cli::demo
