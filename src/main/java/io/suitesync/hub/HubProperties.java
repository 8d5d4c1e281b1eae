package io.suitesync.hub;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The hub's configuration ({@code suitesync.hub.*}): the applications of the suite, the captured
 * tables with their routing rule, and the relay's tuning. Adding an application or a table is a
 * change here, not in code.
 */
@Validated
@ConfigurationProperties("suitesync.hub")
public record HubProperties(
        @NotEmpty List<@NotBlank String> applications,
        @NotNull List<@NotBlank String> suiteWidePermissions,
        @NotEmpty Map<String, @Valid @NotNull Table> tables,
        @Valid @NotNull Relay relay) {

    /** How a captured table is captured, routed and published. */
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
            String priority) {

        public Table {
            contextColumns = contextColumns == null ? List.of() : List.copyOf(contextColumns);
            valueFields = valueFields == null ? List.of() : List.copyOf(valueFields);
            eventTypes = eventTypes == null ? Map.of() : Map.copyOf(eventTypes);
            keyColumn = keyColumn == null ? "id" : keyColumn;
            tenantColumn = tenantColumn == null ? "tenant_id" : tenantColumn;
            priority = priority == null ? "normal" : priority;
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
            @Min(0) int tenantMetricsTop) {

        @AssertTrue(message = "suitesync.hub.relay.stream-hard-max-length must not be below stream-max-length")
        public boolean isHardMaxLengthAboveMaxLength() {
            return streamHardMaxLength >= streamMaxLength;
        }
    }
}
