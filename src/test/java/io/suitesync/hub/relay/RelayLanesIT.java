package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Each lane is woken by its own notification: with the fallback poll an hour away, changes of a
 * tenant in either lane still arrive at once, and a statement touching both lanes wakes both.
 */
@SpringBootTest(properties = "suitesync.hub.relay.poll-interval=1h")
class RelayLanesIT {

    private static final Duration SOON = Duration.ofSeconds(10);

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;

    @Test
    void aCommitWakesTheLanesItGaveRowsTo() {
        WrapperFixtures wrapper = new WrapperFixtures(jdbc);
        StreamReader streams = new StreamReader(redis);
        List<String> byLane = tenantPerLane(wrapper);
        String lane0 = byLane.get(0);
        String lane1 = byLane.get(1);

        wrapper.creditConfig(lane0, "crm.leads.create", 1);
        await().atMost(SOON).until(() -> streams.size("crm:" + lane0 + ":events") == 1);
        wrapper.creditConfig(lane1, "crm.leads.create", 1);
        await().atMost(SOON).until(() -> streams.size("crm:" + lane1 + ":events") == 1);

        // one statement, rows in both lanes
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT t, 'crm.bulk.' || g, g FROM unnest(ARRAY[?, ?]) t, generate_series(1, 50) g", lane0, lane1);
        await().atMost(SOON).until(() -> streams.size("crm:" + lane0 + ":events") == 51
                && streams.size("crm:" + lane1 + ":events") == 51);
        // and marked, by each lane for its own rows
        await().atMost(SOON).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM change_log WHERE processed_at IS NULL", Long.class) == 0);
        assertThat(jdbc.queryForList("SELECT DISTINCT status FROM change_log", String.class)).containsExactly("PUBLISHED");
    }

    /** A tenant whose id hashes to lane 0, then one for lane 1, both with crm enabled. */
    private List<String> tenantPerLane(WrapperFixtures wrapper) {
        List<String> found = new ArrayList<>(List.of("", ""));
        while (found.contains("")) {
            String tenant = wrapper.tenant("crm");
            int lane = jdbc.queryForObject("SELECT hashtext(?) & 1", Integer.class, tenant);
            if (found.get(lane).isEmpty()) {
                found.set(lane, tenant);
            }
        }
        return found;
    }
}
