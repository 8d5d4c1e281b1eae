package io.suitesync.hub.relay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The relay's two lanes and which of them a tenant's normal-priority changes are in flight in.
 *
 * <p>The <b>bulk</b> lane drains tenants with a backlog ({@code bulk-threshold} queued changes or
 * more) in whole batches; the <b>live</b> lane takes every high-priority change and the changes of
 * the other tenants in small batches, with its own claim and its own publisher. So a quiet tenant's
 * change never waits behind a 2,000-row batch of another tenant, and the backlog drains at full
 * speed beside it. Each lane publishes its batches in claim order, as one lane did.
 *
 * <p>Order across the lanes: a tenant's normal changes are in flight in at most one lane at a time
 * ({@link #reserve}), so a tenant moving between lanes (its backlog grew or drained) keeps its
 * order, and with it every record's. High-priority changes are claimed by the live lane only, and a
 * table's changes are all of one priority, so no record is in both lanes. The two claims run at the
 * same time on their own threads, so a claim cannot know what the other lane claims meanwhile: a
 * claim skips the tenants the other lane holds ({@link #excludedTenants}), and when its rows are
 * routed, the rows of a tenant that the other lane took since this claim began are dropped unrouted
 * (they stay queued; the next claim of whichever lane holds the tenant takes them in order).
 */
public final class RelayLanes {

    /** The two lanes. */
    public enum Lane {
        BULK, LIVE;

        Lane other() {
            return this == BULK ? LIVE : BULK;
        }
    }

    /** Per lane: tenant → batches of that lane holding the tenant. */
    private final Map<Lane, Map<String, Integer>> held = new EnumMap<>(Lane.class);
    /** Tenant → sequence number of the last reservation per lane (index: ordinal). */
    private final Map<String, long[]> lastReserved = new HashMap<>();
    /** Per lane: the sequence number when its current claim began. */
    private final long[] claimStarted = new long[Lane.values().length];
    private final Map<Lane, DeliveryProtocol> protocols = new EnumMap<>(Lane.class);
    private long sequence;

    public RelayLanes() {
        for (Lane lane : Lane.values()) {
            held.put(lane, new HashMap<>());
        }
    }

    /**
     * A claim of {@code lane} begins: returns the tenants it must skip (those the other lane holds),
     * as a PostgreSQL array literal, and remembers when it began.
     */
    public synchronized String excludedTenants(Lane lane) {
        claimStarted[lane.ordinal()] = sequence;
        return held.get(lane.other()).keySet().stream()
                .map(RelayLanes::arrayElement)
                .collect(Collectors.joining(",", "{", "}"));
    }

    /**
     * Reserves the tenants of a claim's normal-priority rows for {@code lane}, dropping the rows of a
     * tenant the other lane holds now or took since the claim began; high-priority rows are kept (only
     * the live lane claims them). Returns the rows kept, in claim order, and the hold to release
     * once the batch is done ({@link Hold#release}).
     */
    public synchronized Reservation reserve(Lane lane, List<ClaimedChange> rows) {
        Map<String, Integer> other = held.get(lane.other());
        long began = claimStarted[lane.ordinal()];
        Set<String> tenants = new HashSet<>();
        Set<String> refused = new HashSet<>();
        List<ClaimedChange> kept = new ArrayList<>(rows.size());
        for (ClaimedChange row : rows) {
            if ("high".equals(row.priority())) {
                kept.add(row);
                continue;
            }
            String tenant = row.tenantId();
            if (!tenants.contains(tenant) && (refused.contains(tenant) || other.containsKey(tenant)
                    || lastReserved.getOrDefault(tenant, NEVER)[lane.other().ordinal()] > began)) {
                refused.add(tenant);
                continue;
            }
            tenants.add(tenant);
            kept.add(row);
        }
        long stamp = ++sequence;
        Map<String, Integer> mine = held.get(lane);
        for (String tenant : tenants) {
            mine.merge(tenant, 1, Integer::sum);
            lastReserved.computeIfAbsent(tenant, t -> new long[Lane.values().length])[lane.ordinal()] = stamp;
        }
        return new Reservation(kept, new Hold(lane, tenants), refused.size());
    }

    private synchronized void release(Lane lane, Set<String> tenants) {
        Map<String, Integer> mine = held.get(lane);
        for (String tenant : tenants) {
            mine.computeIfPresent(tenant, (t, n) -> n == 1 ? null : n - 1);
        }
        // a reservation older than both lanes' current claims decides nothing any more
        long oldest = Math.min(claimStarted[0], claimStarted[1]);
        if (lastReserved.size() > 10_000) {
            lastReserved.values().removeIf(stamps -> stamps[0] <= oldest && stamps[1] <= oldest);
        }
    }

    /** The tenants {@code lane} holds now (for the admin API and tests). */
    public synchronized Set<String> held(Lane lane) {
        return Set.copyOf(held.get(lane).keySet());
    }

    void register(Lane lane, DeliveryProtocol protocol) {
        protocols.put(lane, protocol);
    }

    /** The lanes' protocols, bulk first. */
    public List<DeliveryProtocol> protocols() {
        return List.copyOf(protocols.values());
    }

    /**
     * The relay's dead-letter route: a batch failed after its redeliveries; its lane abandons it
     * ({@link DeliveryProtocol#abandon}). {@code batch} is the one the publish steps kept (null when
     * the exchange failed before them), else the exchange's original body counts. Any other body (a
     * claim that failed before routing) had nothing in flight and is only counted.
     */
    public void abandon(Object batch, Object originalBody) {
        Object body = batch instanceof RelayBatch ? batch : originalBody;
        Lane lane = body instanceof RelayBatch kept && kept.hold() != null ? kept.hold().lane() : Lane.BULK;
        DeliveryProtocol protocol = protocols.get(lane);
        if (protocol != null) {
            protocol.abandon(body);
        }
    }

    /**
     * Queues every published change again (Redis lost them) and makes every batch of either lane
     * admitted but not yet published stale; returns how many.
     */
    public int requeuePublished() {
        List<DeliveryProtocol> all = protocols();
        // first what waits for a lane's next claim to leave the queue: deleted after the requeue, it would
        // not be published again
        all.forEach(protocol -> protocol.flushAcknowledgements(false));
        int queued = all.get(0).requeuePublished();
        all.stream().skip(1).forEach(DeliveryProtocol::invalidate);
        return queued;
    }

    private static final long[] NEVER = new long[Lane.values().length];

    private static String arrayElement(String tenant) {
        return '"' + tenant.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** What a claim keeps after {@link #reserve}. */
    public record Reservation(List<ClaimedChange> rows, Hold hold, int tenantsDropped) {}

    /** The tenants one batch holds in its lane until {@link #release}d (once; later calls do nothing). */
    public final class Hold {

        private final Lane lane;
        private final Set<String> tenants;
        private final AtomicBoolean released = new AtomicBoolean();

        Hold(Lane lane, Set<String> tenants) {
            this.lane = lane;
            this.tenants = tenants;
        }

        public Lane lane() {
            return lane;
        }

        /** The tenants held: those of the batch's normal-priority rows. */
        public Set<String> tenants() {
            return Collections.unmodifiableSet(tenants);
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                RelayLanes.this.release(lane, tenants);
            }
        }
    }
}
