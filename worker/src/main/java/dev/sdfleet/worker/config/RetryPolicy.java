package dev.sdfleet.worker.config;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff for transient failures (S3 down, broker unavailable): retry {@code n} waits
 * {@code initialBackoff * 2^(n-1)}, capped at {@code maxBackoff}, with "equal jitter" (half fixed, half random) so
 * that workers hit by the same outage do not retry in lockstep.
 *
 * <p>How long to keep retrying is the caller's: S3 uploads retry for {@code SDFLEET_S3_RETRY_WINDOW_MS}, result sends
 * for as long as the worker runs.
 *
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest single wait
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "backoffs must satisfy 0 < initial <= max, got " + initialBackoff + " and " + maxBackoff);
        }
    }

    /** The wait before retry {@code retry} (1-based), jittered within [half, full] of the exponential value. */
    public Duration backoff(int retry) {
        long full = ceiling(retry);
        long half = full / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(full - half + 1));
    }

    /** The un-jittered wait before retry {@code retry}: the upper bound of {@link #backoff(int)}. */
    public long ceiling(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries are numbered from 1, got " + retry);
        }
        long initial = initialBackoff.toMillis();
        int doublings = Math.min(retry - 1, 30); // 2^30 times any sane initial backoff is past any cap
        return Math.min(maxBackoff.toMillis(), initial << doublings);
    }
}
