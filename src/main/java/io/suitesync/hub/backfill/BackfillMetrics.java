package io.suitesync.hub.backfill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.common.ConditionalOnRole;
import java.util.Collection;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Historical backfill in Micrometer (hence Prometheus): events published, jobs ended by outcome, jobs running here. */
@Component
@ConditionalOnRole("hub")
public class BackfillMetrics {

    private final MeterRegistry registry;
    private final Counter events;
    private final Map<String, Counter> jobs;

    public BackfillMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.events = Counter.builder("suitesync.backfill.events").description("events published by backfills")
                .register(registry);
        this.jobs = Map.of("COMPLETED", ended(registry, "completed"), "FAILED", ended(registry, "failed"),
                "CANCELLED", ended(registry, "cancelled"));
    }

    private static Counter ended(MeterRegistry registry, String outcome) {
        return Counter.builder("suitesync.backfill.jobs").tag("outcome", outcome).description("backfill jobs ended")
                .register(registry);
    }

    /** The gauge of jobs running in this process, read from the runner's own set. */
    void running(Collection<String> runningJobs) {
        Gauge.builder("suitesync.backfill.running", runningJobs, Collection::size)
                .description("backfill jobs running in this process").register(registry);
    }

    void published(int count) {
        events.increment(count);
    }

    /** A job ended in the given state (COMPLETED, FAILED or CANCELLED). */
    void ended(String state) {
        jobs.get(state).increment();
    }
}
