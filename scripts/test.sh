#!/usr/bin/env bash
# One command from a fresh clone to a passing test suite: installs what is missing, builds the debug
# preset (ASan + UBSan) and runs every test through ctest, then the server tests again under TSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
# The browser tests' playwright-core (tests/ui/package-lock.json): installed again only when the lock changes.
if [[ ! -f tests/ui/node_modules/.package-lock.json || tests/ui/package-lock.json -nt tests/ui/node_modules/.package-lock.json || tests/ui/package.json -nt tests/ui/node_modules/.package-lock.json ]]; then
  npm ci --prefix tests/ui --no-audit --no-fund --loglevel=error >/dev/null
fi
preset="${SPEGLA_TEST_PRESET:-debug}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
# The server tests (ctest label server) again under ThreadSanitizer: the tsan preset builds only them and
# the spegla binary, in build/tsan. SPEGLA_TEST_TSAN=0 leaves it out.
if [[ "${SPEGLA_TEST_TSAN:-1}" != 0 ]]; then
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan
  ctest --preset tsan
fi
# Each libFuzzer target for a bounded time (clang build in build/fuzz; fails on any crash): scripts/fuzz.sh.
# SPEGLA_FUZZ_SECONDS=0 leaves it out.
if [[ "${SPEGLA_FUZZ_SECONDS:-30}" != 0 ]]; then scripts/fuzz.sh "${SPEGLA_FUZZ_SECONDS:-30}"; fi
