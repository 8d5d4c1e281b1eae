package io.suitesync.bridge;

import io.suitesync.common.ConditionalOnRole;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
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

    /** Shorter HMAC keys are refused at start-up: a webhook secret is the only thing that authenticates a sender. */
    public static final int MIN_WEBHOOK_SECRET_LENGTH = 16;

    public BridgeProperties {
        if (enableWebhooks && crm != null && finance != null) {
            for (SystemId system : SystemId.values()) {
                String secret = webhookSecretOf(system, crm, finance, webhookSecret);
                String key = "suitesync.bridge." + system.name().toLowerCase() + ".webhook-secret (" + system.name()
                        + "_WEBHOOK_SECRET) or suitesync.bridge.webhook-secret (WEBHOOK_SECRET)";
                if (secret == null || secret.isBlank()) {
                    throw new IllegalArgumentException(key + " must be set when webhooks are enabled");
                }
                if (secret.length() < MIN_WEBHOOK_SECRET_LENGTH) {
                    throw new IllegalArgumentException(key + " must be at least " + MIN_WEBHOOK_SECRET_LENGTH
                            + " characters long");
                }
            }
        }
    }

    /** The HMAC key of one system's webhooks: its own secret, else the shared {@code webhook-secret}. */
    public String webhookSecretOf(SystemId system) {
        return webhookSecretOf(system, crm, finance, webhookSecret);
    }

    /** Whether one system's webhooks must carry a signed timestamp and delivery id (replay protection). */
    public boolean webhookReplayProtectionOf(SystemId system) {
        return system == SystemId.CRM ? crm.webhookReplayProtection() : finance.webhookReplayProtection();
    }

    private static String webhookSecretOf(SystemId system, Crm crm, Finance finance, String shared) {
        String own = system == SystemId.CRM ? crm.webhookSecret() : finance.webhookSecret();
        return own == null || own.isBlank() ? shared : own;
    }

    /**
     * CRM connection: base URL and static API token; the key of its webhooks and whether they must be
     * replay protected (off only for a CRM that cannot send a signed timestamp and delivery id).
     */
    public record Crm(@NotBlank @Pattern(regexp = "https?://.+") String baseUrl, @NotBlank String apiToken,
                      String webhookSecret, @DefaultValue("true") boolean webhookReplayProtection) {}

    /** Finance connection: base URL, the login that yields an expiring session token, and its webhooks as for the CRM. */
    public record Finance(@NotBlank @Pattern(regexp = "https?://.+") String baseUrl, @NotBlank String username,
                          @NotBlank String password, String webhookSecret,
                          @DefaultValue("true") boolean webhookReplayProtection) {}

    /** Timeouts and the connector's own short retries (on 5xx and connection errors) within one attempt. */
    public record Http(@NotNull Duration connectTimeout, @NotNull Duration requestTimeout, @Min(0) int retries,
                       @NotNull Duration retryBackoff) {}

    /**
     * Webhook intake: where the remote systems reach us, the rate limit per source system (correctly
     * signed requests only), and how far a signed timestamp may be from our clock, either way.
     */
    public record Webhook(String publicBaseUrl, @Min(1) int ratePerSecond, @Min(1) int burst,
                          @NotNull @DurationMin(seconds = 1) Duration replayWindow) {}

    /** Queue workers: batch claimed per round, parallel syncs, pause when idle, lease of a claimed item. */
    public record Worker(@Min(1) int batchSize, @Min(1) int concurrency, @NotNull Duration idleDelay,
                         @NotNull Duration lease) {}
}
