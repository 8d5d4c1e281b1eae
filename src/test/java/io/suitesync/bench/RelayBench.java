package io.suitesync.bench;

import io.suitesync.testsupport.RelayRoutes;
import io.suitesync.SuiteSyncApplication;
import io.suitesync.testsupport.TestServers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Relay benchmark against real PostgreSQL and Redis (SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL,
 * else embedded). Prints one JSON line:
 * <ul>
 *   <li>after a warm-up at the live rate and warm-up drains of {@code warmupChanges} changes each, until
 *       one spends under 2 % of its time in the JIT compiler (at most {@code maxWarmupDrains}; not reported);</li>
 *   <li>drain: events/s for a backlog of {@code changes} pre-captured changes across {@code tenants} tenants;</li>
 *   <li>live latency at a steady {@code rate} changes/s for {@code seconds}, after live warm-up rounds of
 *       5 s until one spends under 2 % of its time in the JIT compiler: commit→stream p50/p99 (by the
 *       entry ids) and commit→reader p50/p99;</li>
 *   <li>the raw ceilings in the same run: pipelined XADD rate from this JVM and claim+mark rate of
 *       change_log in PostgreSQL, with the drain rate as a ratio of each.</li>
 * </ul>
 * Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.RelayBench}
 * (options as system properties: -Dchanges=200000 -Dtenants=50 -Drate=1000 -Dseconds=15 -DbatchSize=2000
 * -DwarmupChanges=50000 -DmaxWarmupDrains=8 -DmaxWarmupLiveRounds=6; -DdrainRecording=FILE writes a JFR
 * recording of the measured drain, with the JDK's "profile" settings).
 */
public final class RelayBench {

    private RelayBench() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            // exit instead of hanging on the hub's non-daemon threads
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        int changes = Integer.getInteger("changes", 200_000);
        int tenants = Integer.getInteger("tenants", 50);
        int rate = Integer.getInteger("rate", 1_000);
        int seconds = Integer.getInteger("seconds", 15);
        int batchSize = Integer.getInteger("batchSize", 2_000);
        int warmupChanges = Integer.getInteger("warmupChanges", 50_000);
        int maxWarmupDrains = Integer.getInteger("maxWarmupDrains", 8);
        int maxWarmupLiveRounds = Integer.getInteger("maxWarmupLiveRounds", 6);
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(SuiteSyncApplication.class)
                .run("--spring.datasource.url=" + TestServers.newDatabase(), "--server.port=0",
                        "--spring.data.redis.url=" + TestServers.redisUrl(),
                        "--suitesync.hub.relay.batch-size=" + batchSize,
                        "--suitesync.hub.relay.stream-max-length=1000000", "--logging.level.root=WARN")) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            StringRedisTemplate redis = hub.getBean(StringRedisTemplate.class);
            CamelContext camel = hub.getBean(CamelContext.class);
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> tenantIds = new ArrayList<>();
            for (int t = 0; t < tenants; t++) {
                String id = "bench-" + run + "-" + t;
                tenantIds.add(id);
                jdbc.update("INSERT INTO tenants (id, name) VALUES (?, ?)", id, id);
                jdbc.update("INSERT INTO organization_applications (tenant_id, application_code) VALUES (?, 'crm')", id);
            }

            // 0. warm-up (JIT, connections): live changes at the measured rate, not reported
            for (String tenant : tenantIds.subList(0, Math.min(10, tenants))) {
                jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                        + "SELECT ?, 'crm.live.' || g, 1 FROM generate_series(1, 10) g", tenant);
            }
            liveLatency(hub.getBean(DataSource.class), redis, tenantIds.subList(0, Math.min(10, tenants)), rate,
                    Math.max(3, seconds / 2));

            // 0b. warm-up drains, not reported, until the JIT has settled: after one drain of 50,000 the
            //     C2 compiler still took 55-70 % of a core through the whole measured drain (per-thread
            //     CPU from /proc), so the figure measured the JIT as much as the relay. A hub that has
            //     been running for a while has its code compiled. Drains repeat (at most maxWarmupDrains)
            //     until one spends under 2 % of its time compiling; the JSON reports how many ran and
            //     the compile time during the measured drain.
            java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            int warmupDrains = warmupChanges <= 0 ? 0 : untilJitSettles(jit, maxWarmupDrains,
                    round -> drain(jdbc, camel, tenantIds, "crm.warmup" + round + ".", warmupChanges / tenants)[1]);
            long jitBeforeDrain = jit.getTotalCompilationTime();

            // 1. backlog drain
            long batchesBefore = (long) hub.getBean(io.suitesync.hub.relay.RelayMetrics.class).snapshot().get("batches");
            int perTenant = changes / tenants;
            // -DdrainRecording=FILE: a JFR recording (profile settings) of the measured drain alone
            String recordingFile = System.getProperty("drainRecording");
            jdk.jfr.Recording recording = recordingFile == null ? null
                    : new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            if (recording != null) {
                recording.start();
            }
            long[] drained = drain(jdbc, camel, tenantIds, "crm.bench.", perTenant);
            if (recording != null) {
                recording.stop();
                recording.dump(java.nio.file.Path.of(recordingFile));
                recording.close();
            }
            long jitDuringDrain = jit.getTotalCompilationTime() - jitBeforeDrain;
            long backlog = drained[0];
            double drainSeconds = drained[1] / 1e9;
            double drainRate = backlog / drainSeconds;
            Map<String, Object> relayFigures = hub.getBean(io.suitesync.hub.relay.RelayMetrics.class).snapshot();

            // 2. live latency at a steady rate, in a steady state: the drain left 200,000 dead row versions
            //    that autovacuum would otherwise be cleaning up during the measurement
            jdbc.execute("VACUUM ANALYZE change_queue");
            //    The drain changed the JIT's profile: with V1 capture, the C2 compiler took 55-65 % of a
            //    core during the live phase that followed (per-thread CPU from /proc), on a machine the
            //    live load already keeps busy. Live warm-up rounds of 5 s, not reported, run until one
            //    spends under 2 % of its time compiling (at most maxWarmupLiveRounds).
            List<String> liveTenants = tenantIds.subList(0, Math.min(10, tenants));
            int warmupLiveRounds = untilJitSettles(jit, maxWarmupLiveRounds, round -> {
                liveLatency(hub.getBean(DataSource.class), redis, liveTenants, rate, 5);
                return Duration.ofSeconds(5).toNanos();
            });
            long jitBeforeLive = jit.getTotalCompilationTime();
            double[] latency = liveLatency(hub.getBean(DataSource.class), redis, liveTenants, rate, seconds);
            long jitDuringLive = jit.getTotalCompilationTime() - jitBeforeLive;

            // 3. raw ceilings
            double xaddRate = rawXaddRate(redis, run, changes);
            RelayRoutes.stop(camel);
            double claimMarkRate = claimMarkRate(jdbc, batchSize);

            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("backlogChanges", backlog);
            out.put("tenants", tenants);
            out.put("batchSize", batchSize);
            out.put("warmupChanges", warmupChanges);
            out.put("warmupDrains", warmupDrains);
            out.put("jitCompileMsDuringDrain", jitDuringDrain);
            out.put("drainEventsPerSecond", round(drainRate));
            out.put("drainBatches", (long) relayFigures.get("batches") - batchesBefore);
            out.put("liveRatePerSecond", rate);
            out.put("liveSamples", (long) latency[2]);
            out.put("warmupLiveRounds", warmupLiveRounds);
            out.put("jitCompileMsDuringLive", jitDuringLive);
            out.put("latencyP50Ms", round2(latency[0]));
            out.put("latencyP99Ms", round2(latency[1]));
            out.put("readerLatencyP50Ms", round2(latency[3]));
            out.put("readerLatencyP99Ms", round2(latency[4]));
            out.put("rawPipelinedXaddPerSecond", round(xaddRate));
            out.put("rawClaimMarkRowsPerSecond", round(claimMarkRate));
            out.put("drainVsXadd", round2(drainRate / xaddRate));
            out.put("drainVsClaimMark", round2(drainRate / claimMarkRate));
            out.put("cores", Runtime.getRuntime().availableProcessors());
            // the raw ceilings moved by 2x between two machines of the same kind on consecutive days:
            // say which one this was
            out.put("cpu", cpuModel());
            out.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
            System.out.println(toJson(out));
            // the streams hold up to a million entries each: leave the shared Redis as we found it
            deleteKeys(redis, "bench:" + run + ":*");
            deleteKeys(redis, "crm:bench-" + run + "-*");
        }
    }

    /** One warm-up round; returns the time it counts as, in nanoseconds. */
    private interface WarmupRound {
        long run(int round) throws Exception;
    }

    /**
     * Runs warm-up rounds until one spends under 2 % of its time in the JIT compiler, at most
     * {@code maxRounds}; returns how many ran.
     */
    private static int untilJitSettles(java.lang.management.CompilationMXBean jit, int maxRounds, WarmupRound round)
            throws Exception {
        int rounds = 0;
        while (rounds < maxRounds) {
            long jitBefore = jit.getTotalCompilationTime();
            long nanos = round.run(rounds);
            rounds++;
            if (jit.getTotalCompilationTime() - jitBefore < 0.02 * nanos / 1e6) {
                break;
            }
        }
        return rounds;
    }

    /** Captures {@code perTenant} new credit configurations per tenant with the relay stopped, then times their drain. */
    private static long[] drain(JdbcTemplate jdbc, CamelContext camel, List<String> tenantIds, String prefix, int perTenant)
            throws Exception {
        RelayRoutes.stop(camel);
        for (String tenant : tenantIds) {
            jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "SELECT ?, ? || g, 1 FROM generate_series(1, ?) g", tenant, prefix, perTenant);
        }
        long backlog = jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class);
        jdbc.execute("VACUUM ANALYZE change_log");
        jdbc.execute("VACUUM ANALYZE change_queue");
        long start = System.nanoTime();
        RelayRoutes.start(camel);
        // a cheap probe: counting the backlog every few ms would steal the database's CPU from the relay
        while (Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM change_queue)", Boolean.class))) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return new long[] {backlog, System.nanoTime() - start};
    }

    /**
     * Writers commit single-row updates at {@code rate}/s; a reader tails the streams. Returns p50,
     * p99 and count of commit→stream latency: from the writer's commit returning (wall clock, µs) to
     * the end of the millisecond of the entry's id (Redis's wall clock at XADD, same host), an upper
     * bound; then p50 and p99 of commit→reader: until the reader has the entry (JVM monotonic clock),
     * which adds the reader's own wake-up.
     */
    private static double[] liveLatency(DataSource dataSource, StringRedisTemplate redis, List<String> tenants,
                                        int rate, int seconds) throws Exception {
        Map<Integer, Long> committedAt = new ConcurrentHashMap<>();
        Map<Integer, Long> committedWallMicros = new ConcurrentHashMap<>();
        List<Long> entrySamples = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean reading = new AtomicBoolean(true);
        Map<String, String> positions = new HashMap<>();
        for (String tenant : tenants) {
            String key = "crm:" + tenant + ":events";
            var last = redis.opsForStream().reverseRange(key, org.springframework.data.domain.Range.unbounded(),
                    org.springframework.data.redis.connection.Limit.limit().count(1));
            positions.put(key, last == null || last.isEmpty() ? "0-0" : last.get(0).getId().getValue());
        }
        // its own connection: Spring's template opens a dedicated connection for every blocking XREAD,
        // and that set-up time was being measured as relay latency
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(TestServers.redisUrl());
        var connection = client.connect();
        Thread reader = new Thread(() -> {
            while (reading.get()) {
                @SuppressWarnings("unchecked")
                io.lettuce.core.XReadArgs.StreamOffset<String>[] offsets = positions.entrySet().stream()
                        .map(e -> io.lettuce.core.XReadArgs.StreamOffset.from(e.getKey(), e.getValue()))
                        .toArray(io.lettuce.core.XReadArgs.StreamOffset[]::new);
                List<io.lettuce.core.StreamMessage<String, String>> records = connection.sync()
                        .xread(io.lettuce.core.XReadArgs.Builder.block(200).count(1000), offsets);
                long now = System.nanoTime();
                for (io.lettuce.core.StreamMessage<String, String> r : records) {
                    positions.put(r.getStream(), r.getId());
                    String json = r.getBody().get("event");
                    int marker = json.indexOf("\"creditCost\":");
                    if (marker < 0) {
                        continue;
                    }
                    int end = json.indexOf(',', marker);
                    int seq = (int) Double.parseDouble(json.substring(marker + 13, end));
                    Long at = committedAt.remove(seq);
                    if (at != null) {
                        samples.add(now - at);
                    }
                    Long wall = committedWallMicros.remove(seq);
                    if (wall != null) {
                        long entryMillis = Long.parseLong(r.getId().substring(0, r.getId().indexOf('-')));
                        // the entry id is Redis's clock at XADD truncated to the millisecond: counting to the
                        // end of that millisecond gives an upper bound of commit→stream
                        entrySamples.add((entryMillis + 1) * 1000 - wall);
                    }
                }
            }
        }, "bench-reader");
        reader.start();

        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                // the Wrapper's own commit cost is not what we measure; keep the writer from being the bottleneck
                s.execute("SET synchronous_commit = off");
            }
            List<String> ids = new ArrayList<>();
            for (String tenant : tenants) {
                ids.addAll(new JdbcTemplate(dataSource).queryForList(
                        "SELECT id::text FROM credit_configurations WHERE tenant_id = ? LIMIT 10", String.class, tenant));
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE credit_configurations SET credit_cost = ? WHERE id = ?::uuid")) {
                long interval = 1_000_000_000L / rate;
                long next = System.nanoTime();
                int total = rate * seconds;
                for (int seq = 1_000; seq < 1_000 + total; seq++) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += interval;
                    update.setInt(1, seq);
                    update.setString(2, ids.get(seq % ids.size()));
                    update.executeUpdate();
                    committedAt.put(seq, System.nanoTime());
                    java.time.Instant t = java.time.Instant.now();
                    committedWallMicros.put(seq, t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000);
                }
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!committedAt.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        reading.set(false);
        reader.join();
        connection.close();
        client.shutdown();
        long[] atReader = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] entry = entrySamples.stream().mapToLong(Long::longValue).sorted().toArray();
        return new double[] {percentile(entry, 0.50) / 1e3, percentile(entry, 0.99) / 1e3, entry.length,
            percentile(atReader, 0.50) / 1e6, percentile(atReader, 0.99) / 1e6};
    }

    /** XADD of pre-built payloads of the relay's size, pipelined in the relay's batch size. */
    private static double rawXaddRate(StringRedisTemplate redis, String run, int count) {
        byte[] payload = new byte[420];
        Arrays.fill(payload, (byte) 'x');
        byte[] field = "event".getBytes(StandardCharsets.UTF_8);
        XAddOptions trim = XAddOptions.maxlen(1_000_000).approximateTrimming(true);
        int batch = 2_000;
        long start = System.nanoTime();
        for (int done = 0; done < count; done += batch) {
            int offset = done;
            redis.executePipelined((RedisCallback<Object>) connection -> {
                for (int i = 0; i < batch; i++) {
                    byte[] key = ("bench:" + run + ":" + ((offset + i) % 50) + ":events").getBytes(StandardCharsets.UTF_8);
                    MapRecord<byte[], byte[], byte[]> record = StreamRecords.newRecord().in(key).ofMap(Map.of(field, payload));
                    connection.streamCommands().xAdd(record, trim);
                }
                return null;
            });
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** The relay's claim query and mark statement, without publishing: the database's ceiling. */
    private static double claimMarkRate(JdbcTemplate jdbc, int batchSize) {
        jdbc.update("INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high) "
                + "SELECT id, table_name, record_id, tenant_id, priority = 'high' FROM change_log ON CONFLICT DO NOTHING");
        jdbc.execute("VACUUM ANALYZE change_queue");
        long rows = jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class);
        // the backlog is of a high-priority table: the live lane's claim takes it, batch-size rows at a time
        String claim = resource("/sql/relay/claim-live.sql")
                .replace(":#${bean:liveDeliveryProtocol.batchSize}", Integer.toString(batchSize))
                .replace(":#${properties:suitesync.hub.relay.batch-size}", Integer.toString(batchSize))
                .replace(":#${properties:suitesync.hub.relay.fair-window}", "100")
                .replace(":#${properties:suitesync.hub.relay.bulk-threshold}", "250")
                .replace(":#${bean:liveDeliveryProtocol.tenantCursor}", "''")
                // full batches are acknowledged on their own (the publisher's thread), not by the next claim
                .replace(":#${bean:liveDeliveryProtocol.acknowledgedIds}", "'{}'")
                .replace(":#${bean:liveDeliveryProtocol.acknowledgedSkippedIds}", "'{}'")
                .replace(":#${bean:liveDeliveryProtocol.claimExclusions}", "'{}'")
                .replace(":#${bean:liveDeliveryProtocol.tenantExclusions}", "'{}'");
        String mark = resource("/sql/relay/acknowledge.sql").replace(":skippedIds", "'{}'").replace(":doneIds", ":ids");
        var named = new org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate(jdbc);
        long start = System.nanoTime();
        while (true) {
            // a prepared statement, as camel-sql runs it (the driver prepares it on the server after 5 runs)
            List<Map<String, Object>> claimed = jdbc.queryForList(claim, new Object[0]);
            if (claimed.isEmpty()) {
                break;
            }
            String ids = claimed.stream().map(r -> r.get("id").toString())
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));
            named.update(mark, Map.of("ids", ids));
        }
        return rows / ((System.nanoTime() - start) / 1e9);
    }

    private static String resource(String path) {
        try (var in = RelayBench.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String cpuModel() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name") || l.startsWith("bogomips")).distinct()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).collect(java.util.stream.Collectors.joining(", "));
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    private static void deleteKeys(StringRedisTemplate redis, String pattern) {
        java.util.Set<String> keys = redis.keys(pattern);
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static long round(double v) {
        return Math.round(v);
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static String toJson(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(v instanceof String ? "\"" + v + "\"" : String.format(Locale.ROOT, "%s", v)));
        return out.append('}').toString();
    }
}
