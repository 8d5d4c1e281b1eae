package io.suitesync.agent;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.suitesync.common.ConditionalOnRole;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The critical tier: every record of the critical entities of each served tenant, in memory, updated
 * in place from events. Each record keeps its version; an event or snapshot record is applied only
 * when its version is newer, so duplicates (Redis 7 has no idempotent XADD), a backfill racing live
 * changes and events already contained in the bootstrap snapshot never overwrite newer state.
 * One writer (the stream follower); the local API reads concurrently.
 */
@Component("criticalStore")
@ConditionalOnRole("agent")
public class CriticalStore implements MeterBinder {

    public static final String CREDIT_CONFIG = "credit-config";
    public static final String ROLE = "role";
    public static final String USER = "user";

    /** One record of a critical entity; {@code deleted} keeps the version of a deletion (a tombstone). */
    public record Entry(String entity, String id, long version, boolean deleted, Map<String, Object> fields) {}

    /** The hot path's view of a credit configuration. */
    public record CreditCost(String operation, BigDecimal creditCost, boolean active, long version) {}

    /** What is held for one tenant, and the stream position it is consistent with. */
    public record TenantState(String position, Collection<Entry> records) {}

    private static final Set<String> EVENT_BOOKKEEPING = Set.of("id", "changedFields", "newValue", "oldValue");

    private static final class TenantData {
        final Map<String, Entry> records = new ConcurrentHashMap<>();
        final Map<String, CreditCost> credits = new ConcurrentHashMap<>();
        volatile String position;
    }

    private final Map<String, TenantData> tenants = new ConcurrentHashMap<>();
    private final Set<String> criticalEntities;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder applied = new LongAdder();
    private final LongAdder skippedStale = new LongAdder();

    @Autowired
    public CriticalStore(AgentProperties config) {
        this(Set.copyOf(config.criticalEntities()));
    }

    CriticalStore(Set<String> criticalEntities) {
        this.criticalEntities = criticalEntities;
    }

    /** Replaces everything held for the tenant (bootstrap from a snapshot or from the state file). */
    public void load(String tenant, TenantState state) {
        TenantData data = new TenantData();
        for (Entry entry : state.records()) {
            put(data, entry);
        }
        data.position = state.position();
        tenants.put(tenant, data);
    }

    /** Records of a hub snapshot ({@code records: {entity: [{id, version, ...fields}]}}) as entries. */
    @SuppressWarnings("unchecked")
    public static List<Entry> snapshotEntries(Map<String, Object> snapshot) {
        Map<String, List<Map<String, Object>>> groups = (Map<String, List<Map<String, Object>>>) snapshot.get("records");
        return groups.entrySet().stream().flatMap(group -> group.getValue().stream().map(record -> {
            Map<String, Object> fields = new LinkedHashMap<>(record);
            String id = String.valueOf(fields.remove("id"));
            long version = ((Number) fields.remove("version")).longValue();
            return new Entry(group.getKey(), id, version, false, fields);
        })).toList();
    }

    public void forget(String tenant) {
        tenants.remove(tenant);
    }

    public boolean holds(String tenant) {
        return tenants.containsKey(tenant);
    }

    public Set<String> tenants() {
        return Set.copyOf(tenants.keySet());
    }

    public String position(String tenant) {
        TenantData data = tenants.get(tenant);
        return data == null ? null : data.position;
    }

    public void advance(String tenant, String position) {
        TenantData data = tenants.get(tenant);
        if (data != null) {
            data.position = position;
        }
    }

    /**
     * Applies one event of the contract (docs/event.schema.json) if it is about a critical entity and
     * newer than what is held; returns whether it changed anything.
     */
    @SuppressWarnings("unchecked")
    public boolean apply(String tenant, Map<String, Object> event) {
        TenantData data = tenants.get(tenant);
        String entity = (String) event.get("entity");
        if (data == null || !criticalEntities.contains(entity)) {
            return false;
        }
        String id = String.valueOf(event.get("entityId"));
        long version = ((Number) event.get("version")).longValue();
        Entry current = data.records.get(key(entity, id));
        if (current != null && current.version() >= version) {
            skippedStale.increment();
            return false;
        }
        Map<String, Object> fields = new LinkedHashMap<>(current == null ? Map.of() : current.fields());
        Map<String, Object> eventData = (Map<String, Object>) event.getOrDefault("data", Map.of());
        eventData.forEach((field, value) -> {
            if (!EVENT_BOOKKEEPING.contains(field)) {
                fields.put(field, value);
            }
        });
        if (eventData.get("newValue") instanceof Map<?, ?> newValue) {
            fields.putAll((Map<String, Object>) newValue);
        }
        put(data, new Entry(entity, id, version, "DELETE".equals(event.get("operation")), fields));
        applied.increment();
        return true;
    }

    /** The hot path of {@code GET /api/credits/check/{operation}}: two hash lookups. */
    public CreditCost credit(String tenant, String operation) {
        TenantData data = tenants.get(tenant);
        CreditCost cost = data == null ? null : data.credits.get(operation);
        if (cost == null || !cost.active()) {
            misses.increment();
            return null;
        }
        hits.increment();
        return cost;
    }

    /** A live (not deleted) record, counted as a hit or a miss. */
    public Entry record(String tenant, String entity, String id) {
        TenantData data = tenants.get(tenant);
        Entry entry = data == null ? null : data.records.get(key(entity, id));
        if (entry == null || entry.deleted()) {
            misses.increment();
            return null;
        }
        hits.increment();
        return entry;
    }

    public TenantState state(String tenant) {
        TenantData data = tenants.get(tenant);
        return data == null ? null : new TenantState(data.position, List.copyOf(data.records.values()));
    }

    /** Every live record of the tenant by entity and id, with versions: what two replicas compare. */
    public Map<String, Long> versions(String tenant) {
        TenantData data = tenants.get(tenant);
        Map<String, Long> out = new java.util.TreeMap<>();
        if (data != null) {
            data.records.values().stream().filter(e -> !e.deleted())
                    .forEach(e -> out.put(key(e.entity(), e.id()), e.version()));
        }
        return out;
    }

    /** The critical tier's lookups and applied events, as {@code suitesync_agent_*} meters. */
    @Override
    public void bindTo(MeterRegistry registry) {
        AgentMeters.cacheRequests(registry, "critical", hits, misses);
        FunctionCounter.builder("suitesync.agent.events.applied", applied, LongAdder::sum)
                .description("events applied to the critical tier").register(registry);
        FunctionCounter.builder("suitesync.agent.events.stale", skippedStale, LongAdder::sum)
                .description("events skipped because the record already had a newer version").register(registry);
    }

    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("hits", hits.sum());
        stats.put("misses", misses.sum());
        stats.put("eventsApplied", applied.sum());
        stats.put("eventsSkippedAsStale", skippedStale.sum());
        Map<String, Object> perTenant = new LinkedHashMap<>();
        tenants.forEach((tenant, data) -> {
            Map<String, Long> counts = new java.util.TreeMap<>();
            data.records.values().stream().filter(e -> !e.deleted()).forEach(e -> counts.merge(e.entity(), 1L, Long::sum));
            perTenant.put(tenant, Map.of("position", String.valueOf(data.position), "records", counts));
        });
        stats.put("tenants", perTenant);
        return stats;
    }

    private static void put(TenantData data, Entry entry) {
        Entry previous = data.records.put(key(entry.entity(), entry.id()), entry);
        if (!CREDIT_CONFIG.equals(entry.entity())) {
            return;
        }
        Object operation = entry.fields().get("operationCode");
        // replace in place, never remove-then-put: a concurrent reader must not see a configured
        // operation vanish for an instant while its cost changes
        if (!entry.deleted() && operation != null) {
            data.credits.put(operation.toString(), new CreditCost(operation.toString(),
                    decimal(entry.fields().get("creditCost")), !Boolean.FALSE.equals(entry.fields().get("isActive")),
                    entry.version()));
        }
        Object previousOperation = previous == null ? null : previous.fields().get("operationCode");
        if (previousOperation != null && (entry.deleted() || !previousOperation.equals(operation))) {
            data.credits.remove(previousOperation.toString());
        }
    }

    private static BigDecimal decimal(Object value) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        return value == null ? null : new BigDecimal(value.toString());
    }

    private static String key(String entity, String id) {
        return entity + "/" + id;
    }
}
