#!/bin/sh
# Starts SuiteSync in the image (Dockerfile). The first start of a container records what it loaded
# when the JVM exits normally (docker stop); every later start of that container maps it instead of
# loading, verifying and linking the classes again:
# - on JDK 25 and later (the image's runtime), an ahead-of-time cache (-XX:AOTCache: classes loaded and
#   linked, method profiles for the JIT; JEPs 483, 514, 515);
# - on JDK 17 to 24, a class data sharing archive (-XX:SharedArchiveFile).
# docs/benchmarks.md ("Hub restart after a crash") has what each saves. The file lives in the container's
# own layer: a new image starts without one and makes its own. A JVM that finds a file it cannot use
# (another JDK, another jar) warns and starts without it.
# SUITESYNC_CDS=off starts without either.
set -eu
dir=${SUITESYNC_CDS_DIR:-/tmp/suitesync-cds}
release=${JAVA_HOME:-/opt/java/openjdk}/release
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" 2>/dev/null || true)
cds=
if [ "${SUITESYNC_CDS:-on}" != off ]; then
  mkdir -p "$dir"
  if [ "${major:-0}" -ge 25 ]; then
    if [ -f "$dir/app.aot" ]; then cds="-XX:AOTCache=$dir/app.aot"; else cds="-XX:AOTCacheOutput=$dir/app.aot"; fi
  else
    if [ -f "$dir/app.jsa" ]; then cds="-XX:SharedArchiveFile=$dir/app.jsa"; else cds="-XX:ArchiveClassesAtExit=$dir/app.jsa"; fi
  fi
fi
# C2 compiles a method after ten times the JIT's usual count of calls and loops: start-up code (configuration
# parsing, bean creation, route building) then stays with C1 and leaves the second core to the start, while
# the relay's hot code, called millions of times, still reaches C2 within seconds. It cut a restart's CPU by a
# fifth and the drain of a 100,000-change backlog after it was not slower (docs/benchmarks.md). JAVA_OPTS
# comes after these, so it can set them back.
jit="-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 -XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000"
# shellcheck disable=SC2086
exec java -XX:MaxRAMPercentage=75 $jit $cds ${JAVA_OPTS:-} -jar "${SUITESYNC_JAR:-/app/app.jar}" "$@"
