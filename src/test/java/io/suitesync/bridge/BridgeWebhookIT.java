package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.simulator.SimulatedSystem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.TestPropertySource;

/** Webhook mode: the simulators push signed notifications; no poll runs in these tests. */
@TestPropertySource(properties = {
        "suitesync.bridge.enable-webhooks=true",
        "suitesync.bridge.webhook.rate-per-second=1",
        "suitesync.bridge.webhook.burst=20"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeWebhookIT extends BridgeITSupport {

    @LocalServerPort
    int port;

    @Test
    @Order(1)
    void webhookSubscriptionsAreRegisteredWithBothSystemsAndRecorded() {
        await().atMost(TIMEOUT).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM bridge_webhook_subscription WHERE status = 'ACTIVE'", Long.class) == 2);

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT system, callback_url, remote_id, events FROM bridge_webhook_subscription ORDER BY system");
        assertThat(rows).extracting(r -> r.get("system")).containsExactly("CRM", "FINANCE");
        assertThat((String) rows.get(0).get("callback_url")).endsWith("/webhook/crm");
        assertThat((String) rows.get(1).get("callback_url")).endsWith("/webhook/finance");
        assertThat((String) rows.get(0).get("remote_id")).startsWith("WH-");
        assertThat((String) rows.get(0).get("events")).contains("customer.updated");
        ResponseEntity<List> listed = http.getForEntity("/bridge/webhooks", List.class);
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
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_work_queue WHERE origin = 'WEBHOOK' AND source_id = ?",
                Long.class, crmId)).isEqualTo(1);
    }

    @Test
    @Order(3)
    void sameWebhookDeliveredTwiceWritesOnce() {
        awaitSubscriptions();
        String crmId = (String) crm.userCreate("customer", crmCustomer("Hamid Replay")).get("id");
        String financeId = awaitFinanceIdOf("customer", crmId);
        awaitQueueIdle();
        crm.userUpdate("customer", crmId, Map.of("name", "Hamid Replay (renamed)"));
        await().atMost(TIMEOUT).until(() -> "Hamid Replay (renamed)".equals(finance.find("customer", financeId).get("fullName")));
        awaitQueueIdle();
        long skippedBefore = logStatuses(crmId).stream().filter("SKIPPED"::equals).count();

        assertThat(crm.redeliverLast()).isEqualTo(202);

        await().atMost(TIMEOUT).until(() -> logStatuses(crmId).stream().filter("SKIPPED"::equals).count() == skippedBefore + 1);
        awaitQueueIdle();
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(2);
        assertThat(crm.writeCount("customer", crmId)).isZero();
    }

    @Test
    @Order(4)
    void badOrMissingSignatureIsRefusedWith401AndNothingIsQueued() {
        long queuedBefore = jdbc.queryForObject("SELECT count(*) FROM bridge_work_queue", Long.class);
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"CRM-C-999999\"}";

        ResponseEntity<String> forged = post("/webhook/crm", body, SimulatedSystem.sign("wrong-secret", body));
        ResponseEntity<String> unsigned = post("/webhook/crm", body, null);
        ResponseEntity<String> tampered = post("/webhook/crm", body.replace("999999", "999998"),
                SimulatedSystem.sign("it-webhook-secret", body));

        assertThat(forged.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(unsigned.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(tampered.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_work_queue", Long.class)).isEqualTo(queuedBefore);

        ResponseEntity<String> genuine = post("/webhook/crm", body, SimulatedSystem.sign("it-webhook-secret", body));
        assertThat(genuine.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_work_queue WHERE source_id = 'CRM-C-999999'", Long.class))
                .isEqualTo(1);
    }

    @Test
    @Order(5)
    void floodOfWebhooksIsRateLimitedWith429() {
        String body = "{\"event\":\"customer.updated\",\"entityType\":\"customer\",\"entityId\":\"FIN-C-999999\"}";
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhook/finance"))
                .header("Content-Type", "application/json").header(SimulatedSystem.SIGNATURE_HEADER, "00")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();

        List<Integer> statuses = IntStream.range(0, 80)
                .mapToObj(i -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .toList().stream().map(f -> f.join().statusCode()).toList();

        // burst 20, refill 1/s: most of a burst of 80 is shed before the signature is even checked
        assertThat(statuses.stream().filter(s -> s == 429).count()).isGreaterThanOrEqualTo(40);
        assertThat(statuses.stream().filter(s -> s == 401).count()).isBetween(1L, 40L);
        assertThat(statuses).containsOnly(401, 429);
    }

    private void awaitSubscriptions() {
        await().atMost(TIMEOUT).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM bridge_webhook_subscription WHERE status = 'ACTIVE'", Long.class) == 2);
    }

    private ResponseEntity<String> post(String path, String body, String signature) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (signature != null) {
            headers.set(SimulatedSystem.SIGNATURE_HEADER, signature);
        }
        return http.postForEntity(path, new HttpEntity<>(body, headers), String.class);
    }
}
