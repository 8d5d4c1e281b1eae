package io.suitesync.hub.relay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.OutboundEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.relay.RelayBatch.RowFailure;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Routes a claimed batch: parses each row, asks {@link RoutingRules} for its targets and builds one
 * event per target. A row that cannot be routed fails alone: it is retried with backoff and parked
 * after {@code max-attempts}, and later changes of the same record wait behind it.
 */
@Component("changeRelay")
@ConditionalOnRole("hub")
public class ChangeRelay {

    private static final Logger log = LoggerFactory.getLogger(ChangeRelay.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    private final RoutingRules rules;
    private final ObjectReader mapReader;
    private final ObjectReader listReader;
    private final HubProperties.Relay relay;

    public ChangeRelay(RoutingRules rules, ObjectMapper mapper, HubProperties config) {
        this.rules = rules;
        // resolved once: resolving the type per call showed in the relay's profile
        this.mapReader = mapper.readerFor(MAP);
        this.listReader = mapper.readerFor(LIST);
        this.relay = config.relay();
    }

    public RelayBatch prepare(List<Map<String, Object>> rows) {
        List<OutboundEvent> events = new ArrayList<>(rows.size());
        List<Long> published = new ArrayList<>(rows.size());
        List<Long> skipped = new ArrayList<>();
        List<RowFailure> failures = new ArrayList<>();
        Set<String> blockedRecords = new HashSet<>();
        // one tenant's enabled applications come as the same text on each of its rows: parse it once
        Map<String, Set<String>> enabledApps = new HashMap<>();
        int heldBack = 0;
        for (Map<String, Object> raw : rows) {
            long id = ((Number) raw.get("id")).longValue();
            String recordKey = raw.get("table_name") + "/" + raw.get("record_id");
            if (blockedRecords.contains(recordKey)) {
                heldBack++;
                continue;
            }
            try {
                ChangeRow row = parse(raw, enabledApps);
                Table rule = rules.tableRule(row.table());
                Set<String> targets = rules.targetsFor(row);
                if (targets.isEmpty()) {
                    skipped.add(id);
                    continue;
                }
                for (String app : targets) {
                    events.add(ChangeEvents.toEvent(row, rule, app));
                }
                published.add(id);
            } catch (RuntimeException e) {
                blockedRecords.add(recordKey);
                failures.add(failure(raw, id, e));
            }
        }
        return new RelayBatch(events, published, skipped, failures, heldBack);
    }

    private RowFailure failure(Map<String, Object> raw, long id, RuntimeException e) {
        int attempts = ((Number) raw.get("attempts")).intValue() + 1;
        boolean park = attempts >= relay.maxAttempts();
        long delay = relay.retryBackoff().toMillis() << Math.min(attempts - 1, 16);
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        log.warn("change {} failed (attempt {}/{}){}: {}", id, attempts, relay.maxAttempts(),
                park ? ", parking it" : "", error);
        return new RowFailure(id, (String) raw.get("tenant_id"), (String) raw.get("table_name"),
                (String) raw.get("record_id"), attempts, error, park, delay);
    }

    private ChangeRow parse(Map<String, Object> raw, Map<String, Set<String>> enabledApps) {
        String apps = (String) raw.get("enabled_apps");
        return new ChangeRow(
                ((Number) raw.get("id")).longValue(),
                (String) raw.get("tenant_id"),
                (String) raw.get("table_name"),
                (String) raw.get("record_id"),
                (String) raw.get("operation"),
                json((String) raw.get("changed_fields"), listReader),
                json((String) raw.get("old_values"), mapReader),
                json((String) raw.get("new_values"), mapReader),
                json((String) raw.get("context"), mapReader),
                (String) raw.get("priority"),
                ((Timestamp) raw.get("changed_at")).toInstant(),
                ((Number) raw.get("attempts")).intValue(),
                apps == null ? Set.of() : enabledApps.computeIfAbsent(apps,
                        text -> new LinkedHashSet<>(this.<List<String>>json(text, listReader))));
    }

    private <T> T json(String text, ObjectReader reader) {
        if (text == null) {
            return null;
        }
        try {
            return reader.readValue(text);
        } catch (IOException e) {
            throw new UnroutableChangeException("unreadable JSON in change_log: " + e.getMessage());
        }
    }
}
