package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.suitesync.hub.HubProperties;
import io.suitesync.testsupport.MigratedDatabase;
import io.suitesync.testsupport.WrapperFixtures;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The delivery protocol step by step, as the relay route calls it, against a real PostgreSQL and
 * without Camel or Spring: the claim is sql/relay/claim.sql with its parameters bound as camel-sql
 * binds them, and "Redis" is whatever the test says it refused.
 */
class DeliveryProtocolIT {

    @RegisterExtension
    static final MigratedDatabase DATABASE = new MigratedDatabase();

    private static final int MAX_ATTEMPTS = 2;

    private JdbcTemplate jdbc;
    private WrapperFixtures wrapper;
    private RelayMetrics metrics;
    private DeliveryProtocol protocol;
    private HubProperties config;

    @BeforeEach
    void freshQueue() throws IOException {
        jdbc = DATABASE.jdbc();
        jdbc.execute("TRUNCATE change_log, change_queue, change_retry, change_dead_letter");
        wrapper = new WrapperFixtures(jdbc);
        // the hub's own configuration, with a retry budget a test can use up
        config = hubProperties(Map.of("suitesync.hub.relay.max-attempts", MAX_ATTEMPTS,
                "suitesync.hub.relay.retry-backoff", "1h", "suitesync.hub.relay.batch-size", 100));
        metrics = new RelayMetrics(new SimpleMeterRegistry(), new TenantBacklog(jdbc), config);
        protocol = new DeliveryProtocol(new ChangeRouter(new RoutingRules(config), new ObjectMapper(), config),
                new RelayLedger(jdbc), metrics, config, false);
    }

    @Test
    void rowsLeaveTheQueueOnlyWhenTheirBatchIsAcknowledgedAndAreNeverClaimedTwiceMeanwhile() {
        String tenant = wrapper.tenant("crm");
        long first = change(tenant, "r1", "crm.leads.create");
        long second = change(tenant, "r2", "crm.leads.update");

        RelayBatch batch = protocol.admit(route(claim()));
        assertThat(batch.publishedIds()).containsExactly(first, second);
        assertThat(batch.events()).extracting(e -> e.channel()).containsOnly("crm:" + tenant + ":credit-configs");
        assertThat(claim()).as("rows in flight are not claimed again").isEmpty();
        assertThat(states(first, second)).containsOnly("PENDING");

        protocol.acknowledge(batch, protocol.afterPublish(batch, Map.of()));

        assertThat(states(first, second)).containsOnly("PUBLISHED");
        assertThat(protocol.inFlight()).isZero();
        assertThat(claim()).isEmpty();
        assertThat(metrics.snapshot()).containsEntry("published", 2L).containsEntry("eventsPublished", 2L);
    }

    @Test
    void aClaimOfAFewChangesReadsThemByPrimaryKeyBesideAPublishedHistory() throws IOException {
        // the hub's own batch sizes: the claim's LIMIT is what the planner expects of it
        config = hubProperties(Map.of());
        protocol = new DeliveryProtocol(new ChangeRouter(new RoutingRules(config), new ObjectMapper(), config),
                new RelayLedger(jdbc), metrics, config, false);
        String tenant = wrapper.tenant("crm");
        // 30,000 published changes (retention keeps them for days): out of the queue, in change_log
        jdbc.update("INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, new_values, context) "
                + "SELECT ?, 'credit_configurations', 'old' || g, 'UPDATE', '{credit_cost}', '{\"credit_cost\": 1}', "
                + "'{\"operation_code\": \"crm.leads.update\"}' FROM generate_series(1, 30000) g", tenant);
        jdbc.update("DELETE FROM change_queue");
        long first = change(tenant, "r1", "crm.leads.create");
        long second = change(tenant, "r2", "crm.leads.update");
        jdbc.execute("ANALYZE change_log");
        jdbc.execute("ANALYZE change_queue");

        // a plain join was planned for a full batch and hashed a scan of all of change_log per claim
        assertThat(claimPlan()).as("the claim's plan").doesNotContain("Seq Scan on change_log");
        assertThat(route(claim()).publishedIds()).containsExactly(first, second);
    }

    @Test
    void theTenantWalkDoesNotStepOverTheChangesADrainingTenantHasDeleted() throws Exception {
        // a tenant draining 20,000 changes, all but its newest 300 taken off the queue and not yet vacuumed,
        // beside a quiet tenant. The walk probed each tenant upwards from its oldest queued change (V7) and
        // stepped over all 19,700 deleted index entries on every claim of both lanes; downwards (V15) it
        // starts at the newest, and counting up to the threshold (250) stops among the live ones
        jdbc.execute("ALTER TABLE change_queue SET (autovacuum_enabled = false)");
        try {
            jdbc.update("INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high) "
                    + "SELECT g, 'users', 'u' || g, 'a-draining', false FROM generate_series(1, 20000) g");
            jdbc.update("INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high) "
                    + "VALUES (30000, 'users', 'q', 'b-quiet', false)");
            jdbc.update("DELETE FROM change_queue WHERE tenant_id = 'a-draining' AND change_id <= 19700");

            for (String cursor : List.of("", "a-draining", "b-quiet", "c")) {
                for (boolean backlogged : List.of(false, true)) {
                    String walk = "SELECT * FROM suitesync_relay_tenants('" + cursor + "', '{}', " + backlogged + ", 250, 100)";
                    assertThat(jdbc.queryForList(walk, String.class)).as("walk from '%s', backlogged %s", cursor, backlogged)
                            .containsExactly(backlogged ? "a-draining" : "b-quiet");
                    // the first walk marks the deleted entries it meets dead; this is what every later one reads
                    assertThat(blocksRead(walk)).as("index and heap pages a walk from '%s' reads", cursor).isLessThan(30);
                }
            }
        } finally {
            jdbc.execute("ALTER TABLE change_queue RESET (autovacuum_enabled)");
        }
    }

    /** Shared buffers (hit or read) the statement touches, by EXPLAIN (ANALYZE, BUFFERS). */
    private long blocksRead(String sql) throws IOException {
        String json = jdbc.queryForObject("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, String.class);
        com.fasterxml.jackson.databind.JsonNode plan = new ObjectMapper().readTree(json).get(0).get("Plan");
        return plan.get("Shared Hit Blocks").asLong() + plan.get("Shared Read Blocks").asLong();
    }

    @Test
    void anAcknowledgementCommitsWithoutWaitingForTheWalFlush() throws Exception {
        assumeTrue("on".equals(jdbc.queryForObject("SHOW fsync", String.class))
                && "on".equals(jdbc.queryForObject("SHOW synchronous_commit", String.class)),
                "a server that flushes the WAL at every commit");
        String tenant = wrapper.tenant("crm");
        int acks = 40;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < acks; i++) {
            ids.add(change(tenant, "r" + i, "crm.leads.create"));
        }
        // one connection of its own, so its WAL statistics can be flushed before they are read
        try (Connection connection = DriverManager.getConnection(DATABASE.url())) {
            JdbcTemplate own = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
            RelayLedger ledger = new RelayLedger(own);
            long before = walSyncs(own);
            for (long id : ids) {
                ledger.acknowledge(List.of(id), List.of());
            }
            long after = walSyncs(own);

            assertThat(jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class)).isZero();
            // a synchronous commit syncs the WAL once per acknowledgement; the WAL writer's own syncs
            // (every 200 ms) are all that may come on top of none
            assertThat(after - before).as("WAL syncs during %d acknowledgements", acks).isLessThan(acks / 2);
        }
    }

    /** The server's WAL syncs so far, this connection's own included (statistics flushed first). */
    private static long walSyncs(JdbcTemplate own) {
        own.queryForObject("SELECT pg_stat_force_next_flush()::text", String.class);
        own.queryForObject("SELECT 1", Integer.class);
        return new JdbcTemplate(DATABASE.jdbc().getDataSource()).queryForObject("SELECT wal_sync FROM pg_stat_wal",
                Long.class);
    }

    @Test
    void aLiveBatchPublishedOnTheClaimsThreadLeavesTheQueueWithTheNextClaim() throws Exception {
        RelayLedger ledger = new RelayLedger(jdbc);
        protocol = new DeliveryProtocol(new ChangeRouter(new RoutingRules(config), new ObjectMapper(), config),
                ledger, metrics, config, true);
        String crm = wrapper.tenant("crm");
        String hrms = wrapper.tenant("hrms");
        long first = change(crm, "r1", "crm.leads.create");
        long nowhere = change(hrms, "r2", "crm.leads.create");

        RelayBatch batch = protocol.admit(route(claim()));
        protocol.acknowledge(batch, protocol.afterPublish(batch, Map.of()));
        assertThat(states(first, nowhere)).as("no statement of its own").containsOnly("PENDING");
        assertThat(protocol.acknowledgementDueInMillis()).isBetween(0L, DeliveryProtocol.ACKNOWLEDGEMENT_WAIT_MILLIS);

        long later = change(crm, "r1", "crm.leads.update");
        RelayBatch next = protocol.admit(route(claim()));
        assertThat(next.publishedIds()).as("the claim skipped the rows it acknowledged").containsExactly(later);
        assertThat(states(first, nowhere)).containsExactly("PUBLISHED", "SKIPPED");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM change_queue", Long.class)).isOne();
        assertThat(protocol.inFlight()).as("only the new batch").isOne();
        assertThat(protocol.aloneInFlight(next)).isTrue();

        // published, then no claim came: the scheduler flushes it alone
        protocol.acknowledge(next, protocol.afterPublish(next, Map.of()));
        assertThat(states(later)).containsExactly("PENDING");
        protocol.flushAcknowledgements(false);
        assertThat(states(later)).containsExactly("PUBLISHED");
        assertThat(protocol.inFlight()).isZero();
        assertThat(protocol.acknowledgementDueInMillis()).isEqualTo(-1);
        assertThat(claim()).isEmpty();

        // a batch acknowledged on another thread than the claims' (the lane's publisher) goes at once
        long fromPublisher = change(crm, "r3", "crm.leads.create");
        RelayBatch handedOver = protocol.admit(route(claim()));
        Thread publisher = new Thread(() -> protocol.acknowledge(handedOver, protocol.afterPublish(handedOver, Map.of())));
        publisher.start();
        publisher.join();
        assertThat(states(fromPublisher)).containsExactly("PUBLISHED");
        assertThat(ledger.acknowledgedRows()).as("each row counted once, however it left the queue").isEqualTo(4);
    }

    @Test
    void anAcknowledgementWaitingForTheNextClaimIsNotLostWhenTheClaimFailsOrRedisLosesItsData() {
        protocol = new DeliveryProtocol(new ChangeRouter(new RoutingRules(config), new ObjectMapper(), config),
                new RelayLedger(jdbc), metrics, config, true);
        String tenant = wrapper.tenant("crm");
        long published = change(tenant, "r1", "crm.leads.create");
        RelayBatch batch = protocol.admit(route(claim()));
        protocol.acknowledge(batch, protocol.afterPublish(batch, Map.of()));

        // a claim that took the acknowledgement and failed before it returned: the next one carries it again
        protocol.acknowledgedIds();
        assertThat(states(published)).containsExactly("PENDING");
        assertThat(claim()).isEmpty();
        protocol.claimReturned();
        assertThat(states(published)).containsExactly("PUBLISHED");
        assertThat(protocol.inFlight()).isZero();

        // Redis lost what was published while an acknowledgement waited: it is queued again, not deleted after
        long waiting = change(tenant, "r1", "crm.leads.update");
        RelayBatch second = protocol.admit(route(claim()));
        protocol.acknowledge(second, protocol.afterPublish(second, Map.of()));
        assertThat(protocol.requeuePublished()).isEqualTo(2);
        assertThat(route(claim()).publishedIds()).containsExactly(published, waiting);
    }

    @Test
    void aRequeueThroughTheLanesLeavesNoLiveAcknowledgementToDeleteWhatItQueued() {
        RelayLedger ledger = new RelayLedger(jdbc);
        RelayLanes lanes = new RelayLanes();
        ChangeRouter router = new ChangeRouter(new RoutingRules(config), new ObjectMapper(), config);
        new DeliveryProtocol(router, ledger, metrics, config, lanes, RelayLanes.Lane.BULK, 100, false);
        protocol = new DeliveryProtocol(router, ledger, metrics, config, lanes, RelayLanes.Lane.LIVE, 100, true);
        String tenant = wrapper.tenant("crm");
        long waiting = change(tenant, "r1", "crm.leads.create");
        RelayBatch batch = protocol.admit(route(claim()));
        protocol.acknowledge(batch, protocol.afterPublish(batch, Map.of()));
        assertThat(states(waiting)).containsExactly("PENDING");

        // Redis lost its data: the bulk lane requeues every published change, the live lane's waiting one too
        assertThat(lanes.requeuePublished()).isOne();
        assertThat(states(waiting)).containsExactly("PENDING");
        assertThat(protocol.inFlight()).isZero();
        assertThat(route(claim()).publishedIds()).containsExactly(waiting);
    }

    @Test
    void aChangeThatRoutesNowhereIsSkippedNotLost() {
        String tenant = wrapper.tenant("hrms");
        long change = change(tenant, "r1", "crm.leads.create");

        RelayBatch batch = protocol.admit(route(claim()));
        assertThat(batch.skippedIds()).containsExactly(change);
        assertThat(batch.events()).isEmpty();
        protocol.acknowledge(batch, protocol.afterPublish(batch, Map.of()));

        assertThat(states(change)).containsExactly("SKIPPED");
    }

    @Test
    void anUnroutableChangeIsRetriedThenParkedAndHoldsBackOnlyItsOwnRecord() {
        String tenant = wrapper.tenant("crm");
        long poison = change(tenant, "r1", null);
        long behindPoison = change(tenant, "r1", "crm.leads.update");
        long other = change(tenant, "r2", "crm.leads.create");

        RelayBatch batch = route(claim());
        assertThat(batch.failures()).extracting(RelayBatch.RowFailure::id).containsExactly(poison);
        assertThat(batch.failures().get(0).park()).isFalse();
        assertThat(batch.heldBack()).as("the later change of the poison row's record").isEqualTo(1);
        assertThat(batch.publishedIds()).containsExactly(other);
        protocol.retryOrPark(batch);
        RelayBatch admitted = protocol.admit(batch);
        protocol.acknowledge(admitted, protocol.afterPublish(admitted, Map.of()));

        assertThat(jdbc.queryForObject("SELECT attempts FROM change_log WHERE id = ?", Integer.class, poison)).isOne();
        assertThat(claim()).as("the record waits for its retry, with its later change").isEmpty();

        jdbc.update("UPDATE change_retry SET next_attempt_at = now() - interval '1 second'");
        RelayBatch retried = route(claim());
        assertThat(retried.failures()).extracting(RelayBatch.RowFailure::id).containsExactly(poison);
        assertThat(retried.failures().get(0).park()).as("its last attempt").isTrue();
        protocol.retryOrPark(retried);

        assertThat(states(poison)).containsExactly("PARKED");
        assertThat(jdbc.queryForMap("SELECT attempts, error FROM change_dead_letter WHERE change_id = ?", poison))
                .containsEntry("attempts", MAX_ATTEMPTS)
                .hasEntrySatisfying("error", error -> assertThat((String) error).contains("operation_code"));
        assertThat(route(claim()).publishedIds()).as("once parked, the record flows again").containsExactly(behindPoison);
        assertThat(metrics.snapshot()).containsEntry("parked", 1L);
    }

    @Test
    void aRowWhoseEventRedisRefusedFailsAloneAndTheBatchesClaimedMeanwhileAreStale() {
        String tenant = wrapper.tenant("crm");
        long refused = change(tenant, "r1", "crm.leads.create");
        long laterOfRefused = change(tenant, "r1", "crm.leads.update");
        long other = change(tenant, "r2", "crm.leads.create");
        RelayBatch publishing = protocol.admit(route(claim()));
        long claimedMeanwhileId = change(tenant, "r1", "crm.leads.delete");
        RelayBatch claimedMeanwhile = protocol.admit(route(claim()));
        assertThat(claimedMeanwhile.publishedIds()).containsExactly(claimedMeanwhileId);

        RelayBatch outcome = protocol.afterPublish(publishing, Map.of(indexOf(publishing, refused), "WRONGTYPE"));
        protocol.acknowledge(publishing, outcome);

        assertThat(outcome.publishedIds()).containsExactly(other);
        assertThat(outcome.heldBack()).isEqualTo(1);
        assertThat(states(refused, laterOfRefused, other)).containsExactly("PENDING", "PENDING", "PUBLISHED");
        assertThat(jdbc.queryForObject("SELECT last_error FROM change_log WHERE id = ?", String.class, refused))
                .isEqualTo("Redis refused the event: WRONGTYPE");
        assertThat(protocol.isCurrent(claimedMeanwhile)).as("it may hold a later change of the refused record").isFalse();
        protocol.discard(claimedMeanwhile);
        assertThat(protocol.droppedBatches()).isOne();
        assertThat(states(claimedMeanwhileId)).containsExactly("PENDING");
        assertThat(claim()).as("the whole record waits for the refused row's retry").isEmpty();
    }

    @Test
    void aBatchThatFailedForGoodStaysQueuedAndNothingClaimedMeanwhileOvertakesIt() {
        String tenant = wrapper.tenant("crm");
        long failing = change(tenant, "r1", "crm.leads.create");
        RelayBatch publishing = protocol.admit(route(claim()));
        long later = change(tenant, "r1", "crm.leads.update");
        RelayBatch claimedMeanwhile = protocol.admit(route(claim()));

        protocol.abandon(publishing);

        assertThat(protocol.isCurrent(claimedMeanwhile)).isFalse();
        protocol.discard(claimedMeanwhile);
        assertThat(states(failing, later)).containsOnly("PENDING");
        assertThat(route(claim()).publishedIds()).as("claimed again, in order").containsExactly(failing, later);
        assertThat(metrics.snapshot()).containsEntry("batchErrors", 1L);
    }

    @Test
    void publishedChangesQueuedAgainAfterARedisDataLossComeBeforeTheBatchesAlreadyClaimed() {
        String tenant = wrapper.tenant("crm");
        long published = change(tenant, "r1", "crm.leads.create");
        RelayBatch first = protocol.admit(route(claim()));
        protocol.acknowledge(first, protocol.afterPublish(first, Map.of()));
        long next = change(tenant, "r1", "crm.leads.update");
        RelayBatch inFlight = protocol.admit(route(claim()));

        assertThat(protocol.requeuePublished()).isOne();

        assertThat(protocol.isCurrent(inFlight)).isFalse();
        protocol.discard(inFlight);
        assertThat(route(claim()).publishedIds()).containsExactly(published, next);
    }

    private List<ClaimedChange> claim() {
        @SuppressWarnings("unchecked")
        List<ClaimedChange> rows = (List<ClaimedChange>) (List<?>) new NamedParameterJdbcTemplate(jdbc)
                .query(claimSql(), claimParameters(), new ClaimedChangeRows().newColumnRowMapper());
        return rows;
    }

    /** The plan PostgreSQL chooses for the claim as the relay runs it now. */
    private String claimPlan() {
        return String.join("\n", new NamedParameterJdbcTemplate(jdbc)
                .queryForList("EXPLAIN " + claimSql(), claimParameters(), String.class));
    }

    private Map<String, Object> claimParameters() {
        Map<String, Object> params = new HashMap<>();
        // in the claim's order: the acknowledgements it carries first
        params.put("acknowledgedIds", protocol.acknowledgedIds());
        params.put("acknowledgedSkippedIds", protocol.acknowledgedSkippedIds());
        params.put("claimExclusions", protocol.claimExclusions());
        params.put("tenantCursor", protocol.tenantCursor());
        params.put("batchSize", protocol.batchSize());
        params.put("fairWindow", config.relay().fairWindow());
        params.put("tenantExclusions", protocol.tenantExclusions());
        params.put("bulkThreshold", config.relay().bulkThreshold());
        params.put("highBatchSize", config.relay().batchSize());
        return params;
    }

    /** The live lane's claim (a protocol on its own is a live lane), camel-sql's ":#${expression}" parameters as plain named ones. */
    private static String claimSql() {
        String sql = RelayLedger.query("claim-live")
                .replace(":#${bean:liveDeliveryProtocol.acknowledgedIds}", ":acknowledgedIds")
                .replace(":#${bean:liveDeliveryProtocol.acknowledgedSkippedIds}", ":acknowledgedSkippedIds")
                .replace(":#${bean:liveDeliveryProtocol.claimExclusions}", ":claimExclusions")
                .replace(":#${bean:liveDeliveryProtocol.tenantExclusions}", ":tenantExclusions")
                .replace(":#${bean:liveDeliveryProtocol.tenantCursor}", ":tenantCursor")
                .replace(":#${bean:liveDeliveryProtocol.batchSize}", ":batchSize")
                .replace(":#${properties:suitesync.hub.relay.bulk-threshold}", ":bulkThreshold")
                .replace(":#${properties:suitesync.hub.relay.batch-size}", ":highBatchSize")
                .replace(":#${properties:suitesync.hub.relay.fair-window}", ":fairWindow");
        assertThat(sql).doesNotContain(":#");
        return sql;
    }

    private RelayBatch route(List<ClaimedChange> rows) {
        return protocol.route(rows);
    }

    /** A captured change of a credit configuration; no operation code makes it unroutable. */
    private long change(String tenant, String recordId, String operationCode) {
        String context = operationCode == null ? "{}" : "{\"operation_code\": \"" + operationCode + "\"}";
        return jdbc.queryForObject("INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, "
                + "new_values, context) VALUES (?, 'credit_configurations', ?, 'UPDATE', '{credit_cost}', "
                + "'{\"credit_cost\": 9}', ?::jsonb) RETURNING id", Long.class, tenant, recordId, context);
    }

    private List<String> states(Long... ids) {
        return List.of(ids).stream().map(id -> jdbc.queryForObject("SELECT state FROM change_log_state WHERE id = ?",
                String.class, id)).toList();
    }

    private static int indexOf(RelayBatch batch, long changeId) {
        for (int i = 0; i < batch.events().size(); i++) {
            if (batch.events().get(i).event().version() == changeId) {
                return i;
            }
        }
        throw new AssertionError("no event of change " + changeId);
    }

    private static HubProperties hubProperties(Map<String, Object> overrides) throws IOException {
        List<ConfigurationPropertySource> sources = new ArrayList<>();
        sources.add(new MapConfigurationPropertySource(overrides));
        new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
                .forEach(source -> ConfigurationPropertySources.from(source).forEach(sources::add));
        return new Binder(sources).bind("suitesync.hub", HubProperties.class).get();
    }
}
