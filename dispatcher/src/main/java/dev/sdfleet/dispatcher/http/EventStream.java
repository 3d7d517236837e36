package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.view.GenerationDocuments;
import dev.sdfleet.dispatcher.webhook.WebhookPayloads;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Identifier;
import dev.sdfleet.protocol.WebhookEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code GET /v1/generations/{id}/events}: a Server-Sent Events stream of the request's {@code Generation} document,
 * one event each time its state or an image's progress changes, until the request ends; then the stream closes.
 * Events are named like the webhooks ({@code generation.progress} while it runs, then {@code generation.completed}
 * or {@code generation.failed}), so one handler serves both.
 *
 * <p>Served by the instance that owns the request (others relay the stream, {@link Forwarder}), which reads its
 * local store every {@link #POLL}: progress lands in the store as the workers report it, so polling the store costs
 * one local read per open stream and needs no subscription bookkeeping between the stream thread and HTTP. A stream
 * cut by a restart or a rebalance ends; the client reconnects and gets the current document first.
 */
final class EventStream {
    static final Duration POLL = Duration.ofMillis(250);
    /** Below the relay's idle timeout, so a relayed stream of a slow request is not cut between two events. */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final OwnerRouting routing;
    private final ImageLinks links;
    private final Vertx vertx;

    EventStream(OwnerRouting routing, ImageLinks links, Vertx vertx) {
        this.routing = routing;
        this.links = links;
        this.vertx = vertx;
    }

    void handle(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!Identifier.isValid(id)) {
            Problems.send(ctx, 404, "not found", "no such request");
            return;
        }
        if (!routing.serveHere(ctx, id)) {
            return;
        }
        RequestState first;
        switch (routing.lookup(id)) {
            case Route.Unavailable unavailable -> {
                OwnerRouting.answer(ctx, unavailable);
                return;
            }
            case Lookup.Missing missing -> {
                Problems.send(ctx, 404, "not found", "no such request");
                return;
            }
            case Lookup.Found(RequestState state) -> first = state;
        }
        if (!first.tenant().equals(Auth.tenant(ctx))) {
            Problems.send(ctx, 404, "not found", "no such request");
            return;
        }
        HttpServerResponse response = ctx.response()
                .setChunked(true)
                .putHeader("content-type", "text/event-stream")
                .putHeader("cache-control", "no-cache");
        stream(id, first, response);
    }

    private void stream(String id, RequestState first, HttpServerResponse response) {
        RequestState state = first;
        String shown = null;
        long sequence = 0;
        long lastWrite = System.nanoTime();
        while (!response.closed()) {
            // Compared without download links: they are signed anew on each read and say nothing new.
            String now = Codec.encodeToString(GenerationDocuments.forEvent(state, ImageLinks.none()));
            if (!now.equals(shown)) {
                shown = now;
                sequence++;
                WebhookEvent event = state.finished()
                        ? WebhookPayloads.terminalEvent(state.status())
                        : WebhookEvent.GENERATION_PROGRESS;
                String data = Codec.encodeToString(GenerationDocuments.forEvent(state, links));
                response.write("id: " + sequence + "\nevent: " + event.id() + "\ndata: " + data + "\n\n");
                lastWrite = System.nanoTime();
            } else if (System.nanoTime() - lastWrite > HEARTBEAT.toNanos()) {
                response.write(": keep-alive\n\n");
                lastWrite = System.nanoTime();
            }
            if (state.finished()) {
                break;
            }
            vertx.timer(POLL.toMillis()).await();
            if (!(routing.lookup(id) instanceof Lookup.Found(RequestState next))) {
                break; // ownership moved or the store is restoring: the client reconnects
            }
            state = next;
        }
        if (!response.closed()) {
            response.end();
        }
    }
}
