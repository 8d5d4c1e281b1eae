package io.suitesync.bridge;

import static org.awaitility.Awaitility.await;

import io.suitesync.simulator.CrmSimulator;
import io.suitesync.simulator.FinanceSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A bridge context (role {@code bridge}, fresh PostgreSQL database) against a CRM and a Finance
 * simulator of its own, over real HTTP. The context is closed after the class so no bridge keeps
 * syncing another class's simulators. Polls are triggered explicitly with {@link #pollNow()}, never by
 * the timer, so a test decides exactly which edits happen between two polls.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.roles=bridge",
        "suitesync.bridge.crm.api-token=it-crm-token",
        "suitesync.bridge.finance.username=it-finance",
        "suitesync.bridge.finance.password=it-finance-password",
        "suitesync.bridge.poll-interval-seconds=3600",
        "suitesync.bridge.poll-initial-delay=1h",
        "suitesync.bridge.webhook-secret=it-webhook-secret",
        "suitesync.bridge.http.retries=1",
        "suitesync.bridge.http.retry-backoff=20ms",
        "suitesync.bridge.http.request-timeout=5s",
        "suitesync.bridge.retry-initial-backoff=300ms",
        "suitesync.bridge.retry-max-backoff=2s",
        "suitesync.bridge.worker.idle-delay=100ms",
        "suitesync.security.admin-user=" + BridgeITSupport.ADMIN_USER,
        "suitesync.security.admin-password=" + BridgeITSupport.ADMIN_PASSWORD})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class BridgeITSupport {

    protected static final Duration TIMEOUT = Duration.ofSeconds(30);
    protected static final String ADMIN_USER = "it-admin";
    protected static final String ADMIN_PASSWORD = "it-admin-password";

    protected static CrmSimulator crm;
    protected static FinanceSimulator finance;

    @Autowired
    private TestRestTemplate anonymous;

    /** Calls the bridge with the admin credentials that /bridge/** requires (the webhooks need none). */
    protected TestRestTemplate http;

    @Autowired
    protected JdbcTemplate jdbc;

    @DynamicPropertySource
    static void simulators(DynamicPropertyRegistry registry) {
        crm = (CrmSimulator) new CrmSimulator(0, "it-crm-token").start();
        finance = (FinanceSimulator) new FinanceSimulator(0, "it-finance", "it-finance-password", Duration.ofMinutes(10)).start();
        registry.add("suitesync.bridge.crm.base-url", crm::baseUrl);
        registry.add("suitesync.bridge.finance.base-url", finance::baseUrl);
    }

    @AfterAll
    static void stopSimulators() {
        crm.close();
        finance.close();
    }

    @BeforeEach
    void asAdmin() {
        http = anonymous.withBasicAuth(ADMIN_USER, ADMIN_PASSWORD);
    }

    @AfterEach
    void systemsBackUp() {
        crm.setDown(false);
        finance.setDown(false);
    }

    protected Map<String, Object> pollNow() {
        ResponseEntity<Map> response = http.postForEntity("/bridge/poll-now", null, Map.class);
        if (response.getStatusCode() != HttpStatus.OK) {
            throw new AssertionError("poll-now answered " + response.getStatusCode() + ": " + response.getBody());
        }
        return response.getBody();
    }

    protected static Map<String, Object> crmCustomer(String name) {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        return Map.of("name", name, "email", tag + "@example.com", "phone", "+98-21-" + tag);
    }

    /** The Finance id mapped to a CRM id, once the mapping exists. */
    protected String awaitFinanceIdOf(String entityType, String crmId) {
        await().atMost(TIMEOUT).until(() -> financeIdOf(entityType, crmId) != null);
        return financeIdOf(entityType, crmId);
    }

    protected String financeIdOf(String entityType, String crmId) {
        List<String> ids = jdbc.queryForList("SELECT finance_id FROM bridge_entity_mapping WHERE entity_type = ? AND crm_id = ?",
                String.class, entityType, crmId);
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** Waits until nothing is waiting or in progress in the work queue. */
    protected void awaitQueueIdle() {
        await().atMost(TIMEOUT).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM bridge_work_queue WHERE status IN ('PENDING', 'ACTIVE')", Long.class) == 0);
    }

    protected List<String> logStatuses(String sourceId) {
        return jdbc.queryForList("SELECT status FROM bridge_sync_log WHERE source_id = ? ORDER BY id", String.class, sourceId);
    }
}
