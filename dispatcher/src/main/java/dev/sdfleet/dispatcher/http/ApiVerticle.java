package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.streams.Admissions;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import dev.sdfleet.service.OpsHttp;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code /v1/generations} (authenticated), {@code /openapi.yaml}, and, unless they have a port of their
 * own ({@link OpsVerticle}), the operations endpoints every service has ({@link OpsHttp}: {@code /metrics},
 * {@code /health/live}, {@code /health/ready}; HTTP/1.1 only). Deployed on virtual threads, so handlers wait with
 * {@code await()} instead of nesting callbacks, and never hold an event loop.
 */
public final class ApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
    public static final String OPENAPI_RESOURCE = "/dev/sdfleet/dispatcher/openapi.yaml";

    private final DispatcherConfig config;
    private final int port;
    private final Supplier<StreamsRunner> streams;
    private final Producer<String, byte[]> producer;
    private final Admissions admissions;
    private final DispatcherMetrics metrics;
    private final Clock clock;
    private final ImageLinks imageLinks;
    private HttpServer server;

    public ApiVerticle(
            DispatcherConfig config,
            int port,
            Supplier<StreamsRunner> streams,
            Producer<String, byte[]> producer,
            Admissions admissions,
            DispatcherMetrics metrics,
            Clock clock,
            ImageLinks imageLinks) {
        this.config = config;
        this.port = port;
        this.streams = streams;
        this.producer = producer;
        this.admissions = admissions;
        this.metrics = metrics;
        this.clock = clock;
        this.imageLinks = imageLinks;
    }

    @Override
    public Future<?> start() {
        Forwarder forwarder =
                new Forwarder(vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(32)));
        OwnerRouting routing = new OwnerRouting(streams, forwarder);
        Publisher publisher = new Publisher(producer, vertx, config.source());
        AdmitHandler admit =
                new AdmitHandler(config, routing, publisher, admissions, metrics, clock, vertx, imageLinks);
        RequestHandlers requests = new RequestHandlers(config, routing, publisher, clock, imageLinks);
        Auth auth = new Auth(config.tenants(), metrics);
        String openapi = readOpenApi();

        Router router = Router.router(vertx);
        if (config.opsPort().isEmpty()) {
            OpsVerticle.mount(router, streams, metrics);
        }
        router.get("/openapi.yaml")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "application/yaml")
                        .end(openapi));
        router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.route("/v1/*").handler(auth::handle);
        router.get("/v1/models").handler(new ModelsView(config.models())::handle);
        router.post("/v1/generations").handler(admit::handle);
        router.get("/v1/generations").handler(new GenerationList(imageLinks, streams, forwarder)::handle);
        router.get("/v1/generations/:id").handler(requests::get);
        router.get("/v1/generations/:id/events").handler(new EventStream(routing, imageLinks, vertx)::handle);
        router.delete("/v1/generations/:id").handler(requests::cancel);
        router.post("/v1/generations/:id/deliveries/:delivery/redeliver").handler(requests::redeliver);
        router.errorHandler(404, ctx -> Problems.send(ctx, 404, "not found", "no such resource"));
        router.errorHandler(405, ctx -> Problems.send(ctx, 405, "method not allowed", null));
        router.errorHandler(
                413,
                ctx -> Problems.send(
                        ctx,
                        413,
                        "request too large",
                        "the body may have at most " + config.maxBodyBytes() + " bytes"));
        router.errorHandler(500, ctx -> {
            LOG.error(
                    "Unhandled error on {} {}",
                    ctx.request().method(),
                    ctx.request().path(),
                    ctx.failure());
            Problems.send(ctx, 500, "internal error", null);
        });
        server = vertx.createHttpServer(OpsHttp.serverOptions()
                .setHost(config.httpHost())
                .setPort(port)
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384));
        return server.requestHandler(router).listen();
    }

    private static String readOpenApi() {
        try (InputStream in = ApiVerticle.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
