package io.suitesync.hub.admin;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import io.suitesync.hub.relay.DeadLetters;
import io.suitesync.hub.relay.RelayLeadership;
import io.suitesync.hub.relay.RelayWakeupScheduler;
import io.suitesync.hub.relay.TenantBacklog;
import io.suitesync.hub.relay.TenantBacklog.TenantLag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Relay operations of the admin API: "process now", the dead letters and the backlog per tenant, with
 * their input checks.
 */
@Component("relayAdmin")
@ConditionalOnRole("hub")
public class RelayAdmin {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final DeadLetters deadLetters;
    /** Both relay lanes' schedulers. */
    private final List<RelayWakeupScheduler> wakeups;
    private final RelayLeadership leadership;
    private final TenantBacklog backlog;

    public RelayAdmin(DeadLetters deadLetters, List<RelayWakeupScheduler> wakeups, RelayLeadership leadership,
                      TenantBacklog backlog) {
        this.deadLetters = deadLetters;
        this.wakeups = wakeups;
        this.leadership = leadership;
        this.backlog = backlog;
    }

    /** The tenants with queued changes, most lagging first, a page at a time. */
    public Map<String, Object> tenants(String limit, String offset) {
        int max = RequestParams.intParam("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
        int skip = RequestParams.intParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        List<TenantLag> page = backlog.page(max, skip);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenantsWithBacklog", page.isEmpty() ? (skip == 0 ? 0 : null) : page.get(0).tenants());
        out.put("offset", skip);
        out.put("limit", max);
        out.put("tenants", page.stream().map(t -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tenantId", t.tenantId());
            row.put("pending", t.pending());
            row.put("highPriorityPending", t.highPending());
            row.put("oldestChangeAt", t.oldestChangeAt().toString());
            row.put("lagSeconds", Math.round(t.lagSeconds() * 1000) / 1000.0);
            return row;
        }).toList());
        return out;
    }

    public Map<String, Object> processNow() {
        wakeups.forEach(RelayWakeupScheduler::wakeUp);
        return Map.of("status", "triggered", "leader", leadership.isLeader());
    }

    public Map<String, Object> deadLetters(String tenantId, String limit) {
        int max = RequestParams.intParam("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
        List<Map<String, Object>> parked = deadLetters.list(tenantId == null || tenantId.isBlank() ? null : tenantId, max);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", parked.size());
        out.put("deadLetters", parked);
        return out;
    }

    public Map<String, Object> replay(String changeId) {
        long id;
        try {
            id = Long.parseLong(changeId);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("changeId must be a number, got '" + changeId + "'");
        }
        if (!deadLetters.replay(id)) {
            throw ApiException.notFound("no parked change " + id + " waiting for replay");
        }
        wakeups.forEach(RelayWakeupScheduler::wakeUp);
        return Map.of("changeId", id, "replayed", true);
    }

    public Map<String, Object> replayAll(String tenantId) {
        int replayed = deadLetters.replayAll(tenantId == null || tenantId.isBlank() ? null : tenantId);
        wakeups.forEach(RelayWakeupScheduler::wakeUp);
        return Map.of("replayed", replayed);
    }
}
