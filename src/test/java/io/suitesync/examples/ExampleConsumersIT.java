package io.suitesync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.suitesync.examples.ExampleConsumer.Kind;
import io.suitesync.hub.admin.AdminClient;
import io.suitesync.hub.relay.ChangeEvents;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The example consumers of {@code examples/} (Node.js with the {@code redis} client, plain Java with
 * Lettuce) against a live hub on real PostgreSQL and Redis, each run as its own process: a change
 * made in SQL reaches their cache; a consumer killed mid-stream applies every event once after its
 * restart; a trim forced past its group's position by {@code stream-hard-max-length} is reported by
 * the consumer, which recovers to the database's state from the read API snapshot. The Node example
 * is skipped when {@code node} is not installed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
        "suitesync.security.read-keys=crm=" + AdminClient.CRM_READ_KEY,
        "suitesync.hub.relay.stream-max-length=100",
        "suitesync.hub.relay.stream-hard-max-length=1000",
        "suitesync.hub.relay.group-check-interval=500ms"})
class ExampleConsumersIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @TempDir Path dir;

    private final List<ExampleConsumer> running = new ArrayList<>();

    @ParameterizedTest
    @EnumSource(Kind.class)
    void exampleConsumerFollowsSqlChangesSurvivesACrashAndRecoversFromAForcedTrim(Kind kind) {
        if (kind == Kind.NODE) {
            assumeTrue(ExampleConsumer.nodeAvailable(), "node is not installed: the Node.js example is not run");
            ExampleConsumer.installNodeExample();
        }
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant("crm");
        wrapper.creditConfig(tenant, "crm.leads.create", 2.0);
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.op.' || g, 1 FROM generate_series(1, 20) g", tenant);
        String role = wrapper.role(tenant, "Sales", "crm.leads.create").toString();
        await().atMost(PATIENCE).until(() -> wrapper.pendingChanges(tenant) == 0);
        long before = newestChange(tenant);
        Path state = dir.resolve(kind + "-state.json");
        try {
            // bootstrap from the snapshot, then a change made in SQL reaches the cache
            ExampleConsumer first = start(kind, tenant, state, "member-1");
            await().atMost(PATIENCE).until(() -> cost(state, "crm.leads.create") == 2.0);
            jdbc.update("UPDATE credit_configurations SET credit_cost = 3.5 WHERE tenant_id = ? AND operation_code = 'crm.leads.create'", tenant);
            jdbc.update("UPDATE roles SET permissions = '{crm.leads.create,crm.leads.delete}' WHERE id = ?::uuid", role);
            await().atMost(PATIENCE).until(() -> cost(state, "crm.leads.create") == 3.5
                    && permissions(state, role).equals(List.of("crm.leads.create", "crm.leads.delete")));

            // killed mid-stream: a restart under another name claims what the dead member left pending
            for (int round = 0; round < 5; round++) {
                bumpCosts(tenant);
            }
            await().atMost(PATIENCE).until(() -> stats(state, "applied") > 3);
            for (int round = 0; round < 10; round++) {
                bumpCosts(tenant);
            }
            first.kill();
            for (int round = 0; round < 5; round++) {
                bumpCosts(tenant);
            }
            start(kind, tenant, state, "member-2");
            Set<String> expected = publishedEventIds(tenant, before);
            assertThat(expected).hasSizeGreaterThan(400);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(handled(state)).containsAll(expected));
            List<String> handled = handledList(state);
            assertThat(new HashSet<>(handled)).as("every event applied once").hasSameSizeAs(handled);
            assertThat(costs(state)).isEqualTo(databaseCosts(tenant));
            assertThat(stats(state, "gaps")).isZero();

            // a trim forced by the hard bound past the group's position, while the consumer is down
            running.forEach(ExampleConsumer::kill);
            jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "SELECT ?, 'crm.bulk.' || g, 7 FROM generate_series(1, 2500) g", tenant);
            AdminClient admin = new AdminClient(port);
            String group = kind.name().toLowerCase() + "-cache";
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(admin.get("/admin/streams/crm/" + tenant + "/groups")
                    .<List<Map<String, Object>>>get("groups"))
                    .anySatisfy(g -> assertThat(g).containsEntry("name", group).containsEntry("missedEntries", true)));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(admin.get("/admin/relay/trims").<List<Map<String, Object>>>get("trims"))
                    .anySatisfy(t -> assertThat(t).containsEntry("stream", "crm:" + tenant + ":events").containsEntry("group", group)));
            assertThat(((Number) admin.get("/admin/relay/metrics").json().get("forcedTrims")).longValue()).isPositive();

            ExampleConsumer third = start(kind, tenant, state, "member-3");
            await().atMost(PATIENCE).until(() -> costs(state).equals(databaseCosts(tenant)));
            assertThat(stats(state, "gaps")).isPositive();
            // the trim took entries the group had not read, or (depending on timing) entries already delivered
            // to the stopped member and still pending: either way the consumer reports the gap and recovers
            assertThat(third.output()).containsAnyOf("were trimmed before this group read them",
                    "entries pending for a stopped member were trimmed").contains("recovered from snapshot");
            // and it follows the stream again after the recovery
            jdbc.update("UPDATE credit_configurations SET credit_cost = 9 WHERE tenant_id = ? AND operation_code = 'crm.leads.create'", tenant);
            await().atMost(PATIENCE).until(() -> cost(state, "crm.leads.create") == 9.0);
        } finally {
            running.forEach(ExampleConsumer::close);
        }
    }

    private ExampleConsumer start(Kind kind, String tenant, Path state, String member) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", TestServers.redisUrl());
        env.put("HUB_URL", "http://127.0.0.1:" + port);
        env.put("HUB_API_KEY", AdminClient.CRM_READ_KEY);
        env.put("APP", "crm");
        env.put("TENANT", tenant);
        env.put("GROUP", kind.name().toLowerCase() + "-cache");
        env.put("CONSUMER", member);
        env.put("STATE_FILE", state.toString());
        env.put("CLAIM_IDLE_MS", "1000");
        env.put("CLAIM_EVERY_MS", "500");
        env.put("POLL_MS", "100");
        env.put("BATCH", "50");
        // their output stays in target/ for a look after a failure
        Path log = Path.of("target/example-consumers", kind + "-" + tenant + "-" + member + ".log");
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExampleConsumer consumer = ExampleConsumer.start(kind, env, log);
        running.add(consumer);
        return consumer;
    }

    /** 21 events: every crm.op.* cost goes up by one. */
    private void bumpCosts(String tenant) {
        jdbc.update("UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = ? "
                + "AND operation_code LIKE 'crm.op.%'", tenant);
    }

    private long newestChange(String tenant) {
        return jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM change_log WHERE tenant_id = ?", Long.class, tenant);
    }

    /** The eventIds the hub published to crm for the tenant's changes after {@code after}. */
    private Set<String> publishedEventIds(String tenant, long after) {
        await().atMost(PATIENCE).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM change_log_state WHERE tenant_id = ? AND state = 'PENDING'", Long.class, tenant) == 0);
        Set<String> ids = new HashSet<>();
        jdbc.queryForList("SELECT id FROM change_log_state WHERE tenant_id = ? AND id > ? AND state = 'PUBLISHED'",
                Long.class, tenant, after).forEach(id -> ids.add(ChangeEvents.eventId(id, "crm")));
        return ids;
    }

    private Map<String, Double> databaseCosts(String tenant) {
        Map<String, Double> costs = new TreeMap<>();
        jdbc.queryForList("SELECT operation_code, credit_cost FROM credit_configurations WHERE tenant_id = ? "
                + "AND operation_code LIKE 'crm.%'", tenant)
                .forEach(r -> costs.put((String) r.get("operation_code"), ((Number) r.get("credit_cost")).doubleValue()));
        return costs;
    }

    private static Map<String, Double> costs(Path state) {
        Map<String, Double> costs = new TreeMap<>();
        JsonNode saved = ExampleConsumer.state(state);
        if (saved != null) {
            saved.path("creditCosts").fields().forEachRemaining(e -> costs.put(e.getKey(), e.getValue().path("cost").asDouble()));
        }
        return costs;
    }

    private static double cost(Path state, String operation) {
        return costs(state).getOrDefault(operation, -1.0);
    }

    private static List<String> permissions(Path state, String role) {
        List<String> out = new ArrayList<>();
        JsonNode saved = ExampleConsumer.state(state);
        if (saved != null) {
            saved.path("roles").path(role).path("permissions").forEach(p -> out.add(p.asText()));
        }
        return out;
    }

    private static long stats(Path state, String counter) {
        JsonNode saved = ExampleConsumer.state(state);
        return saved == null ? 0 : saved.path("stats").path(counter).asLong();
    }

    private static List<String> handledList(Path state) {
        List<String> out = new ArrayList<>();
        JsonNode saved = ExampleConsumer.state(state);
        if (saved != null) {
            saved.path("handled").forEach(id -> out.add(id.asText()));
        }
        return out;
    }

    private static Set<String> handled(Path state) {
        return new HashSet<>(handledList(state));
    }
}
