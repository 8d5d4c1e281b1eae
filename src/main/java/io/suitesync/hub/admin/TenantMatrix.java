package io.suitesync.hub.admin;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.suitesync.common.Channels;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code GET /admin/tenants}: a page of tenants (organizations) by id, optionally searched by id or
 * name, with each application's cell: enabled, when, its stream's length and newest event, and how
 * many entries its consumer groups have not read yet; plus the tenant's relay backlog (changes
 * captured, not yet published). One SQL page, one SQL backlog lookup and two pipelined Redis rounds
 * per page, so the console can page through thousands of tenants.
 */
@Component("tenantMatrix")
@ConditionalOnRole("hub")
public class TenantMatrix {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_SEARCH = 100;

    private final NamedParameterJdbcTemplate jdbc;
    private final StringRedisTemplate redis;

    public TenantMatrix(NamedParameterJdbcTemplate jdbc, StringRedisTemplate redis) {
        this.jdbc = jdbc;
        this.redis = redis;
    }

    public Map<String, Object> page(String search, String limit, String offset) {
        int max = RequestParams.intParam("limit", limit, DEFAULT_LIMIT, 1, RelayAdmin.MAX_LIMIT);
        int skip = RequestParams.intParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        String term = search == null ? "" : search.trim();
        if (term.length() > MAX_SEARCH) {
            throw ApiException.badRequest(
                    "query parameter 'search' must be at most " + MAX_SEARCH + " characters");
        }
        MapSqlParameterSource params = new MapSqlParameterSource("pattern", "%" + likeEscaped(term.toLowerCase()) + "%")
                .addValue("limit", max).addValue("offset", skip);
        String where = term.isEmpty() ? "" : " WHERE lower(id) LIKE :pattern ESCAPE '\\' OR lower(name) LIKE :pattern ESCAPE '\\'";
        long total = jdbc.queryForObject("SELECT count(*) FROM tenants" + where, params, Long.class);
        List<Map<String, Object>> tenants = jdbc.query("SELECT id, name, status FROM tenants" + where
                + " ORDER BY id LIMIT :limit OFFSET :offset", params, (rs, i) -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("tenantId", rs.getString("id"));
                    t.put("name", rs.getString("name"));
                    t.put("status", rs.getString("status"));
                    return t;
                });
        List<String> apps = jdbc.queryForList("SELECT code FROM applications ORDER BY code", Map.of(), String.class);
        List<String> ids = tenants.stream().map(t -> (String) t.get("tenantId")).toList();
        Map<String, Map<String, Object>> states = states(ids);
        Map<String, Map<String, Object>> backlog = backlog(ids);
        Map<String, StreamFigures> streams = streams(ids, apps);
        for (Map<String, Object> t : tenants) {
            String id = (String) t.get("tenantId");
            t.put("relay", backlog.getOrDefault(id, Map.of("pending", 0, "lagSeconds", 0.0)));
            Map<String, Object> cells = new LinkedHashMap<>();
            for (String app : apps) {
                Map<String, Object> cell = new LinkedHashMap<>();
                Map<String, Object> state = states.get(id + "\u0000" + app);
                cell.put("enabled", state != null && Boolean.TRUE.equals(state.get("enabled")));
                cell.put("enabledAt", state == null ? null : state.get("enabledAt"));
                cell.put("disabledAt", state == null ? null : state.get("disabledAt"));
                StreamFigures s = streams.get(Channels.stream(app, id));
                cell.put("streamLength", s.length());
                cell.put("lastEventAt", s.lastEventAt());
                cell.put("unread", s.unread());
                cells.put(app, cell);
            }
            t.put("applications", cells);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", total);
        out.put("offset", skip);
        out.put("limit", max);
        out.put("search", term);
        out.put("applications", apps);
        out.put("tenants", tenants);
        return out;
    }

    private Map<String, Map<String, Object>> states(List<String> ids) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.query("SELECT tenant_id, application_code, is_enabled, enabled_at, disabled_at FROM organization_applications "
                + "WHERE tenant_id IN (:ids)", new MapSqlParameterSource("ids", ids), rs -> {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("enabled", rs.getBoolean("is_enabled"));
                    s.put("enabledAt", time(rs.getTimestamp("enabled_at")));
                    s.put("disabledAt", time(rs.getTimestamp("disabled_at")));
                    out.put(rs.getString("tenant_id") + "\u0000" + rs.getString("application_code"), s);
                });
        return out;
    }

    /** The page's tenants' changes waiting for the relay, and how old the oldest is. */
    private Map<String, Map<String, Object>> backlog(List<String> ids) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.query("SELECT t.tenant_id, t.pending, EXTRACT(EPOCH FROM (clock_timestamp() - c.changed_at)) AS lag_seconds "
                + "FROM (SELECT tenant_id, count(*) AS pending, min(change_id) AS oldest FROM change_queue "
                + "      WHERE tenant_id IN (:ids) GROUP BY tenant_id) t JOIN change_log c ON c.id = t.oldest",
                new MapSqlParameterSource("ids", ids), rs -> {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("pending", rs.getLong("pending"));
                    b.put("lagSeconds", Math.round(Math.max(0, rs.getDouble("lag_seconds")) * 1000) / 1000.0);
                    out.put(rs.getString("tenant_id"), b);
                });
        return out;
    }

    record StreamFigures(long length, String lastEventAt, Long unread) {}

    /**
     * Per stream: XLEN and the newest entry (XREVRANGE COUNT 1) for every cell, then XINFO GROUPS for
     * the streams that exist; each round is sent as one pipeline. {@code unread} is the largest lag of
     * the stream's consumer groups (entries added after the group's last delivered one), null without
     * groups or when Redis cannot tell (entries deleted inside a group's unread range).
     */
    private Map<String, StreamFigures> streams(List<String> ids, List<String> apps) {
        List<String> keys = new ArrayList<>();
        for (String id : ids) {
            for (String app : apps) {
                keys.add(Channels.stream(app, id));
            }
        }
        Map<String, StreamFigures> out = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        return redis.execute((RedisCallback<Map<String, StreamFigures>>) connection -> {
            RedisStreamAsyncCommands<byte[], byte[]> commands = commands(connection);
            List<RedisFuture<Long>> lengths = new ArrayList<>();
            List<RedisFuture<List<StreamMessage<byte[], byte[]>>>> newest = new ArrayList<>();
            for (String key : keys) {
                lengths.add(commands.xlen(bytes(key)));
                newest.add(commands.xrevrange(bytes(key), Range.create("-", "+"), Limit.from(1)));
            }
            List<RedisFuture<List<Object>>> groups = new ArrayList<>();
            List<Long> lengthOf = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                long length = await(lengths.get(i));
                lengthOf.add(length);
                groups.add(length > 0 ? commands.xinfoGroups(bytes(keys.get(i))) : null);
            }
            for (int i = 0; i < keys.size(); i++) {
                List<StreamMessage<byte[], byte[]>> last = await(newest.get(i));
                String lastAt = last == null || last.isEmpty() ? null : idTime(last.get(0).getId());
                Long unread = groups.get(i) == null ? null : maxLag(await(groups.get(i)));
                out.put(keys.get(i), new StreamFigures(lengthOf.get(i), lastAt, unread));
            }
            return out;
        });
    }

    /** The largest {@code lag} among the groups of an XINFO GROUPS reply (Redis 7); null without a known lag. */
    static Long maxLag(List<Object> reply) {
        Long max = null;
        if (reply == null) {
            return null;
        }
        for (Object group : reply) {
            List<?> fields = (List<?>) group;
            for (int f = 0; f + 1 < fields.size(); f += 2) {
                if ("lag".equals(text(fields.get(f))) && fields.get(f + 1) instanceof Long lag) {
                    max = max == null ? lag : Math.max(max, lag);
                }
            }
        }
        return max;
    }

    /** A stream entry id's time part ({@code <ms>-<seq>}) as an instant. */
    static String idTime(String id) {
        int dash = id.indexOf('-');
        return Instant.ofEpochMilli(Long.parseLong(dash < 0 ? id : id.substring(0, dash))).toString();
    }

    /** A LIKE pattern that matches the text literally. */
    static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    @SuppressWarnings("unchecked")
    private static RedisStreamAsyncCommands<byte[], byte[]> commands(RedisConnection connection) {
        return (RedisStreamAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
    }

    private static <T> T await(RedisFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the streams", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the streams failed: " + e.getMessage(), e);
        }
    }

    private static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String time(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
