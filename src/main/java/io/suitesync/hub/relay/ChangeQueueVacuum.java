package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.StatementCallback;
import org.springframework.stereotype.Component;

/**
 * Vacuums change_queue after every {@code queue-vacuum-rows} rows the relay has taken off it.
 *
 * <p>change_queue is a queue: rows are inserted at one end of each tenant's index range and deleted at
 * the other. Until a vacuum, a deleted row's index entries stay, and a claim that probes a tenant's range
 * from its old end (the bulk claim's turn of a draining tenant) or crosses a drained tenant's range steps
 * over all of them first: after a tenant drained 1,000,000 changes the lanes' tenant walk took 7-10 ms
 * instead of 1.7 ms on every claim, and the first probe after a batch of deletions 20-250 ms (it marks
 * the entries dead), until autovacuum came round (a minute later at the earliest, after 20 % of the
 * table's rows by default). A vacuum of a 1,000,000-row queue with 100,000 deleted rows takes about 65 ms.
 * It runs with {@code SKIP_LOCKED} (an autovacuum already on the table is left to finish) and on the
 * leader only: only a relay that acknowledges counts rows.
 */
@Component("changeQueueVacuum")
@ConditionalOnRole("hub")
public class ChangeQueueVacuum {

    private static final Logger log = LoggerFactory.getLogger(ChangeQueueVacuum.class);
    static final long QUIET_MILLIS = 10_000;

    private final JdbcTemplate jdbc;
    private final RelayLedger ledger;
    private final long everyRows;
    private final AtomicLong vacuumedAt = new AtomicLong();
    private volatile long vacuumedAtMillis = System.currentTimeMillis();
    private volatile boolean refused;

    public ChangeQueueVacuum(JdbcTemplate jdbc, RelayLedger ledger, HubProperties config) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.everyRows = config.relay().queueVacuumRows();
    }

    /**
     * Vacuums change_queue if at least {@code queue-vacuum-rows} rows left it since the last vacuum, or a
     * fiftieth of that ({@code queue-vacuum-rows} / 50) and {@value #QUIET_MILLIS} ms went by (what the end
     * of a drain left, or steady live traffic); returns whether it did. One that found the table locked
     * (an autovacuum or ANALYZE on it) is tried again at the next call; one PostgreSQL refuses (the hub's
     * user does not own the table) is logged once and not tried again: autovacuum is then the only one.
     */
    public boolean vacuumIfDue() {
        long acknowledged = ledger.acknowledgedRows();
        long since = acknowledged - vacuumedAt.get();
        boolean due = since >= everyRows
                || since >= Math.max(1, everyRows / 50) && System.currentTimeMillis() - vacuumedAtMillis >= QUIET_MILLIS;
        if (everyRows <= 0 || refused || !due) {
            return false;
        }
        long previousAt = vacuumedAt.getAndSet(acknowledged);
        long previousMillis = vacuumedAtMillis;
        vacuumedAtMillis = System.currentTimeMillis();
        try {
            // INDEX_CLEANUP ON: the index entries are what the claims step over, and PostgreSQL skips
            // the index pass by default when fewer than 2 % of the table's pages have dead rows
            String warning = jdbc.execute((StatementCallback<String>) statement -> {
                statement.execute("VACUUM (SKIP_LOCKED, INDEX_CLEANUP ON) change_queue");
                return statement.getWarnings() == null ? null : String.valueOf(statement.getWarnings().getMessage());
            });
            if (warning == null) {
                log.debug("vacuumed change_queue after {} rows taken off it", acknowledged - previousAt);
                return true;
            }
            if (warning.contains("owner") || warning.contains("permission")) {
                // PostgreSQL skips a table the user may not vacuum with a warning, not an error
                refuse(warning);
            } else {
                // "skipping vacuum of change_queue --- lock not available": an autovacuum or ANALYZE has the
                // table now
                retryAtNextTick(acknowledged, previousAt, previousMillis);
            }
            return false;
        } catch (DataAccessException e) {
            if (e.getMessage() != null && e.getMessage().contains("permission")) {
                refuse(e.getMessage());
            } else {
                // PostgreSQL unreachable, the pool exhausted, ...
                retryAtNextTick(acknowledged, previousAt, previousMillis);
                log.debug("vacuum of change_queue failed, tried again at the next tick", e);
            }
            return false;
        }
    }

    /** Gives up for good: autovacuum is then the only one. */
    private void refuse(String why) {
        refused = true;
        log.warn("change_queue is not vacuumed by the relay (left to autovacuum): {}", why);
    }

    /** Undoes this attempt's bookkeeping, so the next call is due again. */
    private void retryAtNextTick(long acknowledged, long previousAt, long previousMillis) {
        vacuumedAt.compareAndSet(acknowledged, previousAt);
        vacuumedAtMillis = previousMillis;
    }
}
