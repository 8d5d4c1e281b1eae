package io.suitesync.hub.relay;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.lettuce.core.models.stream.PendingMessages;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.StreamIds;
import io.suitesync.common.StreamTrimPolicy;
import io.suitesync.hub.HubProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps stream trimming from dropping what a consumer group has not read, and makes it visible
 * when the hard bound forced it anyway. Every {@code group-check-interval} (route
 * {@code stream-group-watch}) it reads, in one pipeline, the groups of the streams written since the
 * last look and of the streams known to have groups ({@link StreamTrimPolicy#due}), then for each
 * stream with groups:
 * <ul>
 *   <li>trims it (XTRIM MINID ~) below the oldest entry any group still needs, unread or not yet
 *       acknowledged (XPENDING), and below its newest {@code stream-max-length} entries
 *       ({@link #trimArgs}). At XADD such a stream is trimmed by {@code stream-hard-max-length} only;</li>
 *   <li>reports a group that lost entries it had not read ({@link #missedEntries}): the hard bound
 *       trimmed them, or the group was created behind the trimmed head. Log line, counter
 *       {@code suitesync_relay_forced_trims_total}, and {@code GET /admin/relay/trims}.</li>
 * </ul>
 * The per-event cost stays a map look-up in {@link StreamTrimPolicy}; this costs two or three
 * commands per stream with groups (plus one XPENDING per group) per interval.
 */
@Component("streamGroupWatch")
@ConditionalOnRole("hub")
public class StreamGroupWatch {

    private static final Logger log = LoggerFactory.getLogger(StreamGroupWatch.class);
    private static final int KEPT_TRIMS = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String NEEDED_FROM = "needed-from";

    private final StringRedisTemplate redis;
    private final StreamTrimPolicy policy;
    private final RelayMetrics metrics;
    private final long maxLength;
    private final long hardMaxLength;
    private final Deque<Map<String, Object>> recentTrims = new ArrayDeque<>();
    /** the stream's first entry id last reported per stream and group, so one trim is reported once */
    private final Map<String, String> reported = new ConcurrentHashMap<>();
    /** per stream with groups: (entries-added, last-generated-id) seen at earlier looks, oldest first */
    private final Map<String, Deque<Mark>> marks = new ConcurrentHashMap<>();

    public StreamGroupWatch(StringRedisTemplate redis, StreamTrimPolicy policy, RelayMetrics metrics, HubProperties config) {
        this.redis = redis;
        this.policy = policy;
        this.metrics = metrics;
        this.maxLength = config.relay().streamMaxLength();
        this.hardMaxLength = config.relay().streamHardMaxLength();
    }

    /**
     * One look at the due streams: learn which have groups, trim those, report forced trims. While
     * Redis is unreachable there is nothing to look at (the relay pauses and says so): the streams
     * with groups are looked at again next interval, and at XADD they stay under the hard bound.
     */
    public void refresh() {
        List<String> due = policy.due();
        if (due.isEmpty()) {
            return;
        }
        try {
            look(due);
        } catch (DataAccessException e) {
            log.debug("Redis unreachable, stream group look postponed: {}", e.toString());
        }
    }

    private void look(List<String> due) {
        redis.execute((RedisCallback<Void>) connection -> {
            RedisStreamAsyncCommands<byte[], byte[]> commands = commands(connection);
            List<RedisFuture<List<Object>>> groupReplies = new ArrayList<>(due.size());
            for (String stream : due) {
                groupReplies.add(commands.xinfoGroups(bytes(stream)));
            }
            List<String> withGroups = new ArrayList<>();
            List<List<Map<String, Object>>> groupsOf = new ArrayList<>();
            List<RedisFuture<Long>> trims = new ArrayList<>();
            for (int i = 0; i < due.size(); i++) {
                List<Map<String, Object>> groups = groups(await(groupReplies.get(i)));
                policy.groups(due.get(i), !groups.isEmpty());
                if (!groups.isEmpty()) {
                    withGroups.add(due.get(i));
                    groupsOf.add(groups);
                } else {
                    // nobody reads it through a group (as of the reply just read): keep about stream-max-length
                    trims.add(commands.xtrim(bytes(due.get(i)), XTrimArgs.Builder.maxlen(maxLength).approximateTrimming()));
                }
            }
            List<RedisFuture<List<Object>>> infoReplies = new ArrayList<>();
            List<List<RedisFuture<PendingMessages>>> pendingReplies = new ArrayList<>();
            for (int i = 0; i < withGroups.size(); i++) {
                byte[] key = bytes(withGroups.get(i));
                infoReplies.add(commands.xinfoStream(key));
                pendingReplies.add(groupsOf.get(i).stream().map(g -> commands.xpending(key, bytes(String.valueOf(g.get("name"))))).toList());
            }
            for (int i = 0; i < withGroups.size(); i++) {
                Map<String, Object> info = fields(await(infoReplies.get(i)));
                String stream = withGroups.get(i);
                List<Map<String, Object>> groups = groupsOf.get(i);
                for (int g = 0; g < groups.size(); g++) {
                    groups.get(g).put(NEEDED_FROM, neededFrom(groups.get(g), await(pendingReplies.get(i).get(g))));
                }
                reportMissed(stream, info, groups);
                XTrimArgs trim = trimArgs(stream, info, groups);
                if (trim != null) {
                    trims.add(commands.xtrim(bytes(stream), trim));
                }
            }
            trims.forEach(StreamGroupWatch::await);
            return null;
        });
    }

    /** The oldest entry a group still needs: its oldest unacknowledged entry, else its last-delivered one. */
    private static String neededFrom(Map<String, Object> group, PendingMessages pending) {
        String lastDelivered = String.valueOf(group.get("last-delivered-id"));
        if (pending == null || pending.getCount() == 0 || pending.getMessageIds().getLower().getValue() == null) {
            return lastDelivered;
        }
        String oldestPending = pending.getMessageIds().getLower().getValue();
        return StreamIds.compare(oldestPending, lastDelivered) < 0 ? oldestPending : lastDelivered;
    }

    /**
     * How far a stream with groups is trimmed now (XTRIM MINID ~), or null for not at all: below
     * the oldest entry any group still needs (unread or unacknowledged) and below the newest
     * {@code stream-max-length} entries. The id that starts those is learnt from earlier looks:
     * each look records {@code entries-added} with the {@code last-generated-id}, and the newest
     * record at least {@code stream-max-length} entries old is the bound (a stream younger than
     * that, or a Redis before 7.0, is left to the hard bound).
     */
    XTrimArgs trimArgs(String stream, Map<String, Object> info, List<Map<String, Object>> groups) {
        String keepFrom = keepFrom(stream, info);
        if (keepFrom == null || longValue(info.get("length")) <= maxLength) {
            return null;
        }
        String threshold = groups.stream().map(g -> String.valueOf(g.get(NEEDED_FROM)))
                .reduce(keepFrom, (a, b) -> StreamIds.compare(a, b) <= 0 ? a : b);
        return XTrimArgs.Builder.minId(threshold).approximateTrimming();
    }

    private String keepFrom(String stream, Map<String, Object> info) {
        if (!(info.get("entries-added") instanceof Long added) || info.get("last-generated-id") == null) {
            return null;
        }
        Deque<Mark> seen = marks.computeIfAbsent(stream, s -> new ArrayDeque<>());
        if (!seen.isEmpty() && seen.peekLast().added() > added) {
            // the stream was recreated (Redis lost its data): earlier marks say nothing about it
            seen.clear();
        }
        if (seen.isEmpty() || seen.peekLast().added() < added) {
            seen.addLast(new Mark(added, String.valueOf(info.get("last-generated-id"))));
        }
        Mark bound = null;
        for (Mark mark : seen) {
            if (mark.added() <= added - maxLength) {
                bound = mark;
            }
        }
        while (bound != null && seen.peekFirst() != bound) {
            seen.removeFirst();
        }
        return bound == null ? null : bound.id();
    }

    private record Mark(long added, String id) {}

    private void reportMissed(String stream, Map<String, Object> info, List<Map<String, Object>> groups) {
        for (Map<String, Object> group : groups) {
            String name = String.valueOf(group.get("name"));
            String lastDelivered = String.valueOf(group.get("last-delivered-id"));
            String firstKept = String.valueOf(info.get("recorded-first-entry-id"));
            if (missedEntries(info, String.valueOf(group.get(NEEDED_FROM))) && !firstKept.equals(reported.put(stream + "\u0000" + name, firstKept))) {
                log.warn("stream {} was trimmed past consumer group {}: entries it had not read or acknowledged are gone "
                                + "(last delivered {}, the stream now starts at {}, length {}, stream-hard-max-length {}); "
                                + "the group must recover from the read API snapshot", stream, name, lastDelivered, firstKept,
                        info.get("length"), hardMaxLength);
                metrics.recordForcedTrim();
                Map<String, Object> trim = new LinkedHashMap<>();
                trim.put("stream", stream);
                trim.put("group", name);
                trim.put("lastDeliveredId", lastDelivered);
                trim.put("firstEntryId", firstKept);
                trim.put("streamLength", info.get("length"));
                trim.put("detectedAt", Instant.now().toString());
                synchronized (recentTrims) {
                    recentTrims.addFirst(trim);
                    while (recentTrims.size() > KEPT_TRIMS) {
                        recentTrims.removeLast();
                    }
                }
            }
        }
    }

    /**
     * Whether entries after {@code lastDelivered} were removed before the group read them, from
     * {@code XINFO STREAM} (Redis 7; false when an older Redis does not say). Redis 7.0 updates
     * {@code max-deleted-entry-id} on XDEL only, not when it trims, so trimming shows as: entries
     * were removed ({@code entries-added} above {@code length}) and the first entry left is newer
     * than the group's position. The hub's own trims never do that (they keep the last-delivered
     * entry); the hard bound can.
     */
    static boolean missedEntries(Map<String, Object> info, String lastDelivered) {
        Object maxDeleted = info.get("max-deleted-entry-id");
        if (maxDeleted != null && StreamIds.compare(String.valueOf(maxDeleted), lastDelivered) > 0) {
            return true;
        }
        if (!(info.get("entries-added") instanceof Long added) || added <= longValue(info.get("length"))) {
            return false;
        }
        Object firstLeft = longValue(info.get("length")) > 0 ? info.get("recorded-first-entry-id") : info.get("last-generated-id");
        return firstLeft != null && StreamIds.compare(String.valueOf(firstLeft), lastDelivered) > 0;
    }

    /** {@code GET /admin/relay/trims}: the groups that lost unread entries to trimming, newest first. */
    public Map<String, Object> trims() {
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (recentTrims) {
            out.put("count", recentTrims.size());
            out.put("trims", List.copyOf(recentTrims));
        }
        out.put("streamMaxLength", maxLength);
        out.put("streamHardMaxLength", hardMaxLength);
        return out;
    }

    /**
     * {@code GET /admin/streams/{app}/{tenantId}/groups}: the stream's figures and each consumer
     * group's position, with {@code missedEntries} when trimming removed entries it had not read.
     */
    public Map<String, Object> describe(String stream) {
        return redis.execute((RedisCallback<Map<String, Object>>) connection -> {
            RedisStreamAsyncCommands<byte[], byte[]> commands = commands(connection);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("stream", stream);
            if (connection.keyCommands().exists(bytes(stream)) == Boolean.FALSE) {
                out.put("exists", false);
                out.put("groups", List.of());
                return out;
            }
            RedisFuture<List<Object>> infoReply = commands.xinfoStream(bytes(stream));
            RedisFuture<List<Object>> groupReply = commands.xinfoGroups(bytes(stream));
            Map<String, Object> info = fields(await(infoReply));
            List<Map<String, Object>> groups = groups(await(groupReply));
            for (Map<String, Object> g : groups) {
                g.put(NEEDED_FROM, neededFrom(g, await(commands.xpending(bytes(stream), bytes(String.valueOf(g.get("name")))))));
            }
            out.put("exists", true);
            out.put("length", info.get("length"));
            out.put("lastGeneratedId", info.get("last-generated-id"));
            out.put("firstEntryId", info.get("recorded-first-entry-id"));
            out.put("maxDeletedEntryId", info.get("max-deleted-entry-id"));
            out.put("entriesAdded", info.get("entries-added"));
            out.put("xaddTrimsAt", hardMaxLength);
            List<Map<String, Object>> described = new ArrayList<>();
            for (Map<String, Object> g : groups) {
                Map<String, Object> group = new LinkedHashMap<>();
                String lastDelivered = String.valueOf(g.get("last-delivered-id"));
                group.put("name", g.get("name"));
                group.put("consumers", g.get("consumers"));
                group.put("pending", g.get("pending"));
                group.put("lastDeliveredId", lastDelivered);
                group.put("entriesRead", g.get("entries-read"));
                group.put("lag", g.get("lag"));
                group.put("oldestNeededId", g.get(NEEDED_FROM));
                group.put("missedEntries", missedEntries(info, String.valueOf(g.get(NEEDED_FROM))));
                described.add(group);
            }
            out.put("groups", described);
            return out;
        });
    }

    @SuppressWarnings("unchecked")
    private static RedisStreamAsyncCommands<byte[], byte[]> commands(RedisConnection connection) {
        // standalone, Sentinel and Cluster native connections all offer the stream commands
        return (RedisStreamAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
    }

    private static List<Map<String, Object>> groups(List<Object> reply) {
        List<Map<String, Object>> groups = new ArrayList<>();
        if (reply != null) {
            for (Object group : reply) {
                groups.add(fields((List<?>) group));
            }
        }
        return groups;
    }

    /** A flat XINFO reply (name, value, name, value, …) as a map with text for bulk strings. */
    static Map<String, Object> fields(List<?> reply) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (reply == null) {
            return out;
        }
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            Object value = reply.get(i + 1);
            out.put(text(reply.get(i)), value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : value);
        }
        return out;
    }

    private static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    private static long longValue(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    /** The reply, or null when Redis says the stream does not exist (it was never written or is gone). */
    private static <T> T await(RedisFuture<T> reply) {
        try {
            return reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains("no such key")) {
                return null;
            }
            throw new RedisSystemException("stream group look-up failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new RedisSystemException("Redis did not answer within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisSystemException("interrupted while waiting for Redis", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
