package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayTenantTurnsTest {

    @Test
    void startsBeforeEveryTenant() {
        assertThat(new RelayTenantTurns(2000, 250, Duration.ofSeconds(1)).cursor()).isEmpty();
    }

    @Test
    void movesToTheGreatestTenantServedAfterTheCursor() {
        RelayTenantTurns turns = new RelayTenantTurns(2000, 250, Duration.ofSeconds(1));
        turns.served(rows("b", "a", "c", "b"));
        assertThat(turns.cursor()).isEqualTo("c");
        turns.served(rows("d", "e"));
        assertThat(turns.cursor()).isEqualTo("e");
    }

    @Test
    void aClaimThatWrappedAroundEndsAtTheLastTenantFromTheStart() {
        RelayTenantTurns turns = new RelayTenantTurns(2000, 250, Duration.ofSeconds(1));
        turns.served(rows("c", "d"));
        // the window took e (after d), then wrapped to a and b
        turns.served(rows("e", "a", "b"));
        assertThat(turns.cursor()).isEqualTo("b");
    }

    @Test
    void anEmptyClaimKeepsTheCursor() {
        RelayTenantTurns turns = new RelayTenantTurns(2000, 250, Duration.ofSeconds(1));
        turns.served(rows("c"));
        turns.served(List.of());
        assertThat(turns.cursor()).isEqualTo("c");
    }

    @Test
    void aTenantDrainingAloneGetsWholeBatches() {
        RelayTenantTurns turns = new RelayTenantTurns(2000, 250, Duration.ofSeconds(1));
        assertThat(turns.batchSize()).isEqualTo(2000);
        turns.served(rows("a", "a", "a"));
        assertThat(turns.batchSize()).isEqualTo(2000);
        assertThat(turns.lastLimit()).isEqualTo(2000);
    }

    @Test
    void besideABacklogAQuietTenantOrAHighPriorityChangeMakesClaimsSmallForTheHold() {
        AtomicLong now = new AtomicLong(-5_000_000_000L); // System.nanoTime() may be negative too
        RelayTenantTurns turns = new RelayTenantTurns(4, 2, Duration.ofMillis(300), now::get);
        assertThat(turns.batchSize()).isEqualTo(4);
        // a has its share (2 of 4) and more, b less: b is a quiet tenant beside a's backlog
        turns.served(rows("a", "a", "a", "b"));
        assertThat(turns.batchSize()).isEqualTo(2);
        assertThat(turns.lastLimit()).isEqualTo(2);
        // a claim of one tenant does not end the hold early: the others' changes may come next
        turns.served(rows("a", "a"));
        assertThat(turns.batchSize()).isEqualTo(2);
        now.addAndGet(Duration.ofMillis(299).toNanos());
        assertThat(turns.batchSize()).isEqualTo(2);
        now.addAndGet(Duration.ofMillis(2).toNanos());
        assertThat(turns.batchSize()).isEqualTo(4);

        ClaimedChange highChange = new ClaimedChange(1, "a", "credit_configurations", "r", "UPDATE", "[]", null, "{}",
                "{}", "high", null, 0, null);
        // a backlog of high-priority changes alone: whole batches
        turns.served(List.of(highChange, highChange));
        assertThat(turns.batchSize()).isEqualTo(4);
        // a high-priority change beside normal ones: small
        turns.served(List.of(highChange, rows("a").get(0)));
        assertThat(turns.batchSize()).isEqualTo(2);
    }

    @Test
    void tenantsDrainingSideBySideOrLiveTrafficKeepWholeBatches() {
        RelayTenantTurns turns = new RelayTenantTurns(4, 2, Duration.ofSeconds(1));
        assertThat(turns.batchSize()).isEqualTo(4);
        turns.served(rows("a", "a", "b", "b")); // both backlogged, equal shares
        assertThat(turns.batchSize()).isEqualTo(4);
        turns.served(rows("a", "b")); // live: nobody near a share
        assertThat(turns.batchSize()).isEqualTo(4);
    }

    @Test
    void theBusyBatchIsNeverLargerThanTheBatch() {
        assertThat(new RelayTenantTurns(100, 250, Duration.ofSeconds(1)).batchSize()).isEqualTo(100);
    }

    private static List<ClaimedChange> rows(String... tenants) {
        return Arrays.stream(tenants)
                .map(t -> new ClaimedChange(1, t, "users", "r", "INSERT", "[]", null, "{}", "{}", "normal", null, 0, null))
                .toList();
    }
}
