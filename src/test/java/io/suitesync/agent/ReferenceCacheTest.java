package io.suitesync.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.common.web.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The reference tier's rules on a hand-driven clock and a fake hub: no Spring, no servers. */
class ReferenceCacheTest {

    private final AtomicLong clock = new AtomicLong();
    private final List<Runnable> background = new ArrayList<>();
    private final ReferenceCache cache = new ReferenceCache("user profile", new AgentProperties.Tier(
            Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofHours(1), 100), clock::get, background::add);
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile boolean hubDown;

    private final Supplier<Map<String, Object>> hub = () -> {
        if (hubDown) {
            throw new HubUnavailableException("down", null);
        }
        return Map.of("fetch", fetches.incrementAndGet());
    };

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void freshEntriesAreHitsAndTheFirstReadFetches() {
        ReferenceCache.Answer first = cache.get("t", "u", hub);
        advance(Duration.ofSeconds(9));
        ReferenceCache.Answer second = cache.get("t", "u", hub);

        assertThat(first.cached()).isFalse();
        assertThat(second.cached()).isTrue();
        assertThat(second.stale()).isFalse();
        assertThat(fetches).hasValue(1);
        assertThat(cache.stats()).containsEntry("hits", 1L).containsEntry("misses", 1L).containsEntry("loads", 1L);
    }

    @Test
    void withinTheRevalidationWindowTheOldValueAnswersWhileItIsRefetched() {
        cache.get("t", "u", hub);
        advance(Duration.ofSeconds(12));

        ReferenceCache.Answer during = cache.get("t", "u", hub);
        assertThat(during.value()).containsEntry("fetch", 1);
        assertThat(during.stale()).isTrue();
        assertThat(background).hasSize(1);
        background.get(0).run();

        assertThat(cache.get("t", "u", hub).value()).containsEntry("fetch", 2);
    }

    @Test
    void pastTheWindowTheReadFetchesAtOnce() {
        cache.get("t", "u", hub);
        advance(Duration.ofSeconds(16));

        ReferenceCache.Answer answer = cache.get("t", "u", hub);

        assertThat(answer.cached()).isFalse();
        assertThat(answer.value()).containsEntry("fetch", 2);
        assertThat(background).isEmpty();
    }

    @Test
    void anInvalidatedEntryIsFetchedAgainEvenWithinItsTtl() {
        cache.get("t", "u", hub);
        cache.invalidate("t", "u");

        assertThat(cache.get("t", "u", hub).value()).containsEntry("fetch", 2);
        assertThat(cache.stats()).containsEntry("invalidations", 1L);
    }

    @Test
    void hubDownServesTheLastValueMarkedStaleAndNothingWhenThereIsNone() {
        cache.get("t", "u", hub);
        cache.invalidate("t", "u");
        hubDown = true;

        ReferenceCache.Answer answer = cache.get("t", "u", hub);

        assertThat(answer.value()).containsEntry("fetch", 1);
        assertThat(answer.stale()).isTrue();
        assertThatThrownBy(() -> cache.get("t", "other", hub)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(503));
        assertThat(cache.stats()).containsEntry("staleServed", 1L).containsEntry("loadFailures", 2L);
    }

    @Test
    void tenantInvalidationTouchesOnlyThatTenant() {
        cache.get("a", "x", hub);
        cache.get("b", "x", hub);

        cache.invalidateTenant("a");

        assertThat(cache.get("a", "x", hub).cached()).isFalse();
        assertThat(cache.get("b", "x", hub).cached()).isTrue();
    }
}
