package io.suitesync.bridge.sync;

import io.suitesync.common.ConditionalOnRole;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/** {@code bridge_sync_log}: the audit trail, one row per sync operation and outcome. */
@Repository
@ConditionalOnRole("bridge")
public class SyncLogRepository {

    /** One operation: which record, which way, what was done and how it ended. */
    public record Entry(Long workItemId, String entityType, String direction, String sourceId, String targetId,
                        String operation, String status, String detail, int attempt, Instant startedAt) {}

    private final NamedParameterJdbcTemplate jdbc;

    public SyncLogRepository(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    public void record(Entry entry) {
        Instant finished = Instant.now();
        jdbc.update("""
                INSERT INTO bridge_sync_log (work_item_id, entity_type, direction, source_id, target_id, operation,
                                             status, detail, attempt, started_at, finished_at, duration_ms)
                VALUES (:workItemId, :entityType, :direction, :sourceId, :targetId, :operation,
                        :status, :detail, :attempt, :startedAt, :finishedAt, :durationMs)
                """, new MapSqlParameterSource("workItemId", entry.workItemId())
                .addValue("entityType", entry.entityType())
                .addValue("direction", entry.direction())
                .addValue("sourceId", entry.sourceId())
                .addValue("targetId", entry.targetId())
                .addValue("operation", entry.operation())
                .addValue("status", entry.status())
                .addValue("detail", entry.detail())
                .addValue("attempt", entry.attempt())
                .addValue("startedAt", Timestamp.from(entry.startedAt()))
                .addValue("finishedAt", Timestamp.from(finished))
                .addValue("durationMs", Duration.between(entry.startedAt(), finished).toMillis()));
    }
}
