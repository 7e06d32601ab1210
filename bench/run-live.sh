#!/usr/bin/env bash
# The live-collaboration benchmark (issue 8): `spegla serve` (release build) on loopback, N WebSocket clients
# on one instance's live channel (docs/collaboration.md) while one writer saves a field of the instance's
# ansokan form 50 times a second (`PATCH … If-Match: *`, a durable commit each, on one keep-alive
# connection). Every save must reach every client: delivery latency = the client's receive time - the
# writer's send time, in one process on one clock. The peer in the same run is the writer's own ack (the
# PATCH's round trip): delivery p99 / ack p99 says what the fan-out adds to the save itself.
# Target: 200 clients, 50 edits/s, delivery p99 < 50 ms, nothing lost. Figures go into docs/performance.md.
# Usage: bench/run-live.sh [WORKDIR]
#   SPEGLA_BENCH_SECONDS  seconds of edits per run (default 20)
#   SPEGLA_BENCH_CLIENTS  the runs, by number of clients (default "200 50": the target, then a comparison)
#   SPEGLA_BENCH_RATE     edits per second (default 50)
#   SPEGLA_BENCH_BUILD    the build directory (default build/release, configured with the release preset)
#   SPEGLA_BENCH_JOBS     parallel compile jobs (default 2)
# The server has no connection limit of its own; the clients need one descriptor each, in both processes,
# so the open-file limit must allow a few hundred (Debian's soft default 1024 does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/spegla-bench-live}
build=$(realpath -m "${SPEGLA_BENCH_BUILD:-$root/build/release}")
seconds=${SPEGLA_BENCH_SECONDS:-20}
runs=${SPEGLA_BENCH_CLIENTS:-200 50}
rate=${SPEGLA_BENCH_RATE:-50}
jobs=${SPEGLA_BENCH_JOBS:-2}
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }

(cd "$root" && cmake --preset release -B "$build" >/dev/null)
# spegla_live_bench is EXCLUDE_FROM_ALL (a Beast client the normal build does not need): built by name.
cmake --build "$build" --target spegla spegla_live_bench -j "$jobs" >/dev/null
spegla=$build/spegla
bench=$build/bench/spegla_live_bench
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

# First start on an empty database makes the admin and installs the workflows; a few demo instances give
# the units; then the server for the runs.
start_server
stop_server
"$spegla" demo --db bench.db --instances 10 --no-documents >demo.log 2>&1
start_server
base=http://127.0.0.1:$port

json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
token=$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$SPEGLA_ADMIN_PASSWORD\"}" "$base/api/session" | json 'd["token"]')
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
unit=$(curl -sf "${auth[@]}" "$base/api/units?limit=1" | json 'd["items"][0]["id"]')
instance=$(curl -sf "${auth[@]}" -d "{\"workflow\":\"ku8-larande-besok\",\"unit_id\":$unit,\"title\":\"Mätning live\"}" \
  "$base/api/instances" | json 'd["id"]')
# The rektor may write ansokan; admin watches the channel too (an administrator may read the history).
curl -sf "${auth[@]}" -d '{"role":"rektor","username":"admin"}' "$base/api/instances/$instance/participants" >/dev/null

echo "spegla serve, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); instance $instance," \
  "field ansokan/kontaktperson, $rate edits/s for ${seconds}s"
# CPU seconds the server has used so far (user + system, from /proc).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$server_pid/stat"; }
timed=()  # the benchmark's own CPU time, when GNU time is there (Debian package time)
status=0
for clients in $runs; do
  echo
  echo "== $clients clients"
  [[ ! -x /usr/bin/time ]] ||
    timed=(/usr/bin/time -f "bench process CPU %U s user + %S s system over %e s" -o "time-$clients.txt")
  before=$(server_cpu)
  "${timed[@]}" "$bench" --port "$port" --token "$token" --instance "$instance" --clients "$clients" --rate "$rate" \
    --seconds "$seconds" --form ansokan --field kontaktperson | tee "live-$clients.txt" || status=1
  [[ ${#timed[@]} == 0 ]] || cat "time-$clients.txt"
  echo "server CPU $(/usr/bin/python3 -c "print(f'{$(server_cpu) - $before:.2f}')") s during the run"
done
# Every answered write is in the database: the field's version counts them (plus the demo's, none here).
version=$(curl -sf "${auth[@]}" "$base/api/instances/$instance/forms/ansokan" |
  json '[f["version"] for f in d["fields"] if f["id"]=="kontaktperson"][0]')
echo
echo "field version after the runs: $version"
exit $status
