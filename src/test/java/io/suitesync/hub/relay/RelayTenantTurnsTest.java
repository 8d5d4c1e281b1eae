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
    void movesToTheGreatestTenantServedAfterTheCursor() {
        RelayTenantTurns turns = new RelayTenantTurns(2000);
        turns.served(rows("b", "a", "c", "b"));
        assertThat(turns.cursor()).isEqualTo("c");
        turns.served(rows("d", "e"));
        assertThat(turns.cursor()).isEqualTo("e");
    }

    @Test
    void aClaimThatWrappedAroundEndsAtTheLastTenantFromTheStart() {
        RelayTenantTurns turns = new RelayTenantTurns(2000);
        turns.served(rows("c", "d"));
        // the window took e (after d), then wrapped to a and b
        turns.served(rows("e", "a", "b"));
        assertThat(turns.cursor()).isEqualTo("b");
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
