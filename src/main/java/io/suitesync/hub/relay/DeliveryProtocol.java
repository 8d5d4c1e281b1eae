package io.suitesync.hub.relay;

import io.suitesync.common.OutboundEvent;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.relay.RelayBatch.RowFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's delivery protocol, one instance per lane ({@link RelayLanes}: bulk and live): how a
 * queued change gets from change_queue into Redis and off the queue, and what happens when it cannot.
 * Every rule that spans the steps lives here; the routes ({@code routes/hub/change-log-relay.camel.yaml})
 * call the steps in this order and decide nothing:
 * <ol>
 *   <li><b>claim</b> ({@code sql/relay/claim.sql} for the bulk lane, {@code claim-live.sql} for the
 *       live one; the lane's camel-sql consumer, on the leader only, {@link RelayLeadership}): the
 *       lane's tenants in turn from {@link #tenantCursor} (the live lane takes high-priority tables
 *       first); never a row in flight in the lane ({@link #claimExclusions}), nor a tenant the other
 *       lane holds ({@link #tenantExclusions}), nor a row that waits for a retry, nor a later change
 *       of its record;</li>
 *   <li>{@link #route}: first the rows of a tenant the other lane took meanwhile are left queued
 *       ({@link RelayLanes#reserve}); one event per target application; a row that cannot be routed
 *       fails alone, and the later rows of its record in the batch are held back (they stay queued);</li>
 *   <li>{@link #retryOrPark}: a failed row is retried after a backoff that doubles from
 *       {@code retry-backoff}, and parked in the dead letter table after {@code max-attempts};</li>
 *   <li>{@link #admit}: the batch is in flight; the next claim may run while it is published;</li>
 *   <li>publish ({@code redisEventPublisher.publishEach}), then {@link #afterPublish}: a row whose event
 *       Redis refused fails like an unroutable one, and batches claimed meanwhile become stale;</li>
 *   <li>{@link #acknowledge}: only now do the batch's rows leave the queue (at-least-once); on the live
 *       lane a batch published on the claim's own thread leaves it with the lane's next claim
 *       ({@link #acknowledgedIds}, or {@link #flushAcknowledgements} when none comes in
 *       {@value #ACKNOWLEDGEMENT_WAIT_MILLIS} ms), before any later batch is published.</li>
 * </ol>
 * When a batch fails as a whole after its redeliveries (Redis or PostgreSQL down), {@link #abandon}
 * leaves its rows queued and makes every batch claimed while it was in flight stale; a stale batch is
 * {@link #discard}ed unpublished, so nothing overtakes a failed change of its record. When Redis lost
 * what was published, {@link #requeuePublished} queues it again below everything in flight.
 *
 * <p>A lane's claims run one at a time on its poller's thread; its publishing runs on its publish
 * route's single consumer, in claim order. The SQL is {@link RelayLedger}'s, the bookkeeping of
 * batches in flight {@link RelayInFlight}'s, the tenant cursor {@link RelayTenantTurns}', which lane
 * holds a tenant {@link RelayLanes}'. A batch's tenants stay held until it is acknowledged,
 * discarded, abandoned, or ends without anything to publish ({@link #retryOrPark}).
 */
public class DeliveryProtocol {

    private static final Logger log = LoggerFactory.getLogger(DeliveryProtocol.class);
    /**
     * How long a published live batch's acknowledgement waits for the lane's next claim before it goes
     * out alone: live changes a few milliseconds apart share their round trips, a last one is off the
     * queue soon after.
     */
    static final long ACKNOWLEDGEMENT_WAIT_MILLIS = 20;

    private final ChangeRouter router;
    private final RelayLedger ledger;
    private final RelayMetrics metrics;
    private final int maxAttempts;
    private final long retryBackoffMillis;
    private final RelayInFlight inFlight = new RelayInFlight();
    private final RelayTenantTurns turns;
    private final RelayLanes lanes;
    private final RelayLanes.Lane lane;
    private final int fairWindow;
    /** Whether the claim being made began with rows of this lane in flight (they were skipped). */
    private volatile boolean claimSkippedRowsInFlight;
    /** Whether the last claim that took rows may have left claimable ones queued ({@link #moreMayBeWaiting}). */
    private volatile boolean moreMayBeWaiting;
    private final boolean acknowledgeWithNextClaim;
    /**
     * Batches published on the claim's own thread whose acknowledgement waits for the lane's next claim
     * (the live lane's {@code claim-live.sql} deletes them; {@link #acknowledge}); guarded by {@code this}.
     */
    private final List<Acknowledgement> pending = new ArrayList<>();
    /** Acknowledgements the claim being made carries; done when it returns ({@link #claimReturned}). */
    private final List<Acknowledgement> carried = new ArrayList<>();
    /** When the oldest of {@link #pending} was published (nanoTime). */
    private long pendingSince;
    /** The thread the lane's claims run on (the lane's scheduler), seen at its last claim. */
    private volatile Thread claimThread;

    /**
     * A live lane on its own (tests): every change is its to claim, in batches of {@code batch-size};
     * {@code acknowledgeWithNextClaim} as for {@link #DeliveryProtocol(ChangeRouter, RelayLedger, RelayMetrics,
     * HubProperties, RelayLanes, RelayLanes.Lane, int, boolean)}.
     */
    public DeliveryProtocol(ChangeRouter router, RelayLedger ledger, RelayMetrics metrics, HubProperties config,
            boolean acknowledgeWithNextClaim) {
        this(router, ledger, metrics, config, new RelayLanes(), RelayLanes.Lane.LIVE, config.relay().batchSize(),
                acknowledgeWithNextClaim);
    }

    /**
     * One lane of the relay: its claims take at most {@code batchSize} rows; the lanes share
     * {@code lanes}, which keeps a tenant's normal changes in one lane at a time. With
     * {@code acknowledgeWithNextClaim} (the live lane: claim-live.sql deletes {@link #acknowledgedIds}) a
     * batch published on the claim's own thread is acknowledged by the lane's next claim, not by a
     * statement of its own ({@link #acknowledge}).
     */
    public DeliveryProtocol(ChangeRouter router, RelayLedger ledger, RelayMetrics metrics, HubProperties config,
            RelayLanes lanes, RelayLanes.Lane lane, int batchSize, boolean acknowledgeWithNextClaim) {
        this.acknowledgeWithNextClaim = acknowledgeWithNextClaim;
        this.turns = new RelayTenantTurns(batchSize);
        this.router = router;
        this.ledger = ledger;
        this.metrics = metrics;
        this.maxAttempts = config.relay().maxAttempts();
        this.retryBackoffMillis = config.relay().retryBackoff().toMillis();
        this.lanes = lanes;
        this.lane = lane;
        this.fairWindow = config.relay().fairWindow();
        lanes.register(lane, this);
    }

    /** The ids the next claim must skip, as a PostgreSQL array literal (claim.sql's {@code claimExclusions}). */
    public String claimExclusions() {
        claimThread = Thread.currentThread();
        String ids = inFlight.claimExclusions();
        claimSkippedRowsInFlight = inFlight.claimSkippedUnpublished();
        return ids;
    }

    /**
     * The rows the claim being made acknowledges ({@code claim-live.sql} deletes them from the queue, with
     * their retries): those of every batch {@link #acknowledge} left for it, and of those an earlier claim
     * carried without returning (deleting a row twice does nothing). A PostgreSQL array literal. The claim
     * asks for it before {@link #acknowledgedSkippedIds} and {@link #claimExclusions}.
     */
    public synchronized String acknowledgedIds() {
        if (carried.isEmpty() && pending.isEmpty()) {
            return "{}";
        }
        carried.addAll(pending);
        pending.clear();
        return RelayLedger.arrayLiteral(carried.stream().flatMap(a -> a.outcome().publishedIds().stream()),
                carried.stream().flatMap(a -> a.outcome().skippedIds().stream()));
    }

    /** Of {@link #acknowledgedIds}, the rows that routed nowhere: the claim marks them SKIPPED. */
    public synchronized String acknowledgedSkippedIds() {
        return RelayLedger.arrayLiteral(carried.stream().flatMap(a -> a.outcome().skippedIds().stream()), Stream.empty());
    }

    /**
     * The lane's claim returned (it routes its rows, or found none): the acknowledgements it carried are
     * done, their batches no longer in flight and their tenants no longer held; returns those tenants.
     * Called again for the same claim, it does nothing.
     */
    public Set<String> claimReturned() {
        List<Acknowledgement> done;
        synchronized (this) {
            if (carried.isEmpty()) {
                return Set.of();
            }
            done = List.copyOf(carried);
            carried.clear();
        }
        Set<String> tenants = new HashSet<>();
        for (Acknowledgement acknowledgement : done) {
            if (acknowledgement.admitted().hold() != null) {
                tenants.addAll(acknowledgement.admitted().hold().tenants());
            }
            acknowledged(acknowledgement);
        }
        return tenants;
    }

    /**
     * How long the oldest acknowledgement left for the next claim may still wait for one, in milliseconds
     * (0: now; -1: none waits). Past it the lane's scheduler calls {@link #flushAcknowledgements}.
     */
    public synchronized long acknowledgementDueInMillis() {
        if (pending.isEmpty()) {
            return -1;
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pendingSince);
        return Math.max(0, ACKNOWLEDGEMENT_WAIT_MILLIS - waited);
    }

    /**
     * Acknowledges in a statement of its own what waits for the lane's next claim: no claim came in time
     * (traffic stopped), the lane stops, or published changes are queued again. With {@code andCarried},
     * also what a claim carried without returning (only when no claim of the lane can be running). Throws
     * when PostgreSQL refuses; then they wait for the next claim or flush.
     */
    public void flushAcknowledgements(boolean andCarried) {
        List<Acknowledgement> flushed;
        synchronized (this) {
            flushed = new ArrayList<>(pending);
            if (andCarried) {
                flushed.addAll(carried);
            }
            if (flushed.isEmpty()) {
                return;
            }
        }
        ledger.acknowledge(flushed.stream().flatMap(a -> a.outcome().publishedIds().stream()).toList(),
                flushed.stream().flatMap(a -> a.outcome().skippedIds().stream()).toList());
        synchronized (this) {
            pending.removeAll(flushed);
            carried.removeAll(flushed);
        }
        // ledger.acknowledge counted them
        flushed.forEach(this::released);
    }

    /** The tenants the next claim must skip: the other lane holds them (a PostgreSQL array literal). */
    public String tenantExclusions() {
        return lanes.excludedTenants(lane);
    }

    /** Rows a claim of this lane takes at most (the claim's {@code batchSize}). */
    public int batchSize() {
        return turns.batchSize();
    }

    /**
     * Whether the routed batch is a full claim of the lane's ({@link #batchSize} rows): a backlog, whose next
     * batch is claimed while this one is published. A method, not {@code ${body.claimed} >= ${bean:…}} in the
     * route: the simple language built a bean expression for that at every batch (about 8 % of the live
     * lane's thread, profiled).
     */
    public boolean fullBatch(RelayBatch batch) {
        return batch.claimed() >= batchSize();
    }

    /** The last tenant the previous claim served (claim.sql's {@code tenantCursor}). */
    public String tenantCursor() {
        return turns.cursor();
    }

    /**
     * Routes a claim's rows, in claim order: each row's events, or the row skipped (it routes
     * nowhere), or failed; a row behind a failed row of its record is held back.
     */
    public RelayBatch route(List<ClaimedChange> claimedRows) {
        // the claim returned: what it acknowledged is off the queue. Its tenants' walk may have returned
        // them for those rows alone (the claim skipped them), so they count as walked
        Set<String> acknowledgedTenants = claimReturned();
        turns.served(claimedRows);
        moreMayBeWaiting = mayHaveLeftMore(claimedRows, batchSize(), fairWindow, claimSkippedRowsInFlight,
                acknowledgedTenants);
        long routedAt = System.nanoTime();
        RelayLanes.Reservation reservation = lanes.reserve(lane, claimedRows);
        try {
            return route(reservation.rows(), reservation.hold(), routedAt);
        } catch (RuntimeException | Error e) {
            reservation.hold().release();
            throw e;
        }
    }

    private RelayBatch route(List<ClaimedChange> rows, RelayLanes.Hold hold, long routedAt) {
        List<OutboundEvent> events = new ArrayList<>(rows.size());
        List<ClaimedChange> published = new ArrayList<>(rows.size());
        List<Long> skipped = new ArrayList<>();
        List<RowFailure> failures = new ArrayList<>();
        Set<String> blockedRecords = new HashSet<>();
        Map<String, Set<String>> enabledApps = new HashMap<>();
        int heldBack = 0;
        for (ClaimedChange row : rows) {
            String recordKey = row.recordKey();
            if (blockedRecords.contains(recordKey)) {
                heldBack++;
                continue;
            }
            try {
                List<OutboundEvent> rowEvents = router.eventsFor(row, enabledApps);
                if (rowEvents.isEmpty()) {
                    skipped.add(row.id());
                } else {
                    events.addAll(rowEvents);
                    published.add(row);
                }
            } catch (RuntimeException e) {
                blockedRecords.add(recordKey);
                failures.add(failure(row, e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return new RelayBatch(events, published, skipped, failures, heldBack, -1, routedAt, hold);
    }

    /**
     * Whether the last claim that took rows may have left claimable rows queued, so the lane claims again at
     * once instead of waiting for the next NOTIFY ({@link RelayWakeupScheduler}). A claim that took fewer
     * rows than its batch, from fewer tenants than {@code fair-window}, skipping nothing in flight, and
     * whose batch was published and acknowledged took everything it could see: the claim after it would find
     * only what committed since, and every such commit sends a NOTIFY. So a live change costs one claim,
     * not a second, empty one.
     */
    public boolean moreMayBeWaiting() {
        return moreMayBeWaiting;
    }

    /** The rule of {@link #moreMayBeWaiting} for one claim's rows. */
    static boolean mayHaveLeftMore(List<ClaimedChange> rows, int batchSize, int fairWindow, boolean skippedRowsInFlight,
                                   Set<String> acknowledgedTenants) {
        if (skippedRowsInFlight || rows.size() >= batchSize) {
            return true;
        }
        // the claim walks at most fair-window tenants: as many served (or walked for the rows it acknowledged)
        // means the walk may have stopped early
        return Stream.concat(acknowledgedTenants.stream(),
                        rows.stream().filter(row -> !"high".equals(row.priority())).map(ClaimedChange::tenantId))
                .distinct().count() >= fairWindow;
    }

    /** Schedules the retry of each failed row of the batch, or parks it once it used its attempts. */
    public void retryOrPark(RelayBatch batch) {
        ledger.retryOrPark(batch.failures());
        metrics.recordFailures(batch);
        if (!batch.hasDoneRows()) {
            // nothing to publish: the batch ends here
            batch.releaseHold();
        }
    }

    /** The batch is in flight from now on (later claims skip its rows); returns it stamped. */
    public RelayBatch admit(RelayBatch batch) {
        return inFlight.admit(batch);
    }

    /**
     * Whether the admitted batch is all the lane has in flight: no earlier batch of the lane is waiting
     * for or being published, so publishing it at once, on the claim's own thread, keeps claim order.
     */
    public boolean aloneInFlight(RelayBatch admitted) {
        return inFlight.alone(admitted);
    }

    /** False when a batch that was in flight at this batch's claim has failed since: discard it. */
    public boolean isCurrent(RelayBatch batch) {
        return inFlight.isCurrent(batch);
    }

    /**
     * The batch as Redis took it, given the events Redis refused one by one (by index, with its
     * error; {@link io.suitesync.common.RedisEventPublisher#publishEach}): a row with a refused event
     * fails like a row that cannot be routed (retried, then parked; recorded here), the later rows of
     * its record in this batch stay queued behind it, and batches claimed while this one was in
     * flight become stale, since they may hold later changes of those records. Returns what is done:
     * the rows to acknowledge and their events; its failures are the refused rows alone.
     */
    public RelayBatch afterPublish(RelayBatch batch, Map<Integer, String> refused) {
        if (refused.isEmpty()) {
            return new RelayBatch(batch.events(), batch.published(), batch.skippedIds(), List.of(), 0,
                    batch.generation(), batch.routedAtNanos(), batch.hold());
        }
        // a relay event's version is its change id (ChangeEvents.toEvent)
        Map<Long, String> errors = new HashMap<>();
        refused.forEach((index, error) -> errors.putIfAbsent(batch.events().get(index).event().version(),
                "Redis refused the event: " + error));
        List<ClaimedChange> done = new ArrayList<>(batch.published().size());
        List<RowFailure> failures = new ArrayList<>();
        Set<String> blockedRecords = new HashSet<>();
        Set<Long> doneIds = new HashSet<>();
        int heldBack = 0;
        for (ClaimedChange row : batch.published()) {
            String error = errors.get(row.id());
            String recordKey = row.recordKey();
            if (error != null) {
                failures.add(failure(row, error));
                blockedRecords.add(recordKey);
            } else if (blockedRecords.contains(recordKey)) {
                heldBack++;
            } else {
                done.add(row);
                doneIds.add(row.id());
            }
        }
        List<OutboundEvent> events = batch.events().stream().filter(e -> doneIds.contains(e.event().version())).toList();
        RelayBatch outcome = new RelayBatch(events, done, batch.skippedIds(), failures, heldBack, batch.generation(),
                batch.routedAtNanos(), batch.hold());
        ledger.retryOrPark(outcome.failures());
        metrics.recordFailures(outcome);
        inFlight.refused(outcome);
        moreMayBeWaiting = true; // rows held back behind a refused one stay queued
        return outcome;
    }

    /**
     * Redis has the outcome's events: its rows leave the queue, and the admitted batch is no longer
     * in flight.
     */
    public void acknowledge(RelayBatch admitted, RelayBatch outcome) {
        metrics.recordBatch(outcome, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outcome.routedAtNanos()));
        if (acknowledgeWithNextClaim && outcome.failures().isEmpty() && Thread.currentThread() == claimThread) {
            // published on the claim's own thread (nothing else of the lane was in flight): the lane's next
            // claim, on this thread, deletes its rows before it takes any other, so no batch is published
            // before the acknowledgements of those published earlier have committed, as with a statement
            // of its own. One round trip per live change instead of two. Meanwhile its rows stay skipped
            // by claims and its tenants held; a crash republishes it (at-least-once, as between publish and
            // acknowledgement).
            inFlight.awaitAcknowledgement(admitted);
            synchronized (this) {
                if (pending.isEmpty()) {
                    pendingSince = System.nanoTime();
                }
                pending.add(new Acknowledgement(admitted, outcome));
            }
            return;
        }
        ledger.acknowledge(outcome.publishedIds(), outcome.skippedIds());
        inFlight.release(admitted);
        admitted.releaseHold();
    }

    /** A claim took its rows off the queue: counted, and the batch is no longer in flight. */
    private void acknowledged(Acknowledgement done) {
        ledger.acknowledgedElsewhere(done.outcome().published().size() + done.outcome().skippedIds().size());
        released(done);
    }

    /** Its rows are off the queue: the batch is no longer in flight, its tenants no longer held. */
    private void released(Acknowledgement done) {
        inFlight.release(done.admitted());
        done.admitted().releaseHold();
    }

    /** A published batch and what Redis took of it, waiting for its acknowledgement. */
    private record Acknowledgement(RelayBatch admitted, RelayBatch outcome) {}

    /** A batch claimed before an earlier one failed: dropped unpublished, its rows stay queued. */
    public void discard(RelayBatch batch) {
        inFlight.discard(batch);
        batch.releaseHold();
        moreMayBeWaiting = true;
    }

    /**
     * A batch failed after its redeliveries (the relay's dead-letter route, with the exchange's
     * original body): counted; when it was a routed batch, its rows stay queued and batches claimed
     * while it was in flight become stale. Any other body (a claim that failed before routing) had
     * nothing in flight.
     */
    public void abandon(Object body) {
        metrics.recordBatchError();
        inFlight.abandon(body);
        if (body instanceof RelayBatch batch) {
            batch.releaseHold();
        }
        moreMayBeWaiting = true;
    }

    /**
     * Queues every published change again (Redis lost them) and makes every batch admitted but not
     * yet published stale, so the older changes are claimed before them; returns how many.
     */
    public int requeuePublished() {
        // published rows whose acknowledgement waits would be taken off the queue after this queued them
        // again, and not published again
        flushAcknowledgements(false);
        int queued = ledger.requeuePublished();
        inFlight.invalidate();
        return queued;
    }

    /** Makes every batch admitted but not yet published stale (the other lane requeued published changes). */
    public void invalidate() {
        inFlight.invalidate();
    }

    /** Rows claimed and not yet acknowledged or dropped. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Batches dropped unpublished because an earlier batch failed (since start). */
    public long droppedBatches() {
        return inFlight.droppedBatches();
    }

    private RowFailure failure(ClaimedChange row, String error) {
        int attempts = row.attempts() + 1;
        boolean park = attempts >= maxAttempts;
        long delay = retryBackoffMillis << Math.min(attempts - 1, 16);
        log.warn("change {} failed (attempt {}/{}){}: {}", row.id(), attempts, maxAttempts,
                park ? ", parking it" : "", error);
        return new RowFailure(row.id(), row.tenantId(), row.table(), row.recordId(), attempts, error, park, delay);
    }
}
