# Build and run SuiteSync in a container (used by docker-compose.yml).
# Built for Java 17 (pom.xml); run on JDK 25 by default: with its ahead-of-time cache a restart relays its first
# event after 12.7 s instead of 20.3 s on JDK 17 with a CDS archive (docker/entrypoint.sh, docs/benchmarks.md
# "Hub restart after a crash"). --build-arg RUNTIME_JDK=17 (or 21)
# runs on an older JDK with a class data sharing archive instead.
ARG RUNTIME_JDK=25
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline || true
COPY src src
# the repackaged jar carries no embedded database binaries (see pom.xml): a container is never a demo
RUN ./mvnw -B -q -DskipTests package && cp target/suitesync-*.jar /app.jar
# run extracted (app.jar + lib/), not as one jar of jars: a start loads its classes from plain jars, which
# took about a quarter less CPU than from the nested ones (docs/benchmarks.md, restart after a crash)
RUN java -Djarmode=tools -jar /app.jar extract --destination /app

FROM eclipse-temurin:${RUNTIME_JDK}-jre
# an unprivileged user of its own: nothing in the container runs as root; the jar stays root-owned (read-only to it)
RUN groupadd --system --gid 10001 suitesync \
 && useradd --system --uid 10001 --gid suitesync --no-create-home --shell /usr/sbin/nologin suitesync \
 && mkdir -p /var/lib/suitesync && chown suitesync:suitesync /var/lib/suitesync
COPY --from=build /app /app
# the agent role keeps its state file here (mount a volume to keep it across containers)
ENV SUITESYNC_AGENT_STATE_DIR=/var/lib/suitesync/agent-state
WORKDIR /var/lib/suitesync
USER 10001:10001
EXPOSE 8080
# GET /health is 200 while PostgreSQL and Redis answer, 503 otherwise. bash's /dev/tcp needs neither curl
# nor wget in the image, and no second JVM every interval.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-8080} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# an AOT cache (JDK 25+) or class data sharing archive made at the container's first normal exit, used by every
# later start (docker/entrypoint.sh); give `docker stop` the time to write it (compose: stop_grace_period)
COPY --chmod=755 docker/entrypoint.sh /app/entrypoint.sh
ENTRYPOINT ["/app/entrypoint.sh"]
