package io.suitesync.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.bridge.SystemId;
import io.suitesync.bridge.webhook.WebhookSignature.Sender;
import io.suitesync.simulator.SimulatedSystem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The signature and timestamp check, request by request: the CRM is replay protected (signature over
 * {@code id.timestamp.body}, 5 min window), Finance is configured as a system that sends no timestamp
 * (signature over the body alone). Signatures are made with the simulators' helper, so the
 * simulators and the bridge are known to agree.
 */
class WebhookSignatureTest {

    private static final String CRM_SECRET = "crm-secret-0123456789";
    private static final String FINANCE_SECRET = "finance-secret-0123456789";
    private static final String BODY = "{\"entityType\":\"customer\",\"entityId\":\"CRM-C-1\"}";
    private static final long NOW = 1_800_000_000L;

    private final WebhookSignature check = new WebhookSignature(
            Map.of(SystemId.CRM, Sender.of(CRM_SECRET, true), SystemId.FINANCE, Sender.of(FINANCE_SECRET, false)),
            Duration.ofMinutes(5), Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    static Stream<Arguments> requests() {
        String id = "d-1";
        String signed = sign(CRM_SECRET, id, NOW, BODY);
        return Stream.of(
                row("fresh, own secret", SystemId.CRM, signed, NOW, id, BODY, null),
                row("sha256= prefix", SystemId.CRM, "sha256=" + signed, NOW, id, BODY, null),
                row("uppercase hex", SystemId.CRM, signed.toUpperCase(), NOW, id, BODY, null),
                row("signed with Finance's secret", SystemId.CRM, sign(FINANCE_SECRET, id, NOW, BODY), NOW, id, BODY, "does not match"),
                row("unsigned", SystemId.CRM, null, NOW, id, BODY, "missing or malformed X-Signature-SHA256"),
                row("signature not hex", SystemId.CRM, "zz", NOW, id, BODY, "missing or malformed X-Signature-SHA256"),
                row("body changed", SystemId.CRM, signed, NOW, id, BODY.replace("C-1", "C-2"), "does not match"),
                row("timestamp changed", SystemId.CRM, signed, NOW - 1, id, BODY, "does not match"),
                row("delivery id changed", SystemId.CRM, signed, NOW, "d-2", BODY, "does not match"),
                row("body-only signature", SystemId.CRM, SimulatedSystem.sign(CRM_SECRET, BODY), NOW, id, BODY, "does not match"),
                row("no timestamp", SystemId.CRM, signed, null, id, BODY, "missing or malformed X-Signature-Timestamp"),
                row("timestamp in milliseconds", SystemId.CRM, sign(CRM_SECRET, id, NOW * 1000, BODY), NOW * 1000, id, BODY,
                        "missing or malformed X-Signature-Timestamp"),
                row("no delivery id", SystemId.CRM, signed, NOW, null, BODY, "missing or malformed X-Delivery-Id"),
                row("delivery id with a dot", SystemId.CRM, sign(CRM_SECRET, "d.1", NOW, BODY), NOW, "d.1", BODY,
                        "missing or malformed X-Delivery-Id"),
                row("delivery id of 129 characters", SystemId.CRM, sign(CRM_SECRET, "x".repeat(129), NOW, BODY), NOW,
                        "x".repeat(129), BODY, "missing or malformed X-Delivery-Id"),
                row("signed 5 min ago: edge of the window", SystemId.CRM, sign(CRM_SECRET, id, NOW - 300, BODY), NOW - 300, id, BODY, null),
                row("signed 5 min 1 s ago", SystemId.CRM, sign(CRM_SECRET, id, NOW - 301, BODY), NOW - 301, id, BODY,
                        "outside the replay window"),
                row("sender clock 5 min ahead", SystemId.CRM, sign(CRM_SECRET, id, NOW + 300, BODY), NOW + 300, id, BODY, null),
                row("sender clock 5 min 1 s ahead", SystemId.CRM, sign(CRM_SECRET, id, NOW + 301, BODY), NOW + 301, id, BODY,
                        "outside the replay window"),
                row("no replay protection: body signed", SystemId.FINANCE, SimulatedSystem.sign(FINANCE_SECRET, BODY), null, null,
                        BODY, null),
                row("no replay protection: old timestamp is not looked at", SystemId.FINANCE,
                        SimulatedSystem.sign(FINANCE_SECRET, BODY), NOW - 86_400, id, BODY, null),
                row("no replay protection: signed with the CRM's secret", SystemId.FINANCE, SimulatedSystem.sign(CRM_SECRET, BODY),
                        null, null, BODY, "does not match"),
                row("no replay protection: unsigned", SystemId.FINANCE, null, null, null, BODY,
                        "missing or malformed X-Signature-SHA256"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void onlyAFreshHmacWithTheSendersOwnSecretIsAccepted(String name, SystemId endpoint, String signature, Long timestamp,
                                                         String deliveryId, String body, String refusal) {
        String reason = check.refusal(body, endpoint, signature, timestamp == null ? null : timestamp.toString(), deliveryId);

        if (refusal == null) {
            assertThat(reason).isNull();
        } else {
            assertThat(reason).contains(refusal);
        }
    }

    @Test
    void aSystemWithoutSecretAcceptsNothing() {
        WebhookSignature unconfigured = new WebhookSignature(Map.of(SystemId.CRM, Sender.of(null, true)), Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

        assertThat(unconfigured.refusal(BODY, SystemId.CRM, sign(CRM_SECRET, "d-1", NOW, BODY), Long.toString(NOW), "d-1"))
                .contains("no webhook secret");
        assertThat(unconfigured.refusal(BODY, SystemId.FINANCE, sign(FINANCE_SECRET, "d-1", NOW, BODY), Long.toString(NOW), "d-1"))
                .contains("no webhook secret");
    }

    private static String sign(String secret, String deliveryId, long timestamp, String body) {
        return SimulatedSystem.sign(secret, deliveryId, timestamp, body);
    }

    private static Arguments row(String name, SystemId endpoint, String signature, Long timestamp, String deliveryId,
                                 String body, String refusal) {
        return Arguments.of(name, endpoint, signature, timestamp, deliveryId, body, refusal);
    }
}
