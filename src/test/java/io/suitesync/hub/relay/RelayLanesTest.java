package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.hub.relay.RelayLanes.Lane;
import io.suitesync.hub.relay.RelayLanes.Reservation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules that keep a tenant's normal-priority changes in one lane at a time. */
class RelayLanesTest {

    private final RelayLanes lanes = new RelayLanes();

    @Test
    void aClaimSkipsTheTenantsTheOtherLaneHolds() {
        assertThat(lanes.excludedTenants(Lane.LIVE)).isEqualTo("{}");
        lanes.excludedTenants(Lane.BULK);
        Reservation bulk = lanes.reserve(Lane.BULK, rows("a", "a", "b"));
        assertThat(ids(bulk)).containsExactly(1L, 2L, 3L);
        assertThat(lanes.excludedTenants(Lane.LIVE)).isEqualTo("{\"a\",\"b\"}");
        assertThat(lanes.excludedTenants(Lane.BULK)).as("a lane does not skip its own tenants").isEqualTo("{}");
        bulk.hold().release();
        assertThat(lanes.excludedTenants(Lane.LIVE)).isEqualTo("{}");
    }

    @Test
    void rowsOfATenantTheOtherLaneTookSinceTheClaimBeganAreDroppedWhoseverTheyAre() {
        lanes.excludedTenants(Lane.LIVE);   // the live claim begins: nobody held
        lanes.excludedTenants(Lane.BULK);   // so does a bulk claim, at the same time
        Reservation bulk = lanes.reserve(Lane.BULK, rows("a", "a"));
        assertThat(ids(bulk)).containsExactly(1L, 2L);
        // the live claim saw the same rows of a: they are not its any more; c's are
        Reservation live = lanes.reserve(Lane.LIVE, rows("a", "c", "a"));
        assertThat(live.rows()).extracting(ClaimedChange::tenantId).containsExactly("c");
        assertThat(live.tenantsDropped()).isEqualTo(1);
        // even after bulk let go of a: its claim may have held rows the live claim also read
        bulk.hold().release();
        Reservation late = lanes.reserve(Lane.LIVE, rows("a"));
        assertThat(late.rows()).isEmpty();
        // the next live claim, which begins after the bulk batch, may take a
        lanes.excludedTenants(Lane.LIVE);
        assertThat(lanes.reserve(Lane.LIVE, rows("a")).rows()).hasSize(1);
    }

    @Test
    void highPriorityRowsStayWhateverLaneHoldsTheirTenant() {
        lanes.excludedTenants(Lane.BULK);
        lanes.reserve(Lane.BULK, rows("a"));
        lanes.excludedTenants(Lane.LIVE);
        ClaimedChange high = new ClaimedChange(9, "a", "credit_configurations", "r", "UPDATE", "[]", null, "{}", "{}",
                "high", null, 0, null);
        Reservation live = lanes.reserve(Lane.LIVE, List.of(high, rows("a").get(0)));
        assertThat(ids(live)).containsExactly(9L);
        assertThat(lanes.held(Lane.LIVE)).as("a high-priority change holds no tenant").isEmpty();
    }

    @Test
    void aTenantHeldByTwoBatchesOfALaneIsFreeWhenBothAreDoneAndReleasingTwiceCountsOnce() {
        lanes.excludedTenants(Lane.BULK);
        Reservation first = lanes.reserve(Lane.BULK, rows("a"));
        lanes.excludedTenants(Lane.BULK);
        Reservation second = lanes.reserve(Lane.BULK, rows("a"));
        first.hold().release();
        first.hold().release();
        assertThat(lanes.held(Lane.BULK)).containsExactly("a");
        second.hold().release();
        assertThat(lanes.held(Lane.BULK)).isEmpty();
    }

    @Test
    void tenantNamesAreQuotedForTheArrayLiteral() {
        lanes.excludedTenants(Lane.BULK);
        lanes.reserve(Lane.BULK, rows("x\",\"y\\"));
        assertThat(lanes.excludedTenants(Lane.LIVE)).isEqualTo("{\"x\\\",\\\"y\\\\\"}");
    }

    private static List<Long> ids(Reservation reservation) {
        return reservation.rows().stream().map(ClaimedChange::id).toList();
    }

    private static List<ClaimedChange> rows(String... tenants) {
        long[] id = {0};
        return java.util.Arrays.stream(tenants)
                .map(t -> new ClaimedChange(++id[0], t, "users", "r" + id[0], "INSERT", "[]", null, "{}", "{}", "normal",
                        null, 0, null))
                .toList();
    }
}
