package dev.sdfleet.client;

/** A webhook call that must not be trusted: a header missing, a stale timestamp, or no matching signature. */
public final class WebhookVerificationException extends RuntimeException {
    WebhookVerificationException(String message) {
        super(message);
    }
}
