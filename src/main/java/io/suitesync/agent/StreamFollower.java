package io.suitesync.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.suitesync.agent.CriticalStore.TenantState;
import io.suitesync.common.Channels;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.RedisUris;
import io.suitesync.common.StreamIds;
import io.suitesync.common.web.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Bootstraps each served tenant from the hub's snapshot and follows the application's streams
 * {@code {app}:{tenant}:events} from the position that snapshot is consistent with.
 *
 * <p>Every replica must see every event (it is a cache replica, not a worker of a queue), so it reads
 * with plain XREAD from its own positions rather than a shared consumer group; the positions are
 * persisted with the records they are consistent with ({@link AgentStateFile}). One thread, its own
 * Redis connection (a blocking XREAD must not hold a shared one). Redis down: the loop retries with
 * a back-off and resumes from the held positions; hub down: held tenants keep following, missing
 * ones are bootstrapped once it answers.
 */
@Component("streamFollower")
@ConditionalOnRole("agent")
public class StreamFollower implements SmartLifecycle, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(StreamFollower.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final AgentProperties config;
    private final HubClient hub;
    private final CriticalStore store;
    private final ReferenceData reference;
    private final AgentStateFile stateFile;
    private final RedisURI redisUri;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final LongAdder eventsRead = new LongAdder();
    private final LongAdder snapshotsLoaded = new LongAdder();
    /** tenants to serve; read by request threads, written by the follower */
    private final Set<String> wanted = new java.util.concurrent.CopyOnWriteArraySet<>();
    /** tenants whose positions must be checked against stream trimming before they are followed */
    private final Set<String> unverified = new LinkedHashSet<>();

    private volatile boolean running;
    /** a hub runs in this same process (the demo): its routes answer only once the application is ready */
    private final boolean hubInProcess;
    private volatile boolean ready;
    private volatile boolean redisUp;
    private volatile String lastError;
    private volatile long lastLagMillis = -1;
    private long nextBootstrapAttempt;
    private volatile Instant lastEventAt;
    private Thread thread;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    public StreamFollower(AgentProperties config, HubClient hub, CriticalStore store, ReferenceData reference,
                          AgentStateFile stateFile, RedisProperties redis,
                          Environment env) {
        this.config = config;
        this.hubInProcess = ConditionalOnRole.OnRole.roles(env).contains("hub");
        this.hub = hub;
        this.store = store;
        this.reference = reference;
        this.stateFile = stateFile;
        this.redisUri = RedisUris.standalone(redis);
    }

    @Override
    public synchronized void start() {
        Set<String> restored = stateFile.restore();
        unverified.addAll(restored);
        wanted.addAll(config.allTenants() ? restored : config.tenants());
        client = RedisClient.create(redisUri);
        // fail fast while Redis is away instead of queueing XREADs nobody waits for any more
        client.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true).build());
        running = true;
        thread = new Thread(this::run, "agent-stream-follower");
        thread.setDaemon(true);
        if (ready || !hubInProcess) {
            thread.start();
        }
    }

    /**
     * Camel starts its routes after every lifecycle bean: beside a hub in this same process (the demo),
     * following begins once the application is ready, so that hub answers the first tenant and snapshot
     * calls. A separate agent starts at once: its hub is another process.
     */
    @EventListener(ApplicationReadyEvent.class)
    public synchronized void onReady() {
        ready = true;
        if (running && thread != null && thread.getState() == Thread.State.NEW) {
            thread.start();
        }
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(config.stream().block().toMillis() + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        stateFile.flush();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // after the web server and Camel are up, stopped before them
        return Integer.MAX_VALUE - 100;
    }

    private void run() {
        long nextTenantRefresh = 0;
        while (running) {
            try {
                if (config.allTenants() && System.nanoTime() >= nextTenantRefresh) {
                    refreshTenants();
                    nextTenantRefresh = System.nanoTime() + config.stream().tenantRefresh().toNanos();
                }
                bootstrapMissing();
                if (store.tenants().isEmpty()) {
                    pause();
                    continue;
                }
                readOnce();
            } catch (RedisException e) {
                if (!running) {
                    break;
                }
                if (redisUp || lastError == null) {
                    log.warn("Redis unavailable, serving held data and retrying every {}: {}", config.stream().retryBackoff(), e.toString());
                }
                redisUp = false;
                lastError = "redis: " + e.getMessage();
                // after an outage Redis may have lost or trimmed entries: check the positions again
                unverified.addAll(store.tenants());
                pause();
            } catch (HubUnavailableException e) {
                lastError = "hub: " + e.getMessage();
                pause();
            } catch (RuntimeException e) {
                lastError = e.toString();
                log.error("stream follower step failed, retrying", e);
                pause();
            }
        }
    }

    private void refreshTenants() {
        List<Map<String, Object>> tenants = castList(hub.tenants().get("tenants"));
        Set<String> now = new LinkedHashSet<>();
        tenants.forEach(t -> now.add(String.valueOf(t.get("tenantId"))));
        for (String gone : new ArrayList<>(wanted)) {
            if (!now.contains(gone)) {
                log.info("tenant {} no longer has {} enabled: dropping its data", gone, config.appCode());
                store.forget(gone);
                stateFile.markDirty();
            }
        }
        wanted.clear();
        wanted.addAll(now);
    }

    /**
     * Bootstraps tenants not held yet. A tenant the hub refuses (404: the app is not enabled there)
     * or an unreachable hub must not stop the held tenants from being followed: it is retried later.
     */
    private void bootstrapMissing() {
        if (System.nanoTime() < nextBootstrapAttempt) {
            return;
        }
        for (String tenant : wanted) {
            if (store.holds(tenant)) {
                continue;
            }
            try {
                bootstrap(tenant);
            } catch (ApiException e) {
                lastError = "hub: tenant " + tenant + ": " + e.getMessage();
                log.warn("tenant {} cannot be bootstrapped, retrying later: {}", tenant, e.getMessage());
                nextBootstrapAttempt = System.nanoTime() + config.stream().tenantRefresh().toNanos();
            } catch (HubUnavailableException e) {
                lastError = "hub: " + e.getMessage();
                nextBootstrapAttempt = System.nanoTime() + config.stream().retryBackoff().toNanos();
                return;
            }
        }
    }

    /** Loads the tenant's snapshot; following resumes right after the stream entry it is consistent with. */
    public void bootstrap(String tenant) {
        Map<String, Object> snapshot = hub.snapshot(tenant);
        List<CriticalStore.Entry> records = CriticalStore.snapshotEntries(snapshot);
        store.load(tenant, new TenantState(String.valueOf(snapshot.get("streamPosition")), records));
        unverified.remove(tenant);
        snapshotsLoaded.increment();
        stateFile.markDirty();
        log.info("tenant {} bootstrapped from the hub snapshot: {} records, stream position {}", tenant, records.size(),
                snapshot.get("streamPosition"));
    }

    private RedisCommands<String, String> commands() {
        if (connection == null || !connection.isOpen()) {
            connection = client.connect();
            connection.setTimeout(config.stream().block().plusSeconds(5));
        }
        return connection.sync();
    }

    private void readOnce() {
        RedisCommands<String, String> redis = commands();
        verifyPositions(redis);
        Map<String, String> tenantOfStream = new HashMap<>();
        List<StreamOffset<String>> offsets = new ArrayList<>();
        for (String tenant : store.tenants()) {
            String stream = Channels.stream(config.appCode(), tenant);
            tenantOfStream.put(stream, tenant);
            offsets.add(StreamOffset.from(stream, store.position(tenant)));
        }
        @SuppressWarnings("unchecked")
        List<StreamMessage<String, String>> messages = redis.xread(XReadArgs.Builder
                .block(config.stream().block().toMillis()).count(config.stream().batchSize()), offsets.toArray(StreamOffset[]::new));
        if (!redisUp) {
            log.info("Redis available, following {} stream(s) from their held positions", offsets.size());
        }
        redisUp = true;
        for (StreamMessage<String, String> message : messages) {
            String tenant = tenantOfStream.get(message.getStream());
            Map<String, Object> event = parse(message.getBody().get("event"));
            if (event != null) {
                store.apply(tenant, event);
                reference.onEvent(tenant, event);
                lag(event);
            }
            store.advance(tenant, message.getId());
            eventsRead.increment();
        }
        if (!messages.isEmpty()) {
            stateFile.markDirty();
        }
    }

    /**
     * A position older than an entry Redis has deleted (MAXLEN trimming while this replica was away)
     * would skip events silently: such a tenant bootstraps again from a fresh snapshot.
     */
    private void verifyPositions(RedisCommands<String, String> redis) {
        for (String tenant : new ArrayList<>(unverified)) {
            String position = store.position(tenant);
            String maxDeleted = maxDeletedEntryId(redis, Channels.stream(config.appCode(), tenant));
            if (maxDeleted != null && StreamIds.compare(maxDeleted, position) > 0) {
                log.warn("stream of tenant {} was trimmed past position {} (max deleted {}): bootstrapping again",
                        tenant, position, maxDeleted);
                bootstrap(tenant);
            }
            unverified.remove(tenant);
        }
    }

    private static String maxDeletedEntryId(RedisCommands<String, String> redis, String stream) {
        if (redis.exists(stream) == 0) {
            return null;
        }
        List<Object> info = redis.xinfoStream(stream);
        for (int i = 0; i + 1 < info.size(); i += 2) {
            if ("max-deleted-entry-id".equals(String.valueOf(info.get(i)))) {
                return String.valueOf(info.get(i + 1));
            }
        }
        return null;
    }

    private Map<String, Object> parse(String eventJson) {
        try {
            return eventJson == null ? null : json.readValue(eventJson, MAP);
        } catch (IOException e) {
            // a malformed entry cannot become valid by retrying; skipping it is logged loudly
            log.error("skipping unreadable stream entry: {}", eventJson, e);
            return null;
        }
    }

    private void lag(Map<String, Object> event) {
        lastEventAt = Instant.now();
        try {
            lastLagMillis = Duration.between(Instant.parse(String.valueOf(event.get("timestamp"))), lastEventAt).toMillis();
        } catch (RuntimeException e) {
            lastLagMillis = -1;
        }
    }

    private void pause() {
        try {
            Thread.sleep(config.stream().retryBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    public boolean serves(String tenant) {
        return wanted.contains(tenant) || store.holds(tenant);
    }

    public Set<String> servedTenants() {
        Set<String> all = new LinkedHashSet<>(wanted);
        all.addAll(store.tenants());
        return all;
    }

    /** Reading the streams: events read, snapshots, commit-to-apply lag, Redis and hub reachability. */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("suitesync.agent.events.read", eventsRead, LongAdder::sum)
                .description("stream entries read").register(registry);
        FunctionCounter.builder("suitesync.agent.snapshots.loaded", snapshotsLoaded, LongAdder::sum)
                .description("tenants bootstrapped from the hub's snapshot").register(registry);
        Gauge.builder("suitesync.agent.lag.seconds", this, f -> Math.max(f.lastLagMillis, 0) / 1000.0)
                .description("commit-to-apply time of the last event").register(registry);
        Gauge.builder("suitesync.agent.redis.up", this, f -> f.redisUp ? 1 : 0)
                .description("1 while the streams can be read").register(registry);
        Gauge.builder("suitesync.agent.hub.reachable", hub, h -> Boolean.FALSE.equals(h.reachable()) ? 0 : 1)
                .description("0 after the last call to the hub failed").register(registry);
    }

    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("redisUp", redisUp);
        stats.put("hubReachable", hub.reachable());
        stats.put("eventsRead", eventsRead.sum());
        stats.put("snapshotsLoaded", snapshotsLoaded.sum());
        stats.put("lastEventAt", lastEventAt == null ? null : lastEventAt.toString());
        stats.put("lastCommitToApplyMillis", lastLagMillis);
        stats.put("lastError", lastError);
        return stats;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> castList(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
