package io.suitesync.bridge.queue;

import java.time.Duration;

/** Exponential backoff: the initial pause doubled per failed attempt, never more than the cap. */
public record Backoff(Duration initial, Duration max) {

    /** Pause before the next attempt after {@code failedAttempts} failures (1 = the first failure). */
    public Duration after(int failedAttempts) {
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 30);
        Duration pause = initial.multipliedBy(1L << doublings);
        return pause.compareTo(max) > 0 ? max : pause;
    }
}
