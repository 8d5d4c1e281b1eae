package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The admin endpoints the console added: the tenants × applications page, the list of backfill jobs
 * and the stream tail's event type filter, with their input checks.
 */
@AdminApiTest
class ConsoleApiIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;

    AdminClient admin;
    WrapperFixtures wrapper;
    StreamReader streams;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(port);
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
    }

    @Test
    void tenantsPageShowsEachApplicationsCellSearchedAndPaged() {
        String prefix = "mx-" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 5; i++) {
            jdbc.update("INSERT INTO tenants (id, name) VALUES (?, ?)", prefix + "-" + i, "Matrix " + i);
        }
        String busy = prefix + "-2";
        wrapper.enable(busy, "crm", true);
        wrapper.creditConfig(busy, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + busy + ":events") == 1);

        AdminClient.Response first = admin.get("/admin/tenants?search=" + prefix.toUpperCase() + "&limit=2");
        AdminClient.Response second = admin.get("/admin/tenants?search=" + prefix + "&limit=2&offset=2");

        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        assertThat(first.json()).containsEntry("total", 5).containsEntry("limit", 2).containsEntry("offset", 0);
        assertThat((List<String>) first.get("applications")).contains("crm", "hrms");
        assertThat(ids(first)).containsExactly(prefix + "-0", prefix + "-1");
        assertThat(ids(second)).containsExactly(prefix + "-2", prefix + "-3");
        Map<String, Object> row = ((List<Map<String, Object>>) second.get("tenants")).get(0);
        Map<String, Map<String, Object>> cells = (Map<String, Map<String, Object>>) row.get("applications");
        assertThat(cells.get("crm")).containsEntry("enabled", true).containsEntry("streamLength", 1)
                .containsEntry("unread", null);
        Instant last = Instant.parse((String) cells.get("crm").get("lastEventAt"));
        assertThat(last).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));
        assertThat(cells.get("hrms")).containsEntry("enabled", false).containsEntry("streamLength", 0)
                .containsEntry("lastEventAt", null);
        assertThat((Map<String, Object>) row.get("relay")).containsEntry("pending", 0);
        assertThat(ids(admin.get("/admin/tenants?search=matrix%203&limit=1000"))).contains(prefix + "-3")
                .doesNotContain(prefix + "-2");
    }

    @Test
    void aConsumerGroupsLagIsTheCellsUnreadCount() {
        String tenant = wrapper.tenant("crm");
        wrapper.creditConfig(tenant, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 1);
        redis.opsForStream().createGroup("crm:" + tenant + ":events", org.springframework.data.redis.connection.stream.ReadOffset.from("0"), "crm-workers");
        wrapper.creditConfig(tenant, "crm.deals.create", 2);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 2);

        Map<String, Object> cell = cells(admin.get("/admin/tenants?search=" + tenant)).get("crm");

        assertThat(cell).containsEntry("streamLength", 2).containsEntry("unread", 2);
    }

    @Test
    void searchTextIsMatchedLiterallyAndBadPagingIsRefused() {
        String tenant = "lit-" + UUID.randomUUID().toString().substring(0, 6);
        jdbc.update("INSERT INTO tenants (id, name) VALUES (?, ?)", tenant, "100% _real_ name");

        assertThat(ids(admin.get("/admin/tenants?search=" + enc("100% _real_")))).containsExactly(tenant);
        assertThat(ids(admin.get("/admin/tenants?search=" + enc("1_0%")))).doesNotContain(tenant);
        assertThat(ids(admin.get("/admin/tenants?search=" + enc("'; DROP TABLE tenants; --")))).isEmpty();
        assertThat(admin.get("/admin/tenants?limit=0").status()).isEqualTo(400);
        assertThat(admin.get("/admin/tenants?limit=1001").status()).isEqualTo(400);
        assertThat((String) admin.get("/admin/tenants?offset=-1").get("message")).contains("'offset'");
        AdminClient.Response tooLong = admin.get("/admin/tenants?search=" + "x".repeat(101));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat((String) tooLong.get("message")).contains("'search'");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM tenants WHERE id = ?", Long.class, tenant)).isEqualTo(1);
    }

    @Test
    void jobsAreListedNewestFirstWithTheirProgressAndFiltered() {
        String tenant = wrapper.tenant();
        UUID org = wrapper.organization(tenant, "Jobs Org", null);
        wrapper.allocation(tenant, "crm", 10, org);
        String jobId = (String) admin.toggle(tenant, "crm", "{\"isEnabled\":true}").get("jobId");
        await().atMost(WAIT).until(() -> "COMPLETED".equals(admin.job(jobId).get("state")));
        String second = (String) admin.syncHistorical(tenant, "crm", "{}").get("jobId");
        await().atMost(WAIT).until(() -> "COMPLETED".equals(admin.job(second).get("state")));

        AdminClient.Response r = admin.get("/admin/sync/jobs?tenantId=" + tenant);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<Map<String, Object>> jobs = r.get("jobs");
        assertThat(jobs).extracting(j -> j.get("jobId")).containsExactly(second, jobId);
        assertThat(jobs.get(1)).containsEntry("trigger", "TOGGLE").containsEntry("published", 2).containsEntry("total", 2);
        assertThat((Map<String, Object>) jobs.get(1).get("progress")).containsKeys("credits", "organizations", "assignments");
        assertThat((List<?>) admin.get("/admin/sync/jobs?tenantId=" + tenant + "&state=FAILED").get("jobs")).isEmpty();
        assertThat((List<?>) admin.get("/admin/sync/jobs?tenantId=" + tenant + "&appCode=hrms").get("jobs")).isEmpty();
        assertThat((List<?>) admin.get("/admin/sync/jobs?tenantId=" + tenant + "&limit=1").get("jobs")).hasSize(1);
        AdminClient.Response badState = admin.get("/admin/sync/jobs?state=DONE");
        assertThat(badState.status()).isEqualTo(400);
        assertThat((String) badState.get("message")).contains("'state'").contains("RUNNING");
        assertThat(admin.get("/admin/sync/jobs?limit=abc").status()).isEqualTo(400);
    }

    @Test
    void theTailIsFilteredByEventTypeOrFamily() {
        String tenant = wrapper.tenant("crm");
        UUID org = wrapper.organization(tenant, "Tail Org", null);
        wrapper.allocation(tenant, "crm", 5, org);
        wrapper.creditConfig(tenant, "crm.leads.create", 1);
        wrapper.creditConfig(tenant, "crm.deals.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") >= 4);

        List<String> exact = types(admin.get("/admin/streams/crm/" + tenant + "?count=100&eventType=credit-config.created"));
        List<String> family = types(admin.get("/admin/streams/crm/" + tenant + "?count=100&eventType=credit."));
        List<String> none = types(admin.get("/admin/streams/crm/" + tenant + "?count=100&eventType=no.such"));
        List<String> limited = types(admin.get("/admin/streams/crm/" + tenant + "?count=1&eventType=credit-config.created"));

        assertThat(exact).containsExactly("credit-config.created", "credit-config.created");
        assertThat(family).containsExactly("credit.allocated");
        assertThat(none).isEmpty();
        assertThat(limited).containsExactly("credit-config.created");
        assertThat(admin.get("/admin/streams/crm/" + tenant + "?eventType=" + "x".repeat(101)).status()).isEqualTo(400);
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static List<String> ids(AdminClient.Response page) {
        assertThat(page.status()).as(page.raw()).isEqualTo(200);
        return ((List<Map<String, Object>>) page.get("tenants")).stream().map(t -> (String) t.get("tenantId")).toList();
    }

    private static Map<String, Map<String, Object>> cells(AdminClient.Response page) {
        assertThat(page.status()).as(page.raw()).isEqualTo(200);
        return (Map<String, Map<String, Object>>) ((List<Map<String, Object>>) page.get("tenants")).get(0).get("applications");
    }

    private static List<String> types(AdminClient.Response tail) {
        assertThat(tail.status()).as(tail.raw()).isEqualTo(200);
        return ((List<Map<String, Object>>) tail.get("events")).stream()
                .map(e -> (String) ((Map<String, Object>) e.get("event")).get("eventType")).toList();
    }
}
