package io.suitesync.simulator;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Profile;
import org.springframework.validation.annotation.Validated;

/** {@code suitesync.simulators.*}: ports and credentials of the CRM and Finance simulators (profile {@code simulators}). */
@Validated
@Profile("simulators")
@ConfigurationProperties("suitesync.simulators")
public record SimulatorProperties(@Valid @NotNull Crm crm, @Valid @NotNull Finance finance) {

    public record Crm(@Min(0) @Max(65535) int port, @NotBlank String apiToken) {}

    public record Finance(@Min(0) @Max(65535) int port, @NotBlank String username, @NotBlank String password,
                          @NotNull Duration sessionTtl) {}
}
