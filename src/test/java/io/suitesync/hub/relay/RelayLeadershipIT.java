package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.testsupport.MigratedDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which of several hub instances on one database runs the relay, against a real PostgreSQL. */
class RelayLeadershipIT {

    @RegisterExtension
    static final MigratedDatabase DATABASE = new MigratedDatabase();

    private final RelayLeadership first = new RelayLeadership(DATABASE.url(), null, null);
    private final RelayLeadership second = new RelayLeadership(DATABASE.url(), null, null);

    @AfterEach
    void release() {
        first.release();
        second.release();
    }

    @Test
    void oneInstanceLeadsAndAnotherTakesOverWhenItsSessionEnds() throws SQLException {
        assertThat(first.ensure()).isTrue();
        assertThat(second.ensure()).isFalse();
        assertThat(first.ensure()).as("still the leader").isTrue();

        first.release();

        assertThat(first.isLeader()).isFalse();
        assertThat(second.ensure()).isTrue();
        assertThat(first.ensure()).isFalse();
    }

    @Test
    void aReleasedLeaderHasGivenTheLockBackWhenReleaseReturns() throws SQLException {
        // closing a connection only asks its backend to end: the lock must not outlive release() by that moment
        for (int round = 0; round < 20; round++) {
            assertThat(first.ensure()).isTrue();
            first.release();
            assertThat(DATABASE.jdbc().queryForObject("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    + "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                    Integer.class)).as("advisory locks held right after release, round %d", round).isZero();
        }
    }

    @Test
    void anAbandonedSessionStillLosesTheLockOnceItsBackendEnds() throws SQLException {
        assertThat(first.ensure()).isTrue();
        first.abandon();

        assertThat(first.isLeader()).isFalse();
        long deadline = System.currentTimeMillis() + 5_000;
        boolean taken = second.ensure();
        while (!taken && System.currentTimeMillis() < deadline) {
            taken = second.ensure();
        }
        assertThat(taken).isTrue();
    }

    @Test
    void aLeaderWhoseBackendWasKilledNoticesAndTheLockGoesToWhoeverAsksFirst() throws SQLException {
        assertThat(first.ensure()).isTrue();
        // what a PostgreSQL restart or a network cut does to the lock's session
        DATABASE.jdbc().queryForList("SELECT pg_terminate_backend(pid) FROM pg_locks "
                + "WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

        // pg_terminate_backend only signals the backend: the lock goes when it has ended, a moment later
        long deadline = System.currentTimeMillis() + 5_000;
        boolean taken = second.ensure();
        while (!taken && System.currentTimeMillis() < deadline) {
            taken = second.ensure();
        }
        assertThat(taken).isTrue();
        assertThat(first.ensure()).as("its new session finds the lock taken").isFalse();
    }

    @Test
    void aCaptureNotifyWakesTheLeader() throws SQLException {
        assertThat(first.ensure()).isTrue();
        assertThat(first.notified(0)).isFalse();

        DATABASE.jdbc().execute("NOTIFY suitesync_change_log");

        assertThat(first.notified(5_000)).isTrue();
        assertThat(first.notified(0)).as("taken").isFalse();
    }

    @Test
    void theLiveLanesFollowerLeadsExactlyWhenItsInstanceDoesAndHearsEveryNotifyOnItsOwnSession() throws SQLException {
        RelayLeadership follower = first.follower();
        RelayLeadership otherFollower = second.follower();
        try {
            assertThat(follower.ensure()).as("its instance has not taken the lock yet").isFalse();
            assertThat(first.ensure()).isTrue();
            assertThat(follower.ensure()).isTrue();
            assertThat(otherFollower.ensure()).isFalse();
            assertThat(second.ensure()).as("a follower takes no lock").isFalse();

            DATABASE.jdbc().execute("NOTIFY suitesync_change_log");
            // both sessions hear it: one taken does not take the other's
            assertThat(first.notified(5_000)).isTrue();
            assertThat(follower.notified(5_000)).isTrue();

            first.release();
            assertThat(follower.isLeader()).isFalse();
            assertThat(second.ensure()).isTrue();
            assertThat(otherFollower.ensure()).isTrue();
        } finally {
            follower.release();
            otherFollower.release();
        }
    }
}
