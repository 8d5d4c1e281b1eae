package io.suitesync.hub.backfill;

import java.time.Instant;
import java.util.List;

/** One keyset page read in one snapshot; {@code appEnabled} as of that snapshot. */
public record SnapshotBatch(boolean appEnabled, Instant snapshotAt, List<SnapshotRow> rows) {

    public String lastId() {
        return rows.isEmpty() ? null : rows.get(rows.size() - 1).id();
    }
}
