package io.suitesync.bridge.queue;

import io.suitesync.bridge.SystemId;

/** A change noticed by a poll or a webhook, to be put on the queue. */
public record QueuedChange(SystemId sourceSystem, String entityType, String sourceId, String origin) {}
