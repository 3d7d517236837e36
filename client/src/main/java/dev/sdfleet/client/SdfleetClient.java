package dev.sdfleet.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.ImageStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The dispatcher's HTTP API ({@code /v1/generations}) for Java programs: any dispatcher, local or deployed.
 *
 * <pre>{@code
 * try (SdfleetClient client = SdfleetClient.builder("https://sdfleet.example.com").bearerToken(key).build()) {
 *     Generation accepted = client.submit(NewGeneration.of("a red circle", "sd15").n(2).seed(7L));
 *     Generation done = client.waitFor(accepted.id(), Duration.ofMinutes(5), g -> System.out.println(g.status()));
 *     for (Generation.Image image : done.images()) {
 *         if (image.status() == ImageStatus.SUCCEEDED) {
 *             Files.write(Path.of(image.index() + ".png"), client.download(image));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Requests are described by the protocol's {@link Generation} document, read leniently
 * ({@link Codec#decodeIgnoringUnknown}): a newer dispatcher's extra fields do not break this client.
 *
 * <p>Every call retries the dispatcher's 503 and 429 as its {@code Retry-After} says, within the
 * {@link RetryPolicy}; any other error answer is an {@link SdfleetApiException} with the status, the problem's title
 * and the refused fields. Thread-safe: one client can serve a whole program.
 */
public final class SdfleetClient implements AutoCloseable {
    private final URI base;
    private final String bearerToken;
    private final HttpClient http;
    private final boolean ownsHttp;
    private final HttpCalls calls;
    private final Duration callTimeout;
    private final Duration pollInterval;

    private SdfleetClient(Builder b) {
        String text = b.baseUrl.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.bearerToken = b.bearerToken;
        this.ownsHttp = b.httpClient == null;
        // HTTP/1.1: a cleartext HTTP/2 upgrade buys nothing for a few calls and has stalled against Vert.x before.
        this.http = ownsHttp
                ? HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(b.connectTimeout)
                        .build()
                : b.httpClient;
        this.calls = new HttpCalls(http, b.retryPolicy);
        this.callTimeout = b.callTimeout;
        this.pollInterval = b.pollInterval;
    }

    /** A builder for the dispatcher at {@code baseUrl}, e.g. {@code http://127.0.0.1:8080}. */
    public static Builder builder(String baseUrl) {
        return new Builder(URI.create(baseUrl));
    }

    /** A builder for the dispatcher at {@code baseUrl}. */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /** The dispatcher's base URL, without a trailing slash. */
    public URI baseUrl() {
        return base;
    }

    /**
     * {@code POST /v1/generations} with a fresh Idempotency-Key: safe to retry within this call, a new request next
     * time.
     *
     * @return the stored request (its id, seed and queued images)
     * @throws SdfleetApiException refused (400 with the fields, 401, 409, 413), or still 503/429 after the retries
     * @throws dev.sdfleet.protocol.ValidationException when the protocol refuses a field before anything is sent
     */
    public Generation submit(NewGeneration request) {
        return submit(request, "java-" + UUID.randomUUID());
    }

    /**
     * {@code POST /v1/generations}: the same {@code idempotencyKey} and body give the same request (so a program that
     * restarts may repeat its POST), the same key with another body a 409.
     */
    public Generation submit(NewGeneration request, String idempotencyKey) {
        ObjectNode body = request.toJson();
        HttpRequest post = authorized("/v1/generations")
                .header("Idempotency-Key", idempotencyKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return generation(calls.call(post, 202));
    }

    /** {@code GET /v1/generations/{id}}: the request's status and images. */
    public Generation get(String id) {
        return generation(
                calls.call(authorized("/v1/generations/" + encode(id)).GET().build(), 200));
    }

    /** {@link #waitFor(String, Duration, Consumer)} without a callback. */
    public Generation waitFor(String id, Duration timeout) {
        return waitFor(id, timeout, g -> {});
    }

    /**
     * Follows the request until it finishes: its event stream ({@code GET /v1/generations/{id}/events}, pushed by the
     * dispatcher as the state changes), or, where the stream cannot be had or breaks off, polls
     * {@code GET /v1/generations/{id}} every poll interval.
     *
     * @param progress called with the first state and then each time the state changes (a status, an attempt, a
     *     denoising step); not for a fresh download link alone. Runs on the calling thread.
     * @return the finished request, read with a GET at the end (its download links signed now)
     * @throws WaitTimeoutException when it is still running after {@code timeout}
     */
    public Generation waitFor(String id, Duration timeout, Consumer<Generation> progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Changes changes = new Changes(progress);
        try (EventStream events = EventStream.open(
                http,
                authorized("/v1/generations/" + encode(id) + "/events")
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build())) {
            while (!events.ended()) {
                Optional<Generation> state = events.next(deadline - System.nanoTime());
                if (state.isPresent()) {
                    changes.offer(state.get());
                    if (state.get().status().finished()) {
                        Generation done = get(id);
                        changes.offer(done);
                        return done;
                    }
                } else if (System.nanoTime() >= deadline) {
                    throw new WaitTimeoutException(changes.last != null ? changes.last : get(id), timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + id, e);
        }
        while (true) {
            Generation state = get(id);
            changes.offer(state);
            if (state.status().finished()) {
                return state;
            }
            if (System.nanoTime() + pollInterval.toNanos() > deadline) {
                throw new WaitTimeoutException(state, timeout);
            }
            HttpCalls.pause(pollInterval);
        }
    }

    /** Hands the caller each state that differs from the last one shown, links aside. */
    private static final class Changes {
        private final Consumer<Generation> progress;
        private JsonNode shown;
        private Generation last;

        Changes(Consumer<Generation> progress) {
            this.progress = progress;
        }

        void offer(Generation state) {
            last = state;
            JsonNode comparable = withoutLinks(state);
            if (!comparable.equals(shown)) {
                shown = comparable;
                progress.accept(state);
            }
        }
    }

    /**
     * {@code DELETE /v1/generations/{id}}: queued images are dropped, running ones signalled; the request then ends
     * as {@code cancelled} ({@link #waitFor} shows it).
     *
     * @throws SdfleetApiException 409 when it already finished, 404 when there is no such request
     */
    public void cancel(String id) {
        calls.call(authorized("/v1/generations/" + encode(id)).DELETE().build(), 202);
    }

    /**
     * {@code GET /v1/generations}: this tenant's requests, newest first.
     *
     * @param status only requests in this status (e.g. {@code "completed"}); null for all
     * @param limit 1..100 per page; null for the dispatcher's default (20)
     * @param cursor the previous page's {@link GenerationPage#nextCursor()}; null for the first page
     */
    public GenerationPage list(String status, Integer limit, String cursor) {
        List<String> query = new ArrayList<>();
        if (status != null) {
            query.add("status=" + encode(status));
        }
        if (limit != null) {
            query.add("limit=" + limit);
        }
        if (cursor != null) {
            query.add("cursor=" + encode(cursor));
        }
        String path = "/v1/generations" + (query.isEmpty() ? "" : "?" + String.join("&", query));
        JsonNode page = calls.call(authorized(path).GET().build(), 200);
        List<Generation> data = new ArrayList<>();
        page.path("data").forEach(doc -> data.add(generation(doc)));
        JsonNode next = page.get("next_cursor");
        return new GenerationPage(data, next == null || next.isNull() ? Optional.empty() : Optional.of(next.asText()));
    }

    /**
     * The stored bytes of a succeeded image, through its presigned {@code download_url} (no credentials needed, none
     * sent), checked against its SHA-256.
     *
     * @throws IllegalArgumentException when the image has no download URL (not succeeded, or a dispatcher without
     *     S3 settings, which does not presign)
     * @throws SdfleetApiException when the download is refused or its bytes are not the stored ones
     */
    public byte[] download(Generation.Image image) {
        if (image.status() != ImageStatus.SUCCEEDED || image.downloadUrl() == null) {
            throw new IllegalArgumentException("image " + image.index() + " has no download_url (status "
                    + image.status() + "; a dispatcher without S3 settings does not presign)");
        }
        URI url = URI.create(image.downloadUrl());
        HttpRequest get = HttpRequest.newBuilder(url).timeout(callTimeout).GET().build();
        HttpResponse<byte[]> response = calls.send(get, HttpResponse.BodyHandlers.ofByteArray());
        String where = HttpCalls.withoutQuery(url);
        if (response.statusCode() != 200) {
            throw new SdfleetApiException(
                    response.statusCode(), "", "GET " + where + " answered " + response.statusCode(), List.of());
        }
        String digest = sha256Hex(response.body());
        if (image.sha256() != null && !image.sha256().equalsIgnoreCase(digest)) {
            throw new SdfleetApiException(
                    200,
                    "digest mismatch",
                    "GET " + where + " gave bytes with SHA-256 " + digest + ", not the stored " + image.sha256(),
                    List.of());
        }
        return response.body();
    }

    @Override
    public void close() {
        if (ownsHttp) {
            http.close();
        }
    }

    private HttpRequest.Builder authorized(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(callTimeout);
        if (bearerToken != null) {
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        return builder;
    }

    /** A document of the dispatcher's, read leniently. */
    private static Generation generation(JsonNode doc) {
        try {
            return Codec.decodeIgnoringUnknown(Json.MAPPER.writeValueAsBytes(doc), Generation.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document without its download links, which the dispatcher signs afresh at every GET. */
    private static JsonNode withoutLinks(Generation state) {
        JsonNode copy;
        try {
            copy = Json.MAPPER.readTree(Codec.encode(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        copy.path("images").forEach(image -> {
            if (image instanceof ObjectNode o) {
                o.remove(List.of("download_url", "download_expires_at"));
            }
        });
        return copy;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** Settings of an {@link SdfleetClient}. */
    public static final class Builder {
        private final URI baseUrl;
        private String bearerToken;
        private HttpClient httpClient;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofMillis(500);
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;

        private Builder(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        }

        /** The tenant's API key, sent as {@code Authorization: Bearer}. */
        public Builder bearerToken(String value) {
            bearerToken = value;
            return this;
        }

        /** A client of the caller's (proxy, TLS settings); it stays open when this client closes. */
        public Builder httpClient(HttpClient value) {
            httpClient = value;
            return this;
        }

        /** How long connecting may take (default 10 s); for the client's own HttpClient only. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** How long one call may take to answer (default 30 s). */
        public Builder callTimeout(Duration value) {
            callTimeout = value;
            return this;
        }

        /** How often {@link SdfleetClient#waitFor} polls where the event stream is not to be had (default 500 ms). */
        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        /** How long 503 and 429 answers are retried (default {@link RetryPolicy#DEFAULT}). */
        public Builder retryPolicy(RetryPolicy value) {
            retryPolicy = value;
            return this;
        }

        public SdfleetClient build() {
            return new SdfleetClient(this);
        }
    }
}
