package io.suitesync.hub.backfill;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Historical backfill tuning ({@code suitesync.backfill.*}, defaults in config/admin.yml).
 *
 * @param batchSize       records read in one snapshot and written to Redis in one pipeline
 * @param concurrentJobs  jobs running at once on this instance (the rest wait in the queue)
 * @param queueSize       jobs waiting on this instance; beyond it the resume sweep picks them up later
 * @param lease           a running job whose instance has not reported progress for this long is
 *                        taken over (by this or another instance) and resumed from its cursor
 * @param resumeInterval  how often unfinished jobs with an expired lease are looked for
 */
@Validated
@ConfigurationProperties("suitesync.backfill")
public record BackfillProperties(
        @Min(1) @Max(50_000) int batchSize,
        @Min(1) @Max(64) int concurrentJobs,
        @Min(1) int queueSize,
        @NotNull Duration lease,
        @NotNull Duration resumeInterval) {}
