package io.suitesync.bridge.webhook;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.common.ConditionalOnRole;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Rate limit of the webhook endpoints, one bucket per source system. It runs after the signature
 * check, so only correctly signed requests spend it: a flood of forged ones cannot crowd the real
 * sender out. It only sheds load (the sender gets 429 and retries); nothing accepted depends on it,
 * so it may live in memory.
 */
@Component("bridgeWebhookRateLimiter")
@ConditionalOnRole("bridge")
public class WebhookRateLimiter {

    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final BridgeProperties.Webhook settings;

    public WebhookRateLimiter(BridgeProperties properties) {
        this.settings = properties.webhook();
    }

    /** True when this request is over the limit (and must get 429); false takes one token. */
    public boolean limitExceeded(@Header(WebhookIntake.SOURCE_HEADER) String source) {
        return !buckets.computeIfAbsent(source, s -> new TokenBucket(settings.ratePerSecond(), settings.burst(), System::nanoTime))
                .tryAcquire();
    }
}
