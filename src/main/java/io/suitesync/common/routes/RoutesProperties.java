package io.suitesync.common.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Operators' route files ({@code suitesync.routes.*}): {@code external-dir} ({@code SUITESYNC_ROUTES_DIR}),
 * a folder whose {@code *.yaml} and {@code *.xml} files load beside the built-in routes, and {@code reload}
 * ({@code SUITESYNC_ROUTES_RELOAD}, default true): whether a change to one of them is applied while the process runs.
 */
@ConfigurationProperties("suitesync.routes")
public record RoutesProperties(String externalDir, boolean reload) {

    public RoutesProperties {
        if (externalDir != null && !externalDir.isBlank() && !Files.isDirectory(Path.of(externalDir))) {
            throw new IllegalArgumentException("suitesync.routes.external-dir: '" + externalDir + "' is not a folder");
        }
    }

    /** The folder, absolute, when one is configured. */
    public Optional<Path> folder() {
        return externalDir == null || externalDir.isBlank()
                ? Optional.empty() : Optional.of(Path.of(externalDir).toAbsolutePath().normalize());
    }
}
