package io.suitesync.hub.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.hub.admin.AdminClient;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A hub stopped in the middle of a backfill: after a restart against the same database the job
 * resumes from its cursor and finishes, every record published at least once, none skipped.
 */
class BackfillResumeIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int RECORDS = 50_000;
    private static final int BATCH = 100;

    @Test
    void aJobInterruptedByAShutdownResumesFromItsCursorAfterTheRestart() {
        String database = TestServers.newDatabase();
        String[] args = {
                "--spring.datasource.url=" + database,
                "--spring.data.redis.url=" + TestServers.redisUrl(),
                "--server.port=0",
                "--suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
                "--suitesync.backfill.batch-size=" + BATCH,
                "--suitesync.backfill.lease=1s",
                "--suitesync.backfill.resume-interval=200ms"};
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database));
        String tenant;
        String jobId;
        String stream;
        StreamReader streams = new StreamReader(redis());

        ConfigurableApplicationContext first = new SpringApplicationBuilder(SuiteSyncApplication.class).run(args);
        try {
            tenant = new WrapperFixtures(jdbc).tenant();
            stream = "crm:" + tenant + ":events";
            jdbc.update("INSERT INTO entities (tenant_id, name) SELECT ?, 'Org ' || g FROM generate_series(1, ?) g", tenant, RECORDS);
            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM change_queue", Long.class) == 0);
            AdminClient admin = new AdminClient(Integer.parseInt(first.getEnvironment().getProperty("local.server.port")));
            jobId = admin.toggle(tenant, "crm", "{\"isEnabled\": true, \"skipHistoricalSync\": false}").get("jobId");
            await().atMost(WAIT).until(() -> published(jdbc, jobId) >= 20L * BATCH);
        } finally {
            first.close();
        }

        Map<String, Object> interrupted = jdbc.queryForMap("SELECT state, runs FROM backfill_job WHERE id = ?::uuid", jobId);
        long publishedBeforeRestart = published(jdbc, jobId);
        System.out.printf("resume: stopped with %d of %d published%n", publishedBeforeRestart, RECORDS);
        assertThat(interrupted).containsEntry("state", "RUNNING").containsEntry("runs", 1);
        assertThat(publishedBeforeRestart).isLessThan(RECORDS);
        assertThat(streams.size(stream)).isLessThan(RECORDS);

        ConfigurableApplicationContext second = new SpringApplicationBuilder(SuiteSyncApplication.class).run(args);
        try {
            await().atMost(WAIT).until(() -> "COMPLETED".equals(jdbc.queryForObject(
                    "SELECT state FROM backfill_job WHERE id = ?::uuid", String.class, jobId)));
            List<Map<String, Object>> events = streams.events(stream);
            Set<Object> sent = new HashSet<>();
            events.forEach(e -> sent.add(e.get("entityId")));
            List<String> all = jdbc.queryForList("SELECT id::text FROM entities WHERE tenant_id = ?", String.class, tenant);
            assertThat(sent).hasSize(RECORDS).isEqualTo(new HashSet<>(all));
            // resumed, not restarted: at most the batch in flight at the shutdown is sent twice
            assertThat(events.size()).isBetween(RECORDS, RECORDS + BATCH);
            assertThat(jdbc.queryForMap("SELECT runs, (SELECT published FROM backfill_job_kind WHERE job_id = j.id AND kind = 'ORGANIZATIONS') AS published "
                    + "FROM backfill_job j WHERE id = ?::uuid", jobId)).containsEntry("runs", 2).containsEntry("published", (long) RECORDS);
            second.getBean(StringRedisTemplate.class).delete(stream);
        } finally {
            second.close();
        }
    }

    /** A client of the test Redis that outlives both hub contexts. */
    private static StringRedisTemplate redis() {
        java.net.URI uri = java.net.URI.create(TestServers.redisUrl());
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        factory.afterPropertiesSet();
        factory.start();
        return new StringRedisTemplate(factory);
    }

    private static long published(JdbcTemplate jdbc, String jobId) {
        return jdbc.queryForObject("SELECT COALESCE(sum(published), 0) FROM backfill_job_kind WHERE job_id = ?::uuid", Long.class, jobId);
    }
}
