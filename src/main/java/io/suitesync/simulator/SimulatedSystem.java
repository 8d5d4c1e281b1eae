package io.suitesync.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory business system served over real HTTP (JDK {@link HttpServer}): customers and
 * invoices with server-assigned ids and {@code updatedAt}, list-changed-since, get, create, update
 * and signed webhooks. Subclasses add the authentication scheme of the system they imitate.
 *
 * <p>Test and demo controls ({@code /_sim/...} over HTTP, or the public methods): switch the system
 * down, make edits "as a user" (not counted as API writes), read the API write counters.
 */
public abstract class SimulatedSystem implements AutoCloseable {

    public static final Set<String> ENTITY_TYPES = Set.of("customer", "invoice");
    public static final String SIGNATURE_HEADER = "X-Signature-SHA256";
    public static final String TIMESTAMP_HEADER = "X-Signature-Timestamp";
    public static final String DELIVERY_HEADER = "X-Delivery-Id";

    private static final Pattern API_PATH = Pattern.compile("^/(api|_sim)/(customer|invoice)s(?:/([^/]+))?$");
    private static final Logger log = LoggerFactory.getLogger(SimulatedSystem.class);

    static {
        // the JDK server writes headers and body separately; with Nagle's algorithm on, each response
        // then waits for the client's delayed ACK (~40 ms), which would make the simulators look slow
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    protected final ObjectMapper json = new ObjectMapper();
    private final String name;
    private final String idPrefix;
    private final String externalIdField;
    private final int requestedPort;
    private final Map<String, Map<String, Map<String, Object>>> records = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    private final AtomicLong totalWrites = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final List<Subscription> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Delivery> deliveries = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Integer> deliveryStatuses = new ConcurrentHashMap<>();
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean down;
    private volatile Duration latency = Duration.ZERO;
    private volatile Duration clockSkew = Duration.ZERO;
    private HttpServer server;
    private ExecutorService requestThreads;
    private ExecutorService webhookThreads;

    protected SimulatedSystem(String name, String idPrefix, String externalIdField, int port) {
        this.name = name;
        this.idPrefix = idPrefix;
        this.externalIdField = externalIdField;
        this.requestedPort = port;
        ENTITY_TYPES.forEach(type -> records.put(type, new ConcurrentHashMap<>()));
    }

    /** Whether the request carries valid credentials; answers the refusal itself when not. */
    protected abstract boolean authorized(HttpExchange exchange) throws IOException;

    /** Endpoints of the subclass (e.g. login); true when the request was answered. */
    protected boolean handleOwn(HttpExchange exchange, String method, String path) throws IOException {
        return false;
    }

    public synchronized SimulatedSystem start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", requestedPort), 128);
        } catch (IOException e) {
            throw new IllegalStateException(name + " simulator cannot listen on port " + requestedPort, e);
        }
        requestThreads = Executors.newFixedThreadPool(8, r -> new Thread(r, name + "-sim-http"));
        webhookThreads = Executors.newFixedThreadPool(2, r -> new Thread(r, name + "-sim-webhook"));
        server.setExecutor(requestThreads);
        server.createContext("/", this::handle);
        server.start();
        log.info("{} simulator listening on http://127.0.0.1:{}", name, port());
        return this;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            requestThreads.shutdownNow();
            webhookThreads.shutdownNow();
            server = null;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    // ---- controls -------------------------------------------------------------------------------

    /** Down: every API call is answered 503 (the controls keep working). */
    public void setDown(boolean down) {
        this.down = down;
        log.info("{} simulator is now {}", name, down ? "DOWN" : "UP");
    }

    /** Every API call takes at least this long (a slow system). */
    public void setLatency(Duration latency) {
        this.latency = latency;
    }

    /** The clock this system signs its webhooks' timestamps with is off by this much (negative: behind). */
    public void setClockSkew(Duration skew) {
        this.clockSkew = skew;
    }

    public boolean isDown() {
        return down;
    }

    /** Writes made through the API (by a client such as the bridge) to one record. */
    public int writeCount(String entityType, String id) {
        AtomicInteger count = writes.get(entityType + ":" + id);
        return count == null ? 0 : count.get();
    }

    public long totalWrites() {
        return totalWrites.get();
    }

    /** A user of the system creates a record (not counted as an API write); webhooks fire. */
    public Map<String, Object> userCreate(String entityType, Map<String, Object> fields) {
        return create(entityType, fields, false);
    }

    /** A user of the system edits a record (not counted as an API write); webhooks fire. */
    public Map<String, Object> userUpdate(String entityType, String id, Map<String, Object> fields) {
        return update(entityType, id, fields, false, null);
    }

    public Map<String, Object> find(String entityType, String id) {
        Map<String, Object> record = store(entityType).get(id);
        return record == null ? null : copy(record);
    }

    public List<Map<String, Object>> all(String entityType) {
        return store(entityType).values().stream().map(SimulatedSystem::copy).toList();
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The HTTP status the receiver answered the last sending of a delivery with (-1: no answer), null while in flight. */
    public Integer deliveryStatus(String deliveryId) {
        return deliveryStatuses.get(deliveryId);
    }

    /** Sends the last webhook once more, byte for byte, headers included (a retry, or a replay by someone who captured it). */
    public int redeliverLast() {
        Delivery last = deliveries.get(deliveries.size() - 1);
        return post(last);
    }

    // ---- records --------------------------------------------------------------------------------

    private Map<String, Map<String, Object>> store(String entityType) {
        Map<String, Map<String, Object>> store = records.get(entityType);
        if (store == null) {
            throw new IllegalArgumentException("unknown entity type " + entityType);
        }
        return store;
    }

    private Map<String, Object> create(String entityType, Map<String, Object> fields, boolean viaApi) {
        String id = idPrefix + (entityType.equals("customer") ? "C" : "I") + "-" + String.format("%06d", ids.incrementAndGet());
        Map<String, Object> record = new LinkedHashMap<>(fields);
        record.remove("updatedAt");
        record.put("id", id);
        record.put("updatedAt", SimClock.next().toString());
        store(entityType).put(id, record);
        changed(entityType, record, viaApi, "created");
        return copy(record);
    }

    /** {@code ifMatch}: the {@code updatedAt} the writer last saw, quoted; a different current one refuses the write. */
    private Map<String, Object> update(String entityType, String id, Map<String, Object> fields, boolean viaApi,
                                       String ifMatch) {
        Map<String, Object> record;
        synchronized (store(entityType)) {
            Map<String, Object> existing = store(entityType).get(id);
            if (existing == null) {
                return null;
            }
            if (ifMatch != null && !ifMatch.equals("\"" + existing.get("updatedAt") + "\"")) {
                throw new StaleWrite(entityType + " " + id + " changed since " + ifMatch + ", now " + existing.get("updatedAt"));
            }
            record = new LinkedHashMap<>(existing);
            fields.forEach((key, value) -> {
                if (!key.equals("id") && !key.equals("updatedAt")) {
                    record.put(key, value);
                }
            });
            record.put("updatedAt", SimClock.next().toString());
            store(entityType).put(id, record);
        }
        changed(entityType, record, viaApi, "updated");
        return copy(record);
    }

    private void changed(String entityType, Map<String, Object> record, boolean viaApi, String verb) {
        if (viaApi) {
            writes.computeIfAbsent(entityType + ":" + record.get("id"), k -> new AtomicInteger()).incrementAndGet();
            totalWrites.incrementAndGet();
        }
        String event = entityType + "." + verb;
        for (Subscription subscription : subscriptions) {
            if (subscription.events().contains(event)) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("event", event);
                payload.put("entityType", entityType);
                payload.put("entityId", record.get("id"));
                payload.put("occurredAt", record.get("updatedAt"));
                payload.put("data", copy(record));
                Delivery delivery = new Delivery(UUID.randomUUID().toString(), subscription,
                        Instant.now().plus(clockSkew).getEpochSecond(), write(payload));
                deliveries.add(delivery);
                webhookThreads.execute(() -> post(delivery));
            }
        }
    }

    private int post(Delivery delivery) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(delivery.subscription().url()))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.body()));
            delivery.headers().forEach(request::header);
            int status = webhookClient.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            log.debug("{} webhook {} -> {}", name, delivery.id(), status);
            deliveryStatuses.put(delivery.id(), status);
            return status;
        } catch (IOException e) {
            log.warn("{} webhook to {} failed: {}", name, delivery.subscription().url(), e.toString());
            deliveryStatuses.put(delivery.id(), -1);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * {@code hex(HMAC-SHA256(secret, "<deliveryId>.<timestamp>.<body>"))}: the signature the receiver
     * recomputes, over the delivery id and the timestamp too so neither can be replaced on a replay.
     */
    public static String sign(String secret, String deliveryId, long timestamp, String body) {
        return sign(secret, deliveryId + "." + timestamp + "." + body);
    }

    /** {@code hex(HMAC-SHA256(secret, content))}. */
    public static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Map<String, Object>> changedSince(String entityType, Map<String, String> query) {
        Instant since = query.containsKey("updatedSince") ? Instant.parse(query.get("updatedSince")) : Instant.EPOCH;
        String afterId = query.getOrDefault("afterId", "");
        String external = query.get(externalIdField);
        int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
        Comparator<Map<String, Object>> order = Comparator
                .comparing((Map<String, Object> r) -> Instant.parse((String) r.get("updatedAt")))
                .thenComparing(r -> (String) r.get("id"));
        return store(entityType).values().stream()
                .filter(r -> external == null || external.equals(r.get(externalIdField)))
                .filter(r -> {
                    Instant at = Instant.parse((String) r.get("updatedAt"));
                    return at.isAfter(since) || (at.equals(since) && ((String) r.get("id")).compareTo(afterId) > 0);
                })
                .sorted(order)
                .limit(limit + 1L)
                .map(SimulatedSystem::copy)
                .toList();
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/_sim/") && handleControl(exchange, method, path)) {
                return;
            }
            if (!latency.isZero()) {
                pause(latency);
            }
            if (down) {
                send(exchange, 503, Map.of("error", name + " is down"));
                return;
            }
            if (handleOwn(exchange, method, path)) {
                return;
            }
            if (!authorized(exchange)) {
                return;
            }
            if (path.equals("/api/webhooks")) {
                handleWebhookRegistration(exchange, method);
                return;
            }
            Matcher m = API_PATH.matcher(path);
            if (!m.matches() || !m.group(1).equals("api")) {
                send(exchange, 404, Map.of("error", "no such endpoint " + method + " " + path));
                return;
            }
            handleRecords(exchange, method, m.group(2), m.group(3), true);
        } catch (RuntimeException e) {
            log.warn("{} simulator failed on {}", name, exchange.getRequestURI(), e);
            send(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    private void handleRecords(HttpExchange exchange, String method, String entityType, String id, boolean viaApi)
            throws IOException {
        if (id == null && method.equals("GET")) {
            Map<String, String> query = query(exchange);
            int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
            List<Map<String, Object>> page = changedSince(entityType, query);
            boolean hasMore = page.size() > limit;
            send(exchange, 200, Map.of("items", hasMore ? page.subList(0, limit) : page, "hasMore", hasMore));
        } else if (id == null && method.equals("POST")) {
            send(exchange, 201, create(entityType, readBody(exchange), viaApi));
        } else if (id != null && method.equals("GET")) {
            Map<String, Object> record = find(entityType, id);
            send(exchange, record == null ? 404 : 200, record == null ? Map.of("error", "no " + entityType + " " + id) : record);
        } else if (id != null && method.equals("PUT")) {
            Map<String, Object> record;
            try {
                record = update(entityType, id, readBody(exchange), viaApi, exchange.getRequestHeaders().getFirst("If-Match"));
            } catch (StaleWrite e) {
                send(exchange, 412, Map.of("error", e.getMessage()));
                return;
            }
            send(exchange, record == null ? 404 : 200, record == null ? Map.of("error", "no " + entityType + " " + id) : record);
        } else {
            send(exchange, 405, Map.of("error", method + " not allowed here"));
        }
    }

    private void handleWebhookRegistration(HttpExchange exchange, String method) throws IOException {
        if (method.equals("GET")) {
            send(exchange, 200, Map.of("items", subscriptions.stream().map(Subscription::view).toList()));
            return;
        }
        Map<String, Object> body = readBody(exchange);
        String url = (String) body.get("url");
        String secret = (String) body.get("secret");
        @SuppressWarnings("unchecked")
        List<String> events = (List<String>) body.get("events");
        if (url == null || secret == null || events == null || events.isEmpty()) {
            send(exchange, 400, Map.of("error", "url, secret and events are required"));
            return;
        }
        Subscription existing = subscriptions.stream().filter(s -> s.url().equals(url)).findFirst().orElse(null);
        if (existing != null) {
            subscriptions.remove(existing);
        }
        Subscription subscription = new Subscription(existing == null ? "WH-" + UUID.randomUUID() : existing.id(),
                url, secret, List.copyOf(events));
        subscriptions.add(subscription);
        send(exchange, existing == null ? 201 : 200, subscription.view());
    }

    private boolean handleControl(HttpExchange exchange, String method, String path) throws IOException {
        switch (method + " " + path) {
            case "POST /_sim/down" -> setDown(true);
            case "POST /_sim/up" -> setDown(false);
            case "GET /_sim/stats" -> {
                Map<String, Object> stats = new LinkedHashMap<>();
                stats.put("down", down);
                stats.put("customers", store("customer").size());
                stats.put("invoices", store("invoice").size());
                stats.put("apiWrites", totalWrites.get());
                stats.put("webhookDeliveries", deliveries.size());
                stats.putAll(extraStats());
                send(exchange, 200, stats);
                return true;
            }
            default -> {
                if (handleOwnControl(exchange, method, path)) {
                    return true;
                }
                Matcher m = API_PATH.matcher(path);
                if (m.matches()) {
                    handleRecords(exchange, method, m.group(2), m.group(3), false);
                    return true;
                }
                send(exchange, 404, Map.of("error", "no such control " + method + " " + path));
                return true;
            }
        }
        send(exchange, 200, Map.of("down", down));
        return true;
    }

    protected boolean handleOwnControl(HttpExchange exchange, String method, String path) throws IOException {
        return false;
    }

    protected Map<String, Object> extraStats() {
        return Map.of();
    }

    protected Map<String, Object> readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? new HashMap<>() : json.readValue(bytes, new TypeReference<Map<String, Object>>() {});
        }
    }

    protected void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void pause(Duration latency) {
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> copy(Map<String, Object> record) {
        return new LinkedHashMap<>(record);
    }

    /** An update whose If-Match no longer matches: someone else wrote the record meanwhile. */
    private static final class StaleWrite extends RuntimeException {
        StaleWrite(String message) {
            super(message);
        }
    }

    /** A webhook registration: where to POST which events, signed with which secret. */
    public record Subscription(String id, String url, String secret, List<String> events) {
        Map<String, Object> view() {
            return Map.of("id", id, "url", url, "events", events);
        }
    }

    /** One webhook sent (kept so it can be delivered again): its id, signed timestamp (unix seconds) and body. */
    public record Delivery(String id, Subscription subscription, long timestamp, String body) {

        /** Delivery id, timestamp and the signature over both and the body, as sent. */
        public Map<String, String> headers() {
            return Map.of(DELIVERY_HEADER, id, TIMESTAMP_HEADER, Long.toString(timestamp),
                    SIGNATURE_HEADER, sign(subscription.secret(), id, timestamp, body));
        }
    }
}
