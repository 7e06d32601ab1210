#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the tests and benchmarks that run on PostgreSQL.
#
#   scripts/postgresql-cluster.sh start DIR   initdb in a new folder under /tmp (named in DIR/datadir), start
#                                             it on a free port of 127.0.0.1, and write its URL
#                                             (postgresql://spegla@127.0.0.1:PORT/postgres) to DIR/url; a
#                                             cluster already running there is stopped first
#   scripts/postgresql-cluster.sh stop DIR    stop it and remove its folder
#
# PostgreSQL refuses to run as root: run as root (CI), the cluster belongs to the system user spegla-pg,
# made here if missing. Trust authentication on loopback only: nothing outside the machine reaches it.
# Durability is off (fsync, full_page_writes), since the cluster is thrown away. SPEGLA_PG_DURABLE=1 leaves
# both at PostgreSQL's defaults (on; synchronous_commit is on either way), for benchmarks that must compare
# with SQLite's synchronous=FULL.
set -euo pipefail

command="${1:-}"
dir="${2:-}"
[[ "$command" =~ ^(start|stop)$ && -n "$dir" ]] || {
  echo "usage: scripts/postgresql-cluster.sh start|stop DIR" >&2
  exit 2
}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bin/initdb" ]] || { echo "postgresql-cluster.sh: no PostgreSQL server (scripts/install-deps.sh --with-tests)" >&2; exit 1; }

as_owner=()
if [[ $(id -u) == 0 ]]; then
  id spegla-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin spegla-pg
  as_owner=(runuser -u spegla-pg --)
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  # DIR/datadir names where the running cluster's data is.
  local data
  data=$(cat "$dir/datadir" 2>/dev/null || true)
  if [[ -n "$data" && -f "$data/postmaster.pid" ]]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [[ -n "$data" ]] && rm -rf "$data"
  rm -f "$dir/url" "$dir/datadir"
}

if [[ "$command" == stop ]]; then
  stop
  exit 0
fi

stop
# The data lives under /tmp, which the owner can reach even when DIR's parents are private to root.
data=$(mktemp -d /tmp/spegla-postgresql-XXXXXX)
echo "$data" >"$dir/datadir"
if ((${#as_owner[@]})); then
  chown spegla-pg "$data"
  chmod 700 "$data"
  # runuser keeps root's working directory, which the owner may not enter.
  cd /
fi
durability=(-c fsync=off -c full_page_writes=off)
initdb_sync=(--no-sync)
if [[ "${SPEGLA_PG_DURABLE:-0}" == 1 ]]; then
  durability=()
  initdb_sync=()
fi
"${as_owner[@]}" "$bin/initdb" -D "$data" -U spegla -A trust -E UTF8 --locale=C.UTF-8 "${initdb_sync[@]}" >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_owner[@]}" "$bin/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $data ${durability[*]} -c max_connections=200" \
  start >/dev/null || {
  cat "$data/server.log" >&2
  exit 1
}
echo "postgresql://spegla@127.0.0.1:$port/postgres" >"$dir/url"
cat "$dir/url"
