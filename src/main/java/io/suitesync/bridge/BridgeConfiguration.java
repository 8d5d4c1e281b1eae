package io.suitesync.bridge;

import io.suitesync.common.ConditionalOnRole;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the bridge that are not components of their own. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("bridge")
public class BridgeConfiguration {

    /** Threads that sync claimed items in parallel (the split in routes/bridge/bridge-worker.camel.yaml). */
    @Bean(name = "bridgeWorkerPool", destroyMethod = "shutdown")
    ExecutorService bridgeWorkerPool(BridgeProperties properties) {
        AtomicInteger counter = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.worker().concurrency(),
                r -> new Thread(r, "bridge-worker-" + counter.incrementAndGet()));
    }
}
