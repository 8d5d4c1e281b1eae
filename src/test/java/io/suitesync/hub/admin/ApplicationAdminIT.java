package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.testsupport.EventSchema;
import io.suitesync.testsupport.StreamReader;
import io.suitesync.testsupport.WrapperFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** Toggle, manual historical sync, sync status and jobs over HTTP, with what lands in Redis and the tables. */
@AdminApiTest
class ApplicationAdminIT {

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

    /** A tenant with two organizations, a user in one (active) and in the other (ended), and allocations of every sort. */
    record Suite(String tenant, UUID hq, UUID branch, UUID activeMembership, UUID endedMembership,
                 UUID crmAllocation, UUID inactiveCrmAllocation, UUID expiredCrmAllocation, UUID hrmsAllocation) {}

    Suite suite(String... enabledApps) {
        String tenant = wrapper.tenant(enabledApps);
        UUID hq = wrapper.organization(tenant, "HQ", null);
        UUID branch = wrapper.organization(tenant, "Branch", hq);
        UUID user = wrapper.user(tenant, "ada@" + tenant + ".example");
        UUID role = wrapper.role(tenant, "Seller", "crm.leads.create");
        UUID active = wrapper.membership(tenant, user, hq, role);
        UUID ended = wrapper.membership(tenant, user, branch, role);
        jdbc.update("UPDATE organization_memberships SET is_active = false WHERE id = ?", ended);
        UUID crm = wrapper.allocation(tenant, "crm", 1000, hq);
        UUID inactive = wrapper.allocation(tenant, "crm", 50, hq);
        jdbc.update("UPDATE credit_allocations SET is_active = false WHERE id = ?", inactive);
        UUID expired = wrapper.allocation(tenant, "crm", 70, branch);
        jdbc.update("UPDATE credit_allocations SET expires_at = now() - interval '1 day' WHERE id = ?", expired);
        UUID hrms = wrapper.allocation(tenant, "hrms", 300, hq);
        awaitRelayIdle(tenant);
        return new Suite(tenant, hq, branch, active, ended, crm, inactive, expired, hrms);
    }

    void awaitRelayIdle(String tenant) {
        await().atMost(WAIT).until(() -> wrapper.pendingChanges(tenant) == 0);
    }

    Map<String, Object> awaitJob(String jobId, String state) {
        await().atMost(WAIT).until(() -> state.equals(admin.job(jobId).json().get("state")));
        return admin.job(jobId).json();
    }

    long versionOf(String table, UUID id) {
        return jdbc.queryForObject("SELECT COALESCE(max(id), 0) FROM change_log WHERE table_name = ? AND record_id = ?",
                Long.class, table, id.toString());
    }

    @Test
    void enablingStartsABackfillAndTheStreamHoldsExactlyTheTenantsCurrentState() {
        Suite s = suite();
        Suite other = suite("crm");
        long otherEventsBefore = streams.size("crm:" + other.tenant() + ":events");

        AdminClient.Response toggle = admin.toggle(s.tenant(), "crm", "{\"isEnabled\": true}");

        assertThat(toggle.status()).as(toggle.raw()).isEqualTo(202);
        String jobId = toggle.get("jobId");
        assertThat(toggle.json()).containsEntry("isEnabled", true).containsEntry("changed", true).containsEntry("tenantId", s.tenant());
        Map<String, Object> job = awaitJob(jobId, "COMPLETED");
        assertThat(job).containsEntry("trigger", "TOGGLE").containsEntry("published", 4).containsEntry("total", 4)
                .containsEntry("error", null);
        assertThat((Map<String, Object>) job.get("progress")).containsOnly(
                Map.entry("credits", Map.of("published", 1, "total", 1, "done", true)),
                Map.entry("organizations", Map.of("published", 2, "total", 2, "done", true)),
                Map.entry("assignments", Map.of("published", 1, "total", 1, "done", true)));
        assertThat(job.get("startedAt")).isNotNull();
        assertThat(job.get("finishedAt")).isNotNull();

        String stream = "crm:" + s.tenant() + ":events";
        List<Map<String, Object>> events = streams.events(stream);
        assertThat(events).extracting(e -> e.get("eventType") + " " + e.get("entityId")).containsExactlyInAnyOrder(
                "credit.allocated " + s.crmAllocation(),
                "org.created " + s.hq(), "org.created " + s.branch(),
                "org.assignment.created " + s.activeMembership());
        assertThat(events).allSatisfy(e -> {
            assertThat(e).containsEntry("operation", "SNAPSHOT").containsEntry("tenantId", s.tenant())
                    .containsEntry("application", "crm");
            assertThat((Map<String, Object>) e.get("metadata")).containsEntry("isHistoricalSync", true)
                    .containsEntry("jobId", jobId);
        });
        assertThat(streams.rawEvents(stream)).allSatisfy(json -> assertThat(EventSchema.violations(json)).as(json).isEmpty());
        Map<String, Object> credit = events.stream().filter(e -> e.get("eventType").equals("credit.allocated")).findFirst().orElseThrow();
        assertThat(((Number) credit.get("version")).longValue()).isEqualTo(versionOf("credit_allocations", s.crmAllocation()))
                .isPositive();
        assertThat((Map<String, Object>) credit.get("data")).containsEntry("amount", 1000.0).containsEntry("available", 1000.0)
                .containsEntry("targetApplication", "crm").containsEntry("entityId", s.hq().toString());
        assertThat((Map<String, Object>) credit.get("metadata")).containsKey("originalAllocatedAt")
                .containsEntry("allocationId", s.crmAllocation().toString());
        Map<String, Object> branch = events.stream().filter(e -> e.get("entityId").equals(s.branch().toString())).findFirst().orElseThrow();
        assertThat((Map<String, Object>) branch.get("data")).containsEntry("parentId", s.hq().toString()).containsEntry("name", "Branch");

        // the other tenant's stream got nothing from this job, and no other application's stream exists
        assertThat(streams.size("crm:" + other.tenant() + ":events")).isEqualTo(otherEventsBefore);
        assertThat(streams.events("crm:" + other.tenant() + ":events"))
                .allSatisfy(e -> assertThat(e).containsEntry("tenantId", other.tenant()));
        assertThat(streams.keysOfTenant(s.tenant())).containsExactly(stream);
        assertThat(jdbc.queryForObject("SELECT enabled_at IS NOT NULL AND is_enabled FROM organization_applications "
                + "WHERE tenant_id = ? AND application_code = 'crm'", Boolean.class, s.tenant())).isTrue();
    }

    @Test
    void skipHistoricalSyncEnablesWithoutAJob() {
        Suite s = suite();

        AdminClient.Response toggle = admin.toggle(s.tenant(), "crm", "{\"isEnabled\": true, \"skipHistoricalSync\": true}");

        assertThat(toggle.status()).isEqualTo(200);
        assertThat(toggle.json()).containsEntry("jobId", null).containsEntry("isEnabled", true).containsEntry("changed", true);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM backfill_job WHERE tenant_id = ?", Long.class, s.tenant())).isZero();
        assertThat(jdbc.queryForObject("SELECT is_enabled FROM organization_applications WHERE tenant_id = ? AND application_code = 'crm'",
                Boolean.class, s.tenant())).isTrue();
        // live changes flow from now on, the history does not
        wrapper.creditConfig(s.tenant(), "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + s.tenant() + ":events") == 1);
        assertThat(streams.events("crm:" + s.tenant() + ":events").get(0)).containsEntry("eventType", "credit-config.created");
    }

    @Test
    void disablingStopsLiveEventsToThatApplicationAtOnce() {
        String tenant = wrapper.tenant();
        assertThat(admin.toggle(tenant, "crm", "{\"isEnabled\": true, \"skipHistoricalSync\": true}").status()).isEqualTo(200);
        wrapper.creditConfig(tenant, "crm.leads.create", 1);
        await().atMost(WAIT).until(() -> streams.size("crm:" + tenant + ":events") == 1);

        AdminClient.Response off = admin.toggle(tenant, "crm", "{\"isEnabled\": false}");
        UUID later = wrapper.creditConfig(tenant, "crm.leads.update", 2);

        assertThat(off.status()).isEqualTo(200);
        assertThat(off.json()).containsEntry("isEnabled", false).containsEntry("changed", true).containsEntry("jobId", null);
        assertThat((String) off.get("disabledAt")).isNotNull();
        await().atMost(WAIT).until(() -> "SKIPPED".equals(jdbc.queryForObject(
                "SELECT coalesce(status, '') FROM change_log WHERE record_id = ?", String.class, later.toString())));
        assertThat(streams.size("crm:" + tenant + ":events")).isEqualTo(1);
    }

    @Test
    void enablingTwiceStartsOneJobAndReEnablingStartsANewOne() {
        Suite s = suite();
        String first = admin.toggle(s.tenant(), "crm", "{\"isEnabled\": true}").get("jobId");
        awaitJob(first, "COMPLETED");

        AdminClient.Response again = admin.toggle(s.tenant(), "crm", "{\"isEnabled\": true}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).containsEntry("changed", false).containsEntry("jobId", null);

        assertThat(admin.toggle(s.tenant(), "crm", "{\"isEnabled\": false}").status()).isEqualTo(200);
        AdminClient.Response reEnabled = admin.toggle(s.tenant(), "crm", "{\"isEnabled\": true}");
        assertThat(reEnabled.status()).isEqualTo(202);
        String second = reEnabled.get("jobId");
        assertThat(second).isNotEqualTo(first);
        awaitJob(second, "COMPLETED");
        assertThat(streams.size("crm:" + s.tenant() + ":events")).isEqualTo(8);
    }

    @Test
    void dryRunReturnsTheCountsOfARealRunAndPublishesNothing() {
        Suite s = suite("crm");
        long liveEvents = streams.size("crm:" + s.tenant() + ":events");

        AdminClient.Response dry = admin.syncHistorical(s.tenant(), "crm", "{\"dryRun\": true}");

        assertThat(dry.status()).as(dry.raw()).isEqualTo(200);
        assertThat(dry.json()).containsEntry("dryRun", true).containsEntry("total", 4)
                .containsEntry("counts", Map.of("credits", 1, "organizations", 2, "assignments", 1))
                .doesNotContainKey("jobId");
        assertThat(admin.syncHistorical(s.tenant(), "crm", "{\"dryRun\": true, \"syncCredits\": false, \"syncAssignments\": false}")
                .json()).containsEntry("counts", Map.of("organizations", 2)).containsEntry("total", 2);
        assertThat(admin.syncHistorical(s.tenant(), "hrms", "{\"dryRun\": true, \"syncOrganizations\": false, \"syncAssignments\": false}")
                .json()).containsEntry("counts", Map.of("credits", 1));
        assertThat(streams.size("crm:" + s.tenant() + ":events")).isEqualTo(liveEvents);
        assertThat(streams.keysOfTenant(s.tenant())).containsExactly("crm:" + s.tenant() + ":events");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM backfill_job WHERE tenant_id = ?", Long.class, s.tenant())).isZero();

        // and a real run sends exactly what the dry run counted
        String jobId = admin.syncHistorical(s.tenant(), "crm", "{}").get("jobId");
        awaitJob(jobId, "COMPLETED");
        assertThat(streams.size("crm:" + s.tenant() + ":events")).isEqualTo(liveEvents + 4);
    }

    @Test
    void sinceDateLimitsTheBackfillToRecordsCreatedSince() {
        Suite s = suite("crm");
        jdbc.update("UPDATE entities SET created_at = '2023-06-01T00:00:00Z' WHERE id = ?", s.hq());
        jdbc.update("UPDATE credit_allocations SET allocated_at = '2023-06-01T00:00:00Z' WHERE tenant_id = ?", s.tenant());
        UUID recent = wrapper.allocation(s.tenant(), "crm", 5, s.branch());
        awaitRelayIdle(s.tenant());
        long liveEvents = streams.size("crm:" + s.tenant() + ":events");

        AdminClient.Response dry = admin.syncHistorical(s.tenant(), "crm", "{\"dryRun\": true, \"sinceDate\": \"2024-01-01\"}");
        assertThat(dry.json()).containsEntry("sinceDate", "2024-01-01T00:00:00Z")
                .containsEntry("counts", Map.of("credits", 1, "organizations", 1, "assignments", 1));

        AdminClient.Response run = admin.syncHistorical(s.tenant(), "crm",
                "{\"sinceDate\": \"2024-01-01T00:00:00Z\", \"syncAssignments\": false}");
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        Map<String, Object> job = awaitJob(run.get("jobId"), "COMPLETED");
        assertThat(job).containsEntry("trigger", "MANUAL").containsEntry("sinceDate", "2024-01-01T00:00:00Z")
                .containsEntry("published", 2);
        List<Map<String, Object>> historical = streams.events("crm:" + s.tenant() + ":events").stream()
                .filter(e -> Boolean.TRUE.equals(((Map<String, Object>) e.get("metadata")).get("isHistoricalSync"))).toList();
        assertThat(historical).hasSize(2).extracting(e -> e.get("entityId"))
                .containsExactlyInAnyOrder(recent.toString(), s.branch().toString());
        assertThat(streams.size("crm:" + s.tenant() + ":events")).isEqualTo(liveEvents + 2);
    }

    @Test
    void syncStatusReportsCountsWhetherASyncIsNeededAndTheLastJob() {
        Suite s = suite();
        Suite other = suite("crm");
        AdminClient.Response before = admin.syncStatus(s.tenant(), "crm");
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.json()).containsEntry("isEnabled", false).containsEntry("activeCreditAllocations", 1)
                .containsEntry("organizations", 2).containsEntry("activeMemberships", 1)
                .containsEntry("syncNeeded", false).containsEntry("lastJob", null);

        admin.toggle(s.tenant(), "crm", "{\"isEnabled\": true, \"skipHistoricalSync\": true}");
        assertThat(admin.syncStatus(s.tenant(), "crm").json()).containsEntry("isEnabled", true).containsEntry("syncNeeded", true);

        String jobId = admin.syncHistorical(s.tenant(), "crm", "{}").get("jobId");
        awaitJob(jobId, "COMPLETED");
        Map<String, Object> after = admin.syncStatus(s.tenant(), "crm").json();
        assertThat(after).containsEntry("syncNeeded", false).containsEntry("tenantId", s.tenant());
        Map<String, Object> lastJob = (Map<String, Object>) after.get("lastJob");
        assertThat(lastJob).containsEntry("jobId", jobId).containsEntry("state", "COMPLETED")
                .containsEntry("published", 4).containsEntry("total", 4);
        // the other tenant's identical data is neither counted nor mentioned
        assertThat(after).containsEntry("activeCreditAllocations", 1).containsEntry("organizations", 2)
                .containsEntry("activeMemberships", 1);
        assertThat(admin.syncStatus(s.tenant(), "crm").raw()).doesNotContain(other.tenant());
    }

    @Test
    void aManualRunOfADisabledApplicationIsAConflict() {
        Suite s = suite();
        AdminClient.Response r = admin.syncHistorical(s.tenant(), "crm", "{\"syncCredits\": true}");
        assertThat(r.status()).isEqualTo(409);
        assertThat((String) r.get("message")).contains("not enabled");
        assertThat(admin.syncHistorical(s.tenant(), "crm",
                "{\"syncCredits\": false, \"syncOrganizations\": false, \"syncAssignments\": false}").status()).isEqualTo(400);
    }
}
