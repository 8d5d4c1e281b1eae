package io.suitesync.agent;

import io.suitesync.agent.CriticalStore.CreditCost;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * The agent's local REST API (routes/agent/agent-api.camel.yaml) for the application next to it.
 * The tenant of a request is header {@code X-Tenant-Id} or query parameter {@code tenantId}, else
 * {@code suitesync.agent.default-tenant}, else the only tenant served.
 */
@Component("agentApi")
@ConditionalOnRole("agent")
public class AgentApi {

    public static final String TENANT_HEADER = "X-Tenant-Id";

    private final AgentProperties config;
    private final CriticalStore store;
    private final ReferenceData reference;
    private final StreamFollower follower;
    private final HubClient hub;

    public AgentApi(AgentProperties config, CriticalStore store, ReferenceData reference, StreamFollower follower,
                    HubClient hub) {
        this.config = config;
        this.store = store;
        this.reference = reference;
        this.follower = follower;
        this.hub = hub;
    }

    /**
     * {@code {operation, creditCost, cached}} from the critical tier. Once the tenant is bootstrapped
     * the tier holds every configuration of the application, so a miss is a 404 without asking the
     * hub; only before that is the hub asked ({@code cached: false}).
     */
    public Map<String, Object> creditCheck(@Header("operation") String operation, Exchange exchange) {
        String tenant = tenant(exchange);
        CreditCost cost = store.credit(tenant, operation);
        if (cost != null) {
            return credit(operation, cost.creditCost(), true);
        }
        if (!store.holds(tenant)) {
            try {
                Map<String, Object> config = hub.creditConfig(tenant, operation);
                if (!Boolean.FALSE.equals(config.get("isActive"))) {
                    return credit(operation, config.get("creditCost"), false);
                }
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            } catch (HubUnavailableException e) {
                throw new ApiException(503, "tenant " + tenant + " is not loaded yet and the hub does not answer");
            }
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "Operation not configured");
        body.put("operation", operation);
        return body;
    }

    /** Role permissions, critical tier. */
    public Map<String, Object> rolePermissions(@Header("roleId") String roleId, Exchange exchange) {
        String tenant = tenant(exchange);
        RequestParams.uuid("roleId", roleId);
        CriticalStore.Entry role = store.record(tenant, CriticalStore.ROLE, roleId);
        if (role == null) {
            throw ApiException.notFound("role " + roleId + " not found");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("roleId", roleId);
        body.put("name", role.fields().get("name"));
        body.put("permissions", role.fields().get("permissions"));
        body.put("isActive", role.fields().get("isActive"));
        body.put("version", role.version());
        return body;
    }

    /** User profile (reference tier) with the status of the critical tier, which events keep current. */
    public Map<String, Object> user(@Header("userId") String userId, Exchange exchange) {
        String tenant = tenant(exchange);
        RequestParams.uuid("userId", userId);
        ReferenceCache.Answer answer = reference.userProfile(tenant, userId);
        Map<String, Object> body = new LinkedHashMap<>(answer.value());
        CriticalStore.Entry status = store.record(tenant, CriticalStore.USER, userId);
        if (status != null && status.fields().get("status") != null) {
            body.put("status", status.fields().get("status"));
        }
        return withCacheMarkers(body, answer);
    }

    public Map<String, Object> hierarchy(@Header("entityId") String entityId, Exchange exchange) {
        String tenant = tenant(exchange);
        RequestParams.uuid("entityId", entityId);
        ReferenceCache.Answer answer = reference.hierarchy(tenant, entityId);
        return withCacheMarkers(new LinkedHashMap<>(answer.value()), answer);
    }

    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("application", config.appCode());
        stats.put("tenants", follower.servedTenants());
        stats.put("stream", follower.stats());
        Map<String, Object> tiers = new LinkedHashMap<>();
        tiers.put("critical", store.stats());
        tiers.putAll(reference.stats());
        stats.put("tiers", tiers);
        return stats;
    }

    private static Map<String, Object> withCacheMarkers(Map<String, Object> body, ReferenceCache.Answer answer) {
        body.put("cached", answer.cached());
        body.put("stale", answer.stale());
        body.put("fetchedAt", answer.fetchedAt().toString());
        return body;
    }

    private static Map<String, Object> credit(String operation, Object cost, boolean cached) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operation", operation);
        body.put("creditCost", cost instanceof BigDecimal || cost == null ? cost : new BigDecimal(cost.toString()));
        body.put("cached", cached);
        return body;
    }

    String tenant(Exchange exchange) {
        String tenant = exchange.getMessage().getHeader(TENANT_HEADER, String.class);
        if (tenant == null || tenant.isBlank()) {
            tenant = exchange.getMessage().getHeader("tenantId", String.class);
        }
        if (tenant == null || tenant.isBlank()) {
            tenant = config.defaultTenant();
        }
        if (tenant == null) {
            Set<String> served = follower.servedTenants();
            if (served.size() != 1) {
                throw ApiException.badRequest("this agent serves " + served.size() + " tenants: name one in header "
                        + TENANT_HEADER + " or query parameter tenantId");
            }
            tenant = served.iterator().next();
        }
        if (!follower.serves(tenant)) {
            throw ApiException.notFound("tenant '" + tenant + "' is not served by this agent");
        }
        return tenant;
    }

}
