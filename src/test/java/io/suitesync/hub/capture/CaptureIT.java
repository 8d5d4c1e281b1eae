package io.suitesync.hub.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.testsupport.WrapperFixtures;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** What the capture triggers write to change_log for each kind of statement, on real PostgreSQL. */
@SpringBootTest
class CaptureIT {

    record Captured(String tenant, String table, String operation, List<String> changedFields,
                    Map<String, Object> oldValues, Map<String, Object> newValues, Map<String, Object> context) {}

    @Autowired JdbcTemplate jdbc;
    final ObjectMapper json = new ObjectMapper();
    WrapperFixtures wrapper;
    String tenant;

    @BeforeEach
    void setUp() {
        wrapper = new WrapperFixtures(jdbc);
        tenant = wrapper.tenant("crm");
    }

    @Test
    void insertUpdateDeleteOfCreditConfigurationAreCapturedWithChangedFieldsOnly() {
        UUID id = wrapper.creditConfig(tenant, "crm.leads.create", 2.5);
        jdbc.update("UPDATE credit_configurations SET credit_cost = 3, updated_by = 'admin-123' WHERE id = ?", id);
        jdbc.update("DELETE FROM credit_configurations WHERE id = ?", id);

        List<Captured> rows = captured("credit_configurations", id);
        assertThat(rows).extracting(Captured::operation).containsExactly("INSERT", "UPDATE", "DELETE");
        assertThat(rows).allSatisfy(r -> assertThat(r.tenant()).isEqualTo(tenant));

        Captured insert = rows.get(0);
        assertThat(insert.changedFields()).contains("operation_code", "credit_cost", "is_active", "tenant_id");
        assertThat(insert.oldValues()).isNull();
        assertThat(insert.newValues()).containsEntry("operation_code", "crm.leads.create").containsEntry("credit_cost", 2.5);

        Captured update = rows.get(1);
        assertThat(update.changedFields()).containsExactly("credit_cost", "updated_by");
        assertThat(update.oldValues()).containsOnlyKeys("credit_cost", "updated_by").containsEntry("credit_cost", 2.5);
        assertThat(update.oldValues().get("updated_by")).isNull();
        assertThat(update.newValues()).containsOnly(Map.entry("credit_cost", 3.0), Map.entry("updated_by", "admin-123"));
        assertThat(update.context()).containsOnly(Map.entry("operation_code", "crm.leads.create"),
                Map.entry("credit_cost", 3.0), Map.entry("is_active", true));

        Captured delete = rows.get(2);
        assertThat(delete.newValues()).isNull();
        assertThat(delete.oldValues()).containsEntry("operation_code", "crm.leads.create").containsEntry("credit_cost", 3.0);
        assertThat(delete.context()).containsEntry("operation_code", "crm.leads.create");
    }

    @Test
    void everyCapturedTableRecordsInsertUpdateAndDelete() {
        UUID role = wrapper.role(tenant, "Sales", "crm.leads.read");
        UUID user = wrapper.user(tenant, "ada@example.com");
        UUID org = wrapper.organization(tenant, "HQ", null);
        UUID membership = wrapper.membership(tenant, user, org, role);
        UUID allocation = wrapper.allocation(tenant, "crm", 100, org);

        jdbc.update("UPDATE roles SET permissions = '{crm.leads.read,crm.leads.create}' WHERE id = ?", role);
        jdbc.update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
        jdbc.update("UPDATE entities SET name = 'Head office' WHERE id = ?", org);
        jdbc.update("UPDATE organization_memberships SET is_active = false WHERE id = ?", membership);
        jdbc.update("UPDATE credit_allocations SET available = 40 WHERE id = ?", allocation);
        jdbc.update("DELETE FROM credit_allocations WHERE id = ?", allocation);
        jdbc.update("DELETE FROM organization_memberships WHERE id = ?", membership);
        jdbc.update("DELETE FROM roles WHERE id = ?", role);
        jdbc.update("DELETE FROM users WHERE id = ?", user);
        jdbc.update("DELETE FROM entities WHERE id = ?", org);

        assertThat(captured("roles", role)).extracting(Captured::operation).containsExactly("INSERT", "UPDATE", "DELETE");
        assertThat(captured("roles", role).get(1).newValues())
                .containsOnly(Map.entry("permissions", List.of("crm.leads.read", "crm.leads.create")));
        assertThat(captured("users", user).get(1).changedFields()).containsExactly("status");
        assertThat(captured("users", user).get(1).oldValues()).containsOnly(Map.entry("status", "active"));
        assertThat(captured("entities", org).get(1).changedFields()).containsExactly("name");
        assertThat(captured("organization_memberships", membership)).extracting(Captured::operation)
                .containsExactly("INSERT", "UPDATE", "DELETE");
        assertThat(captured("credit_allocations", allocation).get(1).newValues()).containsOnly(Map.entry("available", 40.0));
        assertThat(captured("credit_allocations", allocation).get(1).context()).containsEntry("target_application", "crm");
        assertThat(captured("users", user)).extracting(Captured::operation).containsExactly("INSERT", "UPDATE", "DELETE");
        assertThat(captured("entities", org)).extracting(Captured::operation).containsExactly("INSERT", "UPDATE", "DELETE");
    }

    @Test
    void updateThatChangesNothingWritesNothing() {
        UUID id = wrapper.creditConfig(tenant, "crm.contacts.import", 1);
        long before = count();

        jdbc.update("UPDATE credit_configurations SET credit_cost = credit_cost, is_active = true WHERE id = ?", id);
        jdbc.update("UPDATE credit_configurations SET description = NULL WHERE tenant_id = ?", tenant);

        assertThat(count()).isEqualTo(before);
    }

    @Test
    void bulkUpdateOfTenThousandRowsIsCapturedCompletely() {
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.bulk.' || g, 1 FROM generate_series(1, 10000) g", tenant);
        long before = count();

        int updated = jdbc.update("UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = ?", tenant);

        assertThat(updated).isEqualTo(10_000);
        assertThat(count() - before).isEqualTo(10_000);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT record_id) FROM change_log WHERE tenant_id = ? "
                + "AND operation = 'UPDATE' AND changed_fields = '{credit_cost}' AND (new_values->>'credit_cost')::numeric = 2 "
                + "AND (old_values->>'credit_cost')::numeric = 1", Long.class, tenant)).isEqualTo(10_000);
    }

    @Test
    void captureAttachesToAnotherTableWithOneCall() {
        jdbc.execute("CREATE TABLE feature_flags (id serial PRIMARY KEY, tenant_id text NOT NULL, flag text, enabled boolean)");
        jdbc.queryForObject("SELECT suitesync_capture_table('feature_flags', context_columns => ARRAY['flag'])::text", String.class);

        jdbc.update("INSERT INTO feature_flags (tenant_id, flag, enabled) VALUES (?, 'dark-mode', true)", tenant);

        Map<String, Object> row = jdbc.queryForMap("SELECT tenant_id, operation, context::text AS context FROM change_log "
                + "WHERE table_name = 'feature_flags'");
        assertThat(row).containsEntry("tenant_id", tenant).containsEntry("operation", "INSERT")
                .containsEntry("context", "{\"flag\": \"dark-mode\"}");
    }

    private long count() {
        return jdbc.queryForObject("SELECT count(*) FROM change_log WHERE tenant_id = ?", Long.class, tenant);
    }

    private List<Captured> captured(String table, UUID id) {
        return jdbc.query("SELECT tenant_id, table_name, operation, changed_fields, old_values::text AS o, "
                        + "new_values::text AS n, context::text AS c FROM change_log WHERE table_name = ? AND record_id = ? ORDER BY id",
                (rs, i) -> new Captured(rs.getString(1), rs.getString(2), rs.getString(3),
                        Arrays.asList((String[]) rs.getArray(4).getArray()), parse(rs.getString(5)),
                        parse(rs.getString(6)), parse(rs.getString(7))),
                table, id.toString());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parse(String text) {
        try {
            return text == null ? null : json.readValue(text, Map.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
