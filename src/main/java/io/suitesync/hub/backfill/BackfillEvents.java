package io.suitesync.hub.backfill;

import io.suitesync.common.OutboundEvent;
import io.suitesync.common.SyncEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties.Tier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns snapshot rows into events of the contract (docs/event.schema.json): {@code operation}
 * SNAPSHOT, {@code metadata.isHistoricalSync} true, the job id, stream only (not live pub/sub).
 * The data has the shape of a live event's: the id, the context values, all of them named in
 * {@code changedFields}, and for critical data the same values as {@code newValue}.
 */
public final class BackfillEvents {

    private BackfillEvents() {}

    /** Same job + record + application → same id, so a resumed job's repeated batch de-duplicates. */
    public static String eventId(String jobId, String table, String recordId, String application) {
        return UUID.nameUUIDFromBytes(("backfill:" + jobId + ":" + table + ":" + recordId + ":" + application)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static List<OutboundEvent> toEvents(String jobId, String tenantId, String application, BackfillKind kind,
                                               Table rule, Instant snapshotAt, List<SnapshotRow> rows) {
        String eventType = rule.eventType("INSERT");
        String timestamp = snapshotAt.toString();
        List<OutboundEvent> events = new ArrayList<>(rows.size());
        for (SnapshotRow row : rows) {
            SyncEvent event = new SyncEvent(
                    eventId(jobId, kind.table(), row.id(), application),
                    eventType,
                    tenantId,
                    application,
                    rule.entity(),
                    row.id(),
                    "SNAPSHOT",
                    row.version(),
                    timestamp,
                    data(row, rule),
                    metadata(jobId, tenantId, application, kind, row));
            events.add(new OutboundEvent(event, rule.dataType(), false));
        }
        return events;
    }

    static Map<String, Object> data(SnapshotRow row, Table rule) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", row.id());
        data.putAll(row.context());
        data.put("changedFields", List.copyOf(row.context().keySet()));
        if (rule.tier() == Tier.CRITICAL) {
            data.put("newValue", row.context());
        }
        return data;
    }

    private static Map<String, Object> metadata(String jobId, String tenantId, String application, BackfillKind kind,
                                                SnapshotRow row) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("isHistoricalSync", true);
        metadata.put("jobId", jobId);
        metadata.put("table", kind.table());
        metadata.put(kind.originalTimeKey(), row.originalAt().toString());
        if (kind == BackfillKind.CREDITS) {
            metadata.put("allocationId", row.id());
            metadata.put("targetApplication", application);
        }
        return metadata;
    }
}
