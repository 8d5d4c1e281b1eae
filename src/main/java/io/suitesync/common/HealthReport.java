package io.suitesync.common;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** {@code GET /health}: {@code {status, timestamp, service, components}}, 503 when a dependency is down. */
@Component("healthReport")
public class HealthReport {

    private final JdbcTemplate jdbc;
    private final RedisConnectionFactory redis;
    private final String service;

    public HealthReport(DataSource dataSource, RedisConnectionFactory redis,
                        @Value("${spring.application.name}") String service) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setQueryTimeout(2);
        this.redis = redis;
        this.service = service;
    }

    public Map<String, Object> report(Exchange exchange) {
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("db", check(() -> jdbc.queryForObject("SELECT 1", Integer.class)));
        components.put("redis", check(() -> {
            try (RedisConnection connection = redis.getConnection()) {
                return connection.ping();
            }
        }));
        boolean up = components.values().stream().allMatch(c -> "UP".equals(((Map<?, ?>) c).get("status")));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("timestamp", Instant.now().toString());
        body.put("service", service);
        body.put("components", components);
        return body;
    }

    private static Map<String, Object> check(java.util.concurrent.Callable<?> probe) {
        try {
            probe.call();
            return Map.of("status", "UP");
        } catch (Exception e) {
            return Map.of("status", "DOWN", "error", String.valueOf(e.getMessage()));
        }
    }
}
