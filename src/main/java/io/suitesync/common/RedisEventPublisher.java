package io.suitesync.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;

/**
 * Writes events to Redis in one pipeline per call: XADD to {@code {app}:{tenant}:events} (trimmed as
 * {@link StreamTrimPolicy} says for that stream) and PUBLISH to the live channel. Returns
 * only when Redis has answered every command, and says which events Redis refused ({@link #publishEach})
 * or throws ({@link #publish}), so a caller that marks its source rows afterwards never marks an event
 * Redis did not take.
 *
 * <p>It writes through a dedicated Lettuce connection with auto-flush off, from the client Spring Boot
 * configured (standalone, Sentinel or Cluster): the whole batch goes out in one write and the
 * futures are awaited together, about twice the rate of a Spring Data Redis pipeline (measured by
 * RelayBench). The relay's live lane writes through a publisher of its own
 * ({@code liveRedisEventPublisher}, RelayLanesConfiguration) on a client with its own I/O thread
 * ({@link DedicatedRedisClient}), so its few events never queue behind a bulk batch's thousands on the
 * wire, in Lettuce's encoder or in Redis. On a Redis Cluster Lettuce routes each command to its slot's node; each reply still
 * belongs to its own command, so a refused event is known there too (Spring Data's pipeline reports
 * only that something failed). RedisClusterIT runs the relay on a one-node cluster.
 */
@Component("redisEventPublisher")
@Primary
public class RedisEventPublisher implements DisposableBean {

    private static final byte[] FIELD_EVENT_ID = bytes("eventId");
    private static final byte[] FIELD_EVENT_TYPE = bytes("eventType");
    private static final byte[] FIELD_EVENT = bytes("event");

    /**
     * Error replies that say the server cannot take writes at all, not that one key is wrong: the
     * batch fails as a whole and is retried, as during an outage, instead of parking its rows.
     */
    private static final List<String> SERVER_WIDE_ERRORS = List.of("OOM", "READONLY", "LOADING", "BUSY",
            "MASTERDOWN", "MISCONF", "NOREPLICAS", "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK", "NOAUTH", "NOPERM");

    private final SyncEventWriter writer;
    private final StreamTrimPolicy trimming;
    private final AbstractRedisClient client;
    private final Duration timeout;
    /** The client this publisher runs on when it has one of its own, closed with it; else null. */
    private final DedicatedRedisClient ownClient;
    private StatefulConnection<byte[], byte[]> connection;
    private RedisStreamAsyncCommands<byte[], byte[]> streams;
    private BaseRedisAsyncCommands<byte[], byte[]> channels;

    @Autowired
    public RedisEventPublisher(ObjectMapper mapper, RedisConnectionFactory factory, RedisProperties redisProperties,
                               StreamTrimPolicy trimming) {
        this(mapper, factory, redisProperties, trimming, null);
    }

    /**
     * A publisher on a Redis client like {@code shared}'s with an I/O thread of its own named
     * {@code threadName} ({@link DedicatedRedisClient}), closed with it.
     */
    public static RedisEventPublisher onOwnClient(ObjectMapper mapper, RedisConnectionFactory shared,
                                                  RedisProperties redisProperties, StreamTrimPolicy trimming,
                                                  String threadName) {
        DedicatedRedisClient own = new DedicatedRedisClient(lettuce(shared), threadName);
        return new RedisEventPublisher(mapper, own.factory(), redisProperties, trimming, own);
    }

    private RedisEventPublisher(ObjectMapper mapper, RedisConnectionFactory factory, RedisProperties redisProperties,
                                StreamTrimPolicy trimming, DedicatedRedisClient ownClient) {
        this.ownClient = ownClient;
        this.writer = new SyncEventWriter(mapper);
        this.trimming = trimming;
        this.client = lettuce(factory).getNativeClient();
        this.timeout = redisProperties.getTimeout() == null ? Duration.ofSeconds(5) : redisProperties.getTimeout();
    }

    /** The factory as Lettuce's, started: SuiteSync writes events through Lettuce's own client. */
    private static LettuceConnectionFactory lettuce(RedisConnectionFactory factory) {
        if (!(factory instanceof LettuceConnectionFactory lettuce) || lettuce.getNativeClient() == null) {
            throw new IllegalStateException("SuiteSync writes events through Lettuce; the Redis connection factory is "
                    + factory.getClass().getName());
        }
        return lettuce;
    }

    /**
     * Publishes the events; returns how many were written. Throws if Redis refused any of them, so
     * a caller that cannot set single events aside (a backfill page) fails as a whole.
     */
    public int publish(List<OutboundEvent> events) {
        Map<Integer, String> refused = publishEach(events);
        if (!refused.isEmpty()) {
            throw new RedisSystemException("Redis refused an event write: " + refused.values().iterator().next(), null);
        }
        return events.size();
    }

    /**
     * Publishes the events and returns the ones Redis refused by their index in {@code events}, with
     * Redis's error: an error reply that concerns one key, such as WRONGTYPE when something else
     * holds a stream's name. The rest are written. Errors of the whole server (out of memory, a
     * read-only replica, loading, busy, …) and a connection or timeout failure throw instead: they
     * are outages, which pause the relay rather than fail rows.
     */
    public Map<Integer, String> publishEach(List<OutboundEvent> events) {
        if (events.isEmpty()) {
            return Map.of();
        }
        // serialize, queue every command, write them in one flush, then await every reply. Only the
        // queueing holds the lock: the relay and backfill jobs share the connection, and one
        // serializes or waits for its replies while the other's batch is on the wire
        byte[][] payloads = new byte[events.size()][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = writer.write(events.get(i).event());
        }
        List<RedisFuture<?>> replies = send(events, payloads);
        Map<Integer, String> refused = new TreeMap<>();
        int[] owners = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int r = 0; r < replies.size(); r++) {
            try {
                replies.get(r).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                owners = owners == null ? commandOwners(events) : owners;
                refused.putIfAbsent(owners[r], refusal(e.getCause()));
            } catch (TimeoutException e) {
                // the connection may hold half-answered commands: start the next batch on a fresh one
                closeConnection();
                throw new QueryTimeoutException("Redis did not answer within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisSystemException("interrupted while waiting for Redis", e);
            }
        }
        return refused;
    }

    /** The event of each command sent for {@code events}: an XADD per event, then a PUBLISH when live. */
    private static int[] commandOwners(List<OutboundEvent> events) {
        int[] owners = new int[events.size() * 2];
        int command = 0;
        for (int i = 0; i < events.size(); i++) {
            owners[command++] = i;
            if (events.get(i).live()) {
                owners[command++] = i;
            }
        }
        return owners;
    }

    /**
     * Redis's error for one command, if it concerns that command alone; throws for anything that
     * concerns the whole server or connection.
     */
    static String refusal(Throwable cause) {
        if (cause instanceof RedisCommandExecutionException && cause.getMessage() != null
                && SERVER_WIDE_ERRORS.stream().noneMatch(cause.getMessage()::startsWith)) {
            return cause.getMessage();
        }
        throw new RedisSystemException("Redis refused an event write: "
                + (cause == null ? "unknown error" : cause.getMessage()), cause);
    }

    private synchronized List<RedisFuture<?>> send(List<OutboundEvent> events, byte[][] payloads) {
        StatefulConnection<byte[], byte[]> conn = connection();
        List<RedisFuture<?>> replies = new ArrayList<>(events.size() * 2);
        try {
            for (int i = 0; i < events.size(); i++) {
                OutboundEvent out = events.get(i);
                byte[] payload = payloads[i];
                Map<byte[], byte[]> body = new LinkedHashMap<>(4);
                body.put(FIELD_EVENT_ID, bytes(out.event().eventId()));
                body.put(FIELD_EVENT_TYPE, bytes(out.event().eventType()));
                body.put(FIELD_EVENT, payload);
                String stream = out.stream();
                replies.add(streams.xadd(bytes(stream), trimming.argsFor(stream), body));
                if (out.live()) {
                    replies.add(channels.publish(bytes(out.channel()), payload));
                }
            }
        } finally {
            conn.flushCommands();
        }
        return replies;
    }

    private StatefulConnection<byte[], byte[]> connection() {
        if (connection == null || !connection.isOpen()) {
            if (client instanceof RedisClusterClient cluster) {
                StatefulRedisClusterConnection<byte[], byte[]> clustered = cluster.connect(ByteArrayCodec.INSTANCE);
                streams = clustered.async();
                channels = clustered.async();
                connection = clustered;
            } else {
                StatefulRedisConnection<byte[], byte[]> single = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
                streams = single.async();
                channels = single.async();
                connection = single;
            }
            connection.setAutoFlushCommands(false);
        }
        return connection;
    }

    private synchronized void closeConnection() {
        if (connection != null) {
            connection.closeAsync();
            connection = null;
        }
    }

    @Override
    public void destroy() {
        closeConnection();
        if (ownClient != null) {
            ownClient.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
