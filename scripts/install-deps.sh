#!/usr/bin/env bash
# Installs the Debian 12 packages Spegla needs to build, run and test.
# Idempotent: asks apt only for what is missing. Runs as root or through sudo.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpugixml-dev libxlsxwriter-dev libpoco-dev libpq-dev libsqlite3-dev libsodium-dev
  zlib1g-dev
)
TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev libxml2-utils sqlite3
  python3-docx python3-openpyxl
  libreoffice-writer-nogui libreoffice-calc-nogui python3-docxtpl
  wrk curl
  chromium
  clang libclang-rt-14-dev  # the libFuzzer targets (scripts/fuzz.sh): clang and its libFuzzer runtime
  postgresql  # the tests and benchmarks on PostgreSQL: a throwaway cluster (scripts/postgresql-cluster.sh)
)

want=("${BUILD_PACKAGES[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then
  want+=("${TEST_PACKAGES[@]}")
  # node and npm (the docx differential test runs docxtemplater): Debian's, unless some node is there.
  command -v npm >/dev/null || want+=(nodejs npm)
fi

missing=()
for pkg in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
