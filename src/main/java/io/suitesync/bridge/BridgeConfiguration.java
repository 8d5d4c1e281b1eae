package io.suitesync.bridge;

import io.suitesync.common.ConditionalOnRole;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the bridge that are not components of their own. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("bridge")
public class BridgeConfiguration {

    /**
     * Thread pool profile {@code bridgeWorkerPool}: the threads that sync claimed items in parallel
     * (the split in routes/bridge/bridge-worker.camel.yaml). A Camel profile rather than an Executor
     * bean, so Camel owns the pool's lifecycle and Spring's own task executor is not displaced.
     */
    @Bean
    CamelContextConfiguration bridgeWorkerPool(BridgeProperties properties) {
        int threads = properties.worker().concurrency();
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getExecutorServiceManager().registerThreadPoolProfile(
                        new ThreadPoolProfileBuilder("bridgeWorkerPool").poolSize(threads).maxPoolSize(threads)
                                .maxQueueSize(-1).build());
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing to do once started
            }
        };
    }
}
