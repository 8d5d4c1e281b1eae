package io.suitesync.hub.backfill;

import java.time.Instant;
import java.util.List;

/** What a job sends: the kinds, in order, and optionally only records since a date. */
public record BackfillOptions(List<BackfillKind> kinds, Instant since) {

    public static BackfillOptions everything() {
        return new BackfillOptions(List.of(BackfillKind.values()), null);
    }
}
