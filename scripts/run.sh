#!/usr/bin/env bash
# One command from a fresh clone to a running Spegla: installs what is missing, builds (release) and runs
# the main job. Extra arguments go to the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p data
exec build/release/spegla demo --db data/spegla.db "$@"
