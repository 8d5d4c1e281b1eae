package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.EventSchema;
import io.suitesync.testsupport.PubSubRecorder;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** Wrapper change → change_log → relay → Redis, end to end against real PostgreSQL and Redis. */
@SpringBootTest
class RelayRoutingIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisConnectionFactory redisFactory;

    WrapperFixtures wrapper;
    StreamReader streams;

    @BeforeEach
    void setUp() {
        wrapper = new WrapperFixtures(jdbc);
        streams = new StreamReader(redis);
    }

    @Test
    void crmCreditConfigReachesOnlyCrmChannelAndStream() throws Exception {
        String tenant = wrapper.tenant("crm", "hrms");
        try (PubSubRecorder pubSub = new PubSubRecorder(redisFactory, "*:" + tenant + ":*")) {
            UUID config = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);

            await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 1 && pubSub.messages().size() == 1);

            assertThat(streams.keysOfTenant(tenant)).containsExactly("crm:" + tenant + ":events");
            assertThat(pubSub.channels()).containsExactly("crm:" + tenant + ":credit-configs");
            Map<String, Object> event = streams.events("crm:" + tenant + ":events").get(0);
            assertThat(event).containsEntry("eventType", "credit-config.created").containsEntry("tenantId", tenant)
                    .containsEntry("application", "crm").containsEntry("entityId", config.toString());
            assertThat((Map<String, Object>) event.get("data")).containsEntry("operationCode", "crm.leads.create")
                    .containsEntry("creditCost", 2.5);
        }
    }

    @Test
    void creditCostUpdateCarriesOldAndNewValueOfTheChangedFieldOnly() {
        String tenant = wrapper.tenant("crm");
        UUID config = wrapper.creditConfig(tenant, "crm.contacts.import", 1.0);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 3.0, updated_by = 'admin-123' WHERE id = ?", config);

        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 2);

        Map<String, Object> update = streams.events("crm:" + tenant + ":events").get(1);
        assertThat(update).containsEntry("eventType", "credit-config.updated").containsEntry("operation", "UPDATE");
        Map<String, Object> data = (Map<String, Object>) update.get("data");
        assertThat(data).containsEntry("operationCode", "crm.contacts.import").containsEntry("creditCost", 3.0);
        assertThat((List<String>) data.get("changedFields")).containsExactly("creditCost", "updatedBy");
        assertThat((Map<String, Object>) data.get("newValue")).containsOnly(Map.entry("creditCost", 3.0),
                Map.entry("updatedBy", "admin-123"));
        assertThat((Map<String, Object>) data.get("oldValue")).containsEntry("creditCost", 1.0);
    }

    @Test
    void roleWithHrmsAndSuiteWidePermissionReachesEveryEnabledApp() throws Exception {
        String tenant = wrapper.tenant("crm", "hrms", "finance");
        try (PubSubRecorder pubSub = new PubSubRecorder(redisFactory, "*:" + tenant + ":*")) {
            wrapper.role(tenant, "HR admin", "hrms.employee.update", "user-management");

            await().atMost(WAIT).until(() -> pubSub.messages().size() == 3);

            assertThat(streams.keysOfTenant(tenant)).containsExactlyInAnyOrder(
                    "crm:" + tenant + ":events", "hrms:" + tenant + ":events", "finance:" + tenant + ":events");
            assertThat(pubSub.channels()).containsExactly(
                    "crm:" + tenant + ":roles", "finance:" + tenant + ":roles", "hrms:" + tenant + ":roles");
        }
    }

    @Test
    void roleWithOnlyHrmsPermissionsReachesOnlyHrms() {
        String tenant = wrapper.tenant("crm", "hrms");
        wrapper.role(tenant, "Payroll clerk", "hrms.payroll.process");
        wrapper.creditConfig(tenant, "crm.leads.update", 1);

        // the later crm change proves the relay got past the role before we look
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 1);
        assertThat(streams.size("hrms:" + tenant + ":events")).isEqualTo(1);
        assertThat(streams.events("crm:" + tenant + ":events").get(0)).containsEntry("entity", "credit-config");
    }

    @Test
    void appTheTenantHasNotEnabledReceivesNothing() {
        String tenant = wrapper.tenant("hrms");
        wrapper.creditConfig(tenant, "crm.leads.create", 2);
        wrapper.creditConfig(tenant, "hrms.leave.approve", 1);

        await().atMost(WAIT).until(() -> streams.size("hrms:" + tenant + ":events") == 1);
        assertThat(streams.keysOfTenant(tenant)).containsExactly("hrms:" + tenant + ":events");
        assertThat(jdbc.queryForObject("SELECT status FROM change_log WHERE tenant_id = ? AND context->>'operation_code' = ?",
                String.class, tenant, "crm.leads.create")).isEqualTo("SKIPPED");
    }

    @Test
    void usersOrganizationsAndMembershipsReachEveryEnabledAppAndAllocationsOnlyTheirTarget() {
        String tenant = wrapper.tenant("crm", "hrms");
        UUID user = wrapper.user(tenant, "ada@example.com");
        UUID org = wrapper.organization(tenant, "Head office", null);
        UUID role = wrapper.role(tenant, "Viewer", "crm.dashboard.access");
        wrapper.membership(tenant, user, org, role);
        wrapper.allocation(tenant, "hrms", 1000, org);

        // crm: user, org, role, membership; hrms: user, org, membership, allocation
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 4
                && streams.size("hrms:" + tenant + ":events") == 4);
        assertThat(streams.events("hrms:" + tenant + ":events")).extracting(e -> e.get("eventType"))
                .containsExactly("user.created", "org.created", "org.assignment.created", "credit.allocated");
        Map<String, Object> userEvent = streams.events("crm:" + tenant + ":events").get(0);
        // profile fields are reference data: named, not carried
        assertThat((Map<String, Object>) ((Map<String, Object>) userEvent.get("data")).get("newValue"))
                .containsOnlyKeys("status");
    }

    @Test
    void tenantsNeverSeeEachOthersEvents() {
        String a = wrapper.tenant("crm");
        String b = wrapper.tenant("crm");
        wrapper.creditConfig(a, "crm.leads.create", 1);
        wrapper.creditConfig(a, "crm.leads.delete", 1);
        wrapper.creditConfig(b, "crm.leads.create", 5);

        await().atMost(WAIT).until(() -> streams.size("crm:" + a + ":events") == 2 && streams.size("crm:" + b + ":events") == 1);
        assertThat(streams.events("crm:" + a + ":events")).allSatisfy(e -> assertThat(e).containsEntry("tenantId", a));
        assertThat(streams.events("crm:" + b + ":events")).allSatisfy(e -> assertThat(e).containsEntry("tenantId", b));
        assertThat(streams.keysOfTenant(b)).containsExactly("crm:" + b + ":events");
    }

    @Test
    void disablingAnAppStopsItsLiveEvents() {
        String tenant = wrapper.tenant("crm");
        wrapper.creditConfig(tenant, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 1);

        wrapper.enable(tenant, "crm", false);
        UUID later = wrapper.creditConfig(tenant, "crm.leads.update", 1);

        await().atMost(WAIT).until(() -> "SKIPPED".equals(jdbc.queryForObject(
                "SELECT coalesce(status, '') FROM change_log WHERE record_id = ?", String.class, later.toString())));
        assertThat(streams.size("crm:" + tenant + ":events")).isEqualTo(1);
    }

    @Test
    void everyPublishedEventConformsToTheSchema() {
        String tenant = wrapper.tenant("crm", "hrms", "finance");
        UUID config = wrapper.creditConfig(tenant, "finance.invoice.generate", 4);
        jdbc.update("UPDATE credit_configurations SET is_active = false WHERE id = ?", config);
        UUID role = wrapper.role(tenant, "Everything", "role-management");
        UUID user = wrapper.user(tenant, "grace@example.com");
        jdbc.update("UPDATE users SET status = 'suspended', phone = '+100' WHERE id = ?", user);
        UUID org = wrapper.organization(tenant, "Branch", wrapper.organization(tenant, "HQ", null));
        wrapper.membership(tenant, user, org, role);
        wrapper.allocation(tenant, "crm", 50, org);
        jdbc.update("DELETE FROM credit_configurations WHERE id = ?", config);

        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
        List<String> all = new java.util.ArrayList<>();
        for (String app : List.of("crm", "hrms", "finance")) {
            all.addAll(streams.rawEvents(app + ":" + tenant + ":events"));
        }
        assertThat(all).hasSizeGreaterThanOrEqualTo(20);
        assertThat(all).allSatisfy(json -> assertThat(EventSchema.violations(json)).as(json).isEmpty());
    }
}
