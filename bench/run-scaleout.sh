#!/usr/bin/env bash
# The scale-out benchmark (issue 10): durable form writes per second (and reads) with `spegla serve` on
#   sqlite  SQLite (WAL, synchronous=FULL), one process — the peer the others are compared with, measured
#           in the same run
#   pg-1    PostgreSQL, one process
#   pg-2    PostgreSQL, two processes on the same database, driven at once with the bearer token that
#           process 1 gave (sessions live in the database, so process 2 accepts it)
# PostgreSQL is a throwaway cluster of scripts/postgresql-cluster.sh with SPEGLA_PG_DURABLE=1: fsync and
# full_page_writes on, synchronous_commit on (the defaults), so a 2xx answer means on disk, as with SQLite.
# Each case runs on a database filled by `spegla demo --no-documents`, with two KU8 instances made for it
# (admin as rektor; the second takes the drain below), at 64 connections: one wrk (bench/http/scaleout.lua), two threads of 32 connections;
# in pg-2 thread 1 drives process 1 and thread 2 process 2, so the latencies are one histogram.
#   read   GET /api/instances/{id}
#   write  PATCH /api/instances/{id}/forms/ansokan, the text field kontaktperson, a new value each time
#          (If-Match: *), as bench/http/patch_field.lua. The last DRAIN seconds the same PATCH goes to a
#          second instance, so that no write of the measured one is in flight when wrk stops: the script
#          counts its 2xx answers exactly and fails unless the field's version, read from every process,
#          equals that count (a lost update, or a process reading a stale version, would show).
# Prints requests/s, p50, p99, the ratio to sqlite of the same round, CPU seconds of the servers and of
# PostgreSQL per 1,000 requests, and PostgreSQL's ERROR/FATAL/PANIC lines (its log is kept as
# WORKDIR/postgresql.log, the servers' output as WORKDIR/*.out and *.err); fails on any answer that is not
# 2xx. Figures go into docs/performance.md.
# Usage: bench/run-scaleout.sh [WORKDIR]
#   SPEGLA_BENCH_SECONDS    seconds per wrk run (default 10; writes run DRAIN = 2 seconds longer)
#   SPEGLA_BENCH_ROUNDS     rounds of the three cases (default 1)
#   SPEGLA_BENCH_INSTANCES  demo instances in each database (default 500)
#   SPEGLA_BENCH_BUILD      the build directory (default build/release, configured with the release preset)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(realpath -m "${1:-/tmp/spegla-bench-scaleout}")
build=$(realpath -m "${SPEGLA_BENCH_BUILD:-$root/build/release}")
seconds=${SPEGLA_BENCH_SECONDS:-10}
rounds=${SPEGLA_BENCH_ROUNDS:-1}
instances=${SPEGLA_BENCH_INSTANCES:-500}
connections=64
drain=2
command -v wrk >/dev/null || { echo "needs wrk (Debian): scripts/install-deps.sh --with-tests" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }
command -v psql >/dev/null || { echo "needs psql (Debian: postgresql-client)" >&2; exit 1; }

(cd "$root" && cmake --preset release -B "$build" >/dev/null)
cmake --build "$build" --target spegla >/dev/null
spegla=$build/spegla
"$root/scripts/postgresql-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/sqlite" "$work/pg-templates"
cd "$work"
export SPEGLA_ADMIN_PASSWORD=bench-admin-password SPEGLA_ACCESS_LOG=off

declare -A pids ports
# The cluster's data folder: named in DIR/datadir by scripts/postgresql-cluster.sh (DIR/data before).
pg_data() { cat "$work/pg/datadir" 2>/dev/null || echo "$work/pg/data"; }
stop_server() {  # NAME
  local pid=${pids[$1]:-}
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pids[$1]=""
  fi
}
cleanup() {
  for name in "${!pids[@]}"; do stop_server "$name"; done
  # The cluster's log goes with its data directory: keep a copy.
  cp "$(pg_data)/server.log" "$work/postgresql.log" 2>/dev/null || true
  "$root/scripts/postgresql-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
start_server() {  # NAME DB [ENV=VALUE...]: sets pids[NAME] and ports[NAME]
  local name=$1 db=$2
  shift 2
  # Emptied here, not only by the child's redirection: the loop below must not read the last server's port.
  : >"$name.out"
  env "$@" "$spegla" serve --db "$db" --port 0 >"$name.out" 2>>"$name.err" &
  pids[$name]=$!
  local port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$name.out")
    if [[ -n "$port" ]]; then
      ports[$name]=$port
      return 0
    fi
    kill -0 "${pids[$name]}" 2>/dev/null || { echo "$name did not start:" >&2; cat "$name.err" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2
  exit 1
}

json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
sign_in() {  # PORT -> bearer token
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$SPEGLA_ADMIN_PASSWORD\"}" "http://127.0.0.1:$1/api/session" |
    json 'd["token"]'
}
new_instance() {  # PORT TOKEN TITLE -> id of a new KU8 instance with admin as rektor
  local base=http://127.0.0.1:$1 auth=(-H "Authorization: Bearer $2" -H 'Content-Type: application/json')
  local unit id
  unit=$(curl -sf "${auth[@]}" "$base/api/units?limit=1" | json 'd["items"][0]["id"]')
  id=$(curl -sf "${auth[@]}" -d "{\"workflow\":\"ku8-larande-besok\",\"unit_id\":$unit,\"title\":\"$3\"}" \
    "$base/api/instances" | json 'd["id"]')
  curl -sf "${auth[@]}" -d '{"role":"rektor","username":"admin"}' "$base/api/instances/$id/participants" >/dev/null
  echo "$id"
}
field_version() {  # PORT TOKEN INSTANCE -> the version of ansokan.kontaktperson as that process answers it
  curl -sf -H "Authorization: Bearer $2" "http://127.0.0.1:$1/api/instances/$3/forms/ansokan" |
    json '[f["version"] for f in d["fields"] if f["id"]=="kontaktperson"][0]'
}

# CPU seconds (user + system) of a process and everything below it, the children that ended included.
cpu_seconds() {  # PID...
  /usr/bin/python3 - "$@" <<'EOF'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
def fields(pid):
    try:
        text = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()
children = {}
for entry in os.listdir("/proc"):
    if entry.isdigit() and (f := fields(entry)):
        children.setdefault(f[1], []).append(entry)
def tree(pid):
    f = fields(pid)
    if not f:
        return 0
    return sum(int(x) for x in f[11:15]) + sum(tree(child) for child in children.get(pid, []))
print(f"{sum(tree(pid) for pid in sys.argv[1:]) / tick:.3f}")
EOF
}
postmaster() { head -n 1 "$(pg_data)/postmaster.pid"; }

# One wrk run over PORTS (comma-separated: one process or two). Prints its line, appends to results, and adds
# to failures any answer not 2xx, socket error, or (writes) a field version other than the 2xx count.
results=()
failures=()
measure() {  # ROUND CASE MODE PORTS TOKEN INSTANCE DRAIN_INSTANCE SERVER_PIDS
  local round=$1 case=$2 mode=$3 port_list=$4 token=$5 instance=$6 drain_instance=$7 server_pids=$8
  local first_port=${port_list%%,*} path duration=$seconds out="wrk-$round-$case-$3.txt"
  if [[ $mode == write ]]; then
    path=/api/instances/$instance/forms/ansokan
    duration=$((seconds + drain))
  else
    path=/api/instances/$instance
  fi
  local pg_pid="" cpu_server0 cpu_pg0=0 cpu_server1 cpu_pg1=0 version0=""
  [[ $case == sqlite ]] || pg_pid=$(postmaster)
  [[ $mode == write ]] && version0=$(field_version "$first_port" "$token" "$instance")
  cpu_server0=$(cpu_seconds $server_pids)
  [[ -n "$pg_pid" ]] && cpu_pg0=$(cpu_seconds "$pg_pid")
  SPEGLA_MODE=$mode SPEGLA_TOKEN=$token SPEGLA_PORTS=$port_list SPEGLA_FIELD=kontaktperson \
    SPEGLA_WRITE_SECONDS=$seconds SPEGLA_DRAIN_INSTANCE=$drain_instance \
    wrk -t2 -c$connections -d"${duration}s" --latency -s "$root/bench/http/scaleout.lua" \
    "http://127.0.0.1:$first_port$path" >"$out"
  cpu_server1=$(cpu_seconds $server_pids)
  [[ -n "$pg_pid" ]] && cpu_pg1=$(cpu_seconds "$pg_pid")
  local rps p50 p99 total bad errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  total=$(awk '/requests in/ {print $1}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")
  errors=$(sed -n 's/^ *Socket errors: *//p' "$out")
  local per1000
  per1000=$(/usr/bin/python3 -c "
n = $total / 1000
print(f'{($cpu_server1 - $cpu_server0) / n:.2f} {($cpu_pg1 - $cpu_pg0) / n:.2f}')")
  local line
  line=$(printf '%-6s %-5s %10s req/s  p50 %9s  p99 %9s  CPU s/1000: spegla %s, postgres %s' \
    "$case" "$mode" "$rps" "$p50" "$p99" ${per1000})
  [[ -n "${bad:-}" ]] && { line+="  NON-2XX $bad"; failures+=("round $round $case $mode: $bad answers not 2xx"); }
  [[ -n "${errors:-}" ]] && { line+="  SOCKET ERRORS $errors"; failures+=("round $round $case $mode: socket errors $errors"); }
  if [[ $mode == write ]]; then
    # Every measured write was answered (none in flight at the end), and the field counts exactly those.
    local sent answered check=ok versions="" v
    sent=$(awk '/^scaleout / {for (i = 2; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "sent") s += kv[2]}} END {print s + 0}' "$out")
    answered=$(awk '/^scaleout / {for (i = 2; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "answered_2xx") s += kv[2]}} END {print s + 0}' "$out")
    IFS=, read -ra each_port <<<"$port_list"
    for p in "${each_port[@]}"; do
      v=$(field_version "$p" "$token" "$instance")
      versions+="${versions:+, }$v"
      if ((v - version0 != answered)); then check="LOST UPDATE"; fi
    done
    if ((sent != answered)); then
      check="INCONCLUSIVE ($((sent - answered)) measured writes not answered 2xx by the end)"
    fi
    line+=$'\n'"       writes to the measured field answered 2xx: $answered of $sent sent; its version $version0 -> $versions (read from each process): $check"
    [[ $check == ok ]] || failures+=("round $round $case write: $check (answered $answered, sent $sent, version $version0 -> $versions)")
  fi
  echo "$line"
  results+=("$round $case $mode $rps $p50 $p99")
}

# SQLite: first start (workflows and admin), the demo data, then the server for the runs.
start_server sqlite sqlite/bench.db
stop_server sqlite
"$spegla" demo --db sqlite/bench.db --instances "$instances" --no-documents >sqlite-demo.log 2>&1
start_server sqlite sqlite/bench.db

# PostgreSQL: a durable cluster, the database bench, first start of process 1, the demo data.
SPEGLA_PG_DURABLE=1 "$root/scripts/postgresql-cluster.sh" start "$work/pg" >/dev/null
pg_url=$(sed 's|/postgres$|/bench|' "$work/pg/url")
psql -q "$(cat "$work/pg/url")" -c 'CREATE DATABASE bench'
pg_settings=$(psql -At "$pg_url" -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
  WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit', 'wal_sync_method')")
pg_env=(SPEGLA_TEMPLATES="$work/pg-templates")
start_server pg1 "$pg_url" "${pg_env[@]}"
stop_server pg1
"$spegla" demo --db "$pg_url" --instances "$instances" --no-documents >pg-demo.log 2>&1 || {
  echo "spegla demo on PostgreSQL failed:" >&2
  tail -n 20 pg-demo.log >&2
  exit 1
}
start_server pg1 "$pg_url" "${pg_env[@]}"

echo "spegla serve, $(nproc) cores, wrk -t2 -c$connections, ${seconds}s per run (writes +${drain}s), $instances demo instances, $rounds round(s)"
echo "PostgreSQL $(psql -At "$pg_url" -c 'SHOW server_version'): $pg_settings"
ms() {  # wrk's "12.34ms" / "1.20s" / "800.00us" -> milliseconds
  /usr/bin/python3 -c "
import re,sys; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); n=float(m.group(1))
print(n/1000 if m.group(2)=='us' else n*1000 if m.group(2)=='s' else n)" "$1"
}
for round in $(seq 1 "$rounds"); do
  echo "round $round"
  # Each case gets its own instances (made through process 1), so each field's version starts at 0.
  token=$(sign_in "${ports[sqlite]}")
  a=$(new_instance "${ports[sqlite]}" "$token" "Mätning $round")
  b=$(new_instance "${ports[sqlite]}" "$token" "Avslut $round")
  measure "$round" sqlite read "${ports[sqlite]}" "$token" "$a" "$b" "${pids[sqlite]}"
  measure "$round" sqlite write "${ports[sqlite]}" "$token" "$a" "$b" "${pids[sqlite]}"

  token=$(sign_in "${ports[pg1]}")
  a=$(new_instance "${ports[pg1]}" "$token" "Mätning $round")
  b=$(new_instance "${ports[pg1]}" "$token" "Avslut $round")
  measure "$round" pg-1 read "${ports[pg1]}" "$token" "$a" "$b" "${pids[pg1]}"
  measure "$round" pg-1 write "${ports[pg1]}" "$token" "$a" "$b" "${pids[pg1]}"

  # Process 2 starts on the database process 1 has installed, and is given process 1's token only.
  start_server pg2 "$pg_url" "${pg_env[@]}"
  token=$(sign_in "${ports[pg1]}")
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:${ports[pg2]}/api/instances?limit=1" || {
    echo "process 2 refused the token process 1 gave" >&2
    exit 1
  }
  a=$(new_instance "${ports[pg1]}" "$token" "Mätning $round, två processer")
  b=$(new_instance "${ports[pg1]}" "$token" "Avslut $round, två processer")
  measure "$round" pg-2 read "${ports[pg1]},${ports[pg2]}" "$token" "$a" "$b" "${pids[pg1]} ${pids[pg2]}"
  measure "$round" pg-2 write "${ports[pg1]},${ports[pg2]}" "$token" "$a" "$b" "${pids[pg1]} ${pids[pg2]}"
  stop_server pg2
done

echo "ratios to sqlite in the same round (requests/s; p99):"
for result in "${results[@]}"; do
  read -r round case mode rps p50 p99 <<<"$result"
  [[ $case == sqlite ]] && continue
  for peer in "${results[@]}"; do
    read -r round2 case2 mode2 rps2 _ p992 <<<"$peer"
    if [[ $round2 == "$round" && $case2 == sqlite && $mode2 == "$mode" ]]; then
      printf '  round %s %-5s %-5s %6s x  p99 %6s x\n' "$round" "$case" "$mode" \
        "$(/usr/bin/python3 -c "print(f'{$rps / $rps2:.3f}')")" \
        "$(/usr/bin/python3 -c "print(f'{$(ms "$p99") / $(ms "$p992"):.1f}')")"
    fi
  done
done
for name in sqlite pg1 pg2; do
  if [[ -s "$name.err" ]] && grep -qv -e '^spegla: installed workflow' -e '^Created the account' "$name.err"; then
    echo "standard error of $name:"
    grep -v -e '^spegla: installed workflow' -e '^Created the account' "$name.err" | tail -n 20
  fi
done
if grep -E -q '(ERROR|FATAL|PANIC):' "$(pg_data)/server.log"; then
  echo "PostgreSQL's log has errors:"
  grep -E '(ERROR|FATAL|PANIC):' "$(pg_data)/server.log" | sed -E 's/^[^[]*\[[0-9]+\] //' | sort | uniq -c |
    sort -rn | head -n 20
fi
if ((${#failures[@]})); then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
