package dev.sdfleet.dispatcher.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    // The example of the Standard Webhooks specification (standard-webhooks.com, "Verifying webhooks").
    private static final byte[] SPEC_KEY = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330;
    private static final String SPEC_BODY = "{\"test\": 2432232314}";

    @Test
    void matchesTheSpecificationsExample() {
        assertEquals(
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                WebhookSignature.sign(List.of(SPEC_KEY), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY));
    }

    @Test
    void signsWithEveryKeySoSecretsCanRotate() {
        byte[] old = "an-older-secret-of-32-bytes-long".getBytes();
        String header = WebhookSignature.sign(List.of(SPEC_KEY, old), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        assertEquals(2, header.split(" ").length);
        assertTrue(WebhookSignature.verify(old, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header));
        assertTrue(WebhookSignature.verify(SPEC_KEY, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header));
    }

    @Test
    void anyChangeBreaksTheSignature() {
        String header = WebhookSignature.sign(List.of(SPEC_KEY), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        assertFalse(WebhookSignature.verify(SPEC_KEY, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY, header));
        assertFalse(WebhookSignature.verify(SPEC_KEY, SPEC_ID + "x", SPEC_TIMESTAMP, SPEC_BODY, header));
        assertFalse(WebhookSignature.verify(SPEC_KEY, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY + " ", header));
        assertFalse(WebhookSignature.verify(SPEC_KEY, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, "v1,not-base64!"));
    }
}
