package io.suitesync.hub.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.common.EventFormat;
import io.suitesync.common.OutboundEvent;
import io.suitesync.hub.HubProperties.Strategy;
import io.suitesync.hub.HubProperties.Table;
import io.suitesync.hub.HubProperties.Tier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BackfillEventsTest {

    private static final Table CREDITS = new Table("credit", "credit-allocations", Tier.CRITICAL, Strategy.FIELD,
            "target_application", List.of("target_application", "amount"), null, Map.of("INSERT", "credit.allocated"),
            null, null, null, null);
    private static final Table ORGS = new Table("org", "organizations", Tier.REFERENCE, Strategy.ENABLED_APPS, null,
            List.of("name"), null, null, null, null, null, null);
    private static final Instant SNAPSHOT = Instant.parse("2026-01-02T03:04:05Z");
    private static final Instant ALLOCATED = Instant.parse("2024-01-15T10:30:00Z");

    private static Map<String, Object> values(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    @Test
    void aCreditSnapshotIsAHistoricalStreamOnlyEventWithTheRecordsVersionAndOriginalTime() {
        SnapshotRow row = new SnapshotRow("a-1", values("targetApplication", "crm", "amount", 1000), 42, ALLOCATED);

        OutboundEvent out = BackfillEvents.toEvents("job-1", "t-1", "crm", BackfillKind.CREDITS, CREDITS, EventFormat.SUITESYNC, SNAPSHOT, List.of(row)).get(0);

        assertThat(out.live()).isFalse();
        assertThat(out.stream()).isEqualTo("crm:t-1:events");
        assertThat(out.event().eventType()).isEqualTo("credit.allocated");
        assertThat(out.event().operation()).isEqualTo("SNAPSHOT");
        assertThat(out.event().version()).isEqualTo(42);
        assertThat(out.event().timestamp()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(out.event().data()).containsEntry("id", "a-1").containsEntry("amount", 1000)
                .containsEntry("changedFields", List.of("targetApplication", "amount"))
                .containsEntry("newValue", values("targetApplication", "crm", "amount", 1000));
        assertThat(out.event().metadata()).containsEntry("isHistoricalSync", true).containsEntry("jobId", "job-1")
                .containsEntry("originalAllocatedAt", "2024-01-15T10:30:00Z").containsEntry("allocationId", "a-1")
                .containsEntry("targetApplication", "crm");
    }

    @Test
    void referenceDataCarriesNoNewValue() {
        SnapshotRow row = new SnapshotRow("o-1", values("name", "HQ"), 0, ALLOCATED);

        OutboundEvent out = BackfillEvents.toEvents("job-1", "t-1", "hrms", BackfillKind.ORGANIZATIONS, ORGS, EventFormat.SUITESYNC, SNAPSHOT, List.of(row)).get(0);

        assertThat(out.event().eventType()).isEqualTo("org.created");
        assertThat(out.event().data()).containsOnlyKeys("id", "name", "changedFields");
        assertThat(out.event().metadata()).containsEntry("originalCreatedAt", "2024-01-15T10:30:00Z")
                .doesNotContainKey("allocationId");
    }

    @Test
    void aSeedFormatCreditSnapshotIsSeed04sHistoricalAllocation() {
        SnapshotRow row = new SnapshotRow("a-1", values("targetApplication", "crm", "amount", 1000, "entityId", "o-1",
                "allocatedAt", "2024-01-15T10:30:00+00:00"), 42, ALLOCATED);

        OutboundEvent out = BackfillEvents.toEvents("job-1", "t-1", "crm", BackfillKind.CREDITS, CREDITS, EventFormat.SEED, SNAPSHOT,
                List.of(row)).get(0);

        assertThat(out.live()).isFalse();
        assertThat(out.event().eventId()).isEqualTo(BackfillEvents.eventId("job-1", "credit_allocations", "a-1", "crm"));
        assertThat(out.event().entityId()).isEqualTo("o-1");
        assertThat(out.event().amount()).isEqualTo(1000);
        assertThat(out.event().version()).isEqualTo(42);
        assertThat(out.event().metadata()).containsEntry("isHistoricalSync", true).containsEntry("allocationId", "a-1")
                .containsEntry("targetApplication", "crm").containsEntry("originalAllocatedAt", "2024-01-15T10:30:00Z")
                .containsEntry("format", "seed").containsEntry("jobId", "job-1");
        assertThat(out.event().data()).containsEntry("allocationId", "a-1").containsEntry("changedFields",
                List.of("target_application", "amount"));
    }

    @Test
    void eventIdsAreDeterministicPerJobRecordAndApplication() {
        String id = BackfillEvents.eventId("job-1", "entities", "o-1", "crm");
        assertThat(BackfillEvents.eventId("job-1", "entities", "o-1", "crm")).isEqualTo(id);
        assertThat(List.of(BackfillEvents.eventId("job-2", "entities", "o-1", "crm"),
                BackfillEvents.eventId("job-1", "entities", "o-2", "crm"),
                BackfillEvents.eventId("job-1", "entities", "o-1", "hrms"),
                BackfillEvents.eventId("job-1", "credit_allocations", "o-1", "crm"))).doesNotContain(id).doesNotHaveDuplicates();
    }

    @Test
    void eventIdsStayTheNameBasedUuidsOfEarlierReleases() {
        // a job resumed by a newer hub re-sends its last batch: the ids must match the ones already in the stream
        for (String record : List.of("o-1", "7f0c1a52-3b0e-4d51-9a4e-2f1f7d0e9c11", "é ü")) {
            assertThat(BackfillEvents.eventId("job-1", "entities", record, "crm")).isEqualTo(UUID.nameUUIDFromBytes(
                    ("backfill:job-1:entities:" + record + ":crm").getBytes(StandardCharsets.UTF_8)).toString());
        }
        List<String> ids = BackfillEvents.toEvents("job-1", "t-1", "crm", BackfillKind.ORGANIZATIONS, ORGS, EventFormat.SUITESYNC, SNAPSHOT,
                List.of(new SnapshotRow("o-1", values("name", "A"), 0, ALLOCATED), new SnapshotRow("o-2", values("name", "B"), 0, ALLOCATED)))
                .stream().map(out -> out.event().eventId()).toList();
        assertThat(ids).containsExactly(BackfillEvents.eventId("job-1", "entities", "o-1", "crm"),
                BackfillEvents.eventId("job-1", "entities", "o-2", "crm"));
    }
}
