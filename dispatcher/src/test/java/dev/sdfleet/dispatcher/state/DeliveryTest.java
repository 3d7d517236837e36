package dev.sdfleet.dispatcher.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeliveryTest {
    @Test
    void keepsTheLatestTriesAndCountsThemAll() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Delivery delivery = Delivery.pending("msg_r_completed", "generation.completed", "https://x.example/h", "{}", t);
        for (int i = 1; i <= 60; i++) {
            assertEquals(i, delivery.nextAttemptNumber());
            delivery = delivery.withAttempt(
                    new DeliveryAttempt(i, t.plusSeconds(i), 3, 500, null),
                    DeliveryPhase.PENDING,
                    t.plusSeconds(i + 1));
        }
        assertEquals(Delivery.KEPT_ATTEMPTS, delivery.attempts().size());
        assertEquals(60, delivery.attemptCount());
        assertEquals(11, delivery.attempts().get(0).number(), "the oldest are dropped");
        Delivery again = delivery.redelivered(t.plusSeconds(100));
        assertEquals(61, again.nextAttemptNumber(), "numbers go on across a redelivery");
        assertEquals(DeliveryPhase.PENDING, again.phase());
    }
}
