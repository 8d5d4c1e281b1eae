package io.suitesync.testsupport;

import java.util.Arrays;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes Wrapper data the way the suite would, for tests: tenants, enabled apps, configs, roles, users. */
public class WrapperFixtures {

    private final JdbcTemplate jdbc;

    public WrapperFixtures(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A tenant with a unique id (tests share Redis, so keys never collide) and the given apps enabled. */
    public String tenant(String... enabledApps) {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.update("INSERT INTO tenants (id, name) VALUES (?, ?)", tenant, "Tenant " + tenant);
        for (String app : enabledApps) {
            enable(tenant, app, true);
        }
        return tenant;
    }

    public void enable(String tenant, String app, boolean enabled) {
        jdbc.update("INSERT INTO organization_applications (tenant_id, application_code, is_enabled, enabled_at) "
                + "VALUES (?, ?, ?, now()) ON CONFLICT (tenant_id, application_code) DO UPDATE "
                + "SET is_enabled = EXCLUDED.is_enabled, updated_at = now()", tenant, app, enabled);
    }

    /** Changes of the tenant captured but not yet published, skipped or parked by the relay. */
    public long pendingChanges(String tenant) {
        return jdbc.queryForObject("SELECT count(*) FROM change_log_state WHERE tenant_id = ? AND state = 'PENDING'",
                Long.class, tenant);
    }

    public UUID creditConfig(String tenant, String operationCode, double cost) {
        return jdbc.queryForObject("INSERT INTO credit_configurations (tenant_id, operation_code, credit_cost) "
                + "VALUES (?, ?, ?) RETURNING id", UUID.class, tenant, operationCode, cost);
    }

    public UUID role(String tenant, String name, String... permissions) {
        return jdbc.queryForObject("INSERT INTO roles (tenant_id, name, permissions) VALUES (?, ?, ?::text[]) RETURNING id",
                UUID.class, tenant, name, "{" + String.join(",", Arrays.asList(permissions)) + "}");
    }

    public UUID user(String tenant, String email) {
        return jdbc.queryForObject("INSERT INTO users (tenant_id, email, first_name, last_name) "
                + "VALUES (?, ?, 'Ada', 'Lovelace') RETURNING id", UUID.class, tenant, email);
    }

    public UUID organization(String tenant, String name, UUID parent) {
        return jdbc.queryForObject("INSERT INTO entities (tenant_id, name, parent_id, code) VALUES (?, ?, ?, ?) RETURNING id",
                UUID.class, tenant, name, parent, name.toUpperCase().replace(' ', '-'));
    }

    public UUID membership(String tenant, UUID user, UUID org, UUID role) {
        return jdbc.queryForObject("INSERT INTO organization_memberships (tenant_id, user_id, organization_id, role_id) "
                + "VALUES (?, ?, ?, ?) RETURNING id", UUID.class, tenant, user, org, role);
    }

    public UUID allocation(String tenant, String app, double amount, UUID entity) {
        return jdbc.queryForObject("INSERT INTO credit_allocations (tenant_id, target_application, amount, available, entity_id) "
                + "VALUES (?, ?, ?, ?, ?) RETURNING id", UUID.class, tenant, app, amount, amount, entity);
    }
}
