package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.RelayRoutes;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** Relay metrics, process now, dead letters and the stream tail over HTTP. */
@AdminApiTest
class RelayAdminIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired CamelContext camel;
    @Autowired io.suitesync.hub.relay.RelayMetrics metrics;
    @Autowired io.micrometer.core.instrument.MeterRegistry registry;

    AdminClient admin;
    WrapperFixtures wrapper;
    StreamReader streams;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(port);
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
    }

    @Test
    void metricsReportTheRelaysFigures() {
        String tenant = wrapper.tenant("crm");
        wrapper.creditConfig(tenant, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 1);

        AdminClient.Response r = admin.get("/admin/relay/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).containsKeys("processed", "published", "skipped", "parked", "eventsPublished", "pending",
                "lagSeconds", "averageBatchMillis", "errorRate");
        assertThat(((Number) r.get("published")).longValue()).isPositive();
        assertThat(((Number) r.get("eventsPublished")).longValue()).isPositive();
    }

    @Test
    void tenantsWithABacklogAreListedMostLaggingFirstAndPaged() throws Exception {
        String older = wrapper.tenant("crm");
        String newer = wrapper.tenant("crm");
        RelayRoutes.stop(camel);
        try {
            wrapper.creditConfig(older, "crm.leads.create", 1);
            wrapper.user(older, "a@example.com");
            wrapper.user(older, "b@example.com");
            wrapper.user(newer, "c@example.com");

            AdminClient.Response r = admin.get("/admin/relay/tenants?limit=1000");
            assertThat(r.status()).isEqualTo(200);
            List<Map<String, Object>> tenants = r.get("tenants");
            List<String> ids = tenants.stream().map(t -> (String) t.get("tenantId")).toList();
            assertThat(ids).contains(older, newer);
            assertThat(ids.indexOf(older)).isLessThan(ids.indexOf(newer));
            Map<String, Object> first = tenants.get(ids.indexOf(older));
            assertThat(first).containsEntry("pending", 3).containsEntry("highPriorityPending", 1);
            assertThat(((Number) first.get("lagSeconds")).doubleValue()).isGreaterThanOrEqualTo(0);
            assertThat(((Number) r.get("tenantsWithBacklog")).intValue()).isEqualTo(tenants.size());

            AdminClient.Response page = admin.get("/admin/relay/tenants?limit=1&offset=" + ids.indexOf(newer));
            assertThat(page.<List<Map<String, Object>>>get("tenants")).singleElement()
                    .satisfies(t -> assertThat(t).containsEntry("tenantId", newer).containsEntry("pending", 1));
            assertThat(admin.get("/admin/relay/tenants?limit=0").status()).isEqualTo(400);
            assertThat(admin.get("/admin/relay/tenants?offset=-1").status()).isEqualTo(400);

            // the gauges name the most lagging tenants (tenant-metrics-top of them)
            metrics.refreshBacklog();
            assertThat(registry.get("suitesync.relay.tenant.pending").tag("tenant", older).gauge().value()).isEqualTo(3.0);
            assertThat(registry.get("suitesync.relay.tenants.backlogged").gauge().value()).isGreaterThanOrEqualTo(2.0);
        } finally {
            RelayRoutes.start(camel);
        }
        await().atMost(WAIT).until(() -> streams.size("crm:" + older + ":events") == 3);
        // the relay dequeues a batch after Redis took it: the stream can be full a moment before the queue is empty
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.get("/admin/relay/tenants").<List<Map<String, Object>>>get("tenants"))
                .noneMatch(t -> older.equals(t.get("tenantId")) || newer.equals(t.get("tenantId"))));
    }

    @Test
    void processNowIsAccepted() {
        AdminClient.Response r = admin.post("/admin/relay/process-now", null);
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json()).containsEntry("status", "triggered");
    }

    /** Parks a published change as the relay parks a change after its last attempt. */
    long park(String tenant, UUID record) {
        long changeId = jdbc.queryForObject("SELECT max(id) FROM change_log WHERE record_id = ?", Long.class, record.toString());
        jdbc.update("UPDATE change_log SET status = 'PARKED', attempts = 5, last_error = 'boom' WHERE id = ?", changeId);
        jdbc.update("INSERT INTO change_dead_letter (change_id, tenant_id, table_name, record_id, attempts, error) "
                + "SELECT id, tenant_id, table_name, record_id, 5, 'boom' FROM change_log WHERE id = ?", changeId);
        return changeId;
    }

    @Test
    void deadLettersAreListedPerTenantAndReplayedIntoTheStream() {
        String tenant = wrapper.tenant("crm");
        String other = wrapper.tenant("crm");
        UUID first = wrapper.creditConfig(tenant, "crm.leads.create", 1);
        UUID second = wrapper.creditConfig(tenant, "crm.leads.update", 1);
        UUID foreign = wrapper.creditConfig(other, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 2 && streams.size("crm:" + other + ":events") == 1);
        long firstChange = park(tenant, first);
        long secondChange = park(tenant, second);
        park(other, foreign);

        AdminClient.Response list = admin.get("/admin/relay/dead-letters?tenantId=" + tenant);

        assertThat(list.status()).isEqualTo(200);
        List<Map<String, Object>> parked = list.get("deadLetters");
        assertThat(parked).extracting(d -> ((Number) d.get("changeId")).longValue()).containsExactly(firstChange, secondChange);
        assertThat(parked).allSatisfy(d -> assertThat(d).containsEntry("tenantId", tenant).containsEntry("error", "boom"));
        assertThat(list.raw()).doesNotContain(other);

        AdminClient.Response replay = admin.post("/admin/relay/dead-letters/" + firstChange + "/replay", null);
        assertThat(replay.status()).as(replay.raw()).isEqualTo(200);
        assertThat(replay.json()).containsEntry("replayed", true);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 3);
        assertThat(streams.events("crm:" + tenant + ":events").get(2)).containsEntry("entityId", first.toString());
        assertThat(admin.post("/admin/relay/dead-letters/" + firstChange + "/replay", null).status()).isEqualTo(404);

        AdminClient.Response all = admin.post("/admin/relay/dead-letters/replay-all?tenantId=" + tenant, null);
        assertThat(all.json()).containsEntry("replayed", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 4);
        assertThat((List<?>) admin.get("/admin/relay/dead-letters?tenantId=" + tenant).get("deadLetters")).isEmpty();
        assertThat((List<?>) admin.get("/admin/relay/dead-letters?tenantId=" + other).get("deadLetters")).hasSize(1);
        assertThat(streams.size("crm:" + other + ":events")).isEqualTo(1);
    }

    @Test
    void streamTailReturnsTheLastEventsOldestFirst() {
        String tenant = wrapper.tenant("crm");
        for (String op : List.of("crm.a.create", "crm.b.create", "crm.c.create")) {
            wrapper.creditConfig(tenant, op, 1);
        }
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 3);

        AdminClient.Response r = admin.get("/admin/streams/crm/" + tenant + "?count=2");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).containsEntry("stream", "crm:" + tenant + ":events").containsEntry("length", 3);
        List<Map<String, Object>> events = r.get("events");
        assertThat(events).extracting(e -> ((Map<String, Object>) ((Map<String, Object>) e.get("event")).get("data")).get("operationCode"))
                .containsExactly("crm.b.create", "crm.c.create");
        assertThat(events).allSatisfy(e -> assertThat(e).containsKey("streamId"));
        assertThat((List<?>) admin.get("/admin/streams/crm/" + tenant).get("events")).hasSize(3);
    }
}
