package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.hub.HubProperties;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The relay vacuums change_queue once it has taken {@code queue-vacuum-rows} rows off it, so the index
 * entries of deleted rows do not pile up in front of every claim until autovacuum comes round
 * (ChangeQueueVacuum). Counted by PostgreSQL: pg_stat_user_tables.vacuum_count counts manual vacuums
 * only (autovacuum has its own counter).
 */
@SpringBootTest(properties = "suitesync.hub.relay.queue-vacuum-rows=5000")
class ChangeQueueVacuumIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Autowired JdbcTemplate jdbc;
    @Autowired ChangeQueueVacuum vacuum;
    @Autowired RelayLedger ledger;
    @Autowired HubProperties config;
    @Autowired org.apache.camel.CamelContext camel;

    @Test
    void theQueueIsVacuumedAfterADrainAndAfterEveryQueueVacuumRowsTheRelayTookOffIt() {
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String tenant = wrapper.tenant("crm");
        long vacuumsBefore = manualVacuums();

        // fewer rows than a fiftieth of queue-vacuum-rows (100) since the start: no vacuum, whoever asks
        users(tenant, 50);
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0 && ledger.acknowledgedRows() >= 50);
        assertThat(ledger.acknowledgedRows()).isLessThan(100);
        assertThat(vacuum.vacuumIfDue()).isFalse();
        assertThat(manualVacuums()).isEqualTo(vacuumsBefore);

        // the end of a drain: a fiftieth or more, and the queue is vacuumed within QUIET_MILLIS of the last
        // one (by the relay's timer route, or by this call, whichever comes first)
        users(tenant, 300);
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
        assertThat(ledger.acknowledgedRows()).isGreaterThanOrEqualTo(350);
        await().atMost(WAIT).until(() -> manualVacuums() > vacuumsBefore || vacuum.vacuumIfDue());
        await().atMost(WAIT).until(() -> manualVacuums() > vacuumsBefore);
        long afterDrain = manualVacuums();

        // a long drain: vacuumed every queue-vacuum-rows rows on its way
        users(tenant, 6000);
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
        await().atMost(WAIT).until(() -> manualVacuums() > afterDrain || vacuum.vacuumIfDue());
        await().atMost(WAIT).until(() -> manualVacuums() > afterDrain);
        await().atMost(WAIT).until(() -> deadRows() < 5000);
        assertThat(camel.getRouteController().getRouteStatus("change-queue-vacuum").isStarted())
                .as("the relay's timer route").isTrue();
    }

    @Test
    void aHubUserThatDoesNotOwnTheQueueLeavesItToAutovacuumAndDoesNotAskAgain() throws Exception {
        // PostgreSQL answers a vacuum of someone else's table with a warning, not an error
        String role = "suitesync_t_nonowner_" + Long.toString(System.nanoTime(), 36);
        jdbc.execute("CREATE ROLE " + role + " LOGIN");
        String url = jdbc.execute((java.sql.Connection c) -> c.getMetaData().getURL());
        String asRole = url.contains("user=") ? url.replaceAll("([?&])user=[^&]*", "$1user=" + role)
                : url + (url.contains("?") ? "&" : "?") + "user=" + role;
        try (SingleConnectionDataSource other = new SingleConnectionDataSource(asRole, true)) {
            RelayLedger counted = new RelayLedger(jdbc);
            // 5,000 acknowledged rows (ids that are not queued: nothing is deleted, the count is what matters)
            counted.acknowledge(java.util.stream.LongStream.rangeClosed(-5000, -1).boxed().toList(), java.util.List.of());
            ChangeQueueVacuum notOwner = new ChangeQueueVacuum(new JdbcTemplate(other), counted, config);
            long vacuumsBefore = manualVacuums();

            assertThat(notOwner.vacuumIfDue()).isFalse();
            counted.acknowledge(java.util.stream.LongStream.rangeClosed(-5000, -1).boxed().toList(), java.util.List.of());
            assertThat(notOwner.vacuumIfDue()).as("not asked again").isFalse();
            assertThat(manualVacuums()).isEqualTo(vacuumsBefore);
            assertThat(other.getConnection().getMetaData().getUserName()).isEqualTo(role);
        } finally {
            jdbc.execute("DROP ROLE " + role);
        }
    }

    private long deadRows() {
        return jdbc.queryForObject("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'change_queue'", Long.class);
    }

    private long manualVacuums() {
        return jdbc.queryForObject("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'change_queue'",
                Long.class);
    }

    private void users(String tenant, int count) {
        jdbc.update("INSERT INTO users (tenant_id, email, first_name, last_name) "
                + "SELECT ?, 'v' || g || '-' || ? || '@example.com', 'Ada', 'Lovelace' FROM generate_series(1, ?) g",
                tenant, count, count);
    }
}
