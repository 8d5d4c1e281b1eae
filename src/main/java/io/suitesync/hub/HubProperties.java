package io.suitesync.hub;

import io.suitesync.common.EventFormat;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The hub's configuration ({@code suitesync.hub.*}): the applications of the suite, the captured
 * tables with their routing rule, the relay's tuning and the event format of each application.
 * Adding an application or a table is a change here, not in code.
 *
 * @param eventFormat the format of the events each application receives; an application not listed
 *                    gets {@link EventFormat#SUITESYNC}
 */
@Validated
@ConfigurationProperties("suitesync.hub")
public record HubProperties(
        @NotEmpty List<@NotBlank String> applications,
        @NotNull List<@NotBlank String> suiteWidePermissions,
        @NotEmpty Map<String, @Valid @NotNull Table> tables,
        @Valid @NotNull Relay relay,
        Map<String, @NotNull EventFormat> eventFormat) {

    public HubProperties {
        eventFormat = eventFormat == null ? Map.of() : Map.copyOf(eventFormat);
        for (String app : eventFormat.keySet()) {
            if (!applications.contains(app)) {
                throw new IllegalArgumentException("suitesync.hub.event-format." + app + ": '" + app
                        + "' is not one of suitesync.hub.applications " + applications);
            }
        }
    }

    /** The format of the events {@code application} receives. */
    public EventFormat formatOf(String application) {
        return eventFormat.getOrDefault(application, EventFormat.SUITESYNC);
    }

    /**
     * How a captured table is captured, routed and published.
     *
     * @param seed what the seed format needs beyond the rest: its channel's data type and the columns
     *             only its events carry (captured too)
     */
    public record Table(
            @NotBlank String entity,
            @NotBlank String dataType,
            @NotNull Tier tier,
            @NotNull Strategy strategy,
            String routingField,
            List<String> contextColumns,
            List<String> valueFields,
            Map<String, String> eventTypes,
            String keyColumn,
            String tenantColumn,
            String priority,
            @Valid Seed seed) {

        public Table {
            contextColumns = contextColumns == null ? List.of() : List.copyOf(contextColumns);
            valueFields = valueFields == null ? List.of() : List.copyOf(valueFields);
            eventTypes = eventTypes == null ? Map.of() : Map.copyOf(eventTypes);
            keyColumn = keyColumn == null ? "id" : keyColumn;
            tenantColumn = tenantColumn == null ? "tenant_id" : tenantColumn;
            priority = priority == null ? "normal" : priority;
            seed = seed == null ? new Seed(null, null) : seed;
        }

        /** Columns the capture trigger records as context: the context columns, then the seed format's. */
        public List<String> capturedColumns() {
            LinkedHashSet<String> all = new LinkedHashSet<>(contextColumns);
            all.addAll(seed.columns());
            return List.copyOf(all);
        }

        /** Data type (last part of the pub/sub channel) of the events of an application in {@code format}. */
        public String dataType(EventFormat format) {
            return format == EventFormat.SEED && seed.dataType() != null ? seed.dataType() : dataType;
        }

        /** Event type for an operation: an explicit mapping, else {@code entity.created|updated|deleted}. */
        public String eventType(String operation) {
            String explicit = eventTypes.get(operation);
            if (explicit != null) {
                return explicit;
            }
            return switch (operation) {
                case "INSERT" -> entity + ".created";
                case "UPDATE" -> entity + ".updated";
                case "DELETE" -> entity + ".deleted";
                default -> throw new IllegalArgumentException("unknown operation " + operation);
            };
        }
    }

    /**
     * The seed format's additions to a table's rule.
     *
     * @param dataType channel data type for seed-format applications (e.g. {@code hierarchy}); null: the table's
     * @param columns  columns only seed-format events carry (e.g. a user's name): captured, but left out of
     *                 SuiteSync-format events
     */
    public record Seed(String dataType, List<String> columns) {

        public Seed {
            columns = columns == null ? List.of() : List.copyOf(columns);
        }
    }

    /** Critical data is carried with its values; reference data only with ids and changed fields. */
    public enum Tier { CRITICAL, REFERENCE }

    public enum Strategy {
        /** the application whose prefix starts the value of {@code routingField} (e.g. {@code crm.leads.create}) */
        PREFIX,
        /** every application with a permission of its prefix in the array {@code routingField}, all on a suite-wide one */
        PERMISSIONS,
        /** the application named by {@code routingField} */
        FIELD,
        /** every application the tenant has enabled */
        ENABLED_APPS
    }

    /**
     * The relay's tuning. Streams keep about {@code streamMaxLength} entries, more while a consumer
     * group has not read or acknowledged them, never more than about {@code streamHardMaxLength}
     * (see StreamTrimPolicy).
     */
    public record Relay(
            @Min(1) int batchSize,
            @NotNull Duration pollInterval,
            @Min(1) int maxAttempts,
            @NotNull Duration retryBackoff,
            @Min(1) long streamMaxLength,
            @Min(1) long streamHardMaxLength,
            @NotNull Duration groupCheckInterval,
            @NotNull Duration redisCheckInterval,
            @NotNull Duration retention,
            @NotNull Duration purgeInterval,
            @Min(1) int fairWindow,
            @Min(0) int tenantMetricsTop,
            @Min(1) int liveBatchSize,
            @Min(1) int bulkThreshold,
            @Min(0) long queueVacuumRows) {

        @AssertTrue(message = "suitesync.hub.relay.stream-hard-max-length must not be below stream-max-length")
        public boolean isHardMaxLengthAboveMaxLength() {
            return streamHardMaxLength >= streamMaxLength;
        }
    }
}
