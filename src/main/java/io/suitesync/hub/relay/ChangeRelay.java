package io.suitesync.hub.relay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.OutboundEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.relay.RelayBatch.RowFailure;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
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
    private final ObjectMapper mapper;
    private final HubProperties.Relay relay;

    public ChangeRelay(RoutingRules rules, ObjectMapper mapper, HubProperties config) {
        this.rules = rules;
        this.mapper = mapper;
        this.relay = config.relay();
    }

    public RelayBatch prepare(List<Map<String, Object>> rows) {
        List<OutboundEvent> events = new ArrayList<>(rows.size());
        List<Long> published = new ArrayList<>(rows.size());
        List<Long> skipped = new ArrayList<>();
        List<RowFailure> failures = new ArrayList<>();
        Set<String> blockedRecords = new HashSet<>();
        int heldBack = 0;
        for (Map<String, Object> raw : rows) {
            long id = ((Number) raw.get("id")).longValue();
            String recordKey = raw.get("table_name") + "/" + raw.get("record_id");
            if (blockedRecords.contains(recordKey)) {
                heldBack++;
                continue;
            }
            try {
                ChangeRow row = parse(raw);
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

    ChangeRow parse(Map<String, Object> raw) {
        return new ChangeRow(
                ((Number) raw.get("id")).longValue(),
                (String) raw.get("tenant_id"),
                (String) raw.get("table_name"),
                (String) raw.get("record_id"),
                (String) raw.get("operation"),
                json((String) raw.get("changed_fields"), LIST),
                json((String) raw.get("old_values"), MAP),
                json((String) raw.get("new_values"), MAP),
                json((String) raw.get("context"), MAP),
                (String) raw.get("priority"),
                ((Timestamp) raw.get("changed_at")).toInstant(),
                ((Number) raw.get("attempts")).intValue(),
                raw.get("enabled_apps") == null ? Set.of()
                        : new LinkedHashSet<>(json((String) raw.get("enabled_apps"), LIST)));
    }

    private <T> T json(String text, TypeReference<T> type) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readValue(text, type);
        } catch (IOException e) {
            throw new UnroutableChangeException("unreadable JSON in change_log: " + e.getMessage());
        }
    }
}
