package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class InfrastructureEnvironmentPostProcessorTest {

    private final ClassLoader classLoader = getClass().getClassLoader();

    @Test
    void builtInRouteFilesAreListedOneByOneSoCamelNeverScansTheJar() {
        MockEnvironment env = new MockEnvironment().withProperty("suitesync.roles", "hub");

        List<String> files = List.of(InfrastructureEnvironmentPostProcessor.routePattern(env, classLoader).split(","));

        assertThat(files).contains("classpath:routes/config/error-handling.camel.yaml",
                "classpath:routes/common/health.camel.yaml", "classpath:routes/hub/change-log-relay.camel.yaml");
        assertThat(files).allSatisfy(file -> assertThat(file).doesNotContain("*"));
        assertThat(files).noneMatch(file -> file.startsWith("classpath:routes/agent/")
                || file.startsWith("classpath:routes/bridge/"));
    }

    @Test
    void eachRoleAddsItsFolderAndTheOperatorsFolderStaysAPattern() {
        MockEnvironment env = new MockEnvironment().withProperty("suitesync.roles", "agent,bridge")
                .withProperty("suitesync.routes.external-dir", "/etc/suitesync/routes");

        List<String> files = List.of(InfrastructureEnvironmentPostProcessor.routePattern(env, classLoader).split(","));

        assertThat(files).anyMatch(file -> file.startsWith("classpath:routes/agent/"))
                .anyMatch(file -> file.startsWith("classpath:routes/bridge/"))
                .noneMatch(file -> file.startsWith("classpath:routes/hub/"))
                .endsWith("file:/etc/suitesync/routes/*.yaml", "file:/etc/suitesync/routes/*.xml");
    }

    @Test
    void aFolderWithoutRoutesListsNothing() {
        assertThat(InfrastructureEnvironmentPostProcessor.builtInRouteFiles("routes/nothing-here", classLoader)).isEmpty();
    }
}
