package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Published and skipped rows older than the retention (7 days by default) go; everything else stays. */
@SpringBootTest
class ChangeLogPurgeIT {

    @Autowired JdbcTemplate jdbc;
    @Autowired ChangeLogPurger purger;
    @Autowired TransactionTemplate transaction;

    @Test
    void deletesOnlyProcessedRowsOlderThanTheRetention() {
        String tenant = "t-purge-" + UUID.randomUUID().toString().substring(0, 8);
        long oldPublished = row(tenant, "8 days", null, false);
        long oldSkipped = row(tenant, "9 days", "SKIPPED", false);
        long recentPublished = row(tenant, "1 day", null, false);
        long oldParked = row(tenant, "8 days", "PARKED", false);
        // old, still queued, waiting for a retry far in the future (the relay leaves it alone)
        long oldUnprocessed = row(tenant, "10 days", null, true);

        int deleted = purger.purge();

        assertThat(deleted).isGreaterThanOrEqualTo(2);
        assertThat(jdbc.queryForList("SELECT id FROM change_log WHERE tenant_id = ? ORDER BY id", Long.class, tenant))
                .containsExactly(recentPublished, oldParked, oldUnprocessed)
                .doesNotContain(oldPublished, oldSkipped);
    }

    /** A change_log row captured {@code ago}, queued (waiting a day for its retry) or already done. */
    private long row(String tenant, String ago, String status, boolean queued) {
        return transaction.execute(tx -> {
            long id = jdbc.queryForObject("INSERT INTO change_log (tenant_id, table_name, record_id, operation, "
                    + "changed_fields, new_values, changed_at, status) VALUES (?, 'credit_configurations', ?, 'INSERT', "
                    + "'{}', '{}', now() - CAST(? AS interval), ?) RETURNING id",
                    Long.class, tenant, UUID.randomUUID().toString(), ago, status);
            // the insert queued it; done rows are taken off the queue as the relay does
            if (queued) {
                jdbc.update("INSERT INTO change_retry (change_id, table_name, record_id, next_attempt_at) "
                        + "SELECT id, table_name, record_id, now() + interval '1 day' FROM change_log WHERE id = ?", id);
            } else {
                jdbc.update("DELETE FROM change_queue WHERE change_id = ?", id);
            }
            return id;
        });
    }
}
