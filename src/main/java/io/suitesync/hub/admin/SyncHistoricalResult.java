package io.suitesync.hub.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** A started job (202), or for a dry run the records each kind would send (200). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncHistoricalResult(String tenantId, String appCode, boolean dryRun, String jobId, String sinceDate,
                                   Map<String, Long> counts, Long total, String message) {

    public int httpStatus() {
        return dryRun ? 200 : 202;
    }
}
