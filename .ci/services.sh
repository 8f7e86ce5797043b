#!/usr/bin/env bash
# Starts and stops the Redis and PostgreSQL servers that several Clicker
# servers share, in a folder of their own, without systemd.
#
#   .ci/services.sh start [DIR]   start both (installs them from apt if missing);
#                                     prints the REDIS_URL and DATABASE_URL to use
#   .ci/services.sh stop [DIR]    stop both, if DIR started them
#   .ci/services.sh env [DIR]     print the two variables again
#
# DIR defaults to $CLICKER_SERVICES_DIR or /tmp/clicker-services. Ports default to
# 6390 (Redis) and 5440 (PostgreSQL); set REDIS_PORT or PG_PORT to change them.
#
# DIR owns what it started, as its pid files record: `start` again reuses those
# servers, `stop` stops only them, and `start` refuses (exit code 3, one line
# on stderr) a port that something else holds, whoever answers there.
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
  # Installed without starting Debian's own Redis and PostgreSQL on their usual ports.
  bash "$(dirname "$0")/apt_install.sh" "${want[@]}" >&2
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Fails with one line on stderr; exit code 3 when a port is taken.
fail() {
  echo "services.sh: $2" >&2
  exit "$1"
}

# Whether process $1 runs (a zombie does not) as program $2.
runs_as() {
  local stat state
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  state=${stat##*) }
  [ "${state%% *}" != Z ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# Whether anything accepts connections on 127.0.0.1:$1.
port_taken() {
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# The pid of the Redis that DIR started, while it runs.
redis_owned_pid() {
  local pid
  pid=$(cat "$dir/redis/redis.pid" 2>/dev/null) && runs_as "$pid" redis-server && echo "$pid"
}

# The port of the Redis that DIR started (as recorded; else the one asked for).
redis_owned_port() {
  redis_owned_pid >/dev/null || return 1
  cat "$dir/redis/port" 2>/dev/null || echo "$redis_port"
}

# Whether the Redis answering on port $2 is process $1.
redis_answers_as() {
  redis-cli -p "$2" info server 2>/dev/null | grep -q "^process_id:$1"$'\r'
}

# The port of the PostgreSQL that DIR started, while it runs.
pg_owned_port() {
  local pid
  pid=$(head -n 1 "$dir/pg/data/postmaster.pid" 2>/dev/null) && runs_as "$pid" postgres &&
    sed -n 4p "$dir/pg/data/postmaster.pid"
}

print_env() {
  echo "REDIS_URL=redis://127.0.0.1:${redis_port}"
  echo "DATABASE_URL=postgres://clicker@127.0.0.1:${pg_port}/clicker"
}

# One start or stop at a time per DIR. The servers started below must not
# inherit this descriptor (9>&-): a daemon holding it would hold the lock for
# its whole life.
lock() {
  exec 9>"$dir/services.lock"
  flock -w 120 9 || fail 1 "Cannot lock $dir: waited 120 s for another start or stop to finish"
}

# Whether Redis must start: not when DIR runs it on the port asked; refuses a port taken otherwise.
redis_wanted() {
  local owned
  if owned=$(redis_owned_port); then
    [ "$owned" = "$redis_port" ] ||
      fail 3 "Cannot start Redis on port $redis_port: $dir runs it on port $owned; stop it first"
    redis_answers_as "$(redis_owned_pid)" "$redis_port" ||
      fail 1 "Cannot use Redis on port $redis_port: the process $dir started does not answer there"
    return 1
  fi
  ! port_taken "$redis_port" ||
    fail 3 "Cannot start Redis: port $redis_port is taken by a process $dir did not start"
}

# Whether PostgreSQL must start: as redis_wanted.
pg_wanted() {
  local owned
  if owned=$(pg_owned_port); then
    [ "$owned" = "$pg_port" ] ||
      fail 3 "Cannot start PostgreSQL on port $pg_port: $dir runs it on port $owned; stop it first"
    return 1
  fi
  ! port_taken "$pg_port" ||
    fail 3 "Cannot start PostgreSQL: port $pg_port is taken by a process $dir did not start"
}

start_redis() {
  local pid
  rm -f "$dir/redis/redis.pid"
  echo "$redis_port" >"$dir/redis/port"
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly yes --appendfsync everysec --databases 64 \
    --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >&2 9>&-
  # Up once the Redis answering the port is the one whose pid DIR records.
  for _ in $(seq 1 100); do
    pid=$(redis_owned_pid) && redis_answers_as "$pid" "$redis_port" && return 0
    sleep 0.1
  done
  grep -q "Address already in use" "$dir/redis/redis.log" 2>/dev/null &&
    fail 3 "Cannot start Redis: port $redis_port is taken by a process $dir did not start"
  fail 1 "Cannot start Redis on port $redis_port: see $dir/redis/redis.log"
}

start_pg() {
  local bin=$1
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$dir/pg"
    # The postgres user must reach its folder inside DIR, which may be private.
    runuser -u postgres -- test -x "$dir" || chmod o+x "$dir"
  fi
  if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/pg/data" -w -l "$dir/pg/pg.log" \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null 9>&-; then
    grep -q "Address already in use" "$dir/pg/pg.log" 2>/dev/null &&
      fail 3 "Cannot start PostgreSQL: port $pg_port is taken by a process $dir did not start"
    fail 1 "Cannot start PostgreSQL on port $pg_port: see $dir/pg/pg.log"
  fi
}

start() {
  install_missing
  mkdir -p "$dir/redis" "$dir/pg"
  lock
  # Both ports checked before either server starts: a refusal starts nothing.
  local want_redis=0 want_pg=0 bin
  if redis_wanted; then want_redis=1; fi
  if pg_wanted; then want_pg=1; fi
  bin=$(pg_bin)
  [ "$want_redis" = 0 ] || start_redis
  [ "$want_pg" = 0 ] || start_pg "$bin"
  # Through DIR's own socket: whatever else answers on the port is never touched.
  local psql=("$bin/psql" -h "$dir/pg" -p "$pg_port" -U postgres)
  as_pg "${psql[@]}" -tAc "select 1 from pg_roles where rolname = 'clicker'" | grep -q 1 ||
    as_pg "${psql[@]}" -qc "create role clicker login createdb"
  as_pg "${psql[@]}" -tAc "select 1 from pg_database where datname = 'clicker'" | grep -q 1 ||
    as_pg "${psql[@]}" -qc "create database clicker owner clicker"
  print_env
}

# Stops only the servers DIR's pid files name, whatever answers on the ports.
stop() {
  [ -d "$dir" ] || return 0
  lock
  local pid
  if pid=$(redis_owned_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do runs_as "$pid" redis-server || break; sleep 0.1; done
    if runs_as "$pid" redis-server; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$dir/redis/redis.pid"
  local bin
  bin=$(pg_bin || true)
  if [ -n "$bin" ] && pg_owned_port >/dev/null; then
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 ||
      as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

# The variables for the ports DIR's servers run on, else for the ports asked.
show_env() {
  local owned
  if owned=$(redis_owned_port); then redis_port=$owned; fi
  if owned=$(pg_owned_port); then pg_port=$owned; fi
  print_env
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) show_env ;;
  *)
    echo "usage: $0 start|stop|env [DIR]" >&2
    exit 2
    ;;
esac
