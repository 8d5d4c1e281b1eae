package io.suitesync.bridge.connector;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.common.ConditionalOnRole;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Finance: logs in with username/password for a session token that expires. The token is obtained
 * on first use; when a call is refused with 401 the connector logs in again (once per call, and only
 * one thread does it when many calls fail together) and repeats the call.
 */
@Component("financeConnector")
@ConditionalOnRole("bridge")
public class FinanceConnector extends SystemConnector {

    private static final Logger log = LoggerFactory.getLogger(FinanceConnector.class);

    private final BridgeProperties.Finance credentials;
    private final AtomicInteger logins = new AtomicInteger();
    private volatile String session;

    public FinanceConnector(BridgeProperties properties, ObjectMapper json) {
        super(properties.finance().baseUrl(), properties.http(), json);
        this.credentials = properties.finance();
    }

    @Override
    public SystemId system() {
        return SystemId.FINANCE;
    }

    @Override
    public String externalIdField() {
        return "externalRef";
    }

    /** Logins made so far (the first one and every renewal). */
    public int loginCount() {
        return logins.get();
    }

    @Override
    protected void authorize(HttpRequest.Builder request) {
        request.header("Authorization", "Bearer " + currentSession());
    }

    @Override
    protected boolean renewCredentials(HttpRequest refused) {
        String used = refused.headers().firstValue("Authorization").orElse("").replaceFirst("^Bearer ", "");
        synchronized (this) {
            if (used.equals(session)) {
                log.info("Finance session expired, logging in again");
                session = login();
            }
        }
        return true;
    }

    private String currentSession() {
        String current = session;
        if (current == null) {
            synchronized (this) {
                if (session == null) {
                    session = login();
                }
                current = session;
            }
        }
        return current;
    }

    private String login() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/auth/login"))
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(Map.of(
                        "username", credentials.username(), "password", credentials.password()))))
                .build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new RemoteSystemException("Finance login failed: HTTP " + response.statusCode() + " "
                        + new String(response.body(), StandardCharsets.UTF_8), response.statusCode(), null);
            }
            Map<String, Object> body = json.readValue(response.body(), new TypeReference<Map<String, Object>>() {});
            logins.incrementAndGet();
            return (String) body.get("token");
        } catch (IOException e) {
            throw new RemoteSystemException("Finance login failed: " + e, -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteSystemException("Finance login interrupted", -1, e);
        }
    }
}
