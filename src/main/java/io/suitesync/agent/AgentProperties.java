package io.suitesync.agent;

import io.suitesync.common.ConditionalOnRole;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The agent's configuration ({@code suitesync.agent.*}, defaults in config/agent.yml). Bound only in
 * the agent role, so a hub without an app code still starts.
 */
@Validated
@ConditionalOnRole("agent")
@ConfigurationProperties("suitesync.agent")
public record AgentProperties(
        @NotBlank String appCode,
        List<@NotBlank String> tenants,
        String defaultTenant,
        @NotBlank String stateDir,
        @NotEmpty List<@NotBlank String> criticalEntities,
        @Valid @NotNull Hub hub,
        @Valid @NotNull Stream stream,
        @Valid @NotNull Reference reference) {

    public AgentProperties {
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        defaultTenant = defaultTenant == null || defaultTenant.isBlank() ? null : defaultTenant;
    }

    /** No tenants listed: serve every tenant that enabled the application. */
    public boolean allTenants() {
        return tenants.isEmpty();
    }

    public record Hub(@NotBlank String url, @NotBlank String apiKey, @NotNull Duration connectTimeout,
                      @NotNull Duration requestTimeout) {}

    public record Stream(@NotNull Duration block, @Min(1) int batchSize, @NotNull Duration retryBackoff,
                         @NotNull Duration tenantRefresh, @NotNull Duration stateFlush) {}

    public record Reference(@Valid @NotNull Tier userProfiles, @Valid @NotNull Tier hierarchy) {}

    /**
     * A reference tier: fresh for {@code ttl}; for {@code staleWhileRevalidate} after that the old
     * value is served while it is refetched in the background; kept up to {@code maxStale} to answer
     * (marked stale) while the hub is down.
     */
    public record Tier(@NotNull Duration ttl, @NotNull Duration staleWhileRevalidate, @NotNull Duration maxStale,
                       @Min(1) long maxSize) {}
}
