package io.suitesync.hub.read;

/**
 * SQL of the read API. Column aliases are the camelCase names the events use, so a record of the
 * snapshot and the data of an event read alike. A record's version is the newest change_log id of
 * that record (index change_log_record), 0 when it has none.
 */
final class ReadSql {

    private ReadSql() {}

    private static String version(String table, String alias) {
        return "CROSS JOIN LATERAL (SELECT COALESCE(max(l.id), 0) AS version FROM change_log l "
                + "WHERE l.table_name = '" + table + "' AND l.record_id = " + alias + ".id::text) v ";
    }

    static final String ENABLED = "SELECT EXISTS (SELECT 1 FROM organization_applications "
            + "WHERE tenant_id = ? AND application_code = ? AND is_enabled)";

    static final String TENANTS = "SELECT t.id AS \"tenantId\", t.name, t.status, oa.enabled_at AS \"enabledAt\" "
            + "FROM organization_applications oa JOIN tenants t ON t.id = oa.tenant_id "
            + "WHERE oa.application_code = ? AND oa.is_enabled ORDER BY t.id";

    static final String CREDIT_CONFIG = "SELECT c.id::text AS id, c.operation_code AS \"operationCode\", "
            + "c.credit_cost AS \"creditCost\", c.is_active AS \"isActive\", c.description, c.updated_at AS \"updatedAt\", v.version "
            + "FROM credit_configurations c " + version("credit_configurations", "c")
            + "WHERE c.tenant_id = ? AND c.operation_code = ?";

    static final String USER = "SELECT u.id::text AS id, u.email, u.first_name AS \"firstName\", u.last_name AS \"lastName\", "
            + "u.phone, u.job_title AS \"jobTitle\", u.status, u.created_at AS \"createdAt\", u.updated_at AS \"updatedAt\", v.version "
            + "FROM users u " + version("users", "u") + "WHERE u.tenant_id = ? AND u.id = ?";

    static final String USER_MEMBERSHIPS = "SELECT m.organization_id::text AS \"organizationId\", e.name AS \"organizationName\", "
            + "m.role_id::text AS \"roleId\", r.name AS \"roleName\", m.is_active AS \"isActive\" "
            + "FROM organization_memberships m JOIN entities e ON e.id = m.organization_id LEFT JOIN roles r ON r.id = m.role_id "
            + "WHERE m.tenant_id = ? AND m.user_id = ? ORDER BY e.name";

    static final String ENTITY = "SELECT e.id::text AS id, e.name, e.code, e.entity_type AS \"entityType\", "
            + "e.parent_id::text AS \"parentId\", e.description, e.industry, e.website, v.version "
            + "FROM entities e " + version("entities", "e") + "WHERE e.tenant_id = ? AND e.id = ?";

    /** Nearest ancestor first; the depth guard stops a corrupt parent cycle. */
    static final String ANCESTORS = "WITH RECURSIVE up AS ("
            + " SELECT p.id, p.name, p.entity_type, p.parent_id, p.tenant_id, 1 AS depth FROM entities c JOIN entities p ON p.id = c.parent_id WHERE c.id = ?"
            + " UNION ALL SELECT p.id, p.name, p.entity_type, p.parent_id, p.tenant_id, up.depth + 1 FROM up JOIN entities p ON p.id = up.parent_id WHERE up.depth < 64)"
            + " SELECT id::text AS id, name, entity_type AS \"entityType\", depth FROM up WHERE tenant_id = ? ORDER BY depth";

    static final String CHILDREN = "SELECT id::text AS id, name, entity_type AS \"entityType\" FROM entities "
            + "WHERE tenant_id = ? AND parent_id = ? ORDER BY name";

    static final String SNAPSHOT_CREDIT_CONFIGS = "SELECT c.id::text AS id, c.operation_code AS \"operationCode\", "
            + "c.credit_cost AS \"creditCost\", c.is_active AS \"isActive\", v.version "
            + "FROM credit_configurations c " + version("credit_configurations", "c")
            + "WHERE c.tenant_id = ? AND left(c.operation_code, length(?)) = ? ORDER BY c.operation_code";

    /** Roles holding a permission of the application's prefix or a suite-wide one, as the relay routes them. */
    static final String SNAPSHOT_ROLES = "SELECT r.id::text AS id, r.name, r.permissions, "
            + "r.is_active AS \"isActive\", v.version FROM roles r " + version("roles", "r")
            + "WHERE r.tenant_id = ? AND EXISTS (SELECT 1 FROM unnest(r.permissions) p "
            + "WHERE left(p, length(?)) = ? OR p = ANY (?::text[])) ORDER BY r.name";

    static final String SNAPSHOT_USERS = "SELECT u.id::text AS id, u.status, v.version FROM users u "
            + version("users", "u") + "WHERE u.tenant_id = ? ORDER BY u.id";

    static final String SNAPSHOT_ALLOCATIONS = "SELECT a.id::text AS id, a.target_application AS \"targetApplication\", "
            + "a.entity_id::text AS \"entityId\", a.amount, a.available, a.is_active AS \"isActive\", "
            + "a.allocated_at AS \"allocatedAt\", a.expires_at AS \"expiresAt\", v.version FROM credit_allocations a "
            + version("credit_allocations", "a") + "WHERE a.tenant_id = ? AND a.target_application = ? ORDER BY a.allocated_at, a.id";
}
