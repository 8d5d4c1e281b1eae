package io.suitesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import io.suitesync.testsupport.PromQl;
import io.suitesync.testsupport.WrapperFixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every metric the Grafana dashboard (ops/grafana/dashboards/suitesync.json) queries is exported at
 * /actuator/prometheus by the app running hub, agent and bridge, once each role has had some traffic.
 */
class DashboardMetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ADMIN_KEY = "dashboard-it-admin-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path agentState;

    @Test
    void everyMetricTheDashboardQueriesIsExportedByHubAgentAndBridge() throws Exception {
        Set<String> queried = dashboardMetrics(Path.of("ops/grafana/dashboards/suitesync.json"));
        assertThat(queried).as("the dashboard's metrics").hasSizeGreaterThan(20)
                .contains("suitesync_relay_events_total", "suitesync_backfill_events_total",
                        "suitesync_agent_cache_requests_total", "suitesync_bridge_syncs_total");

        try (CrmSimulator crm = (CrmSimulator) new CrmSimulator(0, "it-crm-token").start();
             FinanceSimulator finance = (FinanceSimulator) new FinanceSimulator(0, "it-finance", "it-finance-password",
                     Duration.ofMinutes(10)).start();
             ConfigurableApplicationContext app = start(freePort(), crm, finance)) {
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            WrapperFixtures wrapper = new WrapperFixtures(app.getBean(JdbcTemplate.class));
            JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);

            // relay + agent: a credit cost the agent answers from memory, then a change it applies
            String live = wrapper.tenant("crm");
            UUID config = wrapper.creditConfig(live, "crm.leads.create", 1);
            await().atMost(WAIT).until(() -> get(base + "/api/credits/check/crm.leads.create", live, null).contains("\"cached\":true"));
            jdbc.update("UPDATE credit_configurations SET credit_cost = 2 WHERE id = ?", config);
            // backfill: enabling crm for a tenant with history
            String late = wrapper.tenant();
            wrapper.organization(late, "Head Office", null);
            post(base + "/admin/organizations/" + late + "/applications/crm/toggle", "{\"isEnabled\": true}");
            // bridge: a customer created in the CRM, synced on the next poll
            crm.userCreate("customer", Map.of("name", "Dana Dashboard", "email", "dana@example.com", "phone", "+98-21-1"));
            post(base + "/bridge/poll-now", "");

            await().atMost(WAIT).untilAsserted(() -> {
                String scrape = get(base + "/actuator/prometheus", null, ADMIN_KEY);
                assertThat(value(scrape, "suitesync_relay_events_total")).isPositive();
                assertThat(value(scrape, "suitesync_backfill_events_total")).isPositive();
                assertThat(value(scrape, "suitesync_agent_events_applied_total")).isPositive();
                assertThat(value(scrape, "suitesync_agent_cache_requests_total", "tier=\"critical\"", "result=\"hit\"")).isPositive();
                assertThat(value(scrape, "suitesync_bridge_syncs_total", "outcome=\"success\"")).isPositive();
            });

            Set<String> exported = exportedMetrics(get(base + "/actuator/prometheus", null, ADMIN_KEY));
            assertThat(exported).as("metrics the dashboard queries").containsAll(queried);
        }
    }

    private ConfigurableApplicationContext start(int port, CrmSimulator crm, FinanceSimulator finance) {
        String hub = "http://127.0.0.1:" + port;
        return new SpringApplicationBuilder(SuiteSyncApplication.class).run(
                "--suitesync.roles=hub,agent,bridge", "--server.port=" + port, "--spring.jmx.enabled=false",
                "--suitesync.security.admin-api-key=" + ADMIN_KEY, "--suitesync.security.read-keys=crm=dashboard-it-crm-key",
                "--suitesync.agent.app-code=crm", "--suitesync.agent.hub.url=" + hub,
                "--suitesync.agent.hub.api-key=dashboard-it-crm-key", "--suitesync.agent.state-dir=" + agentState,
                "--suitesync.agent.stream.tenant-refresh=1s",
                "--suitesync.bridge.crm.base-url=" + crm.baseUrl(), "--suitesync.bridge.crm.api-token=it-crm-token",
                "--suitesync.bridge.finance.base-url=" + finance.baseUrl(), "--suitesync.bridge.finance.username=it-finance",
                "--suitesync.bridge.finance.password=it-finance-password", "--suitesync.bridge.webhook-secret=it-secret",
                "--suitesync.bridge.poll-interval-seconds=3600", "--suitesync.bridge.poll-initial-delay=1h");
    }

    /** The metric names in every PromQL expression and template query of the dashboard. */
    static Set<String> dashboardMetrics(Path dashboard) throws IOException {
        Set<String> names = new TreeSet<>();
        collect(new ObjectMapper().readTree(Files.readString(dashboard)), names);
        return names;
    }

    private static void collect(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if ((field.getKey().equals("expr") || field.getKey().equals("query")) && field.getValue().isTextual()) {
                    names.addAll(PromQl.metricNames(field.getValue().asText()));
                } else {
                    collect(field.getValue(), names);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, names));
        }
    }

    private static Set<String> exportedMetrics(String scrape) {
        Set<String> names = new TreeSet<>();
        scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    /** Sum of the series of the metric whose labels include every given {@code name="value"}. */
    private static double value(String scrape, String metric, String... labels) {
        return scrape.lines().filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .filter(line -> Set.of(labels).stream().allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String get(String url, String tenant, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (tenant != null) {
            request.header("X-Tenant-Id", tenant);
        }
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void post(String url, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("X-Api-Key", ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (!json.isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " answered " + response.body()).isBetween(200, 299);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
