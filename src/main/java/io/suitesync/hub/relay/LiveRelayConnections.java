package io.suitesync.hub.relay;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The live lane's own connections to PostgreSQL (its claim, {@code sql/relay/claim-live.sql}, and its
 * {@link RelayLedger}'s acknowledgements, retries and parking), on which every prepared statement
 * runs its generic plan ({@code plan_cache_mode = force_generic_plan}, set once per connection after
 * the shared pool's own {@code connection-init-sql}).
 *
 * <p>The live lane runs the same two statements for every change or two, with values that differ
 * from call to call (the rows acknowledged, the tenant cursor). On the shared pool PostgreSQL chose a
 * custom plan for every execution of the acknowledgement (pg_stat_statements with
 * {@code track_planning}, 3,000 live changes of ten quiet tenants: 3,033 plans for 3,033 calls, 0.10 ms
 * of planning against 0.04 ms of execution each); here it plans each statement once per connection.
 * The claim's steps are primary-key and {@code (tenant_id, change_id)} probes whatever the values, so
 * its generic plan reads what a custom one would (psql, 200,000 changes of one tenant queued: 0.46-0.65
 * ms against 0.39-0.46 ms of planning plus 0.56-0.79 ms of execution). The bulk lane, whose claims are
 * few and large, stays on the shared pool, where PostgreSQL chooses.
 *
 * <p>A pool of two (the lane's claim thread and its publisher), with the shared pool's settings
 * otherwise (URL, credentials, timeouts); it opens its connections when first asked, like the shared
 * one, so a hub started while PostgreSQL is down starts all the same. Where the shared pool is not
 * Hikari's, the live lane uses it as it is.
 */
public class LiveRelayConnections implements AutoCloseable {

    static final String POOL_NAME = "suitesync-relay-live";
    static final String GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan";
    static final int POOL_SIZE = 2;

    private final DataSource dataSource;
    private final HikariDataSource own;

    public LiveRelayConnections(DataSource shared) {
        if (shared instanceof HikariDataSource hikari) {
            HikariConfig config = new HikariConfig();
            hikari.copyStateTo(config);
            config.setPoolName(POOL_NAME);
            config.setMaximumPoolSize(POOL_SIZE);
            config.setMinimumIdle(POOL_SIZE);
            // after whatever the shared pool runs first (application.yml: SET jit = off)
            String first = config.getConnectionInitSql();
            config.setConnectionInitSql(first == null || first.isBlank() ? GENERIC_PLANS : first + "; " + GENERIC_PLANS);
            // like Spring Boot's own pool: started by the first getConnection, not here
            HikariDataSource pool = new HikariDataSource();
            config.copyStateTo(pool);
            this.own = pool;
            this.dataSource = pool;
        } else {
            this.own = null;
            this.dataSource = shared;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public JdbcTemplate jdbcTemplate() {
        return new JdbcTemplate(dataSource);
    }

    @Override
    public void close() {
        if (own != null) {
            own.close();
        }
    }
}
