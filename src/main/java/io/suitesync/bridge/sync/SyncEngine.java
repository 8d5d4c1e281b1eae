package io.suitesync.bridge.sync;

import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.connector.CrmConnector;
import io.suitesync.bridge.connector.FinanceConnector;
import io.suitesync.bridge.connector.SystemConnector;
import io.suitesync.bridge.queue.WorkItem;
import io.suitesync.bridge.queue.WorkQueue;
import io.suitesync.common.ConditionalOnRole;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Syncs one queued change: reads the record's current state from its system, compares its content
 * hash with the last synced one (our own echo, a replayed webhook and a re-polled record all stop
 * here), and otherwise creates or updates the counterpart, resolving a conflict by last write wins.
 *
 * <p>All of it runs in one transaction that first takes an advisory lock on the record's origin
 * (the id of the system it was born in, which both copies know), so the two copies of one entity are
 * never synced at the same time, and the mapping and the sync log commit together.
 */
@Component("bridgeSyncEngine")
@ConditionalOnRole("bridge")
public class SyncEngine {

    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

    private final CrmConnector crm;
    private final FinanceConnector finance;
    private final EntityTranslator translator;
    private final MappingRepository mappings;
    private final SyncLogRepository syncLog;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    public SyncEngine(CrmConnector crm, FinanceConnector finance, EntityTranslator translator,
                      MappingRepository mappings, SyncLogRepository syncLog, DataSource dataSource,
                      PlatformTransactionManager transactions) {
        this.crm = crm;
        this.finance = finance;
        this.translator = translator;
        this.mappings = mappings;
        this.syncLog = syncLog;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactions);
    }

    /** Syncs the item and returns the outcome recorded in the sync log (SUCCESS, SKIPPED or CONFLICT). */
    public String sync(@ExchangeProperty(WorkQueue.ITEM_PROPERTY) WorkItem item) {
        Instant started = Instant.now();
        SystemConnector source = connector(item.sourceSystem());
        Optional<Map<String, Object>> record = source.get(item.entityType(), item.sourceId());
        if (record.isEmpty()) {
            log(item, null, "NONE", "SKIPPED", item.sourceSystem() + " no longer has this record", started);
            return "SKIPPED";
        }
        return transaction.execute(status -> syncLocked(item, record.get(), started));
    }

    private String syncLocked(WorkItem item, Map<String, Object> record, Instant started) {
        SystemId from = item.sourceSystem();
        SystemId to = from.other();
        String type = item.entityType();
        String origin = translator.externalId(from, record);
        String lockKey = origin != null ? type + ":" + to + ":" + origin : type + ":" + from + ":" + item.sourceId();
        jdbc.query("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))", Map.of("key", lockKey), rs -> {});
        // another worker may have written this record while we waited for the lock (e.g. the winner of
        // a conflict copied back onto it): decide on its state now, never on the read from before the lock
        Optional<Map<String, Object>> fresh = connector(from).get(type, item.sourceId());
        if (fresh.isEmpty()) {
            log(item, null, "NONE", "SKIPPED", from + " no longer has this record", started);
            return "SKIPPED";
        }
        record = fresh.get();

        String sourceHash = hash(from, type, record);
        EntityMapping mapping = mappings.find(type, from, item.sourceId()).orElse(null);
        if (mapping == null) {
            Map<String, Object> counterpart = findCounterpart(item, origin);
            if (counterpart == null) {
                return create(item, record, sourceHash, started);
            }
            mapping = link(item, record, sourceHash, counterpart);
            if (mapping.hashOn(from).equals(sourceHash)) {
                log(item, mapping.idOn(to), "NONE", "SKIPPED", "linked to its existing counterpart in " + to, started);
                return "SKIPPED";
            }
        }
        if (!SyncDecision.sourceChanged(mapping.hashOn(from), sourceHash)) {
            log(item, mapping.idOn(to), "NONE", "SKIPPED", "unchanged since last sync (echo or replay)", started);
            return "SKIPPED";
        }
        String targetId = mapping.idOn(to);
        Map<String, Object> target = connector(to).get(type, targetId)
                .orElseThrow(() -> new IllegalStateException(to + " no longer has " + type + " " + targetId));
        String targetHash = hash(to, type, target);
        SyncDecision.Action action = SyncDecision.resolve(from, mapping.hashOn(to), targetHash,
                updatedAt(record), updatedAt(target));
        switch (action) {
            case PUSH -> {
                write(mapping, from, record, sourceHash, target);
                log(item, targetId, "UPDATE", "SUCCESS", null, started);
            }
            case CONFLICT_SOURCE_WINS -> {
                syncLog.record(new SyncLogRepository.Entry(item.id(), type, to.directionTo(), targetId, item.sourceId(),
                        "NONE", "CONFLICT", conflict(to, target, from, record), item.attempts(), started));
                write(mapping, from, record, sourceHash, target);
                log(item, targetId, "UPDATE", "SUCCESS", "conflict won by " + from, started);
            }
            case CONFLICT_TARGET_WINS -> {
                log(item, targetId, "NONE", "CONFLICT", conflict(from, record, to, target), started);
                write(mapping, to, target, targetHash, record);
                syncLog.record(new SyncLogRepository.Entry(item.id(), type, to.directionTo(), targetId, item.sourceId(),
                        "UPDATE", "SUCCESS", "conflict won by " + to, item.attempts(), started));
            }
            default -> throw new IllegalStateException("unexpected " + action);
        }
        return action == SyncDecision.Action.PUSH ? "SUCCESS" : "CONFLICT";
    }

    /**
     * The other system's copy when the mapping is missing: the record this one was created from, or,
     * on a retry, a copy an earlier attempt created before it could record the mapping.
     */
    private Map<String, Object> findCounterpart(WorkItem item, String origin) {
        SystemConnector target = connector(item.sourceSystem().other());
        if (origin != null) {
            return target.get(item.entityType(), origin).orElse(null);
        }
        if (item.attempts() > 1) {
            return target.findByExternalId(item.entityType(), item.sourceId()).orElse(null);
        }
        return null;
    }

    /** Records the mapping of two copies found without one; copies that differ are left to last write wins. */
    private EntityMapping link(WorkItem item, Map<String, Object> record, String sourceHash, Map<String, Object> counterpart) {
        SystemId from = item.sourceSystem();
        SystemId to = from.other();
        String type = item.entityType();
        String counterpartHash = hash(to, type, counterpart);
        Map<String, Object> translated = translator.translate(from, type, record, false, this::counterpartOf);
        boolean same = ContentHash.of(translator.businessFields(to, type, translated)).equals(counterpartHash);
        String knownSource = same ? sourceHash : "";
        String knownTarget = same ? counterpartHash : "";
        String crmId = from == SystemId.CRM ? item.sourceId() : (String) counterpart.get("id");
        String financeId = from == SystemId.CRM ? (String) counterpart.get("id") : item.sourceId();
        mappings.insert(type, crmId, financeId, from == SystemId.CRM ? knownSource : knownTarget,
                from == SystemId.CRM ? knownTarget : knownSource, null, null, from.directionTo());
        return mappings.find(type, from, item.sourceId()).orElseThrow();
    }

    private String create(WorkItem item, Map<String, Object> record, String sourceHash, Instant started) {
        SystemId from = item.sourceSystem();
        SystemId to = from.other();
        Map<String, Object> fields = translator.translate(from, item.entityType(), record, true, this::counterpartOf);
        Map<String, Object> created = connector(to).create(item.entityType(), fields);
        String createdId = (String) created.get("id");
        String createdHash = hash(to, item.entityType(), created);
        if (from == SystemId.CRM) {
            mappings.insert(item.entityType(), item.sourceId(), createdId, sourceHash, createdHash,
                    updatedAt(record), updatedAt(created), from.directionTo());
        } else {
            mappings.insert(item.entityType(), createdId, item.sourceId(), createdHash, sourceHash,
                    updatedAt(created), updatedAt(record), from.directionTo());
        }
        log(item, createdId, "CREATE", "SUCCESS", null, started);
        return "SUCCESS";
    }

    /**
     * Writes {@code record} (of system {@code from}) over {@code replaced}, its counterpart as read a moment
     * ago, and remembers both hashes. The write is conditional on {@code replaced} being unchanged, so an
     * edit made in between is not lost: the attempt fails and the next one sees a conflict.
     */
    private void write(EntityMapping mapping, SystemId from, Map<String, Object> record, String recordHash,
                       Map<String, Object> replaced) {
        SystemId to = from.other();
        String type = mapping.entityType();
        Map<String, Object> fields = translator.translate(from, type, record, false, this::counterpartOf);
        Map<String, Object> written = connector(to).update(type, mapping.idOn(to), fields, (String) replaced.get("updatedAt"));
        String writtenHash = hash(to, type, written);
        if (from == SystemId.CRM) {
            mappings.update(mapping, recordHash, writtenHash, updatedAt(record), updatedAt(written), from.directionTo());
        } else {
            mappings.update(mapping, writtenHash, recordHash, updatedAt(written), updatedAt(record), from.directionTo());
        }
    }

    private String counterpartOf(String entityType, SystemId from, String id) {
        return mappings.find(entityType, from, id).map(m -> m.idOn(from.other()))
                .orElseThrow(() -> new UnresolvedReferenceException(
                        entityType + " " + id + " of " + from + " is not synced yet"));
    }

    private String conflict(SystemId loser, Map<String, Object> loserRecord, SystemId winner, Map<String, Object> winnerRecord) {
        return loser + " change (updatedAt " + loserRecord.get("updatedAt") + ") lost to newer " + winner
                + " change (updatedAt " + winnerRecord.get("updatedAt") + ")";
    }

    private void log(WorkItem item, String targetId, String operation, String status, String detail, Instant started) {
        syncLog.record(new SyncLogRepository.Entry(item.id(), item.entityType(), item.sourceSystem().directionTo(),
                item.sourceId(), targetId, operation, status, detail, item.attempts(), started));
    }

    private String hash(SystemId system, String entityType, Map<String, Object> record) {
        return ContentHash.of(translator.businessFields(system, entityType, record));
    }

    private SystemConnector connector(SystemId system) {
        return system == SystemId.CRM ? crm : finance;
    }

    private static Instant updatedAt(Map<String, Object> record) {
        Object value = record.get("updatedAt");
        return value == null ? Instant.EPOCH : Instant.parse(value.toString());
    }
}
