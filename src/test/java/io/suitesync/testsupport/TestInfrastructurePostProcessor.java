package io.suitesync.testsupport;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points every test context at the test servers ({@link TestServers}) with a fresh database,
 * unless the test configured a datasource or Redis of its own (outage tests do). Its database gets
 * the demo Wrapper schema the tests write to (opt-in in production), unless the test chose the
 * Flyway locations itself.
 */
public class TestInfrastructurePostProcessor implements EnvironmentPostProcessor, Ordered {

    /** SuiteSync's migrations plus the demo Wrapper schema (without the demo data). */
    public static final String WRAPPER_LOCATIONS = "classpath:db/migration,classpath:db/wrapper,classpath:db/bridge";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new HashMap<>();
        if (!env.containsProperty("spring.datasource.url")) {
            props.put("spring.datasource.url", TestServers.newDatabase());
        }
        if (!env.containsProperty("spring.flyway.locations")) {
            props.put("spring.flyway.locations", WRAPPER_LOCATIONS);
        }
        // Spring caches test contexts, each with its pool: ten idle connections apiece ran PostgreSQL's
        // max_connections (100) out once the suite had a few more contexts. Idle pools shrink to two.
        if (!env.containsProperty("spring.datasource.hikari.minimum-idle")) {
            props.put("spring.datasource.hikari.minimum-idle", 2);
            props.put("spring.datasource.hikari.idle-timeout", 10_000);
        }
        if (!env.containsProperty("spring.data.redis.url") && !env.containsProperty("spring.data.redis.host")
                && !env.containsProperty("spring.data.redis.cluster.nodes")) {
            props.put("spring.data.redis.url", TestServers.redisUrl());
        }
        env.getPropertySources().addLast(new MapPropertySource("suitesync-test-servers", props));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
