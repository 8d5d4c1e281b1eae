package io.suitesync.hub.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * The operator's path of README "Existing Wrapper database": a database that already holds the Wrapper
 * tables and data, but no Flyway history, with the default locations (SuiteSync's own migrations only).
 */
class WrapperAttachIT {

    @Test
    void hubAttachesToAnExistingWrapperDatabaseAndCapturesItsChanges() {
        String url = TestServers.newDatabase();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url);
        // the suite's own database, created before SuiteSync ever ran against it
        new ResourceDatabasePopulator(new ClassPathResource("db/wrapper/V0_1__wrapper_schema.sql")).execute(dataSource);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant("crm");
        wrapper.creditConfig(tenant, "crm.leads.create", 2);

        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(SuiteSyncApplication.class).run(
                "--suitesync.roles=hub", "--server.port=0", "--spring.jmx.enabled=false",
                "--spring.datasource.url=" + url, "--spring.data.redis.url=" + TestServers.redisUrl(),
                // what production runs with: the test post-processor would add the demo Wrapper schema
                "--spring.flyway.locations=classpath:db/migration")) {
            assertThat(jdbc.queryForList("SELECT version, type FROM flyway_schema_history ORDER BY installed_rank"))
                    .first().isEqualTo(Map.of("version", "0", "type", "BASELINE"));
            assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE version = '0.1'", Long.class))
                    .as("the demo Wrapper schema is not applied").isZero();

            jdbc.update("UPDATE credit_configurations SET credit_cost = 3 WHERE tenant_id = ?", tenant);

            StreamReader streams = new StreamReader(hub.getBean(StringRedisTemplate.class));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(streams.events("crm:" + tenant + ":events"))
                    .anySatisfy(event -> {
                        assertThat(event).containsEntry("eventType", "credit-config.updated");
                        assertThat(((Number) ((Map<?, ?>) event.get("data")).get("creditCost")).doubleValue()).isEqualTo(3.0);
                    }));
        }
    }
}
