package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a lane claims again at once ({@link DeliveryProtocol#mayHaveLeftMore}) and when it waits for a NOTIFY. */
class DeliveryProtocolTest {

    private static final int BATCH = 4;
    private static final int WINDOW = 3;

    @Test
    void aClaimThatTookFewerRowsThanItsBatchFromFewerTenantsThanTheWindowTookEverything() {
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows("a", "b", "a"), BATCH, WINDOW, false, Set.of())).isFalse();
    }

    @Test
    void aFullBatchMayHaveLeftMore() {
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows("a", "a", "a", "a"), BATCH, WINDOW, false, Set.of())).isTrue();
    }

    @Test
    void aClaimThatServedAsManyTenantsAsTheWindowMayHaveStoppedBeforeOthers() {
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows("a", "b", "c"), BATCH, WINDOW, false, Set.of())).isTrue();
    }

    @Test
    void highPriorityRowsDoNotCountAsTenantsOfTheWalk() {
        List<ClaimedChange> rows = List.of(row("a", "normal"), row("b", "high"), row("c", "high"));
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows, BATCH, WINDOW, false, Set.of())).isFalse();
    }

    @Test
    void aClaimThatSkippedRowsInFlightMayHaveLeftTheirLaterChangesOfTheSameRecords() {
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows("a"), BATCH, WINDOW, true, Set.of())).isTrue();
    }

    @Test
    void tenantsWalkedOnlyForTheRowsTheClaimAcknowledgedCountTowardsTheWindow() {
        // the walk returned "b" and "c" for rows in flight the claim deleted, and stopped at the window
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows("a"), BATCH, WINDOW, false, Set.of("b", "c"))).isTrue();
        assertThat(DeliveryProtocol.mayHaveLeftMore(rows("a"), BATCH, WINDOW, false, Set.of("a", "b"))).isFalse();
    }

    private static List<ClaimedChange> rows(String... tenants) {
        return Arrays.stream(tenants).map(t -> row(t, "normal")).toList();
    }

    private static ClaimedChange row(String tenant, String priority) {
        return new ClaimedChange(1, tenant, "users", "r", "INSERT", "[]", null, "{}", "{}", priority, null, 0, null);
    }
}
