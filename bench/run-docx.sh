#!/usr/bin/env bash
# The DOCX rendering benchmark: the 50-action utvecklingsplan rendered in one process, on one core, by
# Spegla's docx plugin (release build), docxtemplater and docxtpl, in one run; prints each and the ratios.
# Usage: bench/run-docx.sh [WORKDIR]   (figures go into docs/performance.md, "DOCX rendering")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/spegla-bench-docx}
build=${SPEGLA_BENCH_BUILD:-$root/build/release}
mkdir -p "$work"

/usr/bin/python3 -c 'import docx, docxtpl' 2>/dev/null || {
  echo "needs python3-docx and python3-docxtpl (Debian): apt-get install python3-docx python3-docxtpl" >&2; exit 1; }
command -v node >/dev/null || { echo "needs node and npm: scripts/install-deps.sh --with-tests" >&2; exit 1; }
# docxtemplater at the versions the differential test pins.
if ! cmp -s "$root/tests/tools/package-lock.json" "$work/package-lock.json" 2>/dev/null; then
  cp "$root/tests/tools/package.json" "$root/tests/tools/package-lock.json" "$work/"
  npm ci --prefix "$work" --no-audit --no-fund --loglevel=error >/dev/null
fi

cmake --preset release -B "$build" >/dev/null
cmake --build "$build" --target spegla_docx_bench >/dev/null

/usr/bin/python3 "$root/bench/docx/make_template.py" "$work"
/usr/bin/python3 "$root/bench/docx/data.py" 50 > "$work/data50.json"

cd "$work"
# One core each, so that the figures compare like with like on a shared machine.
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
ours=$($pin "$build/bench/spegla_docx_bench" utvecklingsplan.docx data50.json "${SPEGLA_BENCH_N:-5000}" out-spegla.docx)
theirs=$(NODE_PATH="$work/node_modules" $pin node "$root/bench/docx/docxtemplater_bench.js" utvecklingsplan.docx \
  data50.json "${SPEGLA_BENCH_N_DOCXTEMPLATER:-300}" out-docxtemplater.docx)
tpl=$($pin /usr/bin/python3 "$root/bench/docx/docxtpl_bench.py" utvecklingsplan-docxtpl.docx data50.json \
  "${SPEGLA_BENCH_N_DOCXTPL:-60}" out-docxtpl.docx)
echo "$ours"
echo "$theirs"
echo "$tpl"
rate() { sed -n 's/.*docs_per_s=\([0-9.]*\).*/\1/p' <<<"$1"; }
awk -v a="$(rate "$ours")" -v b="$(rate "$theirs")" -v c="$(rate "$tpl")" \
  'BEGIN { printf "ratio spegla/docxtemplater=%.1f spegla/docxtpl=%.1f\n", a / b, a / c }'
