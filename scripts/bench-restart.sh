#!/usr/bin/env bash
# How fast the hub is back after a crash: `kill -9` a running hub, queue a backlog of changes while it
# is down, start it again and print the milliseconds from the spawn of the new process to
#   healthy  GET /health answers 200 (PostgreSQL and Redis reachable, routes started), and
#   event    the first event the restarted hub appends to the backlog tenant's stream (the time is
#            the stream entry's id, which Redis takes from the same machine clock);
#   drained  the whole backlog relayed (change_queue empty): start-up and the JIT's warm-up together;
# and the CPU time the hub process had used when it became healthy (all its threads, JIT and GC
# included: on a shared machine the wall-clock figures move with the load, this one much less),
# then the medians.
#
# Runs the given jars (default: target/suitesync-*.jar) on a scratch database of the PostgreSQL named
# by PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres) and a private Redis on a free port, both
# removed at the end. Several jars are measured side by side: run by run, in alternating order, each on
# its own database. Every timed restart holds /tmp/bench.lock (the hub does not inherit it), so it
# never overlaps another benchmark that takes the same lock.
#
# Usage: scripts/bench-restart.sh [-r runs (5)] [-b backlog (100000)] [-x] [-c] [-a] [-A opts] [-p] [jar ...]
#   -x         also run each jar extracted (java -Djarmode=tools -jar app.jar extract), as the
#              container image runs it; reported as <jar>:extracted
#   -c         also run each extracted jar with a class data sharing archive (-XX:SharedArchiveFile),
#              made by a training run on its database (started with -XX:ArchiveClassesAtExit, stopped
#              with SIGTERM once healthy), as the image's entrypoint does on JDK 17; reported as <jar>:cds
#   -a         also run each extracted jar on JDK 25 ($AOT_JAVA) with an ahead-of-time cache
#              (-XX:AOTCache, JEP 483/514/515: classes loaded and linked, method profiles), made by a
#              training run the same way (-XX:AOTCacheOutput), as the image's entrypoint does on JDK 25
#              and later; reported as <jar>:aot
#   -A opts    also an -a variant with these JVM options added (its own cache, trained with them);
#              reported as <jar>:aot+<opts>
#   -p         leave out the packaged jar itself (run only the -x, -c, -a, -A variants)
#   JAVA_OPTS  extra JVM options for the hub (every variant)
#   AOT_JAVA   the JDK 25+ java of -a (default: /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
set -euo pipefail
cd "$(dirname "$0")/.."
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
RUNS=5
BACKLOG=100000
EXTRACT=
CDS=
AOT=
AOT_JAVA=${AOT_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
AOT_EXTRA=
SKIP_PACKAGED=
while getopts "r:b:xcaA:p" opt; do
  case $opt in
    r) RUNS=$OPTARG ;;
    b) BACKLOG=$OPTARG ;;
    x) EXTRACT=1 ;;
    c) CDS=1 ;;
    a) AOT=1 ;;
    A) AOT_EXTRA=$OPTARG ;;
    p) SKIP_PACKAGED=1 ;;
    *) echo "usage: $0 [-r runs] [-b backlog] [-x] [-c] [-a] [-A opts] [-p] [jar ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ -n "$AOT$AOT_EXTRA" ] && ! "$AOT_JAVA" -XX:AOTMode=off -version >/dev/null 2>&1; then
  echo "-a needs a JDK 25 or later: AOT_JAVA=$AOT_JAVA" >&2; exit 2
fi
JARS=("$@")
[ ${#JARS[@]} -gt 0 ] || JARS=(target/suitesync-*.jar)
for jar in "${JARS[@]}"; do
  [ -f "$jar" ] || { echo "no such jar: $jar (build it with ./mvnw -B -o -DskipTests package)" >&2; exit 2; }
done
LOCK=/tmp/bench.lock
WORK=$(mktemp -d)
PIDS=()
DBS=()
# what each variant runs: the jar as given, or (-x) its extracted copy
NAMES=()
RUNJARS=()
ARCHIVES=()  # the CDS archive or AOT cache a variant runs with (empty: none)
JAVAS=()     # the java a variant runs on
OPTS=()      # a variant's own JVM options
# variant <name> <jar to run> <archive or ""> <java> <own JVM options>
variant() { NAMES+=("$1"); RUNJARS+=("$2"); ARCHIVES+=("$3"); JAVAS+=("$4"); OPTS+=("$5"); }
for jar in "${JARS[@]}"; do
  [ -n "$SKIP_PACKAGED" ] || variant "$jar" "$jar" "" java ""
  if [ -n "$EXTRACT$CDS$AOT$AOT_EXTRA" ]; then
    dir=$WORK/extracted-${#NAMES[@]}
    java -Djarmode=tools -jar "$jar" extract --destination "$dir" >/dev/null 2>&1
    extracted=$dir/$(basename "$jar")
    [ -z "$EXTRACT" ] || variant "$jar:extracted" "$extracted" "" java ""
    [ -z "$CDS" ] || variant "$jar:cds" "$extracted" "$dir/app.jsa" java ""
    [ -z "$AOT" ] || variant "$jar:aot" "$extracted" "$dir/app.aot" "$AOT_JAVA" ""
    [ -z "$AOT_EXTRA" ] || variant "$jar:aot+$AOT_EXTRA" "$extracted" "$dir/app-extra.aot" "$AOT_JAVA" "$AOT_EXTRA"
  fi
done

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for db in "${DBS[@]}"; do dropdb --if-exists --force "$db" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no \
  --logfile "$WORK/redis.log" &
PIDS+=($!)
rc() { redis-cli -p "$REDIS_PORT" "$@"; }
for _ in $(seq 1 50); do rc ping >/dev/null 2>&1 && break; sleep 0.1; done

# start_hub <index>: spawns the hub of variant <index> on its database, logs to $WORK/hub-<index>.log
start_hub() {
  local i=$1 cds=
  if [ -n "${ARCHIVES[$i]}" ]; then
    # a training start (no archive yet) writes it when the JVM exits normally
    case ${ARCHIVES[$i]} in
      *.aot) if [ -f "${ARCHIVES[$i]}" ]; then cds=-XX:AOTCache=${ARCHIVES[$i]}; else cds=-XX:AOTCacheOutput=${ARCHIVES[$i]}; fi ;;
      *) if [ -f "${ARCHIVES[$i]}" ]; then cds=-XX:SharedArchiveFile=${ARCHIVES[$i]}; else cds=-XX:ArchiveClassesAtExit=${ARCHIVES[$i]}; fi ;;
    esac
  fi
  # shellcheck disable=SC2086
  "${JAVAS[$i]}" ${JAVA_OPTS:-} ${OPTS[$i]} $cds -jar "${RUNJARS[$i]}" \
    --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/${DBS[$i]}?user=$PGUSER" \
    --spring.data.redis.url="redis://127.0.0.1:$REDIS_PORT" \
    --spring.flyway.locations=classpath:db/migration,classpath:db/wrapper \
    --server.port="${HTTP[$i]}" > "$WORK/hub-$i.log" 2>&1 9>&- &
  HUB[$i]=$!
  PIDS+=("${HUB[$i]}")
}

wait_healthy() {
  local i=$1
  until curl -sf -o /dev/null "http://127.0.0.1:${HTTP[$i]}/health"; do
    kill -0 "${HUB[$i]}" 2>/dev/null || { echo "hub $i died:" >&2; tail -40 "$WORK/hub-$i.log" >&2; exit 1; }
    sleep 0.02
  done
}

q() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -At -c "$2"; }

# One database and a first start per jar: migrations and capture in place, a tenant with crm enabled
# and $BACKLOG credit configurations whose changes the first start publishes.
declare -a HUB HTTP
for i in "${!RUNJARS[@]}"; do
  DBS[$i]=restartbench_$$_$i
  HTTP[$i]=$(free_port)
  createdb "${DBS[$i]}"
  start_hub "$i"
  wait_healthy "$i"
  db=${DBS[$i]}
  q "$db" "INSERT INTO applications (code, name) VALUES ('crm', 'CRM') ON CONFLICT DO NOTHING"
  q "$db" "INSERT INTO tenants (id, name) VALUES ('bench$i', 'Bench')"
  q "$db" "INSERT INTO organization_applications (tenant_id, application_code, is_enabled) VALUES ('bench$i', 'crm', true)"
  q "$db" "INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost)
           SELECT 'bench$i', 'crm.op.' || g, 1 FROM generate_series(1, $BACKLOG) g"
  until [ "$(q "$db" "SELECT count(*) FROM change_queue")" = 0 ]; do sleep 0.5; done
  if [ -n "${ARCHIVES[$i]}" ]; then
    # the training run ends with SIGTERM, so the JVM writes the archive; the next start uses it
    kill -TERM "${HUB[$i]}"
    wait "${HUB[$i]}" 2>/dev/null || true
    [ -f "${ARCHIVES[$i]}" ] || { echo "no CDS archive / AOT cache written:" >&2; tail -20 "$WORK/hub-$i.log" >&2; exit 1; }
    start_hub "$i"
    wait_healthy "$i"
  fi
done

echo "# $(date -u +%FT%TZ) runs=$RUNS backlog=$BACKLOG cores=$(nproc) $(uptime | sed 's/.*load/load/')"
results=$WORK/results
for run in $(seq 1 "$RUNS"); do
  order=("${!RUNJARS[@]}")
  if [ $((run % 2)) = 0 ]; then order=($(printf '%s\n' "${order[@]}" | sort -rn)); fi
  for i in "${order[@]}"; do
    db=${DBS[$i]}
    kill -9 "${HUB[$i]}"
    wait "${HUB[$i]}" 2>/dev/null || true
    # exactly $BACKLOG changes queued, whatever the previous run left
    q "$db" "DELETE FROM change_queue"
    q "$db" "UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = 'bench$i'"
    queued=$(q "$db" "SELECT count(*) FROM change_queue")
    stream="crm:bench$i:events"
    exec 9> "$LOCK"
    flock 9
    # the first entry appended from now on; its id is the time Redis appended it
    rm -f "$WORK/first"
    rc XREAD BLOCK 0 STREAMS "$stream" '$' > "$WORK/first" &
    reader=$!
    sleep 0.2
    spawn=$(now_ms)
    start_hub "$i"
    wait_healthy "$i"
    healthy=$(now_ms)
    read -r -a stat < "/proc/${HUB[$i]}/stat"
    cpu=$(( (stat[13] + stat[14]) * 1000 / $(getconf CLK_TCK) ))
    wait "$reader"
    # the whole backlog relayed: start-up and the JIT's warm-up together (the next timed start must not
    # share the cores with this hub draining its backlog either)
    until [ "$(q "$db" "SELECT count(*) FROM change_queue")" = 0 ]; do sleep 0.2; done
    drained=$(now_ms)
    flock -u 9
    event=$(grep -Eo '^[0-9]+-[0-9]+$' "$WORK/first" | head -1)
    event=${event%%-*}
    started=$(grep -Eo 'Started SuiteSyncApplication in [0-9.]+ seconds' "$WORK/hub-$i.log" | grep -Eo '[0-9.]+' | head -1)
    echo "${NAMES[$i]} run=$run queued=$queued healthy_ms=$((healthy - spawn)) event_ms=$((event - spawn)) drained_ms=$((drained - spawn)) cpu_ms=$cpu spring_started_s=$started load=$(cut -d' ' -f1 /proc/loadavg)" \
      | tee -a "$results"
    cp "$WORK/hub-$i.log" "$WORK/hub-$i-run$run.log"
  done
done

echo
echo "medians over $RUNS runs (ms from spawn; cpu_ms: CPU time of the hub process when healthy)"
for name in "${NAMES[@]}"; do
  for key in healthy_ms event_ms drained_ms cpu_ms; do
    grep -F "$name run=" "$results" | grep -Eo "$key=[0-9]+" | cut -d= -f2 | sort -n \
      | awk -v jar="$name" -v key="$key" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          runs = ""; for (i = 1; i <= NR; i++) runs = runs " " v[i]; printf "%-50s %-10s %8d   (sorted:%s)\n", jar, key, m, runs }'
  done
done
if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$WORK"/hub-*-run*.log "$KEEP_LOGS"/; fi
