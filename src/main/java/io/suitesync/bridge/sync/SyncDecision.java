package io.suitesync.bridge.sync;

import io.suitesync.bridge.SystemId;
import java.time.Instant;

/**
 * What to do with a changed record whose counterpart exists: push it, or, when the counterpart
 * changed too since the last sync, resolve the conflict by last write wins on {@code updatedAt}
 * (the CRM wins a tie, so the outcome never depends on which side was polled first).
 */
public final class SyncDecision {

    public enum Action {
        /** nothing new on the source side: our own echo, a replay or a re-poll */
        SKIP,
        /** only the source changed: write it to the target */
        PUSH,
        /** both changed, the source is newer: write it to the target, the target's change is the loser */
        CONFLICT_SOURCE_WINS,
        /** both changed, the target is newer: write the target back to the source, this change is the loser */
        CONFLICT_TARGET_WINS
    }

    private SyncDecision() {}

    public static boolean sourceChanged(String lastSourceHash, String sourceHash) {
        return !sourceHash.equals(lastSourceHash);
    }

    public static Action resolve(SystemId source, String lastTargetHash, String targetHash,
                                 Instant sourceUpdatedAt, Instant targetUpdatedAt) {
        if (targetHash.equals(lastTargetHash)) {
            return Action.PUSH;
        }
        int order = sourceUpdatedAt.compareTo(targetUpdatedAt);
        boolean sourceWins = order > 0 || (order == 0 && source == SystemId.CRM);
        return sourceWins ? Action.CONFLICT_SOURCE_WINS : Action.CONFLICT_TARGET_WINS;
    }
}
