package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Each tenant's share of change_queue: how many changes wait and how old its oldest one is, most
 * lagging tenant first. One scan of the queue grouped by tenant; the oldest change of each tenant is
 * then looked up by primary key.
 */
@Component
@ConditionalOnRole("hub")
public class TenantBacklog {

    /** One tenant's backlog; {@code tenants} and {@code totalPending} are the totals over all tenants. */
    public record TenantLag(String tenantId, long pending, long highPending, Instant oldestChangeAt,
                            double lagSeconds, long tenants, long totalPending) {}

    private final JdbcTemplate jdbc;

    public TenantBacklog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A page of the tenants with queued changes, by lag (oldest queued change first). */
    public List<TenantLag> page(int limit, int offset) {
        return jdbc.query("SELECT t.tenant_id, t.pending, t.high_pending, c.changed_at, "
                        + "EXTRACT(EPOCH FROM (clock_timestamp() - c.changed_at)) AS lag_seconds, "
                        + "count(*) OVER () AS tenants, sum(t.pending) OVER () AS total_pending "
                        + "FROM (SELECT tenant_id, count(*) AS pending, count(*) FILTER (WHERE high) AS high_pending, "
                        + "      min(change_id) AS oldest FROM change_queue GROUP BY tenant_id) t "
                        + "JOIN change_log c ON c.id = t.oldest "
                        + "ORDER BY c.changed_at, t.tenant_id LIMIT ? OFFSET ?",
                (rs, i) -> new TenantLag(rs.getString("tenant_id"), rs.getLong("pending"), rs.getLong("high_pending"),
                        rs.getTimestamp("changed_at").toInstant(), Math.max(0, rs.getDouble("lag_seconds")),
                        rs.getLong("tenants"), rs.getLong("total_pending")),
                limit, offset);
    }
}
