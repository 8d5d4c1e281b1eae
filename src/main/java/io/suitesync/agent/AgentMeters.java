package io.suitesync.agent;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/** The meter every tier of the agent shares: lookups answered from the tier (hit) or not (miss). */
final class AgentMeters {

    private AgentMeters() {}

    static void cacheRequests(MeterRegistry registry, String tier, LongAdder hits, LongAdder misses) {
        FunctionCounter.builder("suitesync.agent.cache.requests", hits, LongAdder::sum).tags("tier", tier, "result", "hit")
                .description("lookups of the agent's tiers").register(registry);
        FunctionCounter.builder("suitesync.agent.cache.requests", misses, LongAdder::sum).tags("tier", tier, "result", "miss")
                .description("lookups of the agent's tiers").register(registry);
    }
}
