package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Enabling an application answers at once, however much history the backfill then has to send. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY)
class ToggleLatencyIT {

    private static final int RECORDS = 100_000;
    private static final long BOUND_MILLIS = 200;

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired TransactionTemplate transactions;
    @Autowired StringRedisTemplate redis;

    @Test
    void toggleReturnsWithin200MillisecondsWhenTheTenantHas100000RecordsToBackfill() {
        AdminClient admin = new AdminClient(port);
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        String warmUp = wrapper.tenant();
        wrapper.allocation(warmUp, "crm", 10, null);
        String warmUpJob = admin.toggle(warmUp, "crm", "{\"isEnabled\": true}").get("jobId");
        await().atMost(Duration.ofSeconds(30)).until(() -> "COMPLETED".equals(admin.job(warmUpJob).json().get("state")));

        String tenant = wrapper.tenant();
        // history that predates capture (as when SuiteSync is attached to an existing Wrapper): no triggers fire
        transactions.executeWithoutResult(tx -> {
            jdbc.execute("SET LOCAL session_replication_role = replica");
            jdbc.update("INSERT INTO credit_allocations (tenant_id, target_application, amount, available) "
                    + "SELECT ?, 'crm', 100, 100 FROM generate_series(1, ?)", tenant, RECORDS);
        });

        AdminClient.Response toggle = admin.toggle(tenant, "crm", "{\"isEnabled\": true}");

        System.out.printf("toggle with %d records to backfill answered %d in %d ms%n", RECORDS, toggle.status(), toggle.millis());
        assertThat(toggle.status()).isEqualTo(202);
        assertThat(toggle.millis()).isLessThan(BOUND_MILLIS);
        String jobId = toggle.get("jobId");
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).until(() -> "COMPLETED".equals(admin.job(jobId).json().get("state")));
        System.out.printf("backfill of %d records took %.1f s%n", RECORDS, (System.nanoTime() - start) / 1e9);
        Map<String, Object> job = admin.job(jobId).json();
        assertThat(job).containsEntry("published", RECORDS).containsEntry("total", RECORDS);
        String stream = "crm:" + tenant + ":events";
        assertThat(new StreamReader(redis).size(stream)).isEqualTo(RECORDS);
        redis.delete(stream);
    }
}
