package io.suitesync.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.sync.SyncDecision.Action;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncDecisionTest {

    private static final Instant EARLY = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant LATE = Instant.parse("2026-01-01T10:00:05Z");

    @ParameterizedTest(name = "{0}: target hash {2} (last {1}), source {3} vs target {4} -> {5}")
    @CsvSource({
            // source, last target hash, current target hash, source at, target at, expected
            "CRM,     t1, t1, LATE,  EARLY, PUSH",
            "FINANCE, t1, t1, EARLY, LATE,  PUSH",
            "CRM,     t1, t2, LATE,  EARLY, CONFLICT_SOURCE_WINS",
            "CRM,     t1, t2, EARLY, LATE,  CONFLICT_TARGET_WINS",
            "FINANCE, t1, t2, LATE,  EARLY, CONFLICT_SOURCE_WINS",
            "FINANCE, t1, t2, EARLY, LATE,  CONFLICT_TARGET_WINS",
            "CRM,     t1, t2, EARLY, EARLY, CONFLICT_SOURCE_WINS",
            "FINANCE, t1, t2, EARLY, EARLY, CONFLICT_TARGET_WINS",
            "CRM,     '', t2, LATE,  EARLY, CONFLICT_SOURCE_WINS"})
    void lastWriteWinsOnlyWhenBothSidesChanged(SystemId source, String lastTarget, String target, String sourceAt,
                                               String targetAt, Action expected) {
        assertThat(SyncDecision.resolve(source, lastTarget, target, at(sourceAt), at(targetAt))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"h1, h1, false", "h1, h2, true", "'', h1, true"})
    void sourceChangedOnlyWhenItsHashDiffersFromTheLastSynced(String last, String current, boolean changed) {
        assertThat(SyncDecision.sourceChanged(last, current)).isEqualTo(changed);
    }

    private static Instant at(String name) {
        return name.equals("LATE") ? LATE : EARLY;
    }
}
