package io.suitesync.bridge.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1));

    @ParameterizedTest
    @CsvSource({"1, 5", "2, 10", "3, 20", "4, 40", "5, 60", "12, 60", "100, 60"})
    void doublesPerFailedAttemptUpToTheCap(int failedAttempts, long seconds) {
        assertThat(backoff.after(failedAttempts)).isEqualTo(Duration.ofSeconds(seconds));
    }
}
