package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.testsupport.RelayRoutes;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The live claim's connection: one session of the pool kept for the lane, with generic plans, the
 * pool's other sessions as they were; a session PostgreSQL ended is replaced at the next claim.
 */
@SpringBootTest
class LiveClaimConnectionIT {

    @Autowired LiveClaimConnection live;
    @Autowired JdbcTemplate jdbc;
    @Autowired CamelContext camel;

    @Test
    void theLiveClaimKeepsOneSessionWithGenericPlansAndTakesAFreshOneWhenPostgresEndsIt() throws Exception {
        // the test's own statements are the only ones on the lane's session while it runs
        RelayRoutes.stop(camel);
        try {
            DataSource claims = live.dataSource();
            // the route reads it from Camel's registry, under the name change-log-relay.camel.yaml gives
            assertThat(camel.getRegistry().lookupByNameAndType("liveClaimDataSource", DataSource.class)).isSameAs(claims);
            int pid = backendPid(claims);
            assertThat(planCacheMode(claims)).isEqualTo("force_generic_plan");
            // claim after claim on the same session: closing what a claim was given keeps it
            assertThat(backendPid(claims)).isEqualTo(pid);
            // the pool's other sessions keep PostgreSQL's own choice
            assertThat(jdbc.queryForObject("SHOW plan_cache_mode", String.class)).isEqualTo("auto");
            assertThat(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class)).isNotEqualTo(pid);

            // PostgreSQL ends the session: that claim fails, the next one runs on a fresh session set up alike
            assertThat(jdbc.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, pid)).isTrue();
            assertThatThrownBy(() -> backendPid(claims)).isInstanceOf(DataAccessException.class);
            int fresh = backendPid(claims);
            assertThat(fresh).isNotEqualTo(pid);
            assertThat(planCacheMode(claims)).isEqualTo("force_generic_plan");
        } finally {
            RelayRoutes.start(camel);
        }
    }

    private static int backendPid(DataSource dataSource) {
        return new JdbcTemplate(dataSource).queryForObject("SELECT pg_backend_pid()", Integer.class);
    }

    private static String planCacheMode(DataSource dataSource) {
        return new JdbcTemplate(dataSource).queryForObject("SHOW plan_cache_mode", String.class);
    }
}
