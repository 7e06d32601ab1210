#!/usr/bin/env bash
# The XLSX export benchmark (issue 5): `spegla export` of the demo database with N instances (release build),
# against the floor, libxlsxwriter alone writing the same cells in constant-memory mode, and exceljs's
# streaming writer on the same cells, each pinned to one core, in one run; prints each, the ratios to the
# floor and whether the targets hold (within 1.5x the floor's time, peak memory under 100 MiB), then checks
# that the three workbooks open and hold the same cells.
# Usage: bench/run-xlsx.sh [WORKDIR]   (figures go into docs/performance.md, "XLSX export")
#   SPEGLA_BENCH_INSTANCES  N, the demo's instances (default 100000); the database WORKDIR/demo-N.db is
#                           made once and reused
#   SPEGLA_BENCH_RUNS       rounds of the three (default 3); each tool's fastest round counts
#   SPEGLA_BENCH_BUILD      the build directory (default build/release, configured with the release preset)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/spegla-bench-xlsx}
build=$(realpath -m "${SPEGLA_BENCH_BUILD:-$root/build/release}")
n=${SPEGLA_BENCH_INSTANCES:-100000}
runs=${SPEGLA_BENCH_RUNS:-3}
mkdir -p "$work"
work=$(cd "$work" && pwd)

/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || {
  echo "needs python3-openpyxl (Debian): scripts/install-deps.sh --with-tests" >&2; exit 1; }
command -v node >/dev/null || { echo "needs node and npm: scripts/install-deps.sh --with-tests" >&2; exit 1; }
# exceljs at the version bench/xlsx/package-lock.json pins.
if ! cmp -s "$root/bench/xlsx/package-lock.json" "$work/package-lock.json" 2>/dev/null; then
  cp "$root/bench/xlsx/package.json" "$root/bench/xlsx/package-lock.json" "$work/"
  npm ci --prefix "$work" --no-audit --no-fund --loglevel=error >/dev/null
fi

(cd "$root" && cmake --preset release -B "$build" >/dev/null)
cmake --build "$build" --target spegla spegla_xlsx_bench >/dev/null
spegla=$build/spegla
bench=$build/bench/spegla_xlsx_bench

cd "$work"
db=demo-$n.db
if [[ ! -f "$db" ]]; then
  echo "making $db (spegla demo --instances $n; once, then reused)" >&2
  rm -f "$db.part" "$db.part-wal" "$db.part-shm"
  start=$(date +%s)
  "$spegla" demo --db "$db.part" --instances "$n" >"demo-$n.log" 2>&1 || {
    echo "spegla demo failed; see $work/demo-$n.log" >&2; exit 1; }
  mv "$db.part" "$db"
  echo "made $db in $(( $(date +%s) - start )) s" >&2
fi
# The cells the export writes, for the floor and exceljs (untimed).
"$bench" record "$db" "cells-$n.bin" >&2

# One core each, so that the figures compare like with like on a shared machine.
pin=(taskset -c 0)
command -v taskset >/dev/null || pin=()
lines=()
for ((run = 1; run <= runs; run++)); do
  rm -f out-*.xlsx
  floor=$("${pin[@]}" "$bench" floor "cells-$n.bin" out-floor.xlsx)
  cells=$(sed -n 's/.* cells=\([0-9]*\).*/\1/p' <<<"$floor")
  ours=$(/usr/bin/python3 "$root/bench/xlsx/measure.py" spegla "$cells" \
    "${pin[@]}" "$spegla" export --db "$db" -o out-spegla.xlsx 2>>"export-$n.log")
  theirs=$(NODE_PATH="$work/node_modules" "${pin[@]}" node --expose-gc "$root/bench/xlsx/exceljs_bench.js" \
    "cells-$n.bin" out-exceljs.xlsx)
  for line in "$floor" "$ours" "$theirs"; do
    echo "run $run: $line"
    lines+=("$line")
  done
done

# Each tool's fastest round (wall and CPU time apart), its highest peak; the ratios and the targets.
printf '%s\n' "${lines[@]}" | awk -v n="$n" -v runs="$runs" '
  { name = $1
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (!(name in s) || v["s"] < s[name]) s[name] = v["s"]
    if (!(name in cpu) || v["cpu_s"] < cpu[name]) cpu[name] = v["cpu_s"]
    if (v["peak_mib"] > peak[name]) peak[name] = v["peak_mib"]
    cells[name] = v["cells"] }
  END {
    printf "instances=%d cells=%d (fastest of %d rounds)\n", n, cells["floor"], runs
    for (t = 1; t <= 3; t++) {
      name = t == 1 ? "floor" : t == 2 ? "spegla" : "exceljs"
      printf "  %-8s s=%.3f cpu_s=%.3f cells_per_s=%.0f peak_mib=%.1f\n", name, s[name], cpu[name],
        cells[name] / s[name], peak[name]
    }
    printf "ratio spegla/floor=%.2f exceljs/floor=%.2f (CPU time: %.2f, %.2f)\n", s["spegla"] / s["floor"],
      s["exceljs"] / s["floor"], cpu["spegla"] / cpu["floor"], cpu["exceljs"] / cpu["floor"]
    printf "target time (spegla within 1.5x the floor): %s\n", s["spegla"] <= 1.5 * s["floor"] ? "met" : "MISSED"
    printf "target memory (spegla peak under 100 MiB): %s\n", peak["spegla"] < 100 ? "met" : "MISSED"
  }'

# The workbooks of the last round: readable, and the same cells in each.
/usr/bin/python3 "$root/bench/xlsx/check_xlsx.py" "$n" out-spegla.xlsx out-floor.xlsx out-exceljs.xlsx
