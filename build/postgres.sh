#!/usr/bin/env bash
# A local PostgreSQL for development, tests and benchmarks.
#   build/postgres.sh start|stop|restart|status|url
# Idempotent. Env: ACADEMY_PG_DIR (default /tmp/academy-video-pg), ACADEMY_PG_PORT (default 55432).
# The data directory lives outside the repository because the postgres user must be able to reach it.
set -euo pipefail

PG_DIR="${ACADEMY_PG_DIR:-/tmp/academy-video-pg}"
PG_PORT="${ACADEMY_PG_PORT:-55432}"
PG_HOST="127.0.0.1"
PG_DATABASE="academy_video"
PG_USER="postgres"
PG_LOG="$PG_DIR/postgres.log"

usage() {
    echo "usage: $0 start|stop|restart|status|url" >&2
    exit 2
}

find_bin_dir() {
    local initdb
    initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$initdb" ]] && dirname "$initdb"
}

ensure_installed() {
    if [[ -z "$(find_bin_dir)" ]]; then
        echo "PostgreSQL not found; installing the Debian package..." >&2
        if [[ "$(id -u)" -ne 0 ]]; then
            echo "Installing needs root (apt-get)." >&2
            exit 1
        fi
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
    fi
    # The Debian package may start its own cluster on 5432; ours is separate and does not need it.
    BIN_DIR="$(find_bin_dir)"
}

# initdb and pg_ctl refuse to run as root: run them as the postgres user.
as_postgres() {
    if [[ "$(id -un)" == "$PG_USER" ]]; then
        "$@"
    elif [[ "$(id -u)" -eq 0 ]]; then
        runuser -u "$PG_USER" -- "$@"
    else
        # Not root and not postgres: run as ourselves (works when we own the data directory).
        "$@"
    fi
}

is_running() {
    [[ -f "$PG_DIR/PG_VERSION" ]] && as_postgres "$BIN_DIR/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1
}

connection_string() {
    echo "Host=$PG_HOST;Port=$PG_PORT;Username=$PG_USER;Database=$PG_DATABASE"
}

psql_admin() {
    as_postgres "$BIN_DIR/psql" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

start() {
    ensure_installed
    if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
        mkdir -p "$PG_DIR"
        if [[ "$(id -u)" -eq 0 ]]; then
            chown "$PG_USER" "$PG_DIR"
        fi
        chmod 700 "$PG_DIR"
        as_postgres "$BIN_DIR/initdb" -D "$PG_DIR" -U "$PG_USER" --auth-local=trust --auth-host=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        {
            echo "listen_addresses = '$PG_HOST'"
            echo "port = $PG_PORT"
            echo "unix_socket_directories = '$PG_DIR'"
            echo "max_connections = 200"
            echo "shared_buffers = 256MB"
            # A disposable development server: durability traded for speed.
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        } >>"$PG_DIR/postgresql.conf"
        {
            echo "local all all trust"
            echo "host all all 127.0.0.1/32 trust"
        } >"$PG_DIR/pg_hba.conf"
    fi

    if ! is_running; then
        as_postgres "$BIN_DIR/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null
    fi

    for _ in $(seq 1 60); do
        if as_postgres "$BIN_DIR/pg_isready" -h "$PG_HOST" -p "$PG_PORT" -q; then
            break
        fi
        sleep 0.5
    done

    if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != "1" ]]; then
        psql_admin -c "CREATE DATABASE $PG_DATABASE"
    fi
    echo "PostgreSQL running: $(connection_string)"
}

stop() {
    ensure_installed
    if is_running; then
        as_postgres "$BIN_DIR/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null
        echo "PostgreSQL stopped."
    else
        echo "PostgreSQL not running."
    fi
}

# pg_ctl restart: every session is cut, the server comes back on the same port and data.
restart() {
    ensure_installed
    as_postgres "$BIN_DIR/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -m fast -w -t 60 restart >/dev/null
    echo "PostgreSQL restarted: $(connection_string)"
}

status() {
    ensure_installed
    if is_running; then
        echo "running: $(connection_string) (data $PG_DIR)"
    else
        echo "stopped (data $PG_DIR)"
        return 3
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    restart) restart ;;
    status) status ;;
    url) connection_string ;;
    *) usage ;;
esac
