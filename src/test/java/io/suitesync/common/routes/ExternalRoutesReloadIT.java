package io.suitesync.common.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Operators edit route files of SUITESYNC_ROUTES_DIR while the hub runs and relays: each change is
 * applied or refused on its own, and the relay (a built-in route) never stops.
 */
@SpringBootTest
@ExtendWith(OutputCaptureExtension.class)
class ExternalRoutesReloadIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path ROUTES = newFolder();

    @Autowired CamelContext camel;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;

    WrapperFixtures wrapper;
    StreamReader streams;
    ProducerTemplate producer;

    @DynamicPropertySource
    static void routesFolder(DynamicPropertyRegistry registry) {
        registry.add("suitesync.routes.external-dir", ROUTES::toString);
    }

    @BeforeEach
    void setUp() {
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
        producer = camel.createProducerTemplate();
    }

    @Test
    void routeFileAddedChangedBrokenAndFixedWhileTheRelayKeepsRelaying(CapturedOutput log) {
        Route relay = camel.getRoute("change-log-relay");
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 1);
        assertRelayDelivers(tenant, config, 2);

        write("echo.yaml", echoRoute("v1"));
        await().atMost(WAIT).until(() -> "v1 hello".equals(echo()));
        assertRelayDelivers(tenant, config, 3);

        write("echo.yaml", echoRoute("v2"));
        await().atMost(WAIT).until(() -> "v2 hello".equals(echo()));
        assertRelayDelivers(tenant, config, 4);

        write("echo.yaml", echoRoute("v3").replace("    from:", "   from: [")); // no longer YAML
        await().atMost(WAIT).until(() -> log.getOut().contains("route file echo.yaml refused"));
        assertThat(log.getOut()).contains("line 3, column 4").contains("still running from it: [operator-echo]");
        assertThat(echo()).as("the previous version keeps running").isEqualTo("v2 hello");
        assertRelayDelivers(tenant, config, 5);

        write("echo.yaml", echoRoute("v4"));
        await().atMost(WAIT).until(() -> "v4 hello".equals(echo()));
        assertRelayDelivers(tenant, config, 6);

        assertThat(camel.getRoute("change-log-relay")).as("the relay was never restarted").isSameAs(relay);
        assertThat(camel.getRouteController().getRouteStatus("change-log-relay")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void fileReusingBuiltInRouteIdIsRefusedAndTheBuiltInKeepsRunning(CapturedOutput log) {
        Route relay = camel.getRoute("change-log-relay");
        write("hijack.yaml", """
                - route:
                    id: change-log-relay
                    from:
                      uri: timer:hijack
                      steps:
                        - log: "hijacked"
                """);

        await().atMost(WAIT).until(() -> log.getOut().contains("route file hijack.yaml refused"));
        assertThat(log.getOut()).contains("route id 'change-log-relay' belongs to a built-in route, which cannot be "
                + "replaced from the routes folder; nothing runs from it");
        assertThat(camel.getRoute("change-log-relay")).isSameAs(relay);
        assertThat(relay.getSourceResource().getLocation()).endsWith("routes/hub/change-log-relay.camel.yaml");
        String tenant = wrapper.tenant("crm");
        assertRelayDelivers(tenant, wrapper.creditConfig(tenant, "crm.deals.close", 1), 7);
    }

    @Test
    void fileReusingAnotherFilesRouteIdIsRefused(CapturedOutput log) {
        write("first.yaml", route("operator-shared", "direct:operator-first", "first"));
        await().atMost(WAIT).until(() -> "first hello".equals(request("direct:operator-first")));

        write("second.yaml", route("operator-shared", "direct:operator-second", "second"));

        await().atMost(WAIT).until(() -> log.getOut().contains("route file second.yaml refused"));
        assertThat(log.getOut()).contains("route id 'operator-shared' is already defined in first.yaml");
        assertThat(request("direct:operator-first")).isEqualTo("first hello");
        assertThat(camel.getRoute("operator-shared").getSourceResource().getLocation()).endsWith("first.yaml");
    }

    @Test
    void fileWhoseRoutesCannotStartIsRefusedAndItsPreviousVersionRunsAgain(CapturedOutput log) {
        write("lookup.yaml", route("operator-lookup", "direct:operator-lookup", "v1"));
        await().atMost(WAIT).until(() -> "v1 hello".equals(request("direct:operator-lookup")));

        write("lookup.yaml", """
                - route:
                    id: operator-lookup
                    from:
                      uri: direct:operator-lookup
                      steps:
                        - to: nosuchcomponent:anywhere
                """);

        await().atMost(WAIT).until(() -> log.getOut().contains("route file lookup.yaml refused: its routes did not start"));
        assertThat(log.getOut()).contains("No endpoint could be found for: nosuchcomponent://anywhere")
                .contains("still running from it: [operator-lookup]");
        assertThat(request("direct:operator-lookup")).isEqualTo("v1 hello");
    }

    @Test
    void routeDroppedFromItsFileOrWithItsFileStops(CapturedOutput log) {
        write("pair.yaml", route("operator-a", "direct:operator-a", "a") + route("operator-b", "direct:operator-b", "b"));
        await().atMost(WAIT).until(() -> camel.getRoute("operator-a") != null && camel.getRoute("operator-b") != null);

        write("pair.yaml", route("operator-a", "direct:operator-a", "a2"));
        await().atMost(WAIT).until(() -> camel.getRoute("operator-b") == null);
        assertThat(request("direct:operator-a")).isEqualTo("a2 hello");

        delete("pair.yaml");
        await().atMost(WAIT).until(() -> camel.getRoute("operator-a") == null);
        assertThat(log.getOut()).contains("route file pair.yaml deleted: stopped its routes [operator-a]");
    }

    @Test
    void exampleRouteFileRunsOnTheHub() throws IOException {
        NotifyBuilder ran = new NotifyBuilder(camel).fromRoute("operator-relay-lag-watch").whenCompleted(1).create();

        write("relay-lag-watch.yaml", Files.readString(Path.of("examples/routes/relay-lag-watch.yaml")));

        assertThat(ran.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the example route ran").isTrue();
    }

    @Test
    void xmlRouteFileIsAppliedToo() {
        write("greeting.xml", """
                <routes xmlns="http://camel.apache.org/schema/xml-io">
                  <route id="operator-xml-greeting">
                    <from uri="direct:operator-xml-greeting"/>
                    <setBody><simple>xml ${body}</simple></setBody>
                  </route>
                </routes>
                """);

        await().atMost(WAIT).until(() -> "xml hello".equals(request("direct:operator-xml-greeting")));
    }

    private void assertRelayDelivers(String tenant, UUID config, double cost) {
        jdbc.update("UPDATE credit_configurations SET credit_cost = ? WHERE id = ?", cost, config);
        await().atMost(WAIT).until(() -> streams.events("crm:" + tenant + ":events").stream()
                .map(e -> (Map<?, ?>) e.get("data"))
                .anyMatch(data -> Double.valueOf(cost).equals(((Number) data.get("creditCost")).doubleValue())));
    }

    private String echo() {
        return request("direct:operator-echo");
    }

    /** What the route answers, or null while no route consumes from the endpoint. */
    private String request(String endpoint) {
        try {
            return producer.requestBody(endpoint + "?timeout=100", "hello", String.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String echoRoute(String version) {
        return route("operator-echo", "direct:operator-echo", version);
    }

    private static String route(String id, String from, String prefix) {
        return """
                - route:
                    id: %s
                    from:
                      uri: %s
                      steps:
                        - setBody:
                            simple: "%s ${body}"
                """.formatted(id, from, prefix);
    }

    /** Writes next to the folder and moves into it, as an editor saving atomically does: one complete file. */
    private static void write(String name, String content) {
        try {
            Path tmp = Files.writeString(ROUTES.resolveSibling(ROUTES.getFileName() + "-" + name), content);
            Files.move(tmp, ROUTES.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(String name) {
        try {
            Files.delete(ROUTES.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path newFolder() {
        try {
            return Files.createTempDirectory("suitesync-routes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
