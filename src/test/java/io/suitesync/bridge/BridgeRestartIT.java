package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.bridge.poll.ChangePoller;
import io.suitesync.bridge.webhook.WebhookDeliveries;
import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import io.suitesync.simulator.SimulatedSystem.Delivery;
import io.suitesync.testsupport.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * And a webhook delivery taken before the restart is still a replay after it.
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

    @Test
    void webhookDeliveryTakenBeforeARestartIsStillRefusedAsAReplayAfterIt() {
        Map<String, String> webhookMode = Map.of("suitesync.bridge.enable-webhooks", "true",
                "suitesync.bridge.crm.webhook-secret", "it-crm-webhook-secret",
                "suitesync.bridge.finance.webhook-secret", "it-finance-webhook-secret");
        Delivery delivery;
        String crmId;
        try (ConfigurableApplicationContext first = startBridge(webhookMode)) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    count("SELECT count(*) FROM bridge_webhook_subscription WHERE status = 'ACTIVE'") == 2);
            crmId = (String) crm.userCreate("customer", Map.of("name", "Before Restart", "email", "b@example.com")).get("id");
            delivery = crm.deliveries().get(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> crm.deliveryStatus(delivery.id()) != null);
            assertThat(crm.deliveryStatus(delivery.id())).isEqualTo(202);
        }

        try (ConfigurableApplicationContext second = startBridge(webhookMode)) {
            String port = second.getEnvironment().getProperty("local.server.port");
            HttpRequest.Builder replay = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/crm"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(delivery.body()));
            delivery.headers().forEach(replay::header);
            HttpResponse<String> answer = HttpClient.newHttpClient().send(replay.build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"duplicate\":true");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_work_queue WHERE source_id = ?", Long.class, crmId))
                    .isEqualTo(1);

            // ids whose signed timestamp left the window are forgotten: the timestamp alone refuses them now
            jdbc.update("INSERT INTO bridge_webhook_delivery (system, delivery_id, signed_at) VALUES ('CRM', 'expired', now() - interval '6 minutes')");
            assertThat(second.getBean(WebhookDeliveries.class).purgeExpired()).isEqualTo(1);
            assertThat(jdbc.queryForList("SELECT delivery_id FROM bridge_webhook_delivery WHERE system = 'CRM'", String.class))
                    .containsExactly(delivery.id());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ConfigurableApplicationContext startBridge() {
        return startBridge(Map.of());
    }

    private ConfigurableApplicationContext startBridge(Map<String, String> extra) {
        // as command-line arguments: they must win over application.yml (suitesync.roles: hub)
        Map<String, String> arguments = new HashMap<>(Map.ofEntries(
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
                Map.entry("suitesync.bridge.worker.lease", "2s")));
        arguments.putAll(extra);
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
