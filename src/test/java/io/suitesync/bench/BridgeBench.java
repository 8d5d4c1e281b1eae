package io.suitesync.bench;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Bridge throughput, end to end in polling mode: N customers created in the CRM simulator, then
 * the time until every one has been created in the Finance simulator and mapped (poll timer, queue,
 * workers, HTTP both ways, PostgreSQL). Prints one JSON line. Not a test.
 *
 * <p>{@code ./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.BridgeBench}
 * (PostgreSQL/Redis as for the tests: SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL, else
 * Testcontainers, else embedded). {@code -Dbench.records=10000}.
 */
public final class BridgeBench {

    private BridgeBench() {}

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.records", 10_000);
        CrmSimulator crm = (CrmSimulator) new CrmSimulator(0, "bench-token").start();
        FinanceSimulator finance = (FinanceSimulator) new FinanceSimulator(0, "bench", "bench-pw", Duration.ofMinutes(30)).start();
        ConfigurableApplicationContext bridge = new SpringApplicationBuilder(SuiteSyncApplication.class).logStartupInfo(false).run(
                "--suitesync.roles=bridge",
                "--server.port=0",
                "--logging.level.root=WARN",
                "--suitesync.bridge.crm.base-url=" + crm.baseUrl(),
                "--suitesync.bridge.crm.api-token=bench-token",
                "--suitesync.bridge.finance.base-url=" + finance.baseUrl(),
                "--suitesync.bridge.finance.username=bench",
                "--suitesync.bridge.finance.password=bench-pw",
                "--suitesync.bridge.poll-interval-seconds=1");
        try {
            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            for (int i = 0; i < records; i++) {
                crm.userCreate("customer", Map.of("name", "Bench " + i, "email", "bench" + i + "@example.com", "phone", "+98-" + i));
            }
            long started = System.nanoTime();
            Awaitility.await("all " + records + " customers synced").atMost(Duration.ofMinutes(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> jdbc.queryForObject("SELECT count(*) FROM bridge_entity_mapping", Long.class) >= records);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("{\"benchmark\":\"bridge-polling-crm-to-finance\",\"records\":%d,\"seconds\":%.2f,"
                            + "\"customersPerSecond\":%.1f,\"financeWrites\":%d,\"crmWrites\":%d,\"workerConcurrency\":%s,"
                            + "\"batchSize\":%s,\"pollIntervalSeconds\":1,\"cpus\":%d}%n",
                    records, seconds, records / seconds, finance.totalWrites(), crm.totalWrites(),
                    bridge.getEnvironment().getProperty("suitesync.bridge.worker.concurrency"),
                    bridge.getEnvironment().getProperty("suitesync.bridge.worker.batch-size"),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            bridge.close();
            crm.close();
            finance.close();
        }
        // exec:java would otherwise wait for library threads that outlive the context (HTTP client selectors)
        System.exit(0);
    }
}
