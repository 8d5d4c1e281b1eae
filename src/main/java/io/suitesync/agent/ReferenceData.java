package io.suitesync.agent;

import io.suitesync.common.ConditionalOnRole;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.stereotype.Component;

/**
 * The reference tier: user profiles and hierarchy, fetched from the hub's read API on demand and
 * invalidated by the events that change them.
 */
@Component("referenceData")
@ConditionalOnRole("agent")
public class ReferenceData implements AutoCloseable, MeterBinder {

    private final HubClient hub;
    private final ExecutorService refresher = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "agent-reference-refresh");
        t.setDaemon(true);
        return t;
    });
    private final ReferenceCache profiles;
    private final ReferenceCache hierarchy;

    public ReferenceData(AgentProperties config, HubClient hub) {
        this.hub = hub;
        this.profiles = new ReferenceCache("user profile", config.reference().userProfiles(), System::nanoTime, refresher);
        this.hierarchy = new ReferenceCache("hierarchy", config.reference().hierarchy(), System::nanoTime, refresher);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        profiles.bindTo(registry, "user-profiles");
        hierarchy.bindTo(registry, "hierarchy");
    }

    public ReferenceCache.Answer userProfile(String tenant, String userId) {
        return profiles.get(tenant, userId, () -> hub.user(tenant, userId));
    }

    public ReferenceCache.Answer hierarchy(String tenant, String entityId) {
        return hierarchy.get(tenant, entityId, () -> hub.hierarchy(tenant, entityId));
    }

    /**
     * A user change invalidates that profile, a membership change its user's profile; an
     * organization change invalidates the tenant's hierarchy answers, since a rename or a move shows
     * in the ancestors and children of other entities too.
     */
    @SuppressWarnings("unchecked")
    public void onEvent(String tenant, Map<String, Object> event) {
        String entity = String.valueOf(event.get("entity"));
        Map<String, Object> data = (Map<String, Object>) event.getOrDefault("data", Map.of());
        switch (entity) {
            case "user" -> profiles.invalidate(tenant, String.valueOf(event.get("entityId")));
            case "org.assignment" -> {
                if (data.get("userId") != null) {
                    profiles.invalidate(tenant, data.get("userId").toString());
                }
            }
            case "org" -> hierarchy.invalidateTenant(tenant);
            default -> { }
        }
    }

    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("userProfiles", profiles.stats());
        stats.put("hierarchy", hierarchy.stats());
        return stats;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
