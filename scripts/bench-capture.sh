#!/usr/bin/env bash
# What change capture costs the writer, per capture mode, captured table against an uncaptured twin
# in the same database and the same run (issue 13):
#   insert50k  a 50,000-row INSERT into users            vs users_twin                  (psql \timing, ms)
#   update10k  a 10,000-row UPDATE of credit_configurations vs credit_configurations_twin (psql \timing, ms)
#   single     single-row UPDATEs of credit_configurations  vs the twin (pgbench, 1 client, prepared, tps;
#              SLICES=5 slices per variant, interleaved, together [seconds per pgbench run] long)
# Capture modes, each in a database of its own with the hub and Wrapper migrations applied:
#   none     nothing attached (the control: its ratios show how alike table and twin are)
#   trigger  suitesync_capture_table() on the six captured tables, as CaptureInstaller attaches it
#   logical  no triggers; REPLICA IDENTITY FULL, PUBLICATION suitesync_capture FOR TABLE <the six>,
#            a pgoutput slot consumed during the mode's runs by pg_recvlogical, so decoding really runs
#            (the twin is not published, but its WAL is decoded too: that is what logical decoding costs)
# In logical mode every timed run waits until the walsender has decoded and sent everything the run
# wrote (pg_stat_replication.sent_lsn) before the next one starts; that wait is printed as "decode".
#
# Runs on a PRIVATE PostgreSQL 15 cluster (initdb into a temp folder, a free port, wal_level=logical,
# max_replication_slots=4, max_wal_senders=4, every other setting initdb's default: fsync on,
# synchronous_commit on, shared_buffers 128MB), removed at exit. The machine's own server
# (wal_level=replica) is not touched. With REPLICA_BASELINE=1 a second private cluster with
# wal_level=replica runs mode none too ("none-replica"), to show what wal_level=logical alone costs.
# The twins are CREATE TABLE … (LIKE … INCLUDING ALL) plus the tenant foreign key, which LIKE does
# not copy (each inserted user checks it), so captured and twin differ only by capture.
#
# Repetitions alternate: the order of the modes rotates, and captured/twin swap order every
# repetition. Every timed run holds /tmp/bench.lock (flock), so it never overlaps another benchmark
# that takes the same lock. Prints every run, then medians and ratios (captured/twin time, twin/captured
# tps; the ratio is the median of the per-repetition ratios of runs made back to back).
#
# Usage: scripts/bench-capture.sh [seconds per pgbench run, default 10] [repetitions, default 5]
#   MODES="none trigger logical" (default) and REPLICA_BASELINE=1 choose what runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-servers.sh
SECS=${1:-10}
REPS=${2:-5}
SLICES=${SLICES:-5}
SLICE=$(( (SECS + SLICES - 1) / SLICES ))
MODES=${MODES:-none trigger logical}
LOCK=/tmp/bench.lock
export PGOPTIONS='-c client_min_messages=warning'
WORK=$(mktemp -d)
RECV_PID=
cleanup() {
  set +e
  [ -n "$RECV_PID" ] && kill -INT "$RECV_PID" 2>/dev/null
  private_servers_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

# the six tables the hub captures (application.yml suitesync.hub.tables) and, per table, the columns
# CaptureInstaller passes (context-columns plus seed.columns) and the priority
CAPTURED="credit_configurations roles users entities organization_memberships credit_allocations"
capture_sql() {
  cat <<'SQL'
SELECT suitesync_capture_table('credit_configurations', 'id', 'tenant_id', ARRAY['operation_code', 'credit_cost', 'is_active'], 'high');
SELECT suitesync_capture_table('roles', 'id', 'tenant_id', ARRAY['name', 'permissions', 'is_active'], 'normal');
SELECT suitesync_capture_table('users', 'id', 'tenant_id', ARRAY['status', 'first_name', 'last_name', 'email'], 'normal');
SELECT suitesync_capture_table('entities', 'id', 'tenant_id', ARRAY['entity_type', 'parent_id', 'name', 'code', 'description', 'industry', 'website'], 'normal');
SELECT suitesync_capture_table('organization_memberships', 'id', 'tenant_id', ARRAY['user_id', 'organization_id', 'role_id', 'is_active'], 'normal');
SELECT suitesync_capture_table('credit_allocations', 'id', 'tenant_id', ARRAY['target_application', 'entity_id', 'amount', 'available', 'is_active', 'allocated_at', 'expires_at'], 'normal');
SQL
}

private_pg_start logical
LOGICAL_PORT=$PGPORT
REPLICA_PORT=
if [ "${REPLICA_BASELINE:-0}" = 1 ]; then
  private_pg_start replica
  REPLICA_PORT=$PGPORT
  MODES="$MODES none-replica"
fi
export PGPORT=$LOGICAL_PORT

port_of() { if [ "$1" = none-replica ]; then echo "$REPLICA_PORT"; else echo "$LOGICAL_PORT"; fi; }
db_of() { echo "cap_${1//-/_}"; }
q() { local mode=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -p "$(port_of "$mode")" -d "$(db_of "$mode")" "$@"; }

# Runs a command and writes the machine's CPU use during it (all cores, /proc/stat) to $WORK/busy:
# a one-client run keeps about one core busy, so well above 100 / cores % means something else ran.
cat > "$WORK/busy.sh" <<'BUSY'
#!/usr/bin/env bash
read -r -a a < /proc/stat; "$@"; rc=$?; read -r -a b < /proc/stat
total=0; for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
idle=$((b[4] + b[5] - a[4] - a[5]))
echo "$((100 * (total - idle) / (total > 0 ? total : 1)))%" > "$(dirname "$0")/busy"
exit $rc
BUSY
chmod +x "$WORK/busy.sh"

migrations=$(for m in src/main/resources/db/migration/V*.sql src/main/resources/db/wrapper/V*.sql; do
               v=${m##*/V}; v=${v%%__*}; echo "${v//_/.} $m"; done | sort -V | cut -d' ' -f2)
for mode in $MODES; do
  createdb -p "$(port_of "$mode")" "$(db_of "$mode")"
  # hub and Wrapper migrations in version order, as Flyway applies them
  for f in $migrations; do q "$mode" -f "$f"; done
  q "$mode" <<'SQL'
INSERT INTO tenants (id, name) SELECT 't' || g, 'Tenant ' || g FROM generate_series(1, 10) g;
INSERT INTO tenants (id, name) VALUES ('bulk', 'Bulk');
INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost)
SELECT 't' || (g % 10 + 1), 'crm.op.' || g, 1 FROM generate_series(1, 10000) g;
INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost)
SELECT 'bulk', 'crm.bulk.' || g, 1 FROM generate_series(1, 10000) g;
CREATE TABLE users_twin (LIKE users INCLUDING ALL);
ALTER TABLE users_twin ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id);
CREATE TABLE credit_configurations_twin (LIKE credit_configurations INCLUDING ALL);
ALTER TABLE credit_configurations_twin ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id);
INSERT INTO credit_configurations_twin SELECT * FROM credit_configurations;
SQL
  case $mode in
    trigger) capture_sql | q "$mode" >/dev/null ;;
    logical)
      for t in $CAPTURED; do q "$mode" -c "ALTER TABLE $t REPLICA IDENTITY FULL"; done
      q "$mode" -c "CREATE PUBLICATION suitesync_capture FOR TABLE ${CAPTURED// /, }" ;;
  esac
  # what the mode attached, so the output shows the setup really differs
  echo "# $mode: $(q "$mode" -At -c "SELECT 'triggers on users/credit_configurations: ' || count(*) FROM pg_trigger
        WHERE tgrelid IN ('users'::regclass, 'credit_configurations'::regclass) AND tgname LIKE 'suitesync_capture%'"),
        publication tables: $(q "$mode" -At -c "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'suitesync_capture'"),
        replica identity of users: $(q "$mode" -At -c "SELECT relreplident FROM pg_class WHERE oid = 'users'::regclass")" | tr -s ' \n' ' '
  echo
done

# logical: a fresh slot per block of the mode's runs, consumed by pg_recvlogical while they run;
# dropped after, so no decoding happens during the other modes' runs
start_decoding() {
  q logical -c "SELECT pg_create_logical_replication_slot('suitesync_capture', 'pgoutput')" >/dev/null
  pg_recvlogical -h 127.0.0.1 -p "$LOGICAL_PORT" -U postgres -d "$(db_of logical)" -S suitesync_capture --start \
    -o proto_version=1 -o publication_names=suitesync_capture -f /dev/null -s 1 2>"$WORK/recvlogical.log" &
  RECV_PID=$!
  for _ in $(seq 1 100); do
    [ "$(q logical -At -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg_recvlogical'")" = 1 ] && return 0
    sleep 0.1
  done
  echo "pg_recvlogical did not connect" >&2; cat "$WORK/recvlogical.log" >&2; exit 1
}
stop_decoding() {
  # SIGINT: pg_recvlogical ends its replication connection cleanly (SIGTERM left the walsender active)
  kill -INT "$RECV_PID"; wait "$RECV_PID" 2>/dev/null || true; RECV_PID=
  for _ in $(seq 1 100); do
    q logical -At -c "SELECT pg_drop_replication_slot('suitesync_capture'), 'dropped' FROM pg_replication_slots
                      WHERE slot_name = 'suitesync_capture' AND NOT active" | grep -q dropped && return 0
    sleep 0.1
  done
  echo "slot suitesync_capture still active" >&2; exit 1
}
# ms until the walsender has decoded and sent all WAL written so far (0 without decoding)
await_decoded() {
  [ "$1" = logical ] || { echo 0; return; }
  local lsn start
  lsn=$(q logical -At -c "SELECT pg_current_wal_lsn()")
  start=$(date +%s%N)
  for _ in $(seq 1 6000); do
    [ "$(q logical -At -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg_recvlogical' AND sent_lsn >= '$lsn'")" = 1 ] \
      && { echo $(( ($(date +%s%N) - start) / 1000000 )); return; }
    kill -0 "$RECV_PID" 2>/dev/null || { echo "pg_recvlogical ended" >&2; cat "$WORK/recvlogical.log" >&2; exit 1; }
    sleep 0.02
  done
  echo "decoding did not catch up within 120 s" >&2; exit 1
}

reset() { # mode
  q "$1" -c "TRUNCATE change_log, change_queue, change_retry CASCADE" 2>/dev/null
  q "$1" -c "TRUNCATE users, users_twin CASCADE"
  q "$1" -c "VACUUM ANALYZE users, users_twin, credit_configurations, credit_configurations_twin, change_log, change_queue"
  q "$1" -c "CHECKPOINT"
  await_decoded "$1" >/dev/null
}

# one timed run: prints "value busy decode-ms"
timed() { # mode test table
  local mode=$1 test=$2 table=$3 value
  case $test in
    insert50k)
      value=$(printf '%s\n' '\timing on' "INSERT INTO $table (tenant_id, email, first_name, last_name)
        SELECT 't' || (g % 10 + 1), 'u' || g || '@example.com', 'Ada', 'Lovelace' FROM generate_series(1, 50000) g;" \
        | flock "$LOCK" "$WORK/busy.sh" psql -X -q -v ON_ERROR_STOP=1 -p "$(port_of "$mode")" -d "$(db_of "$mode")" | awk '/^Time:/ {print $2}') ;;
    update10k)
      value=$(printf '%s\n' '\timing on' "UPDATE $table SET credit_cost = credit_cost + 1 WHERE tenant_id = 'bulk';" \
        | flock "$LOCK" "$WORK/busy.sh" psql -X -q -v ON_ERROR_STOP=1 -p "$(port_of "$mode")" -d "$(db_of "$mode")" | awk '/^Time:/ {print $2}') ;;
    single) # one slice: prints "transactions busy decode-ms"
      printf '%s\n' '\set k random(1, 10000)' \
        "UPDATE $table SET credit_cost = credit_cost + 1 WHERE tenant_id = 't' || (:k % 10 + 1) AND operation_code = 'crm.op.' || :k;" \
        > "$WORK/single.sql"
      value=$(flock "$LOCK" "$WORK/busy.sh" pgbench -n -M prepared -c 1 -T "$SLICE" -f "$WORK/single.sql" \
                -p "$(port_of "$mode")" "$(db_of "$mode")" 2>&1 | awk '/^number of transactions actually processed: / {print $6}') ;;
  esac
  [ -n "$value" ] || { echo "no figure from $test on $table ($mode)" >&2; exit 1; }
  echo "$value $(cat "$WORK/busy") $(await_decoded "$mode")"
}

check_captured() { # mode test: the captured run really wrote change_log rows in trigger mode
  [ "$1" = trigger ] || return 0
  local want=0 got
  case $2 in insert50k) want=50000 ;; update10k) want=10000 ;; single) want=1 ;; esac
  got=$(q trigger -At -c "SELECT count(*) FROM change_log")
  [ "$got" -ge "$want" ] || { echo "trigger mode captured $got rows in $2, expected at least $want" >&2; exit 1; }
}

machine_facts
if [ -n "$REPLICA_PORT" ]; then PGPORT=$REPLICA_PORT machine_facts; fi
results=$WORK/results
read -r -a modes <<< "$MODES"
for rep in $(seq 1 "$REPS"); do
  n=${#modes[@]}
  for i in $(seq 0 $((n - 1))); do
    mode=${modes[$(( (i + rep - 1) % n ))]}
    if [ "$mode" = logical ]; then start_decoding; fi
    if [ $((rep % 2)) = 1 ]; then order="captured twin"; else order="twin captured"; fi
    for test in insert50k update10k; do
      case $test in insert50k) base=users ;; *) base=credit_configurations ;; esac
      for variant in $order; do
        table=$base; [ "$variant" = twin ] && table=${base}_twin
        reset "$mode"
        read -r value busy decode <<< "$(timed "$mode" "$test" "$table")"
        [ "$variant" = captured ] && check_captured "$mode" "$test"
        echo "$test $mode $variant $rep $value cpu=$busy decode=${decode}ms" | tee -a "$results"
      done
    done
    # single-row: SLICES slices of SLICE seconds per variant, interleaved (captured, twin, twin,
    # captured, ...), so a change of the machine's load hits both alike; tps = transactions / seconds
    reset "$mode"
    declare -A tx=() cpu=() dec=()
    for s in $(seq 1 "$SLICES"); do
      if [ $(((rep + s) % 2)) = 0 ]; then slice_order="captured twin"; else slice_order="twin captured"; fi
      for variant in $slice_order; do
        table=credit_configurations; [ "$variant" = twin ] && table=credit_configurations_twin
        read -r value busy decode <<< "$(timed "$mode" single "$table")"
        tx[$variant]=$(( ${tx[$variant]:-0} + value )); cpu[$variant]="${cpu[$variant]:-}${cpu[$variant]:+/}$busy"
        dec[$variant]=$(( ${dec[$variant]:-0} + decode ))
      done
    done
    check_captured "$mode" single
    for variant in $order; do
      echo "single $mode $variant $rep $(awk -v n="${tx[$variant]}" -v t="$((SLICES * SLICE))" 'BEGIN {printf "%.1f", n / t}') cpu=${cpu[$variant]} decode=${dec[$variant]}ms" \
        | tee -a "$results"
    done
    unset tx cpu dec
    if [ "$mode" = logical ]; then stop_decoding; fi
  done
done
machine_facts

echo
echo "medians over $REPS repetitions: insert50k/update10k in ms (lower is better), single in tps (higher is better)"
echo "ratio = captured cost / twin cost (time ratio; for single: twin tps / captured tps), median of the per-repetition ratios"
printf '%-10s %-13s %12s %12s %7s %15s %10s  %s\n' test mode captured twin ratio "ratio range" decode-ms target
awk '
  { t = $1; m = $2; v = $3; r = $4; x = $5; split($7, d, "="); sub(/ms/, "", d[2])
    val[t, m, v, r] = x; dec[t, m, v, r] = d[2]; reps[r] = 1
    if (!((t, m) in seen)) { seen[t, m] = 1; keys[++k] = t SUBSEP m } }
  function median(a, n,   i, j, tmp) {
    for (i = 2; i <= n; i++) { tmp = a[i]; for (j = i - 1; j >= 1 && a[j] > tmp; j--) a[j + 1] = a[j]; a[j + 1] = tmp }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END {
    for (i = 1; i <= k; i++) {
      split(keys[i], tm, SUBSEP); t = tm[1]; m = tm[2]; nc = 0; nt = 0; nr = 0; nd = 0
      delete c; delete w; delete ratio; delete dd
      for (r in reps) {
        if ((t, m, "captured", r) in val) { c[++nc] = val[t, m, "captured", r]; dd[++nd] = dec[t, m, "captured", r] }
        if ((t, m, "twin", r) in val) w[++nt] = val[t, m, "twin", r]
        if (((t, m, "captured", r) in val) && ((t, m, "twin", r) in val))
          ratio[++nr] = (t == "single") ? val[t, m, "twin", r] / val[t, m, "captured", r] : val[t, m, "captured", r] / val[t, m, "twin", r] }
      mc = median(c, nc); mw = median(w, nt); mr = median(ratio, nr); md = median(dd, nd)
      lo = ratio[1]; hi = ratio[nr]
      limit = (t == "single") ? 1.3 : 2
      verdict = (m ~ /^none/) ? "(control)" : (mr <= limit ? "met" : "missed")
      printf "%-10s %-13s %12.1f %12.1f %7.2f %7.2f-%-7.2f %10.0f  <= %s %s\n", t, m, mc, mw, mr, lo, hi, md, limit, verdict
    } }' "$results" | sort -k1,1 -k2,2
