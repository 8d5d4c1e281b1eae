package io.suitesync.hub.relay;

import io.suitesync.common.EventFormat;
import io.suitesync.common.OutboundEvent;
import io.suitesync.common.SyncEvent;
import io.suitesync.hub.HubProperties.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed format (docs/events.md): the envelope of SuiteSync's contract ({@code eventId}, {@code eventType},
 * {@code version}, …, {@code metadata.format = "seed"}) around the data the seeds' consumers read, named as
 * they read it: {@code data.configId} and {@code data.newValue} (the cost itself) of seeds 01 and 02,
 * {@code data.roleId}/{@code roleName}, {@code data.userId}/{@code name}, {@code data.entityId}/{@code entityName}
 * of seed 02's hierarchy, and seed 04's {@code credit.allocated} with a top-level {@code amount}.
 * The data is chosen by the table's {@code entity}; a table the seeds do not know keeps SuiteSync's data.
 */
public final class SeedEvents {

    private SeedEvents() {}

    /** What the seed format puts into an event beyond the envelope every format shares. */
    public record Shape(String entityId, Number amount, Map<String, Object> data, Map<String, Object> metadata) {}

    /** A live change for a seed-format application: same id, version and stream as SuiteSync's, seed data and channel. */
    public static OutboundEvent toEvent(ChangeRow row, Table rule, String application) {
        Map<String, Object> values = new LinkedHashMap<>();
        row.context().forEach((column, value) -> values.put(ChangeEvents.camel(column), value));
        Shape shape = shape(rule.entity(), row.operation(), row.recordId(), values, row.changedFields(), row.oldValues());
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("isHistoricalSync", false);
        metadata.put("changeId", row.id());
        metadata.put("table", row.table());
        metadata.put("priority", row.priority());
        metadata.putAll(shape.metadata());
        SyncEvent event = new SyncEvent(
                ChangeEvents.eventId(row.id(), application),
                rule.eventType(row.operation()),
                row.tenantId(),
                application,
                rule.entity(),
                shape.entityId(),
                row.operation(),
                row.id(),
                row.changedAt().toString(),
                shape.amount(),
                shape.data(),
                metadata);
        return new OutboundEvent(event, rule.dataType(EventFormat.SEED), true);
    }

    /**
     * The seed data of one record.
     *
     * @param values         the record's captured values by camelCase name (context and seed columns)
     * @param changedColumns column names, as the seeds show them ({@code ['credit_cost']})
     * @param oldValues      old values by column name (UPDATE: the changed ones; DELETE: all), null for
     *                       INSERT and SNAPSHOT
     */
    public static Shape shape(String entity, String operation, String recordId, Map<String, Object> values,
                              List<String> changedColumns, Map<String, Object> oldValues) {
        boolean deleted = "DELETE".equals(operation);
        Map<String, Object> data = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        String entityId = recordId;
        Number amount = null;
        switch (entity) {
            case "credit-config" -> {
                Object cost = values.get("creditCost");
                data.put("configId", recordId);
                data.put("operationCode", values.get("operationCode"));
                data.put("creditCost", cost);
                data.put("isActive", active(values, deleted));
                data.put("changedFields", changedColumns);
                // seed 02 caches `cost: event.data.newValue` whatever changed: always the cost in force (the
                // last one for a delete, which isActive false marks), and the one before it
                data.put("newValue", cost);
                data.put("oldValue", oldValues == null ? null : oldValues.getOrDefault("credit_cost", cost));
            }
            case "role" -> {
                data.put("roleId", recordId);
                data.put("roleName", values.get("name"));
                // seed 01 calls permissions.some(...): always an array
                data.put("permissions", values.get("permissions") == null ? List.of() : values.get("permissions"));
                data.put("isActive", active(values, deleted));
                data.put("changedFields", changedColumns);
            }
            case "user" -> {
                data.put("userId", recordId);
                data.put("name", userName(values));
                data.put("status", values.get("status"));
                data.put("changedFields", changedColumns);
            }
            case "org" -> {
                data.put("entityId", recordId);
                data.put("entityName", values.get("name"));
                data.put("organizationId", recordId);
                data.put("entityType", values.get("entityType"));
                data.put("parentId", values.get("parentId"));
                data.put("code", values.get("code"));
                data.put("name", values.get("name"));
                data.put("description", values.get("description"));
                data.put("industry", values.get("industry"));
                data.put("website", values.get("website"));
                data.put("changedFields", changedColumns);
            }
            case "org.assignment" -> {
                data.put("membershipId", recordId);
                data.put("userId", values.get("userId"));
                data.put("organizationId", values.get("organizationId"));
                data.put("roleId", values.get("roleId"));
                data.put("isActive", active(values, deleted));
                data.put("changedFields", changedColumns);
            }
            case "credit" -> {
                Object owner = values.get("entityId");
                // seed 04: entityId is the entity the credits belong to, the allocation is metadata.allocationId
                entityId = owner == null ? recordId : owner.toString();
                amount = values.get("amount") instanceof Number n ? n : null;
                data.put("allocationId", recordId);
                data.put("entityId", owner);
                data.put("targetApplication", values.get("targetApplication"));
                data.put("amount", values.get("amount"));
                data.put("available", values.get("available"));
                data.put("isActive", active(values, deleted));
                data.put("allocatedAt", values.get("allocatedAt"));
                data.put("expiresAt", values.get("expiresAt"));
                data.put("changedFields", changedColumns);
                metadata.put("allocationId", recordId);
                metadata.put("targetApplication", values.get("targetApplication"));
                metadata.put("originalAllocatedAt", values.get("allocatedAt"));
            }
            default -> {
                data.put("id", recordId);
                data.putAll(values);
                data.put("changedFields", changedColumns);
            }
        }
        metadata.put("format", "seed");
        return new Shape(entityId, amount, data, metadata);
    }

    /** A deleted record is inactive: the seeds' consumers upsert and have no delete path. */
    private static Object active(Map<String, Object> values, boolean deleted) {
        return deleted ? Boolean.FALSE : values.get("isActive");
    }

    /** First and last name, else the e-mail address (seed 02 logs {@code event.data.name}). */
    private static String userName(Map<String, Object> values) {
        List<String> parts = new ArrayList<>(2);
        for (String key : List.of("firstName", "lastName")) {
            if (values.get(key) instanceof String part && !part.isBlank()) {
                parts.add(part.strip());
            }
        }
        if (!parts.isEmpty()) {
            return String.join(" ", parts);
        }
        return values.get("email") == null ? null : values.get("email").toString();
    }
}
