package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** Per-record order, poison-row isolation and the backoff of a failing claim, with short retry settings. */
@SpringBootTest(properties = {
        "suitesync.hub.relay.max-attempts=3",
        "suitesync.hub.relay.retry-backoff=50ms",
        "suitesync.hub.relay.poll-interval=200ms"})
class RelayGuaranteesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired DeadLetters deadLetters;
    @Autowired RelayMetrics metrics;

    WrapperFixtures wrapper;
    StreamReader streams;

    @BeforeEach
    void setUp() {
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
    }

    @Test
    void thousandSuccessiveUpdatesOfOneRecordArriveInOrder() {
        String tenant = wrapper.tenant("crm");
        UUID id = wrapper.creditConfig(tenant, "crm.leads.create", 0);
        for (int i = 1; i <= 1000; i++) {
            jdbc.update("UPDATE credit_configurations SET credit_cost = ? WHERE id = ?", i, id);
        }

        String stream = "crm:" + tenant + ":events";
        await().atMost(WAIT).until(() -> streams.size(stream) >= 1001);

        List<Map<String, Object>> events = streams.events(stream);
        assertThat(events).hasSize(1001);
        List<Double> costs = events.stream().map(e -> ((Number) ((Map<?, ?>) e.get("data")).get("creditCost")).doubleValue()).toList();
        for (int i = 0; i <= 1000; i++) {
            assertThat(costs.get(i)).isEqualTo(i);
        }
        List<Long> versions = events.stream().map(e -> ((Number) e.get("version")).longValue()).toList();
        assertThat(versions).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void poisonRowIsParkedWithItsErrorWhileOtherRowsFlowAndCanBeReplayed() {
        String tenant = wrapper.tenant("crm");
        String other = wrapper.tenant("crm");
        String poisonRecord = UUID.randomUUID().toString();
        // a credit-config change without its operation code cannot be routed
        long poison = insertChange(tenant, poisonRecord, "{}");
        // a later change of the same record must wait behind the poison one (per-record order)
        long sameRecordLater = insertChange(tenant, poisonRecord, "{\"operation_code\": \"crm.leads.update\"}");
        wrapper.creditConfig(other, "crm.leads.create", 1);
        wrapper.creditConfig(tenant, "crm.contacts.import", 2);

        await().atMost(WAIT).until(() -> streams.size("crm:" + other + ":events") == 1
                && streams.size("crm:" + tenant + ":events") == 1);
        await().atMost(WAIT).until(() -> "PARKED".equals(status(poison)));

        Map<String, Object> parked = jdbc.queryForMap("SELECT attempts, error FROM change_dead_letter WHERE change_id = ?", poison);
        assertThat(parked.get("attempts")).isEqualTo(3);
        assertThat((String) parked.get("error")).contains("has no operation_code");
        assertThat(deadLetters.list(tenant, 10)).extracting(d -> d.get("changeId")).containsExactly(poison);

        // once the poison row is out of the way the held-back change of its record flows
        await().atMost(WAIT).until(() -> "PUBLISHED".equals(status(sameRecordLater)));
        assertThat(streams.size("crm:" + tenant + ":events")).isEqualTo(2);

        // an operator fixes the row and replays it
        jdbc.update("UPDATE change_log SET context = '{\"operation_code\": \"crm.leads.delete\"}' WHERE id = ?", poison);
        assertThat(deadLetters.replay(poison)).isTrue();

        await().atMost(WAIT).until(() -> "PUBLISHED".equals(status(poison)));
        assertThat(streams.events("crm:" + tenant + ":events")).extracting(e -> (Object) ((Map<?, ?>) e.get("data")).get("operationCode"))
                .containsExactly("crm.contacts.import", "crm.leads.update", "crm.leads.delete");
        assertThat(deadLetters.list(tenant, 10)).isEmpty();
        assertThat(deadLetters.replay(poison)).isFalse();
    }

    @Test
    void aRowWhoseEventRedisRefusesIsParkedWhileOtherTenantsFlowAndCanBeReplayed() {
        String blocked = wrapper.tenant("crm");
        String other = wrapper.tenant("crm");
        String blockedStream = "crm:" + blocked + ":events";
        // something else holds the stream's name: every XADD to it gets WRONGTYPE
        redis.opsForValue().set(blockedStream, "not a stream");
        UUID record = wrapper.creditConfig(blocked, "crm.leads.create", 1);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 2 WHERE id = ?", record);
        wrapper.creditConfig(other, "crm.leads.create", 1);
        List<Long> changes = jdbc.queryForList("SELECT id FROM change_log WHERE record_id = ? ORDER BY id", Long.class,
                record.toString());
        assertThat(changes).hasSize(2);

        await().atMost(WAIT).until(() -> streams.size("crm:" + other + ":events") == 1);
        // the second change waits behind the first, then fails the same way once the first is parked
        await().atMost(WAIT).until(() -> changes.stream().allMatch(id -> "PARKED".equals(status(id))));
        List<Map<String, Object>> parked = jdbc.queryForList(
                "SELECT attempts, error FROM change_dead_letter WHERE change_id IN (?, ?)", changes.get(0), changes.get(1));
        assertThat(parked).hasSize(2).allSatisfy(row -> {
            assertThat(row.get("attempts")).isEqualTo(3);
            assertThat((String) row.get("error")).startsWith("Redis refused the event: WRONGTYPE");
        });
        assertThat(redis.opsForValue().get(blockedStream)).isEqualTo("not a stream");

        // an operator frees the name and replays the changes, oldest first
        redis.delete(blockedStream);
        assertThat(deadLetters.replay(changes.get(0))).isTrue();
        assertThat(deadLetters.replay(changes.get(1))).isTrue();
        await().atMost(WAIT).until(() -> changes.stream().allMatch(id -> "PUBLISHED".equals(status(id))));
        assertThat(streams.events(blockedStream)).extracting(e -> ((Number) e.get("version")).longValue())
                .containsExactlyElementsOf(changes);
    }

    @Test
    void aFailingClaimBacksOffInsteadOfRunningOnEveryNotifyAndResumesByItself() {
        // a claim that keeps failing while the database is up: a table of the claim query renamed
        String tenant = wrapper.tenant("crm");
        String stream = "crm:" + tenant + ":events";
        Logger logger = (Logger) LoggerFactory.getLogger(RelayWakeupScheduler.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            // capture still queues changes; the claim query cannot run
            jdbc.execute("ALTER TABLE change_retry RENAME TO change_retry_moved");
            long errorsBefore = claimErrors();
            // single-row changes, each its own transaction and NOTIFY, for about four seconds
            for (int i = 0; i < 300; i++) {
                wrapper.creditConfig(tenant, "crm.op." + i, i);
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            long attempts = claimErrors() - errorsBefore;
            // waits of 200, 400, 800, 1600, 3200 ms: a handful of attempts per lane (two lanes claim), where
            // one per NOTIFY made hundreds
            assertThat(attempts).isBetween(2L, 14L);
            List<ILoggingEvent> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).as("one per lane").hasSize(2);
            assertThat(warnings).extracting(ILoggingEvent::getThreadName).containsExactlyInAnyOrder("relay-bulk", "relay-live");
            assertThat(warnings).allSatisfy(w -> assertThat(w.getFormattedMessage()).startsWith("relay claim failed: ")
                    .contains("change_retry"));
            assertThat(streams.size(stream)).isZero();

            restoreChangeRetry();
            await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) == 300
                    && wrapper.pendingChanges(tenant) == 0);
            // logged once the claim that published them has returned
            await().atMost(Duration.ofSeconds(5)).until(() -> List.copyOf(log.list).stream()
                    .anyMatch(e -> e.getFormattedMessage().startsWith("relay claims work again")));
        } finally {
            logger.detachAppender(log);
            restoreChangeRetry();
        }
    }

    private void restoreChangeRetry() {
        jdbc.execute("DO $$ BEGIN IF to_regclass('change_retry_moved') IS NOT NULL THEN "
                + "ALTER TABLE change_retry_moved RENAME TO change_retry; END IF; END $$");
    }

    private long claimErrors() {
        return (long) metrics.snapshot().get("claimErrors");
    }

    private long insertChange(String tenant, String recordId, String context) {
        return jdbc.queryForObject("INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, "
                + "new_values, context) VALUES (?, 'credit_configurations', ?, 'UPDATE', '{credit_cost}', "
                + "'{\"credit_cost\": 9}', ?::jsonb) RETURNING id", Long.class, tenant, recordId, context);
    }

    private String status(long changeId) {
        return jdbc.queryForObject("SELECT state FROM change_log_state WHERE id = ?", String.class, changeId);
    }
}
