package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.service.ServiceSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.stereotype.Component;

/**
 * Scheduler of the change_log poller ({@code scheduler=#relayWakeup}): runs a poll as soon as a
 * capture trigger sends NOTIFY, and every {@code poll-interval} as a fallback, so latency is not
 * bounded by the poll delay.
 *
 * <p>Its dedicated connection also holds the relay's session advisory lock: only the instance
 * holding it polls, so several hub instances never publish the same rows twice at once; when the
 * holder dies its backend ends, the lock is released and another instance takes over within one
 * poll interval. The connection is checked before every poll, since a dead backend has lost the lock.
 */
@Component("relayWakeup")
@ConditionalOnRole("hub")
public class RelayWakeupScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler {

    static final String CHANNEL = "suitesync_change_log";
    private static final Logger log = LoggerFactory.getLogger(RelayWakeupScheduler.class);
    private static final long WAIT_SLICE_MILLIS = 100;

    private final DataSourceProperties database;
    private final long pollIntervalMillis;
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private CamelContext camelContext;
    private volatile Runnable task;
    private volatile boolean running;
    private volatile boolean leader;
    private Thread thread;
    private Connection connection;

    public RelayWakeupScheduler(DataSourceProperties database, HubProperties config) {
        this.database = database;
        this.pollIntervalMillis = config.relay().pollInterval().toMillis();
    }

    /** Runs a poll now (admin "process now"). */
    public void wakeUp() {
        wakeRequested.set(true);
    }

    public boolean isLeader() {
        return leader;
    }

    @Override
    public void onInit(Consumer consumer) {
        // nothing to prepare: the consumer hands over its poll task in scheduleTask
    }

    @Override
    public void scheduleTask(Runnable task) {
        this.task = task;
    }

    @Override
    public void unscheduleTask() {
        this.task = null;
    }

    @Override
    public synchronized void startScheduler() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "relay-wakeup");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public boolean isSchedulerStarted() {
        return running;
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.join(30_000);
        }
        thread = null;
    }

    private void loop() {
        while (running) {
            try {
                ensureLeadership();
                Runnable poll = task;
                if (leader && poll != null) {
                    poll.run();
                }
                waitForWork();
            } catch (SQLException e) {
                log.warn("relay lost its PostgreSQL connection ({}); retrying in {} ms", e.getMessage(), pollIntervalMillis);
                closeConnection();
                pause(pollIntervalMillis);
            } catch (RuntimeException e) {
                log.error("relay poll failed", e);
                pause(pollIntervalMillis);
            }
        }
        closeConnection();
    }

    private void ensureLeadership() throws SQLException {
        if (connection != null && !connection.isValid(2)) {
            closeConnection();
        }
        if (connection == null) {
            // not from the pool: a pooled connection given back would keep the lock and the LISTEN
            connection = DriverManager.getConnection(database.determineUrl(), database.determineUsername(),
                    database.determinePassword());
            try (Statement s = connection.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
        }
        if (!leader) {
            try (Statement s = connection.createStatement();
                 var rs = s.executeQuery("SELECT pg_try_advisory_lock(hashtext('suitesync:relay'))")) {
                rs.next();
                leader = rs.getBoolean(1);
            }
            if (leader) {
                log.info("this instance now runs the change_log relay");
            }
        }
    }

    /** Returns on a notification, a wake-up request, the fallback interval, or stop. */
    private void waitForWork() throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        // a notification read off the socket by the validity check is already queued in the driver;
        // the timed call would only look for new ones and sleep a whole slice on top of it
        if (hasAny(pg.getNotifications())) {
            return;
        }
        long deadline = System.currentTimeMillis() + pollIntervalMillis;
        while (running && !wakeRequested.getAndSet(false)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            if (hasAny(pg.getNotifications((int) Math.min(left, WAIT_SLICE_MILLIS)))) {
                return;
            }
        }
    }

    private static boolean hasAny(PGNotification[] notifications) {
        return notifications != null && notifications.length > 0;
    }

    private void closeConnection() {
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

    private void pause(long millis) {
        long until = System.currentTimeMillis() + millis;
        while (running && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(WAIT_SLICE_MILLIS, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
