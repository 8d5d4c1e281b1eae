package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.component.sql.SqlHelper;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClaimStatements} gives camel-sql the same statement and the same parameter values as its
 * default strategy, claim after claim, for both claim files, and falls back to the default for any
 * query with other kinds of parameters.
 */
class ClaimStatementsTest {

    private CamelContext camel;
    private Lane bulk;
    private Lane live;

    @BeforeEach
    void camel() {
        camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.setProperty("suitesync.hub.relay.bulk-threshold", "1000");
        properties.setProperty("suitesync.hub.relay.fair-window", "64");
        properties.setProperty("suitesync.hub.relay.batch-size", "2000");
        camel.getPropertiesComponent().setInitialProperties(properties);
        bulk = new Lane(2000);
        live = new Lane(200);
        camel.getRegistry().bind("deliveryProtocol", bulk);
        camel.getRegistry().bind("liveDeliveryProtocol", live);
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void eachClaimIsPreparedAndFilledAsCamelSqlWouldDoIt() throws SQLException {
        ClaimStatements ours = new ClaimStatements();
        DefaultSqlPrepareStatementStrategy camels = new DefaultSqlPrepareStatementStrategy();
        for (String claim : List.of("claim", "claim-live")) {
            String query = asCamelSqlReadsIt(claim);
            assertThat(ClaimStatements.compilable(query)).as(claim).isTrue();
            for (int poll = 0; poll < 3; poll++) {
                // each claim sees the lane as it is now: what was in flight, held and served last time
                bulk.next();
                live.next();
                String prepared = ours.prepareQuery(query, true, exchange());
                assertThat(prepared).as(claim).isEqualTo(camels.prepareQuery(query, true, exchange())).doesNotContain(":?");
                List<Object> values = values(ours.createPopulateIterator(query, prepared, 8, exchange(), null));
                assertThat(values).as("%s, claim %d", claim, poll)
                        .isEqualTo(values(camels.createPopulateIterator(query, prepared, 8, exchange(), null)))
                        .hasSize(RelayClaimFilesTest.placeholders(RelayLedger.query(claim)));
            }
        }
        // the lanes' values were taken at every claim, not once
        assertThat(live.calls).isGreaterThanOrEqualTo(3 * 6);
    }

    @Test
    void otherParametersAreLeftToCamelSql() throws SQLException {
        for (String query : List.of("SELECT * FROM t WHERE id IN (:?in:${header.ids})",
                "SELECT * FROM t WHERE id = :?${header.id}", "SELECT * FROM t WHERE id = :?id",
                "SELECT :?${bean:liveDeliveryProtocol.batchSize}, :?id")) {
            assertThat(ClaimStatements.compilable(query)).as(query).isFalse();
        }
        Exchange exchange = exchange();
        exchange.getMessage().setHeader("id", 42);
        ClaimStatements ours = new ClaimStatements();
        String query = "SELECT * FROM t WHERE id = :?${header.id} AND n = :?${bean:liveDeliveryProtocol.batchSize}";
        assertThat(ours.prepareQuery(query, true, exchange)).isEqualTo("SELECT * FROM t WHERE id = ? AND n = ?");
        assertThat(values(ours.createPopulateIterator(query, "", 2, exchange, null))).containsExactly(42, 200);
    }

    @Test
    void aMissingBeanOrMethodIsNamed() {
        ClaimStatements ours = new ClaimStatements();
        assertThatThrownBy(() -> ours.createPopulateIterator("SELECT :?${bean:nobody.batchSize}", "SELECT ?", 1, exchange(), null))
                .hasMessageContaining("no bean nobody");
        assertThatThrownBy(() -> ours.createPopulateIterator("SELECT :?${bean:liveDeliveryProtocol.nothing}", "SELECT ?", 1,
                exchange(), null)).hasMessageContaining("no public method nothing() on bean liveDeliveryProtocol");
    }

    /** The claim file as camel-sql's consumer holds it: {@code :#} replaced by {@code :?}, comment lines gone. */
    private static String asCamelSqlReadsIt(String claim) {
        return SqlHelper.resolvePlaceholders(RelayLedger.query(claim), "#");
    }

    private Exchange exchange() {
        return new DefaultExchange(camel);
    }

    private static List<Object> values(Iterator<?> iterator) {
        List<Object> out = new ArrayList<>();
        iterator.forEachRemaining(out::add);
        return out;
    }

    /** What a claim asks of its lane's DeliveryProtocol, different at every claim. */
    public static final class Lane {

        private final int batchSize;
        private int claim;
        int calls;

        Lane(int batchSize) {
            this.batchSize = batchSize;
        }

        void next() {
            claim++;
        }

        public String acknowledgedIds() {
            calls++;
            return "{" + (claim - 1) + "}";
        }

        public String acknowledgedSkippedIds() {
            calls++;
            return "{}";
        }

        public String claimExclusions() {
            calls++;
            return "{" + claim + "," + (claim + 1) + "}";
        }

        public String tenantExclusions() {
            calls++;
            return "{\"held-" + claim + "\"}";
        }

        public String tenantCursor() {
            calls++;
            return "tenant-" + claim;
        }

        public int batchSize() {
            calls++;
            return batchSize;
        }
    }
}
