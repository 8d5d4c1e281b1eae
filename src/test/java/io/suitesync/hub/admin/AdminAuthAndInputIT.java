package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.testsupport.RawHttp;
import io.suitesync.testsupport.WrapperFixtures;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Credentials and bad input on every admin endpoint: 401, 403, 404 and 400 with a message naming the problem. */
@AdminApiTest
class AdminAuthAndInputIT {

    private static final String[][] ENDPOINTS = {
            {"POST", "/admin/organizations/%s/applications/crm/toggle", "{\"isEnabled\":true}"},
            {"POST", "/admin/organizations/%s/applications/crm/sync-historical", "{\"dryRun\":true}"},
            {"GET", "/admin/organizations/%s/applications/crm/sync-status", null},
            {"GET", "/admin/sync/jobs/00000000-0000-0000-0000-000000000000", null},
            {"GET", "/admin/relay/metrics", null},
            {"POST", "/admin/relay/process-now", null},
            {"GET", "/admin/relay/dead-letters", null},
            {"POST", "/admin/relay/dead-letters/1/replay", null},
            {"POST", "/admin/relay/dead-letters/replay-all", null},
            {"GET", "/admin/streams/crm/%s?count=5", null},
            {"GET", "/admin/streams/crm/%s/groups", null},
            {"GET", "/admin/relay/trims", null},
            {"GET", "/admin/tenants?search=%s", null},
            {"GET", "/admin/sync/jobs?state=RUNNING", null},
            {"GET", "/admin/streams/crm/%s?eventType=credit.", null}};

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;

    AdminClient admin;
    String tenant;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(port);
        tenant = new WrapperFixtures(jdbc).tenant();
    }

    @Test
    void everyAdminEndpointRefusesRequestsWithoutCredentials() {
        for (String[] e : ENDPOINTS) {
            AdminClient.Response r = admin.send(e[0], e[1].formatted(tenant), e[2], null);
            assertThat(r.status()).as(e[0] + " " + e[1] + " -> " + r.raw()).isEqualTo(401);
            assertThat(r.json()).containsEntry("status", 401).containsEntry("error", "Unauthorized");
            assertThat((String) r.get("message")).contains("X-Api-Key");
        }
        assertThat(admin.send("GET", "/admin/relay/metrics", null, "wrong-key").status()).isEqualTo(401);
        assertThat(admin.send("GET", "/admin/relay/metrics", null, "basic:ops:wrong").status()).isEqualTo(401);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM organization_applications WHERE tenant_id = ?", Long.class, tenant))
                .isZero();
    }

    @Test
    void aReadKeyIsForbiddenOnEveryAdminEndpoint() {
        for (String[] e : ENDPOINTS) {
            AdminClient.Response r = admin.send(e[0], e[1].formatted(tenant), e[2], AdminClient.CRM_READ_KEY);
            assertThat(r.status()).as(e[0] + " " + e[1] + " -> " + r.raw()).isEqualTo(403);
            assertThat((String) r.get("message")).contains("read API");
        }
    }

    @Test
    void httpBasicWithTheAdminUserIsAccepted() {
        AdminClient.Response r = admin.send("GET", "/admin/organizations/" + tenant + "/applications/crm/sync-status", null,
                "basic:ops:" + AdminClient.ADMIN_PASSWORD);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).containsEntry("tenantId", tenant);
    }

    @Test
    void unknownOrganizationOrApplicationIsNotFound() {
        AdminClient.Response org = admin.toggle("no-such-tenant", "crm", "{\"isEnabled\":true}");
        assertThat(org.status()).isEqualTo(404);
        assertThat((String) org.get("message")).isEqualTo("organization 'no-such-tenant' not found");

        AdminClient.Response app = admin.toggle(tenant, "payroll", "{\"isEnabled\":true}");
        assertThat(app.status()).isEqualTo(404);
        assertThat((String) app.get("message")).isEqualTo("application 'payroll' not found");

        assertThat(admin.syncStatus("no-such-tenant", "crm").status()).isEqualTo(404);
        assertThat(admin.syncHistorical(tenant, "payroll", "{\"dryRun\":true}").status()).isEqualTo(404);
        assertThat(admin.get("/admin/streams/payroll/" + tenant).status()).isEqualTo(404);
        assertThat(admin.get("/admin/streams/payroll/" + tenant + "/groups").status()).isEqualTo(404);
        assertThat(admin.get("/admin/streams/crm/no-such-tenant/groups").status()).isEqualTo(404);
        assertThat(admin.job("7f0c5bd6-8a2b-4d1e-9a53-3c1a9e3b2f10").status()).isEqualTo(404);
    }

    @Test
    void malformedJsonIsABadRequest() {
        AdminClient.Response r = admin.toggle(tenant, "crm", "{\"isEnabled\": tru");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat((String) r.get("message")).startsWith("malformed JSON");
    }

    @Test
    void aWrongTypeIsABadRequestNamingTheField() {
        AdminClient.Response toggle = admin.toggle(tenant, "crm", "{\"isEnabled\": \"maybe\"}");
        assertThat(toggle.status()).isEqualTo(400);
        assertThat((String) toggle.get("message")).contains("'isEnabled'");

        AdminClient.Response sync = admin.syncHistorical(tenant, "crm", "{\"dryRun\": [1, 2]}");
        assertThat(sync.status()).isEqualTo(400);
        assertThat((String) sync.get("message")).contains("'dryRun'");
    }

    @Test
    void anInvalidSinceDateIsABadRequestNamingTheField() {
        AdminClient.Response r = admin.syncHistorical(tenant, "crm", "{\"dryRun\": true, \"sinceDate\": \"last tuesday\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat((String) r.get("message")).contains("'sinceDate'").contains("last tuesday");
    }

    @Test
    void aToggleWithoutIsEnabledIsABadRequest() {
        AdminClient.Response r = admin.toggle(tenant, "crm", "{\"skipHistoricalSync\": true}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat((String) r.get("message")).contains("'isEnabled'");
        assertThat(admin.toggle(tenant, "crm", "").status()).isEqualTo(400);
        AdminClient.Response noBody = admin.toggle(tenant, "crm", null);
        assertThat(noBody.status()).as("no body, no Content-Type: " + noBody.raw()).isEqualTo(400);
        assertThat((String) noBody.get("message")).contains("'isEnabled'");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM organization_applications WHERE tenant_id = ?", Long.class, tenant))
                .isZero();
    }

    @Test
    void encodedTenantIdsInThePathAreDecoded() {
        String spaced = "x y " + tenant;
        String umlaut = "ü-tenant-" + tenant;
        jdbc.update("INSERT INTO tenants (id, name) VALUES (?, 'spaced'), (?, 'umlaut')", spaced, umlaut);

        AdminClient.Response status = admin.get("/admin/organizations/x%20y%20" + tenant + "/applications/crm/sync-status");
        assertThat(status.status()).as(status.raw()).isEqualTo(200);
        assertThat(status.json()).containsEntry("tenantId", spaced);

        AdminClient.Response toggle = admin.post("/admin/organizations/%C3%BC-tenant-" + tenant + "/applications/crm/toggle",
                "{\"isEnabled\": true, \"skipHistoricalSync\": true}");
        assertThat(toggle.status()).as(toggle.raw()).isEqualTo(200);
        assertThat(toggle.json()).containsEntry("tenantId", umlaut);
        assertThat(jdbc.queryForObject("SELECT is_enabled FROM organization_applications WHERE tenant_id = ? AND application_code = 'crm'",
                Boolean.class, umlaut)).isTrue();

        AdminClient.Response tail = admin.get("/admin/streams/crm/%C3%BC-tenant-" + tenant + "?count=1");
        assertThat(tail.json()).containsEntry("stream", "crm:" + umlaut + ":events");
    }

    @Test
    @SuppressWarnings("unchecked")
    void anEmptyOrMissingSyncHistoricalBodyTakesTheDefaults() {
        new WrapperFixtures(jdbc).enable(tenant, "crm", true);
        for (String body : new String[] {null, "", "{}", "null"}) {
            AdminClient.Response r = admin.syncHistorical(tenant, "crm", body);
            assertThat(r.status()).as("body " + body + ": " + r.raw()).isEqualTo(202);
            assertThat((String) r.get("jobId")).isNotBlank();
        }
        AdminClient.Response dry = admin.syncHistorical(tenant, "crm", "{\"dryRun\": true}");
        assertThat(dry.status()).isEqualTo(200);
        assertThat((Map<String, Object>) dry.get("counts")).containsOnlyKeys("credits", "organizations", "assignments");
    }

    @Test
    void whatWasA500IsABadRequestNamingTheField() {
        for (String since : new String[] {"0001-01-01", "-999999999-01-01", "+999999999-12-31T23:59:59Z", "1969-12-31", "2999-01-01"}) {
            AdminClient.Response r = admin.syncHistorical(tenant, "crm", "{\"dryRun\": true, \"sinceDate\": \"" + since + "\"}");
            assertThat(r.status()).as(since + ": " + r.raw()).isEqualTo(400);
            assertThat((String) r.get("message")).contains("'sinceDate'").contains("out of range");
        }
        RawHttp.Response badUtf8 = RawHttp.send(port, "POST", "/admin/organizations/" + tenant + "/applications/crm/sync-historical",
                Map.of("X-Api-Key", AdminClient.ADMIN_KEY, "Content-Type", "application/json"),
                new byte[] {'{', '"', 'd', 'r', 'y', 'R', 'u', 'n', '"', ':', 't', 'r', 'u', 'e', ',', '"', 's', 'i', 'n', 'c', 'e',
                        'D', 'a', 't', 'e', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'});
        assertThat(badUtf8.status()).as(badUtf8.body()).isEqualTo(400);
        assertThat(badUtf8.body()).contains("\"status\":400").contains("not valid UTF-8");

        AdminClient.Response nul = admin.get("/admin/relay/dead-letters?tenantId=a%00b");
        assertThat(nul.status()).as(nul.raw()).isEqualTo(400);
        assertThat((String) nul.get("message")).contains("'tenantId'");
        AdminClient.Response badEncoding = admin.get("/admin/relay/dead-letters?tenantId=%C3%28");
        assertThat(badEncoding.status()).isEqualTo(400);
        assertThat((String) badEncoding.get("message")).contains("'tenantId'");

        AdminClient.Response array = admin.toggle(tenant, "crm", "[]");
        assertThat(array.status()).isEqualTo(400);
        assertThat((String) array.get("message")).isEqualTo("the request body must be a JSON object").doesNotContain("io.suitesync");
        AdminClient.Response unknown = admin.toggle(tenant, "crm", "{\"isEnabled\": true, \"enabled\": 1}");
        assertThat((String) unknown.get("message")).isEqualTo("unknown field 'enabled'");
    }

    @Test
    void whatTomcatAndSpringRefuseThemselvesIsTheSameJson() {
        for (String target : new String[] {"/admin/organizations/a%2Fb/applications/crm/sync-status",
                "/admin/organizations/a%00b/applications/crm/sync-status", "/admin/organizations/a%zzb/applications/crm/sync-status",
                "/admin/organizations/%C3%28/applications/crm/sync-status", "/admin/organizations/a%5Cb/applications/crm/sync-status"}) {
            RawHttp.Response r = RawHttp.send(port, "GET", target, Map.of("X-Api-Key", AdminClient.ADMIN_KEY), null);
            assertJsonError(r, 400, target);
            assertThat(r.body()).doesNotContain("Tomcat").doesNotContain("<html");
        }
        assertJsonError(RawHttp.exchange(port, "GET /admin/relay/metrics HTTP/9.9", null), 505, "HTTP/9.9");
        assertJsonError(RawHttp.exchange(port, "GET /a b HTTP/1.1", null), 400, "space in the request target");
        assertJsonError(RawHttp.exchange(port, "GET /admin/relay/metrics HTTP/1.1\r\nBad Header Line", null), 400, "bad header");

        // an unknown path needs the admin like any other (SecurityConfiguration): it does not tell
        // strangers which paths exist
        assertJsonError(RawHttp.send(port, "GET", "/no-such-endpoint", Map.of("Accept", "text/html"), null), 401,
                "unknown path without credentials");
        assertJsonError(RawHttp.send(port, "GET", "/no-such-endpoint", Map.of("Accept", "text/html",
                "X-Api-Key", AdminClient.ADMIN_KEY), null), 404, "unknown path");
        assertJsonError(RawHttp.send(port, "DELETE", "/health", Map.of(), null), 405, "DELETE /health");
        RawHttp.Response wrongType = RawHttp.send(port, "POST", "/admin/organizations/" + tenant + "/applications/crm/toggle",
                Map.of("X-Api-Key", AdminClient.ADMIN_KEY, "Content-Type", "text/plain", "Accept", "text/html"),
                "isEnabled".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertJsonError(wrongType, 415, "text/plain");
        assertThat(wrongType.body()).contains("text/plain");
    }

    private static void assertJsonError(RawHttp.Response r, int status, String what) {
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(what).startsWith("application/json");
        Map<String, Object> json = new AdminClient.Response(r.status(), r.body(), 0, null).json();
        assertThat(json.keySet()).as(what).containsExactly("status", "error", "message", "timestamp");
        assertThat(json.get("status")).isEqualTo(status);
    }

    @Test
    void badIdsAndQueryParametersAreBadRequests() {
        assertThat(admin.job("not-a-uuid").status()).isEqualTo(400);
        assertThat((String) admin.post("/admin/relay/dead-letters/abc/replay", null).get("message")).contains("changeId");
        assertThat(admin.get("/admin/streams/crm/" + tenant + "?count=0").status()).isEqualTo(400);
        assertThat((String) admin.get("/admin/relay/dead-letters?limit=lots").get("message")).contains("'limit'");
    }

    @Test
    void theOpenApiDocumentDescribesEveryAdminEndpointAndItsCredentials() {
        AdminClient.Response doc = admin.send("GET", "/api-doc", null, null);

        assertThat(doc.status()).isEqualTo(200);
        Map<String, Object> paths = doc.get("paths");
        assertThat(paths).containsKeys("/admin/organizations/{orgId}/applications/{appCode}/toggle",
                "/admin/organizations/{orgId}/applications/{appCode}/sync-historical",
                "/admin/organizations/{orgId}/applications/{appCode}/sync-status", "/admin/sync/jobs/{jobId}",
                "/admin/relay/metrics", "/admin/relay/process-now", "/admin/relay/dead-letters",
                "/admin/relay/dead-letters/{changeId}/replay", "/admin/relay/dead-letters/replay-all",
                "/admin/streams/{app}/{tenantId}");
        assertThat(doc.raw()).contains("\"adminApiKey\"").contains("X-Api-Key").contains("\"adminBasic\"");
    }
}
