package io.suitesync.hub.relay;

import java.util.List;

/**
 * Where the fair claim (sql/relay/claim.sql) goes on: it serves at most {@code fair-window} tenants
 * with queued changes per claim, those after {@link #cursor} first and then from the start, so
 * when more tenants than that have a backlog every one of them still gets its turn. Part of
 * {@link DeliveryProtocol}; claims run one at a time on the relay poller's thread.
 */
public class RelayTenantTurns {

    private volatile String cursor = "";

    /** The last tenant the previous claim served. */
    public String cursor() {
        return cursor;
    }

    /**
     * Moves the cursor to the last tenant this claim served in the claim's order: the greatest tenant
     * at or before the old cursor when the claim wrapped around to the start, else the greatest after it.
     */
    public void served(List<ClaimedChange> rows) {
        String previous = cursor;
        String afterCursor = null;
        String wrapped = null;
        for (ClaimedChange row : rows) {
            String tenant = row.tenantId();
            if (tenant.compareTo(previous) > 0) {
                afterCursor = max(afterCursor, tenant);
            } else {
                wrapped = max(wrapped, tenant);
            }
        }
        if (wrapped != null) {
            cursor = wrapped;
        } else if (afterCursor != null) {
            cursor = afterCursor;
        }
    }

    private static String max(String a, String b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }
}
