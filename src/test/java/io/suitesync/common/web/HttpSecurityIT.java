package io.suitesync.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.hub.admin.AdminClient;
import io.suitesync.testsupport.WrapperFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The authentication layer over real HTTP, with the hub and the bridge in one process (as in dev mode):
 * every protected surface refuses anonymous, wrong and read-key callers; read keys are scoped to their
 * application and its tenants; Jolokia refuses what runs code even for the admin; large bodies are
 * refused unread; no request header comes back.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.roles=hub,bridge",
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
        "suitesync.security.admin-user=ops",
        "suitesync.security.admin-password=" + AdminClient.ADMIN_PASSWORD,
        "suitesync.security.read-keys=crm=" + AdminClient.CRM_READ_KEY + ",hrms=" + AdminClient.HRMS_READ_KEY,
        "suitesync.security.metrics-user=prometheus",
        "suitesync.security.metrics-password=" + HttpSecurityIT.SCRAPE_PASSWORD,
        "suitesync.bridge.crm.api-token=it-crm-token",
        "suitesync.bridge.crm.base-url=http://127.0.0.1:9",
        "suitesync.bridge.finance.username=it-finance",
        "suitesync.bridge.finance.password=it-finance-password",
        "suitesync.bridge.finance.base-url=http://127.0.0.1:9",
        "suitesync.bridge.poll-interval-seconds=3600",
        "suitesync.bridge.poll-initial-delay=1h",
        "suitesync.bridge.webhook-secret=it-webhook-secret"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class HttpSecurityIT {

    static final String SCRAPE_PASSWORD = "scrape-secret";
    private static final String ADMIN_BASIC = "basic:ops:" + AdminClient.ADMIN_PASSWORD;
    private static final String SCRAPER = "basic:prometheus:" + SCRAPE_PASSWORD;
    private static final String ROUTES_SEARCH = "{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=routes,*\"}";

    /** method, path, body: every admin surface that is not the hub's admin API (AdminAuthAndInputIT has those). */
    private static final String[][] ADMIN_SURFACES = {
            {"GET", "/actuator", null},
            {"GET", "/actuator/metrics", null},
            {"GET", "/actuator/info", null},
            {"GET", "/actuator/camelroutes", null},
            {"GET", "/actuator/health/db", null},
            {"GET", "/actuator/hawtio/", null},
            {"GET", "/actuator/hawtio/user", null},
            {"GET", "/actuator/jolokia/version", null},
            {"POST", "/actuator/jolokia", ROUTES_SEARCH},
            {"POST", "/actuator/hawtio/jolokia", ROUTES_SEARCH},
            {"GET", "/bridge/stats", null},
            {"GET", "/bridge/failed", null},
            {"GET", "/bridge/webhooks", null},
            {"POST", "/bridge/poll-now", null},
            {"POST", "/bridge/failed/retry-all", null},
            {"POST", "/bridge/failed/1/retry", null},
            {"POST", "/bridge/webhooks/register", null},
            {"GET", "/bridge/sync-log", null},
            {"GET", "/console", null},
            {"GET", "/console/", null},
            {"GET", "/console/index.html", null},
            {"GET", "/console/console.js", null},
            {"GET", "/console/webjars/alpinejs/dist/cdn.min.js", null},
            {"GET", "/console/no-such-file", null},
            {"GET", "/no-such-page", null}};

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired CamelContext camel;

    AdminClient http;
    WrapperFixtures wrapper;

    @BeforeEach
    void setUp() {
        http = new AdminClient(port);
        wrapper = new WrapperFixtures(jdbc);
    }

    @Test
    void everyAdminSurfaceRefusesAnonymousWrongAndReadKeyCallers() {
        for (String[] s : ADMIN_SURFACES) {
            String what = s[0] + " " + s[1];
            AdminClient.Response anonymous = http.send(s[0], s[1], s[2], null);
            assertThat(anonymous.status()).as(what + " anonymous: " + anonymous.raw()).isEqualTo(401);
            assertThat(anonymous.json()).as(what).containsEntry("status", 401).containsEntry("error", "Unauthorized")
                    .containsKeys("message", "timestamp");
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(what).hasValue("Basic realm=\"SuiteSync\"");

            assertThat(http.send(s[0], s[1], s[2], "wrong-key").status()).as(what + " wrong key").isEqualTo(401);
            assertThat(http.send(s[0], s[1], s[2], "basic:ops:wrong").status()).as(what + " wrong password").isEqualTo(401);
            assertThat(http.send(s[0], s[1], s[2], "basic:nobody:" + AdminClient.ADMIN_PASSWORD).status())
                    .as(what + " wrong user").isEqualTo(401);

            AdminClient.Response reader = http.send(s[0], s[1], s[2], AdminClient.CRM_READ_KEY);
            assertThat(reader.status()).as(what + " read key: " + reader.raw()).isEqualTo(403);
            assertThat(reader.json()).as(what).containsEntry("status", 403).containsEntry("error", "Forbidden");

            assertThat(http.send(s[0], s[1], s[2], SCRAPER).status()).as(what + " scrape credential").isEqualTo(403);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_sync_log", Long.class)).as("no poll ran").isZero();
    }

    @Test
    void theAdminReachesThemWithTheKeyOrBasic() {
        assertThat(http.send("GET", "/actuator/metrics", null, AdminClient.ADMIN_KEY).status()).isEqualTo(200);
        assertThat(http.send("GET", "/actuator/camelroutes", null, ADMIN_BASIC).status()).isEqualTo(200);
        assertThat(http.send("GET", "/bridge/stats", null, AdminClient.ADMIN_KEY).json()).containsKeys("waiting", "failed");
        AdminClient.Response hawtio = http.send("GET", "/actuator/hawtio/", null, ADMIN_BASIC);
        assertThat(hawtio.status()).isEqualTo(200);
        assertThat(hawtio.raw()).contains("Hawtio");
        // Hawtio's own authentication is on and sees the caller Spring Security authenticated
        assertThat(http.send("GET", "/actuator/hawtio/user", null, ADMIN_BASIC).raw()).contains("ops");
        for (String jolokia : List.of("/actuator/jolokia", "/actuator/hawtio/jolokia")) {
            AdminClient.Response routes = http.send("POST", jolokia, ROUTES_SEARCH, ADMIN_BASIC);
            assertThat(routes.status()).isEqualTo(200);
            assertThat(routes.raw()).contains("change-log-relay");
        }
    }

    @Test
    void basicCredentialsSentFromAnotherOriginCountForNothing() {
        AdminClient.Response forged = http.send("POST", "/actuator/hawtio/jolokia", ROUTES_SEARCH, ADMIN_BASIC,
                Map.of("Origin", "https://evil.example"));
        AdminClient.Response sameOrigin = http.send("POST", "/actuator/hawtio/jolokia", ROUTES_SEARCH, ADMIN_BASIC,
                Map.of("Origin", "http://localhost:" + port));

        assertThat(forged.status()).isEqualTo(401);
        assertThat((String) forged.get("message")).contains("another origin");
        assertThat(sameOrigin.status()).isEqualTo(200);
    }

    @Test
    void prometheusTakesItsScrapeCredentialOrTheAdmin() {
        AdminClient.Response scrape = http.send("GET", "/actuator/prometheus", null, SCRAPER);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.raw()).contains("suitesync_relay_pending");
        assertThat(http.send("GET", "/actuator/prometheus", null, AdminClient.ADMIN_KEY).status()).isEqualTo(200);
        assertThat(http.send("GET", "/actuator/prometheus", null, null).status()).isEqualTo(401);
        assertThat(http.send("GET", "/actuator/prometheus", null, "basic:prometheus:wrong").status()).isEqualTo(401);
        assertThat(http.send("GET", "/actuator/prometheus", null, AdminClient.CRM_READ_KEY).status()).isEqualTo(403);
        AdminClient.Response scraperOnAdmin = http.send("GET", "/admin/relay/metrics", null, SCRAPER);
        assertThat(scraperOnAdmin.status()).isEqualTo(403);
        assertThat((String) scraperOnAdmin.get("message")).contains("/actuator/prometheus only");
    }

    @Test
    void healthIsOpenAndShowsDetailsToTheAdminOnly() {
        AdminClient.Response anonymous = http.send("GET", "/actuator/health", null, null);
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.json()).containsOnlyKeys("status");

        assertThat(http.send("GET", "/actuator/health", null, AdminClient.ADMIN_KEY).json()).containsKey("components");
        assertThat(http.send("GET", "/health", null, null).json()).containsEntry("status", "UP");
        assertThat(http.send("GET", "/api-doc", null, null).status()).isEqualTo(200);
    }

    @Test
    void aReadKeyReadsOnlyItsOwnApplicationAndItsTenants() {
        String crmTenant = wrapper.tenant("crm", "hrms");
        String hrmsOnly = wrapper.tenant("hrms");
        wrapper.creditConfig(hrmsOnly, "hrms.leave.approve", 1);

        AdminClient.Response own = http.send("GET", "/read/crm/tenants/" + crmTenant + "/snapshot", null, AdminClient.CRM_READ_KEY);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json()).containsEntry("application", "crm").containsEntry("tenantId", crmTenant);

        AdminClient.Response otherApp = http.send("GET", "/read/hrms/tenants/" + crmTenant + "/snapshot", null, AdminClient.CRM_READ_KEY);
        assertThat(otherApp.status()).isEqualTo(403);
        assertThat((String) otherApp.get("message")).contains("application 'crm'");

        // a tenant that has not enabled crm does not exist for the crm key: 404, the same as an unknown tenant
        AdminClient.Response notEnabled = http.send("GET", "/read/crm/tenants/" + hrmsOnly + "/snapshot", null, AdminClient.CRM_READ_KEY);
        assertThat(notEnabled.status()).isEqualTo(404);
        assertThat(notEnabled.json()).containsOnlyKeys("status", "error", "message", "timestamp");
        assertThat(http.send("GET", "/read/crm/tenants/" + hrmsOnly + "/credit-configs/hrms.leave.approve", null,
                AdminClient.CRM_READ_KEY).status()).isEqualTo(404);
        assertThat(http.send("GET", "/read/crm/tenants/no-such-tenant/snapshot", null, AdminClient.CRM_READ_KEY).status())
                .isEqualTo(404);

        assertThat(http.send("GET", "/read/hrms/tenants/" + hrmsOnly + "/snapshot", null, AdminClient.HRMS_READ_KEY).status())
                .isEqualTo(200);
        assertThat(http.send("GET", "/read/crm/tenants/" + crmTenant + "/snapshot", null, null).status()).isEqualTo(401);
        assertThat(http.send("GET", "/read/crm/tenants/" + crmTenant + "/snapshot", null, "wrong-key").status()).isEqualTo(401);
        assertThat(http.send("GET", "/read/crm/tenants", null, ADMIN_BASIC).status()).as("the admin reads every app").isEqualTo(200);
        assertThat(http.send("GET", "/admin/relay/metrics", null, AdminClient.CRM_READ_KEY).status()).isEqualTo(403);
    }

    @Test
    void jolokiaRefusesWhatRunsCodeSqlOrFilesEvenToTheAdmin() throws Exception {
        Path heapDump = Files.createTempDirectory("jolokia").resolve("heap.hprof");
        String[] refused = {
                // SQL through camel-sql: what the issue ran without credentials
                exec(context(),
                        "requestBody(java.lang.String,java.lang.Object)", "\"sql:CREATE TABLE jolokia_probe (id int)\"", "\"x\""),
                exec(context(),
                        "sendBody(java.lang.String,java.lang.Object)", "\"sql:CREATE TABLE jolokia_probe (id int)\"", "\"x\""),
                exec(context(),
                        "createEndpoint(java.lang.String)", "\"file:/tmp\""),
                exec(context(), "dumpRoutesAsXml()"),
                exec(purgeRoute(),
                        "updateRouteFromXml(java.lang.String)", "\"<routes/>\""),
                exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()"),
                exec("com.sun.management:type=DiagnosticCommand", "compilerDirectivesAdd([Ljava.lang.String;)", "[\"/tmp/x\"]"),
                exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap(java.lang.String,boolean)",
                        "\"" + heapDump + "\"", "true"),
                exec("jdk.management.jfr:type=FlightRecorder", "newRecording()"),
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"SystemProperties\"}",
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"InputArguments\"}",
                "{\"type\":\"read\",\"mbean\":\"*:*\",\"attribute\":\"SystemProperties\"}",
                "{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}"};
        for (String request : refused) {
            AdminClient.Response r = http.send("POST", "/actuator/jolokia", request, AdminClient.ADMIN_KEY);
            assertThat(r.json()).as(request + " -> " + r.raw()).containsEntry("status", 403);
            assertThat(r.raw()).as(request).doesNotContain("java.version").doesNotContain("spring.datasource");
        }
        assertThat(jdbc.queryForObject("SELECT to_regclass('jolokia_probe') IS NULL", Boolean.class)).isTrue();
        assertThat(heapDump).doesNotExist();
    }

    @Test
    void theAdminStopsAndStartsARouteThroughJolokia() throws Exception {
        String route = purgeRoute();
        try {
            AdminClient.Response stop = http.send("POST", "/actuator/jolokia", exec(route, "stop()"), AdminClient.ADMIN_KEY);
            assertThat(stop.json()).as(stop.raw()).containsEntry("status", 200);
            assertThat(camel.getRouteController().getRouteStatus("change-log-purge")).isEqualTo(ServiceStatus.Stopped);

            // as Hawtio sends it: through its own path, with HTTP Basic
            AdminClient.Response start = http.send("POST", "/actuator/hawtio/jolokia", exec(route, "start()"), ADMIN_BASIC);
            assertThat(start.json()).as(start.raw()).containsEntry("status", 200);
            assertThat(camel.getRouteController().getRouteStatus("change-log-purge")).isEqualTo(ServiceStatus.Started);
        } finally {
            if (!camel.getRouteController().getRouteStatus("change-log-purge").isStarted()) {
                camel.getRouteController().startRoute("change-log-purge");
            }
        }
    }

    @Test
    void anUnauthenticatedHugeBodyIsRefusedBeforeTheServerReadsIt() throws Exception {
        long twentyMb = 20L * 1024 * 1024;
        // only 64 kB of the declared 20 MB are sent: an answer proves the server did not wait for (or parse) the body
        String declared = rawExchange("POST /admin/organizations/x/applications/crm/toggle HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + twentyMb + "\r\n\r\n", 64 * 1024);
        assertThat(declared).startsWith("HTTP/1.1 413").contains("\"status\":413").contains("max-body-size");

        String chunked = rawExchange("POST /admin/organizations/x/applications/crm/toggle HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + "10000\r\n", 64 * 1024);
        assertThat(chunked).startsWith("HTTP/1.1 401").contains("\"status\":401");

        // a body under the limit, not JSON at all: refused for the credentials, never parsed into a 400
        AdminClient.Response junk = http.send("POST", "/admin/organizations/x/applications/crm/toggle", "{".repeat(500_000), null);
        assertThat(junk.status()).isEqualTo(401);
    }

    @Test
    void anAdminBodyOverTheLimitIsRefusedWith413EvenWithoutALength() throws Exception {
        String body = "{\"isEnabled\":true,\"pad\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}";
        String tenant = wrapper.tenant();
        StringBuilder chunks = new StringBuilder();
        for (int i = 0; i < body.length(); i += 65536) {
            String chunk = body.substring(i, Math.min(body.length(), i + 65536));
            chunks.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        chunks.append("0\r\n\r\n");
        String answer = rawExchange("POST /admin/organizations/" + tenant + "/applications/crm/toggle HTTP/1.1\r\n"
                + "Host: localhost\r\nX-Api-Key: " + AdminClient.ADMIN_KEY + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + chunks, 0);

        assertThat(answer).startsWith("HTTP/1.1 413").contains("\"status\":413");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM organization_applications WHERE tenant_id = ?", Long.class, tenant))
                .isZero();
    }

    @Test
    void noRequestHeaderComesBackOnAnyEndpoint() {
        String tenant = wrapper.tenant("crm");
        Map<String, String> probes = Map.of("X-Probe-Echo", "echo", "Set-Cookie", "session=stolen",
                "Access-Control-Allow-Origin", "*", "Location", "https://evil.example/", "X-Forwarded-For", "10.0.0.1",
                "Access-Control-Allow-Credentials", "true");
        String[][] calls = {
                {"GET", "/health", null},
                {"GET", "/api-doc", null},
                {"GET", "/admin/relay/metrics", AdminClient.ADMIN_KEY},
                {"GET", "/admin/sync/jobs/not-a-uuid", AdminClient.ADMIN_KEY},
                {"GET", "/read/crm/tenants/" + tenant + "/snapshot", AdminClient.CRM_READ_KEY},
                {"GET", "/read/crm/tenants/no-such-tenant/snapshot", AdminClient.CRM_READ_KEY},
                {"GET", "/bridge/stats", AdminClient.ADMIN_KEY},
                {"POST", "/webhook/crm", null},
                {"GET", "/admin/relay/metrics", null}};
        for (String[] c : calls) {
            AdminClient.Response r = http.send(c[0], c[1], c[0].equals("POST") ? "{}" : null, c[2], probes);
            assertThat(r.headers().map().keySet()).as(c[0] + " " + c[1] + " -> " + r.status())
                    .map(String::toLowerCase)
                    .doesNotContain("x-probe-echo", "set-cookie", "access-control-allow-origin", "location",
                            "x-forwarded-for", "access-control-allow-credentials", "x-api-key", "authorization");
            assertThat(r.headers().firstValue("Content-Type")).as(c[1]).hasValueSatisfying(t -> assertThat(t).contains("json"));
        }
    }

    @Test
    void whatTheFirewallRefusesIsAJsonBadRequest() {
        for (String path : List.of("/admin/%2e%2e/relay/metrics", "/admin;jsessionid=1/relay/metrics")) {
            AdminClient.Response r = http.send("GET", path, null, AdminClient.ADMIN_KEY);
            assertThat(r.status()).as(path + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.json()).containsEntry("status", 400).containsEntry("error", "Bad Request");
        }
    }

    /** MBean names carry the context's management name: suitesync, or suitesync-N beside other test contexts. */
    private String context() {
        return "org.apache.camel:context=" + camel.getManagementName() + ",type=context,name=\\\"suitesync\\\"";
    }

    private String purgeRoute() {
        return "org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name=\\\"change-log-purge\\\"";
    }

    private static String exec(String mbean, String operation, String... arguments) {
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\",\"arguments\":["
                + String.join(",", arguments) + "]}";
    }

    /** Sends {@code head}, then {@code bodyBytes} filler bytes, and reads the answer (the server may close early). */
    private String rawExchange(String head, int bodyBytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.getBytes(StandardCharsets.UTF_8));
                out.write("a".repeat(bodyBytes).getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (java.net.SocketException closed) {
                // the server answered and closed before taking the whole request: read its answer
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            try {
                while ((n = in.read(buffer)) > 0) {
                    answer.write(buffer, 0, n);
                    if (answer.toString(StandardCharsets.UTF_8).contains("\"timestamp\"")) {
                        break;
                    }
                }
            } catch (java.net.SocketException reset) {
                // the server closes a connection whose body it will not read; what arrived before counts
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
