package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written writer must produce exactly the data binding's bytes, for every kind of value. */
class SyncEventWriterTest {

    private final ObjectMapper mapper = JsonMapper.builder().findAndAddModules().build();
    private final SyncEventWriter writer = new SyncEventWriter(mapper);

    @Test
    void writesTheSameBytesAsTheObjectMapper() throws Exception {
        Map<String, Object> newValue = new LinkedHashMap<>();
        newValue.put("creditCost", 7);
        newValue.put("big", 12_345_678_901L);
        newValue.put("ratio", 0.25);
        newValue.put("exact", new BigDecimal("10.50"));
        newValue.put("active", true);
        newValue.put("note", "naïve \"quoted\" \\ line\nbreak ✓");
        newValue.put("missing", null);
        newValue.put("permissions", List.of("crm.leads.read", "user-management"));
        newValue.put("nested", Map.of("deep", List.of(1, Map.of("x", false))));
        newValue.put("at", Instant.parse("2026-11-22T10:15:30Z"));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", "a1");
        data.put("changedFields", List.of("creditCost", "note"));
        data.put("newValue", newValue);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("isHistoricalSync", false);
        metadata.put("changeId", 42L);
        SyncEvent event = new SyncEvent("e-1", "credit-config.updated", "tenant-1", "crm", "credit-config", "a1",
                "UPDATE", 42L, "2026-11-22T10:15:30.123456Z", data, metadata);

        byte[] expected = mapper.writeValueAsBytes(event);
        byte[] actual = writer.write(event);

        assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(Arrays.equals(actual, expected)).isTrue();
    }

    @Test
    void writesTheSeedFormatsTopLevelAmountLikeTheObjectMapper() throws Exception {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("isHistoricalSync", true);
        metadata.put("allocationId", "a1");
        SyncEvent event = new SyncEvent("e-3", "credit.allocated", "tenant-1", "crm", "credit", "o1", "SNAPSHOT", 9L,
                "2026-11-22T10:15:30Z", 1000.0, Map.of("allocationId", "a1"), metadata);

        assertThat(new String(writer.write(event), StandardCharsets.UTF_8))
                .isEqualTo(new String(mapper.writeValueAsBytes(event), StandardCharsets.UTF_8))
                .contains("\"timestamp\":\"2026-11-22T10:15:30Z\",\"amount\":1000.0,\"data\"");
    }

    @Test
    void leavesOutNullFieldsLikeTheEventContract() throws Exception {
        SyncEvent event = new SyncEvent("e-2", "org.deleted", "tenant-1", "hrms", "organization", "o1",
                "DELETE", 3L, "2026-11-22T10:15:30Z", null, null);

        assertThat(writer.write(event)).isEqualTo(mapper.writeValueAsBytes(event));
        assertThat(new String(writer.write(event), StandardCharsets.UTF_8)).doesNotContain("data", "metadata", "amount");
    }
}
