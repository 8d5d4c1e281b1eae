package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.SuiteSyncApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Operators add routes from a folder of their own (SUITESYNC_ROUTES_DIR), beside the built-in ones. */
class ExternalRoutesIT {

    @TempDir
    Path routes;

    @Test
    void routeFromExternalFolderRunsBesideBuiltInOnes() throws Exception {
        Files.writeString(routes.resolve("greeting.yaml"), """
                - route:
                    id: operator-greeting
                    from:
                      uri: direct:operator-greeting
                      steps:
                        - setBody:
                            simple: "hello ${body}"
                """);

        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(SuiteSyncApplication.class)
                .run("--server.port=0", "--suitesync.routes.external-dir=" + routes)) {
            CamelContext camel = hub.getBean(CamelContext.class);
            assertThat(camel.getRoute("operator-greeting")).isNotNull();
            assertThat(camel.getRoute("change-log-relay")).isNotNull();
            ProducerTemplate producer = camel.createProducerTemplate();
            assertThat(producer.requestBody("direct:operator-greeting", "operator", String.class)).isEqualTo("hello operator");
        }
    }
}
