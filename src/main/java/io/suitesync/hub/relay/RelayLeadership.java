package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.stereotype.Component;

/**
 * Which hub instance runs the relay: the one that holds the session advisory lock
 * {@code suitesync:relay} of its database. The lock lives on a dedicated connection, not one of the
 * pool (a pooled connection given back would keep the lock), and that connection also LISTENs to
 * the capture triggers' NOTIFY, so the leader wakes on every commit. When the leader dies its
 * backend ends and the lock with it; another instance takes it at its next {@link #ensure}. A
 * leader checks its connection before every claim, since a dead backend has lost the lock even if
 * the process still believes it holds it.
 *
 * <p>Used by one thread, the bulk lane's scheduler ({@link RelayWakeupScheduler}; the live lane's uses a
 * {@link #follower}, its own instance); {@link #isLeader}
 * may be read from any.
 */
@Component("relayLeadership")
@ConditionalOnRole("hub")
public class RelayLeadership {

    private static final String CHANNEL = "suitesync_change_log";
    /**
     * How often a follower checks its listening session: a dead one throws at the next look for
     * notifications, a silent one (no answer, no reset) only shows here; it holds no lock.
     */
    static final long FOLLOWER_CHECK_MILLIS = 1_000;
    private static final Logger log = LoggerFactory.getLogger(RelayLeadership.class);

    private final String url;
    private final String user;
    private final String password;
    /** The instance holding the lock when this one only listens for its lane ({@link #follower}); else null. */
    private final RelayLeadership lockHolder;
    private Connection connection;
    private volatile boolean leader;
    private long checkedAt;

    @Autowired
    public RelayLeadership(DataSourceProperties database) {
        this(database.determineUrl(), database.determineUsername(), database.determinePassword());
    }

    RelayLeadership(String url, String user, String password) {
        this(url, user, password, null);
    }

    private RelayLeadership(String url, String user, String password, RelayLeadership lockHolder) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.lockHolder = lockHolder;
    }

    /**
     * The leadership as a second relay lane sees it: its own session LISTENs (so the lane wakes on every
     * commit while the other lane's thread is busy draining), and it leads while this instance does.
     */
    public RelayLeadership follower() {
        return new RelayLeadership(url, user, password, this);
    }

    /**
     * Opens the session when there is none or it died, and tries to take the lock when this instance
     * does not hold it; returns whether it leads. Throws when PostgreSQL cannot be reached: the caller
     * backs off and calls again.
     */
    public boolean ensure() throws SQLException {
        if (connection != null && checkDue() && !connection.isValid(2)) {
            abandon();
        }
        if (connection == null) {
            connection = DriverManager.getConnection(url, listenProperties());
            checkedAt = System.nanoTime();
            try (Statement s = connection.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
        }
        if (lockHolder != null) {
            return lockHolder.isLeader();
        }
        if (!leader) {
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(hashtext('suitesync:relay'))")) {
                rs.next();
                leader = rs.getBoolean(1);
            }
            if (leader) {
                log.info("this instance now runs the change_log relay");
            }
        }
        return leader;
    }

    /**
     * The leader checks its session before every claim: a dead backend has lost the lock. A follower's
     * session only listens, so it is checked once every {@link #FOLLOWER_CHECK_MILLIS} ms, not at every live claim
     * (a round trip each, as much as the rest of a live change's claim).
     */
    private boolean checkDue() {
        if (lockHolder == null) {
            return true;
        }
        long now = System.nanoTime();
        if (now - checkedAt < FOLLOWER_CHECK_MILLIS * 1_000_000) {
            return false;
        }
        checkedAt = now;
        return true;
    }

    /** The session's credentials, and sockets that do not hold a wake-up back by 1 ms ({@link ListenSocketFactory}). */
    private Properties listenProperties() {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        // a socketFactory in the URL wins (the URL's parameters override these): then wake-ups wait the 1 ms
        properties.setProperty("socketFactory", ListenSocketFactory.class.getName());
        return properties;
    }

    public boolean isLeader() {
        return lockHolder != null ? lockHolder.isLeader() : leader;
    }

    /**
     * Whether a capture trigger sent NOTIFY since the last look, waiting up to {@code millis} for one
     * (0: only those the driver already read off the socket, e.g. during the validity check).
     */
    public boolean notified(int millis) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        PGNotification[] notifications = millis == 0 ? pg.getNotifications() : pg.getNotifications(millis);
        return notifications != null && notifications.length > 0;
    }

    /**
     * Ends the session, and with it the lock and the LISTEN. A leader gives the lock back first: closing a
     * connection only asks its backend to end, and another instance asking within that moment would still
     * find the lock taken. For a graceful stop; after a failed statement use {@link #abandon}.
     */
    public void release() {
        if (leader && lockHolder == null && connection != null) {
            try (Statement s = connection.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(hashtext('suitesync:relay'))");
            } catch (SQLException e) {
                log.debug("giving back the relay lock: {}", e.getMessage());
            }
        }
        abandon();
    }

    /**
     * Ends the session without another statement on it (it failed or did not answer its validity check;
     * one more could wait on a dead socket): the lock goes when PostgreSQL notices the session is gone.
     */
    public void abandon() {
        leader = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing relay connection: {}", e.getMessage());
            }
            connection = null;
        }
    }
}
