package io.suitesync.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.hub.admin.AdminClient;
import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import io.suitesync.testsupport.RawHttp;
import io.suitesync.testsupport.WrapperFixtures;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The served OpenAPI document ({@code GET /api-doc}) of a hub + bridge (with simulators of its own):
 * valid OpenAPI 3 by swagger-parser's validator (the parser camel-openapi-java itself depends on), with
 * per-operation security, and every operation in it fuzzed with missing, malformed, oversized and
 * hostile input, without credentials, with admin credentials and with a read key: never a 5xx, never a
 * stack trace or Java class name, every error JSON in the one error format.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.roles=hub,bridge",
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
        "suitesync.security.admin-user=ops",
        "suitesync.security.admin-password=" + AdminClient.ADMIN_PASSWORD,
        "suitesync.security.read-keys=crm=" + AdminClient.CRM_READ_KEY,
        "suitesync.backfill.batch-size=50",
        "suitesync.bridge.crm.api-token=fuzz-crm-token",
        "suitesync.bridge.finance.username=fuzz-finance",
        "suitesync.bridge.finance.password=fuzz-finance-password",
        "suitesync.bridge.poll-interval-seconds=3600",
        "suitesync.bridge.poll-initial-delay=1h",
        "suitesync.bridge.webhook-secret=fuzz-webhook-secret",
        "suitesync.bridge.http.retries=0",
        "suitesync.bridge.http.request-timeout=5s"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OpenApiIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> ERROR_FIELDS = Set.of("status", "error", "message", "timestamp");
    /** What a leaked stack trace or internal name looks like in a body. */
    private static final List<String> INTERNALS = List.of("Exception", "\tat ", "java.", "javax.", "jakarta.",
            "org.apache", "org.springframework", "io.suitesync", "com.fasterxml", "org.postgresql", "PSQL", "SQL [",
            "<html", "Tomcat");

    private static CrmSimulator crm;
    private static FinanceSimulator finance;

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;

    String tenant;

    @DynamicPropertySource
    static void simulators(DynamicPropertyRegistry registry) {
        crm = (CrmSimulator) new CrmSimulator(0, "fuzz-crm-token").start();
        finance = (FinanceSimulator) new FinanceSimulator(0, "fuzz-finance", "fuzz-finance-password", Duration.ofMinutes(10)).start();
        registry.add("suitesync.bridge.crm.base-url", crm::baseUrl);
        registry.add("suitesync.bridge.finance.base-url", finance::baseUrl);
    }

    @AfterAll
    static void stopSimulators() {
        crm.close();
        finance.close();
    }

    @BeforeEach
    void setUp() {
        tenant = new WrapperFixtures(jdbc).tenant("crm");
    }

    @Test
    void theServedDocumentIsValidOpenApi3WithPerOperationSecurity() {
        String json = get("/api-doc").body();
        SwaggerParseResult parsed = parse(json);

        assertThat(parsed.getMessages()).as("swagger-parser validation messages").isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.");
        assertThat(api.getServers()).singleElement()
                .satisfies(s -> assertThat(s.getUrl()).isEqualTo("http://localhost:" + port + "/"));
        assertThat(api.getSecurity()).as("no document-wide requirement: /health and the webhooks need none").isNullOrEmpty();
        var schemes = api.getComponents().getSecuritySchemes();
        assertThat(schemes.get("adminApiKey")).satisfies(s -> {
            assertThat(s.getType()).hasToString("apiKey");
            assertThat(s.getIn()).hasToString("header");
            assertThat(s.getName()).isEqualTo("X-Api-Key");
        });
        assertThat(schemes.get("adminBasic")).satisfies(s -> {
            assertThat(s.getType()).hasToString("http");
            assertThat(s.getScheme()).isEqualTo("basic");
        });
        assertThat(schemes.get("readApiKey")).satisfies(s -> {
            assertThat(s.getType()).hasToString("apiKey");
            assertThat(s.getName()).isEqualTo("X-Api-Key");
        });

        int examples = 0;
        for (Op op : operations(api)) {
            assertThat(op.operation.getResponses()).as(op.name()).isNotEmpty();
            op.operation.getResponses().forEach((code, response) ->
                    assertThat(response.getDescription()).as(op.name() + " " + code).isNotBlank());
            Set<String> security = new TreeSet<>();
            List<SecurityRequirement> requirements = op.operation.getSecurity() == null ? List.of() : op.operation.getSecurity();
            requirements.forEach(r -> security.addAll(r.keySet()));
            if (op.path.startsWith("/admin/") || op.path.startsWith("/bridge/")) {
                assertThat(security).as(op.name()).containsExactly("adminApiKey", "adminBasic");
                assertThat(requirements).as(op.name() + ": either credential, not both").hasSize(2);
            } else if (op.path.startsWith("/read/")) {
                assertThat(security).as(op.name()).containsExactly("readApiKey");
            } else {
                assertThat(security).as(op.name() + " needs no credentials").isEmpty();
            }
            examples += exampleCount(op.operation);
        }
        assertThat(get("/api-doc").body()).contains("\"/health\"");
        assertThat(examples).as("examples on requests and responses").isGreaterThanOrEqualTo(10);
        assertThat(json).contains("\"example\"").contains("isEnabled");
    }

    @Test
    void everyOperationOfTheDocumentSurvivesHostileInput() {
        OpenAPI api = parse(get("/api-doc").body()).getOpenAPI();
        List<Op> ops = operations(api);
        assertThat(ops).hasSizeGreaterThanOrEqualTo(20);
        int sent = 0;
        List<String> failures = new ArrayList<>();
        for (Op op : ops) {
            for (Credential credential : credentialsFor(op)) {
                List<String> targets = targets(op);
                for (String target : targets) {
                    // every body on the valid target; on the hostile targets no body and an empty object
                    List<Body> bodies = target.equals(targets.get(0)) ? bodies(op) : bodies(op).subList(0, Math.min(3, bodies(op).size()));
                    for (Body body : bodies) {
                        RawHttp.Response r = RawHttp.send(port, op.method, target, headers(credential, body), body.bytes);
                        sent++;
                        check(op, credential, target, body, r, failures);
                    }
                }
            }
        }
        System.out.println("OpenApiIT fuzz: sent " + sent + " requests to " + ops.size() + " operations, "
                + failures.size() + " failures");
        assertThat(failures).as("fuzz failures (of " + sent + " requests)").isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM tenants WHERE id = ?", Long.class, tenant))
                .as("the tenants table survived \"'; drop table\"").isOne();
    }

    @Test
    void requestsWithoutCredentialsAreRefusedOnEveryAdminAndReadOperation() {
        OpenAPI api = parse(get("/api-doc").body()).getOpenAPI();
        for (Op op : operations(api)) {
            if (!op.path.startsWith("/admin/") && !op.path.startsWith("/read/")) {
                continue;
            }
            String target = fill(op, "crm", tenant, "7f0c5bd6-8a2b-4d1e-9a53-3c1a9e3b2f10");
            RawHttp.Response none = RawHttp.send(port, op.method, target, Map.of("Content-Type", "application/json"),
                    "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(none.status()).as(op.name() + " without credentials: " + none.body()).isEqualTo(401);
            assertErrorFormat(none);
            if (!op.path.startsWith("/read/")) {
                RawHttp.Response read = RawHttp.send(port, op.method, target, Map.of("Content-Type", "application/json",
                        "X-Api-Key", AdminClient.CRM_READ_KEY), "{}".getBytes(StandardCharsets.UTF_8));
                assertThat(read.status()).as(op.name() + " with a read key: " + read.body()).isEqualTo(403);
                assertErrorFormat(read);
            }
        }
    }

    // --- the fuzz cases ---

    private enum Credential { NONE, ADMIN, READ_KEY }

    private record Body(String name, byte[] bytes, String contentType) {}

    private record Op(String method, String path, Operation operation) {
        String name() {
            return method + " " + path;
        }
    }

    private List<Credential> credentialsFor(Op op) {
        return op.path.startsWith("/read/") ? List.of(Credential.NONE, Credential.READ_KEY, Credential.ADMIN)
                : List.of(Credential.NONE, Credential.ADMIN);
    }

    /** Request targets: each path parameter replaced by hostile values (the others valid), plus hostile queries. */
    private List<String> targets(Op op) {
        List<String> hostile = List.of("%27%3B%20drop%20table%20tenants%3B%20--", "..", "..%2F..%2Fetc%2Fpasswd", "a%00b",
                "%C3%BC-%D1%82%D0%B5%D1%81%D1%82-%F0%9F%98%80", "x".repeat(10_000), "99999999999999999999999999", "-1",
                "%zz", "%C3%28", "x%20y", "a;b=c", "%2e%2e", "null");
        List<String> targets = new ArrayList<>();
        targets.add(fill(op, "crm", tenant, "7f0c5bd6-8a2b-4d1e-9a53-3c1a9e3b2f10"));
        for (String name : pathParams(op)) {
            for (String value : hostile) {
                targets.add(fillOne(op, name, value));
            }
        }
        String base = fill(op, "crm", tenant, "1");
        for (String query : List.of("tenantId=a%00b", "limit=abc", "limit=99999999999999999999", "count=-5",
                "tenantId=%27%3B+drop+table+tenants%3B--", "tenantId=%zz", "limit=" + "9".repeat(5000), "%00=1",
                "tenantId=%F0%9F%98%80")) {
            targets.add(base + "?" + query);
        }
        return targets;
    }

    private List<Body> bodies(Op op) {
        List<Body> bodies = new ArrayList<>();
        bodies.add(new Body("none", null, null));
        if (!"POST".equals(op.method) && !"PUT".equals(op.method)) {
            return bodies;
        }
        byte[] badUtf8 = {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'};
        for (String json : List.of("{}", "", "null", "[]", "\"x\"", "not json", "{\"isEnabled\": \"'; drop table tenants; --\"}",
                "{\"isEnabled\": 1e999999, \"dryRun\": 99999999999999999999999}", "{\"sinceDate\": \"0001-01-01\", \"dryRun\": true}",
                "{\"sinceDate\": \"+999999999-12-31T23:59:59Z\", \"dryRun\": true}", "{\"sinceDate\": \"../../\\u0000\", \"dryRun\": true}",
                "{\"isEnabled\": true, \"skipHistoricalSync\": true}", "{\"a\": {\"b\": [[[[[[[[[[]]]]]]]]]]}}",
                "{\"x\": \"" + "ü".repeat(50_000) + "\"}")) {
            bodies.add(new Body("json " + abbreviate(json), json.getBytes(StandardCharsets.UTF_8), "application/json"));
        }
        bodies.add(new Body("bad UTF-8", badUtf8, "application/json"));
        bodies.add(new Body("text/plain", "hello".getBytes(StandardCharsets.UTF_8), "text/plain"));
        bodies.add(new Body("xml", "<a>1</a>".getBytes(StandardCharsets.UTF_8), "application/xml"));
        bodies.add(new Body("form", "isEnabled=true".getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded"));
        bodies.add(new Body("200 kB", ("{\"x\":\"" + "a".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8), "application/json"));
        return bodies;
    }

    private static Map<String, String> headers(Credential credential, Body body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (body.contentType != null) {
            headers.put("Content-Type", body.contentType);
        }
        switch (credential) {
            case ADMIN -> headers.put("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("ops:" + AdminClient.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            case READ_KEY -> headers.put("X-Api-Key", AdminClient.CRM_READ_KEY);
            case NONE -> { }
        }
        return headers;
    }

    private void check(Op op, Credential credential, String target, Body body, RawHttp.Response r, List<String> failures) {
        String what = op.name() + " as " + credential + " -> " + abbreviate(target) + " body " + body.name + ": "
                + r.status() + " " + abbreviate(r.body());
        if (r.status() >= 500) {
            failures.add("5xx: " + what);
            return;
        }
        for (String internal : INTERNALS) {
            if (r.body().contains(internal)) {
                failures.add("leaks '" + internal + "': " + what);
                return;
            }
        }
        if (r.status() >= 400) {
            Map<String, Object> json;
            try {
                json = MAPPER.readValue(r.body(), new TypeReference<>() {});
            } catch (Exception e) {
                failures.add("error body is not a JSON object: " + what);
                return;
            }
            boolean webhook = op.path.startsWith("/webhook/");
            if (!webhook && (!json.keySet().equals(ERROR_FIELDS) || !Integer.valueOf(r.status()).equals(json.get("status")))) {
                failures.add("not the error format: " + what);
            }
            if (webhook && !json.containsKey("error")) {
                failures.add("webhook error without 'error': " + what);
            }
        }
        // /bridge/** is open until the Spring Security layer (http-security) covers it
        if (credential == Credential.NONE && (op.path.startsWith("/admin/") || op.path.startsWith("/read/"))
                && r.status() < 400) {
            failures.add("answered without credentials: " + what);
        }
    }

    private static void assertErrorFormat(RawHttp.Response r) {
        Map<String, Object> json;
        try {
            json = MAPPER.readValue(r.body(), new TypeReference<>() {});
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
        assertThat(json.keySet()).isEqualTo(ERROR_FIELDS);
        assertThat(json.get("status")).isEqualTo(r.status());
    }

    // --- the document ---

    private RawHttp.Response get(String target) {
        return RawHttp.send(port, "GET", target, Map.of("Accept", "application/json"), null);
    }

    private static SwaggerParseResult parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(json, null, options);
    }

    private static List<Op> operations(OpenAPI api) {
        List<Op> ops = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> ops.add(new Op(method.name(), path, operation))));
        return ops;
    }

    private static List<String> pathParams(Op op) {
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(op.path);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String fill(Op op, String app, String tenant, String id) {
        String target = op.path;
        for (String name : pathParams(op)) {
            String value = switch (name) {
                case "appCode", "app" -> app;
                case "orgId", "tenantId" -> tenant;
                case "operationCode" -> "crm.leads.create";
                default -> id;
            };
            target = target.replace("{" + name + "}", value);
        }
        return target;
    }

    private String fillOne(Op op, String name, String hostile) {
        return fill(op, "crm", tenant, "7f0c5bd6-8a2b-4d1e-9a53-3c1a9e3b2f10")
                .replace(fill(new Op(op.method, "{" + name + "}", op.operation), "crm", tenant,
                        "7f0c5bd6-8a2b-4d1e-9a53-3c1a9e3b2f10"), hostile);
    }

    private static int exampleCount(Operation operation) {
        int n = 0;
        if (operation.getParameters() != null) {
            for (Parameter p : operation.getParameters()) {
                n += (p.getExample() != null ? 1 : 0) + (p.getExamples() == null ? 0 : p.getExamples().size());
            }
        }
        if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
            n += (int) operation.getRequestBody().getContent().values().stream().filter(m -> m.getExample() != null).count();
        }
        for (var response : operation.getResponses().values()) {
            if (response.getContent() != null) {
                n += (int) response.getContent().values().stream()
                        .filter(m -> m.getExample() != null || m.getExamples() != null).count();
            }
        }
        return n;
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "…(" + s.length() + ")" : s;
    }
}
