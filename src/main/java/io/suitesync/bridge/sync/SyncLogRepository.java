package io.suitesync.bridge.sync;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Header;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/** {@code bridge_sync_log}: the audit trail, one row per sync operation and outcome. */
@Repository("bridgeSyncLog")
@ConditionalOnRole("bridge")
public class SyncLogRepository {

    /** One operation: which record, which way, what was done and how it ended. */
    public record Entry(Long workItemId, String entityType, String direction, String sourceId, String targetId,
                        String operation, String status, String detail, int attempt, Instant startedAt) {}

    private final NamedParameterJdbcTemplate jdbc;

    public SyncLogRepository(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    static final List<String> STATUSES = List.of("SUCCESS", "SKIPPED", "CONFLICT", "RETRYING", "FAILED");

    /**
     * {@code GET /bridge/sync-log}: the newest operations first, optionally of one status; 400 naming a
     * parameter out of range.
     */
    public Map<String, Object> recent(@Header("status") String status, @Header("limit") String limit) {
        int max = RequestParams.intParam("limit", limit, 50, 1, 1000);
        String only = status == null || status.isBlank() ? null : status.trim();
        if (only != null && !STATUSES.contains(only)) {
            throw ApiException.badRequest("query parameter 'status' must be one of " + String.join(", ", STATUSES)
                    + ", got '" + status + "'");
        }
        List<Map<String, Object>> entries = jdbc.queryForList("""
                SELECT id, work_item_id AS "workItemId", entity_type AS "entityType", direction, source_id AS "sourceId",
                       target_id AS "targetId", operation, status, detail, attempt,
                       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
                       duration_ms AS "durationMs"
                  FROM bridge_sync_log WHERE (CAST(:status AS text) IS NULL OR status = :status)
                 ORDER BY id DESC LIMIT :limit
                """, new MapSqlParameterSource("status", only).addValue("limit", max));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", entries.size());
        out.put("entries", entries);
        return out;
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
