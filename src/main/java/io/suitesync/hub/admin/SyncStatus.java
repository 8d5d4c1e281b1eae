package io.suitesync.hub.admin;

import io.suitesync.hub.backfill.BackfillJob;
import io.suitesync.hub.backfill.BackfillKind;
import java.time.Instant;

/**
 * {@code GET .../sync-status}: what a full backfill would send now, whether one is needed, and the
 * last job with its progress.
 */
public record SyncStatus(String tenantId, String appCode, boolean isEnabled, String enabledAt, String disabledAt,
                         long activeCreditAllocations, long organizations, long activeMemberships,
                         boolean syncNeeded, String reason, BackfillJob lastJob) {

    /** The decision, apart from I/O: {@code (needed, reason)}. */
    public record Need(boolean needed, String reason) {}

    public static Need need(boolean enabled, Instant enabledAt, long records, BackfillJob lastJob) {
        if (!enabled) {
            return new Need(false, "the application is not enabled for this organization");
        }
        if (records == 0) {
            return new Need(false, "there is nothing to send");
        }
        if (lastJob == null) {
            return new Need(true, "no backfill has run for this application");
        }
        if (!lastJob.finished()) {
            return new Need(false, "a backfill is in progress");
        }
        boolean sinceEnabling = enabledAt == null || !Instant.parse(lastJob.createdAt()).isBefore(enabledAt);
        if (!sinceEnabling) {
            return new Need(true, "the application was enabled again after the last backfill");
        }
        if (!"COMPLETED".equals(lastJob.state())) {
            return new Need(true, "the last backfill ended " + lastJob.state() + (lastJob.error() == null ? "" : ": " + lastJob.error()));
        }
        if (lastJob.sinceDate() != null || lastJob.progress().size() < BackfillKind.values().length) {
            return new Need(true, "the last backfill sent only part of the data (sinceDate or kinds)");
        }
        return new Need(false, "the last backfill completed");
    }
}
