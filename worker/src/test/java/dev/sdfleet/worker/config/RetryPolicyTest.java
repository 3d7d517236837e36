package dev.sdfleet.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1));

    @Test
    void backoffDoublesUpToTheCap() {
        assertEquals(100, policy.ceiling(1));
        assertEquals(200, policy.ceiling(2));
        assertEquals(800, policy.ceiling(4));
        assertEquals(1000, policy.ceiling(5));
        assertEquals(1000, policy.ceiling(1_000), "no overflow for many retries");
    }

    @Test
    void jitterStaysBetweenHalfAndTheFullWait() {
        for (int retry = 1; retry <= 10; retry++) {
            for (int i = 0; i < 50; i++) {
                long wait = policy.backoff(retry).toMillis();
                assertTrue(
                        wait >= policy.ceiling(retry) / 2 && wait <= policy.ceiling(retry),
                        "retry " + retry + " waited " + wait);
            }
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ZERO, Duration.ofMillis(1)));
        assertThrows(
                IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
