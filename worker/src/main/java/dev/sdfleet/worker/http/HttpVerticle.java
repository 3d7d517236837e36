package dev.sdfleet.worker.http;

import dev.sdfleet.worker.metrics.WorkerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The worker's only HTTP surface: {@code /metrics} (Prometheus text), {@code /health/live} (the process answers),
 * {@code /health/ready} (200 when it takes jobs, 503 otherwise) and {@code POST /admin/drain} (stop taking jobs: the
 * Kubernetes preStop hook, so a pod being deleted takes nothing new before its SIGTERM; loopback callers only, since
 * anyone who can reach the metrics port could otherwise idle the GPU). No job ever passes through here; everything
 * runs on the event loop and is quick (a scrape formats a few hundred lines).
 *
 * <p>HTTP/1.1 only. Prometheus and kubelet probes speak HTTP/1.1, but some clients (java.net.http by default, curl
 * --http2) offer a cleartext upgrade to HTTP/2 ({@code Upgrade: h2c}) with their first request. Vert.x 5.0.7 accepts
 * it by default, and on that upgraded first stream it sometimes sends the response headers but never the body: seen
 * with the /metrics page (25–36 KB) within the first dozen fresh connections of every run here, never with the small
 * health answers. The client's request timeout ends with the headers, so it then waits forever (the test that hung
 * the reactor build for 14 minutes). With h2c off the server ignores the offer and answers in HTTP/1.1.
 */
public final class HttpVerticle extends VerticleBase {
    /** The Prometheus text exposition format that {@code PrometheusMeterRegistry.scrape()} writes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final String JSON = "application/json";

    private final int port;
    private final WorkerMetrics metrics;
    private final Readiness readiness;
    private final Runnable drain;
    private volatile HttpServer server;

    /**
     * @param port the port to listen on, 0 for any free one (see {@link #actualPort()})
     * @param drain stops the worker taking jobs; must be quick (it runs on the event loop)
     */
    public HttpVerticle(int port, WorkerMetrics metrics, Readiness readiness, Runnable drain) {
        this.port = port;
        this.metrics = metrics;
        this.readiness = readiness;
        this.drain = drain;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/metrics").handler(this::metrics);
        router.get("/health/live")
                .handler(ctx -> ctx.response().putHeader("content-type", JSON).end("{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(this::ready);
        router.post("/admin/drain").handler(this::drain);
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
        return vertx.createHttpServer(options)
                .requestHandler(router)
                .listen(port)
                .onSuccess(s -> server = s);
    }

    private void metrics(RoutingContext ctx) {
        ctx.response().putHeader("content-type", PROMETHEUS_TEXT).end(metrics.scrape());
    }

    private void ready(RoutingContext ctx) {
        ctx.response()
                .setStatusCode(readiness.isReady() ? 200 : 503)
                .putHeader("content-type", JSON)
                .end(readiness.toJson());
    }

    private void drain(RoutingContext ctx) {
        if (!fromLoopback(ctx)) {
            ctx.response()
                    .setStatusCode(403)
                    .putHeader("content-type", JSON)
                    .end("{\"error\":\"drain is only accepted from the pod itself (loopback)\"}");
            return;
        }
        drain.run();
        ctx.response().setStatusCode(202).putHeader("content-type", JSON).end("{\"status\":\"DRAINING\"}");
    }

    private static boolean fromLoopback(RoutingContext ctx) {
        try {
            // A literal address: no name lookup happens here.
            return InetAddress.getByName(ctx.request().remoteAddress().hostAddress())
                    .isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port the server listens on, once started. */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }
}
