package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.streams.StreamsRunner;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Serves a call about a request id on the instance that owns the id's partition: {@link #route} decides where,
 * {@link #serveHere} answers the caller unless that is here (forwarded to the owner, or 503), and {@link #lookup}
 * reads the local store.
 */
final class OwnerRouting {
    private static final Route.OwnedHere OWNED_HERE = new Route.OwnedHere();
    private static final Lookup.Missing MISSING = new Lookup.Missing();
    private static final Route.Unavailable STARTING =
            new Route.Unavailable("starting", "the dispatcher is starting; retry");
    private static final Route.Unavailable MOVING =
            new Route.Unavailable("rebalancing", "request ownership is moving between instances; retry");
    private static final Route.Unavailable RESTORING =
            new Route.Unavailable("rebalancing", "the request store is being restored or moved; retry");

    private final Supplier<StreamsRunner> streams;
    private final Forwarder forwarder;

    OwnerRouting(Supplier<StreamsRunner> streams, Forwarder forwarder) {
        this.streams = streams;
        this.forwarder = forwarder;
    }

    /**
     * True when the caller should serve the call from this instance; otherwise the call has been answered here:
     * relayed to the owning instance, or 503.
     */
    boolean serveHere(RoutingContext ctx, String id) {
        switch (route(id, Forwarder.forwarded(ctx))) {
            case Route.OwnedHere here -> {
                return true;
            }
            case Route.Forward(HostInfo owner) -> forwarder.forward(ctx, owner);
            case Route.Unavailable unavailable -> answer(ctx, unavailable);
        }
        return false;
    }

    /** Where a call about {@code id} is served; {@code forwarded}: another instance already relayed it here. */
    Route route(String id, boolean forwarded) {
        StreamsRunner runner = streams.get();
        return runner == null ? STARTING : route(runner.remoteOwner(id), forwarded);
    }

    /** The decision once the stream tasks exist, from the owner Kafka Streams names (empty: this instance). */
    static Route route(Optional<HostInfo> remoteOwner, boolean forwarded) {
        if (remoteOwner.isEmpty()) {
            return OWNED_HERE;
        }
        // Relayed once and still not here: the instances disagree about ownership (a rebalance). Never bounce it on.
        return forwarded ? MOVING : new Route.Forward(remoteOwner.get());
    }

    /** The request in this instance's store; {@link Route.Unavailable} while the store is restored or moved. */
    Lookup lookup(String id) {
        try {
            return streams.get().local(id).<Lookup>map(Lookup.Found::new).orElse(MISSING);
        } catch (InvalidStateStoreException e) {
            return RESTORING;
        }
    }

    /** The answer to a call nobody can serve now: 503 with {@code Retry-After} (see {@link Problems}). */
    static void answer(RoutingContext ctx, Route.Unavailable unavailable) {
        Problems.send(ctx, 503, unavailable.reason(), unavailable.detail());
    }
}
