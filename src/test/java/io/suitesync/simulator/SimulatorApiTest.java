package io.suitesync.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulators' HTTP API as documented in docs/simulators.md, over real HTTP. */
class SimulatorApiTest {

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final CrmSimulator crm = (CrmSimulator) new CrmSimulator(0, "token-1").start();
    private final FinanceSimulator finance = (FinanceSimulator) new FinanceSimulator(0, "fin", "pw", Duration.ofMinutes(5)).start();

    @AfterEach
    void stop() {
        crm.close();
        finance.close();
    }

    @Test
    void crmNeedsItsApiTokenAndCountsApiWritesPerRecord() throws Exception {
        assertThat(call(crm, "GET", "/api/customers", null, "wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> created = call(crm, "POST", "/api/customers", Map.of("name", "Ava"), "Bearer token-1");
        Map<?, ?> record = json.readValue(created.body(), Map.class);
        String id = (String) record.get("id");
        call(crm, "PUT", "/api/customers/" + id, Map.of("name", "Ava B"), "Bearer token-1");
        crm.userUpdate("customer", id, Map.of("phone", "1"));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(record.get("updatedAt")).isNotNull();
        assertThat(crm.writeCount("customer", id)).isEqualTo(2);
        assertThat(crm.find("customer", id)).containsEntry("name", "Ava B").containsEntry("phone", "1");
        assertThat(call(crm, "GET", "/api/customers/NOPE", null, "Bearer token-1").statusCode()).isEqualTo(404);
    }

    @Test
    void listChangedSinceReturnsNewerRecordsInOrderPageByPage() throws Exception {
        for (int i = 0; i < 5; i++) {
            crm.userCreate("customer", Map.of("name", "C" + i));
        }
        Map<?, ?> first = json.readValue(call(crm, "GET", "/api/customers?limit=3", null, "Bearer token-1").body(), Map.class);
        List<Map<String, Object>> items = (List<Map<String, Object>>) first.get("items");
        Map<String, Object> last = items.get(2);
        Map<?, ?> second = json.readValue(call(crm, "GET", "/api/customers?limit=3&updatedSince=" + last.get("updatedAt")
                + "&afterId=" + last.get("id"), null, "Bearer token-1").body(), Map.class);

        assertThat(first.get("hasMore")).isEqualTo(true);
        assertThat(items).extracting(r -> r.get("name")).containsExactly("C0", "C1", "C2");
        assertThat((List<Map<String, Object>>) second.get("items")).extracting(r -> r.get("name")).containsExactly("C3", "C4");
        assertThat(second.get("hasMore")).isEqualTo(false);
    }

    @Test
    void financeSessionsComeFromLoginAndEndWhenExpired() throws Exception {
        assertThat(call(finance, "POST", "/api/auth/login", Map.of("username", "fin", "password", "bad"), null).statusCode()).isEqualTo(401);
        Map<?, ?> login = json.readValue(call(finance, "POST", "/api/auth/login", Map.of("username", "fin", "password", "pw"), null).body(), Map.class);
        String session = "Bearer " + login.get("token");

        assertThat(call(finance, "GET", "/api/customers", null, session).statusCode()).isEqualTo(200);
        finance.expireSessions();
        assertThat(call(finance, "GET", "/api/customers", null, session).statusCode()).isEqualTo(401);
        assertThat(finance.loginCount()).isEqualTo(1);
    }

    @Test
    void downSystemAnswers503UntilItIsUpAgain() throws Exception {
        call(crm, "POST", "/_sim/down", null, null);
        assertThat(call(crm, "GET", "/api/customers", null, "Bearer token-1").statusCode()).isEqualTo(503);
        call(crm, "POST", "/_sim/up", null, null);
        assertThat(call(crm, "GET", "/api/customers", null, "Bearer token-1").statusCode()).isEqualTo(200);
    }

    @Test
    void changesAreSentAsSignedTimestampedWebhooksToSubscribers() throws Exception {
        List<String[]> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new String[] {new String(exchange.getRequestBody().readAllBytes()),
                    exchange.getRequestHeaders().getFirst(SimulatedSystem.SIGNATURE_HEADER),
                    exchange.getRequestHeaders().getFirst(SimulatedSystem.TIMESTAMP_HEADER),
                    exchange.getRequestHeaders().getFirst(SimulatedSystem.DELIVERY_HEADER)});
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            assertThat(call(crm, "POST", "/api/webhooks", Map.of("url", url, "secret", "k", "events", List.of("customer.created")),
                    "Bearer token-1").statusCode()).isEqualTo(201);

            long before = Instant.now().getEpochSecond();
            String id = (String) crm.userCreate("customer", Map.of("name", "Hooked")).get("id");
            crm.userCreate("invoice", Map.of("number", "not subscribed"));

            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            Map<?, ?> event = json.readValue(received.get(0)[0], Map.class);
            assertThat(event.get("event")).isEqualTo("customer.created");
            assertThat(event.get("entityId")).isEqualTo(id);
            String[] first = received.get(0);
            assertThat(Long.parseLong(first[2])).isBetween(before, Instant.now().getEpochSecond());
            assertThat(first[3]).isEqualTo(crm.deliveries().get(0).id());
            assertThat(first[1]).isEqualTo(SimulatedSystem.sign("k", first[3] + "." + first[2] + "." + first[0]));
            await().atMost(Duration.ofSeconds(10)).until(() -> crm.deliveryStatus(first[3]) != null);
            assertThat(crm.deliveryStatus(first[3])).isEqualTo(202);

            assertThat(crm.redeliverLast()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
            assertThat(received.get(1)).containsExactly(first);
        } finally {
            receiver.stop(0);
        }
    }

    private HttpResponse<String> call(SimulatedSystem system, String method, String path, Object body, String auth)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(system.baseUrl() + path));
        if (auth != null) {
            request.header("Authorization", auth);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
