package io.suitesync.hub.backfill;

/**
 * What a backfill sends, per kind: the Wrapper table, which of its rows count as current state, and
 * the column {@code sinceDate} filters on. Every query is limited to one tenant.
 */
public enum BackfillKind {

    /** Active, unexpired credit allocations whose target is the application: {@code credit.allocated}. */
    CREDITS("credit_allocations", "t.target_application = :app AND t.is_active AND (t.expires_at IS NULL OR t.expires_at > now())",
            "allocated_at", "originalAllocatedAt"),
    /** The tenant's entities (organizations and their units): {@code org.created}. */
    ORGANIZATIONS("entities", "true", "created_at", "originalCreatedAt"),
    /** Active organization memberships: {@code org.assignment.created}. */
    ASSIGNMENTS("organization_memberships", "t.is_active", "created_at", "originalCreatedAt");

    private final String table;
    private final String condition;
    private final String sinceColumn;
    private final String originalTimeKey;

    BackfillKind(String table, String condition, String sinceColumn, String originalTimeKey) {
        this.table = table;
        this.condition = condition;
        this.sinceColumn = sinceColumn;
        this.originalTimeKey = originalTimeKey;
    }

    public String table() {
        return table;
    }

    /** SQL condition on alias {@code t} (named parameter {@code :app}), besides the tenant. */
    public String condition() {
        return condition;
    }

    public String sinceColumn() {
        return sinceColumn;
    }

    /** metadata key of the record's original time (seed contract: {@code originalAllocatedAt}). */
    public String originalTimeKey() {
        return originalTimeKey;
    }

    /** JSON name in requests and progress: credits, organizations, assignments. */
    public String label() {
        return name().toLowerCase();
    }
}
