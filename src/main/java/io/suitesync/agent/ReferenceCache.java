package io.suitesync.agent;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.common.web.ApiException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reference tier (user profiles, hierarchy): fetched from the hub on demand, fresh for the
 * tier's TTL; after that, within the stale-while-revalidate window, the old value is answered
 * (marked stale) while a background fetch renews it; beyond it, or once an event invalidated the
 * entry, the next read fetches. When the hub does not answer, the last value is served marked
 * stale for up to {@code maxStale}: an invalidated entry is kept for that reason, not dropped.
 */
public class ReferenceCache {

    private static final Logger log = LoggerFactory.getLogger(ReferenceCache.class);

    /** What a read returns: the value, whether it came from the cache, whether it may be outdated. */
    public record Answer(Map<String, Object> value, boolean cached, boolean stale, Instant fetchedAt) {}

    private record Held(Map<String, Object> value, long fetchedAtNanos, Instant fetchedAt, boolean invalidated) {}

    private final String name;
    private final AgentProperties.Tier tier;
    private final Cache<String, Held> cache;
    private final LongSupplier nanoClock;
    private final Executor refresher;
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();
    private final LongAdder staleServed = new LongAdder();
    private final LongAdder invalidations = new LongAdder();

    public ReferenceCache(String name, AgentProperties.Tier tier, LongSupplier nanoClock, Executor refresher) {
        this.name = name;
        this.tier = tier;
        this.nanoClock = nanoClock;
        this.refresher = refresher;
        this.cache = Caffeine.newBuilder().maximumSize(tier.maxSize())
                .expireAfterWrite(tier.ttl().plus(tier.maxStale()).toNanos(), TimeUnit.NANOSECONDS).build();
    }

    public Answer get(String tenant, String id, Supplier<Map<String, Object>> loader) {
        String key = tenant + "/" + id;
        Held held = cache.getIfPresent(key);
        if (held != null && !held.invalidated()) {
            long age = nanoClock.getAsLong() - held.fetchedAtNanos();
            if (age < tier.ttl().toNanos()) {
                hits.increment();
                return new Answer(held.value(), true, false, held.fetchedAt());
            }
            if (age < tier.ttl().plus(tier.staleWhileRevalidate()).toNanos()) {
                hits.increment();
                staleServed.increment();
                refreshInBackground(key, loader);
                return new Answer(held.value(), true, true, held.fetchedAt());
            }
        }
        misses.increment();
        try {
            Held fresh = load(key, loader);
            return new Answer(fresh.value(), false, false, fresh.fetchedAt());
        } catch (HubUnavailableException e) {
            if (held != null) {
                staleServed.increment();
                return new Answer(held.value(), true, true, held.fetchedAt());
            }
            throw new ApiException(503, "hub unavailable and no cached copy of " + name + " " + id);
        } catch (ApiException e) {
            if (e.status() == 404) {
                cache.invalidate(key);
            }
            throw e;
        }
    }

    /** An event changed the record: the next read fetches, but the old value still answers an outage. */
    public void invalidate(String tenant, String id) {
        String key = tenant + "/" + id;
        Held held = cache.getIfPresent(key);
        if (held != null) {
            cache.put(key, new Held(held.value(), held.fetchedAtNanos(), held.fetchedAt(), true));
            invalidations.increment();
        }
    }

    /** Invalidates every entry of the tenant (a hierarchy change can reach many entities' answers). */
    public void invalidateTenant(String tenant) {
        String prefix = tenant + "/";
        for (Map.Entry<String, Held> entry : cache.asMap().entrySet()) {
            if (entry.getKey().startsWith(prefix) && !entry.getValue().invalidated()) {
                invalidate(tenant, entry.getKey().substring(prefix.length()));
            }
        }
    }

    /** This tier's lookups, loads from the hub and stale answers, tagged {@code tier}. */
    void bindTo(MeterRegistry registry, String tierName) {
        AgentMeters.cacheRequests(registry, tierName, hits, misses);
        FunctionCounter.builder("suitesync.agent.reference.loads", loads, LongAdder::sum).tag("tier", tierName)
                .description("reference records fetched from the hub").register(registry);
        FunctionCounter.builder("suitesync.agent.reference.load.failures", loadFailures, LongAdder::sum)
                .tag("tier", tierName).description("failed fetches from the hub").register(registry);
        FunctionCounter.builder("suitesync.agent.reference.stale.served", staleServed, LongAdder::sum)
                .tag("tier", tierName).description("answers served stale while being renewed").register(registry);
        Gauge.builder("suitesync.agent.reference.size", cache, Cache::estimatedSize).tag("tier", tierName)
                .description("entries held").register(registry);
    }

    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        long loaded = loads.sum();
        stats.put("hits", hits.sum());
        stats.put("misses", misses.sum());
        stats.put("loads", loaded);
        stats.put("loadFailures", loadFailures.sum());
        stats.put("averageLoadMillis", loaded == 0 ? 0.0 : loadNanos.sum() / 1e6 / loaded);
        stats.put("staleServed", staleServed.sum());
        stats.put("invalidations", invalidations.sum());
        stats.put("size", cache.estimatedSize());
        stats.put("ttlSeconds", tier.ttl().toSeconds());
        return stats;
    }

    private Held load(String key, Supplier<Map<String, Object>> loader) {
        long start = nanoClock.getAsLong();
        try {
            Map<String, Object> value = loader.get();
            long now = nanoClock.getAsLong();
            Held fresh = new Held(value, now, Instant.now(), false);
            cache.put(key, fresh);
            loads.increment();
            loadNanos.add(now - start);
            return fresh;
        } catch (RuntimeException e) {
            loadFailures.increment();
            throw e;
        }
    }

    private void refreshInBackground(String key, Supplier<Map<String, Object>> loader) {
        if (!refreshing.add(key)) {
            return;
        }
        refresher.execute(() -> {
            try {
                load(key, loader);
            } catch (ApiException e) {
                if (e.status() == 404) {
                    cache.invalidate(key);
                }
            } catch (RuntimeException e) {
                log.debug("background refresh of {} {} failed, the old value stays: {}", name, key, e.toString());
            } finally {
                refreshing.remove(key);
            }
        });
    }
}
