package io.suitesync.hub.relay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.EventFormat;
import io.suitesync.common.OutboundEvent;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties;
import io.suitesync.hub.relay.RelayBatch.RowFailure;
import java.io.IOException;
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
 * event per target, in that application's event format. A row that cannot be routed fails alone: it is
 * retried with backoff and parked after {@code max-attempts}, and later changes of the same record wait
 * behind it.
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
    private final HubProperties config;

    public ChangeRelay(RoutingRules rules, ObjectMapper mapper, HubProperties config) {
        this.rules = rules;
        // resolved once: resolving the type per call showed in the relay's profile
        this.mapReader = mapper.readerFor(MAP);
        this.listReader = mapper.readerFor(LIST);
        this.relay = config.relay();
        this.config = config;
    }

    public RelayBatch prepare(List<ClaimedChange> rows) {
        List<OutboundEvent> events = new ArrayList<>(rows.size());
        List<ClaimedChange> published = new ArrayList<>(rows.size());
        List<Long> skipped = new ArrayList<>();
        List<RowFailure> failures = new ArrayList<>();
        Set<String> blockedRecords = new HashSet<>();
        // one tenant's enabled applications come as the same text on each of its rows: parse it once
        Map<String, Set<String>> enabledApps = new HashMap<>();
        int heldBack = 0;
        for (ClaimedChange raw : rows) {
            String recordKey = raw.recordKey();
            if (blockedRecords.contains(recordKey)) {
                heldBack++;
                continue;
            }
            try {
                ChangeRow row = parse(raw, enabledApps);
                Table rule = rules.tableRule(row.table());
                Set<String> targets = rules.targetsFor(row);
                if (targets.isEmpty()) {
                    skipped.add(raw.id());
                    continue;
                }
                for (String app : targets) {
                    events.add(config.formatOf(app) == EventFormat.SEED
                            ? SeedEvents.toEvent(row, rule, app) : ChangeEvents.toEvent(row, rule, app));
                }
                published.add(raw);
            } catch (RuntimeException e) {
                blockedRecords.add(recordKey);
                failures.add(failure(raw, e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return new RelayBatch(events, published, skipped, failures, heldBack);
    }

    /**
     * The batch as Redis took it, given the events Redis refused one by one (by index, with its
     * error; {@link io.suitesync.common.RedisEventPublisher#publishEach}): a row with a refused event
     * fails like a row that cannot be routed (retried with backoff, parked after
     * {@code max-attempts}), the later rows of its record in this batch stay queued behind it, and
     * the rest are done. The returned batch says what publishing did: its failures are the refused
     * rows alone (the routing failures were recorded before publishing), {@code heldBack} the rows
     * queued behind them.
     */
    public RelayBatch afterPublish(RelayBatch batch, Map<Integer, String> refused) {
        if (refused.isEmpty()) {
            return new RelayBatch(batch.events(), batch.published(), batch.skippedIds(), List.of(), 0, batch.generation());
        }
        // a relay event's version is its change id (ChangeEvents.toEvent)
        Map<Long, String> errors = new HashMap<>();
        refused.forEach((index, error) -> errors.putIfAbsent(batch.events().get(index).event().version(),
                "Redis refused the event: " + error));
        List<ClaimedChange> done = new ArrayList<>(batch.published().size());
        List<RowFailure> failures = new ArrayList<>();
        Set<String> blockedRecords = new HashSet<>();
        Set<Long> doneIds = new HashSet<>();
        int heldBack = 0;
        for (ClaimedChange row : batch.published()) {
            String error = errors.get(row.id());
            String recordKey = row.recordKey();
            if (error != null) {
                failures.add(failure(row, error));
                blockedRecords.add(recordKey);
            } else if (blockedRecords.contains(recordKey)) {
                heldBack++;
            } else {
                done.add(row);
                doneIds.add(row.id());
            }
        }
        List<OutboundEvent> events = batch.events().stream().filter(e -> doneIds.contains(e.event().version())).toList();
        return new RelayBatch(events, done, batch.skippedIds(), failures, heldBack, batch.generation());
    }

    private RowFailure failure(ClaimedChange raw, String error) {
        int attempts = raw.attempts() + 1;
        boolean park = attempts >= relay.maxAttempts();
        long delay = relay.retryBackoff().toMillis() << Math.min(attempts - 1, 16);
        log.warn("change {} failed (attempt {}/{}){}: {}", raw.id(), attempts, relay.maxAttempts(),
                park ? ", parking it" : "", error);
        return new RowFailure(raw.id(), raw.tenantId(), raw.table(), raw.recordId(), attempts, error, park, delay);
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
