package dev.sdfleet.dispatcher.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Identifier;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET} and {@code DELETE /v1/generations/{id}} and the webhook redelivery, each on the owning instance. */
final class RequestHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandlers.class);

    private final DispatcherConfig config;
    private final OwnerRouting routing;
    private final Publisher publisher;
    private final Clock clock;
    private final ImageLinks imageLinks;

    RequestHandlers(
            DispatcherConfig config, OwnerRouting routing, Publisher publisher, Clock clock, ImageLinks imageLinks) {
        this.config = config;
        this.routing = routing;
        this.publisher = publisher;
        this.clock = clock;
        this.imageLinks = imageLinks;
    }

    void get(RoutingContext ctx) {
        withOwnedRequest(
                ctx,
                state -> ctx.response()
                        .putHeader("content-type", "application/json")
                        .end(RequestView.json(state, imageLinks)));
    }

    void cancel(RoutingContext ctx) {
        withOwnedRequest(ctx, state -> {
            if (state.finished()) {
                Problems.send(
                        ctx,
                        409,
                        "already finished",
                        "the request finished as "
                                + state.status().name().toLowerCase(java.util.Locale.ROOT)
                                + "; there is nothing to cancel");
                return;
            }
            CancelRequest cancel =
                    CancelRequest.ofRequest(state.requestId(), "cancelled through the API", clock.instant());
            publisher
                    .publishInTrace(
                            config.topics().cancels(), state.requestId(), cancel, state.traceParent(), clock.instant())
                    .await();
            accepted(
                    ctx,
                    StateJson.MAPPER
                            .createObjectNode()
                            .put("id", state.requestId())
                            .put("status", "cancelling"));
        });
    }

    void redeliver(RoutingContext ctx) {
        String deliveryId = ctx.pathParam("delivery");
        withOwnedRequest(ctx, state -> {
            if (state.delivery(deliveryId).isEmpty()) {
                Problems.send(ctx, 404, "not found", "this request has no webhook message " + deliveryId);
                return;
            }
            ControlMessage command = ControlMessage.redeliver(state.requestId(), deliveryId, clock.instant());
            publisher
                    .send(new ProducerRecord<>(config.controlTopic(), state.requestId(), StateJson.write(command)))
                    .await();
            accepted(
                    ctx,
                    StateJson.MAPPER.createObjectNode().put("id", deliveryId).put("status", "pending"));
        });
    }

    /** Runs {@code action} on the caller's request, or answers 404 (unknown, or another tenant's), 503 or forwards. */
    private void withOwnedRequest(RoutingContext ctx, Consumer<RequestState> action) {
        String id = ctx.pathParam("id");
        if (!Identifier.isValid(id)) {
            Problems.send(ctx, 404, "not found", "no such request");
            return;
        }
        if (!routing.serveHere(ctx, id)) {
            return;
        }
        switch (routing.lookup(id)) {
            case Route.Unavailable unavailable -> OwnerRouting.answer(ctx, unavailable);
            case Lookup.Missing missing -> Problems.send(ctx, 404, "not found", "no such request");
            case Lookup.Found(RequestState state) -> {
                // Another tenant's request is answered exactly like a missing one: ids must not be probeable.
                if (state.tenant().equals(Auth.tenant(ctx))) {
                    run(ctx, action, state);
                } else {
                    Problems.send(ctx, 404, "not found", "no such request");
                }
            }
        }
    }

    private static void run(RoutingContext ctx, Consumer<RequestState> action, RequestState state) {
        try {
            action.accept(state);
        } catch (Exception e) {
            LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), e.toString());
            Problems.send(ctx, 503, "unavailable", "Kafka did not take the command; retry");
        }
    }

    private static void accepted(RoutingContext ctx, ObjectNode body) {
        ctx.response()
                .setStatusCode(202)
                .putHeader("content-type", "application/json")
                .end(body.toString());
    }
}
