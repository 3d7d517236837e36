package dev.sdfleet.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.protocol.FieldError;
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
 * Sends the API's calls: waits and retries on a 503 or 429 as {@link RetryPolicy} allows, and turns any other
 * unexpected answer into an {@link SdfleetApiException} from its problem document.
 */
final class HttpCalls {
    private final HttpClient http;
    private final RetryPolicy retry;

    HttpCalls(HttpClient http, RetryPolicy retry) {
        this.http = http;
        this.retry = retry;
    }

    /** The JSON answer to {@code request} once it answers {@code expected}. */
    JsonNode call(HttpRequest request, int expected) {
        Long retryUntil = null; // the window counts from the first retryable answer, not from a slow first call
        while (true) {
            HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = parse(response.body());
            int status = response.statusCode();
            if (status == expected) {
                return body;
            }
            if (status != 503 && status != 429) {
                throw refusal(request, status, body);
            }
            long now = System.nanoTime();
            if (retryUntil == null) {
                retryUntil = now + retry.window().toNanos();
            }
            Duration wait =
                    retry.waitFor(response.headers().firstValue("retry-after").orElse(null));
            if (now + wait.toNanos() > retryUntil) {
                throw refusal(request, status, body);
            }
            pause(wait);
        }
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        String call = request.method() + " " + withoutQuery(request.uri());
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new SdfleetApiException("cannot reach " + withoutQuery(request.uri()) + " (connection refused)", e);
        } catch (HttpTimeoutException e) {
            throw new SdfleetApiException(call + " did not answer in time", e);
        } catch (IOException e) {
            throw new SdfleetApiException(call + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SdfleetApiException(call + " interrupted", e);
        }
    }

    static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SdfleetApiException("interrupted", e);
        }
    }

    private static SdfleetApiException refusal(HttpRequest request, int status, JsonNode problem) {
        String title = problem.path("title").asText("");
        String detail = problem.path("detail").asText(title);
        List<FieldError> fields = new ArrayList<>();
        problem.path("errors")
                .forEach(e -> fields.add(new FieldError(
                        e.path("field").asText(""), e.path("message").asText(""))));
        String message = request.method() + " " + request.uri().getPath() + " answered " + status
                + (detail.isEmpty() ? "" : ": " + detail);
        return new SdfleetApiException(status, title, message, fields);
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            // Not JSON (a proxy's error page, say): keep the start of the text for the message.
            return Json.MAPPER.createObjectNode().put("detail", body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    /** A URL for messages: a presigned URL's query is its credential. */
    static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }
}
