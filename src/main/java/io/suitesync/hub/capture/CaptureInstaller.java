package io.suitesync.hub.capture;

import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.capture.CaptureProperties.Mode;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Attaches capture to every table under {@code suitesync.hub.tables} at start-up (idempotent), so
 * adding a table is one line of configuration. Runs after Flyway and before Camel starts polling.
 *
 * <p>{@code trigger} mode attaches the capture triggers. {@code logical} mode checks
 * {@code wal_level}, creates the publication and the slot if missing (the slot before any trigger
 * is dropped, so no change falls between the two), then moves each table over in one locked
 * transaction ({@code suitesync_capture_logical}, V6); {@link LogicalCaptureReader} reads the slot.
 */
@Component
@ConditionalOnRole("hub")
@DependsOn("flywayInitializer")
public class CaptureInstaller implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(CaptureInstaller.class);

    private final JdbcTemplate jdbc;
    private final HubProperties config;
    private final CaptureProperties capture;

    public CaptureInstaller(JdbcTemplate jdbc, HubProperties config, CaptureProperties capture) {
        this.jdbc = jdbc;
        this.config = config;
        this.capture = capture;
    }

    @Override
    public void afterPropertiesSet() {
        for (String table : config.tables().keySet()) {
            Boolean exists = jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, table);
            if (!Boolean.TRUE.equals(exists)) {
                throw new IllegalStateException("suitesync.hub.tables." + table + ": no such table in the database");
            }
        }
        if (capture.mode() == Mode.LOGICAL) {
            installLogical();
        } else {
            installTriggers();
        }
    }

    private void installTriggers() {
        if (slotExists() && !logicalTables().isEmpty()) {
            throw new IllegalStateException("suitesync.hub.capture.mode is trigger, but tables " + logicalTables()
                    + " are captured through replication slot " + capture.slot() + ", which may still hold changes."
                    + " Start with mode logical until suitesync_capture_lag_seconds is 0 with writers stopped, then"
                    + " SELECT pg_drop_replication_slot('" + capture.slot() + "') and start in trigger mode"
                    + " (docs/capture.md)");
        }
        for (Map.Entry<String, Table> entry : config.tables().entrySet()) {
            Table rule = entry.getValue();
            jdbc.queryForObject("SELECT suitesync_capture_table(?::regclass, ?, ?, ?::text[], ?)::text", String.class,
                    entry.getKey(), rule.keyColumn(), rule.tenantColumn(),
                    rule.capturedColumns().toArray(String[]::new), rule.priority());
            log.info("capture triggers attached to {} (context columns {})", entry.getKey(), rule.capturedColumns());
        }
    }

    private void installLogical() {
        String walLevel = jdbc.queryForObject("SHOW wal_level", String.class);
        if (!"logical".equals(walLevel)) {
            throw new IllegalStateException("suitesync.hub.capture.mode is logical, but the database runs with wal_level="
                    + walLevel + ": set wal_level = logical in postgresql.conf and restart PostgreSQL, or use"
                    + " suitesync.hub.capture.mode=trigger (docs/capture.md)");
        }
        if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ?)",
                Boolean.class, capture.publication()))) {
            jdbc.execute("CREATE PUBLICATION " + capture.publication());
            log.info("publication {} created", capture.publication());
        }
        if (!slotExists()) {
            jdbc.queryForObject("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')", String.class,
                    capture.slot());
            log.info("logical replication slot {} created", capture.slot());
        } else {
            String plugin = jdbc.queryForObject("SELECT plugin FROM pg_replication_slots WHERE slot_name = ?",
                    String.class, capture.slot());
            if (!"pgoutput".equals(plugin)) {
                throw new IllegalStateException("replication slot " + capture.slot() + " uses plugin " + plugin
                        + ", not pgoutput: drop it or name another with suitesync.hub.capture.slot");
            }
        }
        for (Map.Entry<String, Table> entry : config.tables().entrySet()) {
            Table rule = entry.getValue();
            String since = jdbc.queryForObject("SELECT suitesync_capture_logical(?::regclass, ?, ?, ?::text[], ?, ?)::text",
                    String.class, entry.getKey(), rule.keyColumn(), rule.tenantColumn(),
                    rule.capturedColumns().toArray(String[]::new), rule.priority(), capture.publication());
            log.info("logical capture of {} (context columns {}) from WAL position {}", entry.getKey(),
                    rule.capturedColumns(), since);
        }
    }

    private boolean slotExists() {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND database = current_database())",
                Boolean.class, capture.slot()));
    }

    private List<String> logicalTables() {
        return jdbc.queryForList("SELECT table_name FROM capture_table WHERE logical_since IS NOT NULL ORDER BY 1",
                String.class);
    }

    /** The slot reader, in {@code logical} mode only; started once capture is installed. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnRole("hub")
    @ConditionalOnProperty(name = "suitesync.hub.capture.mode", havingValue = "logical")
    static class LogicalCapture {

        @Bean
        @DependsOn("captureInstaller")
        LogicalCaptureReader logicalCaptureReader(DataSourceProperties database, CaptureProperties capture,
                MeterRegistry registry) {
            return new LogicalCaptureReader(database, capture, registry);
        }
    }
}
