#!/usr/bin/env bash
# Starts and stops the Redis and PostgreSQL servers that several Clicker
# servers share, in a folder of their own, without systemd.
#
#   .ci/services.sh start [DIR]   start both (installs them from apt if missing);
#                                     prints the REDIS_URL and DATABASE_URL to use
#   .ci/services.sh stop [DIR]    stop both
#   .ci/services.sh env [DIR]     print the two variables again
#
# DIR defaults to $CLICKER_SERVICES_DIR or /tmp/clicker-services. Ports default to
# 6390 (Redis) and 5440 (PostgreSQL); set REDIS_PORT or PG_PORT to change them.
set -euo pipefail

cmd=${1:-}
dir=${2:-${CLICKER_SERVICES_DIR:-/tmp/clicker-services}}
redis_port=${REDIS_PORT:-6390}
pg_port=${PG_PORT:-5440}

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && echo "$found"
}

install_missing() {
  local want=()
  command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
  [ -n "$(pg_bin)" ] || want+=(postgresql-15)
  [ ${#want[@]} -eq 0 ] && return 0
  echo "== installing ${want[*]} from apt" >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends "${want[@]}" >&2
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

print_env() {
  echo "REDIS_URL=redis://127.0.0.1:${redis_port}"
  echo "DATABASE_URL=postgres://clicker@127.0.0.1:${pg_port}/clicker"
}

start() {
  install_missing
  mkdir -p "$dir/redis" "$dir/pg"
  # Test files start the services in parallel: one at a time per pair of ports.
  # The servers started below must not inherit this descriptor (9>&-): a
  # daemon holding it would hold the lock for its whole life.
  exec 9>"/tmp/clicker-services-${redis_port}-${pg_port}.lock"
  flock -w 120 9 || { echo "services.sh: waited 120 s for another start to finish" >&2; exit 1; }
  # Whatever answers on the port is used, wherever it was started from.
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly yes --appendfsync everysec \
      --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >&2 9>&-
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$redis_port" ping >/dev/null || { echo "redis did not start" >&2; exit 1; }
  fi
  local bin
  bin=$(pg_bin)
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir/pg"
    if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/pg/data" -w -l "$dir/pg/pg.log" \
        -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null 9>&-
    fi
  fi
  as_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc \
    "select 1 from pg_roles where rolname = 'clicker'" | grep -q 1 ||
    as_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "create role clicker login createdb"
  as_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc \
    "select 1 from pg_database where datname = 'clicker'" | grep -q 1 ||
    as_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "create database clicker owner clicker"
  print_env
}

stop() {
  if [ -f "$dir/redis/redis.pid" ]; then
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  fi
  local bin
  bin=$(pg_bin || true)
  if [ -n "$bin" ] && [ -f "$dir/pg/data/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *)
    echo "usage: $0 start|stop|env [DIR]" >&2
    exit 2
    ;;
esac
