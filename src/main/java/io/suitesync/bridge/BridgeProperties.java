package io.suitesync.bridge;

import io.suitesync.common.ConditionalOnRole;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The bridge's configuration ({@code suitesync.bridge.*}, defaults and environment names in
 * {@code config/bridge.yml}). Bound only when the bridge role runs, so a hub-only process needs no
 * CRM or Finance credentials.
 */
@Validated
@ConditionalOnRole("bridge")
@ConfigurationProperties("suitesync.bridge")
public record BridgeProperties(
        @Valid @NotNull Crm crm,
        @Valid @NotNull Finance finance,
        @Valid @NotNull Http http,
        @Min(1) int pollIntervalSeconds,
        @NotNull Duration pollInitialDelay,
        @Min(1) int pollPageSize,
        boolean enableWebhooks,
        String webhookSecret,
        @Valid @NotNull Webhook webhook,
        @Min(1) int maxRetryAttempts,
        @NotNull Duration retryInitialBackoff,
        @NotNull Duration retryMaxBackoff,
        @Valid @NotNull Worker worker,
        @NotNull Duration statsLogInterval) {

    public BridgeProperties {
        if (enableWebhooks && (webhookSecret == null || webhookSecret.isBlank())) {
            throw new IllegalArgumentException(
                    "suitesync.bridge.webhook-secret (WEBHOOK_SECRET) must be set when webhooks are enabled");
        }
    }

    /** CRM connection: base URL and static API token. */
    public record Crm(@NotBlank @Pattern(regexp = "https?://.+") String baseUrl, @NotBlank String apiToken) {}

    /** Finance connection: base URL and the login that yields an expiring session token. */
    public record Finance(@NotBlank @Pattern(regexp = "https?://.+") String baseUrl, @NotBlank String username,
                          @NotBlank String password) {}

    /** Timeouts and the connector's own short retries (on 5xx and connection errors) within one attempt. */
    public record Http(@NotNull Duration connectTimeout, @NotNull Duration requestTimeout, @Min(0) int retries,
                       @NotNull Duration retryBackoff) {}

    /** Webhook intake: where the remote systems reach us, and the rate limit per source system. */
    public record Webhook(String publicBaseUrl, @Min(1) int ratePerSecond, @Min(1) int burst) {}

    /** Queue workers: batch claimed per round, parallel syncs, pause when idle, lease of a claimed item. */
    public record Worker(@Min(1) int batchSize, @Min(1) int concurrency, @NotNull Duration idleDelay,
                         @NotNull Duration lease) {}
}
