package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.hub.backfill.BackfillJob;
import io.suitesync.hub.backfill.BackfillJob.Progress;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncStatusTest {

    private static final Instant ENABLED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Map<String, Progress> ALL_KINDS = Map.of("credits", new Progress(1, 1L, true),
            "organizations", new Progress(1, 1L, true), "assignments", new Progress(1, 1L, true));

    private static BackfillJob job(String state, String createdAt, String since, Map<String, Progress> progress) {
        return new BackfillJob("j", "t", "crm", "TOGGLE", state, since, 3, 3L, progress, 1, createdAt, null, null, null);
    }

    @Test
    void decidesWhetherASyncIsNeeded() {
        String after = "2026-01-02T00:00:00Z";
        String before = "2025-12-31T00:00:00Z";
        Object[][] cases = {
                // enabled, records, last job, needed
                {false, 10L, null, false},
                {true, 0L, null, false},
                {true, 10L, null, true},
                {true, 10L, job("RUNNING", after, null, ALL_KINDS), false},
                {true, 10L, job("COMPLETED", after, null, ALL_KINDS), false},
                {true, 10L, job("COMPLETED", before, null, ALL_KINDS), true},
                {true, 10L, job("FAILED", after, null, ALL_KINDS), true},
                {true, 10L, job("CANCELLED", after, null, ALL_KINDS), true},
                {true, 10L, job("COMPLETED", after, "2025-06-01T00:00:00Z", ALL_KINDS), true},
                {true, 10L, job("COMPLETED", after, null, Map.of("credits", new Progress(1, 1L, true))), true}};
        for (Object[] c : cases) {
            SyncStatus.Need need = SyncStatus.need((Boolean) c[0], ENABLED, (Long) c[1], (BackfillJob) c[2]);
            assertThat(need.needed()).as(need.reason()).isEqualTo(c[3]);
            assertThat(need.reason()).isNotBlank();
        }
    }
}
