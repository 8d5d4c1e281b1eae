#!/usr/bin/env bash
# Historical backfill throughput (records/s) of a real hub; prints one JSON line.
# Uses the PostgreSQL/Redis named by SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL
# (defaults: this machine's servers), else Testcontainers, else embedded servers.
# Extra arguments go to Maven, e.g. -Drecords=200000 -DbatchSize=2000
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SUITESYNC_TEST_POSTGRES_URL:-}" ] && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export SUITESYNC_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:5432/test?user=postgres"
fi
if [ -z "${SUITESYNC_TEST_REDIS_URL:-}" ] && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  export SUITESYNC_TEST_REDIS_URL="redis://127.0.0.1:6379"
fi
./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.BackfillBench "$@" | grep '^{"benchmark"'
