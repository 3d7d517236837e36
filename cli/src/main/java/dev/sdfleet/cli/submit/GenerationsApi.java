package dev.sdfleet.cli.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The dispatcher's generations API as the command line uses it: submit a request, read its state. Any dispatcher:
 * the local fleet's or a deployed one.
 *
 * <p>A 503 is the dispatcher's "retry": it is starting, or request ownership is moving between its instances (a
 * rolling deploy, a scale-out). Calls wait as its {@code Retry-After} says and try again, for up to a retry window;
 * a POST is safe to repeat because it always carries an Idempotency-Key.
 */
public final class GenerationsApi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEFAULT_RETRY_WINDOW = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_RETRY_AFTER_SECONDS = 10;

    private final URI base;
    private final String apiKey;
    private final Duration retryWindow;
    // HTTP/1.1: a cleartext HTTP/2 upgrade buys nothing for a few calls and has stalled against Vert.x before.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public GenerationsApi(URI base, String apiKey) {
        this(base, apiKey, DEFAULT_RETRY_WINDOW);
    }

    GenerationsApi(URI base, String apiKey, Duration retryWindow) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.apiKey = apiKey;
        this.retryWindow = retryWindow;
    }

    public URI base() {
        return base;
    }

    /**
     * {@code POST /v1/generations}; the answer's JSON (the request with its id) once the dispatcher stored it.
     *
     * @param idempotencyKey makes a retry of this call safe: the same key and body give the same request
     * @throws ApiException unreachable, or anything but 202
     */
    public JsonNode submit(JsonNode body, String idempotencyKey) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/generations"))
                .timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Idempotency-Key", idempotencyKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return call(request, 202);
    }

    /** {@code GET /v1/generations/{id}}: status, each image's state and location. */
    public JsonNode get(String id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/generations/" + id))
                .timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .GET()
                .build();
        return call(request, 200);
    }

    private JsonNode call(HttpRequest request, int expected) {
        Long retryUntil = null; // the window counts from the first 503, so a slow first answer does not use it up
        while (true) {
            HttpResponse<String> response = send(request);
            JsonNode body = parse(response.body());
            if (response.statusCode() == expected) {
                return body;
            }
            if (response.statusCode() != 503) {
                throw refusal(request, response.statusCode(), body);
            }
            long now = System.nanoTime();
            if (retryUntil == null) {
                retryUntil = now + retryWindow.toNanos();
            }
            Duration wait = retryAfter(response);
            if (now + wait.toNanos() > retryUntil) {
                throw refusal(request, response.statusCode(), body);
            }
            pause(wait);
        }
    }

    /** The 503's Retry-After in seconds (1 when absent or not a number; at most 10, so a call never stalls long). */
    private static Duration retryAfter(HttpResponse<String> response) {
        long seconds = response.headers()
                .firstValue("retry-after")
                .map(value -> {
                    try {
                        return Long.parseLong(value.trim());
                    } catch (NumberFormatException e) {
                        return 1L; // an HTTP date: rare from a dispatcher, and 1 s is its own choice
                    }
                })
                .orElse(1L);
        return Duration.ofSeconds(Math.clamp(seconds, 1, MAX_RETRY_AFTER_SECONDS));
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted", List.of());
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException(
                    0,
                    "cannot reach the dispatcher at " + base + " (connection refused): is "
                            + "`./sdfleet up` running, or is --url right?",
                    List.of());
        } catch (HttpTimeoutException e) {
            throw new ApiException(0, "the dispatcher at " + base + " did not answer in time", List.of());
        } catch (IOException e) {
            throw new ApiException(0, "cannot talk to the dispatcher at " + base + ": " + e, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted", List.of());
        }
    }

    private ApiException refusal(HttpRequest request, int status, JsonNode problem) {
        String detail = problem.path("detail").asText(problem.path("title").asText(""));
        String call = request.method() + " " + request.uri().getPath();
        return switch (status) {
            case 400 -> {
                List<ApiException.FieldProblem> fields = new ArrayList<>();
                problem.path("errors")
                        .forEach(e -> fields.add(new ApiException.FieldProblem(
                                e.path("field").asText(), e.path("message").asText())));
                yield new ApiException(400, "the dispatcher refused the request (400): " + detail, fields);
            }
            case 401 ->
                new ApiException(
                        401,
                        "the dispatcher refused the API key (401): pass the right one with "
                                + "--api-key (the local fleet's is in .sdfleet/tenants.json; `./sdfleet up` prints it)",
                        List.of());
            case 503 ->
                new ApiException(
                        503,
                        call + " still answered 503 after " + retryWindow.toSeconds() + " s of retries"
                                + (detail.isEmpty() ? "" : ": " + detail),
                        List.of());
            default ->
                new ApiException(
                        status, call + " answered " + status + (detail.isEmpty() ? "" : ": " + detail), List.of());
        };
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            // Not JSON (a proxy's error page, say): keep the text for the message.
            return JSON.createObjectNode().put("detail", body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
