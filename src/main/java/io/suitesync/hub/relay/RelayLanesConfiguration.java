package io.suitesync.hub.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.DedicatedRedisClient;
import io.suitesync.common.RedisEventPublisher;
import io.suitesync.common.StreamTrimPolicy;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.relay.RelayLanes.Lane;
import java.util.Locale;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The relay's two lanes ({@link RelayLanes}), each a {@link DeliveryProtocol} with its claim
 * ({@code sql/relay/claim.sql}, {@code claim-live.sql}), its poller scheduler and its publisher
 * (routes/hub/change-log-relay.camel.yaml): {@code deliveryProtocol} and {@code relayWakeup} for the
 * bulk lane, {@code liveDeliveryProtocol}, {@code relayLiveWakeup} and {@code liveRedisEventPublisher}
 * for the live lane.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("hub")
public class RelayLanesConfiguration {

    /** After a bulk claim that took all it found, it waits this long for the next, whatever NOTIFYs come. */
    static final long BULK_IDLE_PAUSE_MILLIS = 100;

    @Bean
    public RelayLanes relayLanes() {
        return new RelayLanes();
    }

    @Bean
    public DeliveryProtocol deliveryProtocol(ChangeRouter router, RelayLedger ledger, RelayMetrics metrics,
                                             HubProperties config, RelayLanes lanes, MeterRegistry registry) {
        return inFlightGauge(new DeliveryProtocol(router, ledger, metrics, config, lanes, Lane.BULK,
                config.relay().batchSize(), false), Lane.BULK, registry);
    }

    @Bean
    public DeliveryProtocol liveDeliveryProtocol(ChangeRouter router, RelayLedger ledger, RelayMetrics metrics,
                                                 HubProperties config, RelayLanes lanes, MeterRegistry registry) {
        // its claim (claim-live.sql) carries the acknowledgement of the batches it published itself
        return inFlightGauge(new DeliveryProtocol(router, ledger, metrics, config, lanes, Lane.LIVE,
                config.relay().liveBatchSize(), true), Lane.LIVE, registry);
    }

    /** {@code suitesync.relay.inflight{lane}}: the lane's rows claimed and not yet acknowledged or dropped. */
    private static DeliveryProtocol inFlightGauge(DeliveryProtocol protocol, Lane lane, MeterRegistry registry) {
        Gauge.builder("suitesync.relay.inflight", protocol, DeliveryProtocol::inFlight)
                .description("rows the lane claimed and has not yet acknowledged or dropped")
                .tag("lane", lane.name().toLowerCase(Locale.ROOT)).register(registry);
        return protocol;
    }

    /**
     * The live lane's publisher: a Redis client of its own, with its own connection and I/O thread
     * ({@code relay-live-redis}, {@link DedicatedRedisClient}), so the live lane's events are neither
     * encoded nor answered after the bulk lane's batch of thousands sent on the shared client.
     */
    @Bean
    public RedisEventPublisher liveRedisEventPublisher(ObjectMapper mapper, RedisConnectionFactory factory,
                                                       RedisProperties redisProperties, StreamTrimPolicy trimming) {
        return RedisEventPublisher.onOwnClient(mapper, factory, redisProperties, trimming, "relay-live-redis");
    }

    /** The live lane's claim connection (generic plans; {@link LiveClaimConnection}). */
    @Bean
    public LiveClaimConnection liveClaimConnection(DataSource dataSource) {
        return new LiveClaimConnection(dataSource);
    }

    /**
     * change-log-live's {@code dataSource: "#liveClaimDataSource"}: bound in Camel's registry, not declared
     * as a Spring bean, which would be a second DataSource beside the pool for Spring Boot and every
     * injection point.
     */
    @Bean
    CamelContextConfiguration liveClaimDataSourceBinding(LiveClaimConnection liveClaims) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getRegistry().bind("liveClaimDataSource", DataSource.class, liveClaims.dataSource());
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing to do once started
            }
        };
    }

    /** The bulk lane's scheduler; it holds the relay's leadership. */
    @Bean
    public RelayWakeupScheduler relayWakeup(RelayLeadership leadership, HubProperties config, RelayMetrics metrics,
                                            @Qualifier("deliveryProtocol") DeliveryProtocol protocol) {
        return new RelayWakeupScheduler(leadership, config, metrics, "bulk", BULK_IDLE_PAUSE_MILLIS, protocol);
    }

    /** The live lane's scheduler: it LISTENs on its own session and claims while this instance leads. */
    @Bean
    public RelayWakeupScheduler relayLiveWakeup(RelayLeadership leadership, HubProperties config, RelayMetrics metrics,
                                                @Qualifier("liveDeliveryProtocol") DeliveryProtocol protocol) {
        return new RelayWakeupScheduler(leadership.follower(), config, metrics, "live", 0, protocol);
    }
}
