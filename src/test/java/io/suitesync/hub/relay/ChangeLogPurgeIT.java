package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** Processed rows older than the retention (7 days by default) go; everything else stays. */
@SpringBootTest
class ChangeLogPurgeIT {

    @Autowired JdbcTemplate jdbc;
    @Autowired ChangeLogPurger purger;

    @Test
    void deletesOnlyProcessedRowsOlderThanTheRetention() {
        String tenant = "t-purge-" + UUID.randomUUID().toString().substring(0, 8);
        long oldPublished = row(tenant, "8 days", "PUBLISHED", null);
        long oldSkipped = row(tenant, "9 days", "SKIPPED", null);
        long recentPublished = row(tenant, "1 day", "PUBLISHED", null);
        long oldParked = row(tenant, "8 days", "PARKED", null);
        // old, never processed, waiting for a retry far in the future (the relay leaves it alone)
        long oldUnprocessed = row(tenant, null, null, "now() + interval '1 day'");

        int deleted = purger.purge();

        assertThat(deleted).isGreaterThanOrEqualTo(2);
        assertThat(jdbc.queryForList("SELECT id FROM change_log WHERE tenant_id = ? ORDER BY id", Long.class, tenant))
                .containsExactly(recentPublished, oldParked, oldUnprocessed)
                .doesNotContain(oldPublished, oldSkipped);
    }

    private long row(String tenant, String processedAgo, String status, String nextAttempt) {
        String processedAt = processedAgo == null ? "NULL" : "now() - interval '" + processedAgo + "'";
        return jdbc.queryForObject("INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, "
                + "new_values, changed_at, processed_at, status, next_attempt_at) "
                + "VALUES (?, 'credit_configurations', ?, 'INSERT', '{}', '{}', now() - interval '10 days', "
                + processedAt + ", ?, " + (nextAttempt == null ? "NULL" : nextAttempt) + ") RETURNING id",
                Long.class, tenant, UUID.randomUUID().toString(), status);
    }
}
