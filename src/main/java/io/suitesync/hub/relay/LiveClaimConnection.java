package io.suitesync.hub.relay;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The live lane's claim connection: one connection of the pool, kept for the lane, whose session plans
 * the claim once (generic plans) instead of before every claim. change-log-live reads through
 * {@link #dataSource()}, bound in Camel's registry as {@code liveClaimDataSource}
 * (RelayLanesConfiguration; not a Spring bean, so the application keeps one DataSource).
 *
 * <p>PostgreSQL chooses for each execution of a prepared statement between a plan made for its
 * parameter values (custom) and one made once for any values (generic). For the live claim it kept
 * choosing custom plans: pg_stat_statements during NoisyNeighbourBench (session 15) counted 2,265 plans
 * for 2,263 live claims, 0.6 ms of planning each against 0.4 ms of execution, and a plan for every
 * count in {@code suitesync_relay_tenants}'s walk. This session sets
 * {@code plan_cache_mode = force_generic_plan}; the claim is written for generic plans (ranges, not "=",
 * on the tenant index; one primary-key probe per claimed row). The pool's other connections keep
 * PostgreSQL's own choice. Its session also commits without waiting for the WAL flush
 * ({@code synchronous_commit = off}): the claim only reads, but it carries the acknowledgement of the lane's
 * previous batches (claim-live.sql), which commits as acknowledge.sql's does. No connection is added: the lane holds one of the pool's while the hub
 * runs. When PostgreSQL ends its session (a restart, a terminated backend) the claim fails once, the
 * pool drops the connection, and the next claim takes a fresh one.
 */
public class LiveClaimConnection implements DisposableBean {

    private static final String GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan";
    /** The acknowledgements a live claim carries commit as acknowledge.sql's do (see there for what it risks). */
    private static final String NO_FLUSH_WAIT = "SET synchronous_commit = off";
    private static final Logger log = LoggerFactory.getLogger(LiveClaimConnection.class);

    private final DataSource pool;
    private final DataSource claims;
    private Connection held;
    /** {@link #held} as the claims get it: closing it keeps the session. */
    private Connection handedOut;

    public LiveClaimConnection(DataSource pool) {
        this.pool = pool;
        this.claims = new DelegatingDataSource(pool) {
            @Override
            public Connection getConnection() throws SQLException {
                return connection();
            }
        };
    }

    /** What the live claim reads through: every connection it hands out is the lane's, and closing it keeps it. */
    public DataSource dataSource() {
        return claims;
    }

    /** The lane's connection, taken from the pool the first time and after the pool closed it. */
    synchronized Connection connection() throws SQLException {
        if (held == null || held.isClosed()) {
            Connection fresh = pool.getConnection();
            try (Statement s = fresh.createStatement()) {
                s.execute(GENERIC_PLANS);
                s.execute(NO_FLUSH_WAIT);
            } catch (SQLException e) {
                fresh.close();
                throw e;
            }
            held = fresh;
            handedOut = closeKept(fresh);
        }
        return handedOut;
    }

    private static Connection closeKept(Connection target) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Gives the connection back to the pool, with PostgreSQL's own plan choice again. */
    @Override
    public synchronized void destroy() {
        if (held == null) {
            return;
        }
        try {
            if (!held.isClosed()) {
                try (Statement s = held.createStatement()) {
                    s.execute("RESET plan_cache_mode");
                    s.execute("RESET synchronous_commit");
                }
                held.close();
            }
        } catch (SQLException e) {
            log.debug("giving back the live claim connection: {}", e.getMessage());
        }
        held = null;
        handedOut = null;
    }
}
