package io.suitesync.testsupport;

import io.suitesync.common.EmbeddedServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server of the test's own on a free port, for outage tests: stop and start it at will
 * without touching the machine's shared Redis. It keeps an append-only file in a temporary folder,
 * as a production Redis would, so what it acknowledged before a restart is still there after;
 * {@link #withoutPersistence()} keeps nothing, so a restart comes back empty.
 *
 * <p>A test class registers it as a static extension, which stops it after the class, and points its
 * context at it:
 * <pre>
 * &#64;RegisterExtension
 * static final PrivateRedis REDIS = new PrivateRedis();
 *
 * &#64;DynamicPropertySource
 * static void redis(DynamicPropertyRegistry registry) {
 *     REDIS.register(registry);
 * }
 * </pre>
 */
public class PrivateRedis implements AutoCloseable, AfterAllCallback {

    /** A cluster node also listens on its port + 10000 (the cluster bus), so its port must be at most 55535. */
    private static final int MAX_CLUSTER_PORT = 65535 - 10000;

    private final int port;
    private final boolean cluster;
    private final RedisServer server;

    public PrivateRedis() {
        this(false, false, true);
    }

    private PrivateRedis(boolean cluster, boolean installed, boolean persistent) {
        this.cluster = cluster;
        int free = EmbeddedServers.freePort();
        while (cluster && free > MAX_CLUSTER_PORT) {
            free = EmbeddedServers.freePort();
        }
        this.port = free;
        try {
            Path dir = Files.createTempDirectory("private-redis");
            dir.toFile().deleteOnExit();
            var builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly " + (persistent ? "yes" : "no"))
                    .setting("appendfsync always").setting("dir " + dir);
            if (installed) {
                builder.executableProvider(ExecutableProvider.newExecutableInPath("redis-server"));
            }
            if (cluster) {
                builder.setting("cluster-enabled yes").setting("cluster-config-file nodes-" + port + ".conf");
            }
            server = builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
        if (cluster) {
            serveAllSlots();
        }
    }

    /**
     * A one-node Redis Cluster: cluster mode on, every hash slot assigned to this node. Clients
     * configured through {@code spring.data.redis.cluster.nodes} talk the cluster protocol to it.
     */
    public static PrivateRedis cluster() {
        return new PrivateRedis(true, false, true);
    }

    /**
     * The machine's own {@code redis-server} (found on the PATH) instead of the embedded one, which is
     * Redis 6.2: for tests of what only a current Redis has, such as Redis 7's ACL rules.
     */
    public static PrivateRedis installed() {
        return new PrivateRedis(false, true, true);
    }

    /** A one-node Redis Cluster ({@link #cluster()}) of the machine's own {@code redis-server} ({@link #installed()}). */
    public static PrivateRedis installedCluster() {
        return new PrivateRedis(true, true, true);
    }

    /** A server that keeps nothing on disk: after {@link #stop()} and {@link #start()} it is empty. */
    public static PrivateRedis withoutPersistence() {
        return new PrivateRedis(false, false, false);
    }

    public String node() {
        return "127.0.0.1:" + port;
    }

    /** Points a Spring test context at this server: {@code spring.data.redis.url}, or the cluster's node. */
    public void register(DynamicPropertyRegistry registry) {
        if (cluster) {
            registry.add("spring.data.redis.cluster.nodes", this::node);
        } else {
            registry.add("spring.data.redis.url", this::url);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void serveAllSlots() {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url());
        try (var connection = client.connect()) {
            int[] slots = java.util.stream.IntStream.range(0, 16384).toArray();
            connection.sync().clusterAddSlots(slots);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (!connection.sync().clusterInfo().contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the one-node cluster did not come up: " + connection.sync().clusterInfo());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(50).toNanos());
            }
        } finally {
            client.shutdown();
        }
    }

    /** Standalone only: a cluster's clients take {@link #node()}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (server.isActive()) {
            stop();
        }
    }
}
