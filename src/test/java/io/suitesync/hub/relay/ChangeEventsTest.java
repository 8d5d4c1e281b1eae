package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChangeEventsTest {

    @Test
    void eventIdsStayTheVersion3UuidsTheyWereBefore() {
        for (long changeId : new long[] {1, 42, 9_876_543_210L}) {
            for (String app : new String[] {"crm", "hrms", "finance"}) {
                UUID expected = UUID.nameUUIDFromBytes(("change:" + changeId + ":" + app).getBytes(StandardCharsets.UTF_8));
                assertThat(ChangeEvents.eventId(changeId, app)).isEqualTo(expected.toString());
            }
        }
        assertThat(UUID.fromString(ChangeEvents.eventId(1, "crm")).version()).isEqualTo(3);
    }

    @Test
    void columnNamesBecomeCamelCase() {
        assertThat(ChangeEvents.camel("credit_cost")).isEqualTo("creditCost");
        assertThat(ChangeEvents.camel("operation_code")).isEqualTo("operationCode");
        assertThat(ChangeEvents.camel("id")).isEqualTo("id");
        assertThat(ChangeEvents.camel("a_b_c")).isEqualTo("aBC");
    }
}
