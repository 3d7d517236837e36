package dev.sdfleet.bench.dispatcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hostile calls to a dispatcher's API and the count of its answers by status: mostly {@link Fuzz}ed bodies posted to
 * {@code /v1/generations}, and among them an oversized Idempotency-Key, a wrong API key, odd request ids (encoded
 * slashes, NUL, 300 characters) and cancels of requests that do not exist. Seeded, so a run can be repeated.
 */
public final class FuzzedRequests {
    /** The status counted for a call that got no answer at all (a timeout, a reset connection). */
    public static final int NO_ANSWER = 0;

    private FuzzedRequests() {}

    /**
     * {@code count} hostile calls to the dispatcher at {@code baseUrl}, authorised with {@code apiKey} where they
     * are meant to pass the door; {@code validBody} is the body of those whose only fault is elsewhere.
     */
    public static List<HttpRequest> mix(String baseUrl, String apiKey, String validBody, int count) {
        Fuzz fuzz = new Fuzz(42);
        Random random = new Random(7);
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(
                    switch (random.nextInt(20)) {
                        case 0 ->
                            request(baseUrl, "/v1/generations", apiKey)
                                    .header("Idempotency-Key", "k".repeat(300))
                                    .POST(HttpRequest.BodyPublishers.ofString(validBody))
                                    .build();
                        case 1 ->
                            request(baseUrl, "/v1/generations", "wrong-key-" + i)
                                    .POST(HttpRequest.BodyPublishers.ofString(validBody))
                                    .build();
                        case 2 ->
                            request(
                                            baseUrl,
                                            "/v1/generations/"
                                                    + List.of("..%2F..", "%00", "x".repeat(300), "g-" + i, "a%20b")
                                                            .get(random.nextInt(5)),
                                            apiKey)
                                    .GET()
                                    .build();
                        case 3 ->
                            request(baseUrl, "/v1/generations/missing-" + i, apiKey)
                                    .DELETE()
                                    .build();
                        default ->
                            request(baseUrl, "/v1/generations", apiKey)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(fuzz.next()))
                                    .build();
                    });
        }
        return requests;
    }

    /** Sends {@code requests} with {@code clients} callers at once; the answers by status ({@link #NO_ANSWER}). */
    public static Map<Integer, Integer> send(HttpClient http, List<HttpRequest> requests, int clients)
            throws InterruptedException {
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests.size()) {
                        statuses.merge(status(http, requests.get(i)), 1, Integer::sum);
                    }
                    return null;
                });
            }
        }
        return new TreeMap<>(statuses);
    }

    private static int status(HttpClient http, HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return NO_ANSWER; // counted, not thrown: a dropped call is a finding, not the end of the run
        }
    }

    private static HttpRequest.Builder request(String baseUrl, String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }
}
