package io.suitesync.bridge.poll;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.connector.ChangePage;
import io.suitesync.bridge.connector.CrmConnector;
import io.suitesync.bridge.connector.FinanceConnector;
import io.suitesync.bridge.connector.RemoteSystemException;
import io.suitesync.bridge.connector.SystemConnector;
import io.suitesync.bridge.queue.QueuedChange;
import io.suitesync.bridge.queue.WorkQueue;
import io.suitesync.bridge.sync.ContentHash;
import io.suitesync.bridge.sync.EntityTranslator;
import io.suitesync.bridge.sync.MappingRepository;
import io.suitesync.common.ConditionalOnRole;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Polling mode: asks each system for the customers, then the invoices, changed since the stored
 * watermark, page by page, and queues the ones whose content differs from what was last synced.
 * Each page's queue rows and the watermark move commit together, so a crash repeats at most one page.
 */
@Component("bridgePoller")
@ConditionalOnRole("bridge")
public class ChangePoller {

    private static final Logger log = LoggerFactory.getLogger(ChangePoller.class);
    private static final List<String> ORDER = List.of("customer", "invoice");

    private final List<SystemConnector> connectors;
    private final WorkQueue queue;
    private final MappingRepository mappings;
    private final EntityTranslator translator;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final int pageSize;
    private final ReentrantLock polling = new ReentrantLock();

    public ChangePoller(CrmConnector crm, FinanceConnector finance, WorkQueue queue, MappingRepository mappings,
                        EntityTranslator translator, DataSource dataSource, PlatformTransactionManager transactions,
                        BridgeProperties properties) {
        this.connectors = List.of(crm, finance);
        this.queue = queue;
        this.mappings = mappings;
        this.translator = translator;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactions);
        this.pageSize = properties.pollPageSize();
    }

    /** One poll of both systems; returns how many changes each system/entity queued. Polls never overlap. */
    public Map<String, Object> pollAll() {
        polling.lock();
        try {
            Map<String, Object> queued = new LinkedHashMap<>();
            for (SystemConnector connector : connectors) {
                for (String type : ORDER) {
                    String key = connector.system().name().toLowerCase() + "." + type;
                    try {
                        queued.put(key, poll(connector, type));
                    } catch (RemoteSystemException e) {
                        // one system being down must not keep the other's changes from being queued
                        log.warn("Poll of {} {}s failed, next poll continues from the same watermark: {}",
                                connector.system(), type, e.getMessage());
                        queued.put(key, "failed: " + e.getMessage());
                    }
                }
            }
            log.info("Polled CRM and Finance, queued {}", queued);
            return queued;
        } finally {
            polling.unlock();
        }
    }

    private int poll(SystemConnector connector, String type) {
        SystemId system = connector.system();
        Watermark mark = watermark(system, type);
        int queued = 0;
        ChangePage page;
        do {
            page = connector.changedSince(type, mark.since(), mark.afterId(), pageSize);
            if (page.items().isEmpty()) {
                break;
            }
            Map<String, Object> last = page.items().get(page.items().size() - 1);
            Watermark next = new Watermark(Instant.parse((String) last.get("updatedAt")), (String) last.get("id"));
            List<QueuedChange> changes = changed(system, type, page.items());
            queued += transaction.execute(status -> {
                int added = queue.enqueue(changes);
                save(system, type, next);
                return added;
            });
            mark = next;
        } while (page.hasMore());
        return queued;
    }

    /** The records of a page whose content is not what the bridge last synced. */
    private List<QueuedChange> changed(SystemId system, String type, List<Map<String, Object>> records) {
        Map<String, String> synced = mappings.hashes(type, system, records.stream().map(r -> (String) r.get("id")).toList());
        List<QueuedChange> changes = new ArrayList<>();
        for (Map<String, Object> record : records) {
            String id = (String) record.get("id");
            String hash = ContentHash.of(translator.businessFields(system, type, record));
            if (!hash.equals(synced.get(id))) {
                changes.add(new QueuedChange(system, type, id, "POLL"));
            }
        }
        return changes;
    }

    private record Watermark(Instant since, String afterId) {}

    private Watermark watermark(SystemId system, String type) {
        return jdbc.query("SELECT updated_since, after_id FROM bridge_watermark WHERE system = :system AND entity_type = :type",
                        Map.of("system", system.name(), "type", type),
                        (rs, i) -> new Watermark(rs.getTimestamp("updated_since").toInstant(), rs.getString("after_id")))
                .stream().findFirst().orElse(new Watermark(Instant.EPOCH, ""));
    }

    private void save(SystemId system, String type, Watermark mark) {
        jdbc.update("""
                INSERT INTO bridge_watermark (system, entity_type, updated_since, after_id, polled_at)
                VALUES (:system, :type, :since, :afterId, now())
                ON CONFLICT (system, entity_type)
                DO UPDATE SET updated_since = EXCLUDED.updated_since, after_id = EXCLUDED.after_id, polled_at = now()
                """, new MapSqlParameterSource("system", system.name()).addValue("type", type)
                .addValue("since", Timestamp.from(mark.since())).addValue("afterId", mark.afterId()));
    }
}
