package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.suitesync.bridge.connector.FinanceConnector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Polling mode, end to end over HTTP: creates, updates both ways, conflicts, echoes and session expiry. */
class BridgePollingIT extends BridgeITSupport {

    @Autowired
    FinanceConnector financeConnector;

    @Test
    void customerCreatedInCrmAppearsInFinanceWithMappingRow() {
        String crmId = (String) crm.userCreate("customer", crmCustomer("Ava Rahimi")).get("id");

        pollNow();
        String financeId = awaitFinanceIdOf("customer", crmId);

        Map<String, Object> copy = finance.find("customer", financeId);
        assertThat(copy).containsEntry("fullName", "Ava Rahimi").containsEntry("externalRef", crmId);
        assertThat(copy.get("emailAddress")).isEqualTo(crm.find("customer", crmId).get("email"));
        Map<String, Object> mapping = jdbc.queryForMap("SELECT * FROM bridge_entity_mapping WHERE crm_id = ?", crmId);
        assertThat(mapping).containsEntry("entity_type", "customer").containsEntry("finance_id", financeId)
                .containsEntry("last_direction", "CRM_TO_FINANCE");
        assertThat((String) mapping.get("crm_hash")).hasSize(64);
        assertThat(mapping.get("crm_updated_at")).isNotNull();
        assertThat(mapping.get("finance_updated_at")).isNotNull();
        assertThat(jdbc.queryForMap("SELECT operation, status, direction, target_id FROM bridge_sync_log WHERE source_id = ?", crmId))
                .containsEntry("operation", "CREATE").containsEntry("status", "SUCCESS")
                .containsEntry("direction", "CRM_TO_FINANCE").containsEntry("target_id", financeId);
    }

    @Test
    void oneChangeWritesExactlyOnceAndItsEchoIsNotSentBack() {
        String crmId = (String) crm.userCreate("customer", crmCustomer("Bahram Karimi")).get("id");
        pollNow();
        String financeId = awaitFinanceIdOf("customer", crmId);
        awaitQueueIdle();

        // Finance now lists our write as changed, and the CRM lists the original again: three more rounds
        for (int round = 0; round < 3; round++) {
            pollNow();
            awaitQueueIdle();
        }

        assertThat(finance.writeCount("customer", financeId)).isEqualTo(1);
        assertThat(crm.writeCount("customer", crmId)).isZero();
        assertThat(logStatuses(crmId)).containsExactly("SUCCESS");
    }

    @Test
    void updateInFinanceReachesCrm() {
        String crmId = (String) crm.userCreate("customer", crmCustomer("Cyrus Tehrani")).get("id");
        pollNow();
        String financeId = awaitFinanceIdOf("customer", crmId);
        awaitQueueIdle();

        finance.userUpdate("customer", financeId, Map.of("fullName", "Cyrus Tehrani-Moghadam", "phoneNumber", "+98-911-000"));
        pollNow();

        await().atMost(TIMEOUT).until(() -> "Cyrus Tehrani-Moghadam".equals(crm.find("customer", crmId).get("name")));
        assertThat(crm.find("customer", crmId)).containsEntry("phone", "+98-911-000");
        awaitQueueIdle();
        pollNow();
        awaitQueueIdle();
        assertThat(crm.writeCount("customer", crmId)).isEqualTo(1);
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT last_direction FROM bridge_entity_mapping WHERE crm_id = ?", String.class, crmId))
                .isEqualTo("FINANCE_TO_CRM");
    }

    @Test
    void bothSidesEditedBetweenPollsNewerFinanceEditWinsOnBothSides() {
        String crmId = (String) crm.userCreate("customer", crmCustomer("Dara Azadi")).get("id");
        pollNow();
        String financeId = awaitFinanceIdOf("customer", crmId);
        awaitQueueIdle();

        crm.userUpdate("customer", crmId, Map.of("name", "Dara (CRM edit)"));
        finance.userUpdate("customer", financeId, Map.of("fullName", "Dara (Finance edit)"));
        pollNow();
        awaitQueueIdle();

        assertThat(crm.find("customer", crmId)).containsEntry("name", "Dara (Finance edit)");
        assertThat(finance.find("customer", financeId)).containsEntry("fullName", "Dara (Finance edit)");
        Map<String, Object> conflict = jdbc.queryForMap(
                "SELECT direction, source_id, detail FROM bridge_sync_log WHERE status = 'CONFLICT' AND source_id = ?", crmId);
        assertThat(conflict).containsEntry("direction", "CRM_TO_FINANCE");
        assertThat((String) conflict.get("detail")).contains("CRM change").contains("lost to newer FINANCE");
        assertThat(crm.writeCount("customer", crmId)).isEqualTo(1);
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(1);

        Map<String, Object> conflicts = http.getForEntity("/bridge/sync-log?status=CONFLICT&limit=1000", Map.class).getBody();
        assertThat((List<Map<String, Object>>) conflicts.get("entries"))
                .anySatisfy(e -> assertThat(e).containsEntry("sourceId", crmId).containsEntry("direction", "CRM_TO_FINANCE")
                        .containsEntry("status", "CONFLICT").containsKeys("detail", "startedAt", "workItemId"))
                .allSatisfy(e -> assertThat(e).containsEntry("status", "CONFLICT"));
        List<Map<String, Object>> newest = (List<Map<String, Object>>) http.getForEntity("/bridge/sync-log?limit=2", Map.class)
                .getBody().get("entries");
        assertThat(newest).hasSize(2);
        assertThat(((Number) newest.get(0).get("id")).longValue()).isGreaterThan(((Number) newest.get(1).get("id")).longValue());
        assertThat(http.getForEntity("/bridge/sync-log?status=DONE", Map.class).getStatusCode().value()).isEqualTo(400);
        assertThat(http.getForEntity("/bridge/sync-log?limit=0", Map.class).getStatusCode().value()).isEqualTo(400);
        assertThat((String) http.getForEntity("/bridge/sync-log?limit=x", Map.class).getBody().get("message")).contains("'limit'");
    }

    @Test
    void bothSidesEditedBetweenPollsNewerCrmEditWinsOnBothSides() {
        String crmId = (String) crm.userCreate("customer", crmCustomer("Elham Nouri")).get("id");
        pollNow();
        String financeId = awaitFinanceIdOf("customer", crmId);
        awaitQueueIdle();

        finance.userUpdate("customer", financeId, Map.of("fullName", "Elham (Finance edit)"));
        crm.userUpdate("customer", crmId, Map.of("name", "Elham (CRM edit)"));
        pollNow();
        awaitQueueIdle();

        assertThat(crm.find("customer", crmId)).containsEntry("name", "Elham (CRM edit)");
        assertThat(finance.find("customer", financeId)).containsEntry("fullName", "Elham (CRM edit)");
        assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM bridge_sync_log WHERE status = 'CONFLICT' AND direction = 'FINANCE_TO_CRM' AND source_id = ?",
                Long.class, financeId)).isEqualTo(1);
        assertThat(crm.writeCount("customer", crmId)).isZero();
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(2);
    }

    @Test
    void invoiceIsCreatedInFinanceAgainstItsMappedCustomer() {
        String customerId = (String) crm.userCreate("customer", crmCustomer("Farid Jafari")).get("id");
        String invoiceId = (String) crm.userCreate("invoice", Map.of("customerId", customerId, "number", "INV-1001",
                "amount", 1250.5, "currency", "IRR", "status", "OPEN")).get("id");

        pollNow();
        String financeInvoiceId = awaitFinanceIdOf("invoice", invoiceId);

        assertThat(finance.find("invoice", financeInvoiceId))
                .containsEntry("customerCode", financeIdOf("customer", customerId))
                .containsEntry("invoiceNo", "INV-1001").containsEntry("totalAmount", 1250.5).containsEntry("state", "OPEN");
    }

    @Test
    void financeSessionExpiringMidRunIsRenewedByLoggingInAgain() {
        List<String> crmIds = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            crmIds.add((String) crm.userCreate("customer", crmCustomer("Session " + i)).get("id"));
        }
        int loginsBefore = finance.loginCount();
        pollNow();
        await().atMost(TIMEOUT).until(() -> mapped(crmIds) >= 10);

        finance.expireSessions();
        String lateId = (String) crm.userCreate("customer", crmCustomer("After expiry")).get("id");
        crmIds.add(lateId);
        pollNow();

        await().atMost(TIMEOUT).until(() -> mapped(crmIds) == crmIds.size());
        assertThat(finance.loginCount()).isGreaterThan(Math.max(loginsBefore, 1));
        assertThat(financeConnector.loginCount()).isGreaterThanOrEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM bridge_sync_log WHERE status IN ('RETRYING', 'FAILED')"
                + " AND source_id = ANY(?)", Long.class, (Object) crmIds.toArray(String[]::new))).isZero();
    }

    private long mapped(List<String> crmIds) {
        return jdbc.queryForObject("SELECT count(*) FROM bridge_entity_mapping WHERE crm_id = ANY(?)", Long.class,
                (Object) crmIds.toArray(String[]::new));
    }
}
