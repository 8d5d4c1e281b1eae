package io.suitesync.testsupport;

import io.suitesync.common.EmbeddedServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.springframework.boot.SpringApplication;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The real PostgreSQL and Redis the tests run against, chosen once per JVM:
 * <ol>
 *   <li>the servers named by {@code SUITESYNC_TEST_POSTGRES_URL} / {@code SUITESYNC_TEST_REDIS_URL} (CI sets them);</li>
 *   <li>else Testcontainers, when a Docker engine answers;</li>
 *   <li>else the embedded servers.</li>
 * </ol>
 * Every Spring context gets a database of its own ({@link #newDatabase()}), so contexts kept alive
 * by Spring's test context cache never consume each other's change_log rows.
 */
public final class TestServers {

    private static String postgresServerUrl;
    private static String redisUrl;

    private TestServers() {}

    /** JDBC URL (with user) of a server-level database to issue CREATE DATABASE on. */
    public static synchronized String postgresServerUrl() {
        if (postgresServerUrl == null) {
            String fromEnv = System.getenv("SUITESYNC_TEST_POSTGRES_URL");
            if (fromEnv != null && !fromEnv.isBlank()) {
                postgresServerUrl = fromEnv;
            } else if (dockerAvailable()) {
                PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:15-alpine");
                container.start();
                postgresServerUrl = container.getJdbcUrl() + "&user=" + container.getUsername()
                        + "&password=" + container.getPassword();
            } else {
                postgresServerUrl = EmbeddedServers.postgresJdbcUrl();
            }
        }
        return postgresServerUrl;
    }

    public static synchronized String redisUrl() {
        if (redisUrl == null) {
            String fromEnv = System.getenv("SUITESYNC_TEST_REDIS_URL");
            if (fromEnv != null && !fromEnv.isBlank()) {
                redisUrl = fromEnv;
            } else if (dockerAvailable()) {
                GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                container.start();
                redisUrl = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
            } else {
                redisUrl = "redis://127.0.0.1:" + EmbeddedServers.redisPort();
            }
        }
        return redisUrl;
    }

    /** Creates an empty database on the test server and returns its JDBC URL (user included). */
    public static String newDatabase() {
        String server = postgresServerUrl();
        String name = "suitesync_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + server, e);
        }
        // after the Spring contexts have closed: as a JVM shutdown hook it ran beside Spring's, dropped
        // the databases of contexts still closing, and their routes then waited for connections
        // until surefire killed the fork 30 s after exit
        SpringApplication.getShutdownHandlers().add(() -> dropDatabase(server, name));
        return withDatabase(server, name);
    }

    static String withDatabase(String serverUrl, String database) {
        // jdbc:postgresql://host:port/db?params -> same with another db
        int slash = serverUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = serverUrl.indexOf('?', slash);
        return serverUrl.substring(0, slash + 1) + database + (query < 0 ? "" : serverUrl.substring(query));
    }

    private static void dropDatabase(String server, String name) {
        try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
