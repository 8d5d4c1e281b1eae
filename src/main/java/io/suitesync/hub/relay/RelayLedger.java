package io.suitesync.hub.relay;

import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.relay.RelayBatch.RowFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the relay writes to PostgreSQL once it knows a row's fate, each a named query of
 * {@code sql/relay/}: acknowledge a published batch, schedule a failed row's retry, park a row that
 * used its attempts, queue published changes again. Each statement commits on its own and can run
 * twice (a redelivery after an outage) with the same outcome. The claim, the other half, is
 * {@code sql/relay/claim.sql}, run by the relay route's camel-sql consumer. {@link DeliveryProtocol}
 * decides when each runs.
 */
@Component
@ConditionalOnRole("hub")
public class RelayLedger {

    private final NamedParameterJdbcTemplate jdbc;
    private final String acknowledge = query("acknowledge");
    private final String retry = query("retry");
    private final String park = query("park");
    private final String requeuePublished = query("requeue-published");
    /** Rows taken off change_queue by acknowledgements since the start (ChangeQueueVacuum reads it). */
    private final AtomicLong acknowledgedRows = new AtomicLong();

    public RelayLedger(JdbcTemplate jdbc) {
        this.jdbc = new NamedParameterJdbcTemplate(jdbc);
    }

    /** Takes a published batch's rows off the queue (with their retries) and marks the skipped ones. */
    public void acknowledge(Collection<Long> doneIds, Collection<Long> skippedIds) {
        jdbc.update(acknowledge, Map.of("doneIds", arrayLiteral(doneIds.stream(), skippedIds.stream()),
                "skippedIds", arrayLiteral(skippedIds.stream(), Stream.empty())));
        acknowledgedRows.addAndGet(doneIds.size() + skippedIds.size());
    }

    /** Counts rows another statement took off the queue (a live claim that carried their acknowledgement). */
    public void acknowledgedElsewhere(int rows) {
        acknowledgedRows.addAndGet(rows);
    }

    /** Rows this relay has acknowledged (taken off change_queue) since it started. */
    public long acknowledgedRows() {
        return acknowledgedRows.get();
    }

    /** Schedules a retry of each failure with attempts left, parks the others. */
    public void retryOrPark(List<RowFailure> failures) {
        for (RowFailure f : failures) {
            Map<String, Object> row = new HashMap<>();
            row.put("id", f.id());
            row.put("attempts", f.attempts());
            row.put("error", f.error());
            if (f.park()) {
                jdbc.update(park, row);
            } else {
                row.put("table", f.table());
                row.put("recordId", f.recordId());
                row.put("retryDelayMillis", f.retryDelayMillis());
                jdbc.update(retry, row);
            }
        }
    }

    /** Queues every published change of change_log again; returns how many. */
    public int requeuePublished() {
        return jdbc.update(requeuePublished, Map.of());
    }

    /**
     * A PostgreSQL array literal for {@code ANY(CAST(:ids AS bigint[]))}: one text parameter,
     * whatever the batch's size, so the statement stays the same prepared statement.
     */
    static String arrayLiteral(Stream<Long> a, Stream<Long> b) {
        return Stream.concat(a, b).map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }

    /** The text of {@code sql/relay/<name>.sql}. */
    static String query(String name) {
        String path = "sql/relay/" + name + ".sql";
        try (InputStream in = RelayLedger.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }
}
