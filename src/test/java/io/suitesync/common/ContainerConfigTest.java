package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The container files as a security reviewer reads them (no Docker engine runs here): every published
 * port bound to loopback, every secret taken from the git-ignored .env, nothing run as root, a health check.
 */
class ContainerConfigTest {

    private static final Path ROOT = Path.of(".");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPublishedPortIsBoundToLoopback() throws IOException {
        services().forEach((name, service) -> ((List<String>) service.getOrDefault("ports", List.of()))
                .forEach(port -> assertThat(port).as(name + " publishes " + port).startsWith("127.0.0.1:")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void secretsComeFromTheEnvFileWithoutDefaults() throws IOException {
        services().forEach((name, service) -> ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
                .forEach((key, value) -> {
                    if (key.matches(".*(PASSWORD|API_KEY|READ_KEYS|SECRET|TOKEN).*")) {
                        assertThat(String.valueOf(value)).as(name + " " + key)
                                .matches("\\$\\{[A-Z_]+(:\\?[^}]*)?}");
                    }
                }));
        String example = Files.readString(ROOT.resolve(".env.example"));
        assertThat(example.lines().filter(l -> l.matches("[A-Z_]*(PASSWORD|API_KEY|READ_KEYS)=.*")))
                .as("secrets in .env.example are left empty").isNotEmpty().allMatch(l -> l.endsWith("="));
        assertThat(Files.readAllLines(ROOT.resolve(".gitignore"))).contains(".env");
        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).contains(".env");
    }

    @Test
    void imageRunsAsAnUnprivilegedUserWithAHealthCheck() throws IOException {
        List<String> runtimeStage = Files.readString(ROOT.resolve("Dockerfile"))
                .split("(?m)^FROM ")[2].lines().toList();
        assertThat(runtimeStage).anyMatch(l -> l.matches("USER (?!root|0\\b).+"));
        assertThat(runtimeStage).anyMatch(l -> l.startsWith("HEALTHCHECK ")).anyMatch(l -> l.contains("/health"));
    }
}
