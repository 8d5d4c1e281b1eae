package io.suitesync.hub.relay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.EventFormat;
import io.suitesync.common.OutboundEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The events of one claimed change: parses the row, asks {@link RoutingRules} for its targets and
 * builds one event per target, in that application's event format. No targets: the change is
 * skipped. A row it cannot read or route throws ({@link UnroutableChangeException} or any runtime
 * exception); what then happens to the row is {@link DeliveryProtocol}'s business.
 */
@Component("changeRouter")
@ConditionalOnRole("hub")
public class ChangeRouter {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    private final RoutingRules rules;
    private final ObjectReader mapReader;
    private final ObjectReader listReader;
    private final HubProperties config;

    public ChangeRouter(RoutingRules rules, ObjectMapper mapper, HubProperties config) {
        this.rules = rules;
        // resolved once: resolving the type per call showed in the relay's profile
        this.mapReader = mapper.readerFor(MAP);
        this.listReader = mapper.readerFor(LIST);
        this.config = config;
    }

    /**
     * The row's events, none when it routes nowhere. {@code enabledApps} caches the parsed
     * enabled-applications text across the rows of one claim: a tenant's rows carry the same text.
     */
    public List<OutboundEvent> eventsFor(ClaimedChange raw, Map<String, Set<String>> enabledApps) {
        ChangeRow row = parse(raw, enabledApps);
        Table rule = rules.tableRule(row.table());
        Set<String> targets = rules.targetsFor(row);
        List<OutboundEvent> events = new ArrayList<>(targets.size());
        for (String app : targets) {
            events.add(config.formatOf(app) == EventFormat.SEED
                    ? SeedEvents.toEvent(row, rule, app) : ChangeEvents.toEvent(row, rule, app));
        }
        return events;
    }

    private ChangeRow parse(ClaimedChange raw, Map<String, Set<String>> enabledApps) {
        String apps = raw.enabledApps();
        return new ChangeRow(
                raw.id(),
                raw.tenantId(),
                raw.table(),
                raw.recordId(),
                raw.operation(),
                json(raw.changedFields(), listReader),
                json(raw.oldValues(), mapReader),
                json(raw.newValues(), mapReader),
                json(raw.context(), mapReader),
                raw.priority(),
                raw.changedAt(),
                raw.attempts(),
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
