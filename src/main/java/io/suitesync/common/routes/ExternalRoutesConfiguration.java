package io.suitesync.common.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Watches the operators' routes folder while the process runs (unless {@code suitesync.routes.reload=false}).
 * Which files load at start-up is decided with the other route files, by {@code camel.main.routes-include-pattern}.
 */
@Configuration(proxyBeanMethods = false)
public class ExternalRoutesConfiguration {

    @Bean
    CamelContextConfiguration externalRouteReloading(RoutesProperties routes) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                if (routes.reload()) {
                    routes.folder().ifPresent(folder -> {
                        try {
                            camel.addService(new ExternalRouteReloader(folder));
                        } catch (Exception e) {
                            throw new IllegalStateException("suitesync.routes.external-dir: cannot watch " + folder, e);
                        }
                    });
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                // the watcher starts with Camel
            }
        };
    }
}
