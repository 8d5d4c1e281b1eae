package io.suitesync.bridge.queue;

import io.suitesync.bridge.SystemId;

/** A claimed row of {@code bridge_work_queue}: sync this record of this system; {@code attempts} counts this one. */
public record WorkItem(long id, SystemId sourceSystem, String entityType, String sourceId, String origin, int attempts) {}
