package io.suitesync.hub.read;

import io.suitesync.common.Channels;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import io.suitesync.hub.HubProperties;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Header;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The read API behind routes/hub/read-api.camel.yaml: what an application (its agent) fetches on
 * demand. Every call is scoped: the application must be known and enabled by the tenant (404
 * otherwise), and only that application's data is returned.
 */
@Component("readApi")
@ConditionalOnRole("hub")
public class ReadApi {

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate redis;
    private final HubProperties hub;
    private final TransactionTemplate snapshotTx;
    private final TransactionTemplate readTx;

    public ReadApi(JdbcTemplate jdbc, StringRedisTemplate redis, HubProperties hub, PlatformTransactionManager tx) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.hub = hub;
        this.snapshotTx = new TransactionTemplate(tx);
        snapshotTx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshotTx.setReadOnly(true);
        this.readTx = new TransactionTemplate(tx);
        readTx.setReadOnly(true);
    }

    /** Tenants that have the application enabled. */
    public Map<String, Object> tenants(@Header("appCode") String app) {
        knownApp(app);
        List<Map<String, Object>> tenants = rows(ReadSql.TENANTS, app);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("application", app);
        body.put("tenants", tenants);
        return body;
    }

    /** One credit configuration of the application (its operation-code prefix) with its version. */
    public Map<String, Object> creditConfig(@Header("appCode") String app, @Header("tenantId") String tenant,
                                            @Header("operationCode") String operationCode) {
        return readTx.execute(status -> {
            enabled(app, tenant);
            if (operationCode == null || !operationCode.startsWith(app + ".")) {
                throw ApiException.notFound("operation '" + operationCode + "' is not an operation of " + app);
            }
            return single(rows(ReadSql.CREDIT_CONFIG, tenant, operationCode),
                    "operation '" + operationCode + "' is not configured for tenant " + tenant);
        });
    }

    /** A user's profile (reference data) with memberships, status and version. */
    public Map<String, Object> user(@Header("appCode") String app, @Header("tenantId") String tenant,
                                    @Header("userId") String userId) {
        UUID id = RequestParams.uuid("userId", userId);
        return readTx.execute(status -> {
            enabled(app, tenant);
            Map<String, Object> user = single(rows(ReadSql.USER, tenant, id), "user " + userId + " not found");
            user.put("memberships", rows(ReadSql.USER_MEMBERSHIPS, tenant, id));
            return user;
        });
    }

    /** An entity with its ancestors (nearest first, up to the root) and its direct children. */
    public Map<String, Object> hierarchy(@Header("appCode") String app, @Header("tenantId") String tenant,
                                         @Header("entityId") String entityId) {
        UUID id = RequestParams.uuid("entityId", entityId);
        return readTx.execute(status -> {
            enabled(app, tenant);
            Map<String, Object> entity = single(rows(ReadSql.ENTITY, tenant, id), "entity " + entityId + " not found");
            entity.put("ancestors", rows(ReadSql.ANCESTORS, id, tenant));
            entity.put("children", rows(ReadSql.CHILDREN, tenant, id));
            return entity;
        });
    }

    /**
     * The application's critical data for the tenant, consistent with a stream position: the
     * stream's last entry id P is read first, then the database in one REPEATABLE READ snapshot
     * where each record's version is the newest change_log id of that record visible in it. Every
     * change the snapshot misses commits after it started, so its event lands after P; every event
     * after P the snapshot already holds has a version not above the record's. A consumer that
     * follows the stream after P and applies only newer versions has no gap and no stale overwrite.
     */
    public Map<String, Object> snapshot(@Header("appCode") String app, @Header("tenantId") String tenant) {
        knownApp(app);
        String position = lastStreamEntryId(Channels.stream(app, tenant));
        return snapshotTx.execute(status -> {
            enabled(app, tenant);
            String prefix = app + ".";
            Map<String, Object> records = new LinkedHashMap<>();
            records.put(entity("credit_configurations"), rows(ReadSql.SNAPSHOT_CREDIT_CONFIGS, tenant, prefix, prefix));
            records.put(entity("roles"), rows(ReadSql.SNAPSHOT_ROLES, tenant, prefix, prefix,
                    hub.suiteWidePermissions().toArray(String[]::new)));
            records.put(entity("users"), rows(ReadSql.SNAPSHOT_USERS, tenant));
            records.put(entity("credit_allocations"), rows(ReadSql.SNAPSHOT_ALLOCATIONS, tenant, app));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("application", app);
            body.put("tenantId", tenant);
            body.put("streamPosition", position);
            body.put("generatedAt", Instant.now().toString());
            body.put("records", records);
            return body;
        });
    }

    private String lastStreamEntryId(String stream) {
        List<MapRecord<String, Object, Object>> last = redis.opsForStream()
                .reverseRange(stream, Range.unbounded(), Limit.limit().count(1));
        return last == null || last.isEmpty() ? "0-0" : last.get(0).getId().getValue();
    }

    /** Snapshot groups are named like the events' {@code entity}, so a consumer applies both alike. */
    private String entity(String table) {
        HubProperties.Table rule = hub.tables().get(table);
        return rule == null ? table : rule.entity();
    }

    private void knownApp(String app) {
        if (app == null || !hub.applications().contains(app)) {
            throw ApiException.notFound("unknown application '" + app + "'");
        }
    }

    private void enabled(String app, String tenant) {
        knownApp(app);
        Boolean enabled = jdbc.queryForObject(ReadSql.ENABLED, Boolean.class, tenant, app);
        if (!Boolean.TRUE.equals(enabled)) {
            // the same answer for "no such tenant" and "not enabled": nothing about other tenants leaks
            throw ApiException.notFound("tenant '" + tenant + "' not found for application " + app);
        }
    }

    /** Rows with JSON-friendly values: arrays as lists, times as ISO-8601 text. */
    private List<Map<String, Object>> rows(String sql, Object... args) {
        List<Map<String, Object>> rows = jdbc.queryForList(sql, args);
        for (Map<String, Object> row : rows) {
            row.replaceAll((column, value) -> jsonValue(value));
        }
        return rows;
    }

    private static Object jsonValue(Object value) {
        try {
            if (value instanceof java.sql.Array array) {
                return List.of((Object[]) array.getArray());
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read array column", e);
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant().toString();
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant().toString();
        }
        return value;
    }

    private static Map<String, Object> single(List<Map<String, Object>> rows, String notFound) {
        if (rows.isEmpty()) {
            throw ApiException.notFound(notFound);
        }
        return new LinkedHashMap<>(rows.get(0));
    }

}
