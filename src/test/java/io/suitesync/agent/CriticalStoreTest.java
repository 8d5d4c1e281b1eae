package io.suitesync.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.agent.CriticalStore.Entry;
import io.suitesync.agent.CriticalStore.TenantState;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Version rules of the critical tier, table-driven over events of the contract. */
class CriticalStoreTest {

    private final CriticalStore store = new CriticalStore(Set.of("credit-config", "role", "user"));

    @BeforeEach
    void loadSnapshot() {
        store.load("t", new TenantState("5-0", List.of(
                new Entry("credit-config", "c1", 10, false, Map.of("operationCode", "crm.leads.create",
                        "creditCost", new BigDecimal("2.50"), "isActive", true)))));
    }

    private static Map<String, Object> event(String entity, String id, long version, String operation, Map<String, Object> data) {
        return Map.of("entity", entity, "entityId", id, "version", version, "operation", operation, "data", data);
    }

    @Test
    void anEventNotNewerThanTheHeldVersionChangesNothing() {
        for (long version : new long[] {9, 10}) {
            boolean applied = store.apply("t", event("credit-config", "c1", version, "UPDATE",
                    Map.of("operationCode", "crm.leads.create", "creditCost", 99)));
            assertThat(applied).as("version " + version).isFalse();
        }
        assertThat(store.credit("t", "crm.leads.create").creditCost()).isEqualByComparingTo("2.50");
        assertThat(store.stats()).containsEntry("eventsSkippedAsStale", 2L);
    }

    @Test
    void aNewerEventUpdatesInPlace() {
        assertThat(store.apply("t", event("credit-config", "c1", 11, "UPDATE",
                Map.of("operationCode", "crm.leads.create", "creditCost", 3.75, "isActive", true)))).isTrue();
        assertThat(store.credit("t", "crm.leads.create").creditCost()).isEqualByComparingTo("3.75");
        assertThat(store.credit("t", "crm.leads.create").version()).isEqualTo(11);
    }

    @Test
    void deactivationAndDeletionHideTheOperationAndARenameMovesIt() {
        store.apply("t", event("credit-config", "c1", 11, "UPDATE",
                Map.of("operationCode", "crm.leads.add", "creditCost", 2.5, "isActive", true)));
        assertThat(store.credit("t", "crm.leads.create")).isNull();
        assertThat(store.credit("t", "crm.leads.add")).isNotNull();

        store.apply("t", event("credit-config", "c1", 12, "UPDATE", Map.of("operationCode", "crm.leads.add", "isActive", false)));
        assertThat(store.credit("t", "crm.leads.add")).isNull();

        store.apply("t", event("credit-config", "c1", 13, "DELETE", Map.of("operationCode", "crm.leads.add")));
        // the tombstone keeps version 13: a late, older insert cannot bring the record back
        assertThat(store.apply("t", event("credit-config", "c1", 12, "UPDATE",
                Map.of("operationCode", "crm.leads.add", "isActive", true)))).isFalse();
        assertThat(store.versions("t")).isEmpty();
    }

    @Test
    void eventsOfReferenceEntitiesOrUnknownTenantsAreNotHeld() {
        assertThat(store.apply("t", event("org", "o1", 20, "INSERT", Map.of("name", "HQ")))).isFalse();
        assertThat(store.apply("other", event("role", "r1", 20, "INSERT", Map.of("name", "x")))).isFalse();
        assertThat(store.apply("t", event("role", "r1", 20, "INSERT",
                Map.of("name", "Sales", "permissions", List.of("crm.leads.create"), "changedFields", List.of("name"))))).isTrue();
        assertThat(store.record("t", "role", "r1").fields()).containsOnlyKeys("name", "permissions");
    }
}
