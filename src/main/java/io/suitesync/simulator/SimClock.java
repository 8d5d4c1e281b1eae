package io.suitesync.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The simulators' shared clock: millisecond precision (as the real APIs report it) and strictly
 * increasing across both simulators, so two edits made one after the other never tie on updatedAt.
 */
final class SimClock {

    private static Instant last = Instant.EPOCH;

    private SimClock() {}

    static synchronized Instant next() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        last = now.isAfter(last) ? now : last.plusMillis(1);
        return last;
    }
}
