package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.PrivateRedis;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Redis goes away in the middle of a load and comes back: the relay pauses, then delivers everything. */
@SpringBootTest(properties = "suitesync.hub.relay.batch-size=500")
class RedisOutageIT {

    @RegisterExtension
    static final PrivateRedis REDIS = new PrivateRedis();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        REDIS.register(registry);
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RelayMetrics metrics;
    @Autowired RedisDataGuard guard;

    WrapperFixtures wrapper;
    String tenant;
    String stream;
    StreamReader streams;

    /** A tenant of its own per test, with the crm application enabled. */
    @BeforeEach
    void tenant() {
        wrapper = new WrapperFixtures(jdbc);
        tenant = wrapper.tenant("crm");
        stream = "crm:" + tenant + ":events";
        streams = new StreamReader(redis);
    }

    @Test
    void tenThousandChangesMadeWhileRedisIsDownAllReachTheStreamAfterItReturns() {

        insertConfigs(tenant, 1, 3_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) > 0);

        REDIS.stop();
        insertConfigs(tenant, 3_001, 10_000);
        long errorsBefore = batchErrors();
        await().atMost(Duration.ofSeconds(60)).until(() -> batchErrors() > errorsBefore);
        assertThat((long) metrics.snapshot().get("pending")).isPositive();
        REDIS.start();

        await().atMost(Duration.ofSeconds(90)).until(() -> wrapper.pendingChanges(tenant) == 0);
        // the test's own Redis client reconnects on its own schedule and rejects commands until then
        List<Map<String, Object>> events = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> streams.events(stream), read -> true);
        assertThat(events.stream().map(e -> ((Map<?, ?>) e.get("data")).get("operationCode")).distinct().count())
                .isEqualTo(10_000);
        // a batch Redis took but whose acknowledgement was lost may come twice, always with the same eventId
        assertThat(events.stream().map(e -> e.get("eventId")).distinct().count()).isEqualTo(10_000);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM change_log_state WHERE tenant_id = ? AND state = 'PUBLISHED'",
                Long.class, tenant)).isEqualTo(10_000);
    }

    @Test
    void aSingleChangeMadeWhileRedisIsDownIsPublishedOnceItReturns() {
        wrapper.creditConfig(tenant, "crm.op.before", 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) > 0);
        // RedisDataGuard's first check has written its marker (see the test below for one that could not)
        await().atMost(Duration.ofSeconds(30)).until(() -> !redis.keys(RedisDataGuard.MARKER_PREFIX + "*").isEmpty());

        REDIS.stop();
        long errorsBefore = batchErrors();
        // a batch of one with nothing else in flight: the live lane publishes it on the claim's own thread,
        // and after its redeliveries the dead-letter route must take it out of flight (its rows stay queued)
        wrapper.creditConfig(tenant, "crm.op.during", 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> batchErrors() > errorsBefore);
        REDIS.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> wrapper.pendingChanges(tenant) == 0);
        List<Map<String, Object>> events = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> streams.events(stream), read -> read.size() >= 2);
        assertThat(events.stream().map(e -> String.valueOf(((Map<?, ?>) e.get("data")).get("operationCode"))).distinct())
                .containsExactly("crm.op.before", "crm.op.during");
    }

    @Test
    void aDataMarkerRedisRefusedLeavesNoTokenSoRedisReturningWithItsDataRepublishesNothing() {
        wrapper.creditConfig(tenant, "crm.op.published", 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) > 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> !redis.keys(RedisDataGuard.MARKER_PREFIX + "*").isEmpty());
        long republished = (long) metrics.snapshot().get("republished");

        // the guard's first check (no token yet: a new database, or one from before V14_4) finds Redis gone
        REDIS.stop();
        jdbc.update("DELETE FROM relay_redis_epoch");
        assertThat(guard.check()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM relay_redis_epoch", Long.class)).isZero();

        // Redis comes back with its data (persistent): the next check writes marker and token, nothing lost
        REDIS.start();
        String epoch = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
                () -> jdbc.queryForObject("SELECT epoch FROM relay_redis_epoch", String.class),
                token -> Boolean.TRUE.equals(redis.hasKey(RedisDataGuard.MARKER_PREFIX + token)));
        assertThat(guard.check()).isZero();
        assertThat((long) metrics.snapshot().get("republished")).isEqualTo(republished);
        assertThat(epoch).isNotBlank();
    }

    private long batchErrors() {
        return (long) metrics.snapshot().get("batchErrors");
    }

    private void insertConfigs(String tenant, int from, int to) {
        for (int start = from; start <= to; start += 1_000) {
            jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "SELECT ?, 'crm.op.' || g, 1 FROM generate_series(?, ?) g", tenant, start, Math.min(start + 999, to));
        }
    }
}
