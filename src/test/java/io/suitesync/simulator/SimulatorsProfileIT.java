package io.suitesync.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.common.EmbeddedServers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestTemplate;

/**
 * Profile {@code simulators} with role {@code bridge} and no other configuration (what the one-command
 * demo runs): both simulators listen on their own ports and the bridge, with the profile's default
 * credentials, syncs a customer created through the CRM simulator's HTTP console.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"suitesync.roles=bridge",
        "suitesync.security.admin-user=ops", "suitesync.security.admin-password=it-admin-password"})
@ActiveProfiles("simulators")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SimulatorsProfileIT {

    @Autowired
    TestRestTemplate bridge;

    @Autowired
    CrmSimulator crm;

    @Autowired
    FinanceSimulator finance;

    @DynamicPropertySource
    static void ports(DynamicPropertyRegistry registry) {
        // chosen once: a supplier is asked again every time the property is resolved
        int crmPort = EmbeddedServers.freePort();
        int financePort = EmbeddedServers.freePort();
        registry.add("suitesync.simulators.crm.port", () -> crmPort);
        registry.add("suitesync.simulators.finance.port", () -> financePort);
    }

    @Test
    void simulatorsServeOnTheirOwnPortsAndTheBridgeSyncsThroughThem() {
        RestTemplate http = new RestTemplate();
        Map<?, ?> created = http.postForObject(crm.baseUrl() + "/_sim/customers",
                Map.of("name", "Profile Demo", "email", "demo@example.com", "phone", "1"), Map.class);

        ResponseEntity<Map> poll = bridge.withBasicAuth("ops", "it-admin-password")
                .postForEntity("/bridge/poll-now", null, Map.class);

        assertThat(poll.getStatusCode().is2xxSuccessful()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> finance.all("customer").size() == 1);
        assertThat(finance.all("customer").get(0)).containsEntry("fullName", "Profile Demo")
                .containsEntry("externalRef", created.get("id"));
        Map<?, ?> financeStats = http.getForObject(finance.baseUrl() + "/_sim/stats", Map.class);
        assertThat(financeStats.get("apiWrites")).isEqualTo(1);
        assertThat((Integer) financeStats.get("logins")).isGreaterThanOrEqualTo(1);
        assertThat(crm.port()).isNotEqualTo(finance.port());
    }
}
