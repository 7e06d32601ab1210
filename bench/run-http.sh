#!/usr/bin/env bash
# The HTTP benchmark (issue 6): `spegla serve` (release build) on loopback, driven by wrk at 64 connections.
#   health   GET /api/health: the transport alone (no session, no database) — the peer the others are
#            compared with, measured in the same run
#   read     GET /api/instances/{id} with a bearer token: session lookup, permission check, the instance's
#            state and its JSON
#   read-any GET /api/instances/{id} over every instance of the demo database in turn (each read loads
#            the instance from the database)
#   write    PATCH /api/instances/{id}/forms/ansokan, one text field, a new value each time: a durable commit
#            per request (SQLite WAL, synchronous=FULL)
# Prints requests/s and latency percentiles for each, the ratios to the health floor, and whether the targets
# hold (reads >= 20,000/s; writes >= 2,000/s with p99 < 20 ms). Figures go into docs/performance.md.
# Usage: bench/run-http.sh [WORKDIR]
#   SPEGLA_BENCH_SECONDS    seconds per wrk run (default 10)
#   SPEGLA_BENCH_INSTANCES  demo instances in the database (default 500)
#   SPEGLA_BENCH_BUILD      the build directory (default build/release, configured with the release preset)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/spegla-bench-http}
build=$(realpath -m "${SPEGLA_BENCH_BUILD:-$root/build/release}")
seconds=${SPEGLA_BENCH_SECONDS:-10}
instances=${SPEGLA_BENCH_INSTANCES:-500}
connections=64
command -v wrk >/dev/null || { echo "needs wrk (Debian): scripts/install-deps.sh --with-tests" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }

(cd "$root" && cmake --preset release -B "$build" >/dev/null)
cmake --build "$build" --target spegla >/dev/null
spegla=$build/spegla
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export SPEGLA_ADMIN_PASSWORD=bench-admin-password SPEGLA_ACCESS_LOG=off

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT
start_server() {
  # Emptied here, not only by the child's redirection: the loop below must not read the last server's port.
  : >server.out
  "$spegla" serve --db bench.db --port 0 >server.out 2>server.err &
  server_pid=$!
  for _ in $(seq 1 200); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' server.out)
    [[ -n "$port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat server.err >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not start" >&2
  exit 1
}

# First start on an empty database makes the admin and installs the workflows; then the demo data.
start_server
stop_server
"$spegla" demo --db bench.db --instances "$instances" --no-documents >demo.log 2>&1
start_server
base=http://127.0.0.1:$port

json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
token=$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$SPEGLA_ADMIN_PASSWORD\"}" "$base/api/session" | json 'd["token"]')
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
unit=$(curl -sf "${auth[@]}" "$base/api/units?limit=1" | json 'd["items"][0]["id"]')
instance=$(curl -sf "${auth[@]}" -d "{\"workflow\":\"ku8-larande-besok\",\"unit_id\":$unit,\"title\":\"Mätning\"}" \
  "$base/api/instances" | json 'd["id"]')
curl -sf "${auth[@]}" -d '{"role":"rektor","username":"admin"}' "$base/api/instances/$instance/participants" >/dev/null
ids=$(curl -sf "${auth[@]}" "$base/api/instances?limit=500" | json '",".join(str(i["id"]) for i in d["items"])')

# wrk prints its own latency percentiles with --latency; keep requests/s, p50, p99 and non-2xx counts.
run() {  # NAME SCRIPT URL
  local name=$1 script=$2 url=$3
  SPEGLA_TOKEN=$token SPEGLA_FIELD=kontaktperson SPEGLA_IDS=$ids \
    wrk -t2 -c$connections -d"${seconds}s" --latency -s "$root/bench/http/$script" "$url" >"wrk-$name.txt"
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' "wrk-$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "wrk-$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "wrk-$name.txt")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "wrk-$name.txt")
  printf '%-9s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${bad:-0}"
  eval "rps_${name//-/_}=$rps; p99_${name//-/_}=$p99; bad_${name//-/_}=${bad:-0}"
}

echo "spegla serve, $(nproc) cores, wrk -t2 -c$connections -d${seconds}s, $instances demo instances"
run health get.lua "$base/api/health"
run read get.lua "$base/api/instances/$instance"
run read-any get_many.lua "$base/api/instances/"
run write patch_field.lua "$base/api/instances/$instance/forms/ansokan"

ms() {  # wrk's "12.34ms" / "1.20s" / "800.00us" -> milliseconds
  /usr/bin/python3 -c "
import re,sys; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); n=float(m.group(1))
print(n/1000 if m.group(2)=='us' else n*1000 if m.group(2)=='s' else n)" "$1"
}
ratio() { /usr/bin/python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.2f}')"; }
echo "ratio to the health floor: read $(ratio "$rps_read" "$rps_health")x, read-any $(ratio "$rps_read_any" "$rps_health")x, write $(ratio "$rps_write" "$rps_health")x"
verdict() { if /usr/bin/python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo "met"; else echo "MISSED"; fi; }
echo "target reads >= 20000/s: $(verdict "$rps_read >= 20000")"
echo "target writes >= 2000/s with p99 < 20 ms: $(verdict "$rps_write >= 2000 and $(ms "$p99_write") < 20")"
# Every write was committed: the field's version counts them.
version=$(curl -sf "${auth[@]}" "$base/api/instances/$instance/forms/ansokan" |
  json '[f["version"] for f in d["fields"] if f["id"]=="kontaktperson"][0]')
echo "field version after the run: $version (writes answered 2xx: every one is in the database)"
for n in health read read_any write; do
  b="bad_$n"
  [[ "${!b}" == 0 ]] || { echo "$n: ${!b} answers were not 2xx" >&2; exit 1; }
done
