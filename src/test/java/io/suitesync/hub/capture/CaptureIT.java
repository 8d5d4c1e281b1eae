package io.suitesync.hub.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.testsupport.WrapperFixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

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

    // The capture function takes a fast path (static SQL, plans cached by the session) for a statement
    // that changes one row and the set-based dynamic statement for more rows. On one connection, so
    // that the single-row statements' cached plans are there when the multi-row ones run: both paths
    // must write exactly the same rows, and neither may leak into the other.
    @Test
    void singleAndMultiRowStatementsOnOneConnectionAreCapturedAlike() {
        List<UUID> ids = IntStream.range(0, 5).mapToObj(i -> wrapper.creditConfig(tenant, "crm.mix." + i, 1)).toList();
        UUID role = wrapper.role(tenant, "Sales", "crm.leads.read");
        long firstChange = jdbc.queryForObject("SELECT max(id) FROM change_log WHERE tenant_id = ?", Long.class, tenant);

        onOneConnection(one -> {
            // more than 5 runs: after 5 the plan cache may switch a statement to a generic plan
            for (int cost = 2; cost <= 9; cost++) {
                one.update("UPDATE credit_configurations SET credit_cost = ? WHERE id = ?", cost, ids.get(0));
                // another captured table, other columns, between them on the same connection
                one.update("UPDATE roles SET permissions = ?::text[] WHERE id = ?", "{crm.leads.read,p" + cost + "}", role);
            }
            one.update("UPDATE credit_configurations SET credit_cost = credit_cost + 100, updated_by = 'bulk' "
                    + "WHERE tenant_id = ? AND operation_code LIKE 'crm.mix.%'", tenant);
            one.update("UPDATE credit_configurations SET is_active = false WHERE id = ?", ids.get(1));
            one.update("UPDATE credit_configurations SET is_active = false WHERE id = ?", ids.get(1)); // no-op: nothing
            one.update("UPDATE credit_configurations SET description = 'two' WHERE id IN (?, ?)", ids.get(2), ids.get(3));
            one.update("UPDATE credit_configurations SET credit_cost = 7.25 WHERE id = ?", ids.get(4));
            one.update("DELETE FROM credit_configurations WHERE id = ?", ids.get(3));
        });

        List<String> rows = jdbc.queryForList("SELECT concat_ws(' | ', table_name, record_id, operation, changed_fields::text, "
                + "old_values::text, new_values::text, context::text, priority) FROM change_log "
                + "WHERE tenant_id = ? AND id > ? ORDER BY id", String.class, tenant, firstChange);
        String cc = "credit_configurations | ";
        List<String> singles = new ArrayList<>();
        for (int cost = 2; cost <= 9; cost++) {
            singles.add(cc + ids.get(0) + " | UPDATE | {credit_cost} | {\"credit_cost\": " + (cost - 1) + ".00} | "
                    + "{\"credit_cost\": " + cost + ".00} | "
                    + "{\"is_active\": true, \"credit_cost\": " + cost + ".00, \"operation_code\": \"crm.mix.0\"} | high");
            String oldPermissions = cost == 2 ? "[\"crm.leads.read\"]" : "[\"crm.leads.read\", \"p" + (cost - 1) + "\"]";
            singles.add("roles | " + role + " | UPDATE | {permissions} | {\"permissions\": " + oldPermissions + "} | "
                    + "{\"permissions\": [\"crm.leads.read\", \"p" + cost + "\"]} | "
                    + "{\"name\": \"Sales\", \"is_active\": true, \"permissions\": [\"crm.leads.read\", \"p" + cost + "\"]} | normal");
        }
        assertThat(rows.subList(0, 16)).containsExactlyElementsOf(singles);

        assertThat(rows.subList(16, 21)).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 5).mapToObj(i ->
                cc + ids.get(i) + " | UPDATE | {credit_cost,updated_by} | "
                        + "{\"updated_by\": null, \"credit_cost\": " + (i == 0 ? 9 : 1) + ".00} | "
                        + "{\"updated_by\": \"bulk\", \"credit_cost\": " + (i == 0 ? 109 : 101) + ".00} | "
                        + "{\"is_active\": true, \"credit_cost\": " + (i == 0 ? 109 : 101) + ".00, \"operation_code\": \"crm.mix." + i + "\"} | high")
                .toList());

        assertThat(rows.subList(21, rows.size())).hasSize(5);
        assertThat(rows.get(21)).isEqualTo(cc + ids.get(1) + " | UPDATE | {is_active} | {\"is_active\": true} | {\"is_active\": false} | "
                + "{\"is_active\": false, \"credit_cost\": 101.00, \"operation_code\": \"crm.mix.1\"} | high");
        assertThat(rows.subList(22, 24)).containsExactlyInAnyOrder(
                cc + ids.get(2) + " | UPDATE | {description} | {\"description\": null} | {\"description\": \"two\"} | "
                        + "{\"is_active\": true, \"credit_cost\": 101.00, \"operation_code\": \"crm.mix.2\"} | high",
                cc + ids.get(3) + " | UPDATE | {description} | {\"description\": null} | {\"description\": \"two\"} | "
                        + "{\"is_active\": true, \"credit_cost\": 101.00, \"operation_code\": \"crm.mix.3\"} | high");
        assertThat(rows.get(24)).isEqualTo(cc + ids.get(4) + " | UPDATE | {credit_cost} | {\"credit_cost\": 101.00} | "
                + "{\"credit_cost\": 7.25} | {\"is_active\": true, \"credit_cost\": 7.25, \"operation_code\": \"crm.mix.4\"} | high");
        assertThat(rows.get(25)).startsWith(cc + ids.get(3) + " | DELETE | "
                        + "{created_at,credit_cost,description,id,is_active,operation_code,tenant_id,updated_at,updated_by} | {")
                .contains("\"description\": \"two\"", "\"credit_cost\": 101.00", "\"operation_code\": \"crm.mix.3\"")
                .endsWith(" | {\"is_active\": true, \"credit_cost\": 101.00, \"operation_code\": \"crm.mix.3\"} | high");
    }

    // A plan cached while the transition tables held one row (a nested loop joining old and new rows
    // by key) once made a 10,000-row UPDATE on the same connection run for more than a minute.
    @Test
    void tenThousandRowUpdateAfterSingleRowStatementsOnTheSameConnectionIsCapturedCompletely() {
        jdbc.update("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "SELECT ?, 'crm.bulk.' || g, 1 FROM generate_series(1, 10000) g", tenant);
        String other = wrapper.tenant("crm");
        UUID single = wrapper.creditConfig(other, "crm.single", 1);
        UUID sample = jdbc.queryForObject("SELECT id FROM credit_configurations WHERE tenant_id = ? "
                + "AND operation_code = 'crm.bulk.4242'", UUID.class, tenant);
        long before = count();

        onOneConnection(one -> {
            for (int cost = 2; cost <= 21; cost++) {
                one.update("UPDATE credit_configurations SET credit_cost = ? WHERE id = ?", cost, single);
            }
            one.update("DELETE FROM credit_configurations WHERE id = ?", wrapper.creditConfig(other, "crm.gone", 1));
            // normally about a second; fails instead of hanging if a cached plan is back
            one.setQueryTimeout(60);
            assertThat(one.update("UPDATE credit_configurations SET credit_cost = credit_cost + 1 WHERE tenant_id = ?", tenant))
                    .isEqualTo(10_000);
        });

        assertThat(count() - before).isEqualTo(10_000);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT record_id) FROM change_log WHERE tenant_id = ? "
                + "AND operation = 'UPDATE' AND changed_fields = '{credit_cost}'", Long.class, tenant)).isEqualTo(10_000);
        assertThat(jdbc.queryForObject("SELECT concat_ws(' | ', operation, changed_fields::text, old_values::text, "
                + "new_values::text, context::text, priority) FROM change_log WHERE table_name = 'credit_configurations' "
                + "AND record_id = ? AND operation = 'UPDATE'", String.class, sample.toString()))
                .isEqualTo("UPDATE | {credit_cost} | {\"credit_cost\": 1.00} | {\"credit_cost\": 2.00} | "
                        + "{\"is_active\": true, \"credit_cost\": 2.00, \"operation_code\": \"crm.bulk.4242\"} | high");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM change_log WHERE record_id = ? AND operation = 'UPDATE'",
                Long.class, single.toString())).isEqualTo(20);
    }

    /** Runs the statements on one pooled connection, as one long-lived application connection would. */
    private void onOneConnection(Consumer<JdbcTemplate> statements) {
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            statements.accept(new JdbcTemplate(new SingleConnectionDataSource(connection, true)));
            return null;
        });
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
