# Private PostgreSQL and Redis servers for the benchmark scripts (sourced, not run).
#
# The machine's shared PostgreSQL runs with wal_level=replica and must not be reconfigured or
# restarted, so a benchmark that needs logical decoding starts a cluster of its own:
#   private_pg_start logical      # initdb into a temp folder, postgres on a free port; exports PGHOST/PGPORT/PGUSER
#   private_redis_start           # redis-server on a free port, no persistence; sets REDIS_PORT
#   private_servers_stop          # stops and removes what was started (call it from the EXIT trap)
# Only wal_level, max_replication_slots and max_wal_senders are set; everything else (fsync,
# synchronous_commit, shared_buffers, ...) is initdb's default, as on the machine's own server.
# initdb refuses to run as root: as root, the PostgreSQL binaries run as the postgres user.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PRIVATE_PG_DIRS=()
PRIVATE_REDIS_PIDS=()
PRIVATE_REDIS_DIRS=()

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# private_pg_start WAL_LEVEL: a fresh cluster; exports PGHOST, PGPORT, PGUSER for psql/pgbench and
# sets PRIVATE_PG_DIR (data in $PRIVATE_PG_DIR/data, log in $PRIVATE_PG_DIR/log).
private_pg_start() {
  local level=$1 dir port
  dir=$(mktemp -d /tmp/suitesync-bench-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  PRIVATE_PG_DIRS+=("$dir")
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  port=$(free_port)
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c wal_level=$level -c max_replication_slots=4 -c max_wal_senders=4" \
    start >/dev/null || { cat "$dir/log" >&2; return 1; }
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
  PRIVATE_PG_DIR=$dir
}

# private_redis_start: sets REDIS_PORT and PRIVATE_REDIS_PID.
private_redis_start() {
  local dir port
  dir=$(mktemp -d /tmp/suitesync-bench-redis.XXXXXX)
  PRIVATE_REDIS_DIRS+=("$dir")
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/log" &
  PRIVATE_REDIS_PID=$!
  PRIVATE_REDIS_PIDS+=("$PRIVATE_REDIS_PID")
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && { REDIS_PORT=$port; return 0; }
    sleep 0.1
  done
  echo "redis-server did not start on $port" >&2; cat "$dir/log" >&2; return 1
}

private_servers_stop() {
  local d p
  for p in "${PRIVATE_REDIS_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  for d in "${PRIVATE_PG_DIRS[@]}"; do
    [ -f "$d/data/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$d"
  done
  for d in "${PRIVATE_REDIS_DIRS[@]}"; do rm -rf "$d"; done
  PRIVATE_PG_DIRS=(); PRIVATE_REDIS_PIDS=(); PRIVATE_REDIS_DIRS=()
}

# The machine in one line: cores, load, PostgreSQL server version and the settings that decide a
# writer's cost.
machine_facts() {
  echo "# $(date -u +%FT%TZ) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)" \
    "pg=$(psql -X -At -d postgres -c "SELECT current_setting('server_version') || ' wal_level=' || current_setting('wal_level')
        || ' fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit')
        || ' shared_buffers=' || current_setting('shared_buffers')")"
}
