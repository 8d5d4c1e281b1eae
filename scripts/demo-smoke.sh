#!/usr/bin/env bash
# Runs the one-command demo exactly as README says (./mvnw spring-boot:run), checks what a newcomer
# should see, then stops it with Ctrl-C (SIGINT to its process group) and checks Maven ends cleanly:
#   1. the banner;
#   2. a credit-cost UPDATE (psql) reaches the stream crm:acme:events (redis-cli) and the agent's
#      GET /api/credits/check/crm.leads.create answers the new cost (curl);
#   3. a customer created in the CRM simulator appears in the Finance simulator (the bridge);
#   4. Ctrl-C: "BUILD SUCCESS", not "exit code 143".
# Needs psql, redis-cli, curl and python3 (to start Maven with SIGINT handled, as a terminal would).
# Ports: PORT, CRM_SIMULATOR_PORT, FINANCE_SIMULATOR_PORT (default 8080/8091/8092, as documented);
# the embedded servers take 55432/56379, or a free port when those are taken (the banner says which).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in psql redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "demo-smoke: $tool is needed" >&2; exit 2; }
done
export PORT="${PORT:-8080}" CRM_SIMULATOR_PORT="${CRM_SIMULATOR_PORT:-8091}" FINANCE_SIMULATOR_PORT="${FINANCE_SIMULATOR_PORT:-8092}"
log="$(mktemp -t suitesync-demo.XXXXXX.log)"
echo "demo-smoke: ./mvnw spring-boot:run on :$PORT (simulators :$CRM_SIMULATOR_PORT, :$FINANCE_SIMULATOR_PORT), log $log"

# a new session (process group) with SIGINT at its default, like a foreground job in a terminal
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])' \
  ./mvnw -B spring-boot:run >"$log" 2>&1 &
mvn_pid=$!
stop_demo() {
  if kill -0 "$mvn_pid" 2>/dev/null; then
    kill -INT -- "-$mvn_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$mvn_pid" 2>/dev/null || return 0; sleep 1; done
    kill -TERM -- "-$mvn_pid" 2>/dev/null || true
  fi
}
trap stop_demo EXIT

fail() { echo "demo-smoke: FAILED: $*" >&2; tail -40 "$log" >&2; exit 1; }
wait_for() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 "$seconds"); do "$@" >/dev/null 2>&1 && return 0; kill -0 "$mvn_pid" 2>/dev/null || fail "the demo ended while waiting for $what"; sleep 1; done
  fail "$what not seen within ${seconds}s"
}

wait_for 600 "the banner" grep -q '  stop: Ctrl-C' "$log"
sed -n '/==== SuiteSync demo/,/  stop: Ctrl-C/p' "$log"
pg_port=$(sed -n 's/.*PostgreSQL  *psql -h [^ ]* -p \([0-9]*\).*/\1/p' "$log" | head -1)
redis_port=$(sed -n 's/.*Redis  *redis-cli -h [^ ]* -p \([0-9]*\).*/\1/p' "$log" | head -1)
[ -n "$pg_port" ] && [ -n "$redis_port" ] || fail "no PostgreSQL/Redis port in the banner"
[ "$(grep -c '==== SuiteSync demo' "$log")" = 1 ] || fail "expected one banner"

app="http://localhost:$PORT"
wait_for 60 "the agent's first answer" sh -c "curl -sf $app/api/credits/check/crm.leads.create | grep -q '\"creditCost\":2'"
psql -h localhost -p "$pg_port" -U postgres -c \
  "UPDATE credit_configurations SET credit_cost = 3 WHERE tenant_id = 'acme' AND operation_code = 'crm.leads.create'"
wait_for 30 "the event in crm:acme:events" sh -c "redis-cli -p $redis_port XREVRANGE crm:acme:events + - COUNT 1 | grep -q '\"creditCost\":3'"
echo "demo-smoke: stream crm:acme:events has the new cost"
wait_for 30 "the agent answering the new cost" sh -c "curl -sf $app/api/credits/check/crm.leads.create | grep -q '\"creditCost\":3'"
echo "demo-smoke: agent answers $(curl -s "$app/api/credits/check/crm.leads.create")"

crm_id=$(curl -sf -XPOST "localhost:$CRM_SIMULATOR_PORT/_sim/customers" -H 'Content-Type: application/json' \
  -d '{"name":"Ava Rahimi","email":"ava@example.com","phone":"+98-21-555"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
[ -n "$crm_id" ] || fail "the CRM simulator did not create the customer"
wait_for 60 "customer $crm_id in the Finance simulator" sh -c "curl -sf localhost:$FINANCE_SIMULATOR_PORT/_sim/customers | grep -q '\"externalRef\":\"$crm_id\"'"
echo "demo-smoke: the bridge copied CRM customer $crm_id to Finance"

started=$(date +%s)
kill -INT -- "-$mvn_pid"
wait "$mvn_pid" || true
trap - EXIT
echo "demo-smoke: Ctrl-C ended the demo in $(( $(date +%s) - started ))s"
grep -q 'exit code: 143' "$log" && fail "Ctrl-C ended with exit code 143"
grep -q 'BUILD SUCCESS' "$log" || fail "no BUILD SUCCESS after Ctrl-C"
echo "demo-smoke: OK"
