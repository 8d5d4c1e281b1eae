package io.suitesync.bench;

import io.suitesync.testsupport.RelayRoutes;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.suitesync.SuiteSyncApplication;
import io.suitesync.testsupport.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Noisy-neighbour benchmark of the relay's fair claim, against real PostgreSQL and Redis
 * (SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL, else embedded). One hub; tenant A gets a
 * backlog of {@code backlog} captured user inserts (normal priority) while the relay is stopped.
 * Prints one JSON line with:
 * <ul>
 *   <li>A's drain rate alone, on the freshly started hub and warm: before, between and after the two
 *       drains beside others below (each is compared with the mean of the drains alone next to it);</li>
 *   <li>A's drain rate while ten other tenants (B…K) update role names at {@code rate} changes/s in
 *       total, and their commit→subscriber latency p50/p99/max during A's drain, and the machine's CPU
 *       per neighbour change beside it (withNeighboursExtraCpuMsPerChange: that drain less the drain
 *       alone before it, by kind of process);</li>
 *   <li>the neighbours' updates without A's backlog (-DneighboursAloneSeconds, 15): their latency and the
 *       CPU they cost by process, by this JVM's thread and by PostgreSQL backend (named by its last
 *       statement: neighbourAlonePostgresCpuSecondsByStatement);</li>
 *   <li>A's drain rate while A itself updates a credit configuration (a high-priority table) at
 *       {@code highRate}/s, and that change's commit→subscriber latency p50/p99/max;</li>
 *   <li>what the neighbours cost A's drain without any relaying of theirs: A's drain rate beside the
 *       same updates with the live lane stopped (their writes and capture triggers), and beside the same
 *       updates of a copy of roles without capture (their writes alone), and beside them relayed once
 *       more, all three between the same two drains alone; -DsplitNeighbourCost=false leaves these out.</li>
 * </ul>
 * Latency is taken from the writer's commit returning to the event's arrival on the live pub/sub
 * channel the relay publishes in the same pipeline as the stream entry (same JVM clock).
 * Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.NoisyNeighbourBench}
 * (options: -Dbacklog=1000000 -Drate=100 -DhighRate=10 -DbatchSize=2000; -DseriesDir=DIR writes each
 * latency sample with its commit time to DIR/neighbour.txt and DIR/highPriority.txt).
 */
public final class NoisyNeighbourBench {

    private static final Pattern NAME = Pattern.compile("\"name\":\"seq-(\\d+)\"");
    /** A neighbour's change: a role renamed with the next sequence number (NAME finds it in the event). */
    private static final String RENAME_ROLE = "UPDATE roles SET name = 'seq-' || ? WHERE id = ?::uuid";
    /** The changes of B…K still queued (parameters: the run's tenant pattern, tenant A). */
    private static final String NEIGHBOURS_QUEUED = "SELECT count(*) FROM change_queue WHERE tenant_id LIKE ? AND tenant_id <> ?";
    /**
     * The sequence numbers of every phase's updates, one series for the whole run: a phase that started
     * its own again could write a role the name an earlier phase left on it, an update that changes
     * nothing, is not captured, and counted as a lost event.
     */
    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger(1_000);
    private static final Pattern COST = Pattern.compile("\"creditCost\":(\\d+)");

    /** Cores the whole machine kept busy during the last drain (hub, PostgreSQL, Redis, writers). */
    private static double lastDrainBusyCores;
    /** CPU seconds by process and by this JVM's threads during the last drain ({@link #since}). */
    private static Map<String, Double> lastDrainCpuByProcess = Map.of();
    private static Map<String, Double> lastDrainCpuByThread = Map.of();

    private NoisyNeighbourBench() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        int backlog = Integer.getInteger("backlog", 1_000_000);
        int rate = Integer.getInteger("rate", 100);
        int highRate = Integer.getInteger("highRate", 10);
        int batchSize = Integer.getInteger("batchSize", 2_000);
        long started = System.nanoTime();
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(SuiteSyncApplication.class)
                .run("--spring.datasource.url=" + TestServers.newDatabase(), "--server.port=0",
                        "--spring.data.redis.url=" + TestServers.redisUrl(),
                        "--suitesync.hub.relay.batch-size=" + batchSize, "--logging.level.root=WARN")) {
            double startSeconds = (System.nanoTime() - started) / 1e9;
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            StringRedisTemplate redis = hub.getBean(StringRedisTemplate.class);
            CamelContext camel = hub.getBean(CamelContext.class);
            DataSource dataSource = hub.getBean(DataSource.class);
            String run = Long.toString(System.currentTimeMillis(), 36);
            String noisy = "nn-" + run + "-a";
            // the live channels of B…K's role changes
            String neighbourChannels = "crm:nn-" + run + "-*:roles";
            String neighbourTenants = "nn-" + run + "-%";
            List<String> quiet = new ArrayList<>();
            tenant(jdbc, noisy);
            for (char c = 'b'; c <= 'k'; c++) {
                quiet.add("nn-" + run + "-" + c);
                tenant(jdbc, quiet.get(quiet.size() - 1));
            }
            List<String> roles = new ArrayList<>();
            for (String tenant : quiet) {
                roles.addAll(jdbc.queryForList("INSERT INTO roles (tenant_id, name, permissions) "
                        + "SELECT ?, 'role-' || g, '{crm.leads.view}' FROM generate_series(1, 10) g RETURNING id::text",
                        String.class, tenant));
            }
            String config = jdbc.queryForObject("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "VALUES (?, 'crm.leads.create', 1) RETURNING id::text", String.class, noisy);

            Map<String, Object> out = new LinkedHashMap<>();
            out.put("backlog", backlog);
            out.put("hubStartSeconds", RelayBench.round2(startSeconds));
            // the first drain captures A's inserts; later ones queue the same changes again (the relay
            // reads, routes and publishes them again), which takes seconds instead of the inserts' minutes
            out.put("aloneFreshEventsPerSecond", RelayBench.round(drain(jdbc, camel, noisy, backlog, true, running -> {})));
            double aloneBefore = drain(jdbc, camel, noisy, backlog, false, running -> {});
            out.put("aloneBusyCores", RelayBench.round2(lastDrainBusyCores));
            out.put("aloneCpuSecondsByProcess", lastDrainCpuByProcess.toString());
            out.put("aloneCpuSecondsByThread", lastDrainCpuByThread.toString());
            Map<String, Double> aloneCpu = lastDrainCpuByProcess;

            // what the neighbours' changes cost the machine without A's backlog: their writes, capture,
            // claims, publishes and acknowledgements, in CPU milliseconds per change
            Latencies idle = new Latencies(redis, neighbourChannels, NAME);
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> idle.write(dataSource, RENAME_ROLE,
                    roles, rate, writing), "bench-neighbours-alone");
            double idleBusy = machineBusySeconds();
            Map<String, Double> idleCpu0 = cpuByProcess();
            Map<String, Double> idleThreads0 = threadCpu();
            Map<String, Double> idleBackends0 = backendCpu(jdbc);
            long idleStart = System.nanoTime();
            writer.start();
            Thread.sleep(Long.getLong("neighboursAloneSeconds", 15) * 1000);
            writing.set(false);
            writer.join();
            double idleSeconds = (System.nanoTime() - idleStart) / 1e9;
            out.put("neighbourAloneEndedAt", java.time.Instant.now().toString());
            double idleCpu = machineBusySeconds() - idleBusy;
            out.put("neighbourAloneCpuSecondsByProcess", since(idleCpu0, cpuByProcess()).toString());
            out.put("neighbourAloneCpuSecondsByThread", since(idleThreads0, threadCpu()).toString());
            out.put("neighbourAlonePostgresCpuSecondsByStatement", since(idleBackends0, backendCpu(jdbc)).toString());
            idle.report("neighbourAlone", out);
            idle.close();
            out.put("neighbourAloneBusyCores", RelayBench.round2(idleCpu / idleSeconds));
            out.put("neighbourAloneCpuMsPerChange", RelayBench.round2(idleCpu * 1000 / Math.max(1, idleSeconds * rate)));

            Latencies neighbours = new Latencies(redis, neighbourChannels, NAME);
            double withNeighbours = drain(jdbc, camel, noisy, backlog, false,
                    running -> neighbours.write(dataSource, RENAME_ROLE, roles,
                            rate, running));
            out.put("withNeighboursBusyCores", RelayBench.round2(lastDrainBusyCores));
            out.put("withNeighboursCpuSecondsByProcess", lastDrainCpuByProcess.toString());
            out.put("withNeighboursCpuSecondsByThread", lastDrainCpuByThread.toString());
            out.put("withNeighboursExtraCpuMsPerChange",
                    extraCpuMsPerChange(aloneCpu, lastDrainCpuByProcess, backlog / withNeighbours * rate).toString());
            // wait for the last events before closing the subscription (else they count as lost)
            neighbours.report("neighbour", out);
            // a change still queued after the report's wait was never relayed; none queued means a "lost"
            // sample is an event the live pub/sub channel dropped (at most once), not one the relay lost
            out.put("neighbourChangesStillQueued", stillQueued(jdbc, NEIGHBOURS_QUEUED, neighbourTenants, noisy));
            neighbours.close();
            double aloneBetween = drain(jdbc, camel, noisy, backlog, false, running -> {});

            Latencies high = new Latencies(redis, "crm:" + noisy + ":credit-configs", COST);
            double withHigh = drain(jdbc, camel, noisy, backlog, false,
                    running -> high.write(dataSource, "UPDATE credit_configurations SET credit_cost = ? WHERE id = ?::uuid",
                            List.of(config), highRate, running));
            out.put("withHighPriorityBusyCores", RelayBench.round2(lastDrainBusyCores));
            high.report("highPriority", out);
            out.put("highPriorityChangesStillQueued", stillQueued(jdbc, "SELECT count(*) FROM change_queue WHERE tenant_id = ? AND high", noisy));
            high.close();
            double aloneAfter = drain(jdbc, camel, noisy, backlog, false, running -> {});

            // What the neighbours cost A's drain without any relaying of theirs: the same updates with the
            // live lane stopped (their writes and capture), then of a copy of roles without capture
            // triggers (their writes alone), then relayed again, all against the drains alone just before
            // and after them
            if (Boolean.parseBoolean(System.getProperty("splitNeighbourCost", "true"))) {
                double unrelayed = drain(jdbc, camel, noisy, backlog, false, running -> {
                    stopLiveLane(camel);
                    Latencies.writeOnly(dataSource, RENAME_ROLE, roles,
                            rate, running);
                });
                // their changes queued meanwhile are not A's to drain, nor relayed later
                jdbc.update(NEIGHBOURS_QUEUED.replace("SELECT count(*)", "DELETE"), neighbourTenants, noisy);
                jdbc.execute("CREATE TABLE nn_roles_uncaptured (LIKE roles INCLUDING ALL)");
                jdbc.update("INSERT INTO nn_roles_uncaptured SELECT * FROM roles");
                double uncaptured = drain(jdbc, camel, noisy, backlog, false,
                        running -> Latencies.writeOnly(dataSource,
                                RENAME_ROLE.replace("UPDATE roles", "UPDATE nn_roles_uncaptured"), roles, rate, running));
                jdbc.execute("DROP TABLE nn_roles_uncaptured");
                // and relayed once more: the first drain beside them came while the JIT still compiled the
                // live lane's code, this one compares with the two above on a hub as warm as for them
                Latencies again = new Latencies(redis, neighbourChannels, NAME);
                double relayed = drain(jdbc, camel, noisy, backlog, false,
                        running -> again.write(dataSource, RENAME_ROLE, roles,
                                rate, running));
                again.report("neighbourAgain", out);
                out.put("neighbourAgainChangesStillQueued", stillQueued(jdbc, NEIGHBOURS_QUEUED, neighbourTenants, noisy));
                again.close();
                double aloneLast = drain(jdbc, camel, noisy, backlog, false, running -> {});
                double aloneAround = (aloneAfter + aloneLast) / 2;
                out.put("splitAloneEventsPerSecond", List.of(RelayBench.round(aloneAfter), RelayBench.round(aloneLast)));
                out.put("withNeighboursAgainEventsPerSecond", RelayBench.round(relayed));
                out.put("withNeighboursAgainVsWarmAlone", RelayBench.round2(relayed / aloneAround));
                out.put("withNeighboursUnrelayedEventsPerSecond", RelayBench.round(unrelayed));
                out.put("withNeighboursUnrelayedVsWarmAlone", RelayBench.round2(unrelayed / aloneAround));
                out.put("withNeighboursUncapturedEventsPerSecond", RelayBench.round(uncaptured));
                out.put("withNeighboursUncapturedVsWarmAlone", RelayBench.round2(uncaptured / aloneAround));
            }

            // each drain beside others against the mean of the drains alone just before and after it
            out.put("aloneWarmEventsPerSecond", List.of(RelayBench.round(aloneBefore), RelayBench.round(aloneBetween),
                    RelayBench.round(aloneAfter)));
            out.put("withNeighboursEventsPerSecond", RelayBench.round(withNeighbours));
            out.put("withNeighboursVsWarmAlone", RelayBench.round2(withNeighbours / ((aloneBefore + aloneBetween) / 2)));
            out.put("neighbourRatePerSecond", rate);
            out.put("withHighPriorityEventsPerSecond", RelayBench.round(withHigh));
            out.put("withHighPriorityVsWarmAlone", RelayBench.round2(withHigh / ((aloneBetween + aloneAfter) / 2)));
            out.put("highPriorityRatePerSecond", highRate);

            out.put("cores", Runtime.getRuntime().availableProcessors());
            out.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
            System.out.println(RelayBench.toJson(out));
            java.util.Set<String> keys = redis.keys("*:nn-" + run + "-*");
            if (keys != null && !keys.isEmpty()) {
                redis.delete(keys);
            }
        }
    }

    /** The machine's busy CPU time so far (all processes), in seconds, from /proc/stat; 0 where there is none. */
    static double machineBusySeconds() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            return busy / 100.0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU seconds used so far by each kind of process (the command name, for PostgreSQL backends the
     * title's first words: "postgres: postgres suitesync_t_x 127.0.0.1(4711) DELETE" counts as
     * "postgres: postgres"), from /proc, per process ("pid\tname", {@link #since} adds them up by name).
     */
    static Map<String, Double> cpuByProcess() {
        Map<String, Double> out = new java.util.TreeMap<>();
        java.io.File[] procs = new java.io.File("/proc").listFiles(f -> f.getName().matches("\\d+"));
        if (procs == null) {
            return out;
        }
        for (java.io.File p : procs) {
            try {
                String stat = java.nio.file.Files.readString(p.toPath().resolve("stat"));
                double cpu = cpuSeconds(stat);
                String cmd = java.nio.file.Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' ').trim();
                String[] words = cmd.split(" ");
                String name = words.length >= 3 && words[0].equals("postgres:") ? words[0] + " " + words[1] + " " + words[2]
                        : stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                out.put(p.getName() + "\t" + name, cpu);
            } catch (java.io.IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        return out;
    }

    /**
     * CPU seconds of each PostgreSQL client backend so far ("pid\tits last statement's first words", from
     * pg_stat_activity and /proc): the live lane's claim session, its LISTEN sessions and a writer each keep
     * one backend, so the neighbours-alone phase splits PostgreSQL's part per change by what it ran. A pooled
     * connection counts under whatever it ran last. Empty where /proc or pg_stat_activity cannot be read.
     */
    static Map<String, Double> backendCpu(JdbcTemplate jdbc) {
        Map<String, Double> out = new java.util.TreeMap<>();
        try {
            jdbc.query("SELECT pid, left(regexp_replace(query, '\\s+', ' ', 'g'), 32) FROM pg_stat_activity "
                    + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()", row -> {
                        int pid = row.getInt(1);
                        String statement = row.getString(2);
                        try {
                            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
                            out.put(pid + "\t" + (statement == null || statement.isBlank() ? "(none)" : statement.replace(',', ' ').replace('=', ' ')),
                                    cpuSeconds(stat));
                        } catch (java.io.IOException | RuntimeException e) {
                            // ended meanwhile, or not on this machine
                        }
                    });
        } catch (org.springframework.dao.DataAccessException e) {
            // no pg_stat_activity to read: nothing split
        }
        return out;
    }

    /** CPU seconds of this JVM's threads so far, per thread ("tid\tname", the name as /proc gives it, 15 characters). */
    static Map<String, Double> threadCpu() {
        Map<String, Double> out = new java.util.TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        for (java.io.File t : tasks == null ? new java.io.File[0] : tasks) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+$", "#");
                out.put(t.getName() + "\t" + name, cpuSeconds(stat));
            } catch (java.io.IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        return out;
    }

    /** User plus system CPU seconds in a /proc {@code stat} line (fields 14 and 15, after the command in parentheses). */
    private static double cpuSeconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /**
     * What each name used since {@code before} (a reading of the same kind), 0.05 s at least: per process
     * or thread (matched by its id: a backend's name here can change, see {@link #backendCpu}), then added
     * up by name (the later reading's), so one that ended in between (its CPU no longer readable) takes
     * nothing off the others of its name; one that started in between counts from zero.
     */
    static Map<String, Double> since(Map<String, Double> before, Map<String, Double> now) {
        Map<String, Double> byName = new java.util.TreeMap<>();
        Map<String, Double> beforeById = new java.util.HashMap<>();
        before.forEach((k, v) -> beforeById.put(k.substring(0, k.indexOf('\t')), v));
        now.forEach((k, v) -> byName.merge(k.substring(k.indexOf('\t') + 1),
                v - beforeById.getOrDefault(k.substring(0, k.indexOf('\t')), 0.0), Double::sum));
        Map<String, Double> delta = new java.util.TreeMap<>();
        byName.forEach((name, d) -> {
            if (d >= 0.05) {
                delta.put(name, RelayBench.round2(d));
            }
        });
        return delta;
    }

    /**
     * The count {@code sql} finds once it is 0 or a second has passed: the live lane acknowledges a last
     * change with its next claim or up to 20 ms after it was published, so right after its event came
     * it may still be queued, though relayed.
     */
    private static long stillQueued(JdbcTemplate jdbc, String sql, Object... args) {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        long queued = jdbc.queryForObject(sql, Long.class, args);
        while (queued > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            queued = jdbc.queryForObject(sql, Long.class, args);
        }
        return queued;
    }

    /**
     * Every drain from a checkpoint: each one queues and deletes a million rows, so one that ran into
     * PostgreSQL's next checkpoint (full-page writes of every page it touches first) drained slower than
     * its neighbours for that alone. Needs a superuser or pg_checkpoint; without, drains go on as they come.
     */
    private static void checkpoint(JdbcTemplate jdbc) {
        try {
            jdbc.execute("CHECKPOINT");
        } catch (org.springframework.dao.DataAccessException e) {
            // not allowed to: the figures spread more, nothing else changes
        }
    }

    /**
     * What a neighbour's change cost the machine beside A's drain, in CPU milliseconds by kind of process:
     * the drain beside them less the drain alone before it (A's own work is the same million changes in
     * both), over the neighbours' changes made during it. It counts their writes, capture, relaying and
     * the benchmark's subscriber, and what sharing the cores made A's own work cost more.
     */
    static Map<String, Double> extraCpuMsPerChange(Map<String, Double> alone, Map<String, Double> beside, double changes) {
        Map<String, Double> extra = new java.util.TreeMap<>();
        java.util.function.BiConsumer<Map<String, Double>, Double> add = (m, sign) -> m.forEach((name, seconds) -> {
            String kind = name.equals("java") ? "hub JVM" : name.startsWith("postgres") ? "PostgreSQL"
                    : name.startsWith("redis") ? "Redis" : "other";
            extra.merge(kind, sign * seconds, Double::sum);
            extra.merge("total", sign * seconds, Double::sum);
        });
        add.accept(beside, 1.0);
        add.accept(alone, -1.0);
        extra.replaceAll((kind, seconds) -> RelayBench.round2(seconds * 1000 / Math.max(1, changes)));
        return extra;
    }

    /** Stops the live lane's claim (the bulk lane goes on): the neighbours' changes stay queued. */
    private static void stopLiveLane(CamelContext camel) {
        try {
            camel.getRouteController().stopRoute("change-log-live");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void tenant(JdbcTemplate jdbc, String id) {
        jdbc.update("INSERT INTO tenants (id, name) VALUES (?, ?)", id, id);
        jdbc.update("INSERT INTO organization_applications (tenant_id, application_code) VALUES (?, 'crm')", id);
    }

    /**
     * With the relay stopped, captures {@code count} user inserts of the tenant ({@code capture}) or
     * queues its captured changes again, then starts the relay and {@code alongside} (which runs while
     * the flag it gets is set: until the tenant's queue is empty), and returns the tenant's events per second.
     */
    private static double drain(JdbcTemplate jdbc, CamelContext camel, String tenant, int count, boolean capture,
                                java.util.function.Consumer<AtomicBoolean> alongside)
            throws Exception {
        RelayRoutes.stop(camel);
        if (capture) {
            jdbc.update("INSERT INTO users (tenant_id, email, first_name, last_name) "
                    + "SELECT ?, 'u' || g || '-' || random() || '@example.com', 'Ada', 'Lovelace' FROM generate_series(1, ?) g",
                    tenant, count);
        } else {
            jdbc.update("INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high) "
                    + "SELECT id, table_name, record_id, tenant_id, false FROM change_log WHERE tenant_id = ? "
                    + "AND table_name = 'users'", tenant);
        }
        jdbc.execute("VACUUM ANALYZE change_queue");
        checkpoint(jdbc);
        AtomicBoolean draining = new AtomicBoolean(true);
        Thread side = new Thread(() -> alongside.accept(draining), "bench-alongside");
        long start = System.nanoTime();
        double busyBefore = machineBusySeconds();
        Map<String, Double> processes = cpuByProcess();
        Map<String, Double> threads = threadCpu();
        RelayRoutes.start(camel);
        side.start();
        while (Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM change_queue WHERE tenant_id = ? AND NOT high)", Boolean.class, tenant))) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        long nanos = System.nanoTime() - start;
        lastDrainBusyCores = (machineBusySeconds() - busyBefore) / (nanos / 1e9);
        lastDrainCpuByProcess = since(processes, cpuByProcess());
        lastDrainCpuByThread = since(threads, threadCpu());
        draining.set(false);
        side.join();
        return count / (nanos / 1e9);
    }

    /** Commit→subscriber latencies of changes whose event carries their sequence number. */
    private static final class Latencies implements AutoCloseable {

        private final Map<Integer, Long> committedAt = new ConcurrentHashMap<>();
        /** Events that arrived before their writer noted its commit (the relay can be that fast). */
        private final Map<Integer, Long> arrivedEarly = new java.util.HashMap<>();
        private final List<Long> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Per sample, when its writer committed (ns since this object was made), for {@code -DseriesDir}. */
        private final List<long[]> series = java.util.Collections.synchronizedList(new ArrayList<>());
        private final long born = System.nanoTime();
        private final RedisClient client;
        private final StatefulRedisPubSubConnection<String, String> connection;

        Latencies(StringRedisTemplate redis, String channelPattern, Pattern valuePattern) {
            client = RedisClient.create(TestServers.redisUrl());
            connection = client.connectPubSub();
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    long now = System.nanoTime();
                    Matcher m = valuePattern.matcher(message);
                    if (m.find()) {
                        int n = Integer.parseInt(m.group(1));
                        synchronized (arrivedEarly) {
                            Long at = committedAt.remove(n);
                            if (at != null) {
                                sample(at, now - at);
                            } else {
                                arrivedEarly.put(n, now);
                            }
                        }
                    }
                }
            });
            connection.sync().psubscribe(channelPattern);
        }

        /** Updates the rows round robin at {@code rate}/s until the drain ends; each update carries a new sequence number. */
        void write(DataSource dataSource, String sql, List<String> ids, int rate, AtomicBoolean running) {
            paced(dataSource, sql, ids, rate, running, (n, committed) -> {
                synchronized (arrivedEarly) {
                    Long arrived = arrivedEarly.remove(n);
                    if (arrived != null) {
                        sample(committed, Math.max(0, arrived - committed));
                    } else {
                        committedAt.put(n, committed);
                    }
                }
            });
        }

        /** The same updates at the same rate, with nothing waiting for their events. */
        static void writeOnly(DataSource dataSource, String sql, List<String> ids, int rate, AtomicBoolean running) {
            paced(dataSource, sql, ids, rate, running, (n, committed) -> {});
        }

        private static void paced(DataSource dataSource, String sql, List<String> ids, int rate, AtomicBoolean running,
                                  java.util.function.ObjLongConsumer<Integer> committed) {
            try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
                long interval = 1_000_000_000L / rate;
                long next = System.nanoTime();
                while (running.get()) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += interval;
                    int n = SEQUENCE.getAndIncrement();
                    update.setInt(1, n);
                    update.setString(2, ids.get(n % ids.size()));
                    update.executeUpdate();
                    committed.accept(n, System.nanoTime());
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        private void sample(long committed, long latency) {
            samples.add(latency);
            series.add(new long[] {committed - born, latency});
        }

        void report(String name, Map<String, Object> out) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!committedAt.isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
            out.put(name + "Samples", sorted.length);
            out.put(name + "Lost", committedAt.size());
            out.put(name + "LatencyP50Ms", RelayBench.round2(RelayBench.percentile(sorted, 0.50) / 1e6));
            out.put(name + "LatencyP99Ms", RelayBench.round2(RelayBench.percentile(sorted, 0.99) / 1e6));
            out.put(name + "LatencyMaxMs", RelayBench.round2(sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6));
            String dir = System.getProperty("seriesDir");
            if (dir != null) {
                // one line per sample: commit time (ms since the writer began), commit→subscriber ms
                StringBuilder lines = new StringBuilder();
                synchronized (series) {
                    series.sort(java.util.Comparator.comparingLong(s -> s[0]));
                    for (long[] s : series) {
                        lines.append(String.format(java.util.Locale.ROOT, "%.1f %.2f%n", s[0] / 1e6, s[1] / 1e6));
                    }
                }
                try {
                    java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
                    java.nio.file.Files.writeString(java.nio.file.Path.of(dir, name + ".txt"), lines);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }
}
