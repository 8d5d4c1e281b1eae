package io.suitesync.bridge.connector;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/JSON client of one remote system: records changed since a point, get, create, update, find
 * by external id, webhook registration. Each call is retried on 5xx and connection errors a few
 * times with a short exponential pause ({@code suitesync.bridge.http.*}); what still fails is a
 * {@link RemoteSystemException}, and the durable queue retries the work later.
 * A 401 gives the subclass one chance to renew its credentials before the call is repeated.
 */
public abstract class SystemConnector {

    private static final Logger log = LoggerFactory.getLogger(SystemConnector.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    protected final ObjectMapper json;
    protected final HttpClient http;
    protected final BridgeProperties.Http settings;
    private final String baseUrl;

    protected SystemConnector(String baseUrl, BridgeProperties.Http settings, ObjectMapper json) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.settings = settings;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    }

    public abstract SystemId system();

    /** Name of the field in which this system keeps the id of the record in the other system. */
    public abstract String externalIdField();

    /** Adds the credentials to a request. */
    protected abstract void authorize(HttpRequest.Builder request);

    /** Called on 401 with the credentials that were refused; true when a retry is worth it. */
    protected abstract boolean renewCredentials(HttpRequest refused);

    public ChangePage changedSince(String entityType, Instant since, String afterId, int limit) {
        String query = "?updatedSince=" + encode(since.toString()) + "&afterId=" + encode(afterId) + "&limit=" + limit;
        Map<String, Object> page = call("GET", collection(entityType) + query, null).orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
        return new ChangePage(items, Boolean.TRUE.equals(page.get("hasMore")));
    }

    public Optional<Map<String, Object>> get(String entityType, String id) {
        return call("GET", collection(entityType) + "/" + encode(id), null);
    }

    public Map<String, Object> create(String entityType, Map<String, Object> fields) {
        return call("POST", collection(entityType), fields).orElseThrow();
    }

    /**
     * Updates the record only if it is still at {@code seenUpdatedAt} ({@code If-Match}); a write in
     * between makes the system answer 412 and the sync is evaluated again on the next attempt.
     */
    public Map<String, Object> update(String entityType, String id, Map<String, Object> fields, String seenUpdatedAt) {
        return call("PUT", collection(entityType) + "/" + encode(id), fields, "\"" + seenUpdatedAt + "\"")
                .orElseThrow(() -> new RemoteSystemException(system() + " has no " + entityType + " " + id, 404, null));
    }

    /** The record this system holds for the other system's {@code externalId}, if any. */
    public Optional<Map<String, Object>> findByExternalId(String entityType, String externalId) {
        String query = "?" + externalIdField() + "=" + encode(externalId) + "&limit=1";
        Map<String, Object> page = call("GET", collection(entityType) + query, null).orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
        return items.isEmpty() ? Optional.empty() : Optional.of(items.get(0));
    }

    /** Asks the system to POST the given events to {@code url}, signed with {@code secret}. */
    public Map<String, Object> registerWebhook(String url, String secret, List<String> events) {
        return call("POST", "/api/webhooks", Map.of("url", url, "secret", secret, "events", events)).orElseThrow();
    }

    private static String collection(String entityType) {
        return "/api/" + entityType + "s";
    }

    protected Optional<Map<String, Object>> call(String method, String path, Object body) {
        return call(method, path, body, null);
    }

    /** Empty on 404; the parsed JSON object otherwise. */
    protected Optional<Map<String, Object>> call(String method, String path, Object body, String ifMatch) {
        String failure = null;
        int lastStatus = -1;
        Exception cause = null;
        boolean renewed = false;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                pause(attempt);
            }
            try {
                HttpRequest request = request(method, path, body, ifMatch);
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status == 401 && !renewed && renewCredentials(request)) {
                    renewed = true;
                    attempt--;
                    continue;
                }
                if (status == 404 && method.equals("GET")) {
                    return Optional.empty();
                }
                if (status >= 200 && status < 300) {
                    return Optional.of(json.readValue(response.body(), MAP));
                }
                lastStatus = status;
                failure = "HTTP " + status + " " + new String(response.body(), StandardCharsets.UTF_8);
                if (status < 500) {
                    break;
                }
            } catch (RemoteSystemException e) {
                // the login of a session-based system failed: retry like any other call unless it was refused
                if (e.status() >= 400 && e.status() < 500) {
                    throw e;
                }
                failure = e.getMessage();
                lastStatus = e.status();
                cause = e;
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteSystemException(system() + " call interrupted", -1, e);
            }
            log.debug("{} {} {} failed (attempt {}): {}", system(), method, path, attempt + 1, failure);
        }
        throw new RemoteSystemException(system() + " " + method + " " + path + " failed: " + failure, lastStatus, cause);
    }

    private HttpRequest request(String method, String path, Object body, String ifMatch) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json");
        if (ifMatch != null) {
            builder.header("If-Match", ifMatch);
        }
        authorize(builder);
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
        }
        return builder.build();
    }

    protected byte[] bytes(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    protected String baseUrl() {
        return baseUrl;
    }

    private void pause(int attempt) {
        try {
            Thread.sleep(settings.retryBackoff().toMillis() << (attempt - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteSystemException(system() + " call interrupted", -1, e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
