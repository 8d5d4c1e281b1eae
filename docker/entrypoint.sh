#!/bin/sh
# Starts SuiteSync in the image (Dockerfile). Class data sharing: the first start of a container
# records the classes it loaded in an archive when the JVM exits normally (docker stop); every later
# start of that container maps them instead of loading and verifying them again, which cut a hub's
# start from 36.5 s to 24.7 s of CPU (docs/benchmarks.md, "Hub restart after a crash"). The archive lives
# in the container's own layer: a new image starts without one and makes its own. A JVM that finds an
# archive it cannot use (another JDK, another jar) warns and starts without it.
# SUITESYNC_CDS=off starts without an archive.
set -eu
archive=${SUITESYNC_CDS_ARCHIVE:-/tmp/suitesync-cds/app.jsa}
cds=
if [ "${SUITESYNC_CDS:-on}" != off ]; then
  mkdir -p "$(dirname "$archive")"
  if [ -f "$archive" ]; then
    cds="-XX:SharedArchiveFile=$archive"
  else
    cds="-XX:ArchiveClassesAtExit=$archive"
  fi
fi
# shellcheck disable=SC2086
exec java -XX:MaxRAMPercentage=75 $cds ${JAVA_OPTS:-} -jar "${SUITESYNC_JAR:-/app/app.jar}" "$@"
