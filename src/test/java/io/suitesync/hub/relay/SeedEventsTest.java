package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.common.OutboundEvent;
import io.suitesync.common.SyncEventWriter;
import io.suitesync.hub.HubProperties.Seed;
import io.suitesync.hub.HubProperties.Strategy;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties.Tier;
import io.suitesync.testsupport.EventSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seed format's data per entity, as seeds 01, 02 and 04 read it; every event also against the schema. */
@SuppressWarnings("unchecked")
class SeedEventsTest {

    private static final Table CREDIT_CONFIGS = table("credit-config", "credit-configs", Tier.CRITICAL,
            List.of("operation_code", "credit_cost", "is_active"), null, null);
    private static final Table ROLES = table("role", "roles", Tier.CRITICAL, List.of("name", "permissions", "is_active"), null, null);
    private static final Table USERS = table("user", "users", Tier.CRITICAL, List.of("status"),
            List.of("first_name", "last_name", "email"), null);
    private static final Table ORGS = table("org", "organizations", Tier.REFERENCE, List.of("entity_type", "parent_id", "name"),
            List.of("code", "description", "industry", "website"), "hierarchy");
    private static final Table MEMBERSHIPS = table("org.assignment", "memberships", Tier.REFERENCE,
            List.of("user_id", "organization_id", "role_id", "is_active"), null, null);
    private static final Table ALLOCATIONS = new Table("credit", "credit-allocations", Tier.CRITICAL, Strategy.FIELD,
            "target_application", List.of("target_application", "entity_id", "amount", "available", "is_active", "allocated_at",
            "expires_at"), null, Map.of("INSERT", "credit.allocated"), null, null, null, null);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SyncEventWriter WRITER = new SyncEventWriter(MAPPER);

    private static Table table(String entity, String dataType, Tier tier, List<String> context, List<String> seedColumns,
                               String seedDataType) {
        return new Table(entity, dataType, tier, Strategy.ENABLED_APPS, null, context, null, null, null, null, null,
                new Seed(seedDataType, seedColumns));
    }

    private static Map<String, Object> values(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    private static ChangeRow row(long id, String table, String operation, List<String> changed, Map<String, Object> oldValues,
                                 Map<String, Object> newValues, Map<String, Object> context) {
        return new ChangeRow(id, "t-1", table, "rec-" + id, operation, changed, oldValues, newValues, context, "normal",
                Instant.parse("2026-11-22T10:15:30.123Z"), 0, Set.of("crm"));
    }

    /** The event as published, checked against docs/event.schema.json. */
    private static Map<String, Object> published(OutboundEvent out) throws Exception {
        String json = new String(WRITER.write(out.event()), StandardCharsets.UTF_8);
        assertThat(EventSchema.violations(json)).as(json).isEmpty();
        return MAPPER.readValue(json, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Map<String, Object> event) {
        return (Map<String, Object>) event.get("data");
    }

    @Test
    void creditCostUpdateCarriesTheCostItselfAsNewAndOldValue() throws Exception {
        ChangeRow update = row(7, "credit_configurations", "UPDATE", List.of("credit_cost", "updated_by"),
                values("credit_cost", 2.5, "updated_by", null), values("credit_cost", 3.0, "updated_by", "admin-123"),
                values("operation_code", "crm.leads.create", "credit_cost", 3.0, "is_active", true));

        OutboundEvent out = SeedEvents.toEvent(update, CREDIT_CONFIGS, "crm");
        Map<String, Object> event = published(out);

        assertThat(out.channel()).isEqualTo("crm:t-1:credit-configs");
        assertThat(event).containsEntry("eventId", ChangeEvents.eventId(7, "crm")).containsEntry("eventType", "credit-config.updated")
                .containsEntry("version", 7).containsEntry("entityId", "rec-7").containsEntry("tenantId", "t-1")
                .containsEntry("timestamp", "2026-11-22T10:15:30.123Z");
        assertThat(data(event)).containsExactlyEntriesOf(values("configId", "rec-7", "operationCode", "crm.leads.create",
                "creditCost", 3.0, "isActive", true, "changedFields", List.of("credit_cost", "updated_by"),
                "newValue", 3.0, "oldValue", 2.5));
        assertThat((Map<String, Object>) event.get("metadata")).containsEntry("format", "seed").containsEntry("isHistoricalSync", false)
                .containsEntry("changeId", 7);
    }

    @Test
    void creditConfigValuesFollowEveryOperation() throws Exception {
        Map<String, Object> context = values("operation_code", "crm.leads.create", "credit_cost", 2.0, "is_active", false);
        // only is_active changed: seed 02 still caches newValue as the cost, so it stays the cost
        Map<String, Object> deactivated = data(published(SeedEvents.toEvent(row(1, "credit_configurations", "UPDATE",
                List.of("is_active"), values("is_active", true), values("is_active", false), context), CREDIT_CONFIGS, "crm")));
        assertThat(deactivated).containsEntry("newValue", 2.0).containsEntry("oldValue", 2.0).containsEntry("isActive", false);

        Map<String, Object> created = data(published(SeedEvents.toEvent(row(2, "credit_configurations", "INSERT",
                List.of("credit_cost"), null, values("credit_cost", 2.0), context), CREDIT_CONFIGS, "crm")));
        assertThat(created).containsEntry("newValue", 2.0).containsEntry("oldValue", null);

        // the seeds upsert and have no delete: a deleted configuration is inactive, at its last cost
        Map<String, Object> deleted = data(published(SeedEvents.toEvent(row(3, "credit_configurations", "DELETE",
                List.of("credit_cost", "is_active", "operation_code"), values("credit_cost", 2.0, "is_active", true), null,
                values("operation_code", "crm.leads.create", "credit_cost", 2.0, "is_active", true)), CREDIT_CONFIGS, "crm")));
        assertThat(deleted).containsEntry("isActive", false).containsEntry("newValue", 2.0).containsEntry("creditCost", 2.0);
    }

    @Test
    void roleCarriesIdNameAndAlwaysAnArrayOfPermissions() throws Exception {
        Map<String, Object> role = data(published(SeedEvents.toEvent(row(4, "roles", "INSERT", List.of("name"), null, values(),
                values("name", "Sales rep", "permissions", List.of("crm.leads.create"), "is_active", true)), ROLES, "crm")));
        assertThat(role).containsExactlyEntriesOf(values("roleId", "rec-4", "roleName", "Sales rep",
                "permissions", List.of("crm.leads.create"), "isActive", true, "changedFields", List.of("name")));

        Map<String, Object> bare = data(published(SeedEvents.toEvent(row(5, "roles", "DELETE", List.of("name"), values(), null,
                values("name", "Gone", "permissions", null, "is_active", true)), ROLES, "crm")));
        assertThat(bare).containsEntry("permissions", List.of()).containsEntry("isActive", false);
    }

    @Test
    void userCarriesIdNameAndStatusButNoOtherProfileField() throws Exception {
        Map<String, Object> named = data(published(SeedEvents.toEvent(row(6, "users", "UPDATE", List.of("status"),
                values("status", "active"), values("status", "suspended"),
                values("status", "suspended", "first_name", "Ada", "last_name", "Lovelace", "email", "ada@example.com")), USERS, "crm")));
        assertThat(named).containsExactlyEntriesOf(values("userId", "rec-6", "name", "Ada Lovelace", "status", "suspended",
                "changedFields", List.of("status")));

        Map<String, Object> unnamed = data(published(SeedEvents.toEvent(row(7, "users", "INSERT", List.of("email"), null, values(),
                values("status", "active", "first_name", " ", "last_name", null, "email", "x@example.com")), USERS, "crm")));
        assertThat(unnamed).containsEntry("name", "x@example.com");
    }

    @Test
    void organizationGoesToTheHierarchyChannelWithSeed02AndSeed04Fields() throws Exception {
        OutboundEvent out = SeedEvents.toEvent(row(8, "entities", "INSERT", List.of("name"), null, values(),
                values("entity_type", "organization", "parent_id", null, "name", "HQ", "code", "HQ", "description", "Head office",
                        "industry", "Retail", "website", "https://hq.example")), ORGS, "crm");

        assertThat(out.channel()).isEqualTo("crm:t-1:hierarchy");
        assertThat(data(published(out))).containsExactlyEntriesOf(values("entityId", "rec-8", "entityName", "HQ",
                "organizationId", "rec-8", "entityType", "organization", "parentId", null, "code", "HQ",
                "name", "HQ", "description", "Head office", "industry", "Retail", "website", "https://hq.example",
                "changedFields", List.of("name")));
    }

    @Test
    void membershipCarriesSeed04Ids() throws Exception {
        Map<String, Object> membership = data(published(SeedEvents.toEvent(row(9, "organization_memberships", "INSERT",
                List.of("user_id"), null, values(), values("user_id", "u-1", "organization_id", "o-1", "role_id", null, "is_active", true)),
                MEMBERSHIPS, "crm")));
        assertThat(membership).containsExactlyEntriesOf(values("membershipId", "rec-9", "userId", "u-1", "organizationId", "o-1",
                "roleId", null, "isActive", true, "changedFields", List.of("user_id")));
    }

    @Test
    void creditAllocationHasTopLevelAmountAndItsEntityAsEntityId() throws Exception {
        Map<String, Object> context = values("target_application", "crm", "entity_id", "o-1", "amount", 1000.0, "available", 900.0,
                "is_active", true, "allocated_at", "2024-01-15T10:30:00+00:00", "expires_at", null);
        Map<String, Object> event = published(SeedEvents.toEvent(row(10, "credit_allocations", "INSERT", List.of("amount"), null,
                values(), context), ALLOCATIONS, "crm"));

        assertThat(event).containsEntry("eventType", "credit.allocated").containsEntry("entityId", "o-1").containsEntry("amount", 1000.0)
                .containsEntry("version", 10);
        assertThat((Map<String, Object>) event.get("metadata")).containsEntry("allocationId", "rec-10")
                .containsEntry("targetApplication", "crm").containsEntry("originalAllocatedAt", "2024-01-15T10:30:00+00:00")
                .containsEntry("isHistoricalSync", false);
        assertThat(data(event)).containsEntry("allocationId", "rec-10").containsEntry("available", 900.0);

        context.put("entity_id", null);
        assertThat(SeedEvents.toEvent(row(11, "credit_allocations", "INSERT", List.of("amount"), null, values(), context),
                ALLOCATIONS, "crm").event().entityId()).as("an allocation of no entity").isEqualTo("rec-11");
    }

    @Test
    void aTableTheSeedsDoNotKnowKeepsSuiteSyncData() throws Exception {
        Table invoices = table("invoice", "invoices", Tier.CRITICAL, List.of("total"), null, null);
        Map<String, Object> invoice = data(published(SeedEvents.toEvent(row(12, "invoices", "INSERT", List.of("total"), null,
                values(), values("total", 12)), invoices, "crm")));
        assertThat(invoice).containsExactlyEntriesOf(values("id", "rec-12", "total", 12, "changedFields", List.of("total")));
    }

    @Test
    void suiteSyncEventsLeaveTheSeedOnlyColumnsOut() throws Exception {
        ChangeRow update = row(13, "users", "UPDATE", List.of("status"), values("status", "active"), values("status", "suspended"),
                values("status", "suspended", "first_name", "Ada", "last_name", "Lovelace", "email", "ada@example.com"));

        OutboundEvent out = ChangeEvents.toEvent(update, USERS, "crm");

        assertThat(out.channel()).isEqualTo("crm:t-1:users");
        assertThat(out.event().data()).containsOnlyKeys("id", "status", "changedFields", "newValue", "oldValue");
        assertThat(out.event().metadata()).doesNotContainKey("format");
        assertThat(published(out)).doesNotContainKey("amount");
        assertThat(ChangeEvents.toEvent(update, ORGS, "crm").channel()).as("organizations keep their channel").isEqualTo(
                "crm:t-1:organizations");
    }
}
