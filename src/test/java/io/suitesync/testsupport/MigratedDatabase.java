package io.suitesync.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A database of its own on the test server ({@link TestServers}), with SuiteSync's migrations and the
 * Wrapper schema, for plain JUnit tests of SQL without a Spring context: created before the class's
 * tests, dropped after them.
 */
public class MigratedDatabase implements BeforeAllCallback, AfterAllCallback {

    private String name;
    private String url;
    private SingleConnectionDataSource dataSource;

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        name = "suitesync_u_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name);
        url = TestServers.withDatabase(TestServers.postgresServerUrl(), name);
        Flyway.configure().dataSource(url, null, null)
                .locations("classpath:db/migration", "classpath:db/wrapper").outOfOrder(true).load().migrate();
        dataSource = new SingleConnectionDataSource(url, true);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (dataSource != null) {
            dataSource.destroy();
        }
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    /** JDBC URL of the database (user included). */
    public String url() {
        return url;
    }

    /** One connection, in auto-commit, as a pool would lend it. */
    public JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestServers.postgresServerUrl()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
