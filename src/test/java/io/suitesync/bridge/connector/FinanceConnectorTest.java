package io.suitesync.bridge.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.bridge.BridgeProperties;
import io.suitesync.simulator.FinanceSimulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Finance connector against the Finance simulator: session renewal and its own retries. */
class FinanceConnectorTest {

    private final FinanceSimulator finance = (FinanceSimulator) new FinanceSimulator(0, "fin", "pw", Duration.ofMinutes(5)).start();

    @AfterEach
    void stop() {
        finance.close();
    }

    @Test
    void expiredSessionIsRenewedByOneLoginAndTheCallRepeated() {
        FinanceConnector connector = connector("pw", 0);
        String id = (String) connector.create("customer", Map.of("fullName", "Ava")).get("id");

        finance.expireSessions();
        Map<String, Object> updated = connector.update("customer", id, Map.of("fullName", "Ava B"),
                (String) finance.find("customer", id).get("updatedAt"));

        assertThat(updated).containsEntry("fullName", "Ava B");
        assertThat(connector.loginCount()).isEqualTo(2);
        assertThat(finance.loginCount()).isEqualTo(2);
        assertThat(finance.writeCount("customer", id)).isEqualTo(2);
    }

    @Test
    void updateOfARecordChangedSinceItWasReadIsRefusedWith412() {
        FinanceConnector connector = connector("pw", 2);
        Map<String, Object> read = connector.create("customer", Map.of("fullName", "Ava"));
        String id = (String) read.get("id");
        finance.userUpdate("customer", id, Map.of("fullName", "Ava (edited in Finance)"));

        assertThatThrownBy(() -> connector.update("customer", id, Map.of("fullName", "Ava (from CRM)"), (String) read.get("updatedAt")))
                .isInstanceOf(RemoteSystemException.class)
                .satisfies(e -> assertThat(((RemoteSystemException) e).status()).isEqualTo(412));
        assertThat(finance.find("customer", id)).containsEntry("fullName", "Ava (edited in Finance)");
        assertThat(finance.writeCount("customer", id)).isEqualTo(1);
    }

    @Test
    void wrongPasswordFailsWithoutRetryingForever() {
        FinanceConnector connector = connector("wrong", 3);

        assertThatThrownBy(() -> connector.get("customer", "x"))
                .isInstanceOf(RemoteSystemException.class).hasMessageContaining("login failed");
        assertThat(finance.loginCount()).isZero();
    }

    @Test
    void serverErrorsAreRetriedThenReported() {
        FinanceConnector connector = connector("pw", 2);
        connector.create("customer", Map.of("fullName", "warm-up"));
        finance.setDown(true);

        assertThatThrownBy(() -> connector.create("customer", Map.of("fullName", "Ava")))
                .isInstanceOf(RemoteSystemException.class)
                .hasMessageContaining("503")
                .satisfies(e -> assertThat(((RemoteSystemException) e).status()).isEqualTo(503));
        assertThat(finance.totalWrites()).isEqualTo(1);
    }

    private FinanceConnector connector(String password, int retries) {
        BridgeProperties properties = new BridgeProperties(
                new BridgeProperties.Crm("http://unused", "t", null, true),
                new BridgeProperties.Finance(finance.baseUrl(), "fin", password, null, true),
                new BridgeProperties.Http(Duration.ofSeconds(2), Duration.ofSeconds(5), retries, Duration.ofMillis(10)),
                300, Duration.ofSeconds(2), 100, false, null, new BridgeProperties.Webhook(null, 10, 10, Duration.ofMinutes(5)), 3, Duration.ofSeconds(1),
                Duration.ofSeconds(10), new BridgeProperties.Worker(10, 1, Duration.ofMillis(100), Duration.ofMinutes(1)),
                Duration.ofHours(1));
        return new FinanceConnector(properties, new ObjectMapper());
    }
}
