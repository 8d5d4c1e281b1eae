package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes published and skipped change_log rows older than {@code retention}, in chunks so no
 * statement holds locks for long. Queued rows stay until the relay is done with them, parked rows
 * until they are replayed (their dead letter points at them).
 */
@Component("changeLogPurger")
@ConditionalOnRole("hub")
public class ChangeLogPurger {

    private static final int CHUNK = 10_000;

    private final JdbcTemplate jdbc;
    private final HubProperties.Relay relay;

    public ChangeLogPurger(JdbcTemplate jdbc, HubProperties config) {
        this.jdbc = jdbc;
        this.relay = config.relay();
    }

    /** Returns the number of rows deleted. */
    public int purge() {
        Timestamp cutoff = Timestamp.from(Instant.now().minus(relay.retention()));
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update("DELETE FROM change_log WHERE id IN (SELECT c.id FROM change_log c "
                    + "WHERE c.changed_at < ? AND c.status IS DISTINCT FROM 'PARKED' "
                    + "AND NOT EXISTS (SELECT 1 FROM change_queue q WHERE q.change_id = c.id) LIMIT ?)", cutoff, CHUNK);
            total += deleted;
        } while (deleted == CHUNK);
        return total;
    }
}
