package io.suitesync.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.bridge.queue.WorkQueue;
import io.suitesync.common.ConditionalOnRole;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Body;
import org.springframework.stereotype.Component;

/**
 * The bridge's figures in Micrometer (hence Prometheus): work items synced by outcome, and the work
 * queue's items by state, refreshed from the database by the {@code bridge-metrics} route.
 */
@Component("bridgeMetrics")
@ConditionalOnRole("bridge")
public class BridgeMetrics {

    private static final String[] OUTCOMES = {"success", "skipped", "conflict", "error"};
    private static final String[] STATES = {"waiting", "active", "completed", "failed"};

    private final MeterRegistry registry;
    private final WorkQueue queue;
    private final Map<String, AtomicLong> items = new LinkedHashMap<>();

    public BridgeMetrics(MeterRegistry registry, WorkQueue queue) {
        this.registry = registry;
        this.queue = queue;
        for (String outcome : OUTCOMES) {
            syncs(outcome);
        }
        for (String state : STATES) {
            AtomicLong count = new AtomicLong();
            items.put(state, count);
            Gauge.builder("suitesync.bridge.queue.items", count, AtomicLong::get).tag("state", state)
                    .description("work queue items").register(registry);
        }
    }

    /** A work item synced: SUCCESS, SKIPPED or CONFLICT (what the sync engine returned). */
    public void synced(@Body String outcome) {
        syncs(outcome.toLowerCase(Locale.ROOT)).increment();
    }

    /** A sync attempt threw: the queue retries the item later or fails it. */
    public void failed() {
        syncs("error").increment();
    }

    private Counter syncs(String outcome) {
        return Counter.builder("suitesync.bridge.syncs").tag("outcome", outcome)
                .description("sync attempts of work items (error: retried or failed)").register(registry);
    }

    /** Reads the queue's counts (the bridge-metrics route calls it periodically). */
    public void refreshQueue() {
        Map<String, Object> stats = queue.stats();
        items.forEach((state, count) -> count.set(((Number) stats.get(state)).longValue()));
    }
}
