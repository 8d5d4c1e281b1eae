package io.suitesync.hub.relay;

import io.suitesync.common.NameUuid;
import io.suitesync.common.OutboundEvent;
import io.suitesync.common.SyncEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties.Tier;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Turns a routed change into the event of SuiteSync's format (docs/events.md, docs/event.schema.json). */
public final class ChangeEvents {

    private ChangeEvents() {}

    private static final Map<String, String> CAMEL_NAMES = new ConcurrentHashMap<>();
    /** Same change + same application → same id, across retries, restarts and instances. */
    public static String eventId(long changeId, String application) {
        return NameUuid.of(("change:" + changeId + ":" + application).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static OutboundEvent toEvent(ChangeRow row, Table rule, String application) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("isHistoricalSync", false);
        metadata.put("changeId", row.id());
        metadata.put("table", row.table());
        metadata.put("priority", row.priority());
        SyncEvent event = new SyncEvent(
                eventId(row.id(), application),
                rule.eventType(row.operation()),
                row.tenantId(),
                application,
                rule.entity(),
                row.recordId(),
                row.operation(),
                // change_log ids grow with commit order for any one record (its row lock serialises
                // writers), so the id is a per-record version
                row.id(),
                row.changedAt().toString(),
                data(row, rule),
                metadata);
        return new OutboundEvent(event, rule.dataType(), true);
    }

    /**
     * Critical data carries the context values and the changed values (limited to {@code valueFields}
     * when set); reference data carries ids (context) and the names of the changed fields only.
     */
    static Map<String, Object> data(ChangeRow row, Table rule) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", row.recordId());
        List<String> seedColumns = rule.seed().columns();
        row.context().forEach((column, value) -> {
            // columns captured for the seed format only stay out of SuiteSync's events
            if (seedColumns.isEmpty() || !seedColumns.contains(column) || rule.contextColumns().contains(column)) {
                data.put(camel(column), value);
            }
        });
        data.put("changedFields", row.changedFields().stream().map(ChangeEvents::camel).toList());
        if (rule.tier() == Tier.CRITICAL) {
            putValues(data, "newValue", row.newValues(), rule.valueFields());
            putValues(data, "oldValue", row.oldValues(), rule.valueFields());
        }
        return data;
    }

    private static void putValues(Map<String, Object> data, String key, Map<String, Object> values, List<String> only) {
        if (values == null) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((column, value) -> {
            if (only.isEmpty() || only.contains(column)) {
                out.put(camel(column), value);
            }
        });
        data.put(key, out);
    }

    /** {@code credit_cost} → {@code creditCost}: the seeds' consumers read camelCase keys. */
    public static String camel(String column) {
        return CAMEL_NAMES.computeIfAbsent(column, ChangeEvents::toCamel);
    }

    private static String toCamel(String column) {
        StringBuilder out = new StringBuilder(column.length());
        boolean upper = false;
        for (int i = 0; i < column.length(); i++) {
            char c = column.charAt(i);
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
