package dev.sdfleet.dispatcher.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How webhooks are sent.
 *
 * @param timeout the most one try may take, connect included
 * @param initialBackoff the wait after the first failed try; doubled after each further one
 * @param maxBackoff the longest wait between two tries
 * @param retryFor how long after the message was made tries go on (Standard Webhooks asks for at least a day)
 * @param allowLoopback whether 127.0.0.0/8 and ::1 may be called (the local fleet; never in production)
 * @param allowPrivate whether private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10) may be called
 * @param allowLinkLocal whether link-local ranges (169.254/16 with the cloud metadata address, fe80::/10) may be
 *     called
 */
public record WebhookSettings(
        Duration timeout,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration retryFor,
        boolean allowLoopback,
        boolean allowPrivate,
        boolean allowLinkLocal) {

    public WebhookSettings {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(retryFor, "retryFor");
        if (timeout.isNegative()
                || timeout.isZero()
                || initialBackoff.isNegative()
                || initialBackoff.isZero()
                || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("webhook timings must be positive, max backoff >= initial backoff");
        }
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings(
                Duration.ofSeconds(15),
                Duration.ofSeconds(5),
                Duration.ofHours(1),
                Duration.ofHours(25),
                false,
                false,
                false);
    }

    public WebhookSettings withLoopbackAllowed(boolean allowed) {
        return new WebhookSettings(
                timeout, initialBackoff, maxBackoff, retryFor, allowed, allowPrivate, allowLinkLocal);
    }

    public WebhookSettings withBackoff(Duration initial, Duration max) {
        return new WebhookSettings(timeout, initial, max, retryFor, allowLoopback, allowPrivate, allowLinkLocal);
    }

    public WebhookSettings withTimeout(Duration value) {
        return new WebhookSettings(
                value, initialBackoff, maxBackoff, retryFor, allowLoopback, allowPrivate, allowLinkLocal);
    }
}
