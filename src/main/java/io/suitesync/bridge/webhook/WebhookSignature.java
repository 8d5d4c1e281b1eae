package io.suitesync.bridge.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.suitesync.bridge.BridgeProperties;
import io.suitesync.bridge.SystemId;
import io.suitesync.common.ConditionalOnRole;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Decides whether a webhook request comes from the system it claims to, and is fresh. It runs
 * before the rate limit and before the body is parsed, so a request that fails here costs one HMAC
 * and spends nothing of the senders' budget.
 *
 * <p>With replay protection (the default) a sender signs {@code <deliveryId>.<timestamp>.<raw body>}
 * (the Standard Webhooks layout) with its own secret: {@code X-Signature-SHA256: hex(HMAC-SHA256)},
 * {@code X-Signature-Timestamp: <unix seconds>}, {@code X-Delivery-Id}. A timestamp further than the
 * replay window from our clock, either way, is refused; inside the window the delivery id is what
 * {@link WebhookIntake} refuses to take twice. Without replay protection (a system that cannot send
 * them) the signature covers the raw body alone.
 */
@Component("bridgeWebhookSignature")
@ConditionalOnRole("bridge")
public class WebhookSignature {

    public static final String SIGNATURE_HEADER = "X-Signature-SHA256";
    public static final String TIMESTAMP_HEADER = "X-Signature-Timestamp";
    public static final String DELIVERY_HEADER = "X-Delivery-Id";
    /** Exchange property holding why a request was refused. */
    public static final String REFUSAL_PROPERTY = "bridgeWebhookRefusal";

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");
    // no '.', so the three parts of the signed string cannot be shifted against each other
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9_:-]{1,128}");
    private static final Logger log = LoggerFactory.getLogger(WebhookSignature.class);

    private final Map<SystemId, Sender> senders;
    private final Duration window;
    private final Clock clock;
    private final Map<SystemId, Counter> refused = new EnumMap<>(SystemId.class);

    @Autowired
    public WebhookSignature(BridgeProperties properties, MeterRegistry meters) {
        this(senders(properties), properties.webhook().replayWindow(), Clock.systemUTC());
        for (SystemId system : SystemId.values()) {
            refused.put(system, Counter.builder("suitesync.bridge.webhook.refused").tag("system", system.name())
                    .description("webhook requests refused with 401 (unsigned, badly signed or outside the replay window)")
                    .register(meters));
        }
        if (properties.enableWebhooks()
                && properties.webhookSecretOf(SystemId.CRM).equals(properties.webhookSecretOf(SystemId.FINANCE))) {
            log.warn("CRM and Finance share one webhook secret: a payload signed by one is accepted on the other's "
                    + "endpoint. Set CRM_WEBHOOK_SECRET and FINANCE_WEBHOOK_SECRET.");
        }
    }

    WebhookSignature(Map<SystemId, Sender> senders, Duration window, Clock clock) {
        this.senders = Map.copyOf(senders);
        this.window = window;
        this.clock = clock;
    }

    /** One system's key and whether its webhooks must be replay protected. */
    record Sender(byte[] secret, boolean replayProtection) {
        static Sender of(String secret, boolean replayProtection) {
            return new Sender(secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8), replayProtection);
        }
    }

    private static Map<SystemId, Sender> senders(BridgeProperties properties) {
        Map<SystemId, Sender> senders = new EnumMap<>(SystemId.class);
        for (SystemId system : SystemId.values()) {
            senders.put(system, Sender.of(properties.webhookSecretOf(system), properties.webhookReplayProtectionOf(system)));
        }
        return senders;
    }

    /** Route predicate: true when the request is refused; the reason is left in {@link #REFUSAL_PROPERTY}. */
    public boolean refuses(@Body String body, @Header(WebhookIntake.SOURCE_HEADER) String source,
                           @Header(SIGNATURE_HEADER) String signature, @Header(TIMESTAMP_HEADER) String timestamp,
                           @Header(DELIVERY_HEADER) String deliveryId, Exchange exchange) {
        SystemId system = SystemId.valueOf(source);
        String reason = refusal(body, system, signature, timestamp, deliveryId);
        if (reason == null) {
            return false;
        }
        exchange.setProperty(REFUSAL_PROPERTY, reason);
        Counter counter = refused.get(system);
        if (counter != null) {
            counter.increment();
        }
        log.debug("Webhook from {} refused: {}", source, reason);
        return true;
    }

    /** Why this request must be refused, or null when it is genuine and inside the window. */
    String refusal(String body, SystemId source, String signature, String timestamp, String deliveryId) {
        Sender sender = senders.get(source);
        if (sender == null || sender.secret().length == 0) {
            return "no webhook secret is configured for " + source;
        }
        byte[] presented = hex(signature);
        if (presented == null || body == null) {
            return "missing or malformed " + SIGNATURE_HEADER;
        }
        String signed = body;
        if (sender.replayProtection()) {
            if (timestamp == null || !TIMESTAMP.matcher(timestamp).matches()) {
                return "missing or malformed " + TIMESTAMP_HEADER + " (unix seconds)";
            }
            if (deliveryId == null || !DELIVERY_ID.matcher(deliveryId).matches()) {
                return "missing or malformed " + DELIVERY_HEADER + " (1-128 of A-Z a-z 0-9 _ : -)";
            }
            long skew = Math.abs(clock.instant().getEpochSecond() - Long.parseLong(timestamp));
            if (skew > window.toSeconds()) {
                return TIMESTAMP_HEADER + " is outside the replay window of " + window.toSeconds() + " s";
            }
            signed = deliveryId + "." + timestamp + "." + body;
        }
        if (!MessageDigest.isEqual(sign(sender.secret(), signed), presented)) {
            return SIGNATURE_HEADER + " does not match";
        }
        return null;
    }

    private static byte[] hex(String signature) {
        if (signature == null) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(signature.trim().replaceFirst("^sha256=", ""));
        } catch (IllegalArgumentException notHex) {
            return null;
        }
    }

    static byte[] sign(byte[] secret, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
