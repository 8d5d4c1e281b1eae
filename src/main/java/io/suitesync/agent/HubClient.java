package io.suitesync.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The hub's read API as the agent uses it. 404 from the hub stays a 404 ({@link ApiException});
 * no answer, a timeout or a 5xx is {@link HubUnavailableException}, on which callers degrade.
 */
@Component
@ConditionalOnRole("agent")
public class HubClient {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final AgentProperties config;
    private final HttpClient http;
    // exact decimals: a credit cost of 2.50 must not become 2.4999…
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** outcome of the last call to the hub, whoever made it (follower or a reference read) */
    private volatile Boolean reachable;

    public HubClient(AgentProperties config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.hub().connectTimeout()).build();
    }

    public Map<String, Object> tenants() {
        return get("/tenants");
    }

    public Map<String, Object> snapshot(String tenant) {
        return get("/tenants/" + enc(tenant) + "/snapshot");
    }

    public Map<String, Object> creditConfig(String tenant, String operationCode) {
        return get("/tenants/" + enc(tenant) + "/credit-configs/" + enc(operationCode));
    }

    public Map<String, Object> user(String tenant, String userId) {
        return get("/tenants/" + enc(tenant) + "/users/" + enc(userId));
    }

    public Map<String, Object> hierarchy(String tenant, String entityId) {
        return get("/tenants/" + enc(tenant) + "/entities/" + enc(entityId) + "/hierarchy");
    }

    private Map<String, Object> get(String path) {
        String url = config.hub().url().replaceAll("/+$", "") + "/read/" + enc(config.appCode()) + path;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(config.hub().requestTimeout())
                .header("X-Api-Key", config.hub().apiKey()).header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            reachable = false;
            throw new HubUnavailableException("hub not reachable at " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubUnavailableException("interrupted while calling the hub", e);
        }
        int status = response.statusCode();
        reachable = status < 500;
        if (status == 200) {
            try {
                return json.readValue(response.body(), MAP);
            } catch (IOException e) {
                throw new HubUnavailableException("hub answered unreadable JSON for " + url, e);
            }
        }
        if (status == 404 || status == 400) {
            throw new ApiException(status, message(response.body(), "not found"));
        }
        if (status == 401 || status == 403) {
            // a configuration error, not an outage: say so loudly
            throw new IllegalStateException("the hub refused the agent's key for application '" + config.appCode()
                    + "' (HTTP " + status + "): check suitesync.agent.hub.api-key");
        }
        throw new HubUnavailableException("hub answered HTTP " + status + " for " + url, null);
    }

    /** null until the first call */
    public Boolean reachable() {
        return reachable;
    }

    private String message(String body, String fallback) {
        try {
            Object message = json.readValue(body, MAP).get("message");
            return message == null ? fallback : message.toString();
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
