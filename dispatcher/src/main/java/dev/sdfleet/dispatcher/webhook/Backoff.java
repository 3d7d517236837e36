package dev.sdfleet.dispatcher.webhook;

import dev.sdfleet.dispatcher.config.WebhookSettings;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff between webhook tries: initial, doubled per failed try, capped, with up to 20 % jitter so that
 * many messages failing at once (a receiver outage) do not come back in lockstep.
 */
public final class Backoff {
    private Backoff() {}

    /** The wait after {@code failedTries} consecutive failed tries (1 for the first failure). */
    public static Duration after(int failedTries, WebhookSettings settings) {
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        int doublings = Math.min(Math.max(0, failedTries - 1), 40);
        long base = doublings >= 62 || initial > (max >> doublings) ? max : Math.min(max, initial << doublings);
        long jitter = (long) (base * 0.2 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(base + jitter);
    }
}
