package io.suitesync.hub.relay;

import java.time.Instant;

/**
 * One row of the relay's claim query as it comes off the wire: the JSON columns still as text,
 * parsed by {@link ChangeRelay} (a row whose JSON cannot be read fails alone, not its batch).
 */
public record ClaimedChange(
        long id,
        String tenantId,
        String table,
        String recordId,
        String operation,
        String changedFields,
        String oldValues,
        String newValues,
        String context,
        String priority,
        Instant changedAt,
        int attempts,
        String enabledApps) {

    /** The record's identity for per-record ordering. */
    public String recordKey() {
        return table + "/" + recordId;
    }
}
