package io.suitesync.common;

/**
 * The shape of the events one application receives ({@code suitesync.hub.event-format.<app>}); both are
 * described in docs/events.md and validated by docs/event.schema.json.
 */
public enum EventFormat {

    /** SuiteSync's contract: {@code data.id}, the context values in camelCase, {@code newValue}/{@code oldValue} objects. */
    SUITESYNC,

    /**
     * The seeds' consumers' field names and channels ({@code data.configId}, {@code data.newValue} as the
     * cost, {@code data.roleId}, {@code data.userId}, {@code data.entityId}, {@code hierarchy}, …), same envelope.
     */
    SEED
}
