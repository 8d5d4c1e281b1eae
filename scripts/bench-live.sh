#!/usr/bin/env bash
# Live latency under a real write load (issue 13): pgbench runs 1,000 single-row UPDATEs/s of
# credit_configurations (-R 1000 -c 2 -j 2, prepared) against the real Wrapper tables while the hub
# relays them, and a reader XREADs the crm:{tenant}:events streams live. Per capture mode it reports
#   - pgbench: tps achieved, average latency, average schedule lag (how far it fell behind -R);
#   - commit->stream p50/p99/max: the stream entry id's milliseconds (Redis's clock at XADD) minus
#     the row's updated_at, which the UPDATE sets to clock_timestamp() just before its commit (so the
#     figure includes the commit itself; same machine, same clock), and commit->reader likewise;
#   - events received vs updates made (updates counted in the database: every UPDATE adds 1 to a
#     credit_cost that started at 0), duplicates, anything else that arrived;
#   - the hub's CPU seconds per 1,000 events (/proc/<pid>/stat utime+stime, from pgbench's start
#     until the last event arrived);
#   - the same pgbench schedule with the hub stopped (capture left as the hub set it up: triggers on,
#     or the replication slot kept but not read): the writer's baseline.
# Targets (issue 13): with the hub relaying, >= 990 tps and commit->stream p99 <= 25 ms.
#
# Each run is fresh: a database on a PRIVATE PostgreSQL 15 cluster (initdb into a temp folder,
# wal_level=logical, max_replication_slots=4, max_wal_senders=4, every other setting initdb's
# default: fsync on, synchronous_commit on, shared_buffers 128MB), a private Redis (--save ""
# --appendonly no), the packaged hub (target/suitesync-*.jar, rebuilt when src/main or pom.xml is
# newer; java -jar with the JVM's defaults) with SUITESYNC_HUB_CAPTURE_MODE=<mode>. The Wrapper
# schema (db/wrapper) holds 50 tenants with crm enabled (organization_applications, written before
# the hub starts, so no backfill runs) and 10,000 credit configurations (crm.op.N, 200 per tenant).
# The hub's own migrations and capture set-up are the hub's. After the hub is healthy, a warm-up at
# the same schedule (WARMUP seconds, default 60) is relayed and drained before the measured run: the
# JIT compiles the relay's hot path within about the first minute under this load (later with the
# image's C2 thresholds), and each C2 compilation of it takes one of the two cores for 0.1-0.7 s,
# which shows as a latency spike (docs/benchmarks.md; WARMUP=20 and KEEP=<dir> show them).
# Everything is stopped and removed at exit; the machine's own PostgreSQL and Redis are not used.
# Each run (hub start to the baseline's end) holds /tmp/bench.lock (flock), so it never overlaps another
# benchmark taking the lock.
#
# Usage: scripts/bench-live.sh [mode...]   modes: trigger (default), logical; e.g. trigger logical
#   REPS=2 repeats the modes, in reverse order every other repetition; SECS=60 (pgbench -T),
#   RATE=1000 (pgbench -R), WARMUP=60; JAVA=/path/to/bin/java runs the hub on another JDK, JAVA_OPTS
#   adds JVM options, JAR=/path/to/suitesync.jar runs that jar (another commit's, side by side);
#   KEEP=<dir> keeps each run's hub log and per-event series ("commit-epoch-ms commit->stream-ms").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-servers.sh
if [ $# -gt 0 ]; then MODES=("$@"); else MODES=(trigger); fi
REPS=${REPS:-1}
SECS=${SECS:-60}
RATE=${RATE:-1000}
WARMUP=${WARMUP:-60}
TENANTS=50
CONFIGS=10000
LOCK=/tmp/bench.lock
export PGOPTIONS='-c client_min_messages=warning'
WORK=$(mktemp -d)
HUB_PID=
READER_PID=
cleanup() {
  set +e
  [ -n "$READER_PID" ] && kill "$READER_PID" 2>/dev/null
  if [ -n "$HUB_PID" ]; then kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; fi
  private_servers_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

jar=${JAR:-$(ls target/suitesync-*.jar 2>/dev/null | head -1 || true)}
if [ -z "${JAR:-}" ] && { [ -z "$jar" ] || [ -n "$(find src/main pom.xml -newer "$jar" -type f | head -1)" ]; }; then
  echo "# building the jar (./mvnw -B -q -o package -DskipTests)"
  ./mvnw -B -q -o package -DskipTests
  jar=$(ls target/suitesync-*.jar | head -1)
fi
echo "# jar $jar ($(git log -1 --format='%h %s' | cut -c1-80))"

private_pg_start logical
export PGPORT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# pgbench's figures of one run, as "tps latency-ms lag-ms transactions"
pgbench_run() { # seconds
  local out
  out=$(pgbench -n -M prepared -R "$RATE" -c 2 -j 2 -T "$1" -f "$WORK/update.sql" "$DB" 2>&1) \
    || { echo "$out" >&2; return 1; }
  echo "$out" | awk '/^tps = / {tps = $3} /^latency average = / {lat = $4} /^rate limit schedule lag: avg / {lag = $6}
                     /^number of transactions actually processed: / {n = $6}
                     END {print tps, lat, lag, n}'
}
updates_so_far() { q -At -c "SELECT sum(credit_cost)::bigint FROM credit_configurations"; }
stream_total() {
  local n=0 k
  for k in $(seq 1 $TENANTS); do n=$((n + $(redis-cli -p "$REDIS_PORT" XLEN "crm:t$k:events"))); done
  echo $n
}
hub_cpu_ticks() { awk '{print $14 + $15}' "/proc/$HUB_PID/stat"; }
await() { # seconds description command...: polls every 0.2 s until the deadline
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do "$@" && return 0; sleep 0.2; done
  echo "timed out after $seconds s waiting for $what" >&2; return 1
}
drained() { [ "$(stream_total)" -ge "$(updates_so_far)" ]; }

cat > "$WORK/update.sql" <<EOF
\\set k random(1, $CONFIGS)
UPDATE credit_configurations SET credit_cost = credit_cost + 1, updated_at = clock_timestamp()
WHERE tenant_id = 't' || (:k % $TENANTS + 1) AND operation_code = 'crm.op.' || :k;
EOF

one_run() { # mode rep: prints one result line (and keeps the JSON in $WORK/result-<mode>-<rep>)
  local mode=$1 rep=$2 port t0 cpu0 cpu1 sum0 sum1 with without ticks
  DB=live_${mode}_$rep
  createdb "$DB"
  q -f src/main/resources/db/wrapper/V0_1__wrapper_schema.sql
  q <<SQL
INSERT INTO tenants (id, name) SELECT 't' || g, 'Tenant ' || g FROM generate_series(1, $TENANTS) g;
INSERT INTO organization_applications (tenant_id, application_code, is_enabled, enabled_at)
SELECT 't' || g, 'crm', true, now() FROM generate_series(1, $TENANTS) g;
INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost)
SELECT 't' || (g % $TENANTS + 1), 'crm.op.' || g, 0 FROM generate_series(1, $CONFIGS) g;
VACUUM ANALYZE;
SQL
  private_redis_start
  # the whole run, hub start to the baseline's end, holds the benchmark lock (fd 9; children get it closed)
  exec 9>"$LOCK"
  flock 9
  port=$(free_port)
  SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:$PGPORT/$DB?user=postgres" \
  SPRING_DATA_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
  SUITESYNC_HUB_CAPTURE_MODE=$mode SUITESYNC_ADMIN_API_KEY=bench-admin-key \
    "${JAVA:-java}" ${JAVA_OPTS:-} -jar "$jar" --server.port="$port" --logging.level.root=WARN > "$WORK/hub-$mode-$rep.log" 2>&1 9>&- &
  HUB_PID=$!
  local started=$SECONDS
  await 180 "the hub's health" sh -c "curl -sf localhost:$port/actuator/health | grep -q UP" \
    || { tail -40 "$WORK/hub-$mode-$rep.log" >&2; return 1; }
  local startup=$((SECONDS - started))
  # the hub runs the capture it was asked for (an unknown mode key would silently run triggers)
  local triggers slot
  triggers=$(q -At -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'credit_configurations'::regclass AND tgname LIKE 'suitesync_capture%'")
  slot=$(q -At -c "SELECT count(*) FROM pg_replication_slots WHERE database = current_database() AND plugin = 'pgoutput'")
  case $mode in
    trigger) [ "$triggers" -gt 0 ] && [ "$slot" = 0 ] ;;
    logical) [ "$triggers" = 0 ] && [ "$slot" = 1 ] ;;
  esac || { echo "$mode mode not in effect: $triggers capture triggers, $slot pgoutput slots" >&2; return 1; }

  # warm-up at the same schedule, relayed and drained
  [ "$WARMUP" -gt 0 ] && pgbench_run "$WARMUP" > /dev/null
  # a change lost in the warm-up is reported (warmupMissing), and the measured run counts its own
  local warmup_missing=0
  if ! await 60 "the warm-up to drain" drained; then
    warmup_missing=$(( $(updates_so_far) - $(stream_total) ))
    echo "after the warm-up: $(stream_total) stream entries for $(updates_so_far) updates: $warmup_missing missing" >&2
  fi

  # measured run: the reader starts first, from now
  t0=$(date +%s%3N)
  rm -f "$WORK/expected"
  python3 scripts/lib/stream-latency.py "$REDIS_PORT" "$t0" "$WORK/expected" "$WORK/reader.json" \
    $(for k in $(seq 1 $TENANTS); do echo "crm:t$k:events"; done) 9>&- &
  READER_PID=$!
  sum0=$(updates_so_far); cpu0=$(hub_cpu_ticks)
  read -r -a with <<< "$(pgbench_run "$SECS")"
  sum1=$(updates_so_far)
  echo $((sum1 - sum0)) > "$WORK/expected"
  wait "$READER_PID" || { echo "the stream reader failed" >&2; return 1; }
  READER_PID=
  cpu1=$(hub_cpu_ticks)
  ticks=$(getconf CLK_TCK)
  local load_with load_without total
  load_with=$(cut -d' ' -f1 /proc/loadavg)
  total=$(stream_total)

  # the same schedule with the hub stopped
  kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=
  read -r -a without <<< "$(pgbench_run "$SECS")"
  load_without=$(cut -d' ' -f1 /proc/loadavg)
  flock -u 9
  exec 9>&-

  python3 - "$WORK/reader.json" "$WORK/result-$mode-$rep" <<PY
import json, sys
r = json.load(open(sys.argv[1]))
events = r["updateEvents"]
cpu = ($cpu1 - $cpu0) / $ticks
out = {"mode": "$mode", "rep": $rep, "hubStartToHealthySeconds": $startup, "warmupMissing": $warmup_missing,
       "withHub": {"tps": float("${with[0]}"), "latencyAvgMs": float("${with[1]}"), "scheduleLagAvgMs": float("${with[2]}"),
                   "transactions": int("${with[3]}"), "load1": float("$load_with")},
       "updatesMade": $((sum1 - sum0)), **r,
       "streamEntriesTotalVsUpdatesTotal": [$total, $sum1],
       "hubCpuSeconds": round(cpu, 2), "hubCpuSecondsPer1000Events": round(cpu * 1000 / events, 3) if events else None,
       "hubStopped": {"tps": float("${without[0]}"), "latencyAvgMs": float("${without[1]}"),
                      "scheduleLagAvgMs": float("${without[2]}"), "transactions": int("${without[3]}"),
                      "load1": float("$load_without")}}
open(sys.argv[2], "w").write(json.dumps(out) + "\n")
print(json.dumps(out))
PY
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP"
    cp "$WORK/reader.json.series" "$KEEP/series-$mode-$rep.txt"
    cp "$WORK/hub-$mode-$rep.log" "$KEEP/"
  fi
  # the slot is per database and its name cluster-wide: drop it, and the database, for the next run
  q -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()" >/dev/null
  dropdb "$DB"
  kill "$PRIVATE_REDIS_PID"; wait "$PRIVATE_REDIS_PID" 2>/dev/null || true
}

machine_facts
for rep in $(seq 1 "$REPS"); do
  order=("${MODES[@]}")
  if [ $((rep % 2)) = 0 ]; then order=(); for ((i = ${#MODES[@]} - 1; i >= 0; i--)); do order+=("${MODES[i]}"); done; fi
  for mode in "${order[@]}"; do
    one_run "$mode" "$rep"
  done
done
machine_facts

echo
echo "pgbench -R $RATE -c 2 -j 2 -T $SECS (prepared), single-row UPDATE of credit_configurations; targets with the hub: >= 990 tps, commit->stream p99 <= 25 ms"
printf '%-8s %3s %9s %8s %9s %8s %8s %8s %8s %8s %8s %12s %9s %9s %8s\n' mode rep tps lag-ms p50-ms p99-ms max-ms updates events missing dup "cpu-s/1k" "tps-off" "lag-off" load
cat "$WORK"/result-* | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line); w = r["withHub"]; o = r["hubStopped"]
    print("%-8s %3d %9.1f %8.2f %9.2f %8.2f %8.2f %8d %8d %8d %8d %12.3f %9.1f %9.2f %8.2f" % (r["mode"], r["rep"], w["tps"], w["scheduleLagAvgMs"],
        r["streamP50Ms"], r["streamP99Ms"], r["streamMaxMs"], r["updatesMade"], r["updateEvents"], r["missing"], r["duplicates"],
        r["hubCpuSecondsPer1000Events"], o["tps"], o["scheduleLagAvgMs"], w["load1"]))'
