package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Parked changes: listed with their error, and replayed by putting the change back in change_queue
 * with fresh attempts (the dead letter keeps its history, stamped {@code replayed_at}).
 */
@Component("deadLetters")
@ConditionalOnRole("hub")
public class DeadLetters {

    private final JdbcTemplate jdbc;

    public DeadLetters(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Parked changes not yet replayed, oldest first; {@code tenantId} null means all tenants. */
    public List<Map<String, Object>> list(String tenantId, int limit) {
        return jdbc.queryForList("SELECT d.change_id AS \"changeId\", d.tenant_id AS \"tenantId\", d.table_name AS \"table\", "
                + "d.record_id AS \"recordId\", d.attempts, d.error, d.parked_at AS \"parkedAt\" "
                + "FROM change_dead_letter d WHERE d.replayed_at IS NULL AND (?::text IS NULL OR d.tenant_id = ?) "
                + "ORDER BY d.change_id LIMIT ?", tenantId, tenantId, limit);
    }

    /** Re-queues one parked change; false when no such unreplayed dead letter exists. */
    @Transactional
    public boolean replay(long changeId) {
        return requeue("d.change_id = ?", changeId) == 1;
    }

    /** Re-queues every parked change (of one tenant when given); returns how many. */
    @Transactional
    public int replayAll(String tenantId) {
        return requeue("(?::text IS NULL OR d.tenant_id = ?)", tenantId, tenantId);
    }

    private int requeue(String condition, Object... args) {
        return jdbc.update("WITH replayed AS (UPDATE change_dead_letter d SET replayed_at = now() "
                + "WHERE d.replayed_at IS NULL AND " + condition + " RETURNING d.change_id) "
                + ", reset AS (UPDATE change_log c SET status = NULL, attempts = 0 "
                + "FROM replayed r WHERE c.id = r.change_id RETURNING c.id, c.table_name, c.record_id, c.tenant_id, c.priority) "
                + "INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high) "
                + "SELECT id, table_name, record_id, tenant_id, priority = 'high' FROM reset "
                + "ON CONFLICT (change_id) DO NOTHING", args);
    }
}
