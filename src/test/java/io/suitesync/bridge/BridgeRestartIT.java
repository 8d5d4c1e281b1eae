package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.bridge.poll.ChangePoller;
import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import io.suitesync.testsupport.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The bridge is stopped in the middle of a batch and started again on the same database: every
 * queued change is synced exactly once, including work a crashed worker left claimed (its lease runs
 * out) and a create that reached Finance just before the crash (found again by its external id).
 */
class BridgeRestartIT {

    private final CrmSimulator crm = (CrmSimulator) new CrmSimulator(0, "it-crm-token").start();
    private final FinanceSimulator finance = (FinanceSimulator) new FinanceSimulator(0, "it-finance",
            "it-finance-password", Duration.ofMinutes(10)).start();
    private final String database = TestServers.newDatabase();
    private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database));

    @AfterEach
    void stopSimulators() {
        crm.close();
        finance.close();
    }

    @Test
    void everyQueuedChangeIsSyncedExactlyOnceAfterStopMidBatchAndRestart() {
        List<String> crmIds = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            crmIds.add((String) crm.userCreate("customer", Map.of("name", "Restart " + i, "email", "r" + i + "@example.com",
                    "phone", "+98-" + i)).get("id"));
        }
        finance.setLatency(Duration.ofMillis(25));

        try (ConfigurableApplicationContext first = startBridge()) {
            first.getBean(ChangePoller.class).pollAll();
            await().atMost(Duration.ofSeconds(30)).until(() -> mapped() >= 20);
        }
        long mappedAtStop = mapped();
        assertThat(mappedAtStop).isLessThan(200);
        assertThat(count("SELECT count(*) FROM bridge_work_queue WHERE status IN ('PENDING', 'ACTIVE')")).isGreaterThan(0);

        // what a worker killed mid-sync leaves behind: items claimed with a lease, one create already in Finance
        List<String> orphaned = jdbc.queryForList("SELECT source_id FROM bridge_work_queue WHERE status = 'PENDING'"
                + " ORDER BY id LIMIT 3", String.class);
        jdbc.update("UPDATE bridge_work_queue SET status = 'ACTIVE', attempts = 1, lease_until = now() - interval '1 second'"
                + " WHERE status = 'PENDING' AND source_id = ANY(?)", (Object) orphaned.toArray(String[]::new));
        String createdBeforeCrash = orphaned.get(0);
        Map<String, Object> original = crm.find("customer", createdBeforeCrash);
        finance.userCreate("customer", Map.of("fullName", original.get("name"), "emailAddress", original.get("email"),
                "phoneNumber", original.get("phone"), "externalRef", createdBeforeCrash));
        finance.setLatency(Duration.ZERO);

        try (ConfigurableApplicationContext second = startBridge()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> mapped() == 200);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    count("SELECT count(*) FROM bridge_work_queue WHERE status IN ('PENDING', 'ACTIVE')") == 0);
        }

        assertThat(finance.all("customer")).hasSize(200);
        Map<Object, Long> copiesPerCrmId = new HashMap<>();
        finance.all("customer").forEach(c -> copiesPerCrmId.merge(c.get("externalRef"), 1L, Long::sum));
        assertThat(copiesPerCrmId).hasSize(200).allSatisfy((crmId, copies) -> assertThat(copies).isEqualTo(1));
        for (String crmId : crmIds) {
            String financeId = jdbc.queryForObject("SELECT finance_id FROM bridge_entity_mapping WHERE crm_id = ?", String.class, crmId);
            assertThat(finance.writeCount("customer", financeId)).as("writes to the copy of %s", crmId)
                    .isEqualTo(crmId.equals(createdBeforeCrash) ? 0 : 1);
            assertThat(crm.writeCount("customer", crmId)).isZero();
        }
        assertThat(count("SELECT count(*) FROM bridge_sync_log WHERE status = 'FAILED'")).isZero();
    }

    private ConfigurableApplicationContext startBridge() {
        // as command-line arguments: they must win over application.yml (suitesync.roles: hub)
        Map<String, String> arguments = Map.ofEntries(
                Map.entry("spring.datasource.url", database),
                Map.entry("server.port", "0"),
                Map.entry("suitesync.roles", "bridge"),
                Map.entry("suitesync.bridge.crm.base-url", crm.baseUrl()),
                Map.entry("suitesync.bridge.crm.api-token", "it-crm-token"),
                Map.entry("suitesync.bridge.finance.base-url", finance.baseUrl()),
                Map.entry("suitesync.bridge.finance.username", "it-finance"),
                Map.entry("suitesync.bridge.finance.password", "it-finance-password"),
                Map.entry("suitesync.bridge.poll-interval-seconds", "3600"),
                Map.entry("suitesync.bridge.poll-initial-delay", "1h"),
                Map.entry("suitesync.bridge.worker.concurrency", "2"),
                Map.entry("suitesync.bridge.worker.batch-size", "20"),
                Map.entry("suitesync.bridge.worker.idle-delay", "100ms"),
                Map.entry("suitesync.bridge.worker.lease", "2s"));
        return new SpringApplicationBuilder(SuiteSyncApplication.class)
                .run(arguments.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    private long mapped() {
        return count("SELECT count(*) FROM bridge_entity_mapping");
    }

    private long count(String sql) {
        return jdbc.queryForObject(sql, Long.class);
    }
}
