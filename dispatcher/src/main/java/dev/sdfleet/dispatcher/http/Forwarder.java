package dev.sdfleet.dispatcher.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays an API call to the instance that owns the request id (Kafka Streams knows which, from the partition of
 * the key) and its answer back. The owner authenticates the caller itself; the forwarded mark stops a call from
 * bouncing between two instances that disagree during a rebalance.
 */
final class Forwarder {
    static final String HEADER = "x-sdfleet-forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    private static final List<String> REQUEST_HEADERS =
            List.of("authorization", "x-api-key", "idempotency-key", "content-type", "traceparent");
    private static final List<String> RESPONSE_HEADERS = List.of(
            "content-type",
            "location",
            "idempotent-replayed",
            "www-authenticate",
            "retry-after",
            "cache-control",
            "traceparent");
    /** How long the owner may stay silent (an event stream sends a heartbeat more often). */
    private static final long TIMEOUT_MS = 15_000;

    private final HttpClient client;

    Forwarder(HttpClient client) {
        this.client = client;
    }

    static boolean forwarded(RoutingContext ctx) {
        return ctx.request().getHeader(HEADER) != null;
    }

    void forward(RoutingContext ctx, HostInfo owner) {
        try {
            HttpClientResponse response = send(ctx, owner);
            ctx.response().setStatusCode(response.statusCode());
            RESPONSE_HEADERS.forEach(name -> {
                String value = response.getHeader(name);
                if (value != null) {
                    ctx.response().putHeader(name, value);
                }
            });
            if ("text/event-stream".equals(response.getHeader("content-type"))) {
                // An event stream is relayed as it comes, until the owner ends it or the caller goes.
                ctx.response().setChunked(true);
                response.pipeTo(ctx.response()).await();
            } else {
                ctx.response().end(response.body().await());
            }
        } catch (Exception e) {
            if (ctx.response().headWritten()) {
                // A relayed stream broke off (the caller left, or the owner stopped): the caller sees it end.
                LOG.debug(
                        "Relayed stream of {} from {} ended: {}", ctx.request().path(), owner, e.toString());
                ctx.response().reset();
                return;
            }
            // await() rethrows the failure as it is, checked or not: a refused connection (the owner just stopped
            // and the metadata still names it) is an IOException, and it must be a 503 "retry", not a 500.
            LOG.warn(
                    "Forwarding {} {} to {} failed: {}",
                    ctx.request().method(),
                    ctx.request().path(),
                    owner,
                    e.toString());
            Problems.send(
                    ctx, 503, "unavailable", "the dispatcher instance that owns this request did not answer; retry");
        }
    }

    /** The same call made on {@code instance} for its own share of the answer (a list page): the body, if 200. */
    Buffer fetch(RoutingContext ctx, HostInfo instance) {
        HttpClientResponse response = send(ctx, instance);
        Buffer body = response.body().await();
        if (response.statusCode() != 200) {
            throw new IllegalStateException(instance + " answered " + response.statusCode() + ": " + body);
        }
        return body;
    }

    private HttpClientResponse send(RoutingContext ctx, HostInfo owner) {
        RequestOptions options = new RequestOptions()
                .setMethod(ctx.request().method())
                .setHost(owner.host())
                .setPort(owner.port())
                .setURI(ctx.request().uri())
                .setTimeout(TIMEOUT_MS)
                .putHeader(HEADER, "1");
        REQUEST_HEADERS.forEach(name -> {
            String value = ctx.request().getHeader(name);
            if (value != null) {
                options.putHeader(name, value);
            }
        });
        HttpClientRequest request = client.request(options).await();
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        return (body == null ? request.send() : request.send(body)).await();
    }
}
