package dev.sdfleet.dispatcher.state;

import java.time.Instant;

/**
 * One try to deliver a webhook message, as shown through the API.
 *
 * @param number 1 for the first try of the delivery, counting on across redeliveries
 * @param at when the call started
 * @param durationMs how long it took until the answer or the failure
 * @param statusCode the receiver's HTTP status, if it answered
 * @param error why the try failed without a status (connection refused, timeout, refused destination), if so
 */
public record DeliveryAttempt(int number, Instant at, long durationMs, Integer statusCode, String error) {

    public boolean succeeded() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
