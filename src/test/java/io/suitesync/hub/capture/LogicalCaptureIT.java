package io.suitesync.hub.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.common.EmbeddedServers;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Logical capture (suitesync.hub.capture.mode=logical) on a private PostgreSQL with wal_level=logical:
 * it writes the same change_log rows as the triggers, the switch from triggers loses and doubles
 * nothing while a writer keeps writing, and a hub stopped in the middle of a large transaction
 * writes each change exactly once after its restart.
 */
class LogicalCaptureIT {

    static EmbeddedPostgres postgres;
    static String server;
    /** Each test's own database and slot (slot names are cluster-wide). */
    String url;
    String slot;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().setPort(EmbeddedServers.freePort())
                .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "4")
                .setServerConfig("max_wal_senders", "4").start();
        server = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres?user=postgres";
    }

    @BeforeEach
    void newDatabase() {
        String name = "lc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        new JdbcTemplate(new DriverManagerDataSource(server)).execute("CREATE DATABASE " + name);
        url = server.replace("/postgres?", "/" + name + "?");
        slot = name;
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private ConfigurableApplicationContext hub(String mode) {
        return new SpringApplicationBuilder(SuiteSyncApplication.class).run(
                "--spring.datasource.url=" + url, "--server.port=0",
                "--spring.data.redis.url=" + TestServers.redisUrl(), "--suitesync.hub.relay.poll-interval=300ms",
                "--suitesync.hub.capture.mode=" + mode, "--suitesync.hub.capture.retry-interval=300ms",
                "--suitesync.hub.capture.slot=" + slot);
    }

    private JdbcTemplate jdbc() {
        return new JdbcTemplate(new DriverManagerDataSource(url));
    }

    /** The same statements as every kind of change the triggers capture, for one tenant. */
    private static void changes(JdbcTemplate jdbc, WrapperFixtures wrapper, String tenant) {
        UUID id = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 3, updated_by = 'admin-123' WHERE id = ?", id);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 3 WHERE id = ?", id); // changes nothing
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.bulk.' || g, g / 100.0 FROM generate_series(1, 500) g", tenant);
        jdbc.update("UPDATE credit_configurations SET is_active = false, credit_cost = credit_cost * 2 "
                + "WHERE tenant_id = ? AND operation_code LIKE 'crm.bulk.%'", tenant);
        UUID role = wrapper.role(tenant, "Sales", "crm.leads.read", "crm.leads.write");
        UUID user = wrapper.user(tenant, "ann@" + tenant + ".test");
        UUID org = wrapper.organization(tenant, "Head office", null);
        wrapper.membership(tenant, user, org, role);
        jdbc.update("UPDATE roles SET permissions = ARRAY['crm.leads.read'] WHERE id = ?", role);
        jdbc.update("DELETE FROM credit_configurations WHERE id = ?", id);
        jdbc.update("DELETE FROM credit_configurations WHERE tenant_id = ? AND operation_code LIKE 'crm.bulk.1%'", tenant);
    }

    /**
     * Commits one more change (of a tenant of its own) and waits for its change_log row: the reader writes in
     * commit order, so then every change committed before it is written, and anything written twice would be too.
     */
    private static void awaitEverythingCommittedSoFar(JdbcTemplate jdbc) {
        UUID marker = new WrapperFixtures(jdbc).creditConfig(new WrapperFixtures(jdbc).tenant(), "crm.marker", 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM change_log WHERE record_id = ?", Integer.class, marker.toString()) == 1);
    }

    /** The tenant's change_log rows without what differs between runs (ids, times, the tenant itself). */
    private static List<Map<String, Object>> captured(JdbcTemplate jdbc, String tenant) {
        return jdbc.queryForList("""
                SELECT table_name, operation, changed_fields::text AS fields,
                       regexp_replace(regexp_replace(coalesce(old_values, '{}')::text, ?, 'T', 'g'), %s, 'X', 'g') AS old_values,
                       regexp_replace(regexp_replace(coalesce(new_values, '{}')::text, ?, 'T', 'g'), %s, 'X', 'g') AS new_values,
                       regexp_replace(regexp_replace(context::text, ?, 'T', 'g'), %s, 'X', 'g') AS context, priority
                FROM change_log WHERE tenant_id = ?
                ORDER BY table_name, operation, new_values->>'operation_code', old_values->>'operation_code', fields, new_values::text
                """.formatted(VARYING, VARYING, VARYING), tenant, tenant, tenant, tenant);
    }

    /** ids and timestamps generated by the database differ from run to run */
    private static final String VARYING =
            "'\"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"|\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\"]*\"'";

    @Test
    void writesWhatTheTriggersWroteAndTheSwitchLosesAndDoublesNothing() throws Exception {
        JdbcTemplate jdbc = jdbc();
        String before;
        String after;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer;
        String steady;
        try (ConfigurableApplicationContext hub = hub("trigger")) {
            WrapperFixtures wrapper = new WrapperFixtures(jdbc);
            before = wrapper.tenant("crm");
            steady = wrapper.tenant("crm");
            changes(jdbc, wrapper, before);
            // one writer keeps committing single-row inserts across the switch from triggers to the slot
            writer = new Thread(() -> {
                JdbcTemplate own = jdbc();
                while (writing.get()) {
                    own.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) VALUES (?, ?, 1)",
                            steady, "crm.steady." + written.incrementAndGet());
                }
            });
            writer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > 50);
        }
        try (ConfigurableApplicationContext hub = hub("logical")) {
            WrapperFixtures wrapper = new WrapperFixtures(jdbc);
            after = wrapper.tenant("crm");
            changes(jdbc, wrapper, after);
            int atSwitch = written.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > atSwitch + 200);
            writing.set(false);
            writer.join();

            assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'suitesync_capture_%'",
                    Integer.class)).isZero();
            long expected = jdbc.queryForObject("SELECT count(*) FROM change_log WHERE tenant_id = ?", Long.class, before);
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM change_log WHERE tenant_id = ?", Long.class, after) >= expected);
            assertThat(captured(jdbc, after)).isEqualTo(captured(jdbc, before));

            // every row the writer committed is in change_log exactly once, before the switch or after it
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM change_log WHERE tenant_id = ?", Integer.class, steady) >= written.get());
            assertThat(jdbc.queryForMap("SELECT count(*) AS rows, count(DISTINCT record_id) AS records FROM change_log "
                    + "WHERE tenant_id = ?", steady)).containsEntry("rows", (long) written.get())
                    .containsEntry("records", (long) written.get());

            // and the relay publishes what the slot brought
            StreamReader streams = new StreamReader(hub.getBean(StringRedisTemplate.class));
            await().atMost(Duration.ofSeconds(30)).until(() -> streams.size("crm:" + after + ":events")
                    == streams.size("crm:" + before + ":events"));
            assertThat(streams.size("crm:" + after + ":events")).isGreaterThan(500);
        }
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        JdbcTemplate jdbc = jdbc();
        try (ConfigurableApplicationContext hub = hub("logical")) {
            String tenant = new WrapperFixtures(jdbc).tenant("crm");
            jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "SELECT ?, 'crm.c.' || g, 0 FROM generate_series(1, 200) g", tenant);
            // four writers committing single-row updates at once: their commit records follow each other
            // directly in the WAL (a transaction's commit may start where the previous one's ended)
            int writers = 4;
            int each = 1_500;
            List<Thread> threads = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Thread t = new Thread(() -> {
                    JdbcTemplate own = jdbc();
                    for (int i = 0; i < each; i++) {
                        own.update("UPDATE credit_configurations SET credit_cost = credit_cost + 1 "
                                + "WHERE tenant_id = ? AND operation_code = 'crm.c.' || ?", tenant,
                                1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(200));
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long updates = writers * each;
            assertThat(jdbc.queryForObject("SELECT sum(credit_cost) FROM credit_configurations WHERE tenant_id = ?",
                    Long.class, tenant)).isEqualTo(updates);
            awaitEverythingCommittedSoFar(jdbc);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM change_log WHERE tenant_id = ? AND operation = 'UPDATE'",
                    Long.class, tenant)).isEqualTo(updates);
        }
    }

    @Test
    void aHubStoppedInTheMiddleOfALargeTransactionWritesEachChangeOnce() throws Exception {
        JdbcTemplate jdbc = jdbc();
        String tenant;
        try (ConfigurableApplicationContext hub = hub("logical")) {
            tenant = new WrapperFixtures(jdbc).tenant("crm");
            jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                    + "SELECT ?, 'crm.large.' || g, 1 FROM generate_series(1, 40000) g", tenant);
            // stopped while the slot's 40,000 changes are being read and written
        }
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.down.' || g, 1 FROM generate_series(1, 100) g", tenant);
        try (ConfigurableApplicationContext hub = hub("logical")) {
            awaitEverythingCommittedSoFar(jdbc);
            assertThat(jdbc.queryForMap("SELECT count(*) AS rows, count(DISTINCT record_id) AS records FROM change_log "
                    + "WHERE tenant_id = ?", tenant)).containsEntry("rows", 40_100L).containsEntry("records", 40_100L);
            // the position written with the rows moved past the large transaction
            assertThat(jdbc.queryForObject("SELECT count(*) FROM capture_position WHERE slot_name = ? AND lsn > "
                    + "(SELECT logical_since FROM capture_table WHERE table_name = 'credit_configurations')",
                    Integer.class, slot)).isEqualTo(1);
        }
    }

    /**
     * The reader's look at whether more of the stream has arrived ({@code readPending}) answers at once
     * when nothing has: with the driver's own socket each such look waits out a millisecond, so every
     * write of change_log came at least that long after its transaction arrived.
     */
    @Test
    void theReadersLookAtAQuietStreamDoesNotWait() throws Exception {
        JdbcTemplate jdbc = jdbc();
        jdbc.execute("CREATE PUBLICATION " + slot + " FOR ALL TABLES");
        jdbc.queryForList("SELECT pg_create_logical_replication_slot(?, 'pgoutput')", slot);
        try (Connection connection = DriverManager.getConnection(url, LogicalCaptureReader.credentials(null, null, true))) {
            PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                    .logical().withSlotName(slot).withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", slot).start();
            int looks = 500;
            int empty = 0;
            long started = System.nanoTime();
            for (int i = 0; i < looks; i++) {
                if (stream.readPending() == null) {
                    empty++;
                }
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            stream.close();
            assertThat(empty).isGreaterThan(looks - 5); // nothing is written to this database meanwhile
            // the driver's socket: at least 500 ms
            assertThat(millis).isLessThan(looks / 4);
        } finally {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> jdbc.queryForList(
                    "SELECT pg_drop_replication_slot(?)", slot));
        }
    }

    @Test
    void logicalModeOnAServerWithoutLogicalWalRefusesToStartAndSaysWhy() {
        JdbcTemplate shared = new JdbcTemplate(new DriverManagerDataSource(TestServers.postgresServerUrl()));
        String level = shared.queryForObject("SHOW wal_level", String.class);
        Assumptions.assumeFalse("logical".equals(level), "the test server runs with wal_level=logical");
        String database = TestServers.newDatabase();
        assertThatThrownBy(() -> new SpringApplicationBuilder(SuiteSyncApplication.class).run(
                "--spring.datasource.url=" + database, "--server.port=0",
                "--spring.data.redis.url=" + TestServers.redisUrl(), "--suitesync.hub.capture.mode=logical").close())
                .hasStackTraceContaining("wal_level=" + level).hasStackTraceContaining("wal_level = logical");
    }
}
