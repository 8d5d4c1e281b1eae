//DEPS io.lettuce:lettuce-core:6.6.0.RELEASE
//DEPS com.fasterxml.jackson.core:jackson-databind:2.19.4

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * A SuiteSync consumer in plain Java (Lettuce + Jackson): a local cache of credit costs and role
 * permissions for one tenant, fed by the stream {app}:{tenant}:events through a Redis consumer group,
 * bootstrapped and (after a gap) recovered from the hub's read API snapshot. The same protocol as
 * examples/node-consumer, and the same state file layout:
 * <ul>
 *   <li>XREADGROUP to read, XACK only after the effects are applied and saved;</li>
 *   <li>XAUTOCLAIM of entries a crashed member read and never acknowledged;</li>
 *   <li>de-duplication on eventId, stale-drop on version (newer than the record's cached version only);</li>
 *   <li>gap: the group's last-delivered id older than the stream's max-deleted-entry-id (read atomically
 *       with the read), or the group/stream gone (Redis lost its data): reload the snapshot and move the
 *       group to the stream position it is consistent with.</li>
 * </ul>
 * Run: {@code jbang CacheConsumer.java}, or {@code java -cp <lettuce, netty, reactor, jackson jars> CacheConsumer.java}.
 * Configuration as environment variables, like the Node example: REDIS_URL, HUB_URL, HUB_API_KEY, APP,
 * TENANT, GROUP, CONSUMER, STATE_FILE, CLAIM_IDLE_MS, CLAIM_EVERY_MS, POLL_MS, BATCH.
 */
public class CacheConsumer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String hubUrl = env("HUB_URL", "http://localhost:8080").replaceAll("/$", "");
    private final String hubApiKey = env("HUB_API_KEY", "");
    private final String app = env("APP", "crm");
    private final String tenant = required("TENANT");
    private final String group = env("GROUP", app + "-cache");
    private final String consumer = env("CONSUMER", hostname() + "-" + ProcessHandle.current().pid());
    private final Path stateFile = Path.of(env("STATE_FILE", "./state-" + app + "-" + tenant + ".json"));
    private final long claimIdleMs = Long.parseLong(env("CLAIM_IDLE_MS", "30000"));
    private final long claimEveryMs = Long.parseLong(env("CLAIM_EVERY_MS", "5000"));
    private final long pollMs = Long.parseLong(env("POLL_MS", "200"));
    private final int batch = Integer.parseInt(env("BATCH", "100"));
    private final int keptEventIds = Integer.parseInt(env("KEPT_EVENT_IDS", "100000"));
    private final String stream = app + ":" + tenant + ":events";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ObjectNode state;
    private Set<String> seen = new HashSet<>();
    private RedisCommands<String, String> redis;
    private RedisAsyncCommands<String, String> async;
    private volatile boolean running = true;

    public static void main(String[] args) throws Exception {
        new CacheConsumer().run();
    }

    private void run() throws Exception {
        RedisClient client = RedisClient.create(env("REDIS_URL", "redis://localhost:6379"));
        StatefulRedisConnection<String, String> connection = client.connect();
        redis = connection.sync();
        async = connection.async();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running = false;
            try {
                main.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        log("following " + stream + " as " + consumer + " in group " + group);
        state = loadState();
        if (state == null) {
            state = emptyState();
            recover("first start, nothing cached yet");
        } else if (!groupExists()) {
            recover("GAP: the consumer group is gone (Redis lost its data or the stream was recreated)");
        }
        state.withArray("handled").forEach(id -> seen.add(id.asText()));
        drainOwnPending();
        long nextClaim = 0;
        while (running) {
            try {
                if (System.currentTimeMillis() >= nextClaim) {
                    claimAbandoned();
                    nextClaim = System.currentTimeMillis() + claimEveryMs;
                }
                if (readOnce() == 0) {
                    Thread.sleep(pollMs);
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                log("step failed, retrying: " + e);
                Thread.sleep(1000);
            }
        }
        connection.close();
        client.shutdown();
    }

    // ---- applying events: idempotent, newest version wins ----

    private void handle(JsonNode event) {
        ObjectNode stats = (ObjectNode) state.get("stats");
        String eventId = event.path("eventId").asText();
        if (!seen.add(eventId)) {
            increment(stats, "duplicates");
            return;
        }
        state.withArray("handled").add(eventId);
        String entity = event.path("entity").asText();
        String entityId = event.path("entityId").asText();
        long version = event.path("version").asLong();
        ObjectNode versions = (ObjectNode) state.get("versions");
        String key = entity + ":" + entityId;
        if (versions.path(key).asLong(-1) >= version) {
            increment(stats, "stale");
            return;
        }
        versions.put(key, version);
        JsonNode data = event.path("data");
        boolean delete = "DELETE".equals(event.path("operation").asText());
        if ("credit-config".equals(entity)) {
            ObjectNode costs = (ObjectNode) state.get("creditCosts");
            String code = data.path("operationCode").asText();
            List<String> renamed = new ArrayList<>();
            costs.fields().forEachRemaining(e -> {
                if (e.getValue().path("id").asText().equals(entityId) && !e.getKey().equals(code)) {
                    renamed.add(e.getKey());
                }
            });
            costs.remove(renamed);
            if (delete) {
                costs.remove(code);
            } else {
                costs.set(code, creditCost(entityId, data.path("creditCost").asDouble(), data.path("isActive").asBoolean(true), version));
            }
        } else if ("role".equals(entity)) {
            ObjectNode roles = (ObjectNode) state.get("roles");
            if (delete) {
                roles.remove(entityId);
            } else {
                roles.set(entityId, role(data.path("name").asText(), data.path("permissions"), data.path("isActive").asBoolean(true), version));
            }
        }
        // other entities (users, organizations, allocations, historical backfill events) are not cached here
        increment(stats, "applied");
    }

    private static ObjectNode creditCost(String id, double cost, boolean active, long version) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("cost", cost).put("isActive", active).put("version", version);
        return node;
    }

    private static ObjectNode role(String name, JsonNode permissions, boolean active, long version) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", name);
        node.set("permissions", permissions.isArray() ? permissions : JSON.createArrayNode());
        node.put("isActive", active).put("version", version);
        return node;
    }

    // ---- the read API snapshot: bootstrap and gap recovery ----

    private JsonNode fetchSnapshot() throws InterruptedException {
        URI uri = URI.create(hubUrl + "/read/" + app + "/tenants/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8) + "/snapshot");
        HttpRequest request = HttpRequest.newBuilder(uri).header("X-Api-Key", hubApiKey).timeout(Duration.ofSeconds(10)).build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return JSON.readTree(response.body());
                }
                if (response.statusCode() < 500) {
                    throw new IllegalStateException("snapshot refused: HTTP " + response.statusCode() + " " + response.body());
                }
                log("hub answered " + response.statusCode() + ", retrying");
            } catch (IOException e) {
                if (attempt == 1 || attempt % 10 == 0) {
                    log("hub unreachable (" + e + "), retrying");
                }
            }
            Thread.sleep(Math.min(5000, 200L * attempt));
        }
    }

    private void recover(String reason) throws InterruptedException {
        log(reason + ": recovering from the read API snapshot");
        JsonNode snapshot = fetchSnapshot();
        ObjectNode previous = state;
        state = emptyState();
        state.set("stats", previous.get("stats"));
        state.set("handled", previous.get("handled"));
        ObjectNode costs = (ObjectNode) state.get("creditCosts");
        ObjectNode roles = (ObjectNode) state.get("roles");
        ObjectNode versions = (ObjectNode) state.get("versions");
        for (JsonNode c : snapshot.path("records").path("credit-config")) {
            long version = c.path("version").asLong();
            costs.set(c.path("operationCode").asText(),
                    creditCost(c.path("id").asText(), c.path("creditCost").asDouble(), c.path("isActive").asBoolean(true), version));
            versions.put("credit-config:" + c.path("id").asText(), version);
        }
        for (JsonNode r : snapshot.path("records").path("role")) {
            long version = r.path("version").asLong();
            roles.set(r.path("id").asText(), role(r.path("name").asText(), r.path("permissions"), r.path("isActive").asBoolean(true), version));
            versions.put("role:" + r.path("id").asText(), version);
        }
        String position = snapshot.path("streamPosition").asText();
        state.put("snapshotPosition", position);
        increment((ObjectNode) state.get("stats"), "snapshots");
        // the group resumes right after the entry the snapshot is consistent with
        try {
            redis.xgroupCreate(StreamOffset.from(stream, position), group, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisCommandExecutionException e) {
            if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
                throw e;
            }
            redis.xgroupSetid(StreamOffset.from(stream, position), group);
        }
        saveState();
        log("recovered from snapshot at stream position " + position + ": " + costs.size() + " credit costs, "
                + roles.size() + " roles");
    }

    // ---- the stream ----

    /** Applies the entries, saves, then acknowledges. False if one was deleted before it was applied. */
    private boolean applyEntries(List<StreamMessage<String, String>> entries) {
        if (entries.isEmpty()) {
            return true;
        }
        boolean complete = true;
        for (StreamMessage<String, String> entry : entries) {
            if (entry.getBody() == null || entry.getBody().isEmpty()) {
                complete = false; // trimmed after it was delivered, before anyone applied it
                continue;
            }
            String raw = entry.getBody().get("event");
            if (raw != null) {
                try {
                    handle(JSON.readTree(raw));
                } catch (IOException e) {
                    log("skipping unreadable entry " + entry.getId() + ": " + e.getMessage());
                }
            }
        }
        saveState();
        redis.xack(stream, group, entries.stream().map(StreamMessage::getId).toArray(String[]::new));
        return complete;
    }

    /** This member's own unacknowledged entries (after its restart under the same name). */
    private void drainOwnPending() throws InterruptedException {
        while (true) {
            List<StreamMessage<String, String>> entries = redis.xreadgroup(Consumer.from(group, consumer),
                    XReadArgs.Builder.count(batch), StreamOffset.from(stream, "0"));
            if (entries.isEmpty()) {
                return;
            }
            if (!applyEntries(entries)) {
                recover("GAP: a pending entry was trimmed before it was applied");
            }
        }
    }

    /**
     * Entries other members read and never acknowledged (they crashed): take them over. Redis drops
     * pending entries that were trimmed from the stream when they are claimed (Lettuce does not
     * report which): a pending entry older than the stream's first entry is lost, a gap.
     */
    private void claimAbandoned() throws InterruptedException {
        PendingMessages pending = redis.xpending(stream, group);
        boolean trimmedWhilePending = false;
        if (pending.getCount() > 0) {
            Map<String, Object> info = fields(redis.xinfoStream(stream));
            Object firstLeft = info.get("recorded-first-entry-id");
            trimmedWhilePending = (Long) info.get("length") == 0
                    || (firstLeft != null && compareIds(String.valueOf(firstLeft), pending.getMessageIds().getLower().getValue()) > 0);
        }
        String cursor = "0-0";
        do {
            var claimed = redis.xautoclaim(stream, XAutoClaimArgs.Builder
                    .xautoclaim(Consumer.from(group, consumer), Duration.ofMillis(claimIdleMs), cursor).count(batch));
            List<StreamMessage<String, String>> entries = claimed.getMessages();
            if (!entries.isEmpty()) {
                increment((ObjectNode) state.get("stats"), "claimed", entries.size());
                log("claimed " + entries.size() + " entries left pending by a stopped member");
            }
            if (!applyEntries(entries)) {
                recover("GAP: entries pending for a stopped member were trimmed before they were applied");
            }
            cursor = claimed.getId();
        } while (!"0-0".equals(cursor));
        if (trimmedWhilePending) {
            increment((ObjectNode) state.get("stats"), "gaps");
            recover("GAP: entries pending for a stopped member were trimmed before they were applied");
        }
    }

    /**
     * One read in a MULTI with what the gap check needs: the stream's max-deleted-entry-id and the
     * group's last-delivered id as they were just before this read.
     */
    private int readOnce() throws InterruptedException {
        async.multi();
        RedisFuture<List<Object>> infoReply = async.xinfoStream(stream);
        RedisFuture<List<Object>> groupsReply = async.xinfoGroups(stream);
        RedisFuture<List<StreamMessage<String, String>>> readReply = async.xreadgroup(Consumer.from(group, consumer),
                XReadArgs.Builder.count(batch), StreamOffset.lastConsumed(stream));
        Map<String, Object> info;
        Map<String, Object> groupInfo = null;
        List<StreamMessage<String, String>> entries;
        try {
            async.exec().get();
            info = fields(infoReply.get());
            for (Object g : groupsReply.get()) {
                Map<String, Object> candidate = fields((List<?>) g);
                if (group.equals(candidate.get("name"))) {
                    groupInfo = candidate;
                }
            }
            entries = readReply.get();
        } catch (ExecutionException e) {
            String message = String.valueOf(e.getCause() == null ? e : e.getCause().getMessage());
            if (message.contains("NOGROUP") || message.contains("no such key")) {
                recover("GAP: the stream or its consumer group is gone (Redis lost its data or the stream was recreated)");
                return 0;
            }
            throw new IllegalStateException(message, e);
        }
        if (groupInfo != null && missedEntries(info, String.valueOf(groupInfo.get("last-delivered-id")))) {
            increment((ObjectNode) state.get("stats"), "gaps");
            if (!entries.isEmpty()) {
                redis.xack(stream, group, entries.stream().map(StreamMessage::getId).toArray(String[]::new));
            }
            recover("GAP: entries after " + groupInfo.get("last-delivered-id") + " were trimmed before this group read them"
                    + " (the stream now starts at " + info.get("recorded-first-entry-id") + ")");
            return 0;
        }
        if (!applyEntries(entries)) {
            recover("GAP: an entry was trimmed before it was applied");
        }
        return entries.size();
    }

    /**
     * Whether entries after the group's position were removed before it read them (XINFO STREAM, Redis 7).
     * Redis 7.0 moves max-deleted-entry-id on XDEL only; a trim shows as: entries were removed
     * (entries-added > length) and the first entry left is newer than the group's last-delivered id.
     */
    static boolean missedEntries(Map<String, Object> info, String lastDelivered) {
        Object maxDeleted = info.get("max-deleted-entry-id");
        if (maxDeleted != null && compareIds(String.valueOf(maxDeleted), lastDelivered) > 0) {
            return true;
        }
        if (!(info.get("entries-added") instanceof Long added) || added <= (Long) info.get("length")) {
            return false;
        }
        Object firstLeft = (Long) info.get("length") > 0 ? info.get("recorded-first-entry-id") : info.get("last-generated-id");
        return compareIds(String.valueOf(firstLeft), lastDelivered) > 0;
    }

    private boolean groupExists() {
        try {
            return redis.xinfoGroups(stream).stream().anyMatch(g -> group.equals(fields((List<?>) g).get("name")));
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).contains("no such key")) {
                return false;
            }
            throw e;
        }
    }

    private static Map<String, Object> fields(List<?> flat) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put(String.valueOf(flat.get(i)), flat.get(i + 1));
        }
        return out;
    }

    static int compareIds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int ms = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return ms != 0 ? ms : Long.compare(Long.parseLong(x.length > 1 ? x[1] : "0"), Long.parseLong(y.length > 1 ? y[1] : "0"));
    }

    // ---- the state file: written atomically before entries are acknowledged ----

    private static ObjectNode emptyState() {
        ObjectNode s = JSON.createObjectNode();
        s.putObject("creditCosts");
        s.putObject("roles");
        s.putObject("versions");
        s.putArray("handled");
        ObjectNode stats = s.putObject("stats");
        for (String counter : List.of("applied", "stale", "duplicates", "gaps", "snapshots", "claimed")) {
            stats.put(counter, 0);
        }
        s.putNull("snapshotPosition");
        return s;
    }

    private ObjectNode loadState() throws IOException {
        return Files.exists(stateFile) ? (ObjectNode) JSON.readTree(stateFile.toFile()) : null;
    }

    private void saveState() {
        ArrayNode handled = state.withArray("handled");
        if (handled.size() > keptEventIds) {
            ArrayNode kept = JSON.createArrayNode();
            for (int i = handled.size() - keptEventIds; i < handled.size(); i++) {
                kept.add(handled.get(i));
            }
            state.set("handled", kept);
            seen = new HashSet<>();
            kept.forEach(id -> seen.add(id.asText()));
        }
        try {
            Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), state);
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save " + stateFile, e);
        }
    }

    private static void increment(ObjectNode stats, String counter) {
        increment(stats, counter, 1);
    }

    private static void increment(ObjectNode stats, String counter, long by) {
        stats.put(counter, stats.path(counter).asLong() + by);
    }

    private void log(String message) {
        System.out.println("[consumer " + consumer + "] " + message);
        System.out.flush();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            System.err.println(name + " is required");
            System.exit(2);
        }
        return value;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "java-consumer";
        }
    }
}
