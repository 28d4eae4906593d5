#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the store's tests, with all state in one folder.
#
#   pg_cluster.sh up STATE_DIR     initdb + start; prints `export PCANNO_PG_...=...` lines
#   pg_cluster.sh stop STATE_DIR   stops the server (the data stays, for restart tests)
#   pg_cluster.sh start STATE_DIR  starts it again on the same port and socket folder
#   pg_cluster.sh down STATE_DIR   stops it and removes the data and the socket folder
#
# Listens on 127.0.0.1 only. pg_hba: the local socket trusts the superuser `postgres` and nobody
# else; TCP from 127.0.0.1 needs a scram-sha-256 password. Exit 3 (one line on stderr) when this
# machine cannot run it: not root, or postgresql-15 is not installed.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
export LC_ALL=C.UTF-8

usage() { echo "usage: $0 up|stop|start|down STATE_DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
state=$2

if [[ $(id -u) -ne 0 ]]; then
  echo "pg_cluster.sh: needs root (initdb runs as the postgres user via runuser)" >&2
  exit 3
fi
if [[ ! -x $PGBIN/initdb || ! -x $PGBIN/pg_ctl ]]; then
  echo "pg_cluster.sh: $PGBIN is missing (apt-get install postgresql-15)" >&2
  exit 3
fi
if ! id postgres >/dev/null 2>&1; then
  echo "pg_cluster.sh: there is no postgres user (apt-get install postgresql-15)" >&2
  exit 3
fi

as_postgres() { (cd / && /usr/sbin/runuser -u postgres -- "$@"); }

print_exports() {
  echo "export PCANNO_PG_PORT=$(cat "$state/port") PCANNO_PG_HOST=127.0.0.1" \
       "PCANNO_PG_SOCKET=$(cat "$state/socketdir") PCANNO_PG_DATA=$state/data"
}

start_server() {
  local port socket
  port=$(cat "$state/port")
  socket=$(cat "$state/socketdir")
  as_postgres "$PGBIN/pg_ctl" -D "$state/data" -l "$state/log/server.log" -w -t 30 \
    -o "-p $port -k $socket -c listen_addresses=127.0.0.1" start >/dev/null || return 1
  # The postmaster's PID is the first line of postmaster.pid: record it to stop only that.
  head -n 1 "$state/data/postmaster.pid" >"$state/pid" || return 1
}

stop_server() {
  [[ -f $state/pid ]] || return 0
  local pid
  pid=$(cat "$state/pid")
  if kill -0 "$pid" 2>/dev/null && [[ -f $state/data/postmaster.pid ]] &&
     [[ $(head -n 1 "$state/data/postmaster.pid") == "$pid" ]]; then
    as_postgres "$PGBIN/pg_ctl" -D "$state/data" -m fast -w -t 30 stop >/dev/null ||
      kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$state/pid"
}

case $cmd in
  up)
    mkdir -p "$state"
    chmod 0711 "$state"  # postgres must pass through to its own data folder
    mkdir -p "$state/data"
    chown postgres:postgres "$state/data"
    chmod 0700 "$state/data"
    mkdir -p "$state/log"
    chown postgres:postgres "$state/log"
    # A short private socket folder: the socket path must stay under 107 bytes.
    socket=$(mktemp -d /tmp/pcpg.XXXXXX)
    chown postgres:postgres "$socket"
    chmod 0700 "$socket"
    echo "$socket" >"$state/socketdir"
    as_postgres "$PGBIN/initdb" -D "$state/data" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 -N >"$state/initdb.log" 2>&1 ||
      { echo "pg_cluster.sh: initdb failed, see $state/initdb.log" >&2; exit 1; }
    cat >"$state/data/pg_hba.conf" <<'EOF'
# pcanno test cluster: the superuser over the local socket, everyone else with a password.
local   all   postgres                 trust
host    all   all        127.0.0.1/32  scram-sha-256
EOF
    echo "password_encryption = 'scram-sha-256'" >>"$state/data/postgresql.conf"
    started=0
    for _ in $(seq 1 20); do
      port=$((20000 + RANDOM % 12000))
      # Skip ports something already listens on; the server's own bind is the final check.
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
      echo "$port" >"$state/port"
      if start_server 2>>"$state/start.log"; then started=1; break; fi
    done
    if [[ $started -ne 1 ]]; then
      echo "pg_cluster.sh: could not start the server, see $state/log/server.log" >&2
      exit 1
    fi
    print_exports
    ;;
  start)
    [[ -f $state/port ]] || { echo "pg_cluster.sh: $state holds no cluster" >&2; exit 1; }
    start_server
    print_exports
    ;;
  stop)
    stop_server
    ;;
  down)
    stop_server
    if [[ -f $state/socketdir ]]; then
      socket=$(cat "$state/socketdir")
      [[ $socket == /tmp/pcpg.* ]] && rm -rf "$socket"
    fi
    rm -rf "$state/data" "$state/log" "$state/port" "$state/socketdir" "$state"/*.log
    rmdir "$state" 2>/dev/null || true
    ;;
  *) usage ;;
esac
