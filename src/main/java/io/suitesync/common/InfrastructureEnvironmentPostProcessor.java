package io.suitesync.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolves what the process runs against before any bean exists:
 * <ul>
 *   <li>No {@code spring.datasource.url}: starts embedded PostgreSQL, loads the demo Wrapper data and sets dev API keys.</li>
 *   <li>No {@code spring.data.redis.url}/{@code host}: starts embedded Redis.</li>
 *   <li>Camel route files: {@code routes/config} plus the folder of each role in {@code suitesync.roles},
 *       plus YAML/XML files of {@code suitesync.routes.external-dir} when set.</li>
 * </ul>
 */
public class InfrastructureEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "suitesync-infrastructure";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new LinkedHashMap<>();
        if (!env.containsProperty("spring.datasource.url")) {
            props.put("spring.datasource.url", EmbeddedServers.postgresJdbcUrl());
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
            String locations = env.getProperty("spring.flyway.locations", "classpath:db/migration,classpath:db/wrapper,classpath:db/bridge");
            props.put("spring.flyway.locations", locations + ",classpath:db/demo");
            // a demo on embedded servers gets well-known dev keys, so the README's curl lines work as is
            if (env.getProperty("suitesync.security.admin-api-key", "").isBlank()) {
                props.put("suitesync.security.admin-api-key", "dev-admin-key");
            }
            if (env.getProperty("suitesync.security.read-keys", "").isBlank()) {
                props.put("suitesync.security.read-keys", "crm=dev-crm-key,hrms=dev-hrms-key,finance=dev-finance-key,affiliate=dev-affiliate-key");
            }
        }
        if (!env.containsProperty("spring.data.redis.url") && !env.containsProperty("spring.data.redis.host")) {
            props.put("spring.data.redis.host", "127.0.0.1");
            props.put("spring.data.redis.port", EmbeddedServers.redisPort());
        }
        if (!env.containsProperty("camel.main.routes-include-pattern")) {
            props.put("camel.main.routes-include-pattern", routePattern(env));
        }
        // first: it only fills what is blank or unset, and application.yml declares the keys with empty defaults
        env.getPropertySources().addFirst(new MapPropertySource(SOURCE, props));
    }

    static String routePattern(ConfigurableEnvironment env) {
        List<String> patterns = new ArrayList<>();
        patterns.add("classpath:routes/config/*.camel.yaml");
        patterns.add("classpath:routes/common/*.camel.yaml");
        for (String role : ConditionalOnRole.OnRole.roles(env)) {
            patterns.add("classpath:routes/" + role + "/*.camel.yaml");
        }
        String external = env.getProperty("suitesync.routes.external-dir");
        if (external != null && !external.isBlank()) {
            patterns.add("file:" + external + "/*.yaml");
            patterns.add("file:" + external + "/*.xml");
        }
        return String.join(",", patterns);
    }

    @Override
    public int getOrder() {
        // after application.yml and the environment are loaded, so their values win over our defaults
        return Ordered.LOWEST_PRECEDENCE;
    }
}
