package io.suitesync.hub.relay;

import io.micrometer.core.instrument.Counter;
import io.suitesync.hub.HubProperties;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;

/**
 * Scheduler of a relay lane's change_log poller ({@code scheduler=#relayWakeup}, {@code #relayLiveWakeup};
 * {@link RelayLanesConfiguration}): runs a poll as soon as a
 * capture trigger sends NOTIFY, and every {@code poll-interval} as a fallback, so latency is not
 * bounded by the poll delay.
 *
 * <p>Only the leader polls ({@link RelayLeadership}, checked before every poll), so several hub
 * instances never publish the same rows twice at once; when the leader dies another instance takes
 * over within one poll interval. The leadership's connection is also the one that LISTENs (the live
 * lane's scheduler has a {@link RelayLeadership#follower} with its own).
 *
 * <p>It is also the poller's exception handler and poll strategy ({@code exceptionHandler=#relayWakeup},
 * {@code pollStrategy=#relayWakeup}): a claim that fails (a broken schema, a pool out of connections,
 * a statement timeout) is retried after a backoff that doubles from {@code poll-interval} up to
 * {@value #MAX_BACKOFF_MILLIS} ms whatever NOTIFYs arrive, with one WARN when claims start failing and
 * one a minute while they keep failing, instead of a stack trace per NOTIFY;
 * {@code suitesync.relay.claim.errors} counts the failed claims.
 */
public class RelayWakeupScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler, ExceptionHandler,
        PollingConsumerPollStrategy {

    private static final Logger log = LoggerFactory.getLogger(RelayWakeupScheduler.class);
    private static final long WAIT_SLICE_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 10_000;
    private static final long FAILURE_LOG_EVERY_MILLIS = 60_000;

    private final RelayLeadership leadership;
    private final long pollIntervalMillis;
    private final RelayMetrics metrics;
    private final String threadName;
    private final long idlePauseMillis;
    private final DeliveryProtocol protocol;
    /** After a failed {@link #flushAcknowledgements}, the next waits until then (nanoTime), not the next slice. */
    private long flushAgainAt;
    private final Counter claims;
    /** Messages the last poll made (camel-sql, through {@link #commit}): 0 when its claim found nothing. */
    private volatile int lastPolled;
    /** Set by the poller (on this scheduler's thread) when a poll failed; taken after each poll. */
    private volatile Throwable pollFailure;
    /** Set by the poller when a claim ran through; taken after each poll. */
    private volatile boolean pollSucceeded;
    private int failedPolls;
    private long failingSince;
    private long lastFailureLog;
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private CamelContext camelContext;
    private volatile Runnable task;
    private volatile boolean running;
    private Thread thread;

    /**
     * The scheduler of one relay lane ({@code bulk}, {@code live}: its thread is {@code relay-<lane>}); how long it waits at least after a claim that
     * took everything it found before the next one, however many NOTIFYs come (the bulk lane's claim walks
     * every tenant with queued changes; live traffic need not make it walk on every commit); and the lane's
     * protocol: when its last claim that took rows may have left more queued
     * ({@link DeliveryProtocol#moreMayBeWaiting}) the next claim follows at once, as a greedy poller's would,
     * else it waits for a NOTIFY, or until an acknowledgement left for the next claim is due
     * ({@link DeliveryProtocol#acknowledgementDueInMillis}).
     */
    public RelayWakeupScheduler(RelayLeadership leadership, HubProperties config, RelayMetrics metrics, String lane,
                                long idlePauseMillis, DeliveryProtocol protocol) {
        this.leadership = leadership;
        this.pollIntervalMillis = config.relay().pollInterval().toMillis();
        this.metrics = metrics;
        this.threadName = "relay-" + lane;
        this.claims = metrics.claims(lane);
        this.idlePauseMillis = idlePauseMillis;
        this.protocol = protocol;
        this.flushAgainAt = System.nanoTime();
    }

    /** Runs a poll now (admin "process now"). */
    public void wakeUp() {
        wakeRequested.set(true);
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
        thread = new Thread(this::loop, threadName);
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
                boolean leader = leadership.ensure();
                Runnable poll = task;
                if (leader && poll != null) {
                    lastPolled = -1;
                    poll.run();
                    if (backedOffAfterFailure()) {
                        continue;
                    }
                    if (lastPolled > 0 && protocol.moreMayBeWaiting()) {
                        continue; // the next batch now (the poller is not greedy: this loop is)
                    }
                    if (idlePauseMillis > 0) {
                        pause(idlePauseMillis);
                    }
                }
                waitForWork(leader);
            } catch (SQLException e) {
                log.warn("relay lost its PostgreSQL connection ({}); retrying in {} ms", e.getMessage(), pollIntervalMillis);
                leadership.abandon();
                flushAcknowledgements(false);
                pause(pollIntervalMillis);
            } catch (RuntimeException e) {
                log.error("relay poll failed", e);
                pause(pollIntervalMillis);
            }
        }
        // no claim of the lane runs any more: what waits for one, or a claim carried without returning, goes now
        flushAcknowledgements(true);
        leadership.release();
    }

    /**
     * Acknowledges what waits for the lane's next claim in a statement of its own; when PostgreSQL refuses,
     * they wait for the next claim, or the next try a poll interval later.
     */
    private void flushAcknowledgements(boolean andCarried) {
        try {
            protocol.flushAcknowledgements(andCarried);
        } catch (RuntimeException e) {
            flushAgainAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pollIntervalMillis);
            log.debug("acknowledging published changes failed ({}); they stay queued until the next claim", e.getMessage());
        }
    }

    /**
     * After a poll: if it failed, counts and (rate-limited) logs the failure and waits out the
     * backoff; returns whether it did, so the next claim follows the backoff, not the next NOTIFY.
     */
    private boolean backedOffAfterFailure() {
        Throwable failure = pollFailure;
        boolean succeeded = pollSucceeded;
        pollFailure = null;
        pollSucceeded = false;
        long now = System.currentTimeMillis();
        if (failure == null) {
            // no claim at all (the route suspended, say) says nothing about whether claims work
            if (succeeded && failedPolls > 0) {
                log.info("relay claims work again, after {} failed attempts over {} s", failedPolls,
                        (now - failingSince) / 1000);
                failedPolls = 0;
            }
            return false;
        }
        failedPolls++;
        metrics.recordClaimError();
        long backoff = backoffMillis(pollIntervalMillis, failedPolls);
        if (failedPolls == 1) {
            failingSince = now;
        }
        if (failedPolls == 1 || now - lastFailureLog >= FAILURE_LOG_EVERY_MILLIS) {
            lastFailureLog = now;
            Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
            log.warn("relay claim failed{}: {}; retrying in {} ms", failedPolls == 1 ? ""
                    : " " + failedPolls + " times in a row over " + (now - failingSince) / 1000 + " s",
                    cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage(), backoff);
            log.debug("relay claim failure", failure);
        }
        pause(backoff);
        return true;
    }

    /** The wait before claim attempt {@code failedPolls + 1}: poll-interval, doubling, at most MAX_BACKOFF_MILLIS. */
    static long backoffMillis(long pollIntervalMillis, int failedPolls) {
        long cap = Math.max(pollIntervalMillis, MAX_BACKOFF_MILLIS);
        return Math.min(cap, pollIntervalMillis << Math.min(failedPolls - 1, 20));
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        // a claim that found nothing routed nothing: what it acknowledged is done here
        protocol.claimReturned();
        claims.increment();
        pollSucceeded = true;
        lastPolled = polledMessages;
    }

    /** No immediate retry: the failure reaches {@link #handleException} and the loop backs off. */
    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        return false;
    }

    @Override
    public void handleException(Throwable exception) {
        pollFailure = exception;
    }

    @Override
    public void handleException(String message, Throwable exception) {
        pollFailure = exception;
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        pollFailure = exception;
    }

    /** Returns on a notification, a wake-up request, the fallback interval, or stop. */
    private void waitForWork(boolean leader) throws SQLException {
        // a notification read off the socket by the validity check is already queued in the driver;
        // the timed call would only look for new ones and sleep a whole slice on top of it
        if (leadership.notified(0)) {
            return;
        }
        long deadline = System.currentTimeMillis() + pollIntervalMillis;
        while (running && !wakeRequested.getAndSet(false)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            long wait = Math.min(left, WAIT_SLICE_MILLIS);
            long acknowledgementDue = protocol.acknowledgementDueInMillis();
            if (acknowledgementDue >= 0 && System.nanoTime() - flushAgainAt >= 0) {
                if (acknowledgementDue == 0) {
                    // no claim came to carry it: traffic stopped
                    flushAcknowledgements(false);
                    continue;
                }
                wait = Math.min(wait, acknowledgementDue);
            }
            if (leadership.notified((int) wait)) {
                return;
            }
            // a follower (the live lane) claims as soon as its instance takes the lead, e.g. at start,
            // not a poll interval later: until its first claim Camel's readiness check reports it DOWN
            if (!leader && leadership.isLeader()) {
                return;
            }
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
