package io.suitesync.bridge.webhook;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.connector.CrmConnector;
import io.suitesync.bridge.connector.FinanceConnector;
import io.suitesync.bridge.connector.SystemConnector;
import io.suitesync.common.ConditionalOnRole;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Webhook mode: registers {@code <public-base-url>/webhook/crm} and {@code /webhook/finance} with the
 * two systems, each with its own secret, and records each registration in {@code bridge_webhook_subscription}.
 */
@Component("bridgeWebhookRegistrar")
@ConditionalOnRole("bridge")
public class WebhookRegistrar {

    static final List<String> EVENTS = List.of("customer.created", "customer.updated", "invoice.created", "invoice.updated");
    private static final Logger log = LoggerFactory.getLogger(WebhookRegistrar.class);

    private final List<SystemConnector> connectors;
    private final BridgeProperties properties;
    private final Environment environment;
    private final NamedParameterJdbcTemplate jdbc;

    public WebhookRegistrar(CrmConnector crm, FinanceConnector finance, BridgeProperties properties,
                            Environment environment, DataSource dataSource) {
        this.connectors = List.of(crm, finance);
        this.properties = properties;
        this.environment = environment;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    /** Registers with both systems (again: registering is idempotent on the URL); returns the subscriptions. */
    public List<Map<String, Object>> registerAll() {
        for (SystemConnector connector : connectors) {
            String url = publicBaseUrl() + "/webhook/" + connector.system().name().toLowerCase();
            String remoteId = null;
            String status;
            try {
                remoteId = (String) connector.registerWebhook(url, properties.webhookSecretOf(connector.system()), EVENTS).get("id");
                status = "ACTIVE";
                log.info("Registered webhook {} with {}", url, connector.system());
            } catch (RuntimeException e) {
                status = "FAILED";
                log.error("Could not register webhook {} with {}: {}", url, connector.system(), e.getMessage());
            }
            save(connector.system(), url, remoteId, status);
        }
        return subscriptions();
    }

    public List<Map<String, Object>> subscriptions() {
        return jdbc.queryForList("""
                SELECT id, system, callback_url AS "callbackUrl", events, remote_id AS "remoteId", status,
                       created_at::text AS "createdAt"
                  FROM bridge_webhook_subscription ORDER BY id
                """, Map.of());
    }

    private void save(SystemId system, String url, String remoteId, String status) {
        jdbc.update("""
                INSERT INTO bridge_webhook_subscription (system, callback_url, events, remote_id, status)
                VALUES (:system, :url, :events, :remoteId, :status)
                ON CONFLICT (system, callback_url)
                DO UPDATE SET events = EXCLUDED.events, remote_id = COALESCE(EXCLUDED.remote_id, bridge_webhook_subscription.remote_id),
                              status = EXCLUDED.status
                """, new MapSqlParameterSource("system", system.name()).addValue("url", url)
                .addValue("events", String.join(",", EVENTS)).addValue("remoteId", remoteId).addValue("status", status));
    }

    private String publicBaseUrl() {
        String configured = properties.webhook().publicBaseUrl();
        if (configured != null && !configured.isBlank()) {
            return configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
        }
        return "http://localhost:" + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    }
}
