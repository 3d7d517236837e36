package dev.sdfleet.dispatcher.streams;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a POST wait until its request is in the state store, so that the 202 means "stored and visible": a GET right
 * after it finds the request, and two racing submissions of one idempotency key learn which body won. The stream
 * task signals with the fingerprint it holds for the id (the new one, or the earlier one for a duplicate).
 */
public final class Admissions {
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();

    /** A future completed with the stored fingerprint once {@code requestId} is processed. */
    public CompletableFuture<String> expect(String requestId) {
        return waiting.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    public void forget(String requestId, CompletableFuture<String> future) {
        waiting.remove(requestId, future);
    }

    void signal(String requestId, String storedFingerprint) {
        CompletableFuture<String> future = waiting.remove(requestId);
        if (future != null) {
            future.complete(storedFingerprint);
        }
    }
}
