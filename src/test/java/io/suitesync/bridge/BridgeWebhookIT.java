package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.hub.admin.AdminClient;
import io.suitesync.simulator.SimulatedSystem;
import io.suitesync.simulator.SimulatedSystem.Delivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.TestPropertySource;

/**
 * Webhook mode: the simulators push signed, timestamped notifications, each with its own secret; no
 * poll runs in these tests. Replays, stale timestamps, the other system's signature and floods of
 * unsigned requests are sent over real HTTP beside them.
 */
@TestPropertySource(properties = {
        "suitesync.bridge.enable-webhooks=true",
        "suitesync.bridge.crm.webhook-secret=" + BridgeWebhookIT.CRM_SECRET,
        "suitesync.bridge.finance.webhook-secret=" + BridgeWebhookIT.FINANCE_SECRET,
        "suitesync.bridge.webhook.rate-per-second=1",
        "suitesync.bridge.webhook.burst=40",
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeWebhookIT extends BridgeITSupport {

    static final String CRM_SECRET = "it-crm-webhook-secret";
    static final String FINANCE_SECRET = "it-finance-webhook-secret";

    @LocalServerPort
    int port;

    @Test
    @Order(1)
    void webhookSubscriptionsAreRegisteredWithBothSystemsAndRecorded() {
        awaitSubscriptions();

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT system, callback_url, remote_id, events FROM bridge_webhook_subscription ORDER BY system");
        assertThat(rows).extracting(r -> r.get("system")).containsExactly("CRM", "FINANCE");
        assertThat((String) rows.get(0).get("callback_url")).endsWith("/webhook/crm");
        assertThat((String) rows.get(1).get("callback_url")).endsWith("/webhook/finance");
        assertThat((String) rows.get(0).get("remote_id")).startsWith("WH-");
        assertThat((String) rows.get(0).get("events")).contains("customer.updated");
        HttpHeaders admin = new HttpHeaders();
        admin.set("X-Api-Key", AdminClient.ADMIN_KEY);
        ResponseEntity<List> listed = http.exchange("/bridge/webhooks", HttpMethod.GET, new HttpEntity<>(admin), List.class);
        assertThat(listed.getBody()).hasSize(2);
    }

    @Test
    @Order(2)
    void crmChangeArrivesByWebhookAndItsFinanceEchoIsRecognised() {
        awaitSubscriptions();
        String crmId = (String) crm.userCreate("customer", crmCustomer("Golnar Webhook")).get("id");

        String financeId = awaitFinanceIdOf("customer", crmId);
        // Finance notifies us of our own write; the bridge must see it is an echo
        await().atMost(TIMEOUT).until(() -> logStatuses(financeId).contains("SKIPPED"));
        awaitQueueIdle();

        assertThat(finance.find("customer", financeId)).containsEntry("fullName", "Golnar Webhook");
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(1);
        assertThat(crm.writeCount("customer", crmId)).isZero();
        assertThat(queued("CRM", crmId)).isEqualTo(1);
        // registration gave each system its own secret, and each signs with it
        assertThat(deliveryOf(crm, crmId).subscription().secret()).isEqualTo(CRM_SECRET);
        assertThat(deliveryOf(finance, financeId).subscription().secret()).isEqualTo(FINANCE_SECRET);
        assertThat(awaitStatus(crm, deliveryOf(crm, crmId))).isEqualTo(202);
        assertThat(awaitStatus(finance, deliveryOf(finance, financeId))).isEqualTo(202);
    }

    @Test
    @Order(3)
    void deliveryReplayedWithinTheWindowIsAnsweredWithoutEffect() {
        awaitSubscriptions();
        String crmId = (String) crm.userCreate("customer", crmCustomer("Hamid Replay")).get("id");
        String financeId = awaitFinanceIdOf("customer", crmId);
        awaitQueueIdle();
        crm.userUpdate("customer", crmId, Map.of("name", "Hamid Replay (renamed)"));
        await().atMost(TIMEOUT).until(() -> "Hamid Replay (renamed)".equals(finance.find("customer", financeId).get("fullName")));
        awaitQueueIdle();
        Delivery update = crm.deliveries().get(crm.deliveries().size() - 1);
        assertThat(awaitStatus(crm, update)).isEqualTo(202);
        long queuedBefore = queued("CRM", crmId);
        int logBefore = logStatuses(crmId).size();

        // byte for byte, as a captured request would be replayed
        assertThat(crm.redeliverLast()).isEqualTo(200);
        ResponseEntity<String> copy = post("/webhook/crm", update.body(), update.headers());
        // the same delivery id signed again with a fresh timestamp, as a sender's retry would be
        long now = Instant.now().getEpochSecond();
        ResponseEntity<String> retried = post("/webhook/crm", update.body(),
                signed(CRM_SECRET, update.id(), now, update.body()));

        assertThat(copy.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(copy.getBody()).contains("\"duplicate\":true").contains(update.id());
        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(queued("CRM", crmId)).isEqualTo(queuedBefore);
        assertThat(logStatuses(crmId)).hasSize(logBefore);
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(2);
        // remembered in PostgreSQL, so a restart of the bridge does not forget it
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_webhook_delivery WHERE system = 'CRM' AND delivery_id = ?",
                Long.class, update.id())).isEqualTo(1);

        // replayed in a loop, more often than the CRM's burst: answered before the rate limit, which the next real change still passes
        assertThat(send("/webhook/crm", update.body(), IntStream.range(0, 60).mapToObj(i -> update.headers()).toList()))
                .hasSize(60).containsOnly(200);
        String next = (String) crm.userCreate("customer", crmCustomer("After Replays")).get("id");
        assertThat(awaitStatus(crm, deliveryOf(crm, next))).isEqualTo(202);
        assertThat(queued("CRM", crmId)).isEqualTo(queuedBefore);
        String nextCopy = awaitFinanceIdOf("customer", next);
        await().atMost(TIMEOUT).until(() -> logStatuses(nextCopy).contains("SKIPPED"));
        awaitQueueIdle();
    }

    @Test
    @Order(4)
    void unsignedOrBadlySignedRequestsAreRefusedWith401BeforeTheBodyIsReadAndNothingIsQueued() {
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"CRM-C-999999\"}";
        long now = Instant.now().getEpochSecond();
        Map<String, String> genuine = signed(CRM_SECRET, "d-genuine", now, body);

        Map<String, ResponseEntity<String>> refused = Map.of(
                "forged", post("/webhook/crm", body, signed("wrong-secret-0123456", "d-forged", now, body)),
                "unsigned", post("/webhook/crm", body, Map.of()),
                "tampered", post("/webhook/crm", body.replace("999999", "999998"), genuine),
                "no timestamp", post("/webhook/crm", body, without(genuine, SimulatedSystem.TIMESTAMP_HEADER)),
                "no delivery id", post("/webhook/crm", body, without(genuine, SimulatedSystem.DELIVERY_HEADER)),
                "body-only signature", post("/webhook/crm", body,
                        Map.of(SimulatedSystem.SIGNATURE_HEADER, SimulatedSystem.sign(CRM_SECRET, body))),
                "unsigned, not JSON", post("/webhook/crm", "{not json", Map.of()));

        refused.forEach((name, response) -> {
            assertThat(response.getStatusCode()).as(name).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(response.getBody()).as(name).startsWith("{\"error\":\"").contains("X-");
        });
        assertThat(refused.get("no timestamp").getBody()).contains("X-Signature-Timestamp");
        assertThat(queued("CRM", "CRM-C-999999")).isZero();
        assertThat(queued("CRM", "CRM-C-999998")).isZero();

        assertThat(post("/webhook/crm", body, genuine).getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(queued("CRM", "CRM-C-999999")).isEqualTo(1);
    }

    @Test
    @Order(5)
    void timestampOutsideTheReplayWindowIsRefusedAndSkewInsideItIsTolerated() {
        awaitSubscriptions();
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"CRM-C-888888\"}";
        long sixMinutesAgo = Instant.now().minus(Duration.ofMinutes(6)).getEpochSecond();
        ResponseEntity<String> stale = post("/webhook/crm", body, signed(CRM_SECRET, "d-stale", sixMinutesAgo, body));
        assertThat(stale.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(stale.getBody()).contains("outside the replay window");

        String behind;
        String ahead;
        try {
            crm.setClockSkew(Duration.ofMinutes(-10));
            behind = (String) crm.userCreate("customer", crmCustomer("Clock Behind")).get("id");
            assertThat(awaitStatus(crm, deliveryOf(crm, behind))).isEqualTo(401);
            crm.setClockSkew(Duration.ofMinutes(2));
            ahead = (String) crm.userCreate("customer", crmCustomer("Clock Ahead")).get("id");
            assertThat(awaitStatus(crm, deliveryOf(crm, ahead))).isEqualTo(202);
        } finally {
            crm.setClockSkew(Duration.ZERO);
        }

        awaitFinanceIdOf("customer", ahead);
        assertThat(queued("CRM", "CRM-C-888888")).isZero();
        assertThat(queued("CRM", behind)).isZero();
        assertThat(financeIdOf("customer", behind)).isNull();
    }

    @Test
    @Order(6)
    void payloadSignedByTheCrmIsRefusedOnTheFinanceEndpoint() {
        awaitSubscriptions();
        String crmId = (String) crm.userCreate("customer", crmCustomer("Cross Signed")).get("id");
        Delivery fromCrm = deliveryOf(crm, crmId);
        assertThat(awaitStatus(crm, fromCrm)).isEqualTo(202);

        // the CRM's genuine delivery, fresh and never seen on /webhook/finance
        ResponseEntity<String> crossed = post("/webhook/finance", fromCrm.body(), fromCrm.headers());
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"FIN-C-777777\"}";
        long now = Instant.now().getEpochSecond();
        ResponseEntity<String> crmSigned = post("/webhook/finance", body, signed(CRM_SECRET, "d-cross", now, body));

        assertThat(crossed.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(crmSigned.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(queued("FINANCE", crmId)).isZero();
        assertThat(queued("FINANCE", "FIN-C-777777")).isZero();

        assertThat(post("/webhook/finance", body, signed(FINANCE_SECRET, "d-cross", now, body)).getStatusCode())
                .isEqualTo(HttpStatus.ACCEPTED);
        assertThat(queued("FINANCE", "FIN-C-777777")).isEqualTo(1);
    }

    @Test
    @Order(7)
    void floodOfUnsignedRequestsDoesNotCostSignedDeliveriesTheirBudget() throws Exception {
        awaitSubscriptions();
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"CRM-C-FLOOD\"}";
        long now = Instant.now().getEpochSecond();
        List<Map<String, String>> hostile = List.of(
                Map.of(),
                signed("wrong-secret-0123456", "d-flood", now, body),
                Map.of(SimulatedSystem.SIGNATURE_HEADER, "00", SimulatedSystem.TIMESTAMP_HEADER, Long.toString(now),
                        SimulatedSystem.DELIVERY_HEADER, "d-flood"),
                Map.of(SimulatedSystem.SIGNATURE_HEADER, SimulatedSystem.sign(CRM_SECRET, body)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService senders = Executors.newFixedThreadPool(32);
        AtomicInteger done = new AtomicInteger();
        List<String> legitimate = new ArrayList<>();
        try {
            List<Future<Integer>> flood = IntStream.range(0, 2000).mapToObj(i -> senders.submit(() -> {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhook/crm"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                hostile.get(i % hostile.size()).forEach(request::header);
                int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                done.incrementAndGet();
                return status;
            })).toList();

            // twelve real changes, each signed by the CRM simulator, sent while the flood goes on
            for (int k = 0; k < 12; k++) {
                int reached = k * 150;
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> done.get() >= reached);
                legitimate.add((String) crm.userCreate("customer", crmCustomer("During Flood " + k)).get("id"));
            }
            assertThat(done.get()).as("flood still running when the last real change was sent").isLessThan(2000);

            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : flood) {
                statuses.add(f.get());
            }
            assertThat(statuses).hasSize(2000).containsOnly(401);
        } finally {
            senders.shutdownNow();
        }

        for (String crmId : legitimate) {
            assertThat(awaitStatus(crm, deliveryOf(crm, crmId))).as(crmId).isEqualTo(202);
            assertThat(queued("CRM", crmId)).as(crmId).isEqualTo(1);
        }
        assertThat(queued("CRM", "CRM-C-FLOOD")).isZero();
        for (String crmId : legitimate) {
            awaitFinanceIdOf("customer", crmId);
        }
    }

    @Test
    @Order(8)
    void floodOfSignedRequestsIsRateLimitedWith429AndOnlyAcceptedOnesAreRemembered() {
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"FIN-C-999999\"}";
        long now = Instant.now().getEpochSecond();

        List<Integer> statuses = send("/webhook/finance", body, IntStream.range(0, 200)
                .mapToObj(i -> signed(FINANCE_SECRET, "signed-flood-" + i, now, body)).toList());

        // burst 40, refill 1/s: most of 200 signed requests are shed
        long accepted = statuses.stream().filter(s -> s == 202).count();
        assertThat(statuses).containsOnly(202, 429);
        assertThat(statuses.stream().filter(s -> s == 429).count()).isGreaterThanOrEqualTo(100);
        assertThat(accepted).isPositive();
        // a shed delivery is not remembered: the sender's retry of it will be taken
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_webhook_delivery WHERE delivery_id LIKE 'signed-flood-%'",
                Long.class)).isEqualTo(accepted);
    }

    private void awaitSubscriptions() {
        await().atMost(TIMEOUT).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM bridge_webhook_subscription WHERE status = 'ACTIVE'", Long.class) == 2);
    }

    private long queued(String system, String sourceId) {
        return jdbc.queryForObject("SELECT count(*) FROM bridge_work_queue WHERE source_system = ? AND source_id = ?",
                Long.class, system, sourceId);
    }

    /** The webhook a simulator sent when the record was created. */
    private static Delivery deliveryOf(SimulatedSystem system, String entityId) {
        String created = "\"entityId\":\"" + entityId + "\"";
        await().atMost(TIMEOUT).until(() -> system.deliveries().stream().anyMatch(d -> d.body().contains(created)));
        return system.deliveries().stream().filter(d -> d.body().contains(created)).findFirst().orElseThrow();
    }

    private static int awaitStatus(SimulatedSystem system, Delivery delivery) {
        await().atMost(TIMEOUT).until(() -> system.deliveryStatus(delivery.id()) != null);
        return system.deliveryStatus(delivery.id());
    }

    private static Map<String, String> signed(String secret, String deliveryId, long timestamp, String body) {
        return Map.of(SimulatedSystem.DELIVERY_HEADER, deliveryId, SimulatedSystem.TIMESTAMP_HEADER, Long.toString(timestamp),
                SimulatedSystem.SIGNATURE_HEADER, SimulatedSystem.sign(secret, deliveryId, timestamp, body));
    }

    private static Map<String, String> without(Map<String, String> headers, String name) {
        Map<String, String> copy = new java.util.HashMap<>(headers);
        copy.remove(name);
        return copy;
    }

    /** Sends the requests all at once; their statuses in order. */
    private List<Integer> send(String path, String body, List<Map<String, String>> headersPerRequest) {
        HttpClient client = HttpClient.newHttpClient();
        return headersPerRequest.stream().map(headers -> {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                    headers.forEach(request::header);
                    return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
                })
                .toList().stream().map(f -> f.join().statusCode()).toList();
    }

    private ResponseEntity<String> post(String path, String body, Map<String, String> signature) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        signature.forEach(headers::set);
        return http.postForEntity(path, new HttpEntity<>(body, headers), String.class);
    }
}
