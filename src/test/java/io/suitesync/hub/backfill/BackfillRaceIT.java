package io.suitesync.hub.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.hub.admin.AdminApiTest;
import io.suitesync.hub.admin.AdminClient;
import io.suitesync.hub.relay.ChangeEvents;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A backfill racing live updates of the same records: a consumer that applies an event only when
 * its version is greater than the last applied one for that record must end with exactly the
 * database's final state, whichever order backfill and live events arrived in.
 */
@AdminApiTest
class BackfillRaceIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RECORDS = 2000;
    private static final Map<String, String> CONTEXT = Map.of(
            "credit_allocations", "target_application, entity_id, amount, available, is_active, allocated_at, expires_at",
            "entities", "entity_type, parent_id, name",
            "organization_memberships", "user_id, organization_id, role_id, is_active");
    private static final Map<String, String> ENTITY = Map.of(
            "credit_allocations", "credit", "entities", "org", "organization_memberships", "org.assignment");

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aConsumerApplyingEventsByVersionEndsWithTheDatabasesFinalState() throws Exception {
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant();
        jdbc.update("INSERT INTO entities (tenant_id, name, code) SELECT ?, 'Org ' || g, 'O' || g FROM generate_series(1, ?) g",
                tenant, RECORDS);
        UUID user = wrapper.user(tenant, "race@" + tenant + ".example");
        jdbc.update("INSERT INTO organization_memberships (tenant_id, user_id, organization_id) SELECT ?, ?, id FROM entities WHERE tenant_id = ?",
                tenant, user, tenant);
        jdbc.update("INSERT INTO credit_allocations (tenant_id, target_application, amount, available, entity_id) "
                + "SELECT ?, 'crm', 100, 100, id FROM entities WHERE tenant_id = ?", tenant, tenant);
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
        Map<String, List<String>> ids = new HashMap<>();
        for (String table : CONTEXT.keySet()) {
            ids.put(table, jdbc.queryForList("SELECT id::text FROM " + table + " WHERE tenant_id = ?", String.class, tenant));
        }

        AdminClient.Response toggle = new AdminClient(port).toggle(tenant, "crm", "{\"isEnabled\": true}");
        assertThat(toggle.status()).isEqualTo(202);
        String jobId = toggle.get("jobId");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger updates = new AtomicInteger();
        CompletableFuture<Void> updater = CompletableFuture.runAsync(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stop.get()) {
                int n = updates.incrementAndGet();
                String table = List.copyOf(CONTEXT.keySet()).get(random.nextInt(CONTEXT.size()));
                String id = ids.get(table).get(random.nextInt(RECORDS));
                switch (table) {
                    case "credit_allocations" -> jdbc.update("UPDATE credit_allocations SET available = available - 1, "
                            + "updated_at = clock_timestamp() WHERE id = ?::uuid", id);
                    case "entities" -> jdbc.update("UPDATE entities SET name = ?, updated_at = clock_timestamp() WHERE id = ?::uuid",
                            "Org renamed " + n, id);
                    default -> jdbc.update("UPDATE organization_memberships SET is_active = NOT is_active, "
                            + "updated_at = clock_timestamp() WHERE id = ?::uuid", id);
                }
            }
        });
        await().atMost(WAIT).until(() -> "COMPLETED".equals(jdbc.queryForObject(
                "SELECT state FROM backfill_job WHERE id = ?::uuid", String.class, jobId)));
        stop.set(true);
        updater.get();
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);

        // the race really happened: live updates committed while the job was reading
        long updatedDuringJob = 0;
        for (String table : CONTEXT.keySet()) {
            updatedDuringJob += jdbc.queryForObject("SELECT count(*) FROM " + table + " t, backfill_job j WHERE j.id = ?::uuid "
                    + "AND t.tenant_id = ? AND t.updated_at > j.started_at AND t.updated_at < j.finished_at", Long.class, jobId, tenant);
        }
        System.out.printf("race: %d live updates, %d records updated while the backfill ran%n", updates.get(), updatedDuringJob);
        assertThat(updatedDuringJob).isPositive();

        Map<String, Applied> consumer = consume(new StreamReader(redis).events("crm:" + tenant + ":events"));
        for (String table : CONTEXT.keySet()) {
            Map<String, Map<String, Object>> database = databaseState(table, tenant);
            assertThat(database).hasSize(RECORDS);
            for (Map.Entry<String, Map<String, Object>> record : database.entrySet()) {
                Applied applied = consumer.get(ENTITY.get(table) + "/" + record.getKey());
                assertThat(applied).as(table + " " + record.getKey() + " reached the consumer").isNotNull();
                assertThat(applied.state()).as(table + " " + record.getKey()).isEqualTo(record.getValue());
            }
        }
        assertThat(consumer).hasSize(3 * RECORDS);
    }

    /** What the consumer ends with: per record, the data of the highest version seen. */
    record Applied(long version, Map<String, Object> state) {}

    @SuppressWarnings("unchecked")
    private static Map<String, Applied> consume(List<Map<String, Object>> events) {
        Map<String, Applied> applied = new HashMap<>();
        for (Map<String, Object> event : events) {
            String key = event.get("entity") + "/" + event.get("entityId");
            long version = ((Number) event.get("version")).longValue();
            Applied current = applied.get(key);
            if (current == null || version > current.version()) {
                Map<String, Object> state = new LinkedHashMap<>((Map<String, Object>) event.get("data"));
                state.keySet().removeAll(List.of("id", "changedFields", "newValue", "oldValue"));
                applied.put(key, new Applied(version, state));
            }
        }
        return applied;
    }

    private Map<String, Map<String, Object>> databaseState(String table, String tenant) throws Exception {
        Map<String, Map<String, Object>> state = new HashMap<>();
        String columns = CONTEXT.get(table);
        String json = "jsonb_build_object(" + String.join(", ", java.util.Arrays.stream(columns.split(", "))
                .map(c -> "'" + c + "', " + c).toList()) + ")::text";
        for (Map<String, Object> row : jdbc.queryForList("SELECT id::text AS id, " + json + " AS ctx FROM " + table
                + " WHERE tenant_id = ?", tenant)) {
            Map<String, Object> raw = mapper.readValue((String) row.get("ctx"), new TypeReference<Map<String, Object>>() {});
            Map<String, Object> camel = new LinkedHashMap<>();
            raw.forEach((k, v) -> camel.put(ChangeEvents.camel(k), v));
            state.put((String) row.get("id"), camel);
        }
        return state;
    }
}
