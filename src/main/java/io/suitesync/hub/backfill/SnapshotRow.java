package io.suitesync.hub.backfill;

import java.time.Instant;
import java.util.Map;

/**
 * One record as a backfill snapshot saw it.
 *
 * @param context    the table's context columns (suitesync.hub.tables.*.context-columns), all of
 *                   them, in that order, keyed in camelCase, valued as the capture trigger renders
 *                   them, so backfill and live events carry identical values
 * @param version    newest change_log id of the record visible in the snapshot, 0 when none
 * @param originalAt when the record came to be (allocated_at / created_at)
 */
public record SnapshotRow(String id, Map<String, Object> context, long version, Instant originalAt) {}
