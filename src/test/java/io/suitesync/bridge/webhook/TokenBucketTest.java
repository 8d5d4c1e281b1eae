package io.suitesync.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final AtomicLong nanos = new AtomicLong();
    private final TokenBucket bucket = new TokenBucket(2, 3, nanos::get);

    @Test
    void burstPassesThenRequestsAreRefusedUntilTokensRefill() {
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        nanos.addAndGet(500_000_000L);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        nanos.addAndGet(60_000_000_000L);
        int passed = 0;
        while (bucket.tryAcquire()) {
            passed++;
        }
        assertThat(passed).isEqualTo(3);
    }
}
