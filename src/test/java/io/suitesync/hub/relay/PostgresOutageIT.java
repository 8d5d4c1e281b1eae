package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.RelayRoutes;
import io.suitesync.SuiteSyncApplication;
import io.suitesync.common.EmbeddedServers;
import io.suitesync.common.HealthReport;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** The hub's PostgreSQL restarts while changes wait to be relayed: the relay pauses and resumes by itself. */
class PostgresOutageIT {

    @TempDir
    Path dataDirectory;

    @Test
    void relayResumesAfterPostgresRestartsAndDeliversEveryChange() throws Exception {
        int port = EmbeddedServers.freePort();
        EmbeddedPostgres postgres = start(port);
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(SuiteSyncApplication.class).run(
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres",
                "--spring.datasource.hikari.connection-timeout=2000", "--server.port=0",
                "--spring.data.redis.url=" + TestServers.redisUrl(), "--suitesync.hub.relay.poll-interval=300ms")) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            StreamReader streams = new StreamReader(hub.getBean(StringRedisTemplate.class));
            HealthReport health = hub.getBean(HealthReport.class);
            CamelContext camel = hub.getBean(CamelContext.class);
            String tenant = new WrapperFixtures(jdbc).tenant("crm");
            String stream = "crm:" + tenant + ":events";
            insertConfigs(jdbc, tenant, 1, 1_000);
            await().atMost(Duration.ofSeconds(30)).until(() -> streams.size(stream) == 1_000);

            // committed, then the database goes away before (all of) it is relayed
            for (String route : RelayRoutes.CLAIMS) {
                camel.getRouteController().suspendRoute(route);
            }
            insertConfigs(jdbc, tenant, 1_001, 2_000);
            for (String route : RelayRoutes.CLAIMS) {
                camel.getRouteController().resumeRoute(route);
            }
            postgres.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> "DOWN".equals(status(health, camel)));

            postgres = start(port);
            // the writer's own pool may still hand out a connection the restart closed: a writer retries
            // its failed statement (rolled back whole), as the suite's applications would
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                insertConfigs(jdbc, tenant, 2_001, 3_000);
                return true;
            });

            await().atMost(Duration.ofSeconds(60)).until(() -> streams.size(stream) >= 3_000
                    && jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class) == 0);
            assertThat(streams.events(stream).stream().map(e -> ((Map<?, ?>) e.get("data")).get("operationCode"))
                    .distinct().count()).isEqualTo(3_000);
            assertThat(status(health, camel)).isEqualTo("UP");
        } finally {
            postgres.close();
        }
    }

    private EmbeddedPostgres start(int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false).setPort(port).start();
    }

    private static String status(HealthReport health, CamelContext camel) {
        return (String) health.report(new DefaultExchange(camel)).get("status");
    }

    private static void insertConfigs(JdbcTemplate jdbc, String tenant, int from, int to) {
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.op.' || g, 1 FROM generate_series(?, ?) g", tenant, from, to);
    }
}
