package io.suitesync.bridge.queue;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.sync.SyncLogRepository;
import io.suitesync.common.ConditionalOnRole;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import io.suitesync.common.web.ApiException;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.stereotype.Component;

/**
 * The durable work queue ({@code bridge_work_queue}). A claim is one UPDATE over rows chosen with
 * {@code FOR UPDATE SKIP LOCKED}: concurrent workers never get the same row, and a claimed row
 * carries a lease, so the work of a worker that died (crash, kill, context stopped mid-batch) is
 * claimed again once its lease ran out. Failures go back to PENDING with exponential backoff until
 * {@code max-retry-attempts}, then stay FAILED until retried over REST.
 */
@Component("bridgeWorkQueue")
@ConditionalOnRole("bridge")
public class WorkQueue {

    public static final String ITEM_PROPERTY = "bridgeWorkItem";
    private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);
    private static final RowMapper<WorkItem> ITEM = (rs, i) -> new WorkItem(rs.getLong("id"),
            SystemId.valueOf(rs.getString("source_system")), rs.getString("entity_type"), rs.getString("source_id"),
            rs.getString("origin"), rs.getInt("attempts"));

    private final NamedParameterJdbcTemplate jdbc;
    private final SyncLogRepository syncLog;
    private final BridgeProperties properties;
    private final Backoff backoff;
    private final CamelContext camel;

    public WorkQueue(DataSource dataSource, SyncLogRepository syncLog, BridgeProperties properties, CamelContext camel) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.syncLog = syncLog;
        this.properties = properties;
        this.backoff = new Backoff(properties.retryInitialBackoff(), properties.retryMaxBackoff());
        this.camel = camel;
    }

    /** Adds changes; a change of a record that already waits is merged into the waiting item. Returns how many were added. */
    public int enqueue(List<QueuedChange> changes) {
        if (changes.isEmpty()) {
            return 0;
        }
        SqlParameterSource[] rows = changes.stream().map(c -> new MapSqlParameterSource("system", c.sourceSystem().name())
                .addValue("type", c.entityType()).addValue("id", c.sourceId()).addValue("origin", c.origin()))
                .toArray(SqlParameterSource[]::new);
        int[] counts = jdbc.batchUpdate("""
                INSERT INTO bridge_work_queue (source_system, entity_type, source_id, origin)
                VALUES (:system, :type, :id, :origin)
                ON CONFLICT (source_system, entity_type, source_id) WHERE status = 'PENDING' DO NOTHING
                """, rows);
        int added = 0;
        for (int count : counts) {
            added += Math.max(count, 0);
        }
        return added;
    }

    /** Claims up to a batch of due items (and items whose lease ran out); none while Camel is stopping. */
    public List<WorkItem> claim() {
        if (camel.isStopping()) {
            return List.of();
        }
        return jdbc.query("""
                UPDATE bridge_work_queue q
                   SET status = 'ACTIVE', attempts = q.attempts + 1, updated_at = now(),
                       lease_until = now() + make_interval(secs => :leaseSeconds)
                 WHERE q.id IN (SELECT id FROM bridge_work_queue
                                 WHERE (status = 'PENDING' AND next_attempt_at <= now())
                                    OR (status = 'ACTIVE' AND lease_until < now())
                                 ORDER BY id
                                 LIMIT :batch
                                 FOR UPDATE SKIP LOCKED)
                RETURNING q.*
                """, new MapSqlParameterSource("batch", properties.worker().batchSize())
                .addValue("leaseSeconds", properties.worker().lease().toMillis() / 1000.0), ITEM)
                .stream().sorted(Comparator.comparingLong(WorkItem::id)).toList();
    }

    public void complete(@ExchangeProperty(ITEM_PROPERTY) WorkItem item) {
        jdbc.update("UPDATE bridge_work_queue SET status = 'DONE', last_error = NULL, lease_until = NULL, updated_at = now()"
                + " WHERE id = :id", Map.of("id", item.id()));
    }

    /** A sync attempt failed: back to PENDING after a pause, or FAILED once the attempts are used up. */
    public void failed(@ExchangeProperty(ITEM_PROPERTY) WorkItem item,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception error) {
        Instant started = Instant.now();
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        boolean exhausted = item.attempts() >= properties.maxRetryAttempts();
        if (exhausted) {
            jdbc.update("UPDATE bridge_work_queue SET status = 'FAILED', last_error = :error, lease_until = NULL,"
                    + " updated_at = now() WHERE id = :id", Map.of("id", item.id(), "error", message));
            log.warn("Sync of {} {} {} FAILED after {} attempts: {}", item.sourceSystem(), item.entityType(),
                    item.sourceId(), item.attempts(), message);
        } else {
            MapSqlParameterSource params = new MapSqlParameterSource("id", item.id()).addValue("error", message)
                    .addValue("pauseMs", (double) backoff.after(item.attempts()).toMillis());
            try {
                jdbc.update("""
                        UPDATE bridge_work_queue
                           SET status = 'PENDING', last_error = :error, lease_until = NULL, updated_at = now(),
                               next_attempt_at = now() + make_interval(secs => :pauseMs / 1000)
                         WHERE id = :id
                        """, params);
            } catch (DuplicateKeyException newerNotice) {
                // the record changed again meanwhile and already waits in a newer item, which does this work
                jdbc.update("UPDATE bridge_work_queue SET status = 'DONE', last_error = :error, lease_until = NULL,"
                        + " updated_at = now() WHERE id = :id", params);
            }
            log.info("Sync of {} {} {} failed (attempt {} of {}), retrying later: {}", item.sourceSystem(),
                    item.entityType(), item.sourceId(), item.attempts(), properties.maxRetryAttempts(), message);
        }
        syncLog.record(new SyncLogRepository.Entry(item.id(), item.entityType(), item.sourceSystem().directionTo(),
                item.sourceId(), null, "NONE", exhausted ? "FAILED" : "RETRYING", message, item.attempts(), started));
    }

    /** waiting, active, completed, failed: the queue's counts. */
    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("waiting", 0L);
        stats.put("active", 0L);
        stats.put("completed", 0L);
        stats.put("failed", 0L);
        jdbc.query("SELECT status, count(*) AS n FROM bridge_work_queue GROUP BY status", rs -> {
            String key = switch (rs.getString("status")) {
                case "PENDING" -> "waiting";
                case "ACTIVE" -> "active";
                case "DONE" -> "completed";
                default -> "failed";
            };
            stats.put(key, rs.getLong("n"));
        });
        stats.put("timestamp", Instant.now().toString());
        return stats;
    }

    public List<Map<String, Object>> failedItems() {
        return jdbc.queryForList("""
                SELECT id, source_system AS "sourceSystem", entity_type AS "entityType", source_id AS "sourceId",
                       origin, attempts, last_error AS "lastError", created_at::text AS "createdAt",
                       updated_at::text AS "failedAt"
                  FROM bridge_work_queue WHERE status = 'FAILED' ORDER BY id
                """, Map.of());
    }

    /** Puts one FAILED item back in the queue with fresh attempts; 404 when there is no such failed item. */
    public Map<String, Object> retry(@Header("id") String id) {
        long itemId;
        try {
            itemId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("id must be a number, got '" + id + "'");
        }
        int updated = requeue("$.id = :id", new MapSqlParameterSource("id", itemId));
        if (updated == 0) {
            throw ApiException.notFound("no failed work item " + id);
        }
        return Map.of("retried", updated, "id", itemId);
    }

    public Map<String, Object> retryAll() {
        return Map.of("retried", requeue("TRUE", new MapSqlParameterSource()));
    }

    private int requeue(String condition, MapSqlParameterSource params) {
        // an item whose record waits again (or failed again later) is not needed any more: the other one covers it
        jdbc.update("UPDATE bridge_work_queue f SET status = 'DONE', updated_at = now()"
                + " WHERE f.status = 'FAILED' AND " + condition.replace("$", "f")
                + " AND EXISTS (SELECT 1 FROM bridge_work_queue o"
                + "              WHERE o.source_system = f.source_system AND o.entity_type = f.entity_type"
                + "                AND o.source_id = f.source_id"
                + "                AND (o.status = 'PENDING'"
                + "                     OR (o.status = 'FAILED' AND o.id > f.id AND " + condition.replace("$", "o") + ")))",
                params);
        return jdbc.update("UPDATE bridge_work_queue f SET status = 'PENDING', attempts = 0, next_attempt_at = now(),"
                + " updated_at = now() WHERE f.status = 'FAILED' AND " + condition.replace("$", "f"), params);
    }
}
