package dev.sdfleet.client;

import java.time.Duration;

/**
 * How long a call keeps retrying the answers the dispatcher marks as retryable: 503 (it is starting, or request
 * ownership is moving between its instances) and 429 (a tenant limit), each with a {@code Retry-After}. A POST is
 * safe to repeat because it always carries an Idempotency-Key.
 *
 * @param window how long after the first retryable answer a call may still retry; zero: never retry
 * @param maxWait the longest single wait, whatever {@code Retry-After} asks (so a call never stalls long)
 */
public record RetryPolicy(Duration window, Duration maxWait) {
    /** 60 s of retries, at most 10 s per wait. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10));

    /** No retries: the first 503 or 429 is thrown. */
    public static final RetryPolicy NONE = new RetryPolicy(Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (window.isNegative() || maxWait.isNegative()) {
            throw new IllegalArgumentException("window and maxWait must not be negative");
        }
    }

    /** The wait before the next try: {@code Retry-After} seconds (1 when absent or a date), at most {@link #maxWait}. */
    Duration waitFor(String retryAfter) {
        long seconds = 1;
        if (retryAfter != null) {
            try {
                seconds = Math.max(1, Long.parseLong(retryAfter.trim()));
            } catch (NumberFormatException e) {
                // An HTTP date: rare from a dispatcher, which sends seconds; 1 s is its own usual choice.
            }
        }
        Duration wait = Duration.ofSeconds(seconds);
        return wait.compareTo(maxWait) > 0 ? maxWait : wait;
    }
}
