package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.PrivateRedis;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Redis restarts without its data (no persistence) after the hub published a load: the hub notices
 * and republishes what change_log holds, with the same eventIds, and says so.
 */
@SpringBootTest(properties = {"suitesync.hub.relay.batch-size=500", "suitesync.hub.relay.redis-check-interval=1s"})
@ExtendWith(OutputCaptureExtension.class)
class RedisDataLossIT {

    @RegisterExtension
    static final PrivateRedis REDIS = PrivateRedis.withoutPersistence();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        REDIS.register(registry);
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RelayMetrics metrics;

    @Test
    void everyPublishedEventIsBackAfterRedisRestartsEmptyAndTheHubSaysHowManyItRepublished(CapturedOutput output) {
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant("crm");
        String stream = "crm:" + tenant + ":events";
        StreamReader streams = new StreamReader(redis);

        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.op.' || g, 1 FROM generate_series(1, 2000) g", tenant);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 2 WHERE tenant_id = ? AND operation_code LIKE 'crm.op.1__'", tenant);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 3 WHERE tenant_id = ? AND operation_code LIKE 'crm.op.1__'", tenant);
        await().atMost(Duration.ofSeconds(60)).until(() -> wrapper.pendingChanges(tenant) == 0
                && !redis.keys(RedisDataGuard.MARKER_PREFIX + "*").isEmpty());
        Set<String> published = eventIds(streams.events(stream));
        assertThat(published).hasSize(2_000 + 2 * 100);

        REDIS.stop();
        REDIS.start();
        // changes right after the restart may be written before the hub notices the loss
        jdbc.update("UPDATE credit_configurations SET credit_cost = 4 WHERE tenant_id = ? AND operation_code LIKE 'crm.op.1_'", tenant);

        List<Map<String, Object>> events = await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> streams.events(stream), read -> eventIds(read).size() == published.size() + 10);
        assertThat(eventIds(events)).containsAll(published);
        // duplicates (an entry written before the loss was noticed, and again by the republish) keep their eventId
        Map<String, Object> versionOfEventId = new HashMap<>();
        events.forEach(e -> assertThat(versionOfEventId.putIfAbsent((String) e.get("eventId"), e.get("version")))
                .isIn(null, e.get("version")));
        // for every record the last entry of the stream is its newest change
        Map<String, Map<String, Object>> lastOfRecord = new HashMap<>();
        Map<String, Long> newestVersion = new HashMap<>();
        for (Map<String, Object> e : events) {
            String record = (String) e.get("entityId");
            lastOfRecord.put(record, e);
            newestVersion.merge(record, ((Number) e.get("version")).longValue(), Math::max);
        }
        lastOfRecord.forEach((record, e) -> assertThat(((Number) e.get("version")).longValue())
                .isEqualTo(newestVersion.get(record)));
        assertThat(lastOfRecord.values().stream().filter(e -> data(e).get("operationCode").toString().matches("crm\\.op\\.1\\d"))
                .map(e -> ((Number) data(e).get("creditCost")).doubleValue())).containsOnly(4.0);

        long republished = (long) metrics.snapshot().get("republished");
        assertThat(republished).isGreaterThanOrEqualTo(published.size());
        assertThat(output.getOut()).contains("Redis no longer holds the data this hub published")
                .contains("queued " + republished + " published changes again");
    }

    private static Set<String> eventIds(List<Map<String, Object>> events) {
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add((String) e.get("eventId")));
        return ids;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Map<String, Object> event) {
        return (Map<String, Object>) event.get("data");
    }
}
