package io.suitesync.hub.admin;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.hub.backfill.BackfillJob;
import io.suitesync.hub.backfill.BackfillJobs;
import io.suitesync.hub.backfill.BackfillKind;
import io.suitesync.hub.backfill.BackfillOptions;
import io.suitesync.hub.backfill.BackfillQueries;
import io.suitesync.common.web.RequestParams;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The admin operations on one organization's (tenant's) application: toggle it, run a historical
 * backfill by hand, and report its sync status. Jobs are only created here; the route hands them to
 * seda:backfill-jobs after this method's transaction committed.
 */
@Component("applicationAdmin")
@ConditionalOnRole("hub")
public class ApplicationAdmin {

    private final JdbcTemplate jdbc;
    private final BackfillJobs jobs;
    private final BackfillQueries queries;

    public ApplicationAdmin(JdbcTemplate jdbc, BackfillJobs jobs, BackfillQueries queries) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.queries = queries;
    }

    /**
     * Enables or disables the application. Enabling it when it was not enabled (first time or again)
     * creates a backfill job unless {@code skipHistoricalSync}; disabling takes effect for live events
     * at once, because the relay reads organization_applications when it claims each batch.
     */
    @Transactional
    public ToggleResult toggle(String orgId, String appCode, ToggleRequest request) {
        requireTenantAndApp(orgId, appCode);
        if (request == null || request.isEnabled() == null) {
            throw ApiException.badRequest("field 'isEnabled' is required (true or false)");
        }
        boolean enable = request.isEnabled();
        // a new row starts disabled, so the first enabling counts as a change
        jdbc.update("INSERT INTO organization_applications (tenant_id, application_code, is_enabled) VALUES (?, ?, false) "
                + "ON CONFLICT (tenant_id, application_code) DO NOTHING", orgId, appCode);
        boolean wasEnabled = Boolean.TRUE.equals(jdbc.queryForObject("SELECT is_enabled FROM organization_applications "
                + "WHERE tenant_id = ? AND application_code = ? FOR UPDATE", Boolean.class, orgId, appCode));
        boolean changed = wasEnabled != enable;
        if (changed) {
            jdbc.update("UPDATE organization_applications SET is_enabled = ?, updated_at = now(), "
                    + (enable ? "enabled_at = now()" : "disabled_at = now()")
                    + " WHERE tenant_id = ? AND application_code = ?", enable, orgId, appCode);
        }
        Map<String, Object> row = jdbc.queryForMap("SELECT enabled_at, disabled_at FROM organization_applications "
                + "WHERE tenant_id = ? AND application_code = ?", orgId, appCode);
        String jobId = null;
        String message;
        if (!changed) {
            message = "already " + (enable ? "enabled; use sync-historical to send the historical data again" : "disabled");
        } else if (!enable) {
            message = "disabled: live events to this application stop now";
        } else if (Boolean.TRUE.equals(request.skipHistoricalSync())) {
            message = "enabled without historical backfill (skipHistoricalSync)";
        } else {
            jobId = jobs.create(orgId, appCode, "TOGGLE", BackfillOptions.everything());
            message = "enabled; historical backfill started";
        }
        return new ToggleResult(orgId, appCode, enable, changed, time(row.get("enabled_at")), time(row.get("disabled_at")),
                jobId, message);
    }

    /** A manual backfill (202 + job), or with {@code dryRun} the counts it would send (200, nothing published). */
    @Transactional
    public SyncHistoricalResult syncHistorical(String orgId, String appCode, SyncHistoricalRequest request) {
        requireTenantAndApp(orgId, appCode);
        SyncHistoricalRequest r = request == null ? new SyncHistoricalRequest(null, null, null, null, null) : request;
        List<BackfillKind> kinds = new ArrayList<>();
        if (r.syncCredits() == null || r.syncCredits()) {
            kinds.add(BackfillKind.CREDITS);
        }
        if (r.syncOrganizations() == null || r.syncOrganizations()) {
            kinds.add(BackfillKind.ORGANIZATIONS);
        }
        if (r.syncAssignments() == null || r.syncAssignments()) {
            kinds.add(BackfillKind.ASSIGNMENTS);
        }
        if (kinds.isEmpty()) {
            throw ApiException.badRequest("nothing to sync: syncCredits, syncOrganizations and syncAssignments are all false");
        }
        Instant since = parseSince(r.sinceDate());
        String sinceText = since == null ? null : since.toString();
        if (Boolean.TRUE.equals(r.dryRun())) {
            Map<String, Long> counts = new LinkedHashMap<>();
            queries.count(orgId, appCode, kinds, since).forEach((kind, n) -> counts.put(kind.label(), n));
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            return new SyncHistoricalResult(orgId, appCode, true, null, sinceText, counts, total,
                    "dry run: nothing was published");
        }
        if (!isEnabled(orgId, appCode)) {
            throw new ApiException(409, "application '" + appCode + "' is not enabled for organization '" + orgId
                    + "': enable it first (toggle)");
        }
        String jobId = jobs.create(orgId, appCode, "MANUAL", new BackfillOptions(kinds, since));
        return new SyncHistoricalResult(orgId, appCode, false, jobId, sinceText, null, null, "historical backfill started");
    }

    public SyncStatus syncStatus(String orgId, String appCode) {
        requireTenantAndApp(orgId, appCode);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT is_enabled, enabled_at, disabled_at FROM organization_applications "
                + "WHERE tenant_id = ? AND application_code = ?", orgId, appCode);
        Map<String, Object> row = rows.isEmpty() ? Map.of() : rows.get(0);
        boolean enabled = Boolean.TRUE.equals(row.get("is_enabled"));
        Map<BackfillKind, Long> counts = queries.count(orgId, appCode, List.of(BackfillKind.values()), null);
        long records = counts.values().stream().mapToLong(Long::longValue).sum();
        BackfillJob lastJob = jobs.last(orgId, appCode).orElse(null);
        Timestamp enabledAt = (Timestamp) row.get("enabled_at");
        SyncStatus.Need need = SyncStatus.need(enabled, enabledAt == null ? null : enabledAt.toInstant(), records, lastJob);
        return new SyncStatus(orgId, appCode, enabled, time(enabledAt), time(row.get("disabled_at")),
                counts.get(BackfillKind.CREDITS), counts.get(BackfillKind.ORGANIZATIONS), counts.get(BackfillKind.ASSIGNMENTS),
                need.needed(), need.reason(), lastJob);
    }

    static final List<String> JOB_STATES = List.of("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED");

    /** Backfill jobs, newest first: {@code {count, jobs}}; 400 naming a parameter out of range. */
    public Map<String, Object> jobs(String state, String tenantId, String appCode, String limit) {
        int max = RequestParams.intParam("limit", limit, 20, 1, RelayAdmin.MAX_LIMIT);
        String s = blankToNull(state);
        if (s != null && !JOB_STATES.contains(s)) {
            throw ApiException.badRequest("query parameter 'state' must be one of " + String.join(", ", JOB_STATES)
                    + ", got '" + state + "'");
        }
        List<BackfillJob> recent = jobs.recent(s, blankToNull(tenantId), blankToNull(appCode), max);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", recent.size());
        out.put("jobs", recent);
        return out;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** 404 unless both the organization (tenant) and the application exist. */
    public void requireTenantAndApp(String orgId, String appCode) {
        if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = ?)", Boolean.class, orgId))) {
            throw ApiException.notFound("organization '" + orgId + "' not found");
        }
        if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM applications WHERE code = ?)", Boolean.class, appCode))) {
            throw ApiException.notFound("application '" + appCode + "' not found");
        }
    }

    private boolean isEnabled(String orgId, String appCode) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM organization_applications "
                + "WHERE tenant_id = ? AND application_code = ? AND is_enabled)", Boolean.class, orgId, appCode));
    }

    /** The earliest {@code sinceDate} accepted: nothing the suite records is older. */
    static final Instant EARLIEST_SINCE = Instant.parse("1970-01-01T00:00:00Z");

    /**
     * ISO-8601 instant, offset date-time, or date (midnight UTC), from 1970 up to now; 400 naming the
     * field otherwise (a far-past or far-future value also overflowed PostgreSQL's timestamp range).
     */
    static Instant parseSince(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Instant since;
        try {
            since = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notDateTime) {
            try {
                since = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw ApiException.badRequest("invalid value for field 'sinceDate': '" + text
                        + "' is not an ISO-8601 date or date-time (e.g. 2024-01-01 or 2024-01-01T00:00:00Z)");
            }
        }
        if (since.isBefore(EARLIEST_SINCE) || since.isAfter(Instant.now())) {
            throw ApiException.badRequest("invalid value for field 'sinceDate': '" + text
                    + "' is out of range (from 1970-01-01 up to now)");
        }
        return since;
    }

    private static String time(Object timestamp) {
        return timestamp == null ? null : ((Timestamp) timestamp).toInstant().toString();
    }
}
