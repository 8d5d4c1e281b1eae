package io.suitesync.hub.admin;

/**
 * Outcome of a toggle. {@code changed} false when the application already was in the requested
 * state; {@code jobId} names the backfill started in the background, if any.
 */
public record ToggleResult(String tenantId, String appCode, boolean isEnabled, boolean changed, String enabledAt,
                           String disabledAt, String jobId, String message) {

    /** 202 when a backfill was started (it runs on after the response), else 200. */
    public int httpStatus() {
        return jobId == null ? 200 : 202;
    }
}
