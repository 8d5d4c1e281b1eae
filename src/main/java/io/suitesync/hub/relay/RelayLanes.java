package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.HubProperties;
import java.util.List;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The relay runs in {@value #COUNT} lanes: routes {@code change-log-relay-0} and {@code -1}, one
 * claim loop each over the tenants whose id hashes to the lane ({@code hashtext(tenant_id) & 1},
 * the leading column of the change_log_unprocessed_lane index). A record belongs to one tenant, so
 * per-record and per-tenant order hold within a lane, and the lanes need no coordination: while one
 * waits for PostgreSQL to claim or mark its batch, the other routes and publishes (RelayBench).
 * Each lane has its own scheduler, connection and advisory lock.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("hub")
public class RelayLanes {

    /** Fixed by the index expression of migration V3. */
    public static final int COUNT = 2;

    public static final String ROUTE_PREFIX = "change-log-relay-";

    @Bean
    public RelayWakeupScheduler relayLane0(DataSourceProperties database, HubProperties config) {
        return new RelayWakeupScheduler(database, config, 0);
    }

    @Bean
    public RelayWakeupScheduler relayLane1(DataSourceProperties database, HubProperties config) {
        return new RelayWakeupScheduler(database, config, 1);
    }

    /** The relay's route ids, one per lane. */
    public static List<String> routeIds() {
        return List.of(ROUTE_PREFIX + 0, ROUTE_PREFIX + 1);
    }
}
