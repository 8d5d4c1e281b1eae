package io.suitesync.hub.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** The hub's read API over real HTTP against real PostgreSQL and Redis: content, scoping, errors, snapshot. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "suitesync.security.read-keys=crm=crm-key,hrms=hrms-key")
class ReadApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;

    WrapperFixtures wrapper;
    StreamReader streams;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
    }

    record Reply(int status, Map<String, Object> body) {}

    Reply get(String key, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (key != null) {
            request.header("X-Api-Key", key);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.headers().firstValue("X-Api-Key")).as("request credentials echoed").isEmpty();
        return new Reply(response.statusCode(), JSON.readValue(response.body(), new TypeReference<>() {}));
    }

    @Test
    void snapshotHoldsOnlyTheAppsCriticalDataWithVersionsAndTheStreamPositionItIsConsistentWith() throws Exception {
        String tenant = wrapper.tenant("crm", "hrms");
        UUID crmConfig = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 3 WHERE id = ?", crmConfig);
        wrapper.creditConfig(tenant, "hrms.leave.approve", 1);
        UUID crmRole = wrapper.role(tenant, "Sales", "crm.leads.create");
        UUID adminRole = wrapper.role(tenant, "Admin", "user-management");
        wrapper.role(tenant, "Payroll", "hrms.payroll.process");
        UUID user = wrapper.user(tenant, "ada@example.com");
        String stream = "crm:" + tenant + ":events";
        // credit config x2, Sales, Admin, user
        await().atMost(WAIT).until(() -> streams.size(stream) == 5);

        Reply snapshot = get("crm-key", "/read/crm/tenants/" + tenant + "/snapshot");

        assertThat(snapshot.status()).isEqualTo(200);
        String lastEntry = redis.opsForStream().reverseRange(stream, Range.unbounded()).get(0).getId().getValue();
        assertThat(snapshot.body()).containsEntry("streamPosition", lastEntry).containsEntry("tenantId", tenant);
        Map<String, List<Map<String, Object>>> records = (Map<String, List<Map<String, Object>>>) snapshot.body().get("records");
        assertThat(records.get("credit-config")).singleElement().satisfies(c -> {
            assertThat(c).containsEntry("id", crmConfig.toString()).containsEntry("operationCode", "crm.leads.create");
            assertThat(((Number) c.get("creditCost")).doubleValue()).isEqualTo(3.0);
            assertThat(((Number) c.get("version")).longValue()).isEqualTo(newestChange(crmConfig));
        });
        assertThat(records.get("role")).extracting(r -> r.get("id"))
                .containsExactlyInAnyOrder(crmRole.toString(), adminRole.toString());
        assertThat(records.get("role")).filteredOn(r -> r.get("id").equals(crmRole.toString())).singleElement()
                .satisfies(r -> assertThat((List<String>) r.get("permissions")).containsExactly("crm.leads.create"));
        assertThat(records.get("user")).singleElement().satisfies(u -> {
            assertThat(u).containsEntry("id", user.toString()).containsEntry("status", "active");
            assertThat(((Number) u.get("version")).longValue()).isEqualTo(newestChange(user));
        });
    }

    @Test
    void snapshotOfAnEmptyStreamStartsAtZero() throws Exception {
        String tenant = wrapper.tenant("finance");

        Reply snapshot = get("crm-key", "/read/crm/tenants/" + tenant + "/snapshot");
        assertThat(snapshot.status()).isEqualTo(404);

        wrapper.enable(tenant, "crm", true);
        assertThat(get("crm-key", "/read/crm/tenants/" + tenant + "/snapshot").body()).containsEntry("streamPosition", "0-0");
    }

    @Test
    void tenantsListsOnlyTenantsThatEnabledTheApp() throws Exception {
        String crmTenant = wrapper.tenant("crm");
        String hrmsTenant = wrapper.tenant("hrms");

        Reply reply = get("crm-key", "/read/crm/tenants");

        assertThat(reply.status()).isEqualTo(200);
        assertThat((List<Map<String, Object>>) reply.body().get("tenants")).extracting(t -> t.get("tenantId"))
                .contains(crmTenant).doesNotContain(hrmsTenant);
    }

    @Test
    void creditConfigUserAndHierarchyAnswerWithTheirContent() throws Exception {
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.contacts.import", 1.5);
        UUID user = wrapper.user(tenant, "grace@example.com");
        UUID root = wrapper.organization(tenant, "Head office", null);
        UUID branch = wrapper.organization(tenant, "Branch", root);
        UUID team = wrapper.organization(tenant, "Team", branch);
        UUID role = wrapper.role(tenant, "Sales", "crm.leads.create");
        wrapper.membership(tenant, user, branch, role);

        Reply credit = get("crm-key", "/read/crm/tenants/" + tenant + "/credit-configs/crm.contacts.import");
        assertThat(credit.status()).isEqualTo(200);
        assertThat(credit.body()).containsEntry("id", config.toString()).containsEntry("isActive", true);
        assertThat(((Number) credit.body().get("version")).longValue()).isEqualTo(newestChange(config));

        Reply profile = get("crm-key", "/read/crm/tenants/" + tenant + "/users/" + user);
        assertThat(profile.body()).containsEntry("email", "grace@example.com").containsEntry("firstName", "Ada")
                .containsEntry("status", "active");
        assertThat((List<Map<String, Object>>) profile.body().get("memberships")).singleElement()
                .satisfies(m -> assertThat(m).containsEntry("organizationName", "Branch").containsEntry("roleName", "Sales"));

        Reply hierarchy = get("crm-key", "/read/crm/tenants/" + tenant + "/entities/" + branch + "/hierarchy");
        assertThat(hierarchy.body()).containsEntry("name", "Branch");
        assertThat((List<Map<String, Object>>) hierarchy.body().get("ancestors")).extracting(a -> a.get("id"))
                .containsExactly(root.toString());
        assertThat((List<Map<String, Object>>) hierarchy.body().get("children")).extracting(a -> a.get("id"))
                .containsExactly(team.toString());
    }

    @Test
    void anAppSeesOnlyItsOwnDataAndTenantsThatEnabledIt() throws Exception {
        String tenant = wrapper.tenant("crm", "hrms");
        String other = wrapper.tenant("hrms");
        UUID otherUser = wrapper.user(other, "x@example.com");
        wrapper.creditConfig(tenant, "hrms.leave.approve", 1);

        assertThat(get("hrms-key", "/read/crm/tenants/" + tenant + "/snapshot").status()).isEqualTo(403);
        assertThat(get(null, "/read/crm/tenants/" + tenant + "/snapshot").status()).isEqualTo(401);
        assertThat(get("crm-key", "/read/crm/tenants/" + other + "/users/" + otherUser).status()).isEqualTo(404);
        assertThat(get("crm-key", "/read/crm/tenants/" + tenant + "/users/" + otherUser).status()).isEqualTo(404);
        assertThat(get("crm-key", "/read/crm/tenants/" + tenant + "/credit-configs/hrms.leave.approve").status()).isEqualTo(404);
        assertThat(get("crm-key", "/read/crm/tenants/" + tenant + "/credit-configs/crm.nothing").status()).isEqualTo(404);
    }

    @Test
    void malformedIdsAreBadRequestsWithAJsonErrorBody() throws Exception {
        String tenant = wrapper.tenant("crm");

        Reply user = get("crm-key", "/read/crm/tenants/" + tenant + "/users/not-a-uuid");
        Reply entity = get("crm-key", "/read/crm/tenants/" + tenant + "/entities/42/hierarchy");

        assertThat(user.status()).isEqualTo(400);
        assertThat(user.body()).containsEntry("status", 400).containsEntry("error", "Bad Request");
        assertThat((String) user.body().get("message")).contains("userId").contains("not-a-uuid");
        assertThat(entity.status()).isEqualTo(400);
        assertThat(get("crm-key", "/read/nosuchapp/tenants").status()).isEqualTo(403);
    }

    private long newestChange(UUID record) {
        return jdbc.queryForObject("SELECT max(id) FROM change_log WHERE record_id = ?", Long.class, record.toString());
    }
}
