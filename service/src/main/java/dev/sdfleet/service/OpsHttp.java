package dev.sdfleet.service;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * The operations endpoints every service serves the same way: {@code GET /health/live}, {@code GET /health/ready}
 * (a {@link Health} body, 200 or 503) and {@code GET /metrics} (Prometheus text), and the HTTP server options under
 * them.
 *
 * <p>HTTP/1.1 only. Prometheus and kubelet probes speak HTTP/1.1, but some clients (java.net.http by default, curl
 * --http2) offer a cleartext upgrade to HTTP/2 ({@code Upgrade: h2c}) with their first request. Vert.x 5.0.7 accepts
 * it by default, and on that upgraded first stream it sometimes sends the response headers but never the body: seen
 * with the worker's /metrics page (25–36 KB) within the first dozen fresh connections of every run, never with the
 * small health answers. The client's request timeout ends with the headers, so it then waits forever (a test hung the
 * reactor build for 14 minutes). With h2c off the server ignores the offer and answers in HTTP/1.1.
 */
public final class OpsHttp {
    /** The Prometheus text exposition format that {@code PrometheusMeterRegistry.scrape()} writes. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    public static final String JSON = "application/json";

    private OpsHttp() {}

    /** Server options for a service's HTTP port: HTTP/1.1 only (see the class comment). */
    public static HttpServerOptions serverOptions() {
        return new HttpServerOptions().setHttp2ClearTextEnabled(false);
    }

    /**
     * Adds the health and metrics routes to {@code router}. The suppliers run on the event loop (or the verticle's
     * virtual thread) and must be quick.
     */
    public static void mount(Router router, Supplier<Health> live, Supplier<Health> ready, Supplier<String> scrape) {
        router.get("/health/live").handler(ctx -> send(ctx, live.get()));
        router.get("/health/ready").handler(ctx -> send(ctx, ready.get()));
        router.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", PROMETHEUS_TEXT)
                        .end(scrape.get()));
    }

    /** Answers with {@code health}: its status code and body. */
    public static void send(RoutingContext ctx, Health health) {
        ctx.response()
                .setStatusCode(health.httpStatus())
                .putHeader("content-type", JSON)
                .end(health.toJson());
    }
}
