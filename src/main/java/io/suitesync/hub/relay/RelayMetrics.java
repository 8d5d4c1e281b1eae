package io.suitesync.hub.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.suitesync.common.ConditionalOnRole;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The relay's figures, in Micrometer (hence Prometheus) and as a snapshot for the admin API:
 * processed rows by outcome, events published, failures, batch processing time, and from the
 * database the backlog (pending) and lag (age of the oldest unprocessed row).
 */
@Component("relayMetrics")
@ConditionalOnRole("hub")
public class RelayMetrics {

    private final JdbcTemplate jdbc;
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
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();

    public RelayMetrics(MeterRegistry registry, JdbcTemplate jdbc) {
        this.jdbc = jdbc;
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
    }

    private static Counter processed(MeterRegistry registry, String outcome) {
        return Counter.builder("suitesync.relay.processed").tag("outcome", outcome)
                .description("change_log rows processed").register(registry);
    }

    /** Called once a batch's rows are off the queue: counts what the batch did and how long it took. */
    public void recordBatch(RelayBatch batch, Exchange exchange) {
        published.increment(batch.published().size());
        skipped.increment(batch.skippedIds().size());
        events.increment(batch.events().size());
        batchTime.record(exchange.getClock().elapsed(), TimeUnit.MILLISECONDS);
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

    public void recordClaimError() {
        claimErrors.increment();
    }

    public void recordForcedTrim() {
        forcedTrims.increment();
    }

    public void recordRepublished(long changes) {
        republished.increment(changes);
    }

    /** Refreshes pending and lag from the database (the relay-stats route calls it periodically). */
    public void refreshBacklog() {
        // the lowest queued id is the oldest change (ids follow capture order closely enough for a gauge)
        jdbc.query("SELECT (SELECT count(*) FROM change_queue) AS pending, "
                        + "COALESCE(EXTRACT(EPOCH FROM (clock_timestamp() - (SELECT changed_at FROM change_log "
                        + "WHERE id = (SELECT min(change_id) FROM change_queue)))) * 1000, 0) AS lag",
                rs -> {
                    pending.set(rs.getLong("pending"));
                    lagMillis.set(rs.getLong("lag"));
                });
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
