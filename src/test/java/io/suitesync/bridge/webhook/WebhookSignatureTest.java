package io.suitesync.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.simulator.SimulatedSystem;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookSignatureTest {

    private static final String BODY = "{\"entityType\":\"customer\",\"entityId\":\"CRM-C-1\"}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "right secret          | s3cret | s3cret | true",
            "with sha256= prefix   | s3cret | s3cret | true",
            "wrong secret          | s3cret | other  | false",
            "missing               | s3cret |        | false",
            "not hex               | s3cret | zz     | false",
            "no secret configured  |        | s3cret | false"})
    void onlyTheHmacOfTheExactBodyWithOurSecretIsValid(String name, String ourSecret, String senderSecret, boolean valid) {
        WebhookSignature signature = new WebhookSignature(ourSecret == null ? new byte[0] : ourSecret.getBytes(StandardCharsets.UTF_8));
        String header = switch (name.trim()) {
            case "missing" -> null;
            case "not hex" -> "zz";
            case "with sha256= prefix" -> "sha256=" + SimulatedSystem.sign(senderSecret, BODY);
            default -> SimulatedSystem.sign(senderSecret, BODY);
        };

        assertThat(signature.isValid(BODY, header)).isEqualTo(valid);
    }

    @Test
    void aChangedBodyInvalidatesTheSignature() {
        String secret = "s3cret";
        WebhookSignature signature = new WebhookSignature(secret.getBytes(StandardCharsets.UTF_8));
        String header = HexFormat.of().formatHex(WebhookSignature.sign(secret.getBytes(StandardCharsets.UTF_8), BODY));

        assertThat(signature.isValid(BODY, header)).isTrue();
        assertThat(signature.isValid(BODY.replace("C-1", "C-2"), header)).isFalse();
    }
}
