package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Notices that Redis came back without the data the hub published (a restart without persistence,
 * a failover to an empty replica, a flush) and republishes what change_log still holds.
 *
 * <p>The hub keeps one token in PostgreSQL ({@code relay_redis_epoch}) and the Redis key
 * {@value #MARKER_PREFIX}{token}. Every {@code redis-check-interval} (route {@code redis-data-check})
 * the relay leader looks for the key: missing while the table has a token means Redis lost its data.
 * The token is in the key's name, so hubs of different databases sharing one Redis (test
 * environments) never take each other's marker for their own. Then every published change still in change_log (within {@code retention}) goes
 * back into change_queue ({@link RelayLanes#requeuePublished}), and the relay publishes it
 * again as it did the first time: same event, same {@code eventId}, in change id order. Batches
 * claimed before the re-queue and not yet written are dropped, so they are claimed again after the
 * older changes. Logged, counted in {@code suitesync_relay_republished_total}.
 *
 * <p>Order: for every record, the last entry of the stream is its newest change. Entries written
 * between the loss and its detection (at most one check interval, plus the batch being written at
 * that moment) come before the republished older changes of their record, and again after them.
 * Historical backfill events are not in change_log: run the backfill again if consumers need them.
 */
@Component("redisDataGuard")
@ConditionalOnRole("hub")
public class RedisDataGuard {

    static final String MARKER_PREFIX = "suitesync:hub:epoch:";

    private static final Logger log = LoggerFactory.getLogger(RedisDataGuard.class);

    private final StringRedisTemplate redis;
    private final JdbcTemplate jdbc;
    private final RelayLeadership leadership;
    private final List<RelayWakeupScheduler> wakeups;
    private final RelayLanes lanes;
    private final RelayMetrics metrics;

    public RedisDataGuard(StringRedisTemplate redis, JdbcTemplate jdbc, RelayLeadership leadership,
                          List<RelayWakeupScheduler> wakeups, RelayLanes lanes, RelayMetrics metrics) {
        this.redis = redis;
        this.jdbc = jdbc;
        this.leadership = leadership;
        this.wakeups = wakeups;
        this.lanes = lanes;
        this.metrics = metrics;
    }

    /**
     * Checks the marker (relay leader only) and republishes when Redis lost it; returns the number
     * of changes queued again. While Redis is unreachable there is nothing to compare: the relay
     * pauses on its own and the next check looks again once Redis answers.
     */
    public int check() {
        if (!leadership.isLeader()) {
            return 0;
        }
        String epoch = epoch();
        boolean marked;
        try {
            marked = epoch != null && Boolean.TRUE.equals(redis.hasKey(MARKER_PREFIX + epoch));
        } catch (DataAccessException e) {
            log.debug("Redis unreachable, data check postponed: {}", e.toString());
            return 0;
        }
        if (marked) {
            return 0;
        }
        if (epoch == null) {
            return firstEpoch();
        }
        int queued = lanes.requeuePublished();
        redis.opsForValue().set(MARKER_PREFIX + epoch, Instant.now().toString());
        metrics.recordRepublished(queued);
        log.warn("Redis no longer holds the data this hub published (key {}{} missing): queued {} published changes "
                + "again; the relay republishes them with their original eventIds", MARKER_PREFIX, epoch, queued);
        wakeups.forEach(RelayWakeupScheduler::wakeUp);
        return queued;
    }

    /**
     * No token yet (a new database, or one from before V14_4): the marker goes to Redis first, the token
     * to PostgreSQL after it. A token without its marker would read as "Redis lost the data" at the
     * next check and queue every published change again, so a marker Redis refuses (it went away since
     * the check) leaves no token behind, and the next check tries again. Two hubs racing here keep
     * whichever token PostgreSQL took first; the loser's marker is removed.
     */
    private int firstEpoch() {
        String candidate = UUID.randomUUID().toString();
        try {
            redis.opsForValue().set(MARKER_PREFIX + candidate, Instant.now().toString());
        } catch (DataAccessException e) {
            log.debug("Redis unreachable, data marker not written yet: {}", e.toString());
            return 0;
        }
        jdbc.update("INSERT INTO relay_redis_epoch (epoch) VALUES (?) ON CONFLICT DO NOTHING", candidate);
        String epoch = epoch();
        if (!candidate.equals(epoch)) {
            redis.delete(MARKER_PREFIX + candidate);
        }
        log.info("Redis data marker {}{} written; a Redis that later answers without it has lost the published events",
                MARKER_PREFIX, epoch);
        return 0;
    }

    private String epoch() {
        List<String> epochs = jdbc.queryForList("SELECT epoch FROM relay_redis_epoch", String.class);
        return epochs.isEmpty() ? null : epochs.get(0);
    }
}
