package io.suitesync.bridge.webhook;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.common.ConditionalOnRole;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.Header;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The delivery ids taken inside the replay window ({@code bridge_webhook_delivery}). Kept in
 * PostgreSQL so neither a restart nor a second bridge instance forgets them, and dropped once their
 * signed timestamp has left the window, when {@link WebhookSignature} refuses a replay on its own.
 *
 * <p>The ids this instance took are also kept in memory, so a replay of one is answered before the
 * rate limit and without a query: a captured delivery replayed in a loop cannot spend the sender's
 * budget. Only a hint: the table decides. It holds at most what the rate limit let in during one
 * window, and is capped.
 */
@Component("bridgeWebhookDeliveries")
@ConditionalOnRole("bridge")
public class WebhookDeliveries {

    private static final int MAX_REMEMBERED = 200_000;

    private final NamedParameterJdbcTemplate jdbc;
    private final Duration window;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Instant> taken = new ConcurrentHashMap<>();

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

    /** After the transaction that took (or found) the delivery committed: answer its replays from memory. */
    public void remember(SystemId system, String deliveryId, Instant signedAt) {
        if (taken.size() < MAX_REMEMBERED) {
            taken.put(system.name() + ":" + deliveryId, signedAt);
        }
    }

    /** Route predicate: this instance has taken this delivery before (a replay, answered 200 without effect). */
    public boolean isKnownReplay(@Header(WebhookIntake.SOURCE_HEADER) String source,
                                 @Header(WebhookSignature.DELIVERY_HEADER) String deliveryId) {
        return deliveryId != null && taken.containsKey(source + ":" + deliveryId);
    }

    /** Forgets the deliveries whose signed timestamp is outside the window; returns how many rows went. */
    public int purgeExpired() {
        Instant cutoff = clock.instant().minus(window);
        taken.values().removeIf(signedAt -> signedAt.isBefore(cutoff));
        return jdbc.update("DELETE FROM bridge_webhook_delivery WHERE signed_at < :cutoff",
                new MapSqlParameterSource("cutoff", Timestamp.from(cutoff)));
    }
}
