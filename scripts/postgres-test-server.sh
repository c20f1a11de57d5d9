#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#
#   scripts/postgres-test-server.sh start   # prints postgresql://... on stdout (last line)
#   scripts/postgres-test-server.sh stop    # stops the server and removes its files
#   scripts/postgres-test-server.sh status
#
# The cluster lives in a temporary directory owned by a non-root user (PostgreSQL
# refuses to run as root; when run as root the user `forecast-ci` is created if
# missing), listens on 127.0.0.1 on a free private port and on its own unix socket
# directory, trusts local connections, and has one database `forecast_test`.
# The state file ($FORECAST_PG_STATE, default /tmp/forecast-pg-test.state) remembers
# where it is so that `stop` finds it. Typical use in CI:
#
#   export FORECAST_TEST_POSTGRES_URL=$(scripts/postgres-test-server.sh start | tail -1)
#   swift test ...; scripts/postgres-test-server.sh stop
set -euo pipefail

STATE=${FORECAST_PG_STATE:-/tmp/forecast-pg-test.state}
CI_USER=${FORECAST_PG_USER:-forecast-ci}

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    done
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    echo "postgres-test-server: initdb not found; install PostgreSQL (apt-get install postgresql) or set PG_BINDIR" >&2
    exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$CI_USER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    if [ -f "$STATE" ]; then
        echo "postgres-test-server: already started (state in $STATE); run stop first" >&2
        exit 1
    fi
    local bindir; bindir=$(find_bindir)
    local owner
    if [ "$(id -u)" = 0 ]; then
        if ! id "$CI_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$CI_USER"
        fi
        owner=$CI_USER
    else
        owner=$(id -un)
    fi
    local base; base=$(mktemp -d /tmp/forecast-pg.XXXXXX)
    chmod 755 "$base"
    mkdir -p "$base/data" "$base/socket"
    [ "$(id -u)" = 0 ] && chown -R "$owner" "$base"
    local port; port=$(free_port)
    as_owner "$bindir/initdb" -D "$base/data" -U "$owner" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 || {
        cat "$base/initdb.log" >&2; rm -rf "$base"; exit 1; }
    as_owner "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
        -o "-p $port -k $base/socket -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null || {
        cat "$base/server.log" >&2; rm -rf "$base"; exit 1; }
    as_owner "$bindir/createdb" -h "$base/socket" -p "$port" -U "$owner" forecast_test
    printf 'BASE=%q\nBINDIR=%q\nPORT=%q\nOWNER=%q\n' "$base" "$bindir" "$port" "$owner" >"$STATE"
    echo "postgres-test-server: started PostgreSQL in $base (port $port, socket dir $base/socket, user $owner)" >&2
    echo "postgresql://$owner@127.0.0.1:$port/forecast_test"
}

stop() {
    if [ ! -f "$STATE" ]; then
        echo "postgres-test-server: not running (no $STATE)" >&2
        return 0
    fi
    # shellcheck disable=SC1090
    . "$STATE"
    as_owner "$BINDIR/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$BASE" "$STATE"
    echo "postgres-test-server: stopped and removed $BASE" >&2
}

status() {
    if [ ! -f "$STATE" ]; then echo "not running"; return 1; fi
    # shellcheck disable=SC1090
    . "$STATE"
    as_owner "$BINDIR/pg_ctl" -D "$BASE/data" status
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
