package dev.sdfleet.dispatcher.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sdfleet.dispatcher.state.StateJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the API, as a caller in another language would use it. */
public final class Api {
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    /** An answer. */
    public record Answer(int status, HttpResponse<String> raw, JsonNode json) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public Api(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Answer post(String path, String apiKey, String idempotencyKey, String body) {
        HttpRequest.Builder b = request(path, apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b.build());
    }

    public Answer get(String path, String apiKey) {
        return send(request(path, apiKey).GET().build());
    }

    /** A GET with one extra header (the forwarding mark between instances, say). */
    public Answer get(String path, String apiKey, String header, String value) {
        return send(request(path, apiKey).header(header, value).GET().build());
    }

    public Answer delete(String path, String apiKey) {
        return send(request(path, apiKey).DELETE().build());
    }

    private HttpRequest.Builder request(String path, String apiKey) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = response.body().isEmpty()
                        ? MissingNode.getInstance()
                        : StateJson.MAPPER.readTree(response.body());
            } catch (IOException e) {
                json = MissingNode.getInstance();
            }
            return new Answer(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
