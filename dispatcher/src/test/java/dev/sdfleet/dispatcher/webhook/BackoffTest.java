package dev.sdfleet.dispatcher.webhook;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.WebhookSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final WebhookSettings settings = WebhookSettings.defaults(); // 5 s doubling to 1 h, 25 h window

    @Test
    void doublesWithJitterUpToTheCap() {
        for (int failed = 1; failed <= 12; failed++) {
            long base = Math.min(3_600_000L, 5_000L << (failed - 1));
            long wait = Backoff.after(failed, settings).toMillis();
            assertTrue(wait >= base && wait <= base * 1.2, failed + " -> " + wait);
        }
        assertTrue(Backoff.after(1_000, settings).compareTo(Duration.ofMinutes(72)) <= 0);
    }

    @Test
    void triesGoOnForMoreThanADay() {
        Duration total = Duration.ZERO;
        int tries = 0;
        while (total.compareTo(settings.retryFor()) < 0) {
            total = total.plus(Backoff.after(++tries, settings));
        }
        assertTrue(settings.retryFor().compareTo(Duration.ofHours(24)) > 0);
        assertTrue(tries > 20 && tries < 40, "tries in the window: " + tries);
    }
}
