package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.RelayRoutes;
import io.suitesync.testsupport.PrivateRedis;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The relay claims the next batch while the previous one is being published. When the batch being
 * published fails for good (Redis gone), the batches claimed meanwhile must be dropped, or a later
 * change of a record would reach the stream before an earlier one.
 */
// credit configurations are high priority: the live lane relays them, in batches of live-batch-size
@SpringBootTest(properties = {"suitesync.hub.relay.live-batch-size=200", "spring.data.redis.timeout=1s"})
class RelayOverlapIT {

    @RegisterExtension
    static final PrivateRedis REDIS = new PrivateRedis();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        REDIS.register(registry);
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RelayMetrics metrics;
    @Autowired @Qualifier("liveDeliveryProtocol") DeliveryProtocol protocol;
    @Autowired CamelContext camel;

    @Test
    void batchesClaimedWhileAFailingBatchWasInFlightAreDroppedAndEveryRecordStaysInOrder() throws Exception {
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant("crm");
        String stream = "crm:" + tenant + ":events";
        StreamReader streams = new StreamReader(redis);
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.op.' || g, 0 FROM generate_series(1, 10) g", tenant);
        await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) == 10);

        // a backlog, so the first claim after Redis goes is a full batch and the next one is claimed
        // while it fails: 3,000 changes, each statement touching all ten records, so every batch of
        // 200 holds twenty successive versions of each record
        RelayRoutes.stop(camel);
        for (int cost = 1; cost <= 300; cost++) {
            jdbc.update("UPDATE credit_configurations SET credit_cost = ? WHERE tenant_id = ?", cost, tenant);
        }
        REDIS.stop();
        RelayRoutes.start(camel);
        long droppedBefore = protocol.droppedBatches();
        long errorsBefore = (long) metrics.snapshot().get("batchErrors");
        await().atMost(Duration.ofSeconds(120)).until(() -> (long) metrics.snapshot().get("batchErrors") > errorsBefore);
        REDIS.start();

        await().atMost(Duration.ofSeconds(90)).until(() -> wrapper.pendingChanges(tenant) == 0);
        List<Map<String, Object>> events = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> streams.events(stream), read -> true);

        assertThat(events.stream().map(e -> e.get("eventId")).distinct().count()).isEqualTo(3_010);
        // a batch whose acknowledgement was lost may come again, identical; the first time each
        // version of a record appears, it is newer than every version of that record before it
        Map<Object, Long> newest = new HashMap<>();
        Set<Object> seen = new HashSet<>();
        for (Map<String, Object> event : events) {
            if (!seen.add(event.get("eventId"))) {
                continue;
            }
            long version = ((Number) event.get("version")).longValue();
            Long before = newest.put(event.get("entityId"), version);
            assertThat(before == null || before < version)
                    .as("record %s: version %s after %s", event.get("entityId"), version, before).isTrue();
        }
        assertThat(newest).hasSize(10);
        assertThat(protocol.droppedBatches()).as("batches were claimed while the failing one was in flight")
                .isGreaterThan(droppedBefore);
        assertThat(protocol.inFlight()).as("nothing left in flight").isZero();
    }
}
