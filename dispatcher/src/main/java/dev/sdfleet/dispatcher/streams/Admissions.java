package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.state.RequestState;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a POST wait until its request is in the state store, so that the 202 means "stored and visible": a GET right
 * after it finds the request, and two racing submissions of one idempotency key learn which body won. The stream
 * task signals with the state it holds for the id (the new one, or the earlier one for a duplicate), so the answer
 * is built from it without reading the store again (that second read, a key-ownership query, a store lookup and a
 * JSON parse per admission, was about 2 % of the API threads' CPU samples in the bench's profile).
 */
public final class Admissions {
    private final Map<String, CompletableFuture<RequestState>> waiting = new ConcurrentHashMap<>();

    /** A future completed with the stored state once {@code requestId} is processed. */
    public CompletableFuture<RequestState> expect(String requestId) {
        return waiting.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    public void forget(String requestId, CompletableFuture<RequestState> future) {
        waiting.remove(requestId, future);
    }

    /** {@code stored}: the request's state as it is in the store now (immutable, so safe to hand to the API). */
    void signal(String requestId, RequestState stored) {
        CompletableFuture<RequestState> future = waiting.remove(requestId);
        if (future != null) {
            future.complete(stored);
        }
    }
}
