package io.suitesync.hub.capture;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.HubProperties.Table;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Attaches capture to every table under {@code suitesync.hub.tables} at start-up (idempotent), so
 * adding a table is one line of configuration. Runs after Flyway and before Camel starts polling.
 */
@Component
@ConditionalOnRole("hub")
@DependsOn("flywayInitializer")
public class CaptureInstaller implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(CaptureInstaller.class);

    private final JdbcTemplate jdbc;
    private final HubProperties config;

    public CaptureInstaller(JdbcTemplate jdbc, HubProperties config) {
        this.jdbc = jdbc;
        this.config = config;
    }

    @Override
    public void afterPropertiesSet() {
        for (Map.Entry<String, Table> entry : config.tables().entrySet()) {
            String table = entry.getKey();
            Table rule = entry.getValue();
            Boolean exists = jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, table);
            if (!Boolean.TRUE.equals(exists)) {
                throw new IllegalStateException("suitesync.hub.tables." + table + ": no such table in the database");
            }
            jdbc.queryForObject("SELECT suitesync_capture_table(?::regclass, ?, ?, ?::text[], ?)::text", String.class,
                    table, rule.keyColumn(), rule.tenantColumn(),
                    rule.capturedColumns().toArray(String[]::new), rule.priority());
            log.info("capture attached to {} (context columns {})", table, rule.capturedColumns());
        }
    }
}
