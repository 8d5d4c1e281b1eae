package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;

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
            {"GET", "/admin/relay/trims", null}};

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
        assertThat(admin.toggle(tenant, "crm", null).status()).as("no body, no Content-Type").isEqualTo(415);
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
