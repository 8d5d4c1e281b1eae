package io.suitesync.common;

/** Redis key naming shared by the hub (publisher) and the agent (consumer). */
public final class Channels {

    private Channels() {}

    /** Live pub/sub channel: {@code {app}:{tenant}:{data-type}}, e.g. {@code crm:tenant-123:credit-configs}. */
    public static String pubSub(String application, String tenantId, String dataType) {
        return application + ":" + tenantId + ":" + dataType;
    }

    /** Durable stream: {@code {app}:{tenant}:events}. */
    public static String stream(String application, String tenantId) {
        return application + ":" + tenantId + ":events";
    }
}
