package io.suitesync.hub.relay;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One claimed change_log row. {@code context} holds the table's context columns (routing keys and
 * cache values) even when they did not change; {@code enabledApps} are the applications the row's
 * tenant has enabled at claim time.
 */
public record ChangeRow(
        long id,
        String tenantId,
        String table,
        String recordId,
        String operation,
        List<String> changedFields,
        Map<String, Object> oldValues,
        Map<String, Object> newValues,
        Map<String, Object> context,
        String priority,
        Instant changedAt,
        int attempts,
        Set<String> enabledApps) {}
