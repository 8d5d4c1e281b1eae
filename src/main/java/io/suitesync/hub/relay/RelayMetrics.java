package io.suitesync.hub.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.relay.TenantBacklog.TenantLag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The relay's figures, in Micrometer (hence Prometheus) and as a snapshot for the admin API:
 * processed rows by outcome, events published, failures, batch processing time, and from the
 * database the backlog (pending) and lag (age of the oldest unprocessed row), in total and for the
 * {@code tenant-metrics-top} most lagging tenants (so the series stay bounded with thousands of tenants).
 */
@Component("relayMetrics")
@ConditionalOnRole("hub")
public class RelayMetrics {

    private final TenantBacklog backlog;
    private final int topTenants;
    private final Counter published;
    private final Counter skipped;
    private final Counter parked;
    private final Counter failed;
    private final Counter events;
    private final Counter batchErrors;
    private final Counter claimErrors;
    private final Counter forcedTrims;
    private final Counter republished;
    private final Timer batchTime;
    private final MeterRegistry registry;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong backloggedTenants = new AtomicLong();
    private final MultiGauge tenantPending;
    private final MultiGauge tenantLag;

    public RelayMetrics(MeterRegistry registry, TenantBacklog backlog, HubProperties config) {
        this.registry = registry;
        this.backlog = backlog;
        this.topTenants = config.relay().tenantMetricsTop();
        this.published = processed(registry, "published");
        this.skipped = processed(registry, "skipped");
        this.parked = processed(registry, "parked");
        this.failed = Counter.builder("suitesync.relay.row.failures").description("row routing failures (retried)")
                .register(registry);
        this.events = Counter.builder("suitesync.relay.events").description("events written to Redis")
                .register(registry);
        this.batchErrors = Counter.builder("suitesync.relay.batch.errors")
                .description("batches that failed (Redis or database unavailable) and will be retried").register(registry);
        this.claimErrors = Counter.builder("suitesync.relay.claim.errors")
                .description("claims (polls of change_queue) that failed and were retried after a backoff").register(registry);
        this.forcedTrims = Counter.builder("suitesync.relay.forced.trims")
                .description("consumer groups found to have lost unread entries to stream trimming (StreamGroupWatch)")
                .register(registry);
        this.republished = Counter.builder("suitesync.relay.republished")
                .description("published changes queued again because Redis lost the data the hub had published")
                .register(registry);
        this.batchTime = Timer.builder("suitesync.relay.batch.time").description("claim-to-mark time of a batch")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("suitesync.relay.pending", pending, AtomicLong::get).description("changes queued for the relay")
                .register(registry);
        Gauge.builder("suitesync.relay.lag.seconds", lagMillis, v -> v.get() / 1000.0)
                .description("age of the oldest queued change").register(registry);
        Gauge.builder("suitesync.relay.tenants.backlogged", backloggedTenants, AtomicLong::get)
                .description("tenants with queued changes").register(registry);
        this.tenantPending = MultiGauge.builder("suitesync.relay.tenant.pending")
                .description("changes queued for the relay, for the most lagging tenants only").register(registry);
        this.tenantLag = MultiGauge.builder("suitesync.relay.tenant.lag.seconds")
                .description("age of the tenant's oldest queued change, for the most lagging tenants only").register(registry);
    }

    private static Counter processed(MeterRegistry registry, String outcome) {
        return Counter.builder("suitesync.relay.processed").tag("outcome", outcome)
                .description("change_log rows processed").register(registry);
    }

    /** Called once a batch's rows are off the queue: counts what the batch did and how long it took. */
    public void recordBatch(RelayBatch batch, long elapsedMillis) {
        published.increment(batch.published().size());
        skipped.increment(batch.skippedIds().size());
        events.increment(batch.events().size());
        batchTime.record(elapsedMillis, TimeUnit.MILLISECONDS);
    }

    /** Called once a batch's failed rows are scheduled for a retry or parked. */
    public void recordFailures(RelayBatch batch) {
        for (RelayBatch.RowFailure f : batch.failures()) {
            (f.park() ? parked : failed).increment();
        }
    }

    public void recordBatchError() {
        batchErrors.increment();
    }

    /** {@code suitesync.relay.claims{lane}}: the lane's claims (polls of change_queue), empty ones included. */
    public Counter claims(String lane) {
        return Counter.builder("suitesync.relay.claims").tag("lane", lane)
                .description("claims (polls of change_queue) the lane made, empty ones included").register(registry);
    }

    public void recordClaimError() {
        claimErrors.increment();
    }

    public void recordForcedTrim() {
        forcedTrims.increment();
    }

    public void recordRepublished(long changes) {
        republished.increment(changes);
    }

    /**
     * Refreshes pending and lag, in total and for the most lagging tenants, from the database (the
     * relay-stats route calls it periodically).
     */
    public void refreshBacklog() {
        // one row at least: it carries the totals
        List<TenantLag> top = backlog.page(Math.max(topTenants, 1), 0);
        pending.set(top.isEmpty() ? 0 : top.get(0).totalPending());
        lagMillis.set(top.isEmpty() ? 0 : Math.round(top.get(0).lagSeconds() * 1000));
        backloggedTenants.set(top.isEmpty() ? 0 : top.get(0).tenants());
        List<TenantLag> shown = top.subList(0, Math.min(topTenants, top.size()));
        tenantPending.register(shown.stream().map(t -> MultiGauge.Row.of(Tags.of("tenant", t.tenantId()), t.pending()))
                .toList(), true);
        tenantLag.register(shown.stream().map(t -> MultiGauge.Row.of(Tags.of("tenant", t.tenantId()), t.lagSeconds()))
                .toList(), true);
    }

    public Map<String, Object> snapshot() {
        refreshBacklog();
        double processedRows = published.count() + skipped.count() + parked.count();
        double attempts = processedRows + failed.count();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("processed", (long) processedRows);
        out.put("published", (long) published.count());
        out.put("skipped", (long) skipped.count());
        out.put("parked", (long) parked.count());
        out.put("eventsPublished", (long) events.count());
        out.put("pending", pending.get());
        out.put("lagSeconds", lagMillis.get() / 1000.0);
        out.put("tenantsWithBacklog", backloggedTenants.get());
        out.put("averageBatchMillis", batchTime.mean(TimeUnit.MILLISECONDS));
        out.put("batches", batchTime.count());
        out.put("batchErrors", (long) batchErrors.count());
        out.put("claimErrors", (long) claimErrors.count());
        out.put("forcedTrims", (long) forcedTrims.count());
        out.put("republished", (long) republished.count());
        out.put("errorRate", attempts == 0 ? 0.0 : (failed.count() + parked.count()) / attempts);
        return out;
    }
}
