package dev.sdfleet.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.webhook.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Calls signed by the dispatcher's own signer pass; tampered, foreign, stale and unsigned ones do not. */
class WebhookVerifierTest {
    private static final String BODY = "{\"type\":\"generation.completed\",\"data\":{\"id\":\"r-1\"}}";
    private static final String ID = "msg_r-1_completed";

    private final WebhookVerifier acme = new WebhookVerifier(TestTenants.whsec(TestTenants.ACME_SECRET));

    private static String sign(byte[] key, long timestamp, String body) {
        return WebhookSignature.sign(List.of(key), ID, timestamp, body);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsWhatTheDispatcherSigned() {
        long now = Instant.now().getEpochSecond();
        String signature = sign(TestTenants.ACME_SECRET, now, BODY);
        assertDoesNotThrow(() -> acme.verify(ID, Long.toString(now), signature, utf8(BODY)));
        // As a server framework hands headers over: any case.
        Map<String, List<String>> headers = Map.of(
                "Webhook-Id", List.of(ID),
                "WEBHOOK-TIMESTAMP", List.of(Long.toString(now)),
                "webhook-signature", List.of(signature));
        assertDoesNotThrow(() -> acme.verify(headers, utf8(BODY)));
    }

    @Test
    void acceptsAnyOfSeveralSignaturesAndSecrets() {
        long now = Instant.now().getEpochSecond();
        // The dispatcher signs with every secret of a tenant that is rotating its secret.
        String both = WebhookSignature.sign(List.of(TestTenants.GLOBEX_SECRET, TestTenants.ACME_SECRET), ID, now, BODY);
        assertDoesNotThrow(() -> acme.verify(ID, Long.toString(now), both, utf8(BODY)));
        WebhookVerifier rotating = new WebhookVerifier(
                TestTenants.whsec(TestTenants.GLOBEX_SECRET), TestTenants.whsec(TestTenants.ACME_SECRET));
        String acmeOnly = sign(TestTenants.ACME_SECRET, now, BODY);
        assertDoesNotThrow(() -> rotating.verify(ID, Long.toString(now), acmeOnly, utf8(BODY)));
    }

    @Test
    void refusesATamperedBodyAnotherIdOrAnotherSecret() {
        long now = Instant.now().getEpochSecond();
        String signature = sign(TestTenants.ACME_SECRET, now, BODY);
        String ts = Long.toString(now);
        assertThrows(
                WebhookVerificationException.class,
                () -> acme.verify(ID, ts, signature, utf8(BODY.replace("r-1", "r-2"))));
        assertThrows(WebhookVerificationException.class, () -> acme.verify(ID + "x", ts, signature, utf8(BODY)));
        String globex = sign(TestTenants.GLOBEX_SECRET, now, BODY);
        assertThrows(WebhookVerificationException.class, () -> acme.verify(ID, ts, globex, utf8(BODY)));
        assertThrows(WebhookVerificationException.class, () -> acme.verify(ID, ts, "v1,not-base64!", utf8(BODY)));
    }

    @Test
    void refusesStaleOrFutureTimestampsEvenWhenSigned() {
        long stale = Instant.now().minusSeconds(6 * 60).getEpochSecond();
        WebhookVerificationException e = assertThrows(
                WebhookVerificationException.class,
                () -> acme.verify(ID, Long.toString(stale), sign(TestTenants.ACME_SECRET, stale, BODY), utf8(BODY)));
        assertTrue(e.getMessage().contains("replay"), e.getMessage());
        long future = Instant.now().plusSeconds(6 * 60).getEpochSecond();
        assertThrows(
                WebhookVerificationException.class,
                () -> acme.verify(ID, Long.toString(future), sign(TestTenants.ACME_SECRET, future, BODY), utf8(BODY)));
    }

    @Test
    void refusesMissingHeadersAndBadSecrets() {
        assertThrows(WebhookVerificationException.class, () -> acme.verify(Map.of(), utf8(BODY)));
        assertThrows(IllegalArgumentException.class, () -> new WebhookVerifier("not-a-whsec"));
        assertThrows(IllegalArgumentException.class, WebhookVerifier::new);
    }
}
