package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.PrivateRedis;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The hub on a Redis Cluster ({@code spring.data.redis.cluster.nodes}): the relay writes through a
 * Lettuce cluster connection, which routes each command to its slot's node, and an event the
 * cluster refuses is set aside there too (a Spring Data Redis pipeline could not say which one).
 */
@SpringBootTest(properties = {
        "suitesync.hub.relay.max-attempts=2",
        "suitesync.hub.relay.retry-backoff=50ms",
        "suitesync.hub.relay.poll-interval=200ms"})
class RedisClusterIT {

    @RegisterExtension
    static final PrivateRedis REDIS = PrivateRedis.cluster();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        REDIS.register(registry);
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisConnectionFactory factory;

    @Test
    void theRelayPublishesThroughTheClusterAndSetsARefusedEventAside() {
        assertThat(((LettuceConnectionFactory) factory).isClusterAware()).isTrue();
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        StreamReader streams = new StreamReader(redis);
        String blocked = wrapper.tenant("crm");
        String flowing = wrapper.tenant("crm");
        redis.opsForValue().set("crm:" + blocked + ":events", "not a stream");
        UUID refused = wrapper.creditConfig(blocked, "crm.leads.create", 1);
        wrapper.creditConfig(flowing, "crm.leads.create", 1);
        wrapper.creditConfig(flowing, "crm.leads.update", 2);

        String stream = "crm:" + flowing + ":events";
        await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) == 2);
        assertThat(streams.events(stream)).extracting(e -> (Object) ((Map<?, ?>) e.get("data")).get("operationCode"))
                .containsExactly("crm.leads.create", "crm.leads.update");

        await().atMost(Duration.ofSeconds(30)).until(() -> "PARKED".equals(jdbc.queryForObject(
                "SELECT state FROM change_log_state WHERE record_id = ?", String.class, refused.toString())));
        assertThat(jdbc.queryForObject("SELECT d.error FROM change_dead_letter d JOIN change_log c ON c.id = d.change_id "
                + "WHERE c.record_id = ?", String.class, refused.toString())).startsWith("Redis refused the event: WRONGTYPE");
        assertThat(wrapper.pendingChanges(flowing)).isZero();
    }
}
