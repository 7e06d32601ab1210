#!/usr/bin/env bash
# Fuzzes each libFuzzer target (fuzz/, fuzz/README.md) for a bounded time and fails when any finds a crash.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60); all four targets by default
#
# Installs what is missing (clang and libFuzzer come with scripts/install-deps.sh --with-tests), builds the
# fuzz preset (build/fuzz: clang, ASan + UBSan, only the fuzz targets and the libraries they call), then
# runs each target on a fresh copy of its seed corpus (fuzz/corpus/<target>/ into build/fuzz/corpus/) with
# its dictionary. A crash, sanitizer report, leak, timeout (10 s per input) or out-of-memory (2 GB) is
# saved under build/fuzz/crashes/<target>/ and makes the script fail; the log of each run is in
# build/fuzz/logs/. Per target it prints and writes to build/fuzz/summary.txt: inputs executed, executions
# per second, coverage (libFuzzer's "cov:", edges reached, and "ft:", features) and the corpus size.
#
# A crash found: reproduce it with build/fuzz/fuzz/<target>_fuzz CRASH_FILE, minimise it with
# -minimize_crash=1 -runs=10000, fix the code, and add the minimised file to fuzz/regressions/<target>/
# so that the replay tests (ctest -R fuzz.replay) keep it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2; }
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(workflow_loader expression docx_template api_json)
fi

scripts/install-deps.sh --with-tests
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

out=build/fuzz
rm -rf "$out/crashes" "$out/logs"
mkdir -p "$out/crashes" "$out/logs" "$out/corpus"
: >"$out/summary.txt"
failed=()
for target in "${targets[@]}"; do
  binary="$out/fuzz/${target}_fuzz"
  [[ -x "$binary" && -d "fuzz/corpus/$target" ]] || { echo "fuzz.sh: no target $target" >&2; exit 2; }
  corpus="$out/corpus/$target"
  rm -rf "$corpus"
  cp -r "fuzz/corpus/$target" "$corpus"
  mkdir -p "$out/crashes/$target"
  dict=()
  [[ -f "fuzz/$target.dict" ]] && dict=("-dict=fuzz/$target.dict")
  log="$out/logs/$target.log"
  echo "fuzz.sh: $target for ${seconds}s"
  status=0
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "$binary" "$corpus" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$target/" >"$log" 2>&1 || status=$?

  # The last status line ("#N DONE cov: C ft: F corp: K/S ... exec/s: E") and the final stats.
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  crashes=$(find "$out/crashes/$target" -type f ! -name 'slow-unit-*' | wc -l)
  line="$target: runs=${runs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${files} files/${bytes} bytes"
  line+=" time=${seconds}s crashes=${crashes} exit=${status}"
  echo "$line" | tee -a "$out/summary.txt"
  if ((status != 0 || crashes > 0)); then
    failed+=("$target")
    echo "fuzz.sh: $target FAILED; the end of $log:" >&2
    grep -v -E '^#[0-9]+' "$log" | tail -n 40 >&2
    find "$out/crashes/$target" -type f | sed 's/^/  saved: /' >&2
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: crashes found in: ${failed[*]} (inputs in $out/crashes/)" >&2
  exit 1
fi
echo "fuzz.sh: no crashes (summary in $out/summary.txt)"
