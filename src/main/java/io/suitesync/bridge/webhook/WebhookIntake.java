package io.suitesync.bridge.webhook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.queue.QueuedChange;
import io.suitesync.bridge.queue.WorkQueue;
import io.suitesync.bridge.sync.EntityTranslator;
import io.suitesync.common.ConditionalOnRole;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns a verified webhook ({@code {event, entityType, entityId, ...}}) into a queued change in
 * PostgreSQL before answering 202, so an accepted webhook survives a crash. The record itself is read
 * fresh from its system when the item is synced: a late or replayed webhook cannot write stale data.
 * A delivery id already taken (replay protection) is answered 200 without effect: the sender sees
 * success and stops retrying, and nothing is queued or parsed.
 */
@Component("bridgeWebhookIntake")
@ConditionalOnRole("bridge")
public class WebhookIntake {

    public static final String SOURCE_HEADER = "bridgeWebhookSource";

    private final WorkQueue queue;
    private final WebhookDeliveries deliveries;
    private final BridgeProperties properties;
    private final TransactionTemplate transactions;
    private final ObjectMapper json;

    public WebhookIntake(WorkQueue queue, WebhookDeliveries deliveries, BridgeProperties properties,
                         PlatformTransactionManager transactionManager, ObjectMapper json) {
        this.queue = queue;
        this.deliveries = deliveries;
        this.properties = properties;
        this.transactions = new TransactionTemplate(transactionManager);
        this.json = json;
    }

    /** Called only after {@link WebhookSignature} accepted the request, so the headers it checked are well formed. */
    public Map<String, Object> accept(@Body String body, @Header(SOURCE_HEADER) String source,
                                      @Header(WebhookSignature.DELIVERY_HEADER) String deliveryId,
                                      @Header(WebhookSignature.TIMESTAMP_HEADER) String timestamp, Exchange exchange) {
        SystemId system = SystemId.valueOf(source);
        boolean replayProtected = properties.webhookReplayProtectionOf(system);
        Instant signedAt = replayProtected ? Instant.ofEpochSecond(Long.parseLong(timestamp)) : null;
        Map<String, Object> answer = transactions.execute(tx -> {
            if (replayProtected && !deliveries.firstSeen(system, deliveryId, signedAt)) {
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                return Map.of("accepted", false, "duplicate", true, "deliveryId", deliveryId);
            }
            Map<String, Object> event;
            try {
                event = json.readValue(body, new TypeReference<Map<String, Object>>() {});
            } catch (IOException e) {
                tx.setRollbackOnly();
                return reject(exchange, "body is not a JSON object: " + e.getMessage());
            }
            Object type = event.get("entityType");
            Object id = event.get("entityId");
            if (type == null || !EntityTranslator.ENTITY_TYPES.contains(type.toString())) {
                tx.setRollbackOnly();
                return reject(exchange, "entityType must be one of " + EntityTranslator.ENTITY_TYPES + ", got " + type);
            }
            if (id == null || id.toString().isBlank()) {
                tx.setRollbackOnly();
                return reject(exchange, "entityId is required");
            }
            int added = queue.enqueue(List.of(new QueuedChange(system, type.toString(), id.toString(), "WEBHOOK")));
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
            return Map.of("accepted", true, "queued", added == 1, "entityType", type, "entityId", id);
        });
        if (replayProtected && !answer.containsKey("error")) {
            deliveries.remember(system, deliveryId, signedAt);
        }
        return answer;
    }

    private static Map<String, Object> reject(Exchange exchange, String message) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
        return Map.of("error", message);
    }
}
