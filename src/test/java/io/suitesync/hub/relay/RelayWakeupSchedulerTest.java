package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayWakeupSchedulerTest {

    @Test
    void theBackoffAfterAFailedClaimDoublesFromThePollIntervalUpToItsCap() {
        assertThat(RelayWakeupScheduler.backoffMillis(1_000, 1)).isEqualTo(1_000);
        assertThat(RelayWakeupScheduler.backoffMillis(1_000, 2)).isEqualTo(2_000);
        assertThat(RelayWakeupScheduler.backoffMillis(1_000, 4)).isEqualTo(8_000);
        assertThat(RelayWakeupScheduler.backoffMillis(1_000, 5)).isEqualTo(RelayWakeupScheduler.MAX_BACKOFF_MILLIS);
        assertThat(RelayWakeupScheduler.backoffMillis(1_000, 500)).isEqualTo(RelayWakeupScheduler.MAX_BACKOFF_MILLIS);
        // a poll interval above the cap is never shortened
        assertThat(RelayWakeupScheduler.backoffMillis(30_000, 3)).isEqualTo(30_000);
    }
}
