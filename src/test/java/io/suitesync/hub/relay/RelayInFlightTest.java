package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bookkeeping that lets the relay claim the next batch while one is being published. */
class RelayInFlightTest {

    private final RelayInFlight inFlight = new RelayInFlight();

    @Test
    void aClaimSkipsEveryRowOfTheBatchesInFlightUntilTheyAreReleased() {
        assertThat(inFlight.claimExclusions()).isEqualTo("{}");
        RelayBatch first = inFlight.admit(batch(List.of(1L, 2L), List.of(3L)));
        RelayBatch second = inFlight.admit(batch(List.of(5L), List.of()));

        assertThat(inFlight.claimExclusions()).startsWith("{").endsWith("}");
        assertThat(ids(inFlight.claimExclusions())).containsExactlyInAnyOrder(1L, 2L, 3L, 5L);

        inFlight.release(first);
        assertThat(ids(inFlight.claimExclusions())).containsExactly(5L);
        inFlight.release(second);
        assertThat(inFlight.claimExclusions()).isEqualTo("{}");
        assertThat(inFlight.size()).isZero();
    }

    @Test
    void aBatchIsAloneInFlightOnlyWhenNoEarlierOneIsStillBeingPublished() {
        RelayBatch first = inFlight.admit(batch(List.of(1L, 2L), List.of(3L)));
        assertThat(inFlight.alone(first)).isTrue();
        RelayBatch second = inFlight.admit(batch(List.of(5L), List.of()));
        assertThat(inFlight.alone(second)).as("the first is still in flight").isFalse();
        inFlight.release(first);
        assertThat(inFlight.alone(second)).isTrue();
    }

    @Test
    void aPublishedBatchWaitingForItsAcknowledgementIsSkippedButNeitherDelaysNorStalesLaterBatches() {
        RelayBatch published = inFlight.admit(batch(List.of(1L, 2L), List.of(3L)));
        inFlight.awaitAcknowledgement(published);

        assertThat(ids(inFlight.claimExclusions())).as("its rows are still queued: claims skip them")
                .containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(inFlight.claimSkippedUnpublished()).as("nothing unpublished was skipped").isFalse();
        RelayBatch next = inFlight.admit(batch(List.of(5L), List.of()));
        assertThat(inFlight.alone(next)).as("nothing of the lane is still being published").isTrue();
        assertThat(inFlight.claimExclusions()).contains("5");
        assertThat(inFlight.claimSkippedUnpublished()).isTrue();

        inFlight.release(published);
        assertThat(ids(inFlight.claimExclusions())).containsExactly(5L);
        assertThat(inFlight.alone(next)).isTrue();
        assertThat(inFlight.isCurrent(next)).isTrue();
    }

    @Test
    void batchesClaimedWhileAnEarlierOneWasInFlightAreStaleOnceItFails() {
        inFlight.claimExclusions();
        RelayBatch failing = inFlight.admit(batch(List.of(1L, 2L), List.of()));
        inFlight.claimExclusions();
        RelayBatch claimedMeanwhile = inFlight.admit(batch(List.of(3L), List.of()));
        assertThat(inFlight.isCurrent(failing)).isTrue();
        assertThat(inFlight.isCurrent(claimedMeanwhile)).isTrue();

        inFlight.abandon(failing);

        assertThat(inFlight.isCurrent(claimedMeanwhile)).as("claimed without the failed rows").isFalse();
        assertThat(ids(inFlight.claimExclusions())).as("the failed rows can be claimed again").containsExactly(3L);
        inFlight.discard(claimedMeanwhile);
        assertThat(inFlight.droppedBatches()).isEqualTo(1);

        assertThat(inFlight.claimExclusions()).isEqualTo("{}");
        RelayBatch claimedAfter = inFlight.admit(batch(List.of(1L, 2L, 3L), List.of()));
        assertThat(inFlight.isCurrent(claimedAfter)).isTrue();
    }

    @Test
    void aBatchClaimedWhileADroppedOneWasInFlightIsStaleToo() {
        inFlight.claimExclusions();
        RelayBatch failing = inFlight.admit(batch(List.of(1L, 2L), List.of()));
        inFlight.claimExclusions();
        RelayBatch newer = inFlight.admit(batch(List.of(3L, 4L), List.of()));
        // a poll that found nothing: it admits no batch
        inFlight.claimExclusions();
        inFlight.abandon(failing);
        // the next claim takes the failed (oldest) rows back while the stale batch still waits; it is
        // stamped stale too, as it began while the stale batch was in flight
        inFlight.claimExclusions();
        RelayBatch oldest = inFlight.admit(batch(List.of(1L, 2L), List.of()));
        inFlight.discard(newer);
        // a claim that skipped the oldest rows, still in flight, takes the newer ones
        assertThat(ids(inFlight.claimExclusions())).containsExactlyInAnyOrder(1L, 2L);
        RelayBatch newerAgain = inFlight.admit(batch(List.of(3L, 4L), List.of()));
        assertThat(inFlight.isCurrent(oldest)).isFalse();
        inFlight.discard(oldest);

        assertThat(inFlight.isCurrent(newerAgain)).as("claimed without the oldest rows, which were dropped").isFalse();
        inFlight.discard(newerAgain);
        assertThat(inFlight.claimExclusions()).isEqualTo("{}");
        RelayBatch inOrder = inFlight.admit(batch(List.of(1L, 2L, 3L, 4L), List.of()));
        assertThat(inFlight.isCurrent(inOrder)).isTrue();
    }

    @Test
    void aClaimThatStartedBeforeAFailureIsStaleEvenIfAdmittedAfterIt() {
        RelayBatch failing = inFlight.admit(batch(List.of(1L), List.of()));
        // the next claim reads its exclusions while the failing batch is still in flight ...
        inFlight.claimExclusions();
        inFlight.abandon(failing);
        // ... and is admitted only after the failure
        RelayBatch late = inFlight.admit(batch(List.of(2L), List.of()));

        assertThat(inFlight.isCurrent(late)).isFalse();
    }

    @Test
    void batchesClaimedWhileRedisRefusedSomeRowsOfAnEarlierOneAreStale() {
        RelayBatch published = inFlight.admit(batch(List.of(1L, 2L), List.of()));
        inFlight.claimExclusions();
        RelayBatch claimedMeanwhile = inFlight.admit(batch(List.of(3L), List.of()));

        inFlight.refused(published); // nothing refused
        assertThat(inFlight.isCurrent(claimedMeanwhile)).isTrue();

        RelayBatch.RowFailure refused = new RelayBatch.RowFailure(2L, "t", "credit_configurations", "record-2", 1,
                "Redis refused the event: WRONGTYPE", false, 100);
        inFlight.refused(new RelayBatch(List.of(), List.of(), List.of(), List.of(refused), 0));
        inFlight.release(published);

        assertThat(inFlight.isCurrent(claimedMeanwhile)).as("may hold a later change of record-2").isFalse();
        assertThat(ids(inFlight.claimExclusions())).containsExactly(3L);
    }

    @Test
    void aFailedClaimHadNothingInFlight() {
        RelayBatch publishing = inFlight.admit(batch(List.of(1L), List.of()));

        inFlight.abandon(List.of()); // the dead-letter route's body when a claim or a park failed

        assertThat(inFlight.isCurrent(publishing)).isTrue();
        assertThat(ids(inFlight.claimExclusions())).containsExactly(1L);
    }

    private static RelayBatch batch(List<Long> published, List<Long> skipped) {
        List<ClaimedChange> rows = published.stream().map(id -> new ClaimedChange(id, "t", "credit_configurations",
                "record-" + id, "UPDATE", "[]", null, "{}", "{}", "NORMAL", null, 0, null)).toList();
        return new RelayBatch(List.of(), rows, skipped, List.of(), 0);
    }

    private static List<Long> ids(String arrayLiteral) {
        String inner = arrayLiteral.substring(1, arrayLiteral.length() - 1);
        return inner.isEmpty() ? List.of() : java.util.Arrays.stream(inner.split(",")).map(Long::valueOf).toList();
    }
}
