package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** The hub process stops while it drains a backlog and starts again on the same database. */
class RelayRestartIT {

    @Test
    void hubStoppedMidBacklogDeliversEveryChangeAfterRestartWithIdenticalDuplicates() {
        String database = TestServers.newDatabase();
        String tenant;
        String stream;
        try (ConfigurableApplicationContext first = hub(database)) {
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            StreamReader streams = new StreamReader(first.getBean(StringRedisTemplate.class));
            tenant = new WrapperFixtures(jdbc).tenant("crm");
            stream = "crm:" + tenant + ":events";
            jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "SELECT ?, 'crm.op.' || g, 1 FROM generate_series(1, 20000) g", tenant);

            await().atMost(Duration.ofSeconds(60)).until(() -> streams.size(stream) >= 1_000);
        }

        try (ConfigurableApplicationContext second = hub(database)) {
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            StreamReader streams = new StreamReader(second.getBean(StringRedisTemplate.class));
            long unprocessedAtRestart = jdbc.queryForObject(
                    "SELECT count(*) FROM change_queue", Long.class);
            assertThat(unprocessedAtRestart).as("the first process stopped before draining everything").isPositive();

            await().atMost(Duration.ofSeconds(120)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM change_queue", Long.class) == 0);

            List<String> raw = streams.rawEvents(stream);
            List<Map<String, Object>> events = raw.stream().map(streams::parse).toList();
            assertThat(events.stream().map(e -> ((Map<?, ?>) e.get("data")).get("operationCode")).distinct().count())
                    .isEqualTo(20_000);
            // a duplicate is the same event again: same id, same bytes
            Map<Object, List<String>> byId = raw.stream().collect(Collectors.groupingBy(json -> streams.parse(json).get("eventId")));
            assertThat(byId).hasSize(20_000);
            assertThat(byId.values()).allSatisfy(copies -> assertThat(copies).containsOnly(copies.get(0)));
        }
    }

    private static ConfigurableApplicationContext hub(String database) {
        return new SpringApplicationBuilder(SuiteSyncApplication.class)
                // command-line arguments: they win over application.yml, default properties would not
                .run("--spring.datasource.url=" + database, "--server.port=0",
                        "--spring.data.redis.url=" + TestServers.redisUrl(), "--suitesync.hub.relay.batch-size=200");
    }
}
