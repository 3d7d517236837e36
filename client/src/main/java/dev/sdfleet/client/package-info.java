/**
 * A Java client of an sdfleet fleet.
 *
 * <ul>
 *   <li>{@link dev.sdfleet.client.SdfleetClient}: the dispatcher's HTTP API ({@code /v1/generations}): submit with an
 *       Idempotency-Key, get, wait with a progress callback, cancel, list, and download an image (its SHA-256
 *       checked). It retries what the dispatcher asks to be retried (503 and 429 with {@code Retry-After}).</li>
 *   <li>{@link dev.sdfleet.client.WebhookVerifier}: checks the Standard Webhooks signature of a call the dispatcher
 *       made to a receiver.</li>
 *   <li>{@link dev.sdfleet.client.kafka.RequestPublisher}: writes generation requests straight to the requests topic
 *       (needs {@code org.apache.kafka:kafka-clients} on the class path).</li>
 * </ul>
 *
 * <p>Requests are the protocol's {@code dev.sdfleet.protocol} types; answers are read leniently, so a dispatcher
 * that adds fields to its documents does not break an older client.
 */
package dev.sdfleet.client;
