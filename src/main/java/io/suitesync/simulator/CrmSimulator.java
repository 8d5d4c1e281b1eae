package io.suitesync.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Map;

/**
 * The CRM (Payamgostar-like): a static API token in {@code Authorization: Bearer <token>}.
 * Customers carry {@code name, email, phone, externalId}; invoices {@code customerId, number,
 * amount, currency, status, externalId}.
 */
public class CrmSimulator extends SimulatedSystem {

    private final String apiToken;

    public CrmSimulator(int port, String apiToken) {
        super("crm", "CRM-", "externalId", port);
        this.apiToken = apiToken;
    }

    @Override
    protected boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (("Bearer " + apiToken).equals(header)) {
            return true;
        }
        send(exchange, 401, Map.of("error", "invalid API token"));
        return false;
    }
}
