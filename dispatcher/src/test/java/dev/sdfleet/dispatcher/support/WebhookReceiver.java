package dev.sdfleet.dispatcher.support;

import dev.sdfleet.dispatcher.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver on loopback that verifies every call's Standard Webhooks signature with the tenant's key, as a
 * real receiver would, and records the calls. It can be stopped and started again on the same port (receiver down,
 * then up).
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One call received. */
    public record Call(String id, long timestamp, String signature, String body, boolean signatureValid) {}

    private final Vertx vertx = Vertx.vertx();
    private final byte[] key;
    private final int port;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private HttpServer server;

    public WebhookReceiver(byte[] key, int port) {
        this.key = key;
        this.port = port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public synchronized WebhookReceiver start() {
        server = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    String id = req.getHeader(WebhookSignature.ID_HEADER);
                    String ts = req.getHeader(WebhookSignature.TIMESTAMP_HEADER);
                    String signature = req.getHeader(WebhookSignature.SIGNATURE_HEADER);
                    long timestamp = ts == null ? -1 : Long.parseLong(ts);
                    boolean valid = id != null
                            && signature != null
                            && WebhookSignature.verify(key, id, timestamp, body.toString(), signature);
                    calls.add(new Call(id, timestamp, signature, body.toString(), valid));
                    req.response().setStatusCode(valid ? 204 : 400).end();
                }));
        server.listen(port, "127.0.0.1").await();
        return this;
    }

    public synchronized void stop() {
        if (server != null) {
            server.close().await();
            server = null;
        }
    }

    public List<Call> calls() {
        return calls;
    }

    @Override
    public void close() {
        stop();
        vertx.close().await();
    }
}
