package io.suitesync.bridge.webhook;

import io.suitesync.bridge.BridgeProperties;
import io.suitesync.common.ConditionalOnRole;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/** Checks {@code X-Signature-SHA256: hex(HMAC-SHA256(WEBHOOK_SECRET, raw body))} in constant time. */
@Component("bridgeWebhookSignature")
@ConditionalOnRole("bridge")
public class WebhookSignature {

    public static final String HEADER = "X-Signature-SHA256";

    private final byte[] secret;

    @Autowired
    public WebhookSignature(BridgeProperties properties) {
        this(properties.webhookSecret() == null ? new byte[0] : properties.webhookSecret().getBytes(StandardCharsets.UTF_8));
    }

    WebhookSignature(byte[] secret) {
        this.secret = secret;
    }

    public boolean isInvalid(@Body String body, @Header(HEADER) String signature) {
        return !isValid(body, signature);
    }

    public boolean isValid(@Body String body, @Header(HEADER) String signature) {
        if (secret.length == 0 || signature == null || body == null) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(signature.trim().replaceFirst("^sha256=", ""));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(sign(secret, body), presented);
    }

    static byte[] sign(byte[] secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
