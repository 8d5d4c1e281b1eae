package io.suitesync.hub.backfill;

import java.util.Map;

/**
 * A backfill job as the admin API shows it: state, and progress (published / total) per kind.
 * {@code total} is counted when the job starts, in one snapshot; null before that.
 */
public record BackfillJob(
        String jobId,
        String tenantId,
        String appCode,
        String trigger,
        String state,
        String sinceDate,
        long published,
        Long total,
        Map<String, Progress> progress,
        int runs,
        String createdAt,
        String startedAt,
        String finishedAt,
        String error) {

    public record Progress(long published, Long total, boolean done) {}

    public boolean finished() {
        return "COMPLETED".equals(state) || "FAILED".equals(state) || "CANCELLED".equals(state);
    }
}
