package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayTenantTurnsTest {

    @Test
    void startsBeforeEveryTenant() {
        assertThat(new RelayTenantTurns(2000).cursor()).isEmpty();
    }

    @Test
    void theFirstClaimStartsFromTheGreatestTenantAndEndsAtTheSmallestItServed() {
        RelayTenantTurns turns = new RelayTenantTurns(2000);
        // the walk goes downwards (V15): every tenant is at or after the empty cursor, as after a wrap
        turns.served(rows("d", "e", "c", "d"));
        assertThat(turns.cursor()).isEqualTo("c");
    }

    @Test
    void movesToTheSmallestTenantServedBeforeTheCursor() {
        RelayTenantTurns turns = new RelayTenantTurns(2000);
        turns.served(rows("x"));
        turns.served(rows("m", "n", "k"));
        assertThat(turns.cursor()).isEqualTo("k");
        turns.served(rows("b", "a"));
        assertThat(turns.cursor()).isEqualTo("a");
    }

    @Test
    void aClaimThatWrappedAroundEndsAtTheLastTenantFromTheTop() {
        RelayTenantTurns turns = new RelayTenantTurns(2000);
        turns.served(rows("x"));
        turns.served(rows("c", "d"));
        // the window took b (before c), then wrapped to the top: e, then d
        turns.served(rows("b", "e", "d"));
        assertThat(turns.cursor()).isEqualTo("d");
    }

    @Test
    void anEmptyClaimKeepsTheCursor() {
        RelayTenantTurns turns = new RelayTenantTurns(2000);
        turns.served(rows("c"));
        turns.served(List.of());
        assertThat(turns.cursor()).isEqualTo("c");
    }

    @Test
    void aBatchSizeBelowOneIsRefused() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new RelayTenantTurns(0))
                .withMessageContaining("at least 1");
    }

    private static List<ClaimedChange> rows(String... tenants) {
        return Arrays.stream(tenants)
                .map(t -> new ClaimedChange(1, t, "users", "r", "INSERT", "[]", null, "{}", "{}", "normal", null, 0, null))
                .toList();
    }
}
