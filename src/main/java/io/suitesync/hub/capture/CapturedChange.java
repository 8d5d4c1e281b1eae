package io.suitesync.hub.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.suitesync.hub.capture.PgOutput.Column;
import io.suitesync.hub.capture.PgOutput.RowChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One change_log row made from a row change read off the replication slot: the same fields, values
 * and rules as the capture triggers (V4's {@code suitesync_capture()}): an INSERT or DELETE carries the
 * whole row and every field name, an UPDATE only the fields whose value differs (none: no row), an
 * UPDATE that changed the key writes nothing, and the context holds the context columns' values (of
 * the new row; of the old one for a DELETE).
 */
record CapturedChange(
        String tenantId,
        String table,
        String recordId,
        String operation,
        List<String> changedFields,
        ObjectNode oldValues,
        ObjectNode newValues,
        ObjectNode context,
        String priority,
        Instant changedAt) {

    /** How a table is captured: capture_table's row. */
    record Rule(String table, String keyColumn, String tenantColumn, List<String> contextColumns, String priority) {}

    /** The change_log row of {@code change}, or null when the trigger would have written none. */
    static CapturedChange of(RowChange change, Rule rule, Instant changedAt) {
        List<Column> columns = change.relation().columns();
        ObjectNode oldRow = change.oldValues() == null ? null : row(columns, change.oldValues(), null);
        ObjectNode newRow = change.newValues() == null ? null : row(columns, change.newValues(), oldRow);
        switch (change.operation()) {
            case "INSERT" -> {
                return whole(rule, "INSERT", null, newRow, changedAt);
            }
            case "DELETE" -> {
                return whole(rule, "DELETE", oldRow, null, changedAt);
            }
            default -> {
                if (oldRow == null) {
                    throw new IllegalStateException("table " + rule.table() + ": UPDATE without the old row; "
                            + "logical capture needs REPLICA IDENTITY FULL");
                }
                if (!same(oldRow.get(rule.keyColumn()), newRow.get(rule.keyColumn()))) {
                    return null;
                }
                List<String> fields = new ArrayList<>();
                ObjectNode oldValues = JsonNodeFactory.instance.objectNode();
                ObjectNode newValues = JsonNodeFactory.instance.objectNode();
                for (String field : new TreeMap<>(toMap(newRow)).keySet()) {
                    JsonNode before = oldRow.get(field);
                    JsonNode after = newRow.get(field);
                    if (!same(before, after)) {
                        fields.add(field);
                        oldValues.set(field, before == null ? JsonNodeFactory.instance.nullNode() : before);
                        newValues.set(field, after);
                    }
                }
                if (fields.isEmpty()) {
                    return null;
                }
                return new CapturedChange(text(newRow, rule.tenantColumn()), rule.table(), text(newRow, rule.keyColumn()),
                        "UPDATE", fields, oldValues, newValues, context(rule, newRow), rule.priority(), changedAt);
            }
        }
    }

    private static CapturedChange whole(Rule rule, String operation, ObjectNode oldRow, ObjectNode newRow,
            Instant changedAt) {
        ObjectNode row = newRow != null ? newRow : oldRow;
        List<String> fields = new ArrayList<>(new TreeMap<>(toMap(row)).keySet());
        return new CapturedChange(text(row, rule.tenantColumn()), rule.table(), text(row, rule.keyColumn()),
                operation, fields, oldRow, newRow, context(rule, row), rule.priority(), changedAt);
    }

    private static ObjectNode context(Rule rule, ObjectNode row) {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        for (String column : rule.contextColumns()) {
            JsonNode value = row.get(column);
            context.set(column, value == null ? JsonNodeFactory.instance.nullNode() : value);
        }
        return context;
    }

    /** {@code row ->> column}: a string's content, another value's JSON text, SQL NULL as null. */
    private static String text(ObjectNode row, String column) {
        JsonNode value = row.get(column);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isTextual() ? value.textValue() : value.toString();
    }

    private static ObjectNode row(List<Column> columns, Object[] values, ObjectNode unchangedFrom) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < columns.size() && i < values.length; i++) {
            Column column = columns.get(i);
            Object value = values[i];
            if (value == PgOutput.UNCHANGED) {
                // an unchanged TOASTed value: the old row (REPLICA IDENTITY FULL) has it
                JsonNode old = unchangedFrom == null ? null : unchangedFrom.get(column.name());
                row.set(column.name(), old == null ? JsonNodeFactory.instance.nullNode() : old);
            } else {
                row.set(column.name(), PgTextJson.toJson((String) value, column.typeOid()));
            }
        }
        return row;
    }

    private static TreeMap<String, JsonNode> toMap(ObjectNode row) {
        TreeMap<String, JsonNode> map = new TreeMap<>();
        row.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    /** jsonb equality: numbers by value (1.0 = 1.00), everything else by content. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b || (a == null ? b.isNull() : a.isNull());
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
