package dev.sdfleet.worker.http;

import dev.sdfleet.service.OpsHttp;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The worker's only HTTP surface: the operations endpoints every service has ({@link OpsHttp}: {@code /metrics},
 * {@code /health/live} (UP unless a pipeline call is stuck: {@link Liveness}), {@code /health/ready} (UP and 200 when it takes jobs, DOWN and 503
 * otherwise)), and {@code POST /admin/drain} (stop taking jobs: the Kubernetes preStop hook, so a pod being deleted
 * takes nothing new before its SIGTERM; loopback callers only, since anyone who can reach the metrics port could
 * otherwise idle the GPU). No job ever passes through here; everything runs on the event loop and is quick (a scrape
 * formats a few hundred lines). HTTP/1.1 only: see {@link OpsHttp}.
 */
public final class HttpVerticle extends VerticleBase {
    private final int port;
    private final WorkerMetrics metrics;
    private final Liveness liveness;
    private final Readiness readiness;
    private final Runnable drain;
    private volatile HttpServer server;

    /**
     * @param port the port to listen on, 0 for any free one (see {@link #actualPort()})
     * @param drain stops the worker taking jobs; must be quick (it runs on the event loop)
     */
    public HttpVerticle(int port, WorkerMetrics metrics, Liveness liveness, Readiness readiness, Runnable drain) {
        this.port = port;
        this.metrics = metrics;
        this.liveness = liveness;
        this.readiness = readiness;
        this.drain = drain;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        OpsHttp.mount(router, liveness::health, readiness::health, metrics::scrape);
        router.post("/admin/drain").handler(this::drain);
        return vertx.createHttpServer(OpsHttp.serverOptions())
                .requestHandler(router)
                .listen(port)
                .onSuccess(s -> server = s);
    }

    private void drain(RoutingContext ctx) {
        if (!fromLoopback(ctx)) {
            ctx.response()
                    .setStatusCode(403)
                    .putHeader("content-type", OpsHttp.JSON)
                    .end("{\"error\":\"drain is only accepted from the pod itself (loopback)\"}");
            return;
        }
        drain.run();
        ctx.response()
                .setStatusCode(202)
                .putHeader("content-type", OpsHttp.JSON)
                .end("{\"status\":\"DRAINING\"}");
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
