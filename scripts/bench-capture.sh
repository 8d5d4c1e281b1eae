#!/usr/bin/env bash
# What change capture costs PostgreSQL: latency of a single-row UPDATE, INSERT and DELETE of
# credit_configurations (pgbench, one client, prepared) with V1's capture function, the current one
# (V4's single-row fast path) and with the capture triggers disabled; then a 10,000-row UPDATE
# (psql \timing) on a fresh connection and after 20 single-row UPDATEs on the same connection.
#
# Creates a scratch database on the PostgreSQL named by PGHOST/PGPORT/PGUSER (default
# 127.0.0.1:5432, postgres), applies the hub and Wrapper migrations in version order, attaches
# capture as CaptureInstaller does, and drops the database at the end. Every timed run holds
# /tmp/bench.lock, so it never overlaps another benchmark that takes the same lock.
#
# Usage: scripts/bench-capture.sh [seconds per pgbench run, default 20] [repetitions, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
SECS=${1:-20}
REPS=${2:-3}
DB=capbench_$$
LOCK=/tmp/bench.lock
WORK=$(mktemp -d)
trap 'dropdb --if-exists "$DB" || true; rm -rf "$WORK"' EXIT

q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

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

createdb "$DB"
# Hub and Wrapper migrations in version order (V0_1, V1, V2, V3, V4, V10), as Flyway applies them.
for f in $(for m in src/main/resources/db/migration/V*.sql src/main/resources/db/wrapper/V*.sql; do
             v=${m##*/V}; v=${v%%__*}; echo "${v//_/.} $m"; done | sort -V | cut -d' ' -f2); do
  q -f "$f"
done
q -c "SELECT suitesync_capture_table('credit_configurations', 'id', 'tenant_id',
        ARRAY['operation_code', 'credit_cost', 'is_active'], 'high')" >/dev/null 2>&1
q <<'SQL'
INSERT INTO tenants (id, name) SELECT 't' || g, 'Tenant ' || g FROM generate_series(1, 10) g;
INSERT INTO tenants (id, name) VALUES ('bulk', 'Bulk');
INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost)
SELECT 't' || (g % 10 + 1), 'crm.op.' || g, 1 FROM generate_series(1, 10000) g;
INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost)
SELECT 'bulk', 'crm.bulk.' || g, 1 FROM generate_series(1, 10000) g;
SQL

# The two function bodies: the current one (installed by the migrations) and V1's.
q -At -c "SELECT pg_get_functiondef('suitesync_capture'::regproc) || ';'" > "$WORK/new.sql"
awk '/^CREATE FUNCTION suitesync_capture\(\)/ {on=1; sub(/CREATE FUNCTION/, "CREATE OR REPLACE FUNCTION")}
     on {print} on && /^\$fn\$;/ {exit}' src/main/resources/db/migration/V1__change_capture.sql > "$WORK/old.sql"

variant() {
  q -c "ALTER TABLE credit_configurations ENABLE TRIGGER suitesync_capture_insert,
          ENABLE TRIGGER suitesync_capture_update, ENABLE TRIGGER suitesync_capture_delete"
  case $1 in
    old) q -f "$WORK/old.sql" ;;
    new) q -f "$WORK/new.sql" ;;
    none) q -c "ALTER TABLE credit_configurations DISABLE TRIGGER suitesync_capture_insert,
                  DISABLE TRIGGER suitesync_capture_update, DISABLE TRIGGER suitesync_capture_delete" ;;
  esac
}
reset() {
  q -c "TRUNCATE change_log, change_queue, change_retry CASCADE" 2>/dev/null
  q -c "VACUUM ANALYZE credit_configurations, change_log, change_queue"
}

cat > "$WORK/update.sql" <<'EOF'
\set k random(1, 10000)
UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = 't' || (:k % 10 + 1) AND operation_code = 'crm.op.' || :k;
EOF
cat > "$WORK/insdel.sql" <<'EOF'
\set r random(1, 1000000000000)
INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) VALUES ('t1', 'ins.' || :r, 1) RETURNING id \gset
DELETE FROM credit_configurations WHERE id = :id;
EOF
for i in $(seq 1 20); do
  echo "UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = 't$((i * 7 % 10 + 1))' AND operation_code = 'crm.op.$((i * 7))';"
done > "$WORK/singles.sql"
printf '%s\n' '\timing on' "UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = 'bulk';" > "$WORK/bulk.sql"
cat "$WORK/singles.sql" "$WORK/bulk.sql" > "$WORK/singles-then-bulk.sql"

echo "# $(date -u +%FT%TZ) $(uptime)"
results="$WORK/results"
for rep in $(seq 1 "$REPS"); do
  # odd repetitions run old first, even ones new first, so a drift over the run favours neither
  if [ $((rep % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for v in $order none; do
    variant "$v"
    for script in update insdel; do
      reset
      out=$(flock "$LOCK" "$WORK/busy.sh" pgbench -n -M prepared -c 1 -T "$SECS" -r -f "$WORK/$script.sql" "$DB" 2>&1)
      echo "$out" | awk -v v="$v" -v rep="$rep" -v busy="$(cat "$WORK/busy")" \
        '$2 == 0 && $3 ~ /^(UPDATE|INSERT|DELETE)$/ {print "single", v, $3, rep, $1, "cpu=" busy}' | tee -a "$results"
    done
  done
  for v in $order; do
    variant "$v"
    for kind in fresh singles-then-bulk; do
      reset
      file=$WORK/bulk.sql; [ "$kind" = fresh ] || file=$WORK/singles-then-bulk.sql
      ms=$(flock "$LOCK" "$WORK/busy.sh" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$file" | awk '/^Time:/ {print $2}')
      rows=$(q -At -c "SELECT count(*) FROM change_log WHERE tenant_id = 'bulk'")
      [ "$rows" = 10000 ] || { echo "bulk UPDATE captured $rows rows, not 10000" >&2; exit 1; }
      echo "bulk $v $kind $rep $ms cpu=$(cat "$WORK/busy")" | tee -a "$results"
    done
  done
done
echo "# $(date -u +%FT%TZ) $(uptime)"

echo
echo "median over $REPS runs (ms): single-row = pgbench per-statement average, bulk = psql \\timing; (machine CPU busy during the run)"
sort -k1,3 -k5,5n "$results" | awk '
  { key = $1 " " $2 " " $3; n[key]++; v[key, n[key]] = $5; u[key, n[key]] = substr($6, 5); if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
  END { for (i = 1; i <= k; i++) { key = order[i]; c = n[key]; m = (c % 2) ? v[key, (c + 1) / 2] : (v[key, c / 2] + v[key, c / 2 + 1]) / 2;
          runs = ""; for (j = 1; j <= c; j++) runs = runs " " v[key, j] " (" u[key, j] ")"; printf "%-40s %10.3f   (runs:%s)\n", key, m, runs } }'
