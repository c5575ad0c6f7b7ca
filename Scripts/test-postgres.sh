#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the PostgreSQL store (and the benchmark).
#
#   Scripts/test-postgres.sh start [DIR]   create (first time) and start the cluster; prints the
#                                          export lines for the tests, so: eval "$(Scripts/test-postgres.sh start)"
#   Scripts/test-postgres.sh env [DIR]     print the export lines of a running cluster
#   Scripts/test-postgres.sh stop [DIR]    stop it (the folder stays; `rm -rf DIR` removes it)
#
# DIR defaults to $CERTCYCLE_PG_DIR, else /tmp/certcycle-pg; the port to $CERTCYCLE_PG_PORT, else
# 55432. The cluster listens on 127.0.0.1 only, with TLS (a self-signed certificate, so that
# sslmode=require and sslmode=verify-full with sslrootcert=DIR/server.crt can be tested), and has:
#   - the role `certcycle` (LOGIN CREATEDB) with a random password kept in DIR/certcycle.password;
#     the tests create and drop a database of their own per test through it;
#   - the database `certcycle_test` owned by it.
# Password authentication (scram-sha-256) is required over TCP; the superuser `postgres` is reached
# only through the Unix socket in DIR. Needs PostgreSQL's server binaries and openssl
# (Debian: apt-get install postgresql openssl). Run as root, the server runs as `postgres`.
set -euo pipefail

command=${1:-}
DIR=${2:-${CERTCYCLE_PG_DIR:-/tmp/certcycle-pg}}
PORT=${CERTCYCLE_PG_PORT:-55432}
DATA=$DIR/data

say() { echo "test-postgres: $*" >&2; }

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] || { say "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }
  echo "$d"
}

# as_server CMD...: runs CMD as the user the server runs as (postgres when we are root).
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

print_env() {
  local port
  port=$(cat "$DIR/port")
  echo "export CERTCYCLE_TEST_POSTGRES_URL=postgres://certcycle@127.0.0.1:$port/certcycle_test"
  echo "export CERTCYCLE_DB_PASSWORD_FILE=$DIR/certcycle.password"
  echo "export CERTCYCLE_TEST_POSTGRES_CA=$DIR/server.crt"
}

running() { [ -f "$DATA/postmaster.pid" ] && as_server "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
# Answers on its socket within 10 s: a pid file left by a killed server can name a process
# that is still dying, or a PID the system has since given to another program.
answering() {
  local i
  for i in $(seq 1 20); do
    as_server "$BIN/pg_isready" -h "$DIR" -p "$(cat "$DIR/port")" -q 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

case "$command" in
  start)
    BIN=$(bindir)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      command -v openssl >/dev/null || { say "openssl not found (apt-get install openssl)"; exit 1; }
      mkdir -p "$DIR"
      umask 077
      openssl rand -hex 24 > "$DIR/certcycle.password"
      # The superuser's password is never used (socket + trust), but initdb wants one for scram.
      openssl rand -hex 24 > "$DIR/.superuser.password"
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$DIR/server.key" -out "$DIR/server.crt" >/dev/null 2>&1
      chmod 644 "$DIR/server.crt"
      if [ "$(id -u)" = 0 ]; then chown -R postgres "$DIR"; chown root "$DIR/certcycle.password"; fi
      chmod 755 "$DIR"
      as_server "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$DIR/.superuser.password" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
        || { say "initdb failed: see $DIR/initdb.log"; exit 1; }
      cat >> "$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
ssl = on
ssl_cert_file = '$DIR/server.crt'
ssl_key_file = '$DIR/server.key'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
EOF
      echo "$PORT" > "$DIR/port"
    fi
    if ! running || ! answering; then
      rm -f "$DATA/postmaster.pid"
      as_server "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null \
        || { say "the server did not start: see $DIR/server.log"; exit 1; }
    fi
    port=$(cat "$DIR/port")
    psql_su() { as_server "$BIN/psql" -h "$DIR" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
    if [ "$(psql_su -c "SELECT count(*) FROM pg_roles WHERE rolname = 'certcycle'")" = 0 ]; then
      password=$(cat "$DIR/certcycle.password")
      psql_su -c "CREATE ROLE certcycle LOGIN CREATEDB PASSWORD '$password'" >/dev/null
      psql_su -c "CREATE DATABASE certcycle_test OWNER certcycle" >/dev/null
    fi
    say "PostgreSQL is running on 127.0.0.1:$port (data in $DATA); stop it with: $0 stop $DIR"
    print_env
    ;;
  env)
    [ -f "$DIR/port" ] || { say "no cluster in $DIR: run $0 start first"; exit 1; }
    print_env
    ;;
  stop)
    BIN=$(bindir)
    if [ -f "$DATA/PG_VERSION" ] && running; then
      as_server "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
      say "stopped the server in $DATA"
    else
      say "no server running in $DATA"
    fi
    ;;
  *)
    echo "usage: $0 start|env|stop [DIR]" >&2
    exit 64
    ;;
esac
