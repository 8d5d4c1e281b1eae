package io.suitesync.hub.capture;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How the hub captures the Wrapper tables' changes ({@code suitesync.hub.capture.*}).
 *
 * @param mode          {@code trigger}: statement triggers write change_log in the writer's transaction;
 *                      {@code logical}: the hub reads the logical replication slot and writes change_log
 *                      itself (needs {@code wal_level=logical} and a role with REPLICATION)
 * @param slot          the logical replication slot (pgoutput) of {@code logical} mode
 * @param publication   the publication of {@code logical} mode
 * @param maxBatchRows  {@code logical}: change_log rows written per transaction at most, when the slot
 *                      holds more (one source transaction is never split)
 * @param retryInterval {@code logical}: wait before reconnecting after the stream broke, or while
 *                      another hub instance reads the slot
 */
@Validated
@ConfigurationProperties("suitesync.hub.capture")
public record CaptureProperties(
        @NotNull Mode mode,
        @NotNull @Pattern(regexp = "[a-z0-9_]{1,63}", message = "lower-case letters, digits and _ only") String slot,
        @NotNull @Pattern(regexp = "[a-z0-9_]{1,63}", message = "lower-case letters, digits and _ only") String publication,
        @Min(1) int maxBatchRows,
        @NotNull Duration retryInterval) {

    public enum Mode { TRIGGER, LOGICAL }

    public CaptureProperties {
        mode = mode == null ? Mode.TRIGGER : mode;
        slot = slot == null ? "suitesync_capture" : slot;
        publication = publication == null ? "suitesync_capture" : publication;
        maxBatchRows = maxBatchRows <= 0 ? 10_000 : maxBatchRows;
        retryInterval = retryInterval == null ? Duration.ofSeconds(2) : retryInterval;
    }
}
