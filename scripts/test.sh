#!/usr/bin/env bash
# One command from a fresh clone to a passing test suite: installs what is missing, builds the debug
# preset (ASan + UBSan) and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
preset="${SPEGLA_TEST_PRESET:-debug}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
