package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BridgePropertiesTest {

    @ParameterizedTest(name = "crm={0} finance={1} shared={2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "crm-own-secret-0001 | finance-own-secret-1 | -                  | crm-own-secret-0001 | finance-own-secret-1",
            "-                   | -                    | shared-secret-00001 | shared-secret-00001 | shared-secret-00001",
            "crm-own-secret-0001 | -                    | shared-secret-00001 | crm-own-secret-0001 | shared-secret-00001",
            "''                  | finance-own-secret-1 | shared-secret-00001 | shared-secret-00001 | finance-own-secret-1"})
    void eachSystemUsesItsOwnSecretElseTheSharedOne(String crm, String finance, String shared, String crmUses, String financeUses) {
        BridgeProperties properties = properties(crm, finance, shared);

        assertThat(properties.webhookSecretOf(SystemId.CRM)).isEqualTo(crmUses);
        assertThat(properties.webhookSecretOf(SystemId.FINANCE)).isEqualTo(financeUses);
    }

    @Test
    void webhookModeWithoutASecretForOneSystemFailsNamingItsKeys() {
        assertThatThrownBy(() -> properties(null, "finance-own-secret-1", null))
                .hasMessageContaining("suitesync.bridge.crm.webhook-secret (CRM_WEBHOOK_SECRET)")
                .hasMessageContaining("WEBHOOK_SECRET")
                .hasMessageContaining("must be set");
    }

    @Test
    void webhookModeWithAShortSecretFails() {
        assertThatThrownBy(() -> properties("crm-own-secret-0001", "short", null))
                .hasMessageContaining("suitesync.bridge.finance.webhook-secret (FINANCE_WEBHOOK_SECRET)")
                .hasMessageContaining("at least 16 characters");
    }

    @Test
    void replayProtectionIsPerSystem() {
        BridgeProperties properties = new BridgeProperties(new BridgeProperties.Crm("http://crm", "t", null, true),
                new BridgeProperties.Finance("http://finance", "u", "p", null, false), http(), 300, Duration.ofSeconds(2),
                100, false, null, webhook(), 3, Duration.ofSeconds(1), Duration.ofSeconds(10), worker(), Duration.ofHours(1));

        assertThat(properties.webhookReplayProtectionOf(SystemId.CRM)).isTrue();
        assertThat(properties.webhookReplayProtectionOf(SystemId.FINANCE)).isFalse();
    }

    private static BridgeProperties properties(String crmSecret, String financeSecret, String shared) {
        return new BridgeProperties(new BridgeProperties.Crm("http://crm", "t", crmSecret, true),
                new BridgeProperties.Finance("http://finance", "u", "p", financeSecret, true), http(), 300,
                Duration.ofSeconds(2), 100, true, shared, webhook(), 3, Duration.ofSeconds(1), Duration.ofSeconds(10),
                worker(), Duration.ofHours(1));
    }

    private static BridgeProperties.Http http() {
        return new BridgeProperties.Http(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofMillis(1));
    }

    private static BridgeProperties.Webhook webhook() {
        return new BridgeProperties.Webhook(null, 10, 10, Duration.ofMinutes(5));
    }

    private static BridgeProperties.Worker worker() {
        return new BridgeProperties.Worker(10, 1, Duration.ofMillis(100), Duration.ofMinutes(1));
    }
}
