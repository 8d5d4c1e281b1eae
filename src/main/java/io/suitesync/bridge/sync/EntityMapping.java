package io.suitesync.bridge.sync;

import io.suitesync.bridge.SystemId;

/** A row of {@code bridge_entity_mapping}: one entity known on both sides. */
public record EntityMapping(long id, String entityType, String crmId, String financeId, String crmHash,
                            String financeHash) {

    public String idOn(SystemId system) {
        return system == SystemId.CRM ? crmId : financeId;
    }

    public String hashOn(SystemId system) {
        return system == SystemId.CRM ? crmHash : financeHash;
    }
}
