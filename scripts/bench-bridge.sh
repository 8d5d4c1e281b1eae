#!/usr/bin/env bash
# Bridge throughput benchmark (polling mode, CRM -> Finance, simulators, real PostgreSQL); prints one JSON line.
# Uses SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL when set (else Testcontainers, else embedded servers).
# Usage: scripts/bench-bridge.sh [records]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.BridgeBench \
  -Dbench.records="${1:-10000}" ${MAVEN_OFFLINE:+-o} 2>&1 | grep '^{"benchmark"'
