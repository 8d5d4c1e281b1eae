package io.suitesync.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One change as downstream applications see it (the event contract, {@code docs/event.schema.json}).
 *
 * @param eventId   deterministic: the same change for the same application always has the same id, so
 *                  consumers de-duplicate redeliveries on it
 * @param version   monotonic per record: a consumer drops an event whose version is not newer than the
 *                  one it has applied for that record
 * @param amount    top level only in the seed format's {@code credit.allocated} (seed 04); null, and left out, otherwise
 * @param data      critical types carry the values a cache needs; reference types only ids and changed fields
 * @param metadata  {@code isHistoricalSync}, {@code changeId}, {@code jobId}, {@code originalAllocatedAt}, …
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncEvent(
        String eventId,
        String eventType,
        String tenantId,
        String application,
        String entity,
        String entityId,
        String operation,
        long version,
        String timestamp,
        Number amount,
        Map<String, Object> data,
        Map<String, Object> metadata) {

    /** An event without a top-level {@code amount}: every event but the seed format's credit allocations. */
    public SyncEvent(String eventId, String eventType, String tenantId, String application, String entity, String entityId,
                     String operation, long version, String timestamp, Map<String, Object> data, Map<String, Object> metadata) {
        this(eventId, eventType, tenantId, application, entity, entityId, operation, version, timestamp, null, data, metadata);
    }
}
