package io.suitesync.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.SuiteSyncApplication;
import io.suitesync.testsupport.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A hub and agents as separate Spring applications talking real HTTP, the way they run in
 * production: the hub with its own database, each agent with its own port and state folder.
 */
public final class Processes {

    public static final String READ_KEYS = "crm=crm-key,hrms=hrms-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Processes() {}

    public record Reply(int status, Map<String, Object> body) {}

    /** A running hub (roles=hub) on a random port with a fresh database. */
    public static final class Hub implements AutoCloseable {
        final String databaseUrl;
        final String redisUrl;
        ConfigurableApplicationContext context;

        public Hub(String redisUrl, String... extra) {
            this.databaseUrl = TestServers.newDatabase();
            this.redisUrl = redisUrl;
            List<String> props = new ArrayList<>(List.of("suitesync.roles=hub", "server.port=0",
                    "spring.datasource.url=" + databaseUrl, "spring.data.redis.url=" + redisUrl,
                    "suitesync.security.read-keys=" + READ_KEYS,
                    // a relay command during a Redis outage fails fast and is retried, instead of hanging 60 s
                    "spring.data.redis.timeout=2s", "spring.jmx.enabled=false"));
            props.addAll(List.of(extra));
            context = run(props);
        }

        public String url() {
            return "http://127.0.0.1:" + port(context);
        }

        public ConfigurableApplicationContext context() {
            return context;
        }

        public JdbcTemplate jdbc() {
            return new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(databaseUrl));
        }

        @Override
        public void close() {
            if (context != null && context.isActive()) {
                context.close();
            }
        }
    }

    /** Starts an agent of {@code crm} for the tenants (none = all that enabled crm) with extra properties. */
    public static ConfigurableApplicationContext agent(Hub hub, String hubUrl, Path stateDir, List<String> tenants, String... extra) {
        List<String> props = new ArrayList<>(List.of("suitesync.roles=agent", "server.port=0",
                // the agent needs no database of its own; the hub's serves its health check
                "spring.datasource.url=" + hub.databaseUrl, "spring.flyway.enabled=false",
                "spring.data.redis.url=" + hub.redisUrl, "spring.jmx.enabled=false",
                "suitesync.agent.app-code=crm", "suitesync.agent.hub.url=" + hubUrl, "suitesync.agent.hub.api-key=crm-key",
                "suitesync.agent.state-dir=" + stateDir, "suitesync.agent.stream.retry-backoff=200ms",
                "suitesync.agent.stream.state-flush=200ms"));
        for (int i = 0; i < tenants.size(); i++) {
            props.add("suitesync.agent.tenants[" + i + "]=" + tenants.get(i));
        }
        props.addAll(List.of(extra));
        return run(props);
    }

    /**
     * As command-line arguments: {@code SpringApplicationBuilder.properties} are only defaults, and
     * application.yml's {@code suitesync.roles: hub} would win over them. A later property replaces an
     * earlier one of the same key (a test's extra properties override the defaults above), since
     * Spring joins a repeated argument's values with commas.
     */
    private static ConfigurableApplicationContext run(List<String> properties) {
        Map<String, String> byKey = new LinkedHashMap<>();
        properties.forEach(p -> byKey.put(p.substring(0, p.indexOf('=')), p));
        return new SpringApplicationBuilder(SuiteSyncApplication.class)
                .run(byKey.values().stream().map(p -> "--" + p).toArray(String[]::new));
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public static CriticalStore store(ConfigurableApplicationContext agent) {
        return agent.getBean(CriticalStore.class);
    }

    public static Reply get(ConfigurableApplicationContext agent, String path, String tenant) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(agent) + path));
        if (tenant != null) {
            request.header("X-Tenant-Id", tenant);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), JSON.readValue(response.body(), new TypeReference<>() {}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Credit cost the agent answers for the operation, null when it answers 404. */
    public static Double creditCost(ConfigurableApplicationContext agent, String tenant, String operation) {
        Reply reply = get(agent, "/api/credits/check/" + operation, tenant);
        return reply.status() == 200 ? ((Number) reply.body().get("creditCost")).doubleValue() : null;
    }

    /** What a correct replica holds for crm: each critical record with its newest change id as version. */
    public static Map<String, Long> expectedVersions(JdbcTemplate jdbc, String tenant) {
        Map<String, Long> expected = new java.util.TreeMap<>();
        String newest = "(SELECT max(l.id) FROM change_log l WHERE l.table_name = '%s' AND l.record_id = x.id::text)";
        jdbc.queryForList("SELECT x.id::text AS id, " + newest.formatted("credit_configurations") + " AS v "
                + "FROM credit_configurations x WHERE tenant_id = ? AND operation_code LIKE 'crm.%'", tenant)
                .forEach(r -> expected.put("credit-config/" + r.get("id"), ((Number) r.get("v")).longValue()));
        jdbc.queryForList("SELECT x.id::text AS id, " + newest.formatted("roles") + " AS v FROM roles x WHERE tenant_id = ? "
                + "AND EXISTS (SELECT 1 FROM unnest(permissions) p WHERE p LIKE 'crm.%' OR p IN ('user-management', 'role-management'))", tenant)
                .forEach(r -> expected.put("role/" + r.get("id"), ((Number) r.get("v")).longValue()));
        jdbc.queryForList("SELECT x.id::text AS id, " + newest.formatted("users") + " AS v FROM users x WHERE tenant_id = ?", tenant)
                .forEach(r -> expected.put("user/" + r.get("id"), ((Number) r.get("v")).longValue()));
        return expected;
    }
}
