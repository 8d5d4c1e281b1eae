package io.suitesync.bench;

import io.suitesync.agent.CriticalStore;
import io.suitesync.agent.Processes.Hub;
import io.suitesync.agent.Processes;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Agent benchmark (a program, not a test): a hub and an agent against the real PostgreSQL and Redis
 * named by SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL, then
 * <ol>
 *   <li>in-process credit lookup ({@link CriticalStore#credit}), a measured loop after warm-up;</li>
 *   <li>local HTTP {@code GET /api/credits/check/{op}} from concurrent keep-alive clients: p50/p99, throughput,
 *       measured once the JIT has settled (the first pass after start is reported as the cold figure);</li>
 *   <li>commit → agent visibility: UPDATE committed in PostgreSQL until the agent's memory holds the new cost.</li>
 * </ol>
 * Prints one JSON line. {@code ./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.AgentBench}
 */
public final class AgentBench {

    private static final int OPERATIONS = 200;
    private static final int HTTP_CLIENTS = Integer.getInteger("bench.httpClients", 4);
    private static final int HTTP_REQUESTS_SINGLE = Integer.getInteger("bench.httpRequestsSingleClient", 5_000);
    private static final int HTTP_REQUESTS = Integer.getInteger("bench.httpRequests", 20_000);
    /** Warm-up passes end when one adds less JIT compilation than this (ms), or after the maximum. */
    private static final long HTTP_WARMUP_JIT_MS = Long.getLong("bench.httpWarmupJitMs", 200);
    private static final int HTTP_WARMUP_MAX_PASSES = Integer.getInteger("bench.httpWarmupMaxPasses", 15);
    private static final int VISIBILITY_SAMPLES = Integer.getInteger("bench.visibilitySamples", 200);

    private AgentBench() {}

    public static void main(String[] args) {
        int exit = 1;
        try {
            run();
            exit = 0;
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
        }
        // exec:java waits for every non-daemon thread before it returns; nothing is left to wait for
        System.exit(exit);
    }

    private static void run() throws Exception {
        String[] quiet = {"logging.level.root=WARN", "logging.level.io.suitesync=WARN", "spring.main.banner-mode=off",
                "camel.main.run-controller=false"};
        Path stateDir = Files.createTempDirectory("agent-bench");
        try (Hub hub = new Hub(TestServers.redisUrl(), quiet)) {
            JdbcTemplate jdbc = hub.jdbc();
            WrapperFixtures wrapper = new WrapperFixtures(jdbc);
            String tenant = wrapper.tenant("crm");
            List<UUID> configs = new ArrayList<>();
            for (int i = 0; i < OPERATIONS; i++) {
                configs.add(wrapper.creditConfig(tenant, "crm.bench.op" + i, 1 + i % 7));
            }
            try (ConfigurableApplicationContext agent = Processes.agent(hub, hub.url(), stateDir, List.of(tenant), quiet)) {
                CriticalStore store = Processes.store(agent);
                Awaitility.await("agent bootstrap").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> store.credit(tenant, "crm.bench.op" + (OPERATIONS - 1)) != null);
                double lookupNs = inProcessLookup(store, tenant);
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int port = Processes.port(agent);
                double[] cold = httpLoad(client, port, tenant, HTTP_CLIENTS, HTTP_REQUESTS);
                int warmupPasses = warmUp(client, port, tenant);
                double[] single = httpLoad(client, port, tenant, 1, HTTP_REQUESTS_SINGLE);
                long jitBefore = jitMillis();
                double[] http = httpLoad(client, port, tenant, HTTP_CLIENTS, HTTP_REQUESTS);
                long jitDuring = jitMillis() - jitBefore;
                double[] visibility = visibility(jdbc, store, tenant, configs);
                System.out.println(String.format(Locale.ROOT,
                        "{\"bench\":\"agent\",\"cores\":%d,\"inProcessLookupNs\":%.1f,"
                                + "\"httpColdP50Ms\":%.3f,\"httpColdP99Ms\":%.3f,\"httpWarmupRequests\":%d,"
                                + "\"http1ClientP50Ms\":%.3f,\"http1ClientP99Ms\":%.3f,\"httpClients\":%d,\"httpRequests\":%d,\"httpP50Ms\":%.3f,\"httpP99Ms\":%.3f,\"httpRps\":%.0f,\"httpJitMs\":%d,"
                                + "\"visibilitySamples\":%d,\"visibilityP50Ms\":%.1f,\"visibilityP99Ms\":%.1f}",
                        Runtime.getRuntime().availableProcessors(), lookupNs, cold[0], cold[1], (1 + warmupPasses) * HTTP_REQUESTS,
                        single[0], single[1], HTTP_CLIENTS, HTTP_REQUESTS, http[0], http[1], http[2], jitDuring,
                        VISIBILITY_SAMPLES, visibility[0], visibility[1]));
            }
        }
    }

    /** ns per lookup over 10M lookups, after 5M of warm-up; the sum keeps the JIT from dropping the work. */
    private static double inProcessLookup(CriticalStore store, String tenant) {
        String[] operations = new String[OPERATIONS];
        for (int i = 0; i < OPERATIONS; i++) {
            operations[i] = "crm.bench.op" + i;
        }
        long sink = 0;
        for (int i = 0; i < 5_000_000; i++) {
            sink += store.credit(tenant, operations[i % OPERATIONS]).version();
        }
        int n = 10_000_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += store.credit(tenant, operations[i % OPERATIONS]).version();
        }
        long elapsed = System.nanoTime() - start;
        if (sink == 42) {
            System.out.print("");
        }
        return (double) elapsed / n;
    }

    /**
     * Load passes until the JIT settles. Right after start C2 is still compiling the Tomcat, Spring MVC
     * and Camel request path (some 14 s of compiler CPU over the first ~100,000 requests), and on
     * two shared cores that compilation, not the request path, sets the p99. A sidecar next to a
     * long-running application spends its life past that point; the cold figure is reported apart.
     */
    private static int warmUp(HttpClient client, int port, String tenant) throws Exception {
        for (int pass = 1; pass <= HTTP_WARMUP_MAX_PASSES; pass++) {
            long jit = jitMillis();
            httpLoad(client, port, tenant, HTTP_CLIENTS, HTTP_REQUESTS);
            if (jitMillis() - jit < HTTP_WARMUP_JIT_MS) {
                return pass;
            }
        }
        return HTTP_WARMUP_MAX_PASSES;
    }

    /** Milliseconds the JIT compilers have spent in this JVM so far. */
    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** {p50 ms, p99 ms, requests/s} of the local credit check under concurrent keep-alive clients. */
    private static double[] httpLoad(HttpClient client, int port, String tenant, int clients, int requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long[][] latencies = new long[clients][requests / clients];
        long start = System.nanoTime();
        runClients(pool, client, port, tenant, requests / clients, latencies);
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        return new double[] {percentile(all, 50) / 1e6, percentile(all, 99) / 1e6, all.length / seconds};
    }

    private static void runClients(ExecutorService pool, HttpClient client, int port, String tenant, int perClient,
                                   long[][] latencies) throws Exception {
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < latencies.length; c++) {
            int id = c;
            clients.add(pool.submit(() -> {
                for (int i = 0; i < perClient; i++) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/api/credits/check/crm.bench.op" + (i % OPERATIONS))).header("X-Tenant-Id", tenant).build();
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    latencies[id][i] = System.nanoTime() - t0;
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("credit check answered " + response.statusCode());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : clients) {
            f.get();
        }
    }

    /** {p50 ms, p99 ms} from UPDATE commit until the agent's memory answers the new cost. */
    private static double[] visibility(JdbcTemplate jdbc, CriticalStore store, String tenant, List<UUID> configs)
            throws InterruptedException {
        long[] samples = new long[VISIBILITY_SAMPLES];
        for (int i = 0; i < VISIBILITY_SAMPLES; i++) {
            int op = i % OPERATIONS;
            BigDecimal cost = BigDecimal.valueOf(1000 + i);
            jdbc.update("UPDATE credit_configurations SET credit_cost = ? WHERE id = ?", cost, configs.get(op));
            long committed = System.nanoTime();
            long deadline = committed + Duration.ofSeconds(30).toNanos();
            while (store.credit(tenant, "crm.bench.op" + op).creditCost().compareTo(cost) != 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("change " + i + " not visible after 30 s");
                }
                Thread.onSpinWait();
            }
            samples[i] = System.nanoTime() - committed;
            // pacing between samples, so each change is measured alone
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        Arrays.sort(samples);
        return new double[] {percentile(samples, 50) / 1e6, percentile(samples, 99) / 1e6};
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
