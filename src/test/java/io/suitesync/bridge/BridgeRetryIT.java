package io.suitesync.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.TestPropertySource;

/** Finance outages: retried with backoff, FAILED after MAX_RETRY_ATTEMPTS, visible and retryable over REST. */
@TestPropertySource(properties = {
        "suitesync.bridge.max-retry-attempts=4",
        "suitesync.bridge.retry-initial-backoff=1s",
        "suitesync.bridge.retry-max-backoff=4s"})
class BridgeRetryIT extends BridgeITSupport {

    @Test
    void financeDownIsRetriedAndSyncsOnceItIsBack() {
        finance.setDown(true);
        String crmId = (String) crm.userCreate("customer", crmCustomer("Iman Outage")).get("id");
        pollNow();

        await().atMost(TIMEOUT).until(() -> logStatuses(crmId).contains("RETRYING"));
        finance.setDown(false);

        String financeId = awaitFinanceIdOf("customer", crmId);
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(1);
        assertThat(logStatuses(crmId)).startsWith("RETRYING").endsWith("SUCCESS").doesNotContain("FAILED");
        assertThat(jdbc.queryForObject("SELECT status FROM bridge_work_queue WHERE source_id = ?", String.class, crmId))
                .isEqualTo("DONE");
    }

    @Test
    void stillDownAfterMaxAttemptsIsFailedInLogAndStatsAndCanBeRetried() {
        finance.setDown(true);
        String crmId = (String) crm.userCreate("customer", crmCustomer("Jaleh Failed")).get("id");
        pollNow();

        await().atMost(TIMEOUT).until(() -> logStatuses(crmId).contains("FAILED"));
        assertThat(logStatuses(crmId)).containsExactly("RETRYING", "RETRYING", "RETRYING", "FAILED");
        Map<String, Object> item = jdbc.queryForMap("SELECT id, status, attempts, last_error FROM bridge_work_queue WHERE source_id = ?", crmId);
        assertThat(item).containsEntry("status", "FAILED").containsEntry("attempts", 4);
        assertThat((String) item.get("last_error")).contains("503");
        assertThat(((Number) http.getForEntity("/bridge/stats", Map.class).getBody().get("failed")).longValue()).isGreaterThanOrEqualTo(1);
        List<Map<String, Object>> failed = http.getForEntity("/bridge/failed", List.class).getBody();
        assertThat(failed).anySatisfy(f -> assertThat(f).containsEntry("sourceId", crmId).containsEntry("attempts", 4));
        assertThat(financeIdOf("customer", crmId)).isNull();

        finance.setDown(false);
        ResponseEntity<Map> retried = http.postForEntity("/bridge/failed/" + item.get("id") + "/retry", null, Map.class);

        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.OK);
        String financeId = awaitFinanceIdOf("customer", crmId);
        assertThat(finance.writeCount("customer", financeId)).isEqualTo(1);
        assertThat(logStatuses(crmId)).endsWith("SUCCESS");
    }

    @Test
    void retryAllRequeuesEveryFailedItemAndUnknownIdIs404() {
        finance.setDown(true);
        String first = (String) crm.userCreate("customer", crmCustomer("Kian One")).get("id");
        String second = (String) crm.userCreate("customer", crmCustomer("Kian Two")).get("id");
        pollNow();
        await().atMost(TIMEOUT).until(() -> logStatuses(first).contains("FAILED") && logStatuses(second).contains("FAILED"));
        finance.setDown(false);

        ResponseEntity<Map> all = http.postForEntity("/bridge/failed/retry-all", null, Map.class);
        ResponseEntity<Map> unknown = http.postForEntity("/bridge/failed/987654/retry", null, Map.class);

        assertThat(((Number) all.getBody().get("retried")).intValue()).isGreaterThanOrEqualTo(2);
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        awaitFinanceIdOf("customer", first);
        awaitFinanceIdOf("customer", second);
        awaitQueueIdle();
        assertThat(((Number) http.getForEntity("/bridge/stats", Map.class).getBody().get("failed")).longValue()).isZero();
    }
}
