package io.suitesync.common;

/**
 * An event on its way to Redis: always appended to the application's stream, and also published to
 * the live pub/sub channel of its data type when {@code live} (historical backfill is stream-only).
 */
public record OutboundEvent(SyncEvent event, String dataType, boolean live) {

    public String stream() {
        return Channels.stream(event.application(), event.tenantId());
    }

    public String channel() {
        return Channels.pubSub(event.application(), event.tenantId(), dataType);
    }
}
