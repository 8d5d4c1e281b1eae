package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.hub.admin.AdminClient;
import io.suitesync.testsupport.EventSchema;
import io.suitesync.testsupport.PubSubRecorder;
import io.suitesync.testsupport.SeedConsumers;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.TestServers;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A hub with crm in the seed format and hrms in SuiteSync's: real SQL changes and a historical backfill
 * (crm toggled on over the admin API), then the seeds' own JavaScript handlers (seeds 01, 02 and 04, run by
 * Node with the {@code redis} client on the channels and stream they name) read what the hub published.
 * Every field they read is there with its type and value; hrms gets today's contract unchanged; every
 * event of both formats, in the streams and on the channels, conforms to docs/event.schema.json.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
        "suitesync.hub.event-format.crm=seed"})
@SuppressWarnings("unchecked")
class SeedFormatIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisConnectionFactory redisFactory;

    WrapperFixtures wrapper;
    StreamReader streams;
    AdminClient admin;

    @BeforeEach
    void setUp() {
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
        admin = new AdminClient(port);
    }

    private static <T> T at(Map<String, Object> map, String... path) {
        Object value = map;
        for (String key : path) {
            assertThat((Map<String, Object>) value).as("%s in %s", key, value).containsKey(key);
            value = ((Map<String, Object>) value).get(key);
        }
        return (T) value;
    }

    private static double number(Object value) {
        assertThat(value).isInstanceOf(Number.class);
        return ((Number) value).doubleValue();
    }

    private long messagesOn(PubSubRecorder pubSub, String tenant, String... dataTypes) {
        List<String> channels = java.util.Arrays.stream(dataTypes).map(t -> "crm:" + tenant + ":" + t).toList();
        return pubSub.messages().stream().filter(m -> channels.contains(m.channel())).count();
    }

    @Test
    void theSeedsHandlersFindEveryFieldTheyReadInLiveAndHistoricalEvents() throws Exception {
        String tenant = wrapper.tenant("hrms");
        // the history crm has not seen: an organization with every column seed 04 names, a member, an allocation
        UUID hq = jdbc.queryForObject("INSERT INTO entities (tenant_id, name, code, description, industry, website) "
                + "VALUES (?, 'HQ', 'HQ-1', 'Head office', 'Retail', 'https://hq.example') RETURNING id", UUID.class, tenant);
        UUID branch = wrapper.organization(tenant, "Branch", hq);
        UUID ada = wrapper.user(tenant, "ada@" + tenant + ".example");
        UUID seller = wrapper.role(tenant, "Seller", "crm.leads.create");
        UUID membership = wrapper.membership(tenant, ada, hq, seller);
        UUID allocation = wrapper.allocation(tenant, "crm", 1000, hq);
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);

        Map<String, Object> report;
        List<PubSubRecorder.Message> crmMessages;
        UUID config;
        UUID salesRep;
        UUID hrAdmin;
        UUID grace;
        UUID newMembership;
        UUID topUp;
        try (SeedConsumers seeds = SeedConsumers.start(TestServers.redisUrl(), tenant);
             PubSubRecorder pubSub = new PubSubRecorder(redisFactory, "*:" + tenant + ":*")) {
            AdminClient.Response toggle = admin.toggle(tenant, "crm", "{\"isEnabled\": true}");
            assertThat(toggle.status()).as(toggle.raw()).isEqualTo(202);
            String jobId = toggle.get("jobId");
            await().atMost(WAIT).until(() -> "COMPLETED".equals(admin.job(jobId).json().get("state")));

            config = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
            jdbc.update("UPDATE credit_configurations SET credit_cost = 3.00, updated_by = 'admin-123' WHERE id = ?", config);
            wrapper.creditConfig(tenant, "hrms.payroll.process", 10);
            salesRep = wrapper.role(tenant, "Sales rep", "crm.leads.create", "crm.contacts.import");
            hrAdmin = wrapper.role(tenant, "HR admin", "hrms.employee.update", "user-management");
            jdbc.update("UPDATE users SET status = 'suspended' WHERE id = ?", ada);
            jdbc.update("UPDATE entities SET name = 'Head office' WHERE id = ?", hq);
            grace = jdbc.queryForObject("INSERT INTO users (tenant_id, email, first_name, last_name) VALUES (?, ?, 'Grace', 'Hopper') "
                    + "RETURNING id", UUID.class, tenant, "grace@" + tenant + ".example");
            newMembership = wrapper.membership(tenant, grace, branch, salesRep);
            topUp = wrapper.allocation(tenant, "crm", 500, branch);
            await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);

            // seed 01 listens to credit-configs, roles, users; seed 02 to those and hierarchy
            await().atMost(WAIT).until(() -> messagesOn(pubSub, tenant, "credit-configs", "roles", "users") == 6
                    && messagesOn(pubSub, tenant, "hierarchy") == 1);
            report = seeds.report(Map.of("seed01", 6, "seed02", 7, "tenantCredits", List.of(2, 10), "userCredits", List.of(2, 10)));
            crmMessages = pubSub.messages();
        }

        assertThat((List<String>) report.get("errors")).isEmpty();
        assertThat((List<String>) report.get("logs")).noneMatch(line -> line.contains("undefined"));

        // seed 01: the local table rows and the cache lead creation charges from
        Map<String, Object> seed01 = at(report, "seed01");
        List<Map<String, Object>> upserts = at(seed01, "upserts");
        List<Map<String, Object>> configRows = upserts.stream().filter(u -> "credit_configurations".equals(u.get("table")))
                .map(u -> (Map<String, Object>) u.get("row")).toList();
        assertThat(configRows).hasSize(2);
        Map<String, Object> lastConfig = configRows.get(1);
        assertThat(at(lastConfig, "config_id").toString()).isEqualTo(config.toString());
        assertThat((String) at(lastConfig, "operation_code")).isEqualTo("crm.leads.create");
        assertThat(number(at(lastConfig, "credit_cost"))).isEqualTo(3.0);
        assertThat((Boolean) at(lastConfig, "is_active")).isTrue();
        assertThat(Instant.parse(at(lastConfig, "updated_at"))).isAfter(Instant.now().minus(Duration.ofMinutes(10)));
        assertThat(number(at(seed01, "localCreditConfigs", "crm.leads.create"))).isEqualTo(3.0);
        assertThat((List<Map<String, Object>>) at(seed01, "createLead")).containsExactly(
                Map.of("credits", 2, "created", false, "error", "Insufficient credits"), Map.of("credits", 10, "created", true));
        assertThat(number(((List<Map<String, Object>>) at(seed01, "deducted")).get(0).get("amount"))).isEqualTo(3.0);
        List<Map<String, Object>> roleRows = upserts.stream().filter(u -> "roles".equals(u.get("table")))
                .map(u -> (Map<String, Object>) u.get("row")).toList();
        assertThat(roleRows).extracting(r -> r.get("role_id")).containsExactly(salesRep.toString(), hrAdmin.toString());
        assertThat(roleRows.get(0)).containsEntry("role_name", "Sales rep").containsEntry("is_active", true)
                .containsEntry("permissions", List.of("crm.leads.create", "crm.contacts.import"));
        assertThat(roleRows.get(1)).containsEntry("role_name", "HR admin")
                .containsEntry("permissions", List.of("hrms.employee.update", "user-management"));

        // seed 02: critical cache and the invalidations of its reference cache
        Map<String, Object> seed02 = at(report, "seed02");
        assertThat(number(at(seed02, "criticalCache", "crm.leads.create", "cost"))).isEqualTo(3.0);
        assertThat((List<String>) at(seed02, "criticalCache", "role:" + salesRep, "permissions"))
                .containsExactly("crm.leads.create", "crm.contacts.import");
        assertThat((Map<String, Object>) at(seed02, "rolePermissions")).containsOnlyKeys(salesRep.toString(), hrAdmin.toString());
        assertThat((List<Map<String, Object>>) at(seed02, "checkCredits")).containsExactly(
                Map.of("credits", 2, "allowed", false), Map.of("credits", 10, "allowed", true));
        assertThat((List<String>) at(seed02, "referenceCacheDeletes")).containsExactly(
                "user:" + ada, "hierarchy:" + hq, "user:" + grace);
        assertThat((List<String>) report.get("logs")).contains(
                " Cached credit cost: crm.leads.create = 3 credits", " Cached role permissions: Sales rep",
                " Invalidated user cache: Ada Lovelace", " Invalidated user cache: Grace Hopper",
                " Invalidated hierarchy cache: Head office");

        // seed 04: the historical state crm was sent when enabled, then the live additions
        Map<String, Object> seed04 = at(report, "seed04");
        assertThat(number(at(seed04, "historicalEvents"))).isEqualTo(4);
        Map<String, Object> historicalCredit = at(seed04, "allocations", allocation.toString());
        assertThat(historicalCredit).containsEntry("tenantId", tenant).containsEntry("entityId", hq.toString())
                .containsEntry("targetApplication", "crm").containsEntry("isHistoricalSync", true);
        assertThat(number(historicalCredit.get("amount"))).isEqualTo(1000.0);
        assertThat(Instant.parse((String) at(historicalCredit, "originalAllocatedAt"))).isEqualTo(jdbc.queryForObject(
                "SELECT allocated_at FROM credit_allocations WHERE id = ?", java.sql.Timestamp.class, allocation).toInstant()
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        Map<String, Object> liveCredit = at(seed04, "allocations", topUp.toString());
        assertThat(liveCredit).containsEntry("entityId", branch.toString()).containsEntry("isHistoricalSync", false);
        assertThat(number(liveCredit.get("amount"))).isEqualTo(500.0);
        assertThat((String) at(liveCredit, "originalAllocatedAt")).isNotNull();
        assertThat((Map<String, Object>) at(seed04, "organizations", hq.toString())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "code", "HQ-1", "name", "HQ", "description", "Head office", "industry", "Retail",
                "website", "https://hq.example", "isHistoricalSync", true));
        Map<String, Object> branchOrg = at(seed04, "organizations", branch.toString());
        assertThat(branchOrg).containsEntry("code", "BRANCH").containsEntry("name", "Branch").containsEntry("description", null)
                .containsEntry("industry", null).containsEntry("website", null);
        assertThat((Map<String, Object>) at(seed04, "memberships", membership.toString())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "userId", ada.toString(), "organizationId", hq.toString(), "roleId", seller.toString(), "isHistoricalSync", true));
        assertThat((Map<String, Object>) at(seed04, "memberships", newMembership.toString())).containsEntry("userId", grace.toString())
                .containsEntry("organizationId", branch.toString()).containsEntry("roleId", salesRep.toString())
                .containsEntry("isHistoricalSync", false);

        // the seeds' channel names, and none of SuiteSync's for crm's organizations
        assertThat(crmMessages.stream().map(PubSubRecorder.Message::channel).filter(c -> c.startsWith("crm:")).distinct())
                .containsExactlyInAnyOrder("crm:" + tenant + ":credit-configs", "crm:" + tenant + ":roles", "crm:" + tenant + ":users",
                        "crm:" + tenant + ":hierarchy", "crm:" + tenant + ":memberships", "crm:" + tenant + ":credit-allocations");
        assertThat(crmMessages.stream().map(PubSubRecorder.Message::channel).filter(c -> c.startsWith("hrms:")).distinct())
                .contains("hrms:" + tenant + ":organizations").doesNotContain("hrms:" + tenant + ":hierarchy");

        // hrms, SuiteSync's format: today's fields, none of the seed-only columns
        List<Map<String, Object>> hrms = streams.events("hrms:" + tenant + ":events");
        Map<String, Object> hrmsConfig = hrms.stream().filter(e -> "credit-config".equals(e.get("entity"))).findFirst().orElseThrow();
        assertThat(hrmsConfig).containsKeys("eventId", "eventType", "version", "entityId", "timestamp");
        assertThat((Map<String, Object>) hrmsConfig.get("data")).containsEntry("operationCode", "hrms.payroll.process")
                .containsEntry("creditCost", 10.0).containsEntry("isActive", true).containsKey("id");
        assertThat(((Map<String, Object>) hrmsConfig.get("data")).get("newValue")).isInstanceOf(Map.class);
        Map<String, Object> hrmsRole = hrms.stream().filter(e -> "role".equals(e.get("entity"))).findFirst().orElseThrow();
        assertThat((Map<String, Object>) hrmsRole.get("data")).containsEntry("id", hrAdmin.toString())
                .containsEntry("permissions", List.of("hrms.employee.update", "user-management"));
        assertThat(hrms).allSatisfy(e -> {
            assertThat((Map<String, Object>) e.get("data")).doesNotContainKeys("firstName", "lastName", "email", "code", "industry",
                    "website", "description", "configId", "roleName", "entityName");
            assertThat((Map<String, Object>) e.get("metadata")).doesNotContainKey("format");
            assertThat(e).doesNotContainKey("amount");
        });

        // every event of both formats, in the streams and as published live, conforms to the schema
        List<String> all = new ArrayList<>(streams.rawEvents("crm:" + tenant + ":events"));
        all.addAll(streams.rawEvents("hrms:" + tenant + ":events"));
        crmMessages.forEach(m -> all.add(m.body()));
        assertThat(streams.size("crm:" + tenant + ":events")).isEqualTo(13);
        assertThat(all).hasSizeGreaterThan(30);
        assertThat(all).allSatisfy(json -> assertThat(EventSchema.violations(json)).as(json).isEmpty());
    }
}
