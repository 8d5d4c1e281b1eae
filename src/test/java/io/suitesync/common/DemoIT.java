package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.testsupport.DemoProcess;
import io.suitesync.testsupport.StreamReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The one-command demo as {@code ./mvnw spring-boot:run} starts it (profile dev, the main class on the
 * build's classpath, nothing configured): hub, crm agent, bridge and both simulators in one process on
 * embedded servers, announced by one banner. Ports other than the documented ones, which a developer's
 * own demo may hold.
 */
class DemoIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static DemoProcess demo;
    private static String app;
    private static String crm;
    private static String finance;
    private static int postgresPort;
    private static LettuceConnectionFactory redisFactory;
    private static StreamReader streams;

    @BeforeAll
    static void startDemo() {
        demo = DemoProcess.start();
        app = demo.app();
        crm = demo.crm();
        finance = demo.finance();
        postgresPort = demo.postgresPort;
        redisFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", demo.redisPort));
        redisFactory.afterPropertiesSet();
        streams = new StreamReader(new StringRedisTemplate(redisFactory));
    }

    @AfterAll
    static void stopDemo() {
        if (redisFactory != null) {
            redisFactory.destroy();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void oneBannerNamesServersKeysTenantsAndNextCommands() {
        String output = demo.output();
        assertThat(output.split("==== SuiteSync demo", -1)).as("banners").hasSize(2);
        assertThat(output).contains("roles hub,agent,bridge (agent for crm) on http://localhost:")
                .contains("CRM simulator     " + crm.replace("127.0.0.1", "localhost"))
                .contains("Finance simulator " + finance.replace("127.0.0.1", "localhost"))
                .contains("demo tenants      acme (crm, hrms), globex (hrms)")
                .contains("admin: X-Api-Key: dev-admin-key", "crm read key: dev-crm-key")
                .contains("   1. psql ", "   2. curl ", "   3. curl ")
                .contains("console           " + app.replace("127.0.0.1", "localhost") + "/console/   (HTTP Basic: admin / dev-admin-password)");
        String startUp = output.substring(0, output.indexOf("==== SuiteSync demo"));
        assertThat(startUp.lines().filter(l -> l.contains(" ERROR ")).toList()).as("errors logged at start-up").isEmpty();
    }

    @Test
    void creditCostChangeReachesTheStreamAndTheAgent() throws SQLException {
        await().atMost(Duration.ofSeconds(60)).until(DemoIT::creditCost, cost -> cost == 2.0);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres?user=postgres");
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE credit_configurations SET credit_cost = 3 "
                    + "WHERE tenant_id = 'acme' AND operation_code = 'crm.leads.create'");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(streams.events("crm:acme:events"))
                .anySatisfy(event -> {
                    assertThat(event).containsEntry("eventType", "credit-config.updated");
                    @SuppressWarnings("unchecked")
                    Map<String, Object> data = (Map<String, Object>) event.get("data");
                    assertThat(data).containsEntry("operationCode", "crm.leads.create");
                    assertThat(((Number) data.get("creditCost")).doubleValue()).isEqualTo(3.0);
                }));
        await().atMost(Duration.ofSeconds(30)).until(DemoIT::creditCost, cost -> cost == 3.0);
    }

    @Test
    void bridgeCopiesACrmCustomerToFinance() throws IOException, InterruptedException {
        Map<String, Object> created = send(HttpRequest.newBuilder(URI.create(crm + "/_sim/customers"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ava Rahimi\",\"email\":\"ava@example.com\",\"phone\":\"+98-21-555\"}")));
        String crmId = (String) created.get("id");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Map<String, Object>> items = castList(send(HttpRequest.newBuilder(URI.create(finance + "/_sim/customers")).GET()).get("items"));
            assertThat(items).anySatisfy(item -> assertThat(item).containsEntry("externalRef", crmId)
                    .containsEntry("fullName", "Ava Rahimi"));
        });
    }

    @Test
    void theConsoleOpensWithTheDevAdminUserOnly() throws IOException, InterruptedException {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("admin:dev-admin-password".getBytes());
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(app + "/console/")).header("Authorization", basic)
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(app + "/console/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("SuiteSync console");
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    /** The agent's answer; NaN while it answers 404 because it has not discovered tenant acme yet. */
    private static double creditCost() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(app + "/api/credits/check/crm.leads.create"))
                .header("X-Tenant-Id", "acme").build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return Double.NaN;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> answer = JSON.readValue(response.body(), new TypeReference<>() {});
        return ((Number) answer.get("creditCost")).doubleValue();
    }

    private static Map<String, Object> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return JSON.readValue(response.body(), new TypeReference<>() {});
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> castList(Object value) {
        return (List<Map<String, Object>>) value;
    }
}
