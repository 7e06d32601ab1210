#!/usr/bin/env bash
# One command from a fresh clone to a running Spegla: installs what is missing, builds (release) and runs
# the main job: the HTTP server on http://127.0.0.1:8080 (docs/api.md). Extra arguments go to
# `spegla serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p data
exec build/release/spegla serve --db data/spegla.db "$@"
