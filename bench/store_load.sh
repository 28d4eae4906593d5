#!/usr/bin/env bash
# The store's load test on this machine: a throw-away PostgreSQL 15 cluster (tests/store/pg_cluster.sh,
# root only) and a SQLite file, the same load on each. Prints one JSON line per backend; exits 1 when
# an edit was lost or stored twice.
#
# usage: bench/store_load.sh BUILD_DIR [ANNOTATORS] [EDITS]     (defaults: 50 annotators x 1000 edits)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: $0 BUILD_DIR [ANNOTATORS] [EDITS]}
annotators=${2:-50}
edits=${3:-1000}
load="$build/bench/pcanno_store_load"

state=$(mktemp -d /tmp/pcanno-load.XXXXXX)
chmod 755 "$state"
cleanup() {
  "$here/../tests/store/pg_cluster.sh" down "$state/pg" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

status=0
if exports=$("$here/../tests/store/pg_cluster.sh" up "$state/pg"); then
  eval "$exports"
  (cd / && runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -q -h "$PCANNO_PG_SOCKET" \
    -p "$PCANNO_PG_PORT" -d postgres -c "CREATE DATABASE load" >/dev/null)
  "$load" --admin-db "postgresql:host=$PCANNO_PG_SOCKET port=$PCANNO_PG_PORT dbname=load user=postgres" \
    --annotator-db "postgresql:host=127.0.0.1 port=$PCANNO_PG_PORT dbname=load user={user} password={password}" \
    --annotators "$annotators" --edits "$edits" || status=1
else
  echo "store_load.sh: no PostgreSQL here; SQLite only" >&2
  if [[ -n ${CI:-} ]]; then status=1; fi
fi
[[ -n ${PCANNO_LOAD_SKIP_SQLITE:-} ]] || "$load" --admin-db "sqlite:$state/load.db" --annotator-db "sqlite:$state/load.db" \
  --annotators "$annotators" --edits "$edits" || status=1
exit $status
