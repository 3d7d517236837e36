package dev.sdfleet.dispatcher.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.FieldError;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Error answers as RFC 9457 problem documents, with the field errors of a 400 listed one by one. Every 503 here is
 * transient (starting, partitions moving, Kafka briefly away), so it carries {@code Retry-After} for clients that
 * back off by the header.
 */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";
    static final String RETRY_AFTER_SECONDS = "1";

    private Problems() {}

    static void send(RoutingContext ctx, int status, String title, String detail) {
        send(ctx, status, title, detail, List.of());
    }

    /**
     * 429: a tenant limit refused the request. The document names the limit ({@code limit}); {@code Retry-After} says
     * when the limit lets the next request through.
     */
    static void tooManyRequests(RoutingContext ctx, String limit, long retryAfterSeconds, String detail) {
        ObjectNode body = StateJson.MAPPER.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", "too many requests");
        body.put("status", 429);
        body.put("detail", detail);
        body.put("limit", limit);
        if (!ctx.response().ended()) {
            ctx.response()
                    .setStatusCode(429)
                    .putHeader("content-type", CONTENT_TYPE)
                    .putHeader("retry-after", Long.toString(Math.max(1, retryAfterSeconds)))
                    .end(body.toString());
        }
    }

    static void send(RoutingContext ctx, int status, String title, String detail, List<FieldError> errors) {
        ObjectNode body = StateJson.MAPPER.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        if (!errors.isEmpty()) {
            ArrayNode list = body.putArray("errors");
            errors.forEach(e -> list.addObject().put("field", e.field()).put("message", e.message()));
        }
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("content-type", CONTENT_TYPE);
            if (status == 503) {
                ctx.response().putHeader("retry-after", RETRY_AFTER_SECONDS);
            }
            ctx.response().end(body.toString());
        }
    }
}
