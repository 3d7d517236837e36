package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import dev.sdfleet.service.Health;
import dev.sdfleet.service.OpsHttp;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The operations endpoints ({@link OpsHttp}: {@code /metrics}, {@code /health/live}, {@code /health/ready}) on their
 * own port ({@code SDFLEET_OPS_PORT}), so that the public API port serves only the API: a NetworkPolicy or an
 * Ingress can then expose one without the other. Without an ops port, {@link ApiVerticle} mounts the same routes
 * ({@link #mount}) on the API port (the local fleet, tests).
 */
public final class OpsVerticle extends VerticleBase {
    private final DispatcherConfig config;
    private final int port;
    private final Supplier<StreamsRunner> streams;
    private final DispatcherMetrics metrics;

    public OpsVerticle(DispatcherConfig config, int port, Supplier<StreamsRunner> streams, DispatcherMetrics metrics) {
        this.config = config;
        this.port = port;
        this.streams = streams;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        mount(router, streams, metrics);
        return vertx.createHttpServer(
                        OpsHttp.serverOptions().setHost(config.httpHost()).setPort(port))
                .requestHandler(router)
                .listen();
    }

    /** Adds {@code /metrics}, {@code /health/live} and {@code /health/ready} to {@code router}. */
    static void mount(Router router, Supplier<StreamsRunner> streams, DispatcherMetrics metrics) {
        OpsHttp.mount(router, () -> live(streams.get()), () -> ready(streams.get()), metrics::scrape);
    }

    /** UP unless the stream tasks failed, or their threads keep dying. */
    private static Health live(StreamsRunner runner) {
        return Health.of(runner == null || runner.live())
                .with("streams", state(runner).toString());
    }

    /** UP while the stream tasks serve (every API call can be answered). */
    private static Health ready(StreamsRunner runner) {
        return Health.of(runner != null && runner.serving())
                .with("streams", state(runner).toString());
    }

    private static KafkaStreams.State state(StreamsRunner runner) {
        return runner == null ? KafkaStreams.State.CREATED : runner.state();
    }
}
