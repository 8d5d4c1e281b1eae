package io.suitesync.hub.backfill;

import io.suitesync.common.EventFormat;
import io.suitesync.common.NameUuid;
import io.suitesync.common.OutboundEvent;
import io.suitesync.common.SyncEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties.Tier;
import io.suitesync.hub.relay.ChangeEvents;
import io.suitesync.hub.relay.SeedEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns snapshot rows into events of the contract (docs/event.schema.json): {@code operation}
 * SNAPSHOT, {@code metadata.isHistoricalSync} true, the job id, stream only (not live pub/sub).
 * The data has the shape of a live event's of the application's format: in SuiteSync's, the id, the
 * context values, all of them named in {@code changedFields}, and for critical data the same values as
 * {@code newValue}; in the seed format, {@link SeedEvents#shape} of the record's values.
 */
public final class BackfillEvents {

    private BackfillEvents() {}

    /** Same job + record + application → same id, so a resumed job's repeated batch de-duplicates. */
    public static String eventId(String jobId, String table, String recordId, String application) {
        return new EventIds(jobId, table, application).of(recordId);
    }

    /** {@code rows} carry the context columns, and for the seed format the seed's columns too (BackfillQueries). */
    public static List<OutboundEvent> toEvents(String jobId, String tenantId, String application, BackfillKind kind,
                                               Table rule, EventFormat format, Instant snapshotAt, List<SnapshotRow> rows) {
        String eventType = rule.eventType("INSERT");
        String timestamp = snapshotAt.toString();
        EventIds ids = new EventIds(jobId, kind.table(), application);
        List<OutboundEvent> events = new ArrayList<>(rows.size());
        if (format == EventFormat.SEED) {
            // the seeds name changed fields by column, as their change_log does
            List<String> columns = rule.capturedColumns();
            for (SnapshotRow row : rows) {
                SeedEvents.Shape shape = SeedEvents.shape(rule.entity(), "SNAPSHOT", row.id(), row.context(), columns, null);
                Map<String, Object> metadata = metadata(jobId, application, kind, row);
                shape.metadata().forEach(metadata::putIfAbsent);
                events.add(new OutboundEvent(new SyncEvent(ids.of(row.id()), eventType, tenantId, application, rule.entity(),
                        shape.entityId(), "SNAPSHOT", row.version(), timestamp, shape.amount(), shape.data(), metadata),
                        rule.dataType(format), false));
            }
            return events;
        }
        // every row of a kind has the same context keys (the rule's columns, in order): one list for the page
        List<String> changedFields = rule.contextColumns().stream().map(ChangeEvents::camel).toList();
        for (SnapshotRow row : rows) {
            SyncEvent event = new SyncEvent(
                    ids.of(row.id()),
                    eventType,
                    tenantId,
                    application,
                    rule.entity(),
                    row.id(),
                    "SNAPSHOT",
                    row.version(),
                    timestamp,
                    data(row, rule, changedFields),
                    metadata(jobId, application, kind, row));
            events.add(new OutboundEvent(event, rule.dataType(), false));
        }
        return events;
    }

    static Map<String, Object> data(SnapshotRow row, Table rule, List<String> changedFields) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", row.id());
        data.putAll(row.context());
        data.put("changedFields", changedFields);
        if (rule.tier() == Tier.CRITICAL) {
            data.put("newValue", row.context());
        }
        return data;
    }

    private static Map<String, Object> metadata(String jobId, String application, BackfillKind kind, SnapshotRow row) {
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

    /**
     * {@code UUID.nameUUIDFromBytes("backfill:" + job + ":" + table + ":" + record + ":" + application)}
     * for the records of one page, the constant parts encoded once, not per record.
     */
    private static final class EventIds {

        private final byte[] prefix;
        private final byte[] suffix;

        EventIds(String jobId, String table, String application) {
            prefix = ("backfill:" + jobId + ":" + table + ":").getBytes(StandardCharsets.UTF_8);
            suffix = (":" + application).getBytes(StandardCharsets.UTF_8);
        }

        String of(String recordId) {
            return NameUuid.of(prefix, recordId.getBytes(StandardCharsets.UTF_8), suffix).toString();
        }
    }
}
