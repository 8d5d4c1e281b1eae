package io.suitesync.hub.backfill;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The backfill_job table: creating jobs, their ownership by a hub instance (a lease renewed with
 * every acknowledged batch), progress and cursors, and the read models of the admin API.
 */
@Component("backfillJobs")
@ConditionalOnRole("hub")
public class BackfillJobs {

    private static final String LEASE_EXPIRED = "heartbeat_at < now() - CAST(:leaseMillis AS bigint) * interval '1 millisecond'";

    private final NamedParameterJdbcTemplate jdbc;
    private final BackfillProperties config;
    /** This process: owner of the jobs it runs. */
    private final String instanceId = UUID.randomUUID().toString();

    public BackfillJobs(NamedParameterJdbcTemplate jdbc, BackfillProperties config) {
        this.jdbc = jdbc;
        this.config = config;
    }

    /** A job of the kinds requested, PENDING and owned by this instance until it runs. */
    @Transactional
    public String create(String tenantId, String app, String trigger, BackfillOptions options) {
        String jobId = UUID.randomUUID().toString();
        jdbc.update("INSERT INTO backfill_job (id, tenant_id, application_code, trigger, state, since_date, owner) "
                + "VALUES (CAST(:id AS uuid), :tenant, :app, :trigger, 'PENDING', :since, :owner)", new MapSqlParameterSource()
                .addValue("id", jobId).addValue("tenant", tenantId).addValue("app", app).addValue("trigger", trigger)
                .addValue("since", options.since() == null ? null : Timestamp.from(options.since()))
                .addValue("owner", instanceId));
        int ordinal = 0;
        for (BackfillKind kind : options.kinds()) {
            jdbc.update("INSERT INTO backfill_job_kind (job_id, kind, ordinal) VALUES (CAST(:id AS uuid), :kind, :ordinal)",
                    Map.of("id", jobId, "kind", kind.name(), "ordinal", ordinal++));
        }
        return jobId;
    }

    /**
     * Takes the job for this instance: a PENDING job, one this instance owns, or one whose owner's
     * lease expired. Empty when it is finished or another live instance runs it.
     */
    @Transactional
    public Optional<ClaimedJob> claim(String jobId) {
        List<Map<String, Object>> claimed = jdbc.queryForList("UPDATE backfill_job SET state = 'RUNNING', owner = :owner, "
                + "heartbeat_at = now(), runs = runs + 1, started_at = COALESCE(started_at, now()) "
                + "WHERE id = CAST(:id AS uuid) AND state IN ('PENDING', 'RUNNING') AND (owner = :owner OR " + LEASE_EXPIRED + ") "
                + "RETURNING tenant_id, application_code, since_date", owned(jobId).addValue("leaseMillis", config.lease().toMillis()));
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> job = claimed.get(0);
        List<ClaimedJob.KindState> kinds = jdbc.query("SELECT kind, cursor, total, done FROM backfill_job_kind "
                + "WHERE job_id = CAST(:id AS uuid) ORDER BY ordinal", Map.of("id", jobId), (rs, n) -> new ClaimedJob.KindState(
                BackfillKind.valueOf(rs.getString("kind")), rs.getString("cursor"), (Long) rs.getObject("total"), rs.getBoolean("done")));
        Timestamp since = (Timestamp) job.get("since_date");
        return Optional.of(new ClaimedJob(jobId, (String) job.get("tenant_id"), (String) job.get("application_code"),
                since == null ? null : since.toInstant(), kinds));
    }

    public void setTotals(String jobId, Map<BackfillKind, Long> totals) {
        totals.forEach((kind, total) -> jdbc.update("UPDATE backfill_job_kind SET total = :total "
                + "WHERE job_id = CAST(:id AS uuid) AND kind = :kind AND total IS NULL",
                Map.of("id", jobId, "kind", kind.name(), "total", total)));
    }

    /**
     * Records an acknowledged batch: the cursor moves past it and the lease is renewed. False when
     * this instance no longer owns the job (another one took it over): the caller must stop.
     */
    public boolean progress(String jobId, BackfillKind kind, String cursor, int published, boolean done) {
        return jdbc.update("WITH job AS (UPDATE backfill_job SET heartbeat_at = now() "
                + "WHERE id = CAST(:id AS uuid) AND owner = :owner AND state = 'RUNNING' RETURNING id) "
                + "UPDATE backfill_job_kind k SET cursor = COALESCE(:cursor, k.cursor), published = k.published + :published, done = :done "
                + "FROM job WHERE k.job_id = job.id AND k.kind = :kind", owned(jobId).addValue("kind", kind.name())
                .addValue("cursor", cursor).addValue("published", published).addValue("done", done)) == 1;
    }

    /** Ends the job (COMPLETED, FAILED or CANCELLED) if this instance still owns it. */
    public void finish(String jobId, String state, String error) {
        jdbc.update("UPDATE backfill_job SET state = :state, error = :error, finished_at = now() "
                + "WHERE id = CAST(:id AS uuid) AND owner = :owner AND state IN ('PENDING', 'RUNNING')",
                owned(jobId).addValue("state", state).addValue("error", error));
    }

    /**
     * Unfinished jobs whose owner stopped renewing its lease (a restart, a crash, another instance
     * gone): this instance takes them over, to be resumed from their cursors.
     */
    public List<JobTicket> takeOverAbandoned() {
        return jdbc.query("UPDATE backfill_job SET owner = :owner, heartbeat_at = now() "
                + "WHERE state IN ('PENDING', 'RUNNING') AND " + LEASE_EXPIRED + " RETURNING id::text",
                new MapSqlParameterSource("owner", instanceId).addValue("leaseMillis", config.lease().toMillis()),
                (rs, n) -> new JobTicket(rs.getString(1)));
    }

    /** The job with its progress; 404 when there is none with that id. */
    public BackfillJob find(String jobId) {
        UUID id = RequestParams.uuid("jobId", jobId);
        return jobs("j.id = :id", new MapSqlParameterSource("id", id)).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("no backfill job '" + jobId + "'"));
    }

    /** The newest job of this tenant and application, if any. */
    public Optional<BackfillJob> last(String tenantId, String app) {
        return jobs("j.id = (SELECT id FROM backfill_job WHERE tenant_id = :tenant AND application_code = :app "
                + "ORDER BY created_at DESC LIMIT 1)", new MapSqlParameterSource("tenant", tenantId).addValue("app", app))
                .stream().findFirst();
    }

    /**
     * The newest jobs first (at most {@code limit}), optionally only one state, tenant or application:
     * the console's list of running and recent jobs.
     */
    public List<BackfillJob> recent(String state, String tenantId, String app, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit).addValue("state", state)
                .addValue("tenant", tenantId).addValue("app", app);
        List<BackfillJob> oldestFirst = jobs("j.id IN (SELECT id FROM backfill_job WHERE (CAST(:state AS text) IS NULL OR state = :state) "
                + "AND (CAST(:tenant AS text) IS NULL OR tenant_id = :tenant) AND (CAST(:app AS text) IS NULL OR application_code = :app) "
                + "ORDER BY created_at DESC LIMIT :limit)", params);
        List<BackfillJob> newestFirst = new ArrayList<>(oldestFirst);
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    private List<BackfillJob> jobs(String condition, MapSqlParameterSource params) {
        Map<String, JobRow> rows = new LinkedHashMap<>();
        jdbc.query("SELECT j.*, k.kind, k.total, k.published, k.done FROM backfill_job j "
                + "LEFT JOIN backfill_job_kind k ON k.job_id = j.id WHERE " + condition + " ORDER BY j.created_at, k.ordinal", params, rs -> {
            JobRow row = rows.computeIfAbsent(rs.getString("id"), id -> jobRow(rs));
            if (rs.getString("kind") != null) {
                row.progress().put(BackfillKind.valueOf(rs.getString("kind")).label(), new BackfillJob.Progress(
                        rs.getLong("published"), (Long) rs.getObject("total"), rs.getBoolean("done")));
            }
        });
        List<BackfillJob> out = new ArrayList<>();
        for (JobRow r : rows.values()) {
            Map<String, BackfillJob.Progress> progress = r.progress();
            long published = progress.values().stream().mapToLong(BackfillJob.Progress::published).sum();
            Long total = progress.values().stream().anyMatch(p -> p.total() == null) ? null
                    : progress.values().stream().mapToLong(BackfillJob.Progress::total).sum();
            out.add(new BackfillJob(r.id(), r.tenantId(), r.app(), r.trigger(), r.state(), r.since(), published, total,
                    progress, r.runs(), r.createdAt(), r.startedAt(), r.finishedAt(), r.error()));
        }
        return out;
    }

    private static JobRow jobRow(ResultSet rs) {
        try {
            return new JobRow(rs.getString("id"), rs.getString("tenant_id"), rs.getString("application_code"),
                    rs.getString("trigger"), rs.getString("state"), time(rs, "since_date"), rs.getInt("runs"),
                    time(rs, "created_at"), time(rs, "started_at"), time(rs, "finished_at"), rs.getString("error"),
                    new LinkedHashMap<>());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String time(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant().toString();
    }

    private MapSqlParameterSource owned(String jobId) {
        return new MapSqlParameterSource("id", jobId).addValue("owner", instanceId);
    }


    private record JobRow(String id, String tenantId, String app, String trigger, String state, String since, int runs,
                          String createdAt, String startedAt, String finishedAt, String error,
                          Map<String, BackfillJob.Progress> progress) {}

    /** A job this instance now runs, with where each kind stands. */
    public record ClaimedJob(String jobId, String tenantId, String app, Instant since, List<KindState> kinds) {

        public record KindState(BackfillKind kind, String cursor, Long total, boolean done) {}

        public BackfillOptions options() {
            return new BackfillOptions(kinds.stream().map(KindState::kind).toList(), since);
        }
    }
}
