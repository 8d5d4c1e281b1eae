package io.suitesync.bridge.webhook;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.common.ConditionalOnRole;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The delivery ids taken inside the replay window ({@code bridge_webhook_delivery}). Kept in
 * PostgreSQL so neither a restart nor a second bridge instance forgets them, and dropped once their
 * signed timestamp has left the window, when {@link WebhookSignature} refuses a replay on its own.
 */
@Component("bridgeWebhookDeliveries")
@ConditionalOnRole("bridge")
public class WebhookDeliveries {

    private final NamedParameterJdbcTemplate jdbc;
    private final Duration window;
    private final Clock clock = Clock.systemUTC();

    public WebhookDeliveries(DataSource dataSource, BridgeProperties properties) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.window = properties.webhook().replayWindow();
    }

    /**
     * Records a delivery; false when this system's delivery id was taken before. Run it in the
     * transaction that queues the change: a concurrent copy waits on the key and then sees it taken,
     * and a delivery whose change was not queued is not remembered.
     */
    public boolean firstSeen(SystemId system, String deliveryId, Instant signedAt) {
        return jdbc.update("""
                INSERT INTO bridge_webhook_delivery (system, delivery_id, signed_at)
                VALUES (:system, :deliveryId, :signedAt)
                ON CONFLICT (system, delivery_id) DO NOTHING
                """, new MapSqlParameterSource("system", system.name()).addValue("deliveryId", deliveryId)
                .addValue("signedAt", Timestamp.from(signedAt))) == 1;
    }

    /** Forgets the deliveries whose signed timestamp is outside the window; returns how many. */
    public int purgeExpired() {
        return jdbc.update("DELETE FROM bridge_webhook_delivery WHERE signed_at < :cutoff",
                new MapSqlParameterSource("cutoff", Timestamp.from(clock.instant().minus(window))));
    }
}
