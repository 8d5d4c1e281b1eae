package io.suitesync.hub.admin;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Calls the admin API over real HTTP, with the admin key unless told otherwise; returns status + parsed JSON. */
public class AdminClient {

    public static final String ADMIN_KEY = "test-admin-key";
    public static final String ADMIN_PASSWORD = "test-admin-password";
    public static final String CRM_READ_KEY = "test-crm-read-key";
    public static final String HRMS_READ_KEY = "test-hrms-read-key";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public AdminClient(int port) {
        this.base = "http://localhost:" + port;
    }

    public record Response(int status, String raw, long millis, java.net.http.HttpHeaders headers) {
        public Map<String, Object> json() {
            try {
                return MAPPER.readValue(raw, MAP);
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON object (status " + status + "): " + raw, e);
            }
        }

        @SuppressWarnings("unchecked")
        public <T> T get(String field) {
            return (T) json().get(field);
        }
    }

    public Response get(String path) {
        return send("GET", path, null, ADMIN_KEY);
    }

    public Response post(String path, String jsonBody) {
        return send("POST", path, jsonBody, ADMIN_KEY);
    }

    public Response toggle(String tenant, String app, String jsonBody) {
        return post("/admin/organizations/" + tenant + "/applications/" + app + "/toggle", jsonBody);
    }

    public Response syncHistorical(String tenant, String app, String jsonBody) {
        return post("/admin/organizations/" + tenant + "/applications/" + app + "/sync-historical", jsonBody);
    }

    public Response syncStatus(String tenant, String app) {
        return get("/admin/organizations/" + tenant + "/applications/" + app + "/sync-status");
    }

    public Response job(String jobId) {
        return get("/admin/sync/jobs/" + jobId);
    }

    /** {@code apiKey} null: no X-Api-Key header; {@code "basic:user:password"}: HTTP Basic. */
    public Response send(String method, String path, String jsonBody, String apiKey) {
        return send(method, path, jsonBody, apiKey, Map.of());
    }

    /** As {@link #send(String, String, String, String)}, with extra request headers. */
    public Response send(String method, String path, String jsonBody, String apiKey, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        if (apiKey != null && apiKey.startsWith("basic:")) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString(apiKey.substring(6).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } else if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        headers.forEach(request::header);
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000,
                    response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
