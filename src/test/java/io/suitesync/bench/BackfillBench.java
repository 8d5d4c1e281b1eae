package io.suitesync.bench;

import io.suitesync.SuiteSyncApplication;
import io.suitesync.common.Channels;
import io.suitesync.hub.backfill.BackfillJobs;
import io.suitesync.hub.backfill.BackfillOptions;
import io.suitesync.hub.backfill.BackfillRunner;
import io.suitesync.testsupport.TestServers;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Historical backfill throughput: one tenant with {@code -Drecords} (default 100,000) records
 * (half credit allocations, a quarter organizations, a quarter memberships) is backfilled to its
 * crm stream after a warm-up job of {@code -Dwarmup} records (default a fifth of them); prints one
 * JSON line with records per second. Runs a real hub against the servers
 * of SUITESYNC_TEST_POSTGRES_URL / SUITESYNC_TEST_REDIS_URL (else Testcontainers, else embedded):
 * <pre>./mvnw -B -q -Pbench test-compile exec:java -Dexec.mainClass=io.suitesync.bench.BackfillBench</pre>
 */
public final class BackfillBench {

    private BackfillBench() {}

    /** A tenant with crm enabled and {@code records} records to backfill; the relay has drained their capture. */
    private static String tenantWith(JdbcTemplate jdbc, int records) throws InterruptedException {
        String tenant = "bench-" + Long.toHexString(System.nanoTime());
        int orgs = records / 4;
        int memberships = records / 4;
        int allocations = records - orgs - memberships;
        jdbc.update("INSERT INTO tenants (id, name) VALUES (?, ?)", tenant, "Backfill bench");
        jdbc.update("INSERT INTO entities (tenant_id, name, code) SELECT ?, 'Org ' || g, 'O' || g FROM generate_series(1, ?) g",
                tenant, orgs);
        String user = jdbc.queryForObject("INSERT INTO users (tenant_id, email) VALUES (?, 'bench@example.com') RETURNING id::text",
                String.class, tenant);
        jdbc.update("INSERT INTO organization_memberships (tenant_id, user_id, organization_id) "
                + "SELECT ?, ?::uuid, id FROM entities WHERE tenant_id = ? LIMIT ?", tenant, user, tenant, memberships);
        jdbc.update("INSERT INTO credit_allocations (tenant_id, target_application, amount, available) "
                + "SELECT ?, 'crm', 100, 100 FROM generate_series(1, ?)", tenant, allocations);
        // the relay drains the capture backlog first (it routes nowhere: no app enabled yet), so it does not compete
        Awaitility.await("capture backlog drained").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class) == 0);
        // fresh statistics for the backfill's keyset queries (change_log is left to autovacuum: the relay is busy with it)
        jdbc.execute("ANALYZE entities, organization_memberships, credit_allocations");
        jdbc.update("INSERT INTO organization_applications (tenant_id, application_code, is_enabled, enabled_at) "
                + "VALUES (?, 'crm', true, now())", tenant);
        return tenant;
    }

    private static void run(ConfigurableApplicationContext hub, JdbcTemplate jdbc, int records) throws InterruptedException {
        String tenant = tenantWith(jdbc, records);
        hub.getBean(BackfillRunner.class).run(hub.getBean(BackfillJobs.class).create(tenant, "crm", "MANUAL",
                BackfillOptions.everything()));
        hub.getBean(StringRedisTemplate.class).delete(Channels.stream("crm", tenant));
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("records", 100_000);
        int batchSize = Integer.getInteger("batchSize", 5_000);
        // after the default fifth the JIT still compiles during the timed job (about half of the JVM's CPU there);
        // -Dwarmup=100000 gives the steady state of a hub that has run a while
        int warmup = Integer.getInteger("warmup", Math.max(records / 5, 1_000));
        String database = TestServers.newDatabase();
        ConfigurableApplicationContext hub = new SpringApplicationBuilder(SuiteSyncApplication.class).run(
                "--spring.datasource.url=" + database,
                "--spring.data.redis.url=" + TestServers.redisUrl(),
                "--server.port=0",
                "--logging.level.root=WARN",
                "--suitesync.backfill.batch-size=" + batchSize);
        int status = 0;
        try {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            // warm-up job first: class loading and the first compilations stay out of the figure
            run(hub, jdbc, warmup);
            String tenant = tenantWith(jdbc, records);
            String jobId = hub.getBean(BackfillJobs.class).create(tenant, "crm", "MANUAL", BackfillOptions.everything());
            long start = System.nanoTime();
            hub.getBean(BackfillRunner.class).run(jobId);
            double seconds = (System.nanoTime() - start) / 1e9;

            Map<String, Object> job = jdbc.queryForMap("SELECT j.state, sum(k.published) AS published FROM backfill_job j "
                    + "JOIN backfill_job_kind k ON k.job_id = j.id WHERE j.id = ?::uuid GROUP BY j.state", jobId);
            StringRedisTemplate redis = hub.getBean(StringRedisTemplate.class);
            String stream = Channels.stream("crm", tenant);
            Long inStream = redis.opsForStream().size(stream);
            redis.delete(stream);
            long published = ((Number) job.get("published")).longValue();
            if (!"COMPLETED".equals(job.get("state")) || published != records || inStream == null || inStream != records) {
                System.err.println("backfill did not send every record: " + job + ", stream length " + inStream);
                status = 1;
            }
            System.out.printf("{\"benchmark\":\"backfill\",\"records\":%d,\"seconds\":%.3f,\"recordsPerSecond\":%d,\"batchSize\":%d,\"warmup\":%d,"
                            + "\"cpus\":%d,\"postgres\":\"%s\",\"redis\":\"%s\",\"state\":\"%s\"}%n",
                    records, seconds, Math.round(published / seconds), batchSize, warmup, Runtime.getRuntime().availableProcessors(),
                    System.getenv("SUITESYNC_TEST_POSTGRES_URL") == null ? "testcontainers-or-embedded" : "env",
                    System.getenv("SUITESYNC_TEST_REDIS_URL") == null ? "testcontainers-or-embedded" : "env", job.get("state"));
        } finally {
            hub.close();
        }
        System.exit(status);
    }
}
