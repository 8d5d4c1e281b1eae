package io.suitesync.common;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.springframework.boot.SpringApplication;
import redis.embedded.RedisServer;

/**
 * Embedded PostgreSQL and Redis, started at most once per JVM, for the dev mode (the demo of
 * {@code ./mvnw spring-boot:run}) and tests on a machine without servers. Optional dependencies: the
 * packaged jar does not carry them. Both stop when the JVM exits, after the Spring contexts have closed
 * (PostgreSQL's own JVM shutdown hook stopped it while the routes were still stopping, which then
 * waited for their connections; embedded Redis always registers its own hook, so it may stop first).
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
                postgres = EmbeddedPostgres.builder().setPort(portOr(POSTGRES_PORT))
                        .setRegisterShutdownHook(false).start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
            SpringApplication.getShutdownHandlers().add(EmbeddedServers::closePostgres);
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
            SpringApplication.getShutdownHandlers().add(EmbeddedServers::closeRedis);
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
